"""A database that refuses connections (ALLOW_CONNECTIONS false: maintenance, a restore) is an outage to every
route: a retryable 503 in the contract's shape, never a 500, and the API recovers by itself once the database
takes connections again. (tests/security/test_app_role.py does the same for "too many connections".)"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from service.auth.store import add_user
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.security.conftest import run_db

PASSWORD = "refused-test-pass"


@pytest.fixture(scope="module")
def refusing(make_database, pg_server_url: str) -> Iterator[tuple[TestClient, str, str]]:  # type: ignore[no-untyped-def]
    url: str = make_database()
    with tempfile.TemporaryDirectory(prefix="medspa-refused-") as tmp:
        generate(Path(tmp) / "seed", patients=40, seed=3)
        load_directory(Path(tmp) / "seed", url, replace=False, progress=False)
    run_db(url, lambda c: add_user(c, "refused_manager", PASSWORD, "manager"))
    patient = run_db(url, lambda c: c.fetchval("SELECT id FROM patients ORDER BY id LIMIT 1"))
    from service.app import create_app
    from service.settings import Settings

    with TestClient(create_app(Settings(database_url=url), url=url)) as client:
        assert client.post("/api/auth/login", json={"username": "refused_manager", "password": PASSWORD}).is_success
        yield client, url, str(patient)


def _allow(server_url: str, url: str, allow: bool) -> None:
    name = make_url(url).database

    async def switch(conn: asyncpg.Connection) -> None:
        await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:  # the pool's open connections too: every request then needs a new one
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)

    run_db(server_url, switch)


def test_refused_connections_are_a_retryable_503_everywhere_and_it_recovers(
        refusing: tuple[TestClient, str, str], pg_server_url: str) -> None:
    client, url, patient = refusing
    calls = [
        ("POST", "/api/query", {"measures": ["revenue"], "dimensions": ["patient.source"]}),
        ("POST", "/api/query", {"dimensions": ["patient.id", "patient.name"], "limit": 5}),
        ("POST", "/api/query/sql", {"measures": ["revenue"]}),
        ("GET", "/api/auth/me", None),
        ("GET", "/api/catalog", None),
        ("GET", f"/api/patients/{patient}", None),
        ("GET", "/api/audit", None),
        ("POST", "/api/auth/login", {"username": "refused_manager", "password": PASSWORD}),
    ]
    assert all(client.request(m, p, json=b).status_code == 200 for m, p, b in calls)
    _allow(pg_server_url, url, False)
    try:
        for method, path, body in calls:
            response = client.request(method, path, json=body)
            assert response.status_code == 503, f"{method} {path}: {response.status_code} {response.text}"
            error = response.json()["error"]
            assert error["code"] == "database_unavailable" and error["retryable"] is True, error
            assert response.headers["retry-after"] == "1"
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json() == {"status": "degraded", "database": "unreachable"}
    finally:
        _allow(pg_server_url, url, True)
    started = time.monotonic()
    while client.post("/api/query", json=calls[0][2]).status_code != 200:
        assert time.monotonic() - started < 5, "not recovered within 5 s"
        time.sleep(0.1)
    assert all(client.request(m, p, json=b).status_code == 200 for m, p, b in calls)
    assert client.get("/api/health").status_code == 200
