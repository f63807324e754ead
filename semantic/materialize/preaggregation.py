"""Pre-aggregations: counts and sums of one entity per day of a time dimension and per value of a few dimensions,
each in a typed table of its own (`preagg_<name>`: the day, one column per dimension in its own type, and per
measure its value and the rows it aggregated).

A load fills it by the very aggregate a query runs (`AggregateRenderer.aggregate` with rows counted), reading the
summaries of the data's as_of. Counts and sums of disjoint days add up, so a measure whose grouping dimensions and
filters are all stored, bucketed by day or coarser and ranged by whole days (the only ranges the planner makes),
gets exactly the rows' numbers from a few thousand stored rows: SUM of the measure's column per group, and a group
appears when its measures had rows. A pre-aggregation without a time holds one row per group and may hold
distinct counts: those are read only by a query grouped by exactly its dimensions (and filtered on them only).

Matching is per measure: a query's other measures may come from another pre-aggregation, a chain or the rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlglot import exp

from semantic.asof import AsOf, as_moment
from semantic.catalog.catalog import Catalog, did_you_mean
from semantic.catalog.graph import path_fans_out
from semantic.catalog.models import Measure
from semantic.materialize.base import AggregateRequest, Materialization, Problem, Statement
from semantic.planner.nodes import Aggregate, Context, TimeSlice
from semantic.render.aggregate import AggregateRenderer
from semantic.render.context import RenderContext
from semantic.render.dialects import Dialect
from semantic.render.params import Params
from semantic.render.periods import split
from semantic.render.predicates import compare
from semantic.render.scope import shifted_bucket
from semantic.render.sqlbuild import alias, and_, col, ident, or_, positions, select, table, with_ctes
from semantic.render.subjoins import shared_ctes

ALIAS = "pre"
MAX_DIMENSIONS = 6
NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# each dimension's column in the dimension's own type, so the stored value compares and sorts as the row's
SQL_TYPES = {"string": "text", "number": "numeric", "integer": "bigint", "boolean": "boolean", "date": "date",
             "time": "timestamp"}


def rows_column(measure: str) -> str:
    return f"{measure}__rows"


@dataclass(frozen=True)
class PreAggregation(Materialization):
    time: str | None  # None: not per day (one row per group; distinct counts allowed, read only for its groups)
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]

    kind: ClassVar[str] = "pre_aggregation"

    @property
    def table(self) -> str:
        return f"preagg_{self.name}"

    # --- declaration ----------------------------------------------------------------------------------

    def validate(self, catalog: Catalog) -> Iterator[Problem]:
        """Its rows must add up to any range and any coarser grouping: counts and sums of one entity, by
        dimensions that split that entity's rows, on a time dimension of that entity's."""
        if not NAME.match(self.name):
            yield Problem(f"{self.name!r} is not a table name", "use lower-case letters, digits and _ (41 at most)")
        bases: list[Measure] = []
        for index, name in enumerate(self.measures):
            measure = catalog.measures.get(name)
            if measure is None:
                hint = (f"a derived measure is computed from its base measures: list "
                        f"{', '.join(catalog.derived[name].components)}" if name in catalog.derived else
                        did_you_mean(name, list(catalog.measures)))
                yield Problem(f"{name!r} is not a base measure", hint, ("measures", index))
            elif measure.min_count is not None or measure.agg not in ("count", "sum", "count_distinct") or (
                    measure.agg == "count_distinct" and self.time is not None):
                yield Problem(f"{name!r} ({measure.agg}) does not add up across days or groups",
                              "pre-aggregate counts and sums per day; a distinct count only without `time` (read for "
                              "exactly its groups); min, max, medians and 'at least N' counts come from the rows",
                              ("measures", index))
            else:
                bases.append(measure)
        if not self.measures:
            yield Problem("has no measures", "list the counts and sums to pre-aggregate")
        entities = {m.entity for m in bases}
        if len(entities) > 1:
            yield Problem(f"mixes measures of {', '.join(sorted(entities))}", "make one per entity", ("measures",))
            return
        if len(self.dimensions) > MAX_DIMENSIONS:
            yield Problem(f"has {len(self.dimensions)} dimensions", f"keep at most {MAX_DIMENSIONS}", ("dimensions",))
        yield from self._dimension_problems(catalog, next(iter(entities), None), bases)

    def _dimension_problems(self, catalog: Catalog, home: str | None, bases: list[Measure]) -> Iterator[Problem]:
        time = catalog.dimensions.get(self.time) if self.time is not None else None
        if self.time is not None and (time is None or time.type != "time"):
            times = [d.name for d in catalog.dimensions.values() if d.type == "time"]
            yield Problem(f"time {self.time!r} is not a time dimension", did_you_mean(self.time, times),
                          ("time",))
        named: list[str | None] = [self.time, *self.dimensions]
        for index, dim_name in enumerate(named):
            if dim_name is None:
                continue
            dimension = catalog.dimensions.get(dim_name)
            at: tuple[str | int, ...] = ("dimensions", index - 1) if index else ("time",)
            if dimension is None:
                if index:
                    yield Problem(f"unknown dimension {dim_name!r}",
                                  did_you_mean(dim_name, list(catalog.dimensions)), at)
                continue
            if index and (dimension.pii or dimension.filter_only or dimension.type == "time"):
                yield Problem(f"{dim_name!r} cannot be a pre-aggregation dimension", "use dimensions without personal "
                              "data, not filter-only and not times (the time is the stored day)", at)
            if home is not None:
                path = catalog.graph.path(home, dimension.entity)
                # below the measures' grain only plain counts, which count distinct keys there (a visit with two
                # services counts once under each): then read only by queries grouped by that dimension
                plain = all((m.agg == "count" and m.expr is None) or m.agg == "count_distinct" for m in bases)
                if path is None or (path_fans_out(path) and (not index or not plain)):
                    why = "no join path" if path is None else "one-to-many join"
                    yield Problem(f"{dim_name!r} does not split {home!r} rows ({why})", "use dimensions reached "
                                  "from the measures' entity through many-to-one joins (or, below its grain, "
                                  "pre-aggregate only plain counts)", at)

    def tables(self, catalog: Catalog) -> tuple[str, ...]:
        return (self.table,)

    def create(self, catalog: Catalog) -> Sequence[exp.Expr]:
        columns = [_column("day", "date")] if self.time is not None else []
        columns += [_column(name, SQL_TYPES[catalog.dimensions[name].type]) for name in self.dimensions]
        for measure in self.measures:
            columns += [_column(measure, "numeric"), _column(rows_column(measure), "bigint")]
        schema = exp.Schema(this=exp.Table(this=ident(self.table)), expressions=columns)
        ddl: list[exp.Expr] = [exp.Create(this=schema, kind="TABLE")]
        if self.time is not None:
            index = exp.Index(this=ident(f"ix_{self.table}_day"), table=exp.Table(this=ident(self.table)),
                              params=exp.IndexParameters(columns=[exp.Ordered(this=ident("day"))]))
            ddl.append(exp.Create(this=index, kind="INDEX"))
        return ddl

    def refresh(self, catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect) -> list[Statement]:
        """INSERT its rows: the aggregate a query runs (on the summaries of `as_of`), per day and dimension
        values, each measure with the rows it aggregated; groups where no measure had rows are left out."""
        params = Params(text_type=dialect.text_type)
        moment = as_moment(as_of)
        rc = RenderContext(catalog, Context.at(moment, moment), dialect, params)
        home = catalog.measures[self.measures[0]].entity
        day = TimeSlice(self.time, "day", None) if self.time is not None else None
        fanned = bool(self.fanned(catalog))
        body = AggregateRenderer(rc).aggregate(Aggregate("g", home, self.measures, self.dimensions, day, (), fanned),
                                               with_rows=True)
        names = [*(["day"] if day is not None else []), *self.dimensions]
        columns: list[exp.Expr] = [col("g", "time")] if day is not None else []
        columns += [col("g", f"d{i}") for i in range(len(self.dimensions))]
        for measure in self.measures:
            names += [measure, rows_column(measure)]
            columns += [col("g", measure), col("g", rows_column(measure))]
        some = or_([exp.GT(this=col("g", rows_column(m)), expression=exp.Literal.number(0)) for m in self.measures])
        target = exp.Schema(this=exp.Table(this=ident(self.table)), expressions=[ident(n) for n in names])
        insert = exp.Insert(this=target, expression=select(columns, table("g", "g"), where=some))
        return [Statement(with_ctes(insert, [*shared_ctes(rc), ("g", body)]), tuple(params.values))]

    # --- matching ----------------------------------------------------------------------------------------

    def fanned(self, catalog: Catalog) -> frozenset[str]:
        """Its dimensions below its measures' grain (reached through a one-to-many join)."""
        home = catalog.measures[self.measures[0]].entity
        out = []
        for name in self.dimensions:
            path = catalog.graph.path(home, catalog.dimensions[name].entity)
            if path is not None and path_fans_out(path):
                out.append(name)
        return frozenset(out)

    def cost(self) -> tuple[int, ...]:
        return (0, len(self.dimensions), len(self.measures))

    def serves(self, catalog: Catalog, request: AggregateRequest) -> bool:
        if request.contributors:  # it stores no patients: the agent scope's counts come from the rows
            return False
        return all(self._serves(catalog, agg, request.measure) for agg in (request.aggregate, request.previous)
                   if agg is not None)

    def _serves(self, catalog: Catalog, agg: Aggregate, measure: str) -> bool:
        if measure not in self.measures:
            return False
        needed = {*agg.dimensions, *(f.dimension for f in agg.filters)}
        if any(f.op == "search" or f.on_date for f in agg.filters) or not needed <= set(self.dimensions):
            return False
        sliced = agg.time is not None and (agg.time.window is not None or agg.time.grain is not None)
        if sliced and (agg.time is None or agg.time.dimension != self.time):
            return False
        # distinct counts do not add up: only its own groups, whole (filters on grouped dimensions)
        if catalog.measures[measure].agg == "count_distinct" and (
                set(agg.dimensions) != set(self.dimensions) or not needed <= set(agg.dimensions)):
            return False
        below = self.fanned(catalog)
        # distinct keys per group: summed only over the other dimensions, so the query groups by all of these
        return bool(below) == agg.fanned_out and below <= set(agg.dimensions)

    # --- reading -----------------------------------------------------------------------------------------

    def read(self, rc: RenderContext, agg: Aggregate, previous: Aggregate | None) -> exp.Select:
        day = col(ALIAS, "day")

        def stored(name: str) -> exp.Expr:
            return col(ALIAS, name)

        keys: list[tuple[str, exp.Expr]] = [(f"d{i}", stored(name)) for i, name in enumerate(agg.dimensions)]
        where: list[exp.Expr] = [compare(rc, stored(f.dimension), f.op, f.values) for f in agg.filters]
        periods: list[tuple[str, exp.Expr | None]] = [("", None)]
        if agg.time is not None:
            split_ = split(day, agg.time, previous.time if previous is not None else None, rc.params.add,
                           lambda slice_: _bucket(day, slice_))
            periods = [(period.suffix, period.rows) for period in split_.periods]
            where += [node for node in (split_.window,) if node is not None]
            keys += [("time", node) for node in (split_.bucket,) if node is not None]
        columns: list[exp.Expr] = [alias(node, name) for name, node in keys]
        rows: list[exp.Expr] = []
        for suffix, period in periods:
            for measure in agg.measures:
                value: exp.Expr = exp.Sum(this=stored(measure))
                counted: exp.Expr = exp.Sum(this=stored(rows_column(measure)))
                if period is not None:
                    value = exp.Filter(this=value, expression=exp.Where(this=period.copy()))
                    counted = exp.Filter(this=counted, expression=exp.Where(this=period.copy()))
                columns.append(alias(value, f"{measure}{suffix}"))
                rows.append(counted)
        # a group appears when its measures had rows, as from the entity's rows
        having = exp.GT(this=_sum(rows), expression=exp.Literal.number(0)) if keys else None
        return select(columns, table(self.table, ALIAS), where=and_(where), group=positions(len(keys)),
                      having=having)


def _column(name: str, sql_type: str) -> exp.ColumnDef:
    return exp.ColumnDef(this=ident(name), kind=exp.DataType.build(sql_type))


def _bucket(day: exp.Expr, time: TimeSlice) -> exp.Expr:
    assert time.grain is not None
    return shifted_bucket(day, time.grain, time.shift)


def _sum(terms: list[exp.Expr]) -> exp.Expr:
    total: exp.Expr = exp.Coalesce(this=terms[0], expressions=[exp.Literal.number(0)])
    for term in terms[1:]:
        total = exp.Add(this=total, expression=exp.Coalesce(this=term, expressions=[exp.Literal.number(0)]))
    return total


