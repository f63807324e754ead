"""What every successful load does once its rows are in: the relations rebuilt from them, and its record.

Each `Step` fills tables of its own (an entity summary; the pre-aggregations, chains and bridges) with the
INSERT ... SELECT statements the catalog's materializations generate (`semantic.refresh_statements`). The
loader runs them in the load's staging schema (unqualified table names read the new rows), into the step's
tables freshly created empty, each statement as soon as the tables it reads are filled, side by side with the
others; the tables are swapped in with the rows, so a reader never sees new rows with old summaries or the
reverse. A new materialization is a new declaration in metrics.yaml: its statements join these steps.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlglot import exp

from semantic import AsOf, Catalog, default_catalog, dialect, materialized_tables, refresh_statements

Recorded = dict[str, object]  # what a step notes in the load's data_loads row: {column: value}


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[object, ...]
    reads: frozenset[str]  # the tables it reads: it runs once they are filled

    @classmethod
    def of(cls, tree: exp.Expr, params: tuple[object, ...]) -> Statement:
        named = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}  # its own subqueries, not tables
        insert = tree.find(exp.Insert)
        target = insert.this.find(exp.Table) if insert else None
        if target is not None:
            named.add(target.name)
        reads = frozenset(table.name for table in tree.find_all(exp.Table)) - named
        return cls(tree.sql(dialect="postgres"), params, reads)


@dataclass(frozen=True)
class Step:
    name: str
    tables: tuple[str, ...]  # what it fills (empty before), then ANALYZEd and indexed
    statements: Callable[[AsOf], list[Statement]]  # for the data's as_of; independent of each other
    records: Callable[[], Recorded] = field(default=dict)


def steps(catalog: Catalog | None = None) -> list[Step]:
    """Every rebuild after a load: each entity summary, then the other materializations (they read the summaries);
    of the statements ready at once, the loader starts earlier steps' first."""
    catalog = catalog or default_catalog()
    out: list[Step] = []
    for materialization in catalog.materializations.values():
        if materialization.kind == "summary":
            out.append(Step(f"summary {materialization.name}", materialization.tables(catalog),
                            _statements(catalog, (materialization.name,))))
    others = [m.name for m in catalog.materializations.values() if m.kind != "summary"]
    tables = tuple(t for name in others for t in catalog.materializations[name].tables(catalog))
    # queries read these only when built from the catalog they compile against (Context.built_from)
    out.append(Step("materializations", tuple(dict.fromkeys(tables)), _statements(catalog, tuple(others)),
                    records=lambda: {"built_from": catalog.fingerprint}))
    return out


def rebuilt_tables(catalog: Catalog | None = None) -> tuple[str, ...]:
    """The tables the steps fill: replaced at each load together with the loaded ones."""
    return materialized_tables(catalog or default_catalog())


def _statements(catalog: Catalog, names: tuple[str, ...]) -> Callable[[AsOf], list[Statement]]:
    def build(as_of: AsOf) -> list[Statement]:
        return [Statement.of(statement.tree, statement.params)
                for materialization, statement in refresh_statements(catalog, as_of, dialect("postgres"))
                if materialization.name in names]

    return build


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
