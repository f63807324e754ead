"""Summary relations rebuilt after each load (see `models.PatientSummary`).

The INSERT ... SELECT is generated from the catalog: every patient dimension marked
`materialized: <column>` is computed inline exactly as a query for any other as_of computes it,
so the summary and an inline computation cannot disagree.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from semantic.catalog import Catalog, default_catalog
from semantic.render.dialects import dialect
from semantic.render.sql import Rendered, render_summary_refresh


def summary_tables(catalog: Catalog | None = None) -> list[str]:
    """Every entity's summary table, in catalog order."""
    catalog = catalog or default_catalog()
    return [entity.summary_table for entity in catalog.entities.values() if entity.summary_table is not None]


def summary_statements(as_of: dt.date, catalog: Catalog | None = None) -> list[tuple[str, str, tuple[object, ...]]]:
    """(summary table, INSERT statement, parameters) for every entity with a summary table."""
    catalog = catalog or default_catalog()
    out = []
    for entity in catalog.entities.values():
        if entity.summary_table is None:
            continue
        rendered = render_summary_refresh(catalog, entity.name, as_of, dialect("postgres"))
        out.append((entity.summary_table, rendered.tree.sql(dialect="postgres", copy=False), rendered.params))
    return out


def render_summary(table: str, as_of: dt.date, catalog: Catalog | None = None) -> Rendered:
    """The INSERT statement (tree and parameters) filling summary `table` for `as_of`."""
    catalog = catalog or default_catalog()
    [entity] = [e for e in catalog.entities.values() if e.summary_table == table]
    return render_summary_refresh(catalog, entity.name, as_of, dialect("postgres"))


async def refresh_summaries(conn: asyncpg.Connection, as_of: dt.date) -> None:
    """Rebuild every summary relation for `as_of`, inside the caller's transaction."""
    for table, sql, params in summary_statements(as_of):
        # table names come from the validated catalog (checked against models.py), never from users
        # TRUNCATE, not DELETE: millions of dead rows otherwise
        await conn.execute(f'TRUNCATE "{table}"')
        await conn.execute(sql, *params)
        await conn.execute(f'ANALYZE "{table}"')
