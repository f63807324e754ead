"""The fixed cost of `POST /api/query`, counted in statements sent to the database (each one round trip).

A cached answer needs the session check (which also keeps the session alive) and the data state (whose
version keys the cache): one statement carries both, no transaction. An uncached one adds a READ ONLY
transaction as the reader role, begun in one round trip, the query itself, and the COMMIT. A patient
listing adds its audit row: one INSERT, on the same connection. Every statement of a request runs on one
pooled connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.auth.db_role import BEGIN_AS_READER
from service.settings import Settings
from tests.conftest import TEST_PASSWORD, create_key, ensure_user

QUERY = {"measures": ["revenue", "payment_count"], "dimensions": ["payment.method"],
         "time": {"range": "last_90_days"}, "order": [{"field": "revenue", "dir": "desc"}]}
LISTING = {"dimensions": ["patient.id", "patient.name", "patient.lifetime_spend"],
           "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 5}


@contextmanager
def counted_client(url: str, *, result_cache: bool,
                   connections: list[int] | None = None) -> Iterator[tuple[TestClient, list[str]]]:
    """A signed-in manager's client and the list every statement the app sends is appended to (and the
    server process id of the connection each was sent on, to `connections`)."""
    from service.app import create_app

    statements: list[str] = []
    loggers: dict[int, Callable[[Any], None]] = {}  # one per connection (asyncpg keeps a set of them)

    def logger_for(pid: int) -> Callable[[Any], None]:
        def log(record: Any) -> None:
            statements.append(record.query)
            if connections is not None:
                connections.append(pid)

        return loggers.setdefault(pid, log)

    app = create_app(Settings(database_url=url, result_cache=result_cache), url=url)
    with TestClient(app) as client:
        def watch(dbapi_connection: Any, *_: Any) -> None:
            raw = dbapi_connection.driver_connection
            raw.add_query_logger(logger_for(raw.get_server_pid()))

        event.listen(app.state.engine.sync_engine, "checkout", watch)
        username = ensure_user(url, "manager")
        response = client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.text
        yield client, statements


def _settle(client: TestClient) -> None:
    """Wait until the requests so far have finished in the background (service.deps.finish_soon: COMMIT of a
    read left open, the connection back to the pool) and their statements are logged."""
    from service.deps import drain

    app: Any = client.app
    while not hasattr(app, "state"):  # a wrapper's app
        app = app.app
    client.portal.call(drain, app.state.finishing)  # type: ignore[union-attr]
    client.portal.call(asyncio.sleep, 0.01)  # type: ignore[union-attr]  # query loggers run as loop callbacks


def _counted_again(client: TestClient, statements: list[str], body: dict[str, Any],
                   connections: list[int] | None = None, headers: dict[str, str] | None = None) -> Any:
    """POST `body` once (compiled, cached, the pool warm), then again with the statements (and connections)
    logged from zero; the second response."""
    first = client.post("/api/query", json=body, headers=headers)
    assert first.status_code == 200, first.text
    _settle(client)
    statements.clear()
    if connections is not None:
        connections.clear()
    return client.post("/api/query", json=body, headers=headers)


def _is_session_check(statement: str) -> bool:
    return "FROM user_sessions" in statement and "UPDATE user_sessions" in statement


def _carries_the_state(statement: str) -> bool:
    return "FROM data_state() AS state" in statement  # the data's state, read in the same statement


def test_a_cached_answer_costs_one_statement(client_db_url: str) -> None:
    with counted_client(client_db_url, result_cache=True) as (client, statements):
        first = client.post("/api/query", json=QUERY).json()
        again = _counted_again(client, statements, QUERY)
        assert again.status_code == 200 and again.json()["rows"] == first["rows"]
    assert len(statements) == 1, statements
    assert _is_session_check(statements[0]) and _carries_the_state(statements[0])


def test_an_uncached_answer_adds_one_transaction_of_three_round_trips(client_db_url: str) -> None:
    with counted_client(client_db_url, result_cache=False) as (client, statements):
        response = _counted_again(client, statements, QUERY)
        assert response.status_code == 200 and response.json()["rows"]
    assert len(statements) == 4, statements
    check, begin, query, commit = statements
    assert _is_session_check(check) and _carries_the_state(check)
    assert begin == BEGIN_AS_READER  # READ ONLY and the reader role in one round trip
    assert query.lstrip().upper().startswith(("SELECT", "WITH")) and commit == "COMMIT"


def test_the_last_page_walks_the_index_backwards(client_db_url: str) -> None:
    last = {**LISTING, "before": "end"}  # the listing's last page, by keyset: no offset to skip
    with counted_client(client_db_url, result_cache=False) as (client, statements):
        response = _counted_again(client, statements, last)
        assert response.status_code == 200
        body = response.json()
        assert body["total_rows"] == 4_000 and len(body["rows"]) == 5
        spends = [row["patient.lifetime_spend"] for row in body["rows"]]
        assert spends == sorted(spends, reverse=True)  # shown in the asked order
        assert body["meta"]["prev_cursor"] and body["meta"]["next_cursor"] is None
    check, begin, page, count, commit, audit = statements
    assert _is_session_check(check) and begin == BEGIN_AS_READER and commit == "COMMIT"
    # the keys walked backwards: ascending, nulls first, ties by descending id; no OFFSET
    assert '"lifetime_spend" ASC NULLS FIRST' in page and '"patient_id" DESC LIMIT' in page and "OFFSET" not in page
    assert count.lstrip().upper().startswith("SELECT COUNT(")  # a cursor page does not know its position
    assert audit.lstrip().startswith("INSERT INTO audit_events")


def test_a_listing_adds_its_audit_row_on_the_same_connection(client_db_url: str) -> None:
    pids: list[int] = []
    with counted_client(client_db_url, result_cache=True, connections=pids) as (client, statements):
        response = _counted_again(client, statements, LISTING, pids)  # cached: the audit row is still written
        assert response.status_code == 200 and len(response.json()["rows"]) == 5
    assert len(statements) == 2, statements
    check, audit = statements
    assert _is_session_check(check) and _carries_the_state(check)
    assert audit.lstrip().startswith("INSERT INTO audit_events")  # autocommit: no BEGIN, no COMMIT
    assert len(set(pids)) == 1  # one checkout for the whole request


def test_an_uncached_request_runs_on_one_connection(client_db_url: str) -> None:
    pids: list[int] = []
    with counted_client(client_db_url, result_cache=False, connections=pids) as (client, statements):
        assert _counted_again(client, statements, LISTING, pids).status_code == 200
    assert statements[1] == BEGIN_AS_READER and "COMMIT" in statements
    assert statements[-1].lstrip().startswith("INSERT INTO audit_events")
    assert statements.index("COMMIT") < len(statements) - 1  # the audit row is written as the owner, after
    assert len(set(pids)) == 1


def test_an_api_key_is_checked_in_one_statement(client_db_url: str) -> None:
    key = create_key(client_db_url, "cost-test", "manager")
    with counted_client(client_db_url, result_cache=True) as (client, statements):
        client.cookies.clear()
        headers = {"Authorization": f"Bearer {key}"}
        assert _counted_again(client, statements, QUERY, headers=headers).status_code == 200
    assert len(statements) == 1, statements
    assert "JOIN api_keys" in statements[0] and _carries_the_state(statements[0])


def test_the_sql_of_a_query_costs_one_statement(client_db_url: str) -> None:
    with counted_client(client_db_url, result_cache=True) as (client, statements):
        _settle(client)
        statements.clear()
        response = client.post("/api/query/sql", json=QUERY)
        assert response.status_code == 200 and response.json()["parameterized_sql"]
    assert len(statements) == 1, statements
    assert _is_session_check(statements[0]) and _carries_the_state(statements[0])


class _AtAnswer:
    """ASGI wrapper: whether each connection the request checked out was inside a transaction when the
    answer's last byte was handed to the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.connections: list[Any] = []  # asyncpg connections, in checkout order
        self.open_at_answer: list[bool] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def watching(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.open_at_answer = [c.is_in_transaction() for c in self.connections]
            await send(message)

        await self.app(scope, receive, watching)


@contextmanager
def watched_client(url: str) -> Iterator[tuple[TestClient, _AtAnswer]]:
    from service.app import create_app

    app = create_app(Settings(database_url=url, result_cache=False), url=url)
    watcher = _AtAnswer(app)
    with TestClient(watcher) as client:
        event.listen(app.state.engine.sync_engine, "checkout",
                     lambda dbapi_connection, *_: watcher.connections.append(dbapi_connection.driver_connection))
        username = ensure_user(url, "manager")
        assert client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD}).is_success
        _settle(client)
        watcher.connections.clear()
        yield client, watcher


def test_an_answer_does_not_wait_for_its_read_to_end(client_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.deps as deps
    from service.auth.db_role import end_read

    gate: dict[str, asyncio.Event] = {}
    ended: list[bool] = []

    async def end_read_when_let(conn: Any) -> None:
        await gate.setdefault("open", asyncio.Event()).wait()  # made on the app's event loop
        await end_read(conn)
        ended.append(True)

    monkeypatch.setattr(deps, "end_read", end_read_when_let)
    with watched_client(client_db_url) as (client, watcher):
        response = client.post("/api/query", json=QUERY)
        assert response.status_code == 200 and response.json()["rows"]  # answered while its read is still open
        assert watcher.open_at_answer == [True] and not ended
        client.portal.call(gate["open"].set)  # type: ignore[union-attr]
        deadline = time.monotonic() + 5
        while not ended:
            assert time.monotonic() < deadline, "the read was not ended"
            client.portal.call(asyncio.sleep, 0.01)  # type: ignore[union-attr]
        assert not watcher.connections[0].is_in_transaction()  # COMMIT sent, then back to the pool


def test_a_listing_is_read_committed_and_audited_before_its_rows_leave(client_db_url: str) -> None:
    with watched_client(client_db_url) as (client, watcher):
        assert client.post("/api/query", json=LISTING).status_code == 200
        assert watcher.open_at_answer == [False]


def test_a_failure_after_the_read_ends_it_and_the_connection_is_reused(
        client_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.routes.query as route
    from service.services.query import run_query as real

    async def fails_after_reading(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise RuntimeError("after the read")

    monkeypatch.setattr(route, "run_query", fails_after_reading)
    with watched_client(client_db_url) as (client, watcher):
        failed = client.post("/api/query", json=QUERY)
        assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal_error"
        used = watcher.connections[0]
        assert not used.is_closed() and not used.is_in_transaction()
        monkeypatch.setattr(route, "run_query", real)
        _settle(client)
        watcher.connections.clear()
        assert client.post("/api/query", json=QUERY).status_code == 200
        assert watcher.connections == [used]  # ended, so kept in the pool and handed out again
