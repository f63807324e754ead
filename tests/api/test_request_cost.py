"""The fixed cost of `POST /api/query`, counted in statements sent to the database (each one round trip).

A cached answer needs the session check (which also keeps the session alive) and the data state (whose
version keys the cache): two statements, no transaction. An uncached one adds a READ ONLY transaction
as the reader role, begun in one round trip, the query itself, and the COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from service.auth.db_role import BEGIN_AS_READER
from service.services.query import _STATE_SQL
from service.settings import Settings
from tests.conftest import TEST_PASSWORD, create_key, ensure_user

QUERY = {"measures": ["revenue", "payment_count"], "dimensions": ["payment.method"],
         "time": {"range": "last_90_days"}, "order": [{"field": "revenue", "dir": "desc"}]}


@contextmanager
def counted_client(url: str, *, result_cache: bool) -> Iterator[tuple[TestClient, list[str]]]:
    """A signed-in manager's client and the list every statement the app sends is appended to."""
    from service.app import create_app

    statements: list[str] = []

    def log(record: Any) -> None:
        statements.append(record.query)

    app = create_app(Settings(database_url=url, result_cache=result_cache), url=url)
    with TestClient(app) as client:
        def watch(dbapi_connection: Any, *_: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(log)  # a set: added once per connection

        event.listen(app.state.engine.sync_engine, "checkout", watch)
        username = ensure_user(url, "manager")
        response = client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.text
        yield client, statements


def _is_session_check(statement: str) -> bool:
    return "FROM user_sessions" in statement and "UPDATE user_sessions" in statement


def test_a_cached_answer_costs_two_statements(client_db_url: str) -> None:
    with counted_client(client_db_url, result_cache=True) as (client, statements):
        first = client.post("/api/query", json=QUERY)
        assert first.status_code == 200, first.text
        statements.clear()
        again = client.post("/api/query", json=QUERY)
        assert again.status_code == 200 and again.json()["rows"] == first.json()["rows"]
    assert len(statements) == 2, statements
    assert _is_session_check(statements[0])
    assert statements[1] == _STATE_SQL


def test_an_uncached_answer_adds_one_transaction_of_three_round_trips(client_db_url: str) -> None:
    with counted_client(client_db_url, result_cache=False) as (client, statements):
        assert client.post("/api/query", json=QUERY).status_code == 200
        statements.clear()
        response = client.post("/api/query", json=QUERY)
        assert response.status_code == 200 and response.json()["rows"]
    assert len(statements) == 5, statements
    session, state, begin, query, commit = statements
    assert _is_session_check(session) and state == _STATE_SQL
    assert begin == BEGIN_AS_READER  # READ ONLY and the reader role in one round trip
    assert query.lstrip().upper().startswith(("SELECT", "WITH")) and commit == "COMMIT"


def test_an_api_key_is_checked_in_one_statement(client_db_url: str) -> None:
    key = create_key(client_db_url, "cost-test", "manager")
    with counted_client(client_db_url, result_cache=True) as (client, statements):
        client.cookies.clear()
        headers = {"Authorization": f"Bearer {key}"}
        assert client.post("/api/query", json=QUERY, headers=headers).status_code == 200
        statements.clear()
        assert client.post("/api/query", json=QUERY, headers=headers).status_code == 200
    assert len(statements) == 2, statements
    assert "FROM api_keys" in statements[0] and statements[1] == _STATE_SQL
