"""Sign-in, sessions, idle expiry, API keys and rate limiting against a real database."""

from __future__ import annotations

import pytest

from service.auth.rate_limit import RateLimiter
from service.auth.store import add_user, create_api_key
from tests.security.conftest import run_db


@pytest.fixture(scope="module")
def auth_db(make_database) -> str:  # type: ignore[no-untyped-def]
    url: str = make_database()
    run_db(url, lambda c: add_user(c, "maria", "correct-horse-1", "manager"))
    run_db(url, lambda c: add_user(c, "desk", "correct-horse-2", "front_desk"))
    return url


def test_login_sets_an_httponly_lax_cookie_and_me_answers(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        response = client.post("/api/auth/login", json={"username": "maria", "password": "correct-horse-1"})
        assert response.status_code == 200
        assert response.json() == {"username": "maria", "role": "manager"}
        cookie = response.headers["set-cookie"]
        assert "medspa_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.get("/api/auth/me").json() == {"username": "maria", "role": "manager"}


def test_wrong_password_and_unknown_user_get_the_same_answer(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        wrong = client.post("/api/auth/login", json={"username": "maria", "password": "nope-nope"})
        unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "nope-nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["error"]["code"] == "invalid_credentials"
        assert "set-cookie" not in wrong.headers


def test_without_credentials_me_is_refused(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        response = client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_logout_ends_the_session(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        client.post("/api/auth/login", json={"username": "desk", "password": "correct-horse-2"})
        token = client.cookies.get("medspa_session")
        assert client.post("/api/auth/logout").status_code == 204
        client.cookies.set("medspa_session", token)  # a stolen copy of the cookie no longer works
        response = client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"


def test_idle_session_expires(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        client.post("/api/auth/login", json={"username": "desk", "password": "correct-horse-2"})
        assert client.get("/api/auth/me").status_code == 200
        run_db(auth_db, lambda c: c.execute(
            "UPDATE user_sessions SET last_seen_at = now() - interval '16 minutes' WHERE ended_at IS NULL"))
        response = client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"


def test_api_key_authenticates_as_its_role_and_revoked_or_bogus_keys_do_not(api_for, auth_db: str) -> None:
    key = run_db(auth_db, lambda c: create_api_key(c, "assistant", "agent"))
    with api_for(auth_db, role=None) as client:
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {key}"})
        assert me.json() == {"username": "key:assistant", "role": "agent"}
        bogus = client.get("/api/auth/me", headers={"Authorization": "Bearer msk_not-a-key"})
        assert bogus.status_code == 401
    run_db(auth_db, lambda c: c.execute("UPDATE api_keys SET revoked_at = now() WHERE name = 'assistant'"))
    with api_for(auth_db, role=None) as client:
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_login_is_rate_limited_per_client_and_username(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        codes = [client.post("/api/auth/login", json={"username": "maria", "password": f"bad-{i}"}).status_code
                 for i in range(6)]
        assert codes == [401] * 5 + [429]
        limited = client.post("/api/auth/login", json={"username": "maria", "password": "correct-horse-1"})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        # another username from the same client is not locked out by maria's failures
        ok = client.post("/api/auth/login", json={"username": "desk", "password": "correct-horse-2"})
        assert ok.status_code == 200


def test_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(attempts=2, window_seconds=60)
    limiter.hit("k", now=0)
    limiter.hit("k", now=10)
    assert limiter.retry_after("k", now=20) == pytest.approx(40)
    assert limiter.retry_after("k", now=61) == 0


def test_passwords_are_stored_as_argon2_hashes(auth_db: str) -> None:
    stored = run_db(auth_db, lambda c: c.fetchval("SELECT password_hash FROM users WHERE username = 'maria'"))
    assert stored.startswith("$argon2id$")
    assert "correct-horse-1" not in stored


QUERY = {"measures": ["revenue"], "time": {"range": "all_time"}}
# Ways a session ends outside this process (another worker's sign-out, the clock, an administrator):
# `POST /api/query` checks the session in the same statement that reads the data state, every request, so
# each one is refused on the very next query (nothing caches a caller).
SESSION_ENDINGS = {
    "signed_out": "UPDATE user_sessions s SET ended_at = now() FROM users u WHERE u.id = s.user_id AND u.username = $1",
    "idle": "UPDATE user_sessions s SET last_seen_at = now() - interval '16 minutes' FROM users u "
            "WHERE u.id = s.user_id AND u.username = $1",
    "lifetime": "UPDATE user_sessions s SET created_at = now() - interval '13 hours' FROM users u "
                "WHERE u.id = s.user_id AND u.username = $1",
    "disabled": "UPDATE users SET disabled = true WHERE username = $1",
}


@pytest.mark.parametrize("ending", sorted(SESSION_ENDINGS))
def test_a_query_is_refused_on_the_next_request_after_its_session_ends(api_for, auth_db: str, ending: str) -> None:
    username = f"query_{ending}"
    run_db(auth_db, lambda c: add_user(c, username, "correct-horse-3", "manager"))
    with api_for(auth_db, role=None) as client:
        assert client.post("/api/auth/login", json={"username": username, "password": "correct-horse-3"}).is_success
        assert client.post("/api/query", json=QUERY).status_code == 200
        assert client.post("/api/query/sql", json=QUERY).status_code == 200
        run_db(auth_db, lambda c: c.execute(SESSION_ENDINGS[ending], username))
        for path in ("/api/query", "/api/query/sql"):
            refused = client.post(path, json=QUERY)
            assert refused.status_code == 401, (path, refused.text)
            assert refused.json()["error"]["code"] == "session_expired"
    ended = run_db(auth_db, lambda c: c.fetchval(
        "SELECT bool_and(s.ended_at IS NOT NULL) FROM user_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE u.username = $1", username))
    assert ended  # a refused session is also marked ended


@pytest.mark.parametrize("removal", ["UPDATE api_keys SET revoked_at = now() WHERE name = $1",
                                     "DELETE FROM api_keys WHERE name = $1"])
def test_a_query_is_refused_on_the_next_request_after_its_key_is_revoked_or_deleted(
        api_for, auth_db: str, removal: str) -> None:
    name = f"query-key-{removal.split()[0].lower()}"
    key = run_db(auth_db, lambda c: create_api_key(c, name, "manager"))
    headers = {"Authorization": f"Bearer {key}"}
    with api_for(auth_db, role=None) as client:
        assert client.post("/api/query", json=QUERY, headers=headers).status_code == 200
        run_db(auth_db, lambda c: c.execute(removal, name))
        refused = client.post("/api/query", json=QUERY, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"


def test_a_query_without_credentials_is_refused_before_its_body_is_read(api_for, auth_db: str) -> None:
    with api_for(auth_db, role=None) as client:
        for body in (QUERY, {"measures": "not a list"}):
            refused = client.post("/api/query", json=body)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
