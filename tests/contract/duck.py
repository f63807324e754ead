"""Copy a PostgreSQL database's tables into an in-process DuckDB, column types kept.

Every base table of the `public` schema is copied (the data, `patient_summary`, `data_loads`...),
through PostgreSQL's own CSV writer and DuckDB's CSV reader with explicit column types, so that
the two engines see the same values. The tables are created in DuckDB's `main` schema and are also
reachable as `public.<table>`, whichever way the compiled SQL names them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import tempfile
from pathlib import Path
from typing import Any

import asyncpg
import duckdb

_TYPES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "numeric": "DECIMAL(38, 10)",
    "jsonb": "VARCHAR",
    "json": "VARCHAR",
    "inet": "VARCHAR",
}
_NULL = "\\N"


async def _export(url: str, folder: Path) -> dict[str, list[tuple[str, str]]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """
        )
        tables: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            tables.setdefault(row["table_name"], []).append((row["column_name"], row["data_type"]))
        for table, columns in tables.items():
            names = ", ".join(f'"{name}"' for name, _ in columns)
            await conn.copy_from_query(
                f'SELECT {names} FROM public."{table}"',
                output=str(folder / f"{table}.csv"), format="csv", null=_NULL,
            )
        return tables
    finally:
        await conn.close()


def copy_postgres_to_duckdb(url: str, target: duckdb.DuckDBPyConnection) -> list[str]:
    """Copy every table of `url` into `target`; returns the table names."""
    with tempfile.TemporaryDirectory(prefix="medspa-duck-") as tmp:
        folder = Path(tmp)
        tables = asyncio.run(_export(url, folder))
        target.execute("CREATE SCHEMA IF NOT EXISTS public")
        for table, columns in tables.items():
            types = ", ".join(f"'{name}': '{_TYPES.get(kind, 'VARCHAR')}'" for name, kind in columns)
            path = (folder / f"{table}.csv").as_posix()
            target.execute(
                f'CREATE TABLE main."{table}" AS SELECT * FROM read_csv(\'{path}\', header = false, '
                f"columns = {{{types}}}, nullstr = '{_NULL}', allow_quoted_nulls = false, quote = '\"', "
                "escape = '\"', auto_detect = false)"
            )
            target.execute(f'CREATE VIEW public."{table}" AS SELECT * FROM main."{table}"')
    return sorted(tables)


def plain(value: Any) -> Any:
    """A DuckDB, asyncpg or JSON value in one comparable spelling (numbers, ISO dates)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
