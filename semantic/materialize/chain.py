"""Chains: distinct counts as counts of rows (table `chain_rows`), instead of grouping every row per value.

"Patients with a visit in the range" groups every visit of the range per patient: at a million patients that
hashes half a million rows, for every range asked. A chain stores, once per load, each row its measures count
(their filter applied) with its time `at` and the times of the same value's previous such rows, `prev1` and
`prev2`. A value has at least k rows in a group (the query's period, and its time bucket) exactly when one of its
rows there is its k-th: the (k-1)-th row before it is in the group and the k-th is not. Rows are ordered by time
and key, so ties are in the group too. Each value then counts once per group, and the distinct count is
`COUNT(*) FILTER (WHERE k-th)` over a block-range-indexed range of the chain. A chain may also store up to two
attributes of the value with each row (`dimensions:`, a patient's source): grouping or filtering by them then
needs no join.

A chain answers a measure exactly when the range is bounded above (rows with no time are outside every range)
and every grouping or filtering dimension is an attribute of the counted value (a patient's source, not a visit's
provider: a patient's visits all share the first, not the second), reached through the value's foreign key.
When the value is the patient, the count is its own contributor count: a chain serves the agent scope too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from sqlglot import exp

from semantic.asof import AsOf, as_moment
from semantic.catalog import expr as E
from semantic.catalog.catalog import Catalog, did_you_mean
from semantic.catalog.graph import Edge, path_fans_out
from semantic.catalog.models import Dimension, Measure
from semantic.materialize.base import AggregateRequest, Materialization, Problem, Statement
from semantic.materialize.preaggregation import SQL_TYPES
from semantic.planner.nodes import Aggregate, Context, TimeSlice
from semantic.planner.privacy import PERSON_ENTITY
from semantic.render.context import RenderContext
from semantic.render.dialects import Dialect, cast
from semantic.render.params import Params
from semantic.render.periods import split
from semantic.render.predicates import compare, conditions
from semantic.render.scope import Scope, shifted_bucket
from semantic.render.sqlbuild import and_, col, ident, left_join, not_null, select, subquery, table, with_ctes, wrap
from semantic.render.subjoins import shared_ctes
from semantic.render.suppression import contributors

TABLE, ALIAS = "chain_rows", "ch"
DEPTH = 2  # columns prev1, prev2 of `chain_rows` (models.py): counts of "at least 1 or 2" rows
MAX_DIMENSIONS = 2  # columns d0, d1 of `chain_rows`
PREVIOUS = tuple(f"prev{k}" for k in range(1, DEPTH + 1))
STORED = tuple(f"d{i}" for i in range(MAX_DIMENSIONS))


def value_edge(catalog: Catalog, entity: str, value: E.Expr | None) -> Edge | None:
    """The many-to-one join a counted value follows (`patient_id` -> patient), if it is a foreign key."""
    return catalog.graph.foreign_key(entity, value.name) if isinstance(value, E.Col) else None


def from_text(node: exp.Expr, dimension: Dimension) -> exp.Expr:
    """A dimension's value stored as text (chain columns d0, d1) cast back to its type."""
    sql_type = SQL_TYPES.get(dimension.type, "text")
    return cast(node, sql_type) if sql_type != "text" else node


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@dataclass(frozen=True)
class Chain(Materialization):
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]  # attributes of the counted value stored with each row (d0, d1)

    kind: ClassVar[str] = "chain"

    def validate(self, catalog: Catalog) -> Iterator[Problem]:
        """It serves distinct counts of one value: same entity, value, filter and time, at least N rows for N up
        to its depth."""
        if not self.measures:
            yield Problem("has no measures", "list the distinct counts it serves")
        bases: list[Measure] = []
        for index, name in enumerate(self.measures):
            measure = catalog.measures.get(name)
            if measure is None:
                distinct = [m.name for m in catalog.measures.values() if m.agg == "count_distinct"]
                yield Problem(f"{name!r} is not a base measure", did_you_mean(name, distinct),
                              ("measures", index))
            elif measure.agg != "count_distinct" or measure.time is None:
                yield Problem(f"{name!r} is not a distinct count with a time", "a chain serves count_distinct "
                              "measures that have a default time; counts and sums belong in a pre-aggregation",
                              ("measures", index))
            elif (measure.min_count or 1) > DEPTH:
                yield Problem(f"{name!r} needs {measure.min_count} rows per value", f"a chain keeps {DEPTH} "
                              "previous rows; leave this measure out (it is computed from the rows)",
                              ("measures", index))
            else:
                bases.append(measure)
        if len({(m.entity, m.expr, m.filter, m.time) for m in bases}) > 1:
            yield Problem("mixes distinct counts of different values, filters or times",
                          "make one chain per (entity, value, filter, time)", ("measures",))
            return
        if len(self.dimensions) > MAX_DIMENSIONS:
            yield Problem(f"has {len(self.dimensions)} dimensions", f"keep at most {MAX_DIMENSIONS}", ("dimensions",))
        value = bases[0].expr if bases else None
        edge = value_edge(catalog, bases[0].entity, value) if bases else None
        for index, name in enumerate(self.dimensions):
            dimension = catalog.dimensions.get(name)
            if dimension is None:
                yield Problem(f"unknown dimension {name!r}", did_you_mean(name, list(catalog.dimensions)),
                              ("dimensions", index))
                continue
            path = catalog.graph.path(bases[0].entity, dimension.entity) if bases else None
            if bases and (edge is None or not path or path[0] != edge or path_fans_out(path)):
                yield Problem(f"{name!r} is not an attribute of the counted value", "store dimensions of the "
                              "entity the value's foreign key reaches (a patient's source for distinct patients)",
                              ("dimensions", index))
            elif dimension.pii or dimension.filter_only or dimension.type == "time":
                yield Problem(f"{name!r} cannot be a chain dimension", "use dimensions without personal data, "
                              "not filter-only and not times", ("dimensions", index))

    def tables(self, catalog: Catalog) -> tuple[str, ...]:
        return (TABLE,)

    def cost(self) -> tuple[int, ...]:
        return (1, len(self.dimensions))

    def counts_patients(self, catalog: Catalog) -> bool:
        """Whether the counted value is the patient (then each count is its own contributor count)."""
        first = catalog.measures[self.measures[0]]
        edge = value_edge(catalog, first.entity, first.expr)
        return edge is not None and edge.dst == PERSON_ENTITY

    def serves(self, catalog: Catalog, request: AggregateRequest) -> bool:
        if request.measure not in self.measures:
            return False
        if request.contributors and not self.counts_patients(catalog):
            return False
        return all(self._serves(catalog, agg) for agg in (request.aggregate, request.previous) if agg is not None)

    def _serves(self, catalog: Catalog, agg: Aggregate) -> bool:
        if agg.fanned_out or agg.time is None or agg.time.window is None:
            return False
        first = catalog.measures[self.measures[0]]
        if agg.time.dimension != first.time or first.entity != agg.entity:
            return False
        edge = value_edge(catalog, agg.entity, first.expr)
        for name in [*agg.dimensions, *(f.dimension for f in agg.filters)]:
            path = catalog.graph.path(agg.entity, catalog.dimensions[name].entity)
            if edge is None or not path or path[0] != edge or path_fans_out(path):
                return False
        return True

    def read(self, rc: RenderContext, agg: Aggregate, previous: Aggregate | None) -> exp.Select:
        """`agg` (and, given, its disjoint earlier period `previous`, as `<measure>__prev`) from the chain's rows;
        a distinct count of patients is also its own contributor count (`<measure>__n`)."""
        chain = self
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
                if agg.contributors:  # the values counted are the patients (`serves` made sure)
                    columns.append(exp.Alias(this=counted.copy(), alias=ident(contributors(name, period.suffix))))
        group = [exp.Literal.number(i + 1) for i in range(len(keys))] or None
        return select(columns, table(TABLE, ALIAS), joins, where=and_(where), group=group)

    def refresh(self, catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect) -> list[Statement]:
        """INSERT INTO chain_rows: every row the chain's measures count, as of `as_of` (reading the summaries),
        with the times of its value's previous `DEPTH` rows (by time, then key)."""
        chain = self
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
                       *(lag(k) for k in range(1, DEPTH + 1)),
                       *(col(r, STORED[i]) for i in range(len(chain.dimensions)))], subquery(rows, r))
        body.set("order", exp.Order(expressions=[exp.Ordered(this=col(r, "at"))]))
        target = exp.Schema(this=exp.Table(this=ident(TABLE)), expressions=[ident(n) for n in names])
        insert = with_ctes(exp.Insert(this=target, expression=body), shared_ctes(rc))
        return [Statement(insert, tuple(params.values))]
