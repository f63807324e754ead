"""HTTP hygiene: security headers on every answer, CORS for the UI's origin only, a body size cap, and no
stack traces, SQL or patient data in error bodies or in the `medspa.*` logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.middleware import SECURITY_HEADERS, JsonFormatter
from service.settings import Settings
from tests.security.conftest import Callers, make_app

UI_ORIGIN = Settings().ui_origin
HEADERS = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
LISTING: dict[str, Any] = {"dimensions": ["patient.id", "patient.name"], "limit": 3}


def _answers(callers: Callers) -> list[tuple[str, Any, int]]:
    pid = callers.patient.id
    return [
        ("health", callers.call("anonymous", "GET", "/api/health"), 200),
        ("openapi", callers.call("anonymous", "GET", "/openapi.json"), 200),
        ("unauthenticated", callers.call("anonymous", "GET", "/api/catalog"), 401),
        ("forbidden", callers.call("front_desk", "GET", "/api/audit"), 403),
        ("no route", callers.call("manager", "GET", "/api/nope"), 404),
        ("no patient", callers.call("manager", "GET", "/api/patients/pat_nope"), 404),
        ("refused query", callers.call("manager", "POST", "/api/query", json={"measures": ["revnue"]}), 400),
        ("not a query", callers.call("manager", "POST", "/api/query", content=b"{", headers={
            "content-type": "application/json"}), 422),
        ("record", callers.call("manager", "GET", f"/api/patients/{pid}"), 200),
        ("export", callers.call("manager", "POST", "/api/patients/export", json=LISTING), 200),
        ("too large", callers.call("manager", "POST", "/api/query", content=b" " * 1_000_001, headers={
            "content-type": "application/json"}), 413),
    ]


def test_every_answer_carries_the_security_headers(callers: Callers) -> None:
    for name, response, status in _answers(callers):
        assert response.status_code == status, (name, response.text[:200])
        for header, value in HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"]), name
        assert "server" not in response.headers or "uvicorn" not in response.headers["server"].lower()


def test_error_bodies_are_the_contract_shape_without_internals(callers: Callers) -> None:
    for name, response, status in _answers(callers):
        if status < 400:
            continue
        error = response.json()["error"]
        assert set(error) >= {"code", "message", "path", "suggestions"}, name
        for leak in ("Traceback", 'File "', "asyncpg", "sqlalchemy", "SELECT ", " FROM ", "password_hash"):
            assert leak not in response.text, (name, leak)


def _preflight(client: TestClient, origin: str, method: str = "POST", headers: str = "content-type") -> Any:
    return client.options("/api/query", headers={"origin": origin, "access-control-request-method": method,
                                                 "access-control-request-headers": headers})


def test_cors_admits_the_ui_origin_only(callers: Callers) -> None:
    client = callers.client
    ok = _preflight(client, UI_ORIGIN)
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == UI_ORIGIN
    assert ok.headers["access-control-allow-credentials"] == "true"
    simple = client.get("/api/health", headers={"origin": UI_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == UI_ORIGIN

    for origin in ("https://evil.example", "null", f"{UI_ORIGIN}.evil.example", "http://localhost:3000",
                   UI_ORIGIN.replace("http://", "https://")):
        refused = _preflight(client, origin)
        assert refused.status_code == 400, origin
        assert "access-control-allow-origin" not in refused.headers, origin
        simple = client.get("/api/health", headers={"origin": origin})
        assert "access-control-allow-origin" not in simple.headers, origin
    # the UI's origin, but a method or header the API does not take
    assert _preflight(client, UI_ORIGIN, method="DELETE").status_code == 400
    assert _preflight(client, UI_ORIGIN, headers="x-evil").status_code == 400


def test_a_body_sent_in_chunks_is_capped_too(callers: Callers) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    response = callers.call("manager", "POST", "/api/query", content=chunks(),
                            headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    small = callers.call("manager", "POST", "/api/query", content=iter([b'{"measures": ', b'["revenue"]}']),
                         headers={"content-type": "application/json"})
    assert small.status_code == 200


@pytest.fixture
def medspa_logs() -> Iterator[io.StringIO]:
    """Everything the `medspa.*` loggers write while the test runs, as the server would print it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("medspa")
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_no_patient_data_or_tracebacks_reach_the_logs_or_error_bodies(callers: Callers, client_db_url: str,
                                                                        medspa_logs: io.StringIO) -> None:
    p = callers.patient
    digits = "".join(ch for ch in p.phone if ch.isdigit())
    secret_search = f"{p.first_name} {p.last_name}"
    secrets = [p.first_name, p.last_name, p.email, p.phone, digits[-7:], secret_search, "hunter2-secret"]

    # an app with a route that fails with patient data in its exception, as a bug might
    app = make_app(client_db_url)

    @app.get("/api/_boom")
    async def boom() -> None:
        raise RuntimeError(f"failed for {p.name} <{p.email}> {p.phone}")

    with TestClient(app) as other:
        failed = other.get("/api/_boom")
        assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal_error"
        assert all(s.lower() not in failed.text.lower() for s in secrets)
        assert "Traceback" not in failed.text and "RuntimeError" not in failed.text
        denied = other.post("/api/auth/login", json={"username": p.email, "password": "hunter2-secret"})
        assert denied.status_code == 401

    search = {"dimensions": ["patient.id", "patient.name", "patient.email"], "limit": 5,
              "filters": [{"field": "patient.search", "op": "search", "value": secret_search}]}
    found = callers.call("front_desk", "POST", "/api/query", json=search)
    assert p.id in {r["patient.id"] for r in found.json()["rows"]}
    assert callers.call("front_desk", "GET", f"/api/patients/{p.id}").status_code == 200
    assert callers.call("front_desk", "GET", f"/api/patients/{p.email}").status_code == 404
    assert callers.call("front_desk", "POST", "/api/patients/export", json=search).status_code == 200
    assert callers.call("manager", "POST", "/api/query", json={"dimensions": ["patient.id"], "filters": [
        {"field": "patient.age", "op": "gt", "value": p.email}]}).status_code == 400
    assert callers.call("manager", "POST", "/api/query", json={"dimensions": [p.email]}).status_code == 400
    assert callers.call("manager", "POST", "/api/query", json={"measures": [{"x": p.phone}]}).status_code == 422
    assert callers.call("manager", "GET", "/api/audit", params={"patient_id": p.email}).status_code == 200
    assert callers.call("agent", "POST", "/api/query", json=search).status_code == 400

    lines = [line for line in medspa_logs.getvalue().splitlines() if line]
    assert len(lines) >= 11
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert entry["logger"].startswith("medspa.")
        for secret in secrets:
            assert secret.lower() not in line.lower(), (secret, line)
        assert "Traceback" not in line and "failed for" not in line
    assert any('"route": "/api/patients/{patient_id}"' in line for line in lines)  # the template, not the id
    assert any('"status": 500' in line for line in lines)
