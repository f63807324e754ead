"""Every required measure, on the client's export, against an independent computation.

The expected numbers come from `oracle.py`: plain Python over the six JSON files, written from
the contract's words alone (no SQL, no catalog, no database). The engine's answers come through
the HTTP contract (`POST /api/query`). Cents and counts must agree exactly, ratios to 1e-9,
hours to 1e-6.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.contract.support import (
    check_against_oracle,
    compare_rows,
    expected_for,
    normalise_dimension,
    post,
    run,
)

AS_OF = dt.date(2025, 11, 26)  # the date of the export's latest payment

# --- measure x grouping (all time) -------------------------------------------------------------

GROUPINGS: dict[str, list[list[str]]] = {
    "revenue": [["patient.source"], ["patient.gender"], ["patient.age_band"], ["payment.method"],
                ["appointment.status"], ["patient.source", "payment.method"]],
    "payment_count": [["patient.source"], ["payment.method"], ["patient.age_band"]],
    "average_ticket": [["payment.method"], ["patient.gender"], ["patient.source"]],
    "line_revenue": [["service.name"], ["provider.name"], ["patient.source"], ["appointment.status"],
                     ["provider.name", "service.name"]],
    "appointment_count": [["appointment.status"], ["patient.source"], ["patient.gender"],
                          ["appointment.day_of_week"], ["patient.age_band"]],
    "cancellation_rate": [["patient.source"], ["patient.age_band"], ["appointment.day_of_week"]],
    "visit_count": [["patient.source"], ["patient.gender"], ["patient.age_band"], ["appointment.status"],
                    ["appointment.hour_of_day"], ["appointment.day_of_week", "appointment.hour_of_day"]],
    "service_line_count": [["service.name"], ["provider.name"], ["appointment.status"]],
    "booked_hours": [["provider.name"], ["service.name"], ["appointment.status"]],
    "patient_count": [["patient.source"], ["patient.gender"], ["patient.age_band"]],
    "new_patient_count": [["patient.source"], ["patient.gender"], ["patient.age_band"]],
    "active_patient_count": [["patient.source"], ["patient.age_band"]],
    "unpaid_visit_count": [["patient.source"], ["appointment.status"]],
    "revenue_per_patient": [["patient.source"], ["payment.method"], ["patient.gender"]],
    "returning_patient_rate": [["patient.source"], ["patient.gender"], ["patient.age_band"]],
}

GROUPED = [
    pytest.param({"measures": [m], "dimensions": dims}, id=f"{m}-by-{'+'.join(dims)}")
    for m, groupings in GROUPINGS.items()
    for dims in [[], *groupings]
]


@pytest.mark.parametrize("query", GROUPED)
def test_measure_by_dimension(client_api, models, query):
    check_against_oracle(client_api, models, query)


# --- measure x time (default time dimension: each measure's own) -------------------------------

TIME_SPECS: list[tuple[str, dict[str, Any]]] = [
    ("month", {"grain": "month"}),
    ("quarter", {"grain": "quarter"}),
    ("week-in-range", {"grain": "week", "range": ["2025-09-01", "2025-11-01"]}),
    ("range-only", {"range": ["2025-06-01", "2025-09-01"]}),
    ("range-into-future", {"grain": "month", "range": ["2025-11-01", "2026-02-01"]}),
    ("last_12_months-by-month", {"range": "last_12_months", "grain": "month"}),
    ("last_90_days", {"range": "last_90_days"}),
    ("this_year-by-quarter", {"range": "this_year", "grain": "quarter"}),
]
TIMED_MEASURES = [m for m in GROUPINGS if m != "patient_count"]  # patient_count has no default time

TIMED = [
    pytest.param({"measures": [m], "time": spec}, id=f"{m}-{name}")
    for m in TIMED_MEASURES
    for name, spec in TIME_SPECS
]


@pytest.mark.parametrize("query", TIMED)
def test_measure_over_time(client_api, models, query):
    check_against_oracle(client_api, models, query)


# --- explicit time dimensions, several measures at once, groups x time, filters, as_of ----------

MIXED = [
    # explicit time.dimension: every measure bucketed on it
    ("revenue-on-appointment-start", {"measures": ["revenue", "payment_count"],
                                      "time": {"dimension": "appointment.start_at", "grain": "month"}}),
    ("payment_count-on-appointment-start-range", {
        "measures": ["payment_count"],
        "time": {"dimension": "appointment.start_at", "range": ["2025-10-01", "2025-11-01"]}}),
    ("line_revenue-on-paid-at", {"measures": ["line_revenue"],
                                 "time": {"dimension": "payment.paid_at", "grain": "quarter"}}),
    ("appointments-by-created-month", {"measures": ["appointment_count"],
                                       "time": {"dimension": "appointment.created_at", "grain": "month"}}),
    ("visits-explicit-start-week", {"measures": ["visit_count"], "time": {
        "dimension": "appointment.start_at", "grain": "week", "range": ["2025-10-06", "2025-11-03"]}}),
    ("new-patients-explicit-first-visit", {"measures": ["new_patient_count"],
                                           "time": {"dimension": "patient.first_visit_at", "grain": "quarter"}}),
    ("patients-by-created-month", {"measures": ["patient_count"],
                                   "time": {"dimension": "patient.created_at", "grain": "month"}}),
    ("booked-hours-explicit-quarter", {"measures": ["booked_hours"],
                                       "time": {"dimension": "appointment.start_at", "grain": "quarter"}}),
    ("revenue-and-appointments-on-start", {"measures": ["revenue", "appointment_count", "visit_count"],
                                           "time": {"dimension": "appointment.start_at", "grain": "month"}}),
    # metric_time: each measure on its own default time dimension, buckets joined
    ("metric-time-month", {"measures": ["revenue", "visit_count", "new_patient_count"],
                           "time": {"grain": "month"}}),
    ("metric-time-week-range", {"measures": ["revenue", "appointment_count", "line_revenue"],
                                "time": {"grain": "week", "range": ["2025-08-04", "2025-10-06"]}}),
    ("metric-time-range-only", {"measures": ["revenue", "new_patient_count", "active_patient_count"],
                                "time": {"range": ["2025-07-01", "2025-10-01"]}}),
    # grouped and bucketed
    ("revenue-by-source-monthly-last-12", {"measures": ["revenue"], "dimensions": ["patient.source"],
                                          "time": {"grain": "month", "range": "last_12_months"}}),
    ("line-revenue-by-service-quarterly", {"measures": ["line_revenue"], "dimensions": ["service.name"],
                                           "time": {"grain": "quarter"}}),
    ("visits-by-status-weekly", {"measures": ["visit_count"], "dimensions": ["appointment.status"],
                                 "time": {"grain": "week", "range": ["2025-09-01", "2025-10-01"]}}),
    ("new-patients-by-source-monthly", {"measures": ["new_patient_count"], "dimensions": ["patient.source"],
                                        "time": {"grain": "month"}}),
    ("booked-hours-by-provider-monthly", {"measures": ["booked_hours"], "dimensions": ["provider.name"],
                                          "time": {"grain": "month"}}),
    ("cancellation-by-gender-quarterly", {"measures": ["cancellation_rate", "appointment_count"],
                                          "dimensions": ["patient.gender"], "time": {"grain": "quarter"}}),
    ("returning-by-source-range", {"measures": ["returning_patient_rate", "active_patient_count"],
                                   "dimensions": ["patient.source"],
                                   "time": {"range": ["2025-01-01", "2025-07-01"]}}),
    # filters on dimensions
    ("revenue-filtered-sources", {
        "measures": ["revenue", "payment_count"], "dimensions": ["payment.method"],
        "filters": [{"field": "patient.source", "op": "in", "values": ["instagram", "tiktok"]}]}),
    ("visits-pending-monthly", {
        "measures": ["visit_count"], "time": {"grain": "month"},
        "filters": [{"field": "appointment.status", "op": "equals", "value": "pending"}]}),
    ("appointments-not-cancelled", {
        "measures": ["appointment_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "appointment.status", "op": "not_equals", "value": "cancelled"}]}),
    ("line-revenue-one-provider", {
        "measures": ["line_revenue", "service_line_count"], "dimensions": ["service.name"],
        "filters": [{"field": "provider.name", "op": "equals", "value": "Kim Dixon"}]}),
    ("patients-in-two-bands", {
        "measures": ["patient_count"], "dimensions": ["patient.gender"],
        "filters": [{"field": "patient.age_band", "op": "in", "values": ["25-34", "35-44"]}]}),
    ("revenue-of-big-spenders", {
        "measures": ["revenue"], "dimensions": ["patient.source"],
        "filters": [{"field": "patient.lifetime_spend", "op": "gte", "value": 200000}]}),
    ("visits-of-repeat-patients", {
        "measures": ["visit_count", "active_patient_count"],
        "filters": [{"field": "patient.visit_count", "op": "gt", "value": 2}]}),
    # as_of per request: visits, patients and ratios move with it
    ("visits-as-of-june", {"measures": ["visit_count", "unpaid_visit_count", "active_patient_count"],
                           "time": {"grain": "month"}, "as_of": "2025-06-30"}),
    ("returning-as-of-june", {"measures": ["returning_patient_rate", "new_patient_count"],
                              "dimensions": ["patient.source"], "as_of": "2025-06-30"}),
    ("visits-last-30-days-as-of-august", {"measures": ["visit_count", "appointment_count"],
                                          "time": {"range": "last_30_days"}, "as_of": "2025-08-15"}),
]


# Splits the engine may refuse with `invalid_grouping` rather than answer (each line's share comes
# from one payment in this data, but the schema allows several payments per appointment).
REFUSABLE = {"line_revenue-on-paid-at"}


@pytest.mark.parametrize(("name", "query"), MIXED, ids=[name for name, _ in MIXED])
def test_mixed_queries(client_api, models, name, query):
    check_against_oracle(client_api, models, query, refusable=name in REFUSABLE)


# --- revenue by a line-level dimension: refused, or exactly line_revenue ------------------------

LINE_LEVEL = [
    ("by-service", {"measures": ["revenue"], "dimensions": ["service.name"]}),
    ("by-provider", {"measures": ["revenue"], "dimensions": ["provider.name"]}),
    ("by-provider-and-source", {"measures": ["revenue"], "dimensions": ["provider.name", "patient.source"]}),
    ("filtered-by-service", {"measures": ["revenue"],
                             "filters": [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}]}),
]


@pytest.mark.parametrize("query", [pytest.param(q, id=name) for name, q in LINE_LEVEL])
def test_revenue_by_line_dimension_never_double_counts(client_api, models, query):
    status, body = post(client_api, query)
    if status == 400:
        error = body["error"]
        assert error["code"] == "invalid_grouping", body
        assert "line_revenue" in (error.get("suggestions") or []), body
        return
    assert status == 200, body
    # Accepted: then it must be line_revenue for the same grouping (never the whole ticket per line).
    as_line = {**query, "measures": ["line_revenue"]}
    expected = expected_for(models(None), as_line, "line_revenue", body)
    problems = compare_rows(body, "revenue", query.get("dimensions", []), None, expected)
    assert not problems, problems


def test_line_revenue_sums_to_revenue(client_api, models):
    """The allocation loses nothing and adds nothing, overall and per month of payment."""
    revenue = run(client_api, {"measures": ["revenue"]})["rows"][0]["revenue"]
    by_service = run(client_api, {"measures": ["line_revenue"], "dimensions": ["service.name"]})["rows"]
    by_provider = run(client_api, {"measures": ["line_revenue"], "dimensions": ["provider.name"]})["rows"]
    total = run(client_api, {"measures": ["line_revenue"]})["rows"][0]["line_revenue"]
    assert revenue == models(None).total("revenue") == 227_885_574
    assert total == revenue
    assert sum(r["line_revenue"] for r in by_service) == revenue
    assert sum(r["line_revenue"] for r in by_provider) == revenue


# --- per-patient attributes (dimension-only queries) --------------------------------------------

PATIENT_FACTS = ["patient.visit_count", "patient.lifetime_spend", "patient.unpaid_visit_count",
                 "patient.first_visit_at", "patient.last_visit_at", "patient.next_appointment_at",
                 "patient.age", "patient.age_band", "patient.source", "patient.gender"]


@pytest.mark.parametrize("as_of", [None, "2025-06-30"])
def test_patient_attributes(client_api, models, as_of):
    facts = [f for f in PATIENT_FACTS if not (as_of and f == "patient.lifetime_spend")]
    query: dict[str, Any] = {"dimensions": ["patient.id", *facts], "limit": 10000}
    if as_of:
        query["as_of"] = as_of
    body = run(client_api, query)
    model = models(dt.date.fromisoformat(as_of) if as_of else None)
    expected = {p.id: model.patient_attributes(p) for p in model.export.patients}
    assert body["total_rows"] == len(expected) == 4000
    got = {row["patient.id"]: row for row in body["rows"]}
    assert got.keys() == expected.keys()
    problems = []
    for pid, row in got.items():
        for fact in facts:
            want, have = expected[pid][fact], row[fact]
            if fact.endswith("_at"):
                ok = (have is None and want is None) or (have is not None and want is not None
                                                        and dt.datetime.fromisoformat(have) == want)
            elif fact == "patient.age_band":
                ok = normalise_dimension(fact, have) == want
            else:
                ok = have == want
            if not ok:
                problems.append(f"{pid} {fact}: got {have!r}, expected {want!r}")
    assert not problems, f"{len(problems)} differences, e.g.\n  " + "\n  ".join(problems[:20])


# --- relative ranges resolve against as_of ------------------------------------------------------

RANGES = [
    # (range, as_of, [start, end) expected) -- only the ones the contract pins down
    ("today", "2025-11-26", ("2025-11-26", "2025-11-27")),
    ("yesterday", "2025-11-26", ("2025-11-25", "2025-11-26")),
    ("last_7_days", "2025-11-26", ("2025-11-20", "2025-11-27")),
    ("last_30_days", "2025-11-26", ("2025-10-28", "2025-11-27")),
    ("last_90_days", "2025-11-26", ("2025-08-29", "2025-11-27")),
    ("last_12_months", "2025-11-26", ("2024-11-27", "2025-11-27")),
    ("last_month", "2025-11-26", ("2025-10-01", "2025-11-01")),
    ("last_quarter", "2025-11-26", ("2025-07-01", "2025-10-01")),
    ("last_year", "2025-11-26", ("2024-01-01", "2025-01-01")),
    ("last_month", "2025-03-31", ("2025-02-01", "2025-03-01")),
    ("last_7_days", "2025-03-01", ("2025-02-23", "2025-03-02")),
]


@pytest.mark.parametrize(("name", "as_of", "expected"), RANGES)
def test_relative_range_resolution(client_api, name, as_of, expected):
    body = run(client_api, {"measures": ["revenue"], "time": {"range": name}, "as_of": as_of})
    echoed = body["meta"]["range"]
    assert (echoed["start"][:10], echoed["end"][:10]) == expected
    assert body["meta"]["as_of"] == as_of


@pytest.mark.parametrize("name", ["this_month", "this_quarter", "this_year"])
def test_current_period_ranges_start_at_period_start(client_api, name):
    """`this_*` starts at the period's start; it ends after as_of's day or at the period's end."""
    starts = {"this_month": "2025-11-01", "this_quarter": "2025-10-01", "this_year": "2025-01-01"}
    ends = {"this_month": "2025-12-01", "this_quarter": "2026-01-01", "this_year": "2026-01-01"}
    echoed = run(client_api, {"measures": ["revenue"], "time": {"range": name}})["meta"]["range"]
    assert echoed["start"][:10] == starts[name]
    assert echoed["end"][:10] in ("2025-11-27", ends[name])


def test_default_as_of_is_latest_payment_date(client_api):
    body = run(client_api, {"measures": ["revenue"]})
    assert body["meta"]["as_of"] == AS_OF.isoformat()


def test_time_bucket_is_an_iso_date(client_api):
    rows = run(client_api, {"measures": ["revenue"], "time": {"grain": "week"}})["rows"]
    assert rows
    for row in rows:
        day = dt.date.fromisoformat(row["time"])  # exactly YYYY-MM-DD
        assert day.isoweekday() == 1, row
