"""The audit trail: record views, patient searches, listings and exports are written, with who, when, from
where and how many rows, and nothing about the patient beyond the id of a viewed record."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import asyncpg
import pytest

from tests.security.conftest import USERS, Callers, run_db

# Every column of audit_events. A new column must be looked at here (it must not hold patient data).
# `detail`: an agent's query as sent (agents may not name a personal member: refused before it runs);
# `suppressed_rows`: how many rows small-group suppression left out of an agent's answer. Both stay empty for
# every other action (checked below).
AUDIT_COLUMNS = ["id", "at", "actor", "role", "action", "patient_id", "row_count", "client_addr", "request_id",
                 "detail", "suppressed_rows"]
LISTING: dict[str, Any] = {"dimensions": ["patient.id", "patient.name", "patient.phone", "patient.email"],
                           "order": [{"field": "patient.last_name", "dir": "asc"}], "limit": 100}


def _last_id(callers: Callers) -> int:
    return int(run_db(callers.url, lambda c: c.fetchval("SELECT coalesce(max(id), 0) FROM audit_events")))


def _rows_since(callers: Callers, since: int) -> list[dict[str, Any]]:
    async def fetch(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        rows = await conn.fetch("SELECT * FROM audit_events WHERE id > $1 AND actor = ANY($2) ORDER BY id",
                                since, [*USERS.values(), "key:sec_agent"])
        return [dict(r) for r in rows]

    rows: list[dict[str, Any]] = run_db(callers.url, fetch)
    for row in rows:
        assert list(row) == AUDIT_COLUMNS
        if row["action"] != "agent_query":
            assert row["detail"] is None and row["suppressed_rows"] is None, row
    return rows


def _no_patient_data(callers: Callers, rows: list[dict[str, Any]], *extra: str) -> None:
    p = callers.patient
    digits = "".join(ch for ch in p.phone if ch.isdigit())
    secrets = [p.first_name, p.last_name, p.email, p.phone, digits[-7:], *extra]
    for row in rows:
        text = json.dumps({k: v for k, v in row.items() if k != "patient_id"}, default=str).lower()
        for secret in secrets:
            assert secret.lower() not in text, (secret, row)


def test_a_record_view_is_audited_with_the_patient_id_only(callers: Callers) -> None:
    since = _last_id(callers)
    assert callers.call("front_desk", "GET", f"/api/patients/{callers.patient.id}").status_code == 200
    assert callers.call("front_desk", "GET", "/api/patients/pat_does_not_exist").status_code == 404
    rows = _rows_since(callers, since)
    assert [(r["action"], r["actor"], r["role"], r["patient_id"], r["row_count"]) for r in rows] == [
        ("view_patient", USERS["front_desk"], "front_desk", callers.patient.id, None)]
    assert rows[0]["request_id"] and rows[0]["client_addr"]
    _no_patient_data(callers, rows)


@pytest.mark.parametrize("role", ["front_desk", "manager"])
def test_a_search_is_audited_without_its_text(callers: Callers, role: str) -> None:
    since = _last_id(callers)
    text = callers.patient.last_name
    body = {"dimensions": ["patient.id", "patient.name"], "limit": 20,
            "filters": [{"field": "patient.search", "op": "search", "value": text}]}
    response = callers.call(role, "POST", "/api/query", json=body)
    assert response.status_code == 200
    found = response.json()["rows"]
    assert callers.patient.id in {r["patient.id"] for r in found}
    rows = _rows_since(callers, since)
    assert [(r["action"], r["role"], r["patient_id"], r["row_count"]) for r in rows] == [
        ("search_patients", role, None, len(found))]
    _no_patient_data(callers, rows, text)


def test_a_listing_is_audited_with_its_row_count(callers: Callers) -> None:
    since = _last_id(callers)
    response = callers.call("front_desk", "POST", "/api/query", json=LISTING)
    assert response.status_code == 200 and len(response.json()["rows"]) == 100
    rows = _rows_since(callers, since)
    assert [(r["action"], r["row_count"], r["patient_id"]) for r in rows] == [("list_patients", 100, None)]
    _no_patient_data(callers, rows)


@pytest.mark.parametrize(("name", "role", "body"), [
    ("a count-only query returns no rows", "front_desk", {"dimensions": ["patient.id"], "limit": 0}),
    ("a count-only search returns no rows", "front_desk", {"dimensions": ["patient.id"], "limit": 0, "filters": [
        {"field": "patient.search", "op": "search", "value": "an"}]}),
    ("analytics shows no patient", "manager", {"measures": ["revenue"], "dimensions": ["patient.source"]}),
    ("distinct non-identifying values", "front_desk", {"dimensions": ["patient.source"]}),
])
def test_queries_that_show_no_patient_are_not_audited(callers: Callers, name: str, role: str,
                                                      body: dict[str, Any]) -> None:
    since = _last_id(callers)
    assert callers.call(role, "POST", "/api/query", json=body).status_code == 200
    assert _rows_since(callers, since) == []


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_an_export_returns_every_row_as_csv_and_is_audited(callers: Callers) -> None:
    body = {"dimensions": ["patient.id", "patient.name", "patient.phone", "patient.lifetime_spend",
                           "patient.next_appointment_at", "patient.is_lapsed"],
            "filters": [{"field": "patient.created_at", "op": "is_not_null"}],
            "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 7, "offset": 3}
    since = _last_id(callers)
    response = callers.call("front_desk", "POST", "/api/patients/export", json=body)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="patients-')
    table = _csv(response.text)
    assert response.text.endswith("\r\n")
    header, rows = table[0], table[1:]
    assert header == ["Patient ID", "Patient name", "Phone", "Lifetime spend (USD)", "Next appointment", "Lapsed"]
    audit = _rows_since(callers, since)
    assert [(r["action"], r["role"], r["row_count"], r["patient_id"]) for r in audit] == [
        ("export_patients", "front_desk", len(rows), None)]
    _no_patient_data(callers, audit)

    # the same rows as the query API in one page, whatever limit/offset said (the app pages by 1,500 here)
    full = callers.call("manager", "POST", "/api/query", json={**body, "limit": 10_000, "offset": 0}).json()
    assert full["total_rows"] > 1500 * 2, "the export must span several pages for this test to mean anything"
    assert len(rows) == full["total_rows"] == int(response.headers["x-total-rows"])
    assert [r[0] for r in rows] == [r["patient.id"] for r in full["rows"]]
    for line, expected in zip(rows, full["rows"], strict=True):
        phone = expected["patient.phone"]
        assert line[2] == ("'" + phone if phone[:1] in "=+-@" else phone)  # spreadsheet formula guard
        assert line[3] == f"{expected['patient.lifetime_spend'] // 100}.{expected['patient.lifetime_spend'] % 100:02d}"
        assert line[4] == (expected["patient.next_appointment_at"] or "")
        assert line[5] == ("true" if expected["patient.is_lapsed"] else "false")


def test_an_export_ignores_the_cursor_of_the_page_on_screen(callers: Callers) -> None:
    """The table's Next sends `after`; an export of that view is still every matching row."""
    body = {"dimensions": ["patient.id", "patient.name"], "order": [{"field": "patient.name", "dir": "asc"}],
            "limit": 5}
    page = callers.call("manager", "POST", "/api/query", json=body).json()
    cursor = page["meta"]["next_cursor"]
    assert cursor
    response = callers.call("manager", "POST", "/api/patients/export", json={**body, "after": cursor})
    assert response.status_code == 200, response.text[:300]
    rows = _csv(response.text)[1:]
    assert len(rows) == page["total_rows"] == int(response.headers["x-total-rows"])
    assert rows[0][0] == page["rows"][0]["patient.id"]


def test_an_export_of_a_search_keeps_the_text_out_of_the_audit(callers: Callers) -> None:
    since = _last_id(callers)
    text = callers.patient.email
    response = callers.call("manager", "POST", "/api/patients/export", json={
        "dimensions": ["patient.id", "patient.email"],
        "filters": [{"field": "patient.search", "op": "search", "value": text}]})
    assert response.status_code == 200
    rows = _csv(response.text)[1:]
    assert [callers.patient.id, callers.patient.email] in rows
    audit = _rows_since(callers, since)
    assert [(r["action"], r["row_count"]) for r in audit] == [("export_patients", len(rows))]
    _no_patient_data(callers, audit, text)


@pytest.mark.parametrize(("role", "body", "status", "code"), [
    ("manager", {"measures": ["revenue"], "dimensions": ["patient.source"]}, 400, "invalid_query"),
    ("manager", {"dimensions": ["patient.id", "appointment.status"]}, 400, "invalid_query"),
    ("manager", {"dimensions": []}, 400, "invalid_query"),
    ("manager", {"dimensions": ["patient.nope"]}, 400, "unknown_member"),
    ("front_desk", {"dimensions": ["patient.id"], "filters": [
        {"field": "payment.method", "op": "equals", "value": "cash"}]}, 400, "forbidden_member"),
    ("manager", {"dimensions": "patient.id"}, 422, "invalid_request"),
    ("agent", {"dimensions": ["patient.source"]}, 403, "forbidden"),
    ("anonymous", {"dimensions": ["patient.id"]}, 401, "unauthenticated"),
])
def test_exports_that_are_not_patient_listings_are_refused_and_not_audited(
        callers: Callers, role: str, body: dict[str, Any], status: int, code: str) -> None:
    since = _last_id(callers)
    response = callers.call(role, "POST", "/api/patients/export", json=body)
    assert response.status_code == status, response.text[:300]
    assert response.json()["error"]["code"] == code
    assert _rows_since(callers, since) == []


def test_managers_read_the_trail_newest_first(callers: Callers) -> None:
    callers.call("front_desk", "GET", f"/api/patients/{callers.patient.id}")
    page = callers.call("manager", "GET", "/api/audit", params={"patient_id": callers.patient.id, "limit": 5})
    assert page.status_code == 200
    events = page.json()["events"]
    assert events and events[0]["action"] == "view_patient" and events[0]["actor"] == USERS["front_desk"]
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    searches = callers.call("manager", "GET", "/api/audit", params={"action": "search_patients"}).json()
    assert all(e["action"] == "search_patients" and e["patient_id"] is None for e in searches["events"])


def test_the_trail_is_append_only(callers: Callers) -> None:
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events",
                      "TRUNCATE audit_events"):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            run_db(callers.url, lambda c, s=statement: c.execute(s))  # type: ignore[misc]
