"""The front desk's Patient Table on the client's export, checked against independent SQL.

The table is a dimension-only `/api/query` over patient-grain members; these tests ask exactly what
the page asks (see dashboard-ui/components/patients/query.ts) and compare with SQL written here
from the contract's words, not from the engine's catalog.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

AS_OF = dt.date(2025, 11, 26)
CUTOFF = dt.datetime(2025, 11, 27)  # visits start before this; upcoming appointments on or after

INDEPENDENT = """
WITH appt AS (
    SELECT a.id, a.patient_id, a.status, min(l.start) AS start_at
    FROM appointments a JOIN appointment_services l ON l.appointment_id = a.id GROUP BY a.id
), visit AS (SELECT * FROM appt WHERE status <> 'cancelled' AND start_at < $1),
upcoming AS (SELECT * FROM appt WHERE status <> 'cancelled' AND start_at >= $1),
per_patient AS (
    SELECT p.id,
           (SELECT max(start_at) FROM visit v WHERE v.patient_id = p.id) AS last_visit,
           (SELECT min(start_at) FROM visit v WHERE v.patient_id = p.id) AS first_visit,
           (SELECT min(start_at) FROM upcoming u WHERE u.patient_id = p.id) AS next_appt,
           (SELECT count(*) FROM visit v WHERE v.patient_id = p.id AND NOT EXISTS (
                SELECT 1 FROM payments pay WHERE pay.appointment_id = v.id AND pay.status = 'paid')) AS unpaid,
           (SELECT coalesce(sum(amount), 0) FROM payments pay WHERE pay.patient_id = p.id
                AND pay.status = 'paid') AS spend
    FROM patients p
)
SELECT * FROM per_patient
"""

LIST = ["patient.id", "patient.name", "patient.phone", "patient.lifetime_spend", "patient.last_visit_at"]


def _independent(url: str) -> dict[str, dict[str, Any]]:
    async def run() -> dict[str, dict[str, Any]]:
        conn = await asyncpg.connect(url)
        try:
            return {r["id"]: dict(r) for r in await conn.fetch(INDEPENDENT, CUTOFF)}
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def truth(client_db_url: str) -> dict[str, dict[str, Any]]:
    return _independent(client_db_url)


def _query(client: TestClient, **query: Any) -> dict[str, Any]:
    response = client.post("/api/query", json={"dimensions": LIST, **query})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _count(client: TestClient, filters: list[dict[str, Any]]) -> int:
    return int(_query(client, filters=filters, limit=0)["total_rows"])


def _day(d: dt.date) -> str:
    return d.isoformat()


def test_all_patients_are_listed_with_total_rows(client_api: TestClient) -> None:
    body = _query(client_api, limit=50)
    assert body["total_rows"] == 4000
    assert len(body["rows"]) == 50
    assert body["meta"]["as_of"] == AS_OF.isoformat()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("973 592 4616", "+1-973-592-4616x5606"),
        ("909-644-9872", "(909)644-9872"),
        ("9096449872", "(909)644-9872"),
        ("(820) 957.8938", "820.957.8938"),
    ],
)
def test_search_finds_a_phone_by_its_digits_whatever_the_format(client_api: TestClient, typed: str,
                                                                 stored: str) -> None:
    body = _query(client_api, filters=[{"field": "patient.search", "op": "search", "value": typed}])
    assert stored in {row["patient.phone"] for row in body["rows"]}
    digits = "".join(c for c in typed if c.isdigit())
    assert all(digits in "".join(c for c in row["patient.phone"] if c.isdigit()) for row in body["rows"])


def test_search_by_name_and_email(client_api: TestClient) -> None:
    by_name = _query(client_api, filters=[{"field": "patient.search", "op": "search", "value": "nancy reed"}])
    assert by_name["rows"] and all(row["patient.name"].lower() == "nancy reed" for row in by_name["rows"])
    by_email = _query(client_api, filters=[{"field": "patient.search", "op": "search",
                                            "value": "hawkinsryan@example.com"}])
    assert "Nancy Reed" in {row["patient.name"] for row in by_email["rows"]}


def test_quick_view_counts_match_independent_sql(client_api: TestClient, truth: dict[str, dict[str, Any]]) -> None:
    start_of_month = AS_OF.replace(day=1)
    lapsed_before = dt.datetime.combine(AS_OF - dt.timedelta(days=89), dt.time())
    day_after = AS_OF + dt.timedelta(days=1)
    expected = {
        "today": sum(1 for t in truth.values() if t["last_visit"] and t["last_visit"].date() == AS_OF),
        "next7": sum(1 for t in truth.values()
                     if t["next_appt"] and day_after <= t["next_appt"].date() < AS_OF + dt.timedelta(days=8)),
        "new": sum(1 for t in truth.values()
                   if t["first_visit"] and start_of_month <= t["first_visit"].date() <= AS_OF),
        "lapsed": sum(1 for t in truth.values()
                      if t["last_visit"] and t["last_visit"] < lapsed_before and t["next_appt"] is None),
        "never": sum(1 for t in truth.values() if t["last_visit"] is None and t["next_appt"] is None),
        "unpaid": sum(1 for t in truth.values() if t["unpaid"] > 0),
    }
    views = {
        "today": [{"field": "patient.last_visit_at", "op": "gte", "value": _day(AS_OF)},
                  {"field": "patient.last_visit_at", "op": "lt", "value": _day(day_after)}],
        "next7": [{"field": "patient.next_appointment_at", "op": "gte", "value": _day(day_after)},
                  {"field": "patient.next_appointment_at", "op": "lt", "value": _day(AS_OF + dt.timedelta(days=8))}],
        "new": [{"field": "patient.first_visit_at", "op": "gte", "value": _day(start_of_month)},
                {"field": "patient.first_visit_at", "op": "lt", "value": _day(day_after)}],
        "lapsed": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
        "never": [{"field": "patient.first_visit_at", "op": "is_null"},
                  {"field": "patient.next_appointment_at", "op": "is_null"}],
        "unpaid": [{"field": "patient.unpaid_visit_count", "op": "gt", "value": 0}],
    }
    got = {name: _count(client_api, filters) for name, filters in views.items()}
    assert got == expected
    assert expected["lapsed"] > 100 and expected["never"] > 1000 and expected["next7"] > 10  # not vacuous


def test_sort_by_lifetime_spend(client_api: TestClient, truth: dict[str, dict[str, Any]]) -> None:
    body = _query(client_api, order=[{"field": "patient.lifetime_spend", "dir": "desc"}], limit=300)
    spends = [row["patient.lifetime_spend"] for row in body["rows"]]
    assert spends == sorted((t["spend"] for t in truth.values()), reverse=True)[:300]
    assert all(row["patient.lifetime_spend"] == truth[row["patient.id"]]["spend"] for row in body["rows"])


def test_sort_by_last_visit(client_api: TestClient, truth: dict[str, dict[str, Any]]) -> None:
    body = _query(client_api, order=[{"field": "patient.last_visit_at", "dir": "desc"}], limit=300)
    got = [row["patient.last_visit_at"] for row in body["rows"]]
    expected = sorted((t["last_visit"] for t in truth.values() if t["last_visit"]), reverse=True)[:300]
    assert [dt.datetime.fromisoformat(v) for v in got] == expected


@pytest.mark.parametrize("order_field", ["patient.lifetime_spend", "patient.last_visit_at", "patient.name"])
def test_pages_have_no_duplicates_or_gaps(client_api: TestClient, order_field: str) -> None:
    """Paging through heavy ties (lifetime spend 0, no last visit, repeated names) must still be stable."""
    seen: list[str] = []
    for offset in range(0, 4000, 700):
        body = _query(client_api, order=[{"field": order_field, "dir": "desc"}], limit=700, offset=offset)
        assert body["total_rows"] == 4000
        seen.extend(row["patient.id"] for row in body["rows"])
    assert len(seen) == 4000
    assert len(set(seen)) == 4000


def test_the_record_shows_the_same_figures_as_independent_sql(client_api: TestClient,
                                                               truth: dict[str, dict[str, Any]]) -> None:
    """The record's figures are the table's (both from the engine) and match SQL written here."""
    ids = sorted(truth)
    sample = [*ids[::97], next(i for i in ids if truth[i]["next_appt"] is not None)]
    for patient_id in sample:
        response = client_api.get(f"/api/patients/{patient_id}")
        assert response.status_code == 200, response.text
        record = response.json()
        stats, t = record["stats"], truth[patient_id]

        def at(value: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(value) if value else None

        assert stats["lifetime_spend"] == t["spend"]
        assert at(stats["last_visit_at"]) == t["last_visit"]
        assert at(stats["first_visit_at"]) == t["first_visit"]
        assert at(stats["next_appointment_at"]) == t["next_appt"]
        assert stats["unpaid_visit_count"] == t["unpaid"]
        visits = [a for a in record["appointments"] if a["is_visit"]]
        assert stats["visit_count"] == len(visits)
    assert client_api.get("/api/patients/pat_nobody").status_code == 404
