"""GET /api/catalog, POST /api/query/sql, the OpenAPI document and `medspa query`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner


def test_catalog_describes_every_member(client_api):
    body = client_api.get("/api/catalog").json()
    assert body["as_of"] == "2025-11-26" and body["max_limit"] == 10_000
    measures = {m["name"]: m for m in body["measures"]}
    dimensions = {d["name"]: d for d in body["dimensions"]}
    revenue = measures["revenue"]
    assert revenue["unit"] == "cents" and revenue["type"] == "integer" and revenue["description"]
    assert revenue["default_time_dimension"] == "payment.paid_at" and "sales" in revenue["synonyms"]
    assert "patient.source" in revenue["groupable_by"] and "service.name" not in revenue["groupable_by"]
    assert "service.name" in measures["line_revenue"]["groupable_by"]
    assert "service.name" in measures["active_patient_count"]["groupable_overlapping_by"]
    assert not measures["visit_count"]["groupable_overlapping_by"]
    assert measures["average_ticket"]["derived_from"] == ["revenue", "payment_count"]
    paid_at = dimensions["payment.paid_at"]
    assert paid_at["kind"] == "time" and paid_at["grains"] == ["day", "week", "month", "quarter", "year"]
    assert paid_at["span"] == {"start": "2024-12-15", "end": "2025-11-27"}
    assert dimensions["appointment.start_at"]["span"]["end"] == "2026-01-25"  # bookings ahead
    assert dimensions["patient.email"]["pii"] and not dimensions["patient.source"]["pii"]
    assert dimensions["patient.search"]["filter_only"] and dimensions["patient.search"]["ops"] == ["search"]
    assert "contains" in dimensions["patient.source"]["ops"] and "contains" not in dimensions["patient.age"]["ops"]


def test_sql_endpoint_returns_readable_sql_and_the_bound_values(client_api):
    query = {"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "equals", "value": "o'brien"}]}
    body = client_api.post("/api/query/sql", json=query).json()
    assert body["dialect"] == "postgres"
    assert "'o''brien'" in body["sql"] and "o'brien" not in body["parameterized_sql"]
    assert "o'brien" in body["params"] and "$1" in body["parameterized_sql"]
    duck = client_api.post("/api/query/sql", params={"dialect": "duckdb"}, json=query).json()
    assert duck["dialect"] == "duckdb"
    assert client_api.post("/api/query/sql", params={"dialect": "oracle"}, json=query).status_code == 422


def test_openapi_documents_the_query_with_member_enums(client_api):
    document = client_api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    query = schemas["Query"]["properties"]
    catalog_measures, adhoc = query["measures"]["items"]["anyOf"]  # a catalog measure, or an ad hoc aggregate
    assert "revenue" in catalog_measures["enum"] and "avg" in adhoc["pattern"]
    assert "patient.source" in query["dimensions"]["items"]["enum"]
    assert "patient.search" not in query["dimensions"]["items"]["enum"]
    assert "search" in schemas["Filter"]["properties"]["op"]["enum"]
    assert {"QueryResponse", "SqlResponse", "CatalogResponse"} <= set(schemas)
    post = document["paths"]["/api/query"]["post"]
    assert post["operationId"] == "query-query" and {"400", "422", "503"} <= set(post["responses"])


@pytest.fixture
def cli(client_db_url, monkeypatch) -> Any:
    from service import cli
    from service.settings import Settings

    monkeypatch.setattr(cli, "get_settings", lambda: Settings(database_url=client_db_url))
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, ["query", *args])


def test_cli_prints_exactly_the_api_response(cli, client_api):
    query = {"measures": ["revenue", "visit_count"], "dimensions": ["patient.source"]}
    result = cli(json.dumps(query))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = client_api.post("/api/query", json=query).json()
    for body in (printed, expected):
        body["meta"].pop("duration_ms")
    assert printed == expected


def test_cli_exits_1_with_the_error_body(cli):
    result = cli('{"measures": ["revnue"]}')
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["suggestions"][0] == "revenue"
    sql = cli('{"measures": ["revenue"]}', "--sql", "--dialect", "duckdb")
    assert sql.exit_code == 0 and json.loads(sql.stdout)["dialect"] == "duckdb"
