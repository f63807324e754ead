"""The catalog's materializations, as one registry: which may be read for a query, which serves what, and what
a load builds.

`available` is the one availability check: a materialization is read only when the stored relations were built
from this catalog (the load records its fingerprint), for the query's as_of (unless its contents do not depend
on it), on PostgreSQL, and the query's context allows it (`Context.sources`: tests and benchmarks choose the
rows or one materialization through it, never by patching the engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from semantic.asof import AsOf
from semantic.catalog.catalog import Catalog
from semantic.catalog.graph import Edge, Path
from semantic.materialize.base import AggregateRequest, Materialization, Statement
from semantic.planner.nodes import Context, FilterNode
from semantic.render.dialects import Dialect


def available(catalog: Catalog, materialization: Materialization, ctx: Context, dialect: Dialect) -> bool:
    if dialect.name != "postgres":
        return False
    if ctx.sources is not None and materialization.name not in ctx.sources:
        return False
    if materialization.kind == "summary":  # per-row facts of the data's as_of (checked when read, per column)
        return ctx.use_summaries
    if ctx.built_from != catalog.fingerprint:
        return False
    return ctx.use_summaries or not materialization.depends_on_as_of


def sources(catalog: Catalog, request: AggregateRequest, ctx: Context, dialect: Dialect) -> list[Materialization]:
    """The materializations that answer one measure of an aggregate exactly (none: the rows), cheapest first.
    None stores how many of a row's related rows match, so a filter with `match` none or all reads the rows."""
    aggregates = [a for a in (request.aggregate, request.previous) if a is not None]
    if any(f.counts_related for a in aggregates for f in a.filters):
        return []
    fits = [m for m in catalog.materializations.values()
            if available(catalog, m, ctx, dialect) and m.serves(catalog, request)]
    return sorted(fits, key=lambda m: m.cost())


def filter_source(catalog: Catalog, edge: Edge, items: Sequence[tuple[FilterNode, Path]], ctx: Context,
                  dialect: Dialect) -> Materialization | None:
    """The materialization that answers a group of filters below `edge` exactly (a bridge), else None."""
    if any(node.counts_related for node, _ in items):
        return None
    for materialization in catalog.materializations.values():
        if available(catalog, materialization, ctx, dialect) and materialization.serves_filters(
                catalog, edge, items) is not None:
            return materialization
    return None


def tables(catalog: Catalog) -> tuple[str, ...]:
    """Every table a load rebuilds for the catalog's materializations, in declaration order."""
    out: list[str] = []
    for materialization in catalog.materializations.values():
        out += [t for t in materialization.tables(catalog) if t not in out]
    return tuple(out)


def refresh(catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect,
            kinds: Sequence[str] | None = None) -> list[tuple[Materialization, Statement]]:
    """Every statement a load runs to build the catalog's materializations (of `kinds`, or all)."""
    return [(m, statement) for m in catalog.materializations.values() if kinds is None or m.kind in kinds
            for statement in m.refresh(catalog, as_of, dialect)]
