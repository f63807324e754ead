"""`GET /api/catalog/tools`: the tools as OpenAI and Anthropic function definitions, from the live catalog."""

from __future__ import annotations

import jsonschema
from fastapi.testclient import TestClient

from service.agent.schemas import TOOL_NAMES


def test_tool_definitions_are_served_from_the_catalog(client_api: TestClient) -> None:
    response = client_api.get("/api/catalog/tools")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["function"]["name"] for d in body["openai"]] == list(TOOL_NAMES)
    assert [d["name"] for d in body["anthropic"]] == list(TOOL_NAMES)
    query = body["anthropic"][TOOL_NAMES.index("query")]["input_schema"]
    jsonschema.Draft202012Validator.check_schema(query)
    catalog = client_api.get("/api/catalog").json()
    visible = {m["name"] for m in catalog["measures"] if not m.get("pii")}
    assert set(query["properties"]["measures"]["items"]["anyOf"][0]["enum"]) == visible  # or an ad hoc aggregate
    pii = {d["name"] for d in catalog["dimensions"] if d.get("pii")} | {"patient.name", "patient.id"}
    assert not pii & set(query["properties"]["dimensions"]["items"]["enum"])
    assert not pii & set(query["properties"]["filters"]["items"]["properties"]["field"]["enum"])


def test_tool_definitions_need_a_principal(client_db_url: str, api_for) -> None:
    with api_for(client_db_url, role=None) as anonymous:
        response = anonymous.get("/api/catalog/tools")
    assert response.status_code == 401


def test_the_engine_itself_refuses_pii_to_agent_keys(client_api: TestClient, agent_key: str) -> None:
    """The second wall: without the tool layer's check, the API still refuses an agent key PII."""
    headers = {"Authorization": f"Bearer {agent_key}"}
    for query in ({"measures": ["revenue"], "dimensions": ["patient.name"]}, {"dimensions": ["patient.id"]},
                  {"measures": ["revenue"], "filters": [{"field": "patient.email", "op": "contains", "value": "@"}]}):
        response = client_api.post("/api/query", json=query, headers=headers)
        assert response.status_code in (400, 403), response.text
        assert response.json()["error"]["code"] in ("forbidden_member", "unknown_member"), response.text
