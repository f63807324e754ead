"""The DuckDB rendering of the catalog's harder members gives PostgreSQL's rows, in the same order.

Complements tests/contract/test_duckdb_parity.py (the contract's measures) with the engine's own
machinery: windows (rebooking, days between visits), picks (next appointment service), rollups,
the allocation, cohorts, bands, search with escapes, gap filling, compare, having, and inline
per-patient facts for another as_of.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import asyncpg
import duckdb
import pytest

from semantic import Context, Query, compile_query, default_catalog
from tests.contract.duck import copy_postgres_to_duckdb, plain

QUERIES: list[dict[str, Any]] = [
    {"measures": ["lapsed_patient_count", "upcoming_appointment_count", "rebooking_rate", "median_days_between_visits",
                  "revenue_per_booked_hour", "average_visits_per_patient", "failed_payment_count"]},
    {"measures": ["retained_patient_count"],
     "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"], "limit": 10_000},
    {"measures": ["patient_count"], "dimensions": ["patient.age_band", "patient.age"], "limit": 10_000},
    {"measures": ["line_revenue", "booked_hours"], "dimensions": ["provider.name", "service.name"],
     "time": {"grain": "quarter", "range": "this_year", "compare": "previous_period"}, "limit": 10_000},
    {"measures": ["cancellation_rate", "active_patient_count"], "dimensions": ["service.name"]},
    {"measures": ["rebooking_rate", "returning_patient_rate"], "dimensions": ["patient.source"],
     "time": {"grain": "month", "range": "last_12_months"}, "limit": 10_000},
    {"dimensions": ["patient.id", "patient.name", "patient.next_appointment_service",
                    "patient.next_appointment_provider", "patient.last_visit_service", "patient.days_since_last_visit",
                    "patient.is_lapsed"],
     "order": [{"field": "patient.days_since_last_visit", "dir": "desc"}], "limit": 10_000},
    {"dimensions": ["patient.id", "patient.next_appointment_service", "patient.last_visit_service",
                    "patient.visit_count"], "as_of": "2025-05-31", "limit": 10_000},
    {"dimensions": ["patient.id", "patient.phone"],
     "filters": [{"field": "patient.search", "op": "search", "value": "909 644"}]},
    {"measures": ["visit_count"], "filters": [{"field": "service.name", "op": "contains", "value": "o_x%"},
                                              {"field": "appointment.start_at", "op": "lte", "value": "2025-06-30"}]},
    {"measures": ["new_patient_count"], "dimensions": ["patient.gender"],
     "time": {"grain": "week", "range": ["2025-01-01", "2025-03-01"]}, "limit": 10_000},
    {"measures": ["appointment_count"], "dimensions": ["appointment.lead_time_days"],
     "having": [{"field": "appointment_count", "op": "gt", "value": 10}], "limit": 10_000},
    {"dimensions": ["appointment.id", "appointment.start_at", "appointment.end_at", "appointment.first_service",
                    "appointment.paid_amount", "appointment.days_to_next_appointment"],
     "order": [{"field": "appointment.start_at", "dir": "desc"}], "limit": 10_000},
    {"dimensions": ["service_line.id", "service_line.allocated_revenue", "service_line.duration_hours"],
     "limit": 10_000},
]


@pytest.fixture(scope="module")
def duck(client_db_url) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    copy_postgres_to_duckdb(client_db_url, connection)
    yield connection
    connection.close()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_duckdb_rows_equal_postgres_rows(client_db_url, duck, query):
    async def postgres() -> tuple[list[tuple[Any, ...]], dt.date]:
        conn = await asyncpg.connect(client_db_url)
        try:
            summary: dt.date = await conn.fetchval("SELECT as_of FROM patient_summary LIMIT 1")
            ctx = Context(as_of=dt.date.fromisoformat(query["as_of"]) if "as_of" in query else summary,
                          summary_as_of=summary)
            compiled = compile_query(Query.model_validate(query), default_catalog(), ctx)
            return [tuple(r) for r in await conn.fetch(compiled.sql, *compiled.params)], summary
        finally:
            await conn.close()

    rows, summary = asyncio.run(postgres())
    ctx = Context(as_of=dt.date.fromisoformat(query["as_of"]) if "as_of" in query else summary, summary_as_of=summary)
    sql = compile_query(Query.model_validate(query), default_catalog(), ctx, "duckdb", inline=True).sql
    duck_rows = duck.execute(sql).fetchall()
    assert len(duck_rows) == len(rows) > 0
    diffs = [(i, p, d) for i, (p, d) in enumerate(zip(rows, duck_rows, strict=True))
             if not all(_same(plain(x), plain(y)) for x, y in zip(p, d, strict=True))]
    assert not diffs, diffs[:3]
