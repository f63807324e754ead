"""Beyond one machine: the same catalog over a Parquet "warehouse" gives `/api/query`'s rows.

The tables (base data and the summaries the loader builds) are exported to Parquet files, DuckDB
reads them through views, and the SQL the engine compiles for DuckDB (`POST /api/query/sql?dialect=
duckdb`, its parameterized statement and bound values) is run there: the rows equal PostgreSQL's
as the API returns them. This is how a warehouse (or a lake of Parquet files) would serve the
dashboard from the same definitions; see docs/scaling.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.contract.duck import copy_postgres_to_duckdb, plain

QUERIES: list[dict[str, Any]] = [
    {"measures": ["revenue", "visit_count", "new_patient_count", "average_ticket", "returning_patient_rate",
                  "cancellation_rate"], "time": {"range": "last_90_days", "compare": "previous_period"}},
    {"measures": ["revenue"], "time": {"range": "last_12_months", "grain": "month", "compare": "previous_year"}},
    {"measures": ["line_revenue", "service_line_count"], "dimensions": ["service.name"],
     "time": {"range": "last_90_days"}, "order": [{"field": "line_revenue", "dir": "desc"}]},
    {"measures": ["line_revenue", "booked_hours", "revenue_per_booked_hour"], "dimensions": ["provider.name"],
     "time": {"range": "last_12_months"}},
    {"measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
     "time": {"range": "last_90_days"}, "limit": 1000},
    {"measures": ["retained_patient_count"],
     "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"], "limit": 5000},
    {"dimensions": ["patient.id", "patient.name", "patient.lifetime_spend", "patient.last_visit_at"],
     "filters": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
     "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 20},
]


@pytest.fixture(scope="module")
def lake(client_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB whose tables are views over Parquet files written from the PostgreSQL database."""
    folder: Path = tmp_path_factory.mktemp("parquet")
    staging = duckdb.connect()
    tables = copy_postgres_to_duckdb(client_db_url, staging)
    for table in tables:
        staging.execute(f"COPY main.\"{table}\" TO '{(folder / table).as_posix()}.parquet' (FORMAT parquet)")
    staging.close()
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA IF NOT EXISTS public")
    for table in tables:
        source = f"read_parquet('{(folder / table).as_posix()}.parquet')"
        connection.execute(f'CREATE VIEW main."{table}" AS SELECT * FROM {source}')
        connection.execute(f'CREATE VIEW public."{table}" AS SELECT * FROM {source}')
    assert {"patients", "appointment_services", "appointment_summary", "service_line_summary"} <= set(tables)
    yield connection
    connection.close()


def _same(api: Any, duck: Any) -> bool:
    if isinstance(api, int | float) and isinstance(duck, int | float) and not isinstance(api, bool):
        return math.isclose(api, duck, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(api, str) and isinstance(duck, str) and len(api) >= 10 and len(duck) >= 10:
        return api[:10] == duck[:10] and (api == duck or duck.startswith(api) or api.startswith(duck))
    return bool(api == duck)


def _param(value: Any) -> Any:
    """The JSON `params` back to typed values (DuckDB compares a timestamp with a string poorly)."""
    if isinstance(value, str):
        for parse in (dt.datetime.fromisoformat, dt.date.fromisoformat):
            try:
                parsed = parse(value)
            except ValueError:
                continue
            if isinstance(parsed, dt.datetime) and "T" not in value and " " not in value:
                return dt.date.fromisoformat(value)
            return parsed
    return value


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_duckdb_sql_over_parquet_gives_the_api_rows(client_api, lake, query):
    api = client_api.post("/api/query", json=query)
    assert api.status_code == 200, api.text
    body = api.json()
    explained = client_api.post("/api/query/sql?dialect=duckdb", json=query)
    assert explained.status_code == 200, explained.text
    sql = explained.json()
    assert sql["dialect"] == "duckdb"
    rows = lake.execute(sql["parameterized_sql"], [_param(v) for v in sql["params"]]).fetchall()
    names = [c["name"] for c in body["columns"]]
    assert len(rows) == len(body["rows"]) > 0
    for got, want in zip(rows, body["rows"], strict=True):
        expected = [want[n] for n in names]
        assert all(_same(w, plain(g)) for w, g in zip(expected, got, strict=False)), (expected, got)
    # the inlined, human-readable statement runs too and agrees
    assert len(lake.execute(sql["sql"]).fetchall()) == len(rows)
