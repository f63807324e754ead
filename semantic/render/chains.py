"""Distinct counts as counts of rows: read from a chain (table `chain_rows`) instead of grouping per value.

"Patients with a visit in the range" groups every visit of the range per patient: at a million patients
that hashes half a million rows, for every range asked. A chain (`chains:` in metrics.yaml) stores, once
per load, each row its measures count (their filter applied) with its time `at` and the times of the same
value's previous such rows, `prev1` and `prev2`. A value has at least k rows in a group (the query's
period, and its time bucket) exactly when one of its rows there is its k-th: the (k-1)-th row before it
is in the group and the k-th is not. Rows are ordered by time and key, so ties are in the group too.
Each value then counts once per group, and the distinct count is `COUNT(*) FILTER (WHERE k-th)` over an
index range of the chain. A chain may also store up to two attributes of the value with each row
(`dimensions:`, a patient's source): grouping or filtering by them then needs no join.

A chain answers an aggregate exactly when it is as of the query's as_of (built with the summaries, from
this catalog), the range is bounded above (rows with no time are outside every range) and every grouping
or filtering dimension is an attribute of the counted value (a patient's source, not a visit's provider:
a patient's visits all share the first, not the second), reached through the value's foreign key.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic.asof import AsOf, as_moment
from semantic.catalog import Catalog
from semantic.catalog import expr as E
from semantic.catalog.graph import Edge, path_fans_out
from semantic.catalog.models import CHAIN_DEPTH, CHAIN_DIMENSIONS, Chain
from semantic.planner.nodes import Aggregate, Context, TimeSlice
from semantic.render.dialects import Dialect, cast
from semantic.render.params import Params
from semantic.render.periods import split
from semantic.render.predicates import compare, conditions
from semantic.render.rollups import from_text
from semantic.render.scope import (
    RenderContext,
    Scope,
    and_,
    col,
    ident,
    left_join,
    not_null,
    select,
    shifted_bucket,
    subquery,
    table,
    with_ctes,
    wrap,
)

TABLE, ALIAS = "chain_rows", "ch"
PREVIOUS = tuple(f"prev{k}" for k in range(1, CHAIN_DEPTH + 1))
STORED = tuple(f"d{i}" for i in range(CHAIN_DIMENSIONS))


def value_edge(catalog: Catalog, entity: str, value: E.Expr | None) -> Edge | None:
    """The many-to-one join a counted value follows (`patient_id` -> patient), if it is a foreign key."""
    return catalog.graph.foreign_key(entity, value.name) if isinstance(value, E.Col) else None


def find_chain(rc: RenderContext, agg: Aggregate) -> Chain | None:
    """The chain that answers `agg` (distinct counts only) exactly, or None (group the rows)."""
    ctx, catalog = rc.ctx, rc.catalog
    if not ctx.use_summaries or ctx.rollups_catalog != catalog.fingerprint or rc.dialect.name != "postgres":
        return None
    if agg.fanned_out or agg.time is None or agg.time.window is None:
        return None
    chain = next((c for c in catalog.chains.values() if set(agg.measures) <= set(c.measures)), None)
    if chain is None:
        return None
    first = catalog.measures[chain.measures[0]]
    if agg.time.dimension != first.time or first.entity != agg.entity:
        return None
    edge = value_edge(catalog, agg.entity, first.expr)
    for name in [*agg.dimensions, *(f.dimension for f in agg.filters)]:
        path = catalog.graph.path(agg.entity, catalog.dimensions[name].entity)
        if edge is None or not path or path[0] != edge or path_fans_out(path):
            return None
    return chain


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def from_chain(rc: RenderContext, agg: Aggregate, previous: Aggregate | None, chain: Chain) -> exp.Select:
    """`agg` (and, given, its disjoint earlier period `previous`, as `<measure>__prev`) from `chain`.

    Columns as `_Renderer.aggregate` names them: d0, d1 ..., time (the bucket), then each measure."""
    catalog = rc.catalog
    at = col(ALIAS, "at")
    time = agg.time
    assert time is not None and time.window is not None

    def param(day: dt.date) -> exp.Expr:
        return rc.params.add(_stamp(day))

    def bucket(node: exp.Expr, slice_: TimeSlice) -> exp.Expr:
        assert slice_.grain is not None
        return shifted_bucket(node, slice_.grain, slice_.shift)

    split_ = split(at, time, previous.time if previous is not None else None, param,
                   lambda slice_: bucket(at.copy(), slice_))
    assert split_.window is not None
    where: list[exp.Expr] = [exp.EQ(this=col(ALIAS, "chain"), expression=exp.Literal.string(chain.name)),
                             split_.window]
    keys: list[tuple[str, exp.Expr]] = [("time", split_.bucket)] if split_.bucket is not None else []

    def in_group(k: int, slice_: TimeSlice) -> exp.Expr:
        """The value's k-th previous row is in this row's group (its period and bucket)."""
        assert slice_.window is not None
        prev = col(ALIAS, PREVIOUS[k - 1])
        parts: list[exp.Expr] = [not_null(prev)]
        if slice_.window.start is not None:
            parts.append(exp.GTE(this=prev.copy(), expression=param(slice_.window.start)))
        if slice_.grain is not None:
            parts.append(exp.EQ(this=bucket(prev.copy(), slice_), expression=bucket(at.copy(), slice_)))
        group = and_(parts)
        assert group is not None
        return group

    def stored(name: str) -> exp.Expr:
        return from_text(col(ALIAS, STORED[chain.dimensions.index(name)]), catalog.dimensions[name])

    # the chain's own dimensions are read from its rows; other attributes of the value through a join
    joined_filters = [f for f in agg.filters if f.dimension not in chain.dimensions]
    where += [compare(rc, stored(f.dimension), f.op, f.values) for f in agg.filters if f not in joined_filters]
    dimension_keys: list[tuple[str, exp.Expr]] = [(f"d{i}", stored(name)) for i, name in enumerate(agg.dimensions)
                                                  if name in chain.dimensions]
    joins: list[exp.Join] = []
    if joined_filters or len(dimension_keys) < len(agg.dimensions):
        edge = value_edge(catalog, agg.entity, catalog.measures[chain.measures[0]].expr)
        assert edge is not None
        scope = Scope(rc, edge.dst)
        root = scope.root
        dimension_keys = [(f"d{i}", stored(name) if name in chain.dimensions else scope.dim_at(root, name))
                          for i, name in enumerate(agg.dimensions)]
        where += conditions(scope, root, joined_filters)
        from_, more = scope.finish()
        on = exp.EQ(this=cast(root.key, "text"), expression=col(ALIAS, "value"))
        joins = [left_join(from_, on), *more]
    keys = [*dimension_keys, *keys]
    columns: list[exp.Expr] = [exp.Alias(this=node, alias=ident(name)) for name, node in keys]
    for period in split_.periods:
        for name in agg.measures:
            k = catalog.measures[name].min_count or 1
            kth: exp.Expr = exp.Not(this=exp.Paren(this=in_group(k, period.time)))
            if k > 1:
                kth = exp.And(this=wrap(in_group(k - 1, period.time)), expression=kth)
            condition = and_(c.copy() for c in (period.rows, kth) if c is not None)
            counted = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=condition))
            columns.append(exp.Alias(this=counted, alias=ident(f"{name}{period.suffix}")))
    group = [exp.Literal.number(i + 1) for i in range(len(keys))] or None
    return select(columns, table(TABLE, ALIAS), joins, where=and_(where), group=group)


def chain_refresh(catalog: Catalog, chain_name: str, as_of: dt.date | AsOf, dialect: Dialect) -> tuple[
        exp.Expr, tuple[object, ...]]:
    """INSERT INTO chain_rows: every row the chain's measures count, as of `as_of` (reading the summaries),
    with the times of its value's previous `CHAIN_DEPTH` rows (by time, then key)."""
    chain = catalog.chains[chain_name]
    measure = catalog.measures[chain.measures[0]]
    assert measure.expr is not None and measure.time is not None
    params = Params(text_type=dialect.text_type)
    moment = as_moment(as_of)
    rc = RenderContext(catalog, Context.at(moment, moment), dialect, params)
    scope = Scope(rc, measure.entity)
    root = scope.root
    at, value, key = scope.dim_at(root, measure.time), scope.eval(root, measure.expr), root.key
    where: list[exp.Expr] = [not_null(value.copy()), not_null(at.copy())]
    if measure.filter is not None:
        where.append(scope.eval(root, measure.filter))
    dimensions = [cast(scope.dim_at(root, name), "text") for name in chain.dimensions]
    from_, joins = scope.finish()
    rows = select([exp.Alias(this=cast(at, "timestamp"), alias=ident("at")),
                   exp.Alias(this=cast(value, "text"), alias=ident("v")), exp.Alias(this=key, alias=ident("k")),
                   *(exp.Alias(this=node, alias=ident(STORED[i])) for i, node in enumerate(dimensions))],
                  from_, joins, where=and_(where))
    r = "r"
    order = exp.Order(expressions=[exp.Ordered(this=col(r, "at")), exp.Ordered(this=col(r, "k"))])

    def lag(k: int) -> exp.Expr:
        return exp.Window(this=exp.Lag(this=col(r, "at"), offset=exp.Literal.number(k)),
                          partition_by=[col(r, "v")], order=order.copy())

    names = ["chain", "as_of", "at", "value", *PREVIOUS, *STORED[:len(chain.dimensions)]]
    body = select([exp.Literal.string(chain.name), params.add(moment.day), col(r, "at"), col(r, "v"),
                   *(lag(k) for k in range(1, CHAIN_DEPTH + 1)),
                   *(col(r, STORED[i]) for i in range(len(chain.dimensions)))], subquery(rows, r))
    body.set("order", exp.Order(expressions=[exp.Ordered(this=col(r, "at"))]))
    target = exp.Schema(this=exp.Table(this=ident(TABLE)), expressions=[ident(n) for n in names])
    insert = with_ctes(exp.Insert(this=target, expression=body), rc.shared_ctes())
    return insert, tuple(params.values)
