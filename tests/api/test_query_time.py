"""Time over HTTP: buckets, gap filling, comparisons and as_of, on the client's export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


def run(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/query", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def total(client: Any, measure: str, start: str, end: str, **extra: Any) -> Any:
    rows = run(client, {"measures": [measure], "time": {"range": [start, end]}, **extra})["rows"]
    return rows[0][measure]


def test_compare_previous_period_equals_the_period_before(client_api):
    body = run(client_api, {"measures": ["revenue", "visit_count", "average_ticket"],
                            "time": {"range": "last_30_days", "compare": "previous_period"}})
    assert body["meta"]["range"] == {"start": "2025-10-28", "end": "2025-11-27"}
    assert body["meta"]["compare_range"] == {"start": "2025-09-28", "end": "2025-10-28"}
    [row] = body["rows"]
    for measure in ("revenue", "visit_count", "average_ticket"):
        assert row[measure] == total(client_api, measure, "2025-10-28", "2025-11-27")
        assert row[f"{measure}.previous"] == total(client_api, measure, "2025-09-28", "2025-10-28")
        assert row[f"{measure}.change"] == row[measure] - row[f"{measure}.previous"]
        assert row[f"{measure}.change_pct"] == pytest.approx(row[f"{measure}.change"] / row[f"{measure}.previous"])
    pct = next(c for c in body["columns"] if c["name"] == "revenue.change_pct")
    assert pct["unit"] == "ratio" and pct["type"] == "number"


def test_compare_by_month_lines_up_each_bucket_with_its_previous_one(client_api):
    body = run(client_api, {"measures": ["revenue"], "dimensions": ["payment.method"],
                            "time": {"grain": "month", "range": ["2025-09-01", "2025-11-01"],
                                     "compare": "previous_period"}})
    rows = {(r["time"], r["payment.method"]): r for r in body["rows"]}
    assert {t for t, _ in rows} == {"2025-09-01", "2025-10-01"}
    for (month, method), row in rows.items():  # two months earlier: July, August
        start = dt.date.fromisoformat(month)
        before = start.replace(month=start.month - 2)
        after = before.replace(month=before.month + 1)
        expected = total(client_api, "revenue", before.isoformat(), after.isoformat(),
                         filters=[{"field": "payment.method", "op": "equals", "value": method}])
        assert row["revenue.previous"] == expected


def test_compare_without_history_has_null_change_pct(client_api):
    [row] = run(client_api, {"measures": ["revenue"], "time": {"range": "this_year",
                                                               "compare": "previous_year"}})["rows"]
    assert row["revenue.previous"] == 0 and row["revenue.change"] == row["revenue"]
    assert row["revenue.change_pct"] is None


def test_gap_filling_gives_every_bucket(client_api):
    body = run(client_api, {"measures": ["revenue", "visit_count", "average_ticket"],
                            "time": {"grain": "day", "range": ["2025-11-20", "2025-12-05"]}})
    days = [r["time"] for r in body["rows"]]
    assert days == [(dt.date(2025, 11, 20) + dt.timedelta(days=i)).isoformat() for i in range(15)]
    for row in body["rows"]:
        if row["time"] > "2025-11-26":  # after as_of: nothing paid, no visits
            assert row["revenue"] == 0 and row["visit_count"] == 0 and row["average_ticket"] is None
    assert body["total_rows"] == 15


def test_gap_filling_per_series(client_api):
    body = run(client_api, {"measures": ["new_patient_count"], "dimensions": ["patient.source"],
                            "time": {"grain": "week", "range": ["2025-01-06", "2025-03-03"]}})
    weeks = {r["time"] for r in body["rows"]}
    assert len(weeks) == 8 and all(dt.date.fromisoformat(w).isoweekday() == 1 for w in weeks)
    assert len(body["rows"]) == 8 * len({r["patient.source"] for r in body["rows"]})


def test_metric_time_joins_each_measures_own_time(client_api):
    body = run(client_api, {"measures": ["revenue", "new_patient_count"], "time": {"grain": "month"}})
    first = body["rows"][0]
    assert first["time"] == "2024-12-01"  # the data's first month, whichever measure has it
    months = [r["time"] for r in body["rows"]]
    assert months == sorted(months) and len(months) == len(set(months))
    assert sum(r["new_patient_count"] for r in body["rows"]) == 2308


def test_as_of_override_moves_visits_and_relative_ranges(client_api):
    default = run(client_api, {"measures": ["visit_count", "upcoming_appointment_count"]})
    june = run(client_api, {"measures": ["visit_count", "upcoming_appointment_count"], "as_of": "2025-06-30"})
    assert default["meta"]["as_of"] == "2025-11-26" and june["meta"]["as_of"] == "2025-06-30"
    assert june["rows"][0]["visit_count"] < default["rows"][0]["visit_count"]
    assert (june["rows"][0]["visit_count"] + june["rows"][0]["upcoming_appointment_count"]
            == default["rows"][0]["visit_count"] + default["rows"][0]["upcoming_appointment_count"])
    week = run(client_api, {"measures": ["revenue"], "time": {"range": "last_7_days"}, "as_of": "2025-06-30"})
    assert week["meta"]["range"] == {"start": "2025-06-24", "end": "2025-07-01"}
    assert week["rows"][0]["revenue"] == total(client_api, "revenue", "2025-06-24", "2025-07-01")


def test_cohort_retention_chart(client_api):
    body = run(client_api, {"measures": ["retained_patient_count"],
                            "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"],
                            "limit": 10_000})
    cohort_sizes = {r["patient.first_visit_month"]: r["retained_patient_count"] for r in body["rows"]
                    if r["appointment.months_since_first_visit"] == 0}
    new = run(client_api, {"measures": ["new_patient_count"], "time": {"grain": "month"}})["rows"]
    assert cohort_sizes == {r["time"]: r["new_patient_count"] for r in new if r["new_patient_count"]}
    assert all(r["appointment.months_since_first_visit"] >= 0 for r in body["rows"])
