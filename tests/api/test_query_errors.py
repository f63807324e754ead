"""Every refusal of POST /api/query is the contract's structured error; outages are a retryable 503."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from service.auth.principal import LOCAL_MANAGER
from service.services.query_cli import post_in_process
from service.settings import Settings
from tests.conftest import create_key


def _error(client: Any, body: Any, status: int = 400) -> dict[str, Any]:
    response = client.post("/api/query", json=body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert set(payload) == {"error"}
    error: dict[str, Any] = payload["error"]
    assert {"code", "message", "path", "suggestions"} <= set(error)
    assert error["message"] and isinstance(error["suggestions"], list)
    return error


@pytest.mark.parametrize(("body", "code", "path", "suggestion"), [
    ({"measures": ["revnue"]}, "unknown_member", "measures[0]", "revenue"),
    ({"measures": ["income"]}, "unknown_member", "measures[0]", "revenue"),
    ({"measures": ["revenue"], "dimensions": ["service.name"]}, "invalid_grouping", "dimensions[0]", "line_revenue"),
    ({"measures": ["revenue"], "filters": [{"field": "provider.name", "op": "equals", "value": "Kim Dixon"}]},
     "invalid_grouping", "filters[0].field", "line_revenue"),
    ({"measures": ["revenue"], "filters": [{"field": "patient.age", "op": "gt", "value": "forty"}]},
     "invalid_filter", "filters[0].value", None),
    ({"measures": ["revenue"], "filters": [{"field": "payment.paid_at", "op": "contains", "value": "2025"}]},
     "invalid_filter", "filters[0].op", None),
    ({"measures": ["revenue"], "time": {"range": ["2025-03-01", "2025-02-01"]}}, "invalid_range", "time.range",
     None),
    ({"measures": ["revenue"], "time": {"range": "last_fortnight"}}, "invalid_range", "time.range", None),
    ({"measures": ["revenue"], "as_of": "2025-02-30"}, "invalid_as_of", "as_of", None),
    ({"measures": ["revenue"], "limit": 20_000}, "limit_exceeded", "limit", "10000"),
    ({"measures": ["revenue"], "order": [{"field": "visit_count", "dir": "desc"}]}, "invalid_order",
     "order[0].field", None),
])
def test_contract_error_codes(client_api, body, code, path, suggestion):
    error = _error(client_api, body)
    assert (error["code"], error["path"]) == (code, path), error
    if suggestion:
        assert suggestion in error["suggestions"]


def test_the_sql_endpoint_refuses_the_same_way(client_api):
    response = client_api.post("/api/query/sql", json={"measures": ["revnue"]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_member"


def _agent_key(url: str) -> str:
    import uuid

    return create_key(url, f"test-query-agent-{uuid.uuid4().hex[:8]}", "agent")


def test_forbidden_member_for_the_agent_role(api_for, client_db_url):
    key = _agent_key(client_db_url)
    with api_for(client_db_url, role=None) as agent:
        agent.headers["authorization"] = f"Bearer {key}"
        error = _error(agent, {"measures": ["revenue"], "dimensions": ["patient.email"]})
        assert error["code"] == "forbidden_member" and error["path"] == "dimensions[0]"
        error = _error(agent, {"dimensions": ["patient.source", "patient.lifetime_spend"]})
        assert error["code"] == "aggregate_required"  # an agent's query needs a measure (contract additions, 1)
        ok = agent.post("/api/query", json={"measures": ["patient_count"], "dimensions": ["patient.source"]})
        assert ok.status_code == 200
        catalog = agent.get("/api/catalog").json()
        assert not any(d["pii"] for d in catalog["dimensions"])


@pytest.mark.parametrize("body", [[], "revenue", {"measures": "revenue"}, {"measures": ["revenue"], "limit": "ten"},
                                  {"measures": ["revenue"], "colour": "red"}])
def test_a_body_that_is_not_a_query_is_a_422_in_the_same_shape(client_api, body):
    error = _error(client_api, body, status=422)
    assert error["code"] == "invalid_request"


def test_unparseable_json_is_a_422(client_api):
    response = client_api.post("/api/query", content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_anonymous_callers_are_refused(api_for, client_db_url):
    with api_for(client_db_url, role=None) as anonymous:
        assert anonymous.post("/api/query", json={"measures": ["revenue"]}).status_code == 401


def test_nothing_is_silently_dropped(client_api):
    # an unknown key is refused rather than ignored
    assert client_api.post("/api/query", json={"measures": ["revenue"], "filter": []}).status_code == 422
    # a time dimension without grain or range does nothing, and says so
    body = client_api.post("/api/query", json={"measures": ["revenue"],
                                                "time": {"dimension": "appointment.start_at"}}).json()
    assert body["meta"]["warnings"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_database_outage_is_a_retryable_503_without_a_stack_trace():
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/nowhere"
    status, text = asyncio.run(post_in_process(Settings(database_url=url), "/api/query", '{"measures": ["revenue"]}',
                                               principal=LOCAL_MANAGER))
    assert status == 503, text
    assert '"code":"database_unavailable"' in text.replace(" ", "") and '"retryable":true' in text.replace(" ", "")
    assert "Traceback" not in text and "asyncpg" not in text
