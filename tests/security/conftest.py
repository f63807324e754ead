"""One app over the client's export, and a caller per role: anonymous, front desk, manager, agent key.

The app runs once for the whole folder (lifespan included). Callers carry their credentials in headers
(the session cookie, or `Authorization: Bearer` for the API key), so one TestClient serves every role.
Users and the key are made for this folder (`sec_*`), so audit rows can be told apart from other tests'.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.store import add_user, create_api_key

PASSWORD = "security-pass-123"
ROLES = ("anonymous", "front_desk", "manager", "agent")
USERS = {"front_desk": "sec_front_desk", "manager": "sec_manager"}


def run_db(url: str, action: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    """Run `action(conn)` on a fresh connection to `url` (as the database owner)."""

    async def go() -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await action(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


@dataclass
class Patient:
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Callers:
    """`callers.call(role, "POST", "/api/query", json=...)` as that role."""

    app: FastAPI
    client: TestClient
    url: str
    patient: Patient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> Any:  # an httpx(2) Response
        self.client.cookies.clear()  # credentials only from `headers`, never from an earlier answer
        headers = {**self.headers[role], **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)


def _login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.cookies.get("medspa_session")
    assert token
    client.cookies.clear()
    return token


def make_app(url: str, **settings: Any) -> FastAPI:
    from service.agent.settings import AgentSettings
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(database_url=url, **settings), url=url)
    # /api/ask without a model, whatever the environment says: the built-in parser answers
    app.state.agent_settings = AgentSettings(llm_base_url=None, llm_api_key=None, llm_model=None,
                                             _env_file=None)
    return app


@pytest.fixture(scope="session")
def callers(client_db_url: str) -> Iterator[Callers]:
    url = client_db_url

    async def setup(conn: asyncpg.Connection) -> tuple[str, asyncpg.Record]:
        for role, username in USERS.items():
            if not await conn.fetchval("SELECT 1 FROM users WHERE username = $1", username):
                await add_user(conn, username, PASSWORD, role)
        key = await create_api_key(conn, "sec_agent", "agent")
        # a patient with visits, a payment, an email and a phone: the one every test looks at
        row = await conn.fetchrow(
            """SELECT p.id, p.first_name, p.last_name, p.email, p.phone FROM patients p
               WHERE p.email <> '' AND p.phone <> '' AND length(p.last_name) >= 4
                 AND EXISTS (SELECT 1 FROM payments y WHERE y.patient_id = p.id)
               ORDER BY p.id LIMIT 1""")
        return key, row

    key, row = run_db(url, setup)
    patient = Patient(row["id"], row["first_name"], row["last_name"], row["email"], row["phone"])
    app = make_app(url, export_page_rows=1500)  # small pages, so exports are paged in tests
    with TestClient(app) as client:
        callers = Callers(app, client, url, patient)
        callers.headers = {
            "anonymous": {},
            "front_desk": {"cookie": f"medspa_session={_login(client, USERS['front_desk'])}"},
            "manager": {"cookie": f"medspa_session={_login(client, USERS['manager'])}"},
            "agent": {"authorization": f"Bearer {key}"},
        }
        yield callers
