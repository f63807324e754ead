"""patient_summary is generated from the catalog: the stored facts equal the inline computation."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg

from semantic import Context, Query, compile_query, default_catalog, dialect, refresh_statements

FACTS = [d.name for d in default_catalog().dimensions.values() if d.materialized and d.entity == "patient"]


def _listing(as_of: dt.date, summary_as_of: dt.date | None) -> tuple[str, tuple[Any, ...]]:
    query = Query.model_validate({"dimensions": ["patient.id", *FACTS], "limit": 10_000})
    compiled = compile_query(query, default_catalog(), Context(as_of=as_of, summary_as_of=summary_as_of),
                             use_cache=False)
    return compiled.sql, compiled.params


async def _rows(conn: asyncpg.Connection, as_of: dt.date, summary_as_of: dt.date | None) -> list[tuple[Any, ...]]:
    sql, params = _listing(as_of, summary_as_of)
    assert ("patient_summary" in sql) == (summary_as_of == as_of)
    return [tuple(r) for r in await conn.fetch(sql, *params)]


def _refresh(as_of: dt.date) -> list[tuple[str, str, tuple[Any, ...]]]:
    """Each entity summary's refresh statement for `as_of`: (table, SQL, parameters)."""
    catalog = default_catalog()
    return [(m.name, s.tree.sql(dialect="postgres"), s.params)
            for m, s in refresh_statements(catalog, as_of, dialect("postgres"), kinds=("summary",))]


async def refresh_summaries(conn: asyncpg.Connection, as_of: dt.date) -> None:
    """Rebuild every entity summary for `as_of` in place, inside the caller's transaction."""
    for table, sql, params in _refresh(as_of):
        await conn.execute(f'TRUNCATE "{table}"')
        await conn.execute(sql, *params)


def test_every_summary_column_is_generated():
    statements = _refresh(dt.date(2025, 11, 26))
    assert [t for t, _, _ in statements] == ["patient_summary", "appointment_summary", "service_line_summary"]
    assert statements[0][1].startswith('INSERT INTO "patient_summary"')
    assert statements[0][2][0] == dt.date(2025, 11, 26)
    assert len(FACTS) == 13


def test_summary_rows_equal_the_inline_computation(client_db_url):
    async def check() -> None:
        conn = await asyncpg.connect(client_db_url)
        try:
            as_of = await conn.fetchval("SELECT as_of FROM patient_summary LIMIT 1")
            assert as_of == dt.date(2025, 11, 26)
            stored = await _rows(conn, as_of, as_of)
            inline = await _rows(conn, as_of, None)
            assert len(stored) == 4000 and stored == inline
            # refreshed for another as_of (rolled back), the summary equals that as_of's inline facts
            other = dt.date(2025, 6, 30)
            tr = conn.transaction()
            await tr.start()
            try:
                await refresh_summaries(conn, other)
                assert await conn.fetchval("SELECT count(DISTINCT as_of) FROM patient_summary") == 1
                assert await _rows(conn, other, other) == await _rows(conn, other, None)
            finally:
                await tr.rollback()
        finally:
            await conn.close()

    asyncio.run(check())


def test_stored_appointment_facts_and_line_allocation_equal_the_inline_computation(client_db_url):
    """appointment_summary (start, end, paid amount) and service_line_summary (allocated revenue) give the
    numbers the inline definitions give, for the queries that read them most."""
    queries = [
        {"measures": ["line_revenue", "service_line_count", "booked_hours"], "dimensions": ["service.name"],
         "time": {"range": "last_12_months"}},
        {"measures": ["line_revenue", "revenue_per_booked_hour"], "dimensions": ["provider.name"]},
        {"measures": ["visit_count", "revenue", "cancellation_rate"],
         "time": {"grain": "month", "range": "last_12_months"}},
        {"measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"]},
        {"dimensions": ["appointment.id", "appointment.start_at", "appointment.end_at", "appointment.paid_amount"],
         "limit": 10_000},
        {"dimensions": ["service_line.id", "service_line.allocated_revenue"], "limit": 10_000},
    ]

    async def check() -> None:
        conn = await asyncpg.connect(client_db_url)
        try:
            as_of = await conn.fetchval("SELECT as_of FROM appointment_summary LIMIT 1")
            assert as_of == dt.date(2025, 11, 26)
            for body in queries:
                query = Query.model_validate(body)
                stored = compile_query(query, default_catalog(), Context(as_of=as_of, summary_as_of=as_of),
                                       use_cache=False)
                inline = compile_query(query, default_catalog(), Context(as_of=as_of), use_cache=False)
                assert "_summary" in stored.sql and "appointment_summary" not in inline.sql
                assert "service_line_summary" not in inline.sql
                got = [tuple(r) for r in await conn.fetch(stored.sql, *stored.params)]
                want = [tuple(r) for r in await conn.fetch(inline.sql, *inline.params)]
                assert got and got == want, body
        finally:
            await conn.close()

    asyncio.run(check())


def test_patient_summary_has_one_complete_row_per_patient(client_db_url):
    """Listings INNER JOIN patient_summary and read its totals without COALESCE (semantic/render/scope.py):
    that is only right while the refresh writes a row for every patient with the totals' defaults applied."""

    async def check() -> None:
        conn = await asyncpg.connect(client_db_url)
        try:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM patients) AS patients, count(*) AS summaries, "
                "count(*) FILTER (WHERE visit_count IS NULL OR lifetime_spend IS NULL OR paid_payment_count IS NULL "
                "OR unpaid_visit_count IS NULL) AS missing_totals FROM patient_summary")
            assert row["patients"] == row["summaries"] == 4000 and row["missing_totals"] == 0
        finally:
            await conn.close()

    asyncio.run(check())
