"""The tools against the engine over the client's export (the MCP and /api/ask paths share them)."""

from __future__ import annotations

import json


def test_list_metrics_is_the_agent_visible_catalog_and_fits_a_context(run_tool) -> None:
    run, _ = run_tool
    outcome = run("list_metrics", {})
    assert outcome.ok
    body = outcome.payload
    assert body["as_of"] == "2025-11-26"
    assert "integer cents" in body["conventions"]["units"]
    measures = {m["name"]: m for m in body["measures"]}
    assert {"revenue", "line_revenue", "visit_count", "cancellation_rate", "revenue_per_patient"} <= set(measures)
    assert measures["revenue"]["unit"] == "cents" and "sales" in measures["revenue"]["synonyms"]
    assert "service.name" in measures["revenue"]["not_groupable_by"]  # split revenue by service: line_revenue
    dims = {d["name"]: d for d in body["dimensions"]}
    assert dims["appointment.start_at"]["span"] and dims["appointment.start_at"]["grains"]
    assert not {n for n in dims if n.startswith("patient.") and n.split(".")[1] in
                ("id", "name", "email", "phone", "address", "date_of_birth", "first_name", "last_name")}
    assert len(json.dumps(body)) < 40_000


def test_describe_member_says_what_groups_with_what(run_tool) -> None:
    run, _ = run_tool
    source = run("describe_member", {"name": "patient.source"}).payload
    assert source["label"] == "Acquisition source" and "revenue" in source["measures_grouped_by_it"]
    revenue = run("describe_member", {"name": "revenue"}).payload
    assert revenue["kind"] == "measure" and "patient.source" in revenue["groupable_by"]


def test_search_dimension_values_counts_and_filters(run_tool) -> None:
    run, _ = run_tool
    body = run("search_dimension_values", {"dimension": "patient.source"}).payload
    assert body["count_measure"] == "patient_count"
    assert sum(v["count"] for v in body["values"]) == 4000
    assert body["values"][0]["value"] == "instagram"
    some = run("search_dimension_values", {"dimension": "service.name", "contains": "Botox"}).payload
    assert [v["value"] for v in some["values"]] == ["Botox Injection"]


def test_explain_query_gives_sql_and_plain_english(run_tool) -> None:
    run, _ = run_tool
    outcome = run("explain_query", {"measures": ["line_revenue"], "dimensions": ["service.name"],
                                    "time": {"range": "last_month"}})
    assert outcome.ok, outcome.payload
    assert outcome.payload["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    text = outcome.payload["explanation"]
    assert "`line_revenue`" in text and "Grouped by Service (`service.name`)" in text
    assert "[2025-10-01, 2025-11-01)" in text


def test_engine_refusals_come_back_unchanged(run_tool) -> None:
    run, _ = run_tool
    refused = run("query", {"measures": ["revenue"], "dimensions": ["service.name"]})
    assert not refused.ok
    assert refused.payload["error"]["code"] == "invalid_grouping"
    assert refused.payload["error"]["suggestions"] == ["line_revenue"]
    unknown = run("query", {"measures": ["takings"]})
    assert unknown.payload["error"]["code"] == "unknown_member" and "revenue" in unknown.payload["error"]["suggestions"]
    assert run("no_such_tool", {}).payload["error"]["code"] == "unknown_tool"
