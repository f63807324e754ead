"""Who may do what: every role against every endpoint, and the front desk's scope in the query engine.

A refusal is 401 `unauthenticated` (no credentials), 403 `forbidden` (the role may not use the endpoint) or
400 `forbidden_member` (the engine refuses a member the role may not use, naming it and where it is).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import ROLES, Callers

PATIENT_LISTING: dict[str, Any] = {
    "dimensions": ["patient.id", "patient.name", "patient.phone", "patient.lifetime_spend",
                   "patient.next_appointment_at"],
    "filters": [{"field": "patient.source", "op": "in", "values": ["instagram", "google"]}],
    "order": [{"field": "patient.last_name", "dir": "asc"}], "limit": 25,
}
ANALYTICS: dict[str, Any] = {"measures": ["revenue", "visit_count"], "dimensions": ["patient.source"],
                             "time": {"grain": "month", "range": "last_12_months"}}
MCP_PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
MCP_HEADERS = {"accept": "application/json, text/event-stream"}

# (name, method, path, body) -> expected status for anonymous, front_desk, manager, agent.
# A 400 is the engine's `forbidden_member`; /api/ask answers with the built-in parser (there is no model in
# tests), as the caller; /mcp takes agent keys only (a session cookie is no credential there).
MATRIX: list[tuple[str, str, str, dict[str, Any] | None, tuple[int, int, int, int]]] = [
    ("health", "GET", "/api/health", None, (200, 200, 200, 200)),
    ("me", "GET", "/api/auth/me", None, (401, 200, 200, 200)),
    ("catalog", "GET", "/api/catalog", None, (401, 200, 200, 200)),
    ("catalog tools", "GET", "/api/catalog/tools", None, (401, 403, 200, 200)),
    ("query: patient listing", "POST", "/api/query", PATIENT_LISTING, (401, 200, 200, 400)),
    ("query: analytics", "POST", "/api/query", ANALYTICS, (401, 400, 200, 200)),
    ("sql: patient listing", "POST", "/api/query/sql", PATIENT_LISTING, (401, 200, 200, 400)),
    ("sql: analytics", "POST", "/api/query/sql", ANALYTICS, (401, 400, 200, 200)),
    ("patient record", "GET", "/api/patients/{patient_id}", None, (401, 200, 200, 403)),
    ("patient export", "POST", "/api/patients/export", PATIENT_LISTING, (401, 200, 200, 403)),
    ("audit trail", "GET", "/api/audit", None, (401, 403, 200, 403)),
    ("ask", "POST", "/api/ask", {"question": "What was revenue last month?"}, (401, 403, 200, 200)),
    ("mcp", "POST", "/mcp", MCP_PING, (401, 401, 401, 200)),
]
CASES = [pytest.param(name, method, path, body, role, expected[i], id=f"{name} as {role}")
         for name, method, path, body, expected in MATRIX for i, role in enumerate(ROLES)]
CODES = {401: ("unauthenticated",), 403: ("forbidden",), 400: ("forbidden_member",)}


@pytest.mark.parametrize(("name", "method", "path", "body", "role", "expected"), CASES)
def test_role_matrix(callers: Callers, name: str, method: str, path: str, body: dict[str, Any] | None, role: str,
                     expected: int) -> None:
    headers = MCP_HEADERS if path == "/mcp" else {}
    response = callers.call(role, method, path.format(patient_id=callers.patient.id), json=body, headers=headers)
    assert response.status_code == expected, f"{name} as {role}: {response.status_code} {response.text[:300]}"
    if (expected in CODES and path != "/mcp") or (path == "/mcp" and expected == 401):
        assert response.json()["error"]["code"] in CODES[expected], response.text[:300]
    if expected == 400:  # the engine names the member it refuses
        error = response.json()["error"]
        assert error["path"] and error["message"], error


def test_agent_refusal_names_the_personal_member(callers: Callers) -> None:
    error = callers.call("agent", "POST", "/api/query", json=PATIENT_LISTING).json()["error"]
    assert error["code"] == "forbidden_member" and error["path"] == "dimensions[0]" and "patient.id" in error["message"]
    # counting patients by a non-personal attribute is what an agent does instead
    ok = callers.call("agent", "POST", "/api/query", json={"measures": ["patient_count"],
                                                           "dimensions": ["patient.source"]})
    assert ok.status_code == 200


def test_agents_may_not_list_patients_one_by_one_even_without_personal_columns(callers: Callers) -> None:
    body = {"dimensions": ["patient.lifetime_spend", "patient.visit_count", "patient.age"]}
    error = callers.call("agent", "POST", "/api/query", json=body).json()["error"]
    # an agent's query needs a measure (contract additions, section 1: aggregate_required)
    assert error["code"] == "aggregate_required" and "patient_count" in error["suggestions"]
    for hidden in ("patient.email", "patient.search"):  # nor filter or sort on personal data
        for where in ({"filters": [{"field": hidden, "op": "is_not_null"}]},
                      {"order": [{"field": hidden, "dir": "asc"}]}):
            query = {"measures": ["patient_count"], "dimensions": ["patient.source"], **where}
            refused = callers.call("agent", "POST", "/api/query", json=query)
            assert refused.status_code == 400 and refused.json()["error"]["code"] == "forbidden_member", where


LISTING = ["patient.id", "patient.name", "patient.age", "patient.phone", "patient.next_appointment_at",
           "patient.next_appointment_service", "patient.last_visit_at", "patient.visit_count",
           "patient.lifetime_spend", "patient.unpaid_visit_count", "patient.source", "patient.first_visit_at"]

FRONT_DESK_ALLOWED: list[tuple[str, dict[str, Any]]] = [
    ("the patient table's page", {"dimensions": LISTING, "filters": [
        {"field": "patient.is_lapsed", "op": "equals", "value": True},
        {"field": "patient.lifetime_spend", "op": "between", "values": [0, 10_000_000]}],
        "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 50, "offset": 50}),
    ("patients who had a service / provider", {"dimensions": ["patient.id", "patient.name"], "filters": [
        {"field": "service.name", "op": "in", "values": ["Botox Injection"]},
        {"field": "provider.name", "op": "is_not_null"}]}),
    ("search", {"dimensions": ["patient.id", "patient.name"],
                "filters": [{"field": "patient.search", "op": "search", "value": "an"}], "limit": 10}),
    ("count only", {"dimensions": ["patient.id"], "limit": 0}),
    ("order by a column not shown", {"dimensions": ["patient.id"], "order": [
        {"field": "patient.next_appointment_at", "dir": "asc"}], "limit": 5}),
    ("time range on a patient date", {"dimensions": ["patient.id"], "time": {
        "dimension": "patient.first_visit_at", "range": "last_90_days"}}),
    ("distinct patient attribute", {"dimensions": ["patient.source"]}),
    ("service chip values", {"dimensions": ["service.name"], "order": [{"field": "service.name", "dir": "asc"}]}),
    ("provider chip values", {"dimensions": ["provider.name"]}),
]

FRONT_DESK_REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("a measure", {"measures": ["revenue"]}, "revenue", "measures[0]"),
    ("a measure beside patients", {"dimensions": ["patient.id"], "measures": ["patient_count"]},
     "patient_count", "measures[0]"),
    ("an appointment-grain listing", {"dimensions": ["appointment.status"]}, "appointment.status", "dimensions[0]"),
    ("a payment column on a patient listing", {"dimensions": ["patient.id", "payment.method"]}, "payment.method",
     "dimensions[1]"),
    ("a service column on a patient listing", {"dimensions": ["patient.id", "service.name"]}, "service.name",
     "dimensions[1]"),
    ("an appointment filter", {"dimensions": ["patient.id"], "filters": [
        {"field": "appointment.status", "op": "equals", "value": "cancelled"}]}, "appointment.status",
     "filters[0].field"),
    ("a payment filter", {"dimensions": ["patient.id"], "filters": [
        {"field": "payment.paid_at", "op": "gte", "value": "2025-01-01"}]}, "payment.paid_at", "filters[0].field"),
    ("ordering by a payment column", {"dimensions": ["patient.id"], "order": [
        {"field": "payment.amount", "dir": "desc"}]}, "payment.amount", "order[0].field"),
    ("ordering by a measure", {"dimensions": ["patient.id"], "order": [{"field": "revenue", "dir": "desc"}]},
     "revenue", "order[0].field"),
    ("having", {"dimensions": ["patient.id"], "having": [{"field": "revenue", "op": "gt", "value": 1}]},
     "revenue", "having[0].field"),
    ("an appointment time dimension", {"dimensions": ["patient.id"], "time": {
        "dimension": "appointment.start_at", "range": "last_30_days"}}, "appointment.start_at", "time.dimension"),
    ("chip values filtered by patient", {"dimensions": ["service.name"], "filters": [
        {"field": "patient.search", "op": "search", "value": "smith"}]}, "patient.search", "filters[0].field"),
    ("chip values of another entity", {"dimensions": ["appointment.status"]}, "appointment.status",
     "dimensions[0]"),
]


@pytest.mark.parametrize(("name", "body"), FRONT_DESK_ALLOWED, ids=[c[0] for c in FRONT_DESK_ALLOWED])
def test_front_desk_may_list_and_search_patients(callers: Callers, name: str, body: dict[str, Any]) -> None:
    response = callers.call("front_desk", "POST", "/api/query", json=body)
    assert response.status_code == 200, response.text[:400]
    manager = callers.call("manager", "POST", "/api/query", json=body).json()
    assert response.json()["rows"] == manager["rows"]  # the same answer as a manager gets, not a filtered one
    assert response.json()["total_rows"] == manager["total_rows"]


@pytest.mark.parametrize(("name", "body", "member", "path"), FRONT_DESK_REFUSED,
                         ids=[c[0] for c in FRONT_DESK_REFUSED])
def test_front_desk_gets_no_business_analytics(callers: Callers, name: str, body: dict[str, Any], member: str,
                                               path: str) -> None:
    for endpoint in ("/api/query", "/api/query/sql"):
        response = callers.call("front_desk", "POST", endpoint, json=body)
        assert response.status_code == 400, response.text[:400]
        error = response.json()["error"]
        assert error["code"] == "forbidden_member", error
        assert error["path"] == path and member in error["message"], error
    assert callers.call("manager", "POST", "/api/query", json=body).status_code in (200, 400)


def test_front_desk_unknown_members_are_still_unknown(callers: Callers) -> None:
    error = callers.call("front_desk", "POST", "/api/query", json={"dimensions": ["patient.nmae"]}).json()["error"]
    assert error["code"] == "unknown_member" and "patient.name" in error["suggestions"]


def _catalog(callers: Callers, role: str) -> dict[str, Any]:
    response = callers.call(role, "GET", "/api/catalog")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_each_role_sees_only_what_it_may_use_in_the_catalog(callers: Callers) -> None:
    manager, desk, agent = (_catalog(callers, role) for role in ("manager", "front_desk", "agent"))
    all_dims = {d["name"] for d in manager["dimensions"]}
    pii = {d["name"] for d in manager["dimensions"] if d["pii"]}
    assert {"revenue", "visit_count", "patient_count"} <= {m["name"] for m in manager["measures"]}
    assert {"patient.id", "appointment.status", "payment.method"} <= all_dims

    assert desk["measures"] == []
    desk_dims = {d["name"] for d in desk["dimensions"]}
    assert desk_dims == {n for n in all_dims if n.startswith("patient.")} | {"service.name", "provider.name"}

    agent_dims = {d["name"] for d in agent["dimensions"]}
    assert agent_dims == all_dims - pii and "patient.search" not in agent_dims
    assert agent["measures"], "agents keep the analytics"
    for measure in agent["measures"]:
        assert not set(measure["groupable_by"]) & pii


def test_every_member_the_front_desk_catalog_lists_is_usable(callers: Callers) -> None:
    """The catalog is not a promise the engine breaks: each listed dimension can be queried or filtered."""
    for dimension in _catalog(callers, "front_desk")["dimensions"]:
        name = dimension["name"]
        if dimension["filter_only"]:
            body: dict[str, Any] = {"dimensions": ["patient.id"], "limit": 1,
                                    "filters": [{"field": name, "op": "search", "value": "a"}]}
        elif name in ("service.name", "provider.name"):
            body = {"dimensions": ["patient.id"], "limit": 1, "filters": [{"field": name, "op": "is_not_null"}]}
        else:
            body = {"dimensions": list(dict.fromkeys(["patient.id", name])), "limit": 1}
        response = callers.call("front_desk", "POST", "/api/query", json=body)
        assert response.status_code == 200, f"{name}: {response.text[:300]}"


def test_api_keys_with_staff_roles_get_that_roles_scope(callers: Callers) -> None:
    from service.auth.store import create_api_key
    from tests.security.conftest import run_db

    key = run_db(callers.url, lambda c: create_api_key(c, "sec_desk_key", "front_desk"))
    headers = {"authorization": f"Bearer {key}"}
    refused = callers.call("anonymous", "POST", "/api/query", json=ANALYTICS, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "forbidden_member"
    allowed = callers.call("anonymous", "POST", "/api/query", json=PATIENT_LISTING, headers=headers)
    assert allowed.status_code == 200
