"""Shared fixtures: a throwaway real PostgreSQL for the whole test session.

With TEST_DATABASE_URL set, tests create their databases on that server; otherwise they start
an embedded server of their own in a temporary folder (never the developer's `.data/`).
Each test module that needs a database asks for `fresh_db_url` (an empty migrated database)
or `client_db_url` (the client's export loaded once per session, read-only by convention).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient

from service.db.embedded import EmbeddedServer
from service.db.urls import to_plain_url

REPO_ROOT = Path(__file__).resolve().parent.parent
CLIENT_EXPORT = REPO_ROOT.parent / "shared" / "seed_data"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a server's `postgres` database that tests may create databases on."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield to_plain_url(external)
        return
    root = Path(tempfile.mkdtemp(prefix="medspa-test-pg-"))
    server = EmbeddedServer(pgdata=root / "pg", port=_free_port())
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _with_database(server_url: str, name: str) -> str:
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


def _run_sql(server_url: str, statement: str) -> None:
    import asyncio

    async def run() -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def make_database(pg_server_url: str) -> Iterator[object]:
    """Factory: `make_database(migrate=True)` -> URL of a new empty database, dropped at session end."""
    from service.db.migrate import upgrade

    created: list[str] = []

    def factory(migrate: bool = True) -> str:
        name = f"medspa_test_{uuid.uuid4().hex[:12]}"
        _run_sql(pg_server_url, f'CREATE DATABASE "{name}"')
        created.append(name)
        url = _with_database(pg_server_url, name)
        if migrate:
            upgrade(url)
        return url

    yield factory
    for name in created:
        _run_sql(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db_url(make_database) -> str:  # type: ignore[no-untyped-def]
    """An empty, migrated database of this test's own."""
    return make_database()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def client_export_dir() -> Path:
    if not (CLIENT_EXPORT / "patient.json").exists():
        pytest.skip("the client's export (../shared/seed_data) is not on this machine")
    return CLIENT_EXPORT


@pytest.fixture(scope="session")
def client_db_url(make_database, client_export_dir: Path) -> str:  # type: ignore[no-untyped-def]
    """A database holding the client's export, loaded once for the session. Do not write to it."""
    from service.seed.loader import load_directory

    url: str = make_database()
    load_directory(client_export_dir, url, replace=False, progress=False)
    return url


TEST_PASSWORD = "test-password-123"


def create_key(url: str, name: str, role: str) -> str:
    """A new API key (the secret) named `name` for `role` in the database at `url`."""
    import asyncio

    from service.auth.store import create_api_key

    async def run() -> str:
        conn = await asyncpg.connect(url)
        try:
            return await create_api_key(conn, name, role)
        finally:
            await conn.close()

    return asyncio.run(run())


def ensure_user(url: str, role: str) -> str:
    """A user named after `role` in the database at `url` (created once); returns the username."""
    import asyncio

    from service.auth.store import add_user

    username = f"test_{role}"

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            if not await conn.fetchval("SELECT 1 FROM users WHERE username = $1", username):
                await add_user(conn, username, TEST_PASSWORD, role)
        finally:
            await conn.close()

    asyncio.run(run())
    return username


@contextmanager
def signed_in_client(url: str, role: str | None = "manager") -> Iterator[TestClient]:
    """A TestClient (lifespan running) over the database at `url`, signed in as `role` (None: anonymous)."""
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(database_url=url), url=url)
    with TestClient(app) as client:
        if role is not None:
            username = ensure_user(url, role)
            response = client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
            assert response.status_code == 200, response.text
        yield client


@pytest.fixture(scope="session")
def client_api(client_db_url: str) -> Iterator[TestClient]:
    """A manager's TestClient over the client's export: `client_api.post('/api/query', json=...)`."""
    with signed_in_client(client_db_url) as client:
        yield client


@pytest.fixture
def api_for():  # type: ignore[no-untyped-def]
    """Factory: `with api_for(url) as client:` a manager's TestClient over any database URL.

    `api_for(url, role="front_desk")` signs in with another role; `role=None` stays anonymous.
    """
    return signed_in_client
