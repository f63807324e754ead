"""What every successful load does once its rows are in: the relations rebuilt from them, and its record.

Each `Step` fills tables of its own (a summary, the rollups and chains) with INSERT ... SELECT statements generated
from the catalog. The loader runs them in the load's staging schema (unqualified table names read the
new rows), into the step's tables freshly created empty, each statement as soon as the tables it reads
are filled, side by side with the others; the tables are swapped in with the rows, so a reader never
sees new rows with old summaries or the reverse.

To add a rebuild, add a Step to `steps()`: the tables it fills (made by a migration; the loader gives
the new copies their keys, indexes and grants) and its statements (`Statement.of` a rendered tree
finds the tables each reads).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlglot import exp

from semantic.asof import AsOf
from semantic.catalog import default_catalog
from semantic.render.dialects import dialect
from semantic.render.sql import Rendered, render_bridge_refresh, render_chain_refresh, render_rollup_refresh
from semantic.summaries import render_summary, summary_tables

Recorded = dict[str, object]  # what a step notes in the load's data_loads row: {column: value}


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[object, ...]
    reads: frozenset[str]  # the tables it reads: it runs once they are filled

    @classmethod
    def of(cls, rendered: Rendered) -> Statement:
        tree = rendered.tree
        named = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}  # its own subqueries, not tables
        insert = tree.find(exp.Insert)
        target = insert.this.find(exp.Table) if insert else None
        if target is not None:
            named.add(target.name)
        reads = frozenset(table.name for table in tree.find_all(exp.Table)) - named
        return cls(tree.sql(dialect="postgres"), rendered.params, reads)


@dataclass(frozen=True)
class Step:
    name: str
    tables: tuple[str, ...]  # what it fills (empty before), then ANALYZEd and indexed
    statements: Callable[[AsOf], list[Statement]]  # for the data's as_of; independent of each other
    records: Callable[[], Recorded] = field(default=dict)


def steps() -> list[Step]:
    """Every rebuild after a load; of the statements ready at once, the loader starts earlier steps' first."""
    summaries = [Step(f"summary {table}", (table,), _summary(table)) for table in summary_tables()]
    rollups = Step("rollups", ("rollup_rows", "chain_rows", "bridge_rows"), _rollups,
                   # queries read rollups, chains and bridges only when built from the catalog they compile against
                   records=lambda: {"rollups_catalog": default_catalog().fingerprint})
    return [*summaries, rollups]


def rebuilt_tables() -> tuple[str, ...]:
    """The tables the steps fill: replaced at each load together with the loaded ones."""
    return tuple(table for step in steps() for table in step.tables)


def _summary(table: str) -> Callable[[AsOf], list[Statement]]:
    return lambda as_of: [Statement.of(render_summary(table, as_of))]


def _rollups(as_of: AsOf) -> list[Statement]:
    catalog = default_catalog()
    postgres = dialect("postgres")
    return [*(Statement.of(render_rollup_refresh(catalog, name, as_of, postgres)) for name in catalog.rollups),
            *(Statement.of(render_chain_refresh(catalog, name, as_of, postgres)) for name in catalog.chains),
            *(Statement.of(render_bridge_refresh(catalog, name, postgres)) for name in catalog.bridges)]


async def data_as_of(conn: asyncpg.Connection) -> AsOf | None:
    """The contract's default as_of: the date of the latest payment (None for an empty database)."""
    latest: dt.datetime | None = await conn.fetchval("SELECT max(date) FROM payments")
    return AsOf(latest.date()) if latest else None


async def record_load(
    conn: asyncpg.Connection, source_dir: Path, as_of: AsOf | None, row_counts: dict[str, int],
    recorded: Recorded,
) -> int:
    """Insert the load's data_loads row (with what the steps recorded); returns the new data version."""
    values: Recorded = {"source_dir": str(source_dir), "as_of": as_of.day if as_of else None,
                        "as_of_time": as_of.time if as_of else None, "row_counts": json.dumps(row_counts),
                        **recorded}
    # column names come from the steps above, never from input
    columns = ", ".join(f'"{column}"' for column in values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    version: int = await conn.fetchval(
        f"INSERT INTO data_loads ({columns}) VALUES ({placeholders}) RETURNING version", *values.values()
    )
    return version
