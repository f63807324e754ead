"""The API on the least-privilege role docker-compose gives it (`medspa db app-role`, service/db/app_role.py):
everything the API does works, nothing else does, and a role past its connection limit ("too many
connections") is a retryable 503 that clears by itself."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from service.auth.store import add_user
from service.db.app_role import AppRoleError, ensure_app_role
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.security.conftest import run_db

PASSWORD = "app-role-test-pass"
ROLE_PASSWORD = "a-long-role-password"


@pytest.fixture(scope="module")
def app_db(make_database) -> Iterator[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(owner URL, the app role's URL, the role's name) over a small generated data set."""
    owner: str = make_database()
    with tempfile.TemporaryDirectory(prefix="medspa-app-role-") as tmp:
        generate(Path(tmp) / "seed", patients=60, seed=5)
        load_directory(Path(tmp) / "seed", owner, replace=False, progress=False)
    run_db(owner, lambda c: add_user(c, "app_role_manager", PASSWORD, "manager"))
    role = f"medspa_app_{uuid.uuid4().hex[:8]}"

    async def create(conn: asyncpg.Connection) -> None:
        await ensure_app_role(conn, role, ROLE_PASSWORD)
        await ensure_app_role(conn, role, ROLE_PASSWORD)  # again: it brings an existing role in line

    run_db(owner, create)
    url = make_url(owner).set(username=role, password=ROLE_PASSWORD).render_as_string(hide_password=False)
    yield owner, url, role

    async def drop(conn: asyncpg.Connection) -> None:
        await conn.execute(f"DROP OWNED BY {role}")
        await conn.execute(f"DROP ROLE {role}")

    run_db(owner, drop)


@pytest.fixture(scope="module")
def as_app(app_db: tuple[str, str, str]) -> Iterator[TestClient]:
    from service.app import create_app
    from service.settings import Settings

    _, url, _ = app_db
    with TestClient(create_app(Settings(database_url=url), url=url)) as client:
        response = client.post("/api/auth/login", json={"username": "app_role_manager", "password": PASSWORD})
        assert response.status_code == 200, response.text
        yield client


def test_the_api_works_as_the_app_role(as_app: TestClient) -> None:
    assert as_app.get("/api/health").json() == {"status": "ok", "database": "ok"}
    assert as_app.get("/api/auth/me").json()["username"] == "app_role_manager"
    assert as_app.app.state.reader_role is True  # type: ignore[attr-defined]
    revenue = as_app.post("/api/query", json={"measures": ["revenue"], "dimensions": ["patient.source"]})
    assert revenue.status_code == 200 and revenue.json()["rows"]
    listing = as_app.post("/api/query", json={"dimensions": ["patient.id", "patient.name"], "limit": 3})
    assert listing.status_code == 200  # audited: an INSERT into audit_events as the app role
    patient_id = listing.json()["rows"][0]["patient.id"]
    assert as_app.get(f"/api/patients/{patient_id}").status_code == 200
    events = as_app.get("/api/audit", params={"limit": 5}).json()["events"]
    assert {"list_patients", "view_patient"} <= {e["action"] for e in events}
    assert as_app.post("/api/query/sql", json={"measures": ["revenue"]}).status_code == 200


def test_the_read_path_limits_its_temporary_files_as_the_app_role(as_app: TestClient) -> None:
    from service.auth.db_role import begin_statement

    begin = begin_statement(as_app.app.state.engine)  # type: ignore[attr-defined]
    # the reader role may set it (migration 0011), and the app role through its membership
    assert begin is not None and "SET LOCAL ROLE medspa_reader" in begin
    assert "SET LOCAL temp_file_limit = '1GB'" in begin


WRITES = [
    "INSERT INTO patients (id, first_name, last_name) VALUES ('pat_x', 'a', 'b')",
    "UPDATE payments SET amount = 0",
    "DELETE FROM appointments",
    "TRUNCATE data_loads",
    "CREATE TABLE mine (x int)",
    "DROP TABLE chain_rows",
    "INSERT INTO users (username, password_hash, role) VALUES ('evil', 'x', 'manager')",
    "UPDATE users SET role = 'manager'",
    "INSERT INTO api_keys (name, prefix, key_hash, role) VALUES ('k', 'p', 'h', 'manager')",
    "DELETE FROM user_sessions",
    "UPDATE audit_events SET actor = 'nobody'",
    "CREATE ROLE another",
    "ALTER ROLE medspa_reader SUPERUSER",
    "SET log_statement = 'none'",  # a superuser's setting
]


@pytest.mark.parametrize("statement", WRITES)
def test_nothing_else_is_allowed(app_db: tuple[str, str, str], statement: str) -> None:
    _, url, _ = app_db

    async def attempt(conn: asyncpg.Connection) -> None:
        await conn.execute(statement)

    with pytest.raises((asyncpg.InsufficientPrivilegeError, asyncpg.RaiseError)):
        run_db(url, attempt)


def test_a_role_name_that_is_not_an_identifier_is_refused(app_db: tuple[str, str, str]) -> None:
    owner, _, _ = app_db
    for name, password in (("app; DROP TABLE users", ROLE_PASSWORD), ("medspa_reader", ROLE_PASSWORD),
                           ("fine_name", "short")):
        with pytest.raises(AppRoleError):
            run_db(owner, lambda c, n=name, p=password: ensure_app_role(c, n, p))


def _until(check: Any, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def test_too_many_connections_is_a_retryable_503_that_clears(app_db: tuple[str, str, str],
                                                            as_app: TestClient) -> None:
    owner, _, role = app_db

    async def limit(conn: asyncpg.Connection, to: int) -> None:
        await conn.execute(f"ALTER ROLE {role} CONNECTION LIMIT {to}")
        if to == 0:  # the pool's open connections go too: every request needs a new one
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)

    run_db(owner, lambda c: limit(c, 0))
    try:
        for _ in range(3):
            refused = as_app.post("/api/query", json={"measures": ["revenue"]})
            assert refused.status_code == 503, refused.text
            error = refused.json()["error"]
            assert error["code"] == "database_unavailable" and error["retryable"] is True
            assert refused.headers["retry-after"] == "1"
        me = as_app.get("/api/auth/me")
        assert me.status_code == 503 and me.json()["error"]["retryable"] is True
        assert as_app.get("/api/health").status_code == 503
    finally:
        run_db(owner, lambda c: limit(c, 100))
    _until(lambda: as_app.post("/api/query", json={"measures": ["revenue"]}).status_code == 200, 10)
    assert as_app.get("/api/health").status_code == 200
