"""The front desk's day (GET /api/schedule) and money owed (appointment.amount_due, amount_due,
patient.balance_due), on generated data anchored at a moment: today's appointments are upcoming, never unpaid
visits; what the schedule and the record say is owed is what the engine says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from tests.conftest import create_key, signed_in_client
from tests.generated import ANCHOR


def _query(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/query", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _day(day: dt.date) -> list[str]:
    return [day.isoformat(), (day + dt.timedelta(days=1)).isoformat()]


def test_the_manifest_moment_is_the_data_as_of(manager: TestClient) -> None:
    assert manager.get("/api/catalog").json()["as_of"] == f"{ANCHOR.isoformat()}T00:00"
    meta = _query(manager, {"measures": ["visit_count"], "time": {"range": "today"}})["meta"]
    assert meta["as_of"] == f"{ANCHOR.isoformat()}T00:00"
    assert meta["range"] == {"start": ANCHOR.isoformat(), "end": (ANCHOR + dt.timedelta(days=1)).isoformat()}


def test_todays_appointments_are_upcoming_not_unpaid_visits(manager: TestClient) -> None:
    today = _query(manager, {"measures": ["visit_count", "unpaid_visit_count", "upcoming_appointment_count",
                                         "amount_due"], "time": {"range": "today"}})["rows"][0]
    assert today["visit_count"] == 0 and today["unpaid_visit_count"] == 0 and today["amount_due"] == 0
    assert today["upcoming_appointment_count"] > 0


def test_a_moment_as_of_counts_the_day_up_to_it(manager: TestClient) -> None:
    """The day before the anchor: as a date, its whole day is visits; at noon, only the morning is."""
    day = ANCHOR - dt.timedelta(days=1)

    def visits(as_of: str) -> int:
        body = {"measures": ["visit_count"], "time": {"range": _day(day)}, "as_of": as_of}
        return int(_query(manager, body)["rows"][0]["visit_count"])

    whole, noon, dawn = visits(day.isoformat()), visits(f"{day.isoformat()}T12:00"), visits(f"{day}T00:00")
    listing = _query(manager, {"dimensions": ["appointment.id", "appointment.start_at", "appointment.status"],
                               "time": {"dimension": "appointment.start_at", "range": _day(day)}, "limit": 500})
    live = [r for r in listing["rows"] if r["appointment.status"] != "cancelled"]
    assert whole == len(live) > 0
    assert noon == sum(r["appointment.start_at"] <= f"{day.isoformat()}T12:00:00" for r in live)
    assert 0 == dawn < noon < whole


def test_the_schedule_lists_the_day_in_time_order(front_desk: TestClient) -> None:
    response = front_desk.get("/api/schedule")
    assert response.status_code == 200, response.text
    day = response.json()
    assert day["date"] == ANCHOR.isoformat() and day["as_of"] == f"{ANCHOR.isoformat()}T00:00"
    appointments = day["appointments"]
    assert len(appointments) > 3
    starts = [(a["start_at"], a["id"]) for a in appointments]
    assert starts == sorted(starts)
    for a in appointments:
        assert a["start_at"].startswith(ANCHOR.isoformat()) and a["patient_name"] and a["phone"] and a["lines"]
        assert a["amount_due"] is None and not a["is_visit"]  # today's: still to come
        assert a["is_upcoming"] == (a["status"] != "cancelled")
        assert a["start_at"] == min(line["start"] for line in a["lines"])
    assert day["next_arrival_id"] == next(a["id"] for a in appointments if a["is_upcoming"])


def test_schedule_amounts_are_the_engines(manager: TestClient, front_desk: TestClient) -> None:
    """Over the past week: every appointment's amount_due and paid state equal the catalog's dimensions."""
    checked = 0
    for back in range(1, 8):
        day = ANCHOR - dt.timedelta(days=back)
        schedule = front_desk.get("/api/schedule", params={"date": day.isoformat()}).json()
        engine = _query(manager, {
            "dimensions": ["appointment.id", "appointment.amount_due", "appointment.is_paid",
                           "appointment.is_visit"],
            "time": {"dimension": "appointment.start_at", "range": _day(day)}, "limit": 1000})
        want = {r["appointment.id"]: (r["appointment.amount_due"], r["appointment.is_paid"],
                                      r["appointment.is_visit"]) for r in engine["rows"]}
        got = {a["id"]: (a["amount_due"], a["is_paid"], a["is_visit"]) for a in schedule["appointments"]}
        assert got == want, day
        assert schedule["next_arrival_id"] is None  # not as_of's day
        checked += sum(1 for a in schedule["appointments"] if a["amount_due"])
    assert checked > 0  # some of those days owe something


def test_pending_and_failed_payments_pay_nothing(manager: TestClient, generated_url: str) -> None:
    async def unpaid() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(generated_url)
        try:
            return await conn.fetch("SELECT appointment_id, status FROM payments WHERE status <> 'paid' LIMIT 40")
        finally:
            await conn.close()

    import asyncio

    rows = asyncio.run(unpaid())
    assert {r["status"] for r in rows} == {"pending", "failed"}
    ids = [r["appointment_id"] for r in rows]
    engine = _query(manager, {"dimensions": ["appointment.id", "appointment.amount_due", "appointment.list_amount"],
                              "filters": [{"field": "appointment.id", "op": "in", "values": ids}], "limit": 100})
    assert len(engine["rows"]) == len(ids)
    for row in engine["rows"]:
        assert row["appointment.amount_due"] == row["appointment.list_amount"] > 0


def test_balance_due_adds_up_everywhere(manager: TestClient, front_desk: TestClient) -> None:
    """The measure over all time = the patients' balances = the record's per-appointment amounts."""
    total = _query(manager, {"measures": ["amount_due"]})["rows"][0]["amount_due"]
    owing = _query(front_desk, {
        "dimensions": ["patient.id", "patient.balance_due", "patient.unpaid_visit_count"],
        "filters": [{"field": "patient.balance_due", "op": "gt", "value": 0}],
        "order": [{"field": "patient.balance_due", "dir": "desc"}], "limit": 5000})["rows"]
    assert total > 0 and sum(r["patient.balance_due"] for r in owing) == total
    # owing something is having an unpaid visit (every service has a price)
    unpaid = _query(front_desk, {"dimensions": ["patient.id"], "filters": [
        {"field": "patient.unpaid_visit_count", "op": "gt", "value": 0}], "limit": 0})["total_rows"]
    assert unpaid == len(owing)
    for row in owing[:5]:
        record = front_desk.get(f"/api/patients/{row['patient.id']}").json()
        assert record["stats"]["balance_due"] == row["patient.balance_due"]
        marked = [a for a in record["appointments"] if a["amount_due"]]
        assert sum(a["amount_due"] for a in marked) == row["patient.balance_due"]
        assert len(marked) == record["stats"]["unpaid_visit_count"]  # "3 unpaid" marks 3


def test_the_schedule_is_audited_and_for_staff_only(generated_url: str, front_desk: TestClient) -> None:
    front_desk.get("/api/schedule", params={"date": "2025-11-20"})
    with signed_in_client(generated_url) as manager:
        events = manager.get("/api/audit", params={"action": "view_schedule"}).json()["events"]
        assert events and events[0]["role"] == "front_desk" and events[0]["row_count"] is not None
    with signed_in_client(generated_url, None) as anonymous:
        assert anonymous.get("/api/schedule").status_code == 401
    key = create_key(generated_url, "schedule-agent", "agent")
    with signed_in_client(generated_url, None) as agent:
        response = agent.get("/api/schedule", headers={"authorization": f"Bearer {key}"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("value", ["2025-13-01", "tomorrow", "2025-11-26T25:00"])
def test_an_as_of_that_is_no_date_nor_moment_is_refused(manager: TestClient, value: str) -> None:
    response = manager.post("/api/query", json={"measures": ["visit_count"], "as_of": value})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_as_of"


def test_the_audit_trail_names_the_patient_for_the_manager(generated_url: str, front_desk: TestClient) -> None:
    row = _query(front_desk, {"dimensions": ["patient.id", "patient.name"], "limit": 1})["rows"][0]
    assert front_desk.get(f"/api/patients/{row['patient.id']}").status_code == 200
    with signed_in_client(generated_url) as manager:
        events = manager.get("/api/audit", params={"action": "view_patient", "patient_id": row["patient.id"]})
        assert events.json()["events"][0]["patient_name"] == row["patient.name"]
