"""The query path cannot write: READ ONLY transactions under the `medspa_reader` role (SELECT on the data
tables only), with the configured statement_timeout; and no endpoint takes SQL."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.auth.db_role import PRIVATE_TABLES, READER_ROLE, detect_reader_role, reader_role_enabled
from service.db.engine import make_engine
from service.deps import get_reader_connection
from service.errors_http import ApiError
from service.services.query import read_only
from service.settings import Settings
from tests.security.conftest import Callers, run_db

WRITES = [
    "INSERT INTO patients (id, first_name, last_name) VALUES ('pat_evil', 'E', 'Vil')",
    "UPDATE patients SET first_name = 'x'",
    "DELETE FROM payments",
    "TRUNCATE appointments CASCADE",
    "CREATE TABLE evil (id int)",
    "INSERT INTO audit_events (actor, role, action) VALUES ('x', 'manager', 'login')",
]


@pytest.fixture
async def engine(client_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(client_db_url, Settings(database_url=client_db_url, statement_timeout_ms=1500))
    assert await detect_reader_role(engine) is True
    yield engine
    await engine.dispose()


def test_the_app_checks_the_reader_role_once_at_startup(callers: Callers) -> None:
    assert callers.app.state.reader_role is True
    assert reader_role_enabled(callers.app.state.engine) is True


async def test_the_query_path_is_read_only_as_the_reader_role(engine: AsyncEngine) -> None:
    async with read_only(engine) as conn:
        assert await conn.fetchval("SELECT current_user") == READER_ROLE
        assert await conn.fetchval("SHOW transaction_read_only") == "on"
        assert await conn.fetchval("SHOW statement_timeout") == "1500ms"
        assert await conn.fetchval("SELECT count(*) FROM patients") > 0
    # the role is LOCAL to the transaction: the pooled connection comes back as the connecting user
    async with engine.connect() as plain:
        raw = (await plain.get_raw_connection()).driver_connection
        assert raw is not None
        assert await raw.fetchval("SELECT current_user") != READER_ROLE


@pytest.mark.parametrize("statement", WRITES)
async def test_no_write_gets_through_the_query_path(engine: AsyncEngine, statement: str) -> None:
    with pytest.raises((asyncpg.ReadOnlySQLTransactionError, asyncpg.InsufficientPrivilegeError)):
        async with read_only(engine) as conn:
            await conn.execute(statement)


@pytest.mark.parametrize("table", PRIVATE_TABLES[:4])
async def test_the_query_path_cannot_read_accounts_or_the_audit_trail(engine: AsyncEngine, table: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with read_only(engine) as conn:
            await conn.fetch(f"SELECT * FROM {table} LIMIT 1")


@pytest.mark.parametrize("statement", WRITES[:5])
def test_the_reader_role_cannot_write_even_outside_a_read_only_transaction(client_db_url: str,
                                                                          statement: str) -> None:
    async def attempt(conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {READER_ROLE}")
            await conn.execute(statement)

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        run_db(client_db_url, attempt)


def test_the_reader_role_holds_select_on_the_data_tables_only(client_db_url: str) -> None:
    async def look(conn: asyncpg.Connection) -> tuple[list[Any], list[Any]]:
        grants = await conn.fetch(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = $1",
            READER_ROLE)
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return grants, tables

    grants, tables = run_db(client_db_url, look)
    data_tables = {r[0] for r in tables} - set(PRIVATE_TABLES)
    assert {"patients", "payments", "appointments", "patient_summary"} <= data_tables
    assert {(r["table_name"], r["privilege_type"]) for r in grants} == {(t, "SELECT") for t in data_tables}


async def test_the_statement_timeout_applies_under_the_reader_role(engine: AsyncEngine) -> None:
    with pytest.raises(ApiError) as refused:
        async with read_only(engine) as conn:
            await conn.execute("SELECT pg_sleep(5)")
    assert refused.value.status == 503 and refused.value.code == "query_timeout" and refused.value.retryable


async def test_the_patient_record_reads_as_the_reader_role(engine: AsyncEngine) -> None:
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(engine=engine)))
    connections = cast(AsyncGenerator[asyncpg.Connection, None], get_reader_connection(request))
    conn = await connections.__anext__()
    try:
        assert await conn.fetchval("SELECT current_user") == READER_ROLE
        assert await conn.fetchval("SHOW transaction_read_only") == "on"
    finally:
        await connections.aclose()


def test_no_endpoint_takes_sql(callers: Callers) -> None:
    spec = callers.call("anonymous", "GET", "/openapi.json").json()
    bodies = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter["name"] not in ("sql", "statement", "query", "where", "expr"), (path, parameter)
            ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if ref:
                bodies.add((method.upper(), path, ref.get("$ref", "").rsplit("/", 1)[-1]))
    assert {b[2] for b in bodies} == {"Query", "LoginBody", "AskRequest"}, bodies
    text_fields = {name for name, prop in spec["components"]["schemas"]["Query"]["properties"].items()
                   if prop.get("type") == "string"}
    assert text_fields <= {"as_of", "offset"}, text_fields  # no free text but a date
    smuggled = callers.call("manager", "POST", "/api/query",
                            json={"measures": ["revenue"], "sql": "SELECT * FROM users"})
    assert smuggled.status_code == 422 and smuggled.json()["error"]["code"] == "invalid_request"
