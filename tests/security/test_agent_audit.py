"""Agent queries are on the record and rate-limited per key: a differencing attempt is slow and audited.

Every query an agent key sends (answered, refused, or `limit: 0`) is an `agent_query` row on the audit trail
with the query as sent, the rows returned and the rows suppressed; a key past `AGENT_RATE_LIMIT` queries an
hour gets 429 until the hour has passed, and another key is not slowed by it.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi.testclient import TestClient

from service.auth.store import create_api_key
from tests.security.conftest import Callers, make_app, run_db


def _agent_rows(url: str, since: int, actor: str = "key:sec_agent") -> list[dict[str, Any]]:
    async def fetch(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        import json

        rows = await conn.fetch("SELECT action, role, row_count, suppressed_rows, detail FROM audit_events "
                                "WHERE id > $1 AND actor = $2 ORDER BY id", since, actor)
        return [{**dict(r), "detail": json.loads(r["detail"]) if r["detail"] else None} for r in rows]

    return run_db(url, fetch)  # type: ignore[no-any-return]


def _last_id(url: str) -> int:
    return int(run_db(url, lambda c: c.fetchval("SELECT coalesce(max(id), 0) FROM audit_events")))


def test_every_agent_query_is_audited_whole(callers: Callers) -> None:
    since = _last_id(callers.url)
    grouped = {"measures": ["patient_count"], "dimensions": ["patient.gender", "patient.source", "patient.age_band"]}
    answer = callers.call("agent", "POST", "/api/query", json=grouped).json()
    assert answer["meta"]["suppressed_rows"] > 0
    counted = {"measures": ["revenue"], "limit": 0}
    assert callers.call("agent", "POST", "/api/query", json=counted).status_code == 200
    listing = {"dimensions": ["appointment.id"]}
    assert callers.call("agent", "POST", "/api/query", json=listing).status_code == 400
    rows = _agent_rows(callers.url, since)
    assert [(r["action"], r["role"]) for r in rows] == [("agent_query", "agent")] * 3
    # the query as sent, and the patients it described: how many, and a sketch of keyed hashes (never their ids)
    assert rows[0]["detail"]["query"] == grouped
    population = rows[0]["detail"]["population"]
    assert population["n"] == 4000 and len(population["sketch"]) == 64
    assert all(isinstance(h, int) for h in population["sketch"])
    assert (rows[0]["row_count"], rows[0]["suppressed_rows"]) == (len(answer["rows"]),
                                                                  answer["meta"]["suppressed_rows"])
    assert rows[1]["detail"]["query"] == counted and rows[1]["row_count"] == 0
    assert rows[2]["detail"] == {"query": listing, "error": "aggregate_required"} and rows[2]["row_count"] is None


def test_a_manager_query_is_not_audited_as_an_agent_query(callers: Callers) -> None:
    since = _last_id(callers.url)
    callers.call("manager", "POST", "/api/query", json={"measures": ["revenue"]})
    rows = run_db(callers.url, lambda c: c.fetch("SELECT action FROM audit_events WHERE id > $1", since))
    assert all(r["action"] != "agent_query" for r in rows)


def test_each_agent_key_is_rate_limited(client_db_url: str) -> None:
    keys = run_db(client_db_url, lambda c: _two_keys(c))
    app = make_app(client_db_url, agent_rate_limit=3)
    with TestClient(app) as client:
        def ask(key: str) -> Any:
            return client.post("/api/query", json={"measures": ["revenue"]}, headers={"authorization": f"Bearer {key}"})

        assert [ask(keys[0]).status_code for _ in range(3)] == [200, 200, 200]
        limited = ask(keys[0])
        assert limited.status_code == 429
        error = limited.json()["error"]
        assert error["code"] == "rate_limited" and error["retryable"] is True and "3 queries" in error["message"]
        assert ask(keys[1]).status_code == 200  # another key is not slowed by the first


async def _two_keys(conn: asyncpg.Connection) -> list[str]:
    return [await create_api_key(conn, f"rate-{i}-{id(conn)}", "agent") for i in range(2)]
