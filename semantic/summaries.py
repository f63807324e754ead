"""Summary relations rebuilt after each load (see `models.PatientSummary`).

The INSERT ... SELECT is generated from the catalog: every patient dimension marked
`materialized: <column>` is computed inline exactly as a query for any other as_of computes it,
so the summary and an inline computation cannot disagree.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from semantic.asof import AsOf
from semantic.catalog import Catalog, default_catalog
from semantic.render.dialects import dialect
from semantic.render.sql import Rendered, render_summary_refresh


def summary_tables(catalog: Catalog | None = None) -> list[str]:
    """Every entity's summary table, in catalog order."""
    catalog = catalog or default_catalog()
    return [entity.summary_table for entity in catalog.entities.values() if entity.summary_table is not None]


def render_summary(table: str, as_of: dt.date | AsOf, catalog: Catalog | None = None) -> Rendered:
    """The INSERT statement (tree and parameters) filling summary `table` for `as_of`."""
    catalog = catalog or default_catalog()
    [entity] = [e for e in catalog.entities.values() if e.summary_table == table]
    return render_summary_refresh(catalog, entity.name, as_of, dialect("postgres"))


async def refresh_summaries(conn: asyncpg.Connection, as_of: dt.date | AsOf) -> None:
    """Rebuild every summary relation for `as_of` in place, inside the caller's transaction (a load builds
    them on its new rows instead, service/seed/post_load.py; this recomputes them for another as_of)."""
    for table in summary_tables():
        rendered = render_summary(table, as_of)
        # table names come from the validated catalog (checked against models.py), never from users
        # TRUNCATE, not DELETE: millions of dead rows otherwise
        await conn.execute(f'TRUNCATE "{table}"')
        await conn.execute(rendered.tree.sql(dialect="postgres"), *rendered.params)
        await conn.execute(f'ANALYZE "{table}"')
