"""One aggregate at its measures' own grain, from the entity's rows: a grouped subquery whose columns are the
keys (d0, d1 ..., time), each measure's value, and, in the agent scope, the distinct patients behind each
(`<measure>__n`). A comparison's earlier period may share the scan (`<measure>__prev`). Distinct counts of one
value under one filter group the values first, then count them (hashed, parallel, both periods in one scan).

When the physical planner chose a materialization for the aggregate (`Aggregate.source`), that reads it
instead (semantic/materialize/); the columns are the same.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic.catalog.catalog import Catalog
from semantic.catalog.graph import path_fans_out
from semantic.catalog.models import Measure
from semantic.planner.nodes import Aggregate, FilterNode, TimeSlice
from semantic.planner.privacy import PERSON_ENTITY
from semantic.render.context import RenderContext
from semantic.render.dialects import cast
from semantic.render.periods import split
from semantic.render.predicates import conditions
from semantic.render.scope import Instance, Scope, shifted_bucket
from semantic.render.sqlbuild import alias, and_, col, not_null, or_, positions, select, subquery, wrap, zero
from semantic.render.suppression import contributors


class AggregateRenderer:
    """Renders `Aggregate`s of one statement (its parameters, aliases and shared computations in `rc`)."""

    def __init__(self, rc: RenderContext) -> None:
        self.rc = rc
        self.catalog: Catalog = rc.catalog

    def time_filters(self, time: TimeSlice | None) -> list[FilterNode]:
        if time is None or time.window is None:
            return []
        dimension = self.catalog.dimensions[time.dimension]

        def bound(day: dt.date) -> dt.date | dt.datetime:
            return day if dimension.type == "date" else dt.datetime.combine(day, dt.time())

        window = time.window
        out = [FilterNode(time.dimension, "lt", (bound(window.end),))]
        if window.start is not None:
            out.insert(0, FilterNode(time.dimension, "ge", (bound(window.start),)))
        return out

    def bucket(self, scope: Scope, home: Instance, time: TimeSlice) -> exp.Expr:
        assert time.grain is not None
        return shifted_bucket(scope.dim_at(home, time.dimension), time.grain, time.shift)

    def can_share_scan(self, current: Aggregate, previous: Aggregate) -> bool:
        """One scan can compute both periods when they do not overlap and each row's time is at hand."""
        now, before = current.time, previous.time
        if now is None or before is None or now.window is None or before.window is None:
            return False
        path = self.catalog.graph.path(current.entity, self.catalog.dimensions[now.dimension].entity)
        return (path is not None and not path_fans_out(path) and now.window.start is not None
                and before.window.end <= now.window.start)

    def aggregate(self, agg: Aggregate, previous: Aggregate | None = None, with_rows: bool = False) -> exp.Select:
        """One aggregate subquery; with `previous` (a disjoint earlier period) both periods in one scan.

        Rows of the previous period are bucketed after shifting their time forward, and their
        measures come back as `<measure>__prev`. Read from the materialization the physical planner chose
        (`Aggregate.source`), else from the entity's rows. `with_rows` (building a pre-aggregation): also
        `<measure>__rows`, the rows each measure aggregated, always from the rows.
        """
        if agg.source is not None and not with_rows:  # the physical planner chose a materialization
            return self.catalog.materializations[agg.source].read(self.rc, agg, previous)
        scope = Scope(self.rc, agg.entity)
        home = scope.root
        keys: list[tuple[str, exp.Expr]] = [
            (f"d{i}", scope.dim_at(home, name)) for i, name in enumerate(agg.dimensions)]
        periods: list[tuple[str, exp.Expr | None]] = [("", None)]
        if previous is not None:
            assert agg.time is not None and previous.time is not None
            time = agg.time
            split_ = split(scope.dim_at(home, time.dimension), time, previous.time,
                           lambda day: self.rc.params.add(self._bound(time, day)),
                           lambda slice_: self.bucket(scope, home, slice_))
            periods = [(period.suffix, period.rows) for period in split_.periods]
            if split_.bucket is not None:
                keys.append(("time", split_.bucket))
            assert split_.window is not None
            where = conditions(scope, home, agg.filters)
            where.append(split_.window)
        else:
            if agg.time is not None and agg.time.grain is not None:
                keys.append(("time", self.bucket(scope, home, agg.time)))
            where = conditions(scope, home, [*agg.filters, *self.time_filters(agg.time)])
        measures = [self.catalog.measures[name] for name in agg.measures]
        if measures[0].agg == "count_distinct" and not with_rows and (
                not agg.contributors or self._counts_patients(scope, home, measures[0])):
            return self._nested(scope, home, agg, keys, where, periods)
        filters = {m.filter for m in measures}
        common = filters.pop() if len(filters) == 1 else None
        if common is not None:
            where.append(scope.eval(home, common))
        columns: list[exp.Expr] = [alias(node, name) for name, node in keys]
        exists: list[exp.Expr] = []
        for suffix, period in periods:
            for measure in measures:
                value = self._measure_aggregate(scope, home, measure, agg.fanned_out)
                own = scope.eval(home, measure.filter) if measure.filter is not None and common is None else None
                condition = and_(c.copy() for c in (own, period) if c is not None)
                if condition is not None:
                    value = exp.Filter(this=value, expression=exp.Where(this=condition))
                    exists.append(exp.GT(this=exp.Filter(this=exp.Count(this=exp.Star()),
                                                         expression=exp.Where(this=condition.copy())),
                                         expression=zero()))
                columns.append(alias(self._to_cents(measure, value), f"{measure.name}{suffix}"))
                if agg.contributors:
                    columns.append(alias(self._contributors(scope, home, measure, condition),
                                          contributors(measure.name, suffix)))
                if with_rows:
                    rows: exp.Expr = exp.Count(this=exp.Star())
                    if condition is not None:
                        rows = exp.Filter(this=rows, expression=exp.Where(this=condition.copy()))
                    columns.append(alias(rows, f"{measure.name}{suffix}__rows"))
        # a group appears when any of its measures has rows (whatever else shares the subquery)
        having = or_(exists) if keys and exists and len(exists) == len(measures) * len(periods) else None
        from_, joins = scope.finish()
        return select(columns, from_, joins, where=and_(where), group=positions(len(keys)), having=having)

    def patient_key(self, scope: Scope, home: Instance) -> exp.Expr:
        """The key of the patient a row of `home` belongs to (the planner counts only entities with one)."""
        if home.entity == PERSON_ENTITY:
            return home.key
        path = self.catalog.graph.path(home.entity, PERSON_ENTITY)
        assert path is not None
        return scope.navigate(home, path).key

    def _contributors(self, scope: Scope, home: Instance, measure: Measure, condition: exp.Expr | None) -> exp.Expr:
        """COUNT(DISTINCT patient) of the rows that make the measure's value: the rows it counts, for a sum the
        rows whose value is not 0 (a row adding nothing contributes nothing; else one payer among twenty
        non-payers would be "a group of twenty"), for an average or median the rows with a value."""
        rows = [condition.copy()] if condition is not None else []
        if measure.agg == "sum":
            assert measure.expr is not None
            rows.append(exp.NEQ(this=wrap(scope.eval(home, measure.expr)), expression=zero()))
        elif measure.agg in ("avg", "median", "percentile", "min", "max"):  # rows with a value: NULLs are left out
            assert measure.expr is not None
            rows.append(not_null(scope.eval(home, measure.expr)))
        patients: exp.Expr = exp.Count(this=exp.Distinct(expressions=[self.patient_key(scope, home)]))
        where = and_(rows)
        return patients if where is None else exp.Filter(this=patients, expression=exp.Where(this=where))

    def _counts_patients(self, scope: Scope, home: Instance, measure: Measure) -> bool:
        """Whether a distinct count counts patients: its contributors are then the values it counts."""
        assert measure.expr is not None
        return scope.eval(home, measure.expr) == self.patient_key(scope, home)

    def _bound(self, time: TimeSlice, day: dt.date) -> dt.date | dt.datetime:
        return day if self.catalog.dimensions[time.dimension].type == "date" else dt.datetime.combine(day, dt.time())

    def _measure_aggregate(self, scope: Scope, home: Instance, measure: Measure, fanned_out: bool) -> exp.Expr:
        if measure.agg == "count":
            if measure.expr is not None:
                return exp.Count(this=scope.eval(home, measure.expr))
            return exp.Count(this=exp.Distinct(expressions=[home.key])) if fanned_out else exp.Count(this=exp.Star())
        assert measure.expr is not None
        value = scope.eval(home, measure.expr)
        if measure.agg == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[value]))
        if measure.agg == "percentile":  # continuous (interpolated), as median is
            assert measure.fraction is not None
            return exp.WithinGroup(this=exp.PercentileCont(this=exp.Literal.number(measure.fraction)),
                                   expression=exp.Order(expressions=[exp.Ordered(this=value)]))
        functions: dict[str, type[exp.Func]] = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max, "avg": exp.Avg,
                                                "median": exp.Median}
        return functions[measure.agg](this=value)

    def _to_cents(self, measure: Measure, value: exp.Expr) -> exp.Expr:
        """An ad hoc average, median or percentile of money, rounded to whole cents (halves away from zero)."""
        if not (measure.adhoc and measure.unit == "cents" and measure.agg in ("avg", "median", "percentile")):
            return value
        return exp.Round(this=cast(value, self.rc.dialect.measure_type))

    def _nested(self, scope: Scope, home: Instance, agg: Aggregate, keys: list[tuple[str, exp.Expr]],
                where: list[exp.Expr], periods: list[tuple[str, exp.Expr | None]]) -> exp.Select:
        """Distinct counts of one value under one filter (the planner groups them): the rows grouped by the
        keys and the value, counting each period's rows; then per key the values seen at least once (a
        distinct count) or at least `min_count` times (patients with 2+ visits). Grouping is hashed and
        runs in parallel where COUNT(DISTINCT) sorts, and both periods of a comparison share the scan."""
        measures = [self.catalog.measures[name] for name in agg.measures]
        first = measures[0]
        assert first.expr is not None
        if first.filter is not None:
            where.append(scope.eval(home, first.filter))
        value = scope.eval(home, first.expr)
        where.append(not_null(value.copy()))  # as COUNT(DISTINCT)
        rows = exp.Count(this=exp.Distinct(expressions=[home.key])) if agg.fanned_out else exp.Count(this=exp.Star())
        inner_columns = [alias(node, name) for name, node in keys]
        inner_columns.append(alias(value, "v"))
        for index, (_, period) in enumerate(periods):
            counted = rows.copy() if period is None else exp.Filter(this=rows.copy(),
                                                                   expression=exp.Where(this=period.copy()))
            inner_columns.append(alias(counted, f"n{index}"))
        from_, joins = scope.finish()
        inner = select(inner_columns, from_, joins, where=and_(where), group=positions(len(keys) + 1))
        grouped = self.rc.alias("per_value")
        outer_keys = [col(grouped, name) for name, _ in keys]
        columns = [*(alias(k, name) for k, (name, _) in zip(outer_keys, keys, strict=True))]
        for index, (suffix, _) in enumerate(periods):
            for measure in measures:
                enough = exp.GTE(this=col(grouped, f"n{index}"), expression=exp.Literal.number(measure.min_count or 1))
                counted = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=enough))
                columns.append(alias(counted, f"{measure.name}{suffix}"))
                if agg.contributors:  # the patients counted are the contributors (the planner made sure)
                    columns.append(alias(counted.copy(), contributors(measure.name, suffix)))
        return select(columns, subquery(inner, grouped), group=[k.copy() for k in outer_keys] or None)
