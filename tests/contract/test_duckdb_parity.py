"""The same query compiled for DuckDB gives the same rows as `/api/query` on PostgreSQL.

The client's export, once loaded into PostgreSQL, is copied table by table (including
`patient_summary`) into an in-process DuckDB. For each query, `POST /api/query/sql?dialect=duckdb`
returns SQL with its values inlined; DuckDB runs it, and its rows must equal the API's.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from tests.contract.duck import plain
from tests.contract.support import run

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("revenue-trend-monthly", {"measures": ["revenue", "payment_count"], "time": {"grain": "month"},
                               "order": [{"field": "time", "dir": "asc"}]}),
    ("revenue-by-source-ordered", {"measures": ["revenue", "average_ticket"], "dimensions": ["patient.source"],
                                   "order": [{"field": "revenue", "dir": "desc"}]}),
    ("line-revenue-by-service", {"measures": ["line_revenue", "service_line_count"], "dimensions": ["service.name"],
                                 "order": [{"field": "line_revenue", "dir": "desc"}]}),
    ("booked-hours-by-provider-quarter", {"measures": ["booked_hours"], "dimensions": ["provider.name"],
                                          "time": {"grain": "quarter"}}),
    ("weekday-by-hour-visits", {"measures": ["visit_count"],
                                "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
                                "time": {"range": "last_90_days"}}),
    ("payment-method-mix", {"measures": ["revenue", "payment_count"], "dimensions": ["payment.method"],
                            "time": {"range": "last_12_months"}}),
    ("new-patients-by-source-monthly", {"measures": ["new_patient_count"], "dimensions": ["patient.source"],
                                        "time": {"grain": "month", "range": ["2025-01-01", "2025-12-01"]}}),
    ("weekly-appointments-filtered", {
        "measures": ["appointment_count", "cancellation_rate"], "dimensions": ["patient.gender"],
        "time": {"grain": "week", "range": ["2025-09-01", "2025-11-03"]},
        "filters": [{"field": "patient.source", "op": "in", "values": ["instagram", "google"]}]}),
    ("metric-time-mixed", {"measures": ["revenue", "visit_count", "new_patient_count"],
                           "time": {"grain": "month", "range": "last_12_months"}}),
    ("explicit-time-dimension", {"measures": ["revenue", "appointment_count"],
                                 "time": {"dimension": "appointment.start_at", "grain": "month"}}),
    ("kpi-row-with-compare", {
        "measures": ["revenue", "visit_count", "new_patient_count", "average_ticket"],
        "time": {"range": "last_30_days", "compare": "previous_period"}}),
    ("kpi-previous-year-monthly", {"measures": ["revenue"], "time": {
        "grain": "month", "range": ["2025-09-01", "2025-12-01"], "compare": "previous_year"}}),
    ("ratios-by-age-band", {"measures": ["returning_patient_rate", "revenue_per_patient", "active_patient_count"],
                            "dimensions": ["patient.age_band"]}),
    # line_revenue rather than revenue: revenue by provider may be refused (invalid_grouping)
    ("having-and-limit", {"measures": ["line_revenue"], "dimensions": ["provider.name", "patient.source"],
                          "having": [{"field": "line_revenue", "op": "gt", "value": 1_000_000}],
                          "order": [{"field": "line_revenue", "dir": "desc"}], "limit": 15}),
    ("patient-table-page", {
        "dimensions": ["patient.id", "patient.name", "patient.visit_count", "patient.lifetime_spend",
                       "patient.last_visit_at", "patient.next_appointment_at"],
        "order": [{"field": "patient.lifetime_spend", "dir": "desc"}, {"field": "patient.id", "dir": "asc"}],
        "limit": 50, "offset": 100}),
    ("patient-search", {
        "dimensions": ["patient.id", "patient.name", "patient.phone"],
        "filters": [{"field": "patient.search", "op": "search", "value": "smith"}],
        "order": [{"field": "patient.id", "dir": "asc"}], "limit": 100}),
    ("patients-as-of-override", {
        "dimensions": ["patient.id", "patient.visit_count", "patient.next_appointment_at"],
        "filters": [{"field": "patient.visit_count", "op": "gte", "value": 2}],
        "order": [{"field": "patient.id", "dir": "asc"}], "as_of": "2025-06-30", "limit": 10000}),
    ("filtered-by-null-and-between", {
        "measures": ["patient_count"], "dimensions": ["patient.gender"],
        "filters": [{"field": "patient.next_appointment_at", "op": "is_not_null"},
                    {"field": "patient.age", "op": "between", "values": [30, 50]}]}),
    # the query language's additions (contract additions, section 2)
    ("adhoc-aggregates-by-source", {
        "measures": ["avg(patient.age)", "median(patient.age)", "p90(patient.lifetime_spend)",
                     "count_distinct(patient.id)"], "dimensions": ["patient.source"]}),
    ("adhoc-lines-appointments-payments-quarterly", {
        "measures": ["sum(service_line.list_price)", "p25(appointment.lead_time_days)", "avg(payment.amount)"],
        "time": {"grain": "quarter", "range": ["2025-01-01", "2025-10-01"]}}),
    ("adhoc-compared-with-the-previous-period", {
        "measures": ["avg(appointment.paid_amount)", "median(payment.amount)"],
        "time": {"range": "last_90_days", "compare": "previous_period"}}),
    ("count-distinct-in-overlapping-groups", {
        "measures": ["count_distinct(appointment.id)"], "dimensions": ["provider.name"]}),
    ("never-booked-match-none", {
        "measures": ["patient_count", "avg(patient.age)"], "dimensions": ["patient.gender"],
        "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}]}),
    ("only-laser-match-all-values", {
        "measures": ["visit_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "service.name", "op": "equals", "values": ["Laser Hair Removal"], "match": "all"},
                    {"field": "appointment.status", "op": "not_equals", "values": ["cancelled", "pending"]}]}),
    ("calculations-and-top-per-month", {
        "measures": ["revenue", "payment_count"], "dimensions": ["patient.source"],
        "time": {"grain": "month", "range": ["2025-01-01", "2025-11-01"]},
        "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]},
                         {"name": "running", "op": "running_total", "of": "revenue"},
                         {"name": "change", "op": "change", "of": "revenue"},
                         {"name": "change_pct", "op": "change_pct", "of": "revenue"},
                         {"name": "rank", "op": "rank", "of": "revenue", "within": ["time"]},
                         {"name": "ticket", "op": "ratio", "of": ["revenue", "payment_count"]}],
        "top": {"n": 2, "by": "revenue", "within": ["time"]},
        "order": [{"field": "time", "dir": "asc"}, {"field": "rank", "dir": "asc"}]}),
]


def _normal_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        value = plain(value)
        if key == "time" and isinstance(value, str):
            value = value[:10]  # a bucket may come back as midnight timestamp from DuckDB
        out[key] = value
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, str) and isinstance(b, str) and "T" in a + b and a[:4].isdigit():
        try:
            return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
        except ValueError:
            return a == b
    return bool(a == b)


def _group_key(keys: list[str]):  # type: ignore[no-untyped-def]
    """Rows of an unordered query are compared sorted by their group (dimensions and time)."""
    return lambda row: tuple(repr(row[k]) for k in keys)


@pytest.mark.parametrize("query", [pytest.param(q, id=name) for name, q in QUERIES])
def test_duckdb_gives_the_same_rows(client_api, duck, query):
    api = run(client_api, query)
    response = client_api.post("/api/query/sql", params={"dialect": "duckdb"}, json=query)
    assert response.status_code == 200, response.text
    sql = response.json()["sql"]
    cursor = duck.execute(sql)
    names = [d[0] for d in cursor.description]
    duck_rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    api_rows = [_normal_row(row) for row in api["rows"]]

    api_columns = [c["name"] for c in api["columns"]]
    if set(api_columns) <= set(names):
        duck_rows = [{k: r[k] for k in api_columns} for r in duck_rows]
    else:
        # Result columns may carry SQL aliases (c0, c1, ...) in the API's column order; columns
        # named `__...` are the engine's bookkeeping (such as the total row count).
        selected = [n for n in names if not n.startswith("__")]
        assert len(selected) == len(api_columns), f"DuckDB columns {names} vs API columns {api_columns}\n{sql}"
        duck_rows = [{a: r[n] for a, n in zip(api_columns, selected, strict=True)} for r in duck_rows]
    duck_rows = [_normal_row(r) for r in duck_rows]
    assert len(duck_rows) == len(api_rows), f"{len(duck_rows)} DuckDB rows vs {len(api_rows)} API rows\n{sql}"
    if not query.get("order"):
        groups = [c["name"] for c in api["columns"] if c.get("kind") != "measure"]
        duck_rows.sort(key=_group_key(groups))
        api_rows.sort(key=_group_key(groups))
    diffs = [
        f"row {i} {col}: duckdb {d[col]!r} != api {a[col]!r}"
        for i, (d, a) in enumerate(zip(duck_rows, api_rows, strict=True))
        for col in api_columns
        if not _same(d[col], a[col])
    ]
    assert not diffs, "\n".join(diffs[:20]) + f"\n{sql}"
