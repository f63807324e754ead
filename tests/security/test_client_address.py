"""The client address the sign-in limits and the audit trail record (service/client_address.py): the socket's
peer unless a configured proxy says otherwise; forwarded headers from anyone else change nothing, and only a
well-formed IP address is ever recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.client_address import ClientAddressMiddleware
from tests.conftest import TEST_PASSWORD, ensure_user
from tests.security.conftest import run_db

SECRET = "a-proxy-secret-for-tests"


@pytest.fixture(scope="module")
def db(make_database) -> str:  # type: ignore[no-untyped-def]
    return make_database()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def plain(db: str) -> Iterator[TestClient]:
    """An API with no proxy configured, on a connection from 10.1.2.3."""
    with client_from(db, "10.1.2.3") as client:
        yield client


@pytest.fixture(scope="module")
def behind_ui(db: str) -> Iterator[TestClient]:
    """An API sharing SECRET with the UI's proxy, on a connection from 127.0.0.1."""
    with client_from(db, "127.0.0.1", proxy_secret=SECRET) as client:
        yield client


@contextmanager
def client_from(url: str, peer: str, **settings: Any) -> Iterator[TestClient]:
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(database_url=url, **settings), url=url)
    with TestClient(app, client=(peer, 40000)) as client:
        yield client


def _login_address(client: TestClient, url: str, headers: dict[str, str]) -> str:
    """Sign in with `headers` and return the client address the audit trail recorded for it."""
    username = ensure_user(url, "manager")
    response = client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD},
                           headers=headers)
    assert response.status_code == 200, response.text
    request_id = response.headers["x-request-id"]
    return str(run_db(url, lambda c: c.fetchval(
        "SELECT client_addr FROM audit_events WHERE request_id = $1", request_id)))


SPOOFS = [
    {"x-forwarded-for": "6.6.6.6"},
    {"x-forwarded-for": "<script>alert(1)</script>"},
    {"x-real-ip": "6.6.6.6", "forwarded": "for=6.6.6.6"},
    {"x-forwarded-for": "6.6.6.6", "x-medspa-proxy": "a guess"},
]


@pytest.mark.parametrize("headers", SPOOFS)
def test_forwarded_headers_are_ignored_by_default(db: str, plain: TestClient, headers: dict[str, str]) -> None:
    assert _login_address(plain, db, headers) == "10.1.2.3"


@pytest.mark.parametrize("headers", SPOOFS)
def test_a_wrong_proxy_secret_changes_nothing(db: str, behind_ui: TestClient, headers: dict[str, str]) -> None:
    assert _login_address(behind_ui, db, headers) == "127.0.0.1"


def test_the_ui_proxy_with_the_secret_names_the_client(db: str, behind_ui: TestClient) -> None:
    proxied = {"x-forwarded-for": "203.0.113.9", "x-medspa-proxy": SECRET}
    assert _login_address(behind_ui, db, proxied) == "203.0.113.9"
    # a chain or a non-address from the proxy is not believed: the peer is recorded
    for forwarded in ("203.0.113.9, 6.6.6.6", "<script>", ""):
        headers = {"x-forwarded-for": forwarded, "x-medspa-proxy": SECRET}
        assert _login_address(behind_ui, db, headers) == "127.0.0.1"


def test_trusted_proxies_name_the_first_untrusted_hop(db: str) -> None:
    with client_from(db, "10.0.0.5", trusted_proxies="10.0.0.0/24, 192.168.7.7") as client:
        chain = {"x-forwarded-for": "6.6.6.6, 198.51.100.4, 192.168.7.7"}  # the left-most is the client's claim
        assert _login_address(client, db, chain) == "198.51.100.4"
        assert _login_address(client, db, {"x-forwarded-for": "garbage, 198.51.100.4"}) == "198.51.100.4"
        assert _login_address(client, db, {"x-forwarded-for": "198.51.100.4, nonsense"}) == "10.0.0.5"
    with client_from(db, "10.9.9.9", trusted_proxies="10.0.0.0/24") as client:  # not a trusted peer
        assert _login_address(client, db, {"x-forwarded-for": "198.51.100.4"}) == "10.9.9.9"


def test_the_sign_in_limit_cannot_be_dodged_by_rotating_forwarded_headers(behind_ui: TestClient) -> None:
    codes = [behind_ui.post("/api/auth/login", json={"username": "maria", "password": f"wrong-{i}"},
                            headers={"x-forwarded-for": f"6.6.6.{i}", "x-medspa-proxy": "guess"}).status_code
             for i in range(7)]
    assert codes == [401] * 5 + [429] * 2


async def _noop(scope: Any, receive: Any, send: Any) -> None:
    pass


def test_the_secret_header_never_reaches_the_app() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["headers"], seen["client"] = scope["headers"], scope["client"]

    import asyncio

    middleware = ClientAddressMiddleware(app, proxy_secret=SECRET)
    scope = {"type": "http", "client": ("127.0.0.1", 1), "headers": [
        (b"x-medspa-proxy", SECRET.encode()), (b"x-forwarded-for", b"2001:db8::1")]}
    asyncio.run(middleware(scope, _noop, _noop))
    assert seen["client"] == ("2001:db8::1", 1)
    assert all(name != b"x-medspa-proxy" for name, _ in seen["headers"])
