"""Aggregate awareness: read an aggregate from a rollup (table `rollup_rows`) instead of the entity's rows.

A rollup holds, per day of its time dimension and per value of its dimensions, each measure's value
and row count, computed by the same aggregate SQL a query would run (`render_rollup_refresh`), as of
the summaries' as_of. Counts and sums of disjoint days add up, so an aggregate whose measures, grouping
dimensions and filters are all in a rollup, bucketed by day or coarser and ranged by whole days (the
only ranges the planner makes), gets exactly the same numbers from a few thousand rollup rows:
SUM(value) per measure, and a group appears when its measures had rows (SUM(rows) > 0), as
`_Renderer.aggregate` decides from the entity's rows. A rollup without a time holds one row per group
and may hold distinct counts: those are read only by a query grouped by exactly its dimensions (and
filtered on them only), never summed.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic.catalog import Catalog
from semantic.catalog.graph import path_fans_out
from semantic.catalog.models import ROLLUP_DIMENSIONS, Dimension, Rollup
from semantic.planner.nodes import Aggregate, TimeSlice
from semantic.render.dialects import cast
from semantic.render.periods import split
from semantic.render.predicates import compare
from semantic.render.scope import RenderContext, and_, col, ident, select, shifted_bucket, table

TABLE, ALIAS = "rollup_rows", "ru"
ROLLUP_COLUMNS = ROLLUP_DIMENSIONS  # d0 .. d3
_SQL_TYPES = {"number": "numeric", "integer": "bigint", "boolean": "boolean", "date": "date", "time": "timestamp"}


def find_rollup(rc: RenderContext, agg: Aggregate) -> Rollup | None:
    """The smallest rollup that answers `agg` exactly, or None (read the entity's rows)."""
    ctx = rc.ctx
    if not ctx.use_summaries or ctx.rollups_catalog != rc.catalog.fingerprint or rc.dialect.name != "postgres":
        return None
    if agg.time is not None and agg.time.grain is not None and agg.time.grain not in ("day", "week", "month",
                                                                                      "quarter", "year"):
        return None
    needed = {*agg.dimensions, *(f.dimension for f in agg.filters)}
    if any(f.op == "search" or f.on_date for f in agg.filters):
        return None
    sliced = agg.time is not None and (agg.time.window is not None or agg.time.grain is not None)
    distinct = any(rc.catalog.measures[m].agg == "count_distinct" for m in agg.measures)
    fits = []
    for rollup in rc.catalog.rollups.values():
        if not (set(agg.measures) <= set(rollup.measures) and needed <= set(rollup.dimensions)):
            continue
        if sliced and (agg.time is None or agg.time.dimension != rollup.time):
            continue
        # distinct counts do not add up: only this rollup's own groups, whole (filters on grouped dimensions)
        if distinct and (set(agg.dimensions) != set(rollup.dimensions) or not needed <= set(agg.dimensions)):
            continue
        below = fanned_dimensions(rc.catalog, rollup)
        # distinct keys per group: summed only over the other dimensions, so the query groups by all of these
        if bool(below) != agg.fanned_out or not below <= set(agg.dimensions):
            continue
        fits.append(rollup)
    return min(fits, key=lambda r: (len(r.dimensions), len(r.measures)), default=None)


def fanned_dimensions(catalog: Catalog, rollup: Rollup) -> frozenset[str]:
    """The rollup's dimensions below its measures' grain (reached through a one-to-many join)."""
    home = catalog.measures[rollup.measures[0]].entity
    out = []
    for name in rollup.dimensions:
        path = catalog.graph.path(home, catalog.dimensions[name].entity)
        if path is not None and path_fans_out(path):
            out.append(name)
    return frozenset(out)


def _typed(catalog: Catalog, rollup: Rollup, name: str) -> exp.Expr:
    return from_text(col(ALIAS, f"d{rollup.dimensions.index(name)}"), catalog.dimensions[name])


def from_text(node: exp.Expr, dimension: Dimension) -> exp.Expr:
    """A dimension's value stored as text (rollup and chain columns d0, d1 ...) cast back to its type."""
    sql_type = _SQL_TYPES.get(dimension.type)
    return cast(node, sql_type) if sql_type else node


def _bucket(day: exp.Expr, time: TimeSlice) -> exp.Expr:
    assert time.grain is not None
    return shifted_bucket(cast(day, "timestamp"), time.grain, time.shift)


def from_rollup(rc: RenderContext, agg: Aggregate, previous: Aggregate | None, rollup: Rollup) -> exp.Select:
    """`agg` (and, given, its disjoint earlier period `previous`, as `<measure>__prev`) from `rollup`."""
    catalog = rc.catalog
    day = col(ALIAS, "day")

    def param(value: dt.date) -> exp.Expr:
        return rc.params.add(value)

    keys: list[tuple[str, exp.Expr]] = [(f"d{i}", _typed(catalog, rollup, name))
                                        for i, name in enumerate(agg.dimensions)]
    where: list[exp.Expr] = [
        exp.EQ(this=col(ALIAS, "rollup"), expression=exp.Literal.string(rollup.name)),
        exp.In(this=col(ALIAS, "measure"), expressions=[exp.Literal.string(m) for m in agg.measures]),
        *(compare(rc, _typed(catalog, rollup, f.dimension), f.op, f.values) for f in agg.filters),
    ]
    periods: list[tuple[str, exp.Expr | None]] = [("", None)]
    if agg.time is not None:
        split_ = split(day, agg.time, previous.time if previous is not None else None, param,
                       lambda slice_: _bucket(day, slice_))
        periods = [(period.suffix, period.rows) for period in split_.periods]
        where += [node for node in (split_.window,) if node is not None]
        keys += [("time", node) for node in (split_.bucket,) if node is not None]
    columns: list[exp.Expr] = [exp.Alias(this=node, alias=ident(name)) for name, node in keys]
    for suffix, period in periods:
        for measure in agg.measures:
            own = exp.EQ(this=col(ALIAS, "measure"), expression=exp.Literal.string(measure))
            condition = and_(c.copy() for c in (own, period) if c is not None)
            value = exp.Filter(this=exp.Sum(this=col(ALIAS, "value")), expression=exp.Where(this=condition))
            columns.append(exp.Alias(this=value, alias=ident(f"{measure}{suffix}")))
    having = exp.GT(this=exp.Sum(this=col(ALIAS, "rows")), expression=exp.Literal.number(0)) if keys else None
    group = [exp.Literal.number(i + 1) for i in range(len(keys))] or None
    return select(columns, table(TABLE, ALIAS), [], where=and_(where), group=group, having=having)
