"""Sessions and credentials beyond tests/auth: an absolute session lifetime, disabled accounts, credentials
in the wrong place, and bodies a cross-site form could send (CSRF) refused."""

from __future__ import annotations

import asyncpg
import pytest

from service.auth.store import add_user
from tests.security.conftest import PASSWORD, Callers, run_db


def _session(callers: Callers, username: str) -> dict[str, str]:
    async def ensure(conn: asyncpg.Connection) -> None:
        if not await conn.fetchval("SELECT 1 FROM users WHERE username = $1", username):
            await add_user(conn, username, PASSWORD, "front_desk")
        await conn.execute("UPDATE users SET disabled = false WHERE username = $1", username)

    run_db(callers.url, ensure)
    callers.client.cookies.clear()
    response = callers.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    token = response.cookies["medspa_session"]
    callers.client.cookies.clear()
    return {"cookie": f"medspa_session={token}"}


def test_a_busy_session_still_ends_after_its_lifetime(callers: Callers) -> None:
    headers = _session(callers, "sec_lifetime")
    assert callers.call("anonymous", "GET", "/api/auth/me", headers=headers).status_code == 200
    run_db(callers.url, lambda c: c.execute(
        "UPDATE user_sessions s SET created_at = now() - interval '13 hours', last_seen_at = now() "
        "FROM users u WHERE u.id = s.user_id AND u.username = 'sec_lifetime'"))
    expired = callers.call("anonymous", "GET", "/api/auth/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expired"


def test_disabling_an_account_ends_its_sessions_and_sign_ins(callers: Callers) -> None:
    headers = _session(callers, "sec_disabled")
    run_db(callers.url, lambda c: c.execute("UPDATE users SET disabled = true WHERE username = 'sec_disabled'"))
    assert callers.call("anonymous", "GET", f"/api/patients/{callers.patient.id}", headers=headers).status_code == 401
    login = callers.call("anonymous", "POST", "/api/auth/login",
                         json={"username": "sec_disabled", "password": PASSWORD})
    assert login.status_code == 401 and login.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(("headers", "code"), [
    ({"cookie": "medspa_session=forged-token"}, "session_expired"),
    ({"authorization": "Bearer forged-key"}, "unauthenticated"),
    ({"authorization": "Basic c2VjX21hbmFnZXI6c2VjdXJpdHktcGFzcy0xMjM="}, "unauthenticated"),  # not a scheme we take
    ({"authorization": "Bearer "}, "unauthenticated"),
])
def test_forged_or_misplaced_credentials_are_refused(callers: Callers, headers: dict[str, str], code: str) -> None:
    response = callers.call("anonymous", "GET", "/api/auth/me", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == code


def test_a_session_token_is_not_an_api_key_nor_a_key_a_session(callers: Callers) -> None:
    token = callers.headers["manager"]["cookie"].split("=", 1)[1]
    key = callers.headers["agent"]["authorization"].split(" ", 1)[1]
    as_key = callers.call("anonymous", "GET", "/api/auth/me", headers={"authorization": f"Bearer {token}"})
    as_cookie = callers.call("anonymous", "GET", "/api/auth/me", headers={"cookie": f"medspa_session={key}"})
    assert as_key.status_code == as_cookie.status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_bodies_a_cross_site_form_can_send_are_refused(callers: Callers, content_type: str) -> None:
    """Only `application/json` bodies are read, which a page on another site cannot send without CORS."""
    headers = {"content-type": content_type}
    query = callers.call("manager", "POST", "/api/query", content=b'{"measures": ["revenue"]}', headers=headers)
    assert query.status_code == 422
    login = callers.call("anonymous", "POST", "/api/auth/login", headers=headers,
                         content=f'{{"username": "sec_manager", "password": "{PASSWORD}"}}'.encode())
    assert login.status_code == 422 and "set-cookie" not in login.headers


def test_use_keeps_a_session_alive_written_at_most_every_30_seconds(callers: Callers) -> None:
    headers = _session(callers, "sec_touch")
    age = ("SELECT extract(epoch FROM now() - s.last_seen_at) FROM user_sessions s JOIN users u ON u.id = s.user_id "
           "WHERE u.username = 'sec_touch' AND s.ended_at IS NULL")
    run_db(callers.url, lambda c: c.execute(
        "UPDATE user_sessions s SET last_seen_at = now() - interval '10 minutes' FROM users u "
        "WHERE u.id = s.user_id AND u.username = 'sec_touch'"))
    assert callers.call("anonymous", "GET", "/api/auth/me", headers=headers).status_code == 200
    assert run_db(callers.url, lambda c: c.fetchval(age)) < 5  # marked used
    run_db(callers.url, lambda c: c.execute(
        "UPDATE user_sessions s SET last_seen_at = now() - interval '10 seconds' FROM users u "
        "WHERE u.id = s.user_id AND u.username = 'sec_touch'"))
    assert callers.call("anonymous", "GET", "/api/auth/me", headers=headers).status_code == 200
    assert run_db(callers.url, lambda c: c.fetchval(age)) >= 10  # recent enough: not rewritten
