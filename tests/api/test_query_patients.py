"""The patient table: a dimensions-only query over patients, searched, filtered, sorted and paged."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import asyncpg
import pytest

COLUMNS = ["patient.id", "patient.name", "patient.phone", "patient.visit_count", "patient.lifetime_spend",
           "patient.last_visit_at", "patient.next_appointment_at"]


def run(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/query", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(go())


def search(client: Any, text: str) -> set[str]:
    body = run(client, {"dimensions": ["patient.id", "patient.phone"],
                        "filters": [{"field": "patient.search", "op": "search", "value": text}], "limit": 10_000})
    assert body["total_rows"] == len(body["rows"])
    return {row["patient.phone"] for row in body["rows"]}


@pytest.mark.parametrize(("typed", "stored"), [
    ("909 644 9872", "(909)644-9872"),
    ("909.644.9872", "(909)644-9872"),
    ("(909) 644-9872", "(909)644-9872"),
    ("973 592 4616", "+1-973-592-4616x5606"),
    ("9735924616", "+1-973-592-4616x5606"),
])
def test_search_finds_a_phone_by_its_digits_whatever_the_format(client_api, typed, stored):
    assert stored in search(client_api, typed)


def test_search_by_name_and_email_words_in_any_order(client_api):
    rows = run(client_api, {"dimensions": ["patient.id", "patient.name", "patient.email"],
                            "filters": [{"field": "patient.search", "op": "search", "value": "Smith Betty"}]})["rows"]
    assert rows and all("betty" in r["patient.name"].lower() or "betty" in r["patient.email"] for r in rows)
    assert all("smith" in (r["patient.name"] + r["patient.email"]).lower() for r in rows)
    by_email = run(client_api, {"dimensions": ["patient.id", "patient.email"], "filters": [
        {"field": "patient.search", "op": "search", "value": "TylerWalker@Example.org"}]})["rows"]
    assert "tylerwalker@example.org" in {r["patient.email"] for r in by_email}


@pytest.fixture(scope="module")
def phone_book(make_database) -> str:
    """A database with a handful of patients whose phones are typed in different formats."""
    url: str = make_database()
    phones = ["(555)123-4567", "+1-555-123-4567x89", "555.987.0000", "001-555-123-9999", "4158881234"]

    async def fill() -> None:
        conn = await asyncpg.connect(url)
        try:
            for i, phone in enumerate(phones):
                await conn.execute(
                    "INSERT INTO patients (id, first_name, last_name, date_of_birth, gender, source, address, phone, "
                    "email, created_date) VALUES ($1, $2, 'Doe', '1990-01-01', 'female', 'google', 'x', $3, $4, $5)",
                    f"pat_{i:016d}", f"Ann{i}", phone, f"ann{i}@example.com", dt.datetime(2025, 1, 1))
        finally:
            await conn.close()

    asyncio.run(fill())
    return url


def test_search_by_digits_on_hand_made_phones(api_for, phone_book):
    with api_for(phone_book) as client:
        assert search(client, "555 123 4567") == {"(555)123-4567", "+1-555-123-4567x89"}
        assert search(client, "555-123") == {"(555)123-4567", "+1-555-123-4567x89", "001-555-123-9999"}
        assert search(client, "ann3 555") == {"001-555-123-9999"}  # words and digits together
        assert search(client, "12") == set()  # two digits: no phone match, and no name has them
        assert search(client, "%") == set() and search(client, "_") == set()  # wildcards are literal


def test_patient_table_pages_are_ordered_deterministically(client_api):
    order = [{"field": "patient.lifetime_spend", "dir": "desc"}]
    full = run(client_api, {"dimensions": COLUMNS, "order": order, "limit": 150})
    pages = [run(client_api, {"dimensions": COLUMNS, "order": order, "limit": 50, "offset": offset})
             for offset in (0, 50, 100)]
    assert all(p["total_rows"] == 4000 for p in [full, *pages])
    assert [r["patient.id"] for p in pages for r in p["rows"]] == [r["patient.id"] for r in full["rows"]]
    rows = full["rows"]
    for a, b in itertools.pairwise(rows):  # spend descending, ties by patient id
        assert (a["patient.lifetime_spend"], b["patient.id"]) >= (b["patient.lifetime_spend"], a["patient.id"])
    assert [c["name"] for c in full["columns"]] == COLUMNS
    spend = next(c for c in full["columns"] if c["name"] == "patient.lifetime_spend")
    assert spend["unit"] == "cents" and spend["kind"] == "dimension"
    assert next(c for c in full["columns"] if c["name"] == "patient.last_visit_at")["kind"] == "time"


def test_past_the_last_page_still_counts_the_rows(client_api):
    body = run(client_api, {"dimensions": ["patient.id"], "limit": 50, "offset": 5000})
    assert body["rows"] == [] and body["total_rows"] == 4000
    assert run(client_api, {"dimensions": ["patient.id"], "limit": 0})["total_rows"] == 4000


def test_sorting_by_a_patient_fact_that_is_not_shown(client_api):
    body = run(client_api, {"dimensions": ["patient.id", "patient.name"],
                            "order": [{"field": "patient.next_appointment_at", "dir": "asc"}], "limit": 5})
    assert set(body["rows"][0]) == {"patient.id", "patient.name"}
    shown = run(client_api, {"dimensions": ["patient.id", "patient.next_appointment_at"],
                             "order": [{"field": "patient.next_appointment_at", "dir": "asc"}], "limit": 5})
    assert [r["patient.id"] for r in body["rows"]] == [r["patient.id"] for r in shown["rows"]]
    assert shown["rows"][0]["patient.next_appointment_at"] > "2025-11-26"


def test_filter_on_a_service_means_patients_who_had_it(client_api, client_db_url):
    body = run(client_api, {"dimensions": ["patient.id"], "limit": 10_000, "filters": [
        {"field": "service.name", "op": "in", "values": ["Botox Injection"]},
        {"field": "patient.visit_count", "op": "gte", "value": 2}]})
    expected = fetch(client_db_url, """
        SELECT DISTINCT a.patient_id FROM appointments a
        JOIN appointment_services l ON l.appointment_id = a.id JOIN services s ON s.id = l.service_id
        JOIN patient_summary ps ON ps.patient_id = a.patient_id
        WHERE s.name = 'Botox Injection' AND ps.visit_count >= 2""")
    assert {r["patient.id"] for r in body["rows"]} == {r["patient_id"] for r in expected}
    assert body["total_rows"] == len(expected) > 0


def test_distinct_values_of_a_dimension(client_api):
    body = run(client_api, {"dimensions": ["patient.source"]})
    assert [r["patient.source"] for r in body["rows"]] == sorted(
        ["google", "in_person", "instagram", "phone", "tiktok", "website"])
    lines = run(client_api, {"dimensions": ["service.name", "provider.name"], "limit": 10_000})
    assert lines["total_rows"] == len({(r["service.name"], r["provider.name"]) for r in lines["rows"]})


def test_patient_facts_follow_as_of(client_api, client_db_url):
    body = run(client_api, {"dimensions": ["patient.id", "patient.visit_count", "patient.next_appointment_at"],
                            "as_of": "2025-06-30", "limit": 10_000,
                            "order": [{"field": "patient.visit_count", "dir": "desc"}]})
    assert body["meta"]["as_of"] == "2025-06-30"
    [expected] = fetch(client_db_url, """
        WITH a AS (SELECT a.id, a.patient_id, a.status, min(l.start) AS s FROM appointments a
                   JOIN appointment_services l ON l.appointment_id = a.id GROUP BY a.id)
        SELECT count(*) FILTER (WHERE status <> 'cancelled' AND s < '2025-07-01') AS visits FROM a""")
    assert sum(r["patient.visit_count"] for r in body["rows"]) == expected["visits"]
    assert all(r["patient.next_appointment_at"] is None or r["patient.next_appointment_at"] >= "2025-07-01"
               for r in body["rows"])
