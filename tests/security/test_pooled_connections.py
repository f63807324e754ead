"""A pooled connection is only handed out clean: never inside another request's transaction (nor its role),
never one the server has closed; the pool checks this on checkout without a round trip (no pre-ping)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.auth.db_role import READER_ROLE, detect_reader_role
from service.db.engine import make_engine, raw_connection
from service.services.query import read_only
from service.settings import Settings
from tests.security.conftest import Callers, run_db


@pytest.fixture
async def engine(client_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(client_db_url, Settings(database_url=client_db_url, pool_size=1))
    assert await detect_reader_role(engine) is True
    yield engine
    await engine.dispose()


async def test_a_connection_left_inside_a_transaction_is_replaced(engine: AsyncEngine) -> None:
    async with raw_connection(engine) as conn:
        await conn.execute(f"BEGIN READ ONLY; SET LOCAL ROLE {READER_ROLE}")
        abandoned = conn.get_server_pid()
    async with raw_connection(engine) as conn:
        assert conn.get_server_pid() != abandoned
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_user") != READER_ROLE


async def test_a_failed_read_rolls_back_and_the_connection_comes_back_as_it_was(engine: AsyncEngine) -> None:
    with pytest.raises(asyncpg.UndefinedTableError):
        async with read_only(engine) as conn:
            used = conn.get_server_pid()
            await conn.fetch("SELECT * FROM no_such_table")
    async with raw_connection(engine) as conn:
        assert conn.get_server_pid() == used  # rolled back, so kept in the pool
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_user") != READER_ROLE
        assert await conn.fetchval("SHOW transaction_read_only") == "off"


async def test_a_connection_the_server_closed_is_replaced(engine: AsyncEngine, client_db_url: str) -> None:
    async with raw_connection(engine) as conn:
        killed = conn.get_server_pid()
    owner = await asyncpg.connect(client_db_url)
    try:
        assert await owner.fetchval("SELECT pg_terminate_backend($1)", killed)
        deadline = time.monotonic() + 5
        while await owner.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", killed):
            assert time.monotonic() < deadline, "the backend did not end"
            await asyncio.sleep(0.05)
    finally:
        await owner.close()
    await asyncio.sleep(0.1)  # the event loop sees the hang-up
    async with read_only(engine) as conn:
        assert conn.get_server_pid() != killed
        assert await conn.fetchval("SELECT count(*) FROM patients") > 0


def test_the_api_answers_after_its_pooled_connections_were_killed(callers: Callers) -> None:
    query = {"measures": ["revenue"], "time": {"range": "all_time"}}
    assert callers.call("manager", "POST", "/api/query", json=query).status_code == 200

    async def kill_the_apps_connections(conn: asyncpg.Connection) -> int:
        pids = [r[0] for r in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'medspa-api' AND datname = current_database()")]
        for pid in pids:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
        deadline = time.monotonic() + 5
        while await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids):
            assert time.monotonic() < deadline, "the backends did not end"
            await asyncio.sleep(0.05)
        return len(pids)

    assert run_db(callers.url, kill_the_apps_connections) > 0
    time.sleep(0.2)  # the app's event loop sees the hang-ups
    for role in ("manager", "agent", "manager"):  # session and key checks, cached and computed answers
        response = callers.call(role, "POST", "/api/query", json=query)
        assert response.status_code == 200, response.text  # never a 503 for a connection the server closed
        assert response.json()["rows"]


def test_a_connection_broken_mid_protocol_is_a_retryable_503(client_db_url: str) -> None:
    """asyncpg's InternalClientError (a connection the server dropped while it sat in the pool, its farewell
    read before the hang-up) is an outage to the client, never a 500."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(Settings(database_url=client_db_url), url=client_db_url)

    async def broken() -> None:
        raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")

    app.add_api_route("/api/test-broken-connection", broken)
    with TestClient(app) as client:
        response = client.get("/api/test-broken-connection")
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "database_unavailable" and response.json()["error"]["retryable"]
    assert "state 12" not in response.text


async def test_raw_connection_closes_a_connection_broken_mid_protocol(engine: AsyncEngine) -> None:
    with pytest.raises(ConnectionResetError):
        async with raw_connection(engine) as conn:
            broken = conn
            raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    assert broken.is_closed()
    async with raw_connection(engine) as conn:
        assert conn is not broken and await conn.fetchval("SELECT 1") == 1


async def test_rows_read_stand_when_the_server_goes_before_the_commit(engine: AsyncEngine, client_db_url: str) -> None:
    async with read_only(engine) as conn:
        count = await conn.fetchval("SELECT count(*) FROM patients")
        lost = conn.get_server_pid()
        owner = await asyncpg.connect(client_db_url)
        try:
            assert await owner.fetchval("SELECT pg_terminate_backend($1)", lost)
            while await owner.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", lost):
                await asyncio.sleep(0.05)
        finally:
            await owner.close()
    assert count > 0 and conn.is_closed()  # READ ONLY: nothing was lost with the COMMIT
    async with read_only(engine) as fresh:
        assert fresh.get_server_pid() != lost
