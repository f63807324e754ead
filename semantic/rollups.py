"""Rollups rebuilt after each load, after the summaries they read (see `models.RollupRow`).

Each rollup's INSERT ... SELECT is the aggregate a query would run, generated from the catalog, so a
query answered from a rollup and one answered from the rows cannot disagree.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from semantic.catalog import Catalog, default_catalog
from semantic.render.dialects import dialect
from semantic.render.sql import render_rollup_refresh


def rollup_statements(as_of: dt.date, catalog: Catalog | None = None) -> list[tuple[str, str, tuple[object, ...]]]:
    """(rollup name, INSERT statement, parameters) for every rollup of the catalog."""
    catalog = catalog or default_catalog()
    out = []
    for name in catalog.rollups:
        rendered = render_rollup_refresh(catalog, name, as_of, dialect("postgres"))
        out.append((name, rendered.tree.sql(dialect="postgres", copy=False), rendered.params))
    return out


async def refresh_rollups(conn: asyncpg.Connection, as_of: dt.date) -> str:
    """Rebuild `rollup_rows` for `as_of`, inside the caller's transaction (summaries already refreshed);
    returns the catalog's fingerprint, for the load to record (`data_loads.rollups_catalog`)."""
    await conn.execute("TRUNCATE rollup_rows")
    # each statement hashes or sorts every row of its entity once: in memory rather than spilled to disk
    await conn.execute("SET LOCAL work_mem = '256MB'")
    catalog = default_catalog()
    for _name, sql, params in rollup_statements(as_of, catalog):
        await conn.execute(sql, *params)
    await conn.execute("ANALYZE rollup_rows")
    return catalog.fingerprint
