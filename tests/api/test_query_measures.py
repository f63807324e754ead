"""Measures over HTTP: having, ordering, derived measures, and the shapes of values."""

from __future__ import annotations

from typing import Any


def run(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/query", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def test_having_filters_groups_on_any_measure(client_api):
    everything = run(client_api, {"measures": ["line_revenue", "service_line_count"],
                                  "dimensions": ["provider.name"]})["rows"]
    body = run(client_api, {"measures": ["line_revenue"], "dimensions": ["provider.name"],
                            "having": [{"field": "service_line_count", "op": "gte", "value": 850}]})
    expected = {r["provider.name"] for r in everything if r["service_line_count"] >= 850}
    assert {r["provider.name"] for r in body["rows"]} == expected and 0 < len(expected) < len(everything)
    assert [c["name"] for c in body["columns"]] == ["provider.name", "line_revenue"]  # the having measure is hidden
    between = run(client_api, {"measures": ["line_revenue"], "dimensions": ["provider.name"],
                               "having": [{"field": "line_revenue", "op": "between", "values": [0, 20_000_000]}]})
    assert all(0 <= r["line_revenue"] <= 20_000_000 for r in between["rows"])


def test_order_by_a_compare_column_and_default_order(client_api):
    body = run(client_api, {"measures": ["visit_count"], "dimensions": ["patient.source"],
                            "time": {"range": "last_30_days", "compare": "previous_period"},
                            "order": [{"field": "visit_count.change_pct", "dir": "desc"}]})
    pcts = [r["visit_count.change_pct"] for r in body["rows"]]
    assert pcts == sorted(pcts, reverse=True)
    default = run(client_api, {"measures": ["revenue"], "dimensions": ["payment.method"]})["rows"]
    assert [r["revenue"] for r in default] == sorted((r["revenue"] for r in default), reverse=True)


def test_values_are_typed_json(client_api):
    [row] = run(client_api, {"measures": ["revenue", "average_ticket", "cancellation_rate", "booked_hours",
                                          "median_days_between_visits", "rebooking_rate",
                                          "revenue_per_booked_hour", "lapsed_patient_count"]})["rows"]
    assert isinstance(row["revenue"], int) and isinstance(row["average_ticket"], int)  # money: integer cents
    assert 0 < row["cancellation_rate"] < 1 and isinstance(row["cancellation_rate"], float)  # rates: fractions
    assert isinstance(row["booked_hours"], float) and row["booked_hours"] == 5578.25
    assert row["median_days_between_visits"] == 35.0
    assert 0 < row["rebooking_rate"] < 1 and isinstance(row["revenue_per_booked_hour"], int)
    assert row["lapsed_patient_count"] == 525


def test_derived_measures_equal_their_formula(client_api):
    rows = run(client_api, {"measures": ["revenue", "payment_count", "average_ticket", "paying_patient_count",
                                         "revenue_per_patient"], "dimensions": ["patient.gender"]})["rows"]
    for row in rows:
        assert row["average_ticket"] == round(row["revenue"] / row["payment_count"])
        assert row["revenue_per_patient"] == round(row["revenue"] / row["paying_patient_count"])


def test_a_ratio_may_be_split_below_its_grain_counting_distinct_rows(client_api):
    rows = run(client_api, {"measures": ["cancellation_rate"], "dimensions": ["service.name"]})["rows"]
    assert len(rows) == 10 and all(0 < r["cancellation_rate"] < 1 for r in rows)
    refused = client_api.post("/api/query", json={"measures": ["appointment_count"], "dimensions": ["service.name"]})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_grouping"
