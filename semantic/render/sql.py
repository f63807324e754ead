"""Plan -> one sqlglot SELECT.

Measure plans: each `Aggregate` is a grouped subquery at its measure's own grain (so no join
multiplies a sum); several are combined MetricFlow-style by UNION ALL + GROUP BY on the keys (NULL
keys group together, unlike a join), after adding an empty row for every missing time bucket. The
outer levels compute derived measures and compare columns, apply HAVING, count `total_rows` with a
window, order (nulls last) and page.

Listings (the patient table) are counted by a separate statement instead: a window count would make
the database build every row before the LIMIT, where the page alone can walk an index and stop early.
A listing of the root's rows pages its keys first (only what the order and the filters read, the
root's summary joined as whole, so an index on the order serves even a deep offset), then builds the
shown columns for those rows alone; its count reads what the filters need and nothing else. After a
keyset cursor (`after`, semantic/keyset.py) the keys are the rows past the cursor's values, found by one
index seek per way a row can follow it (`_seek`) instead of an offset. A page past the middle of a listing
whose length is known (`from_end`) takes its keys in the reversed order, offset from the last row: the same
index walked backwards, so the last page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from semantic.asof import AsOf, as_moment
from semantic.catalog import Catalog
from semantic.catalog import expr as E
from semantic.catalog.graph import path_fans_out
from semantic.keyset import CursorValue, key_order
from semantic.planner.nodes import (
    Aggregate,
    Context,
    FilterNode,
    HavingNode,
    ListPlan,
    MeasurePlan,
    OrderNode,
    Output,
    Plan,
    Spine,
    TimeSlice,
    Value,
)
from semantic.planner.planner import Planned
from semantic.render.bridges import bridge_refresh, find_bridge
from semantic.render.chains import chain_refresh, find_chain, from_chain
from semantic.render.dialects import Dialect, cast, ratio
from semantic.render.params import Params
from semantic.render.periods import split
from semantic.render.predicates import bridged_rows, compare, conditions, split_filters
from semantic.render.rollups import ROLLUP_COLUMNS, fanned_dimensions, find_rollup, from_rollup
from semantic.render.scope import (
    Instance,
    RenderContext,
    Scope,
    and_,
    col,
    ident,
    is_null,
    not_null,
    or_,
    ordered,
    select,
    shifted_bucket,
    subquery,
    with_ctes,
    wrap,
)
from semantic.render.scope import table as table_ref
from semantic.render.search import search_rank

TOTAL = "__total"
FILL_LIMIT = 100_000  # gap filling adds at most this many rows (series x buckets)


@dataclass(frozen=True)
class Rendered:
    tree: exp.Expr
    params: tuple[object, ...]
    columns: tuple[str, ...]  # result column aliases c0, c1 ... in `Planned.columns` order
    count: Counted | None = None  # listings: the statement that counts every row (no window in `tree`)
    keyset: tuple[int, ...] | None = None  # listings of root rows: the key-order values' columns in a record


@dataclass(frozen=True)
class Counted:
    tree: exp.Expr
    params: tuple[object, ...]


def _alias(node: exp.Expr, name: str) -> exp.Alias:
    return exp.Alias(this=node, alias=ident(name))


def _zero() -> exp.Expr:
    return exp.Literal.number(0)


class _Renderer:
    def __init__(self, rc: RenderContext) -> None:
        self.rc = rc
        self.catalog: Catalog = rc.catalog

    # --- time ----------------------------------------------------------------------------------

    def _time_filters(self, time: TimeSlice | None) -> list[FilterNode]:
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

    def _bucket(self, scope: Scope, home: Instance, time: TimeSlice) -> exp.Expr:
        assert time.grain is not None
        return shifted_bucket(scope.dim_at(home, time.dimension), time.grain, time.shift)

    # --- one aggregate at a measure's grain ----------------------------------------------------

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
        measures come back as `<measure>__prev`. Read from a rollup when one answers it exactly
        (semantic/render/rollups.py), distinct counts from a chain when one does (semantic/render/chains.py).
        `with_rows` (building a rollup): also `<measure>__rows`, the rows each measure aggregated, and never
        from a rollup.
        """
        if not with_rows:
            rollup = find_rollup(self.rc, agg)
            if rollup is not None and (previous is None or find_rollup(self.rc, previous) == rollup):
                return from_rollup(self.rc, agg, previous, rollup)
            chain = find_chain(self.rc, agg)
            if chain is not None and (previous is None or find_chain(self.rc, previous) == chain):
                return from_chain(self.rc, agg, previous, chain)
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
                           lambda slice_: self._bucket(scope, home, slice_))
            periods = [(period.suffix, period.rows) for period in split_.periods]
            if split_.bucket is not None:
                keys.append(("time", split_.bucket))
            assert split_.window is not None
            where = conditions(scope, home, agg.filters)
            where.append(split_.window)
        else:
            if agg.time is not None and agg.time.grain is not None:
                keys.append(("time", self._bucket(scope, home, agg.time)))
            where = conditions(scope, home, [*agg.filters, *self._time_filters(agg.time)])
        measures = [self.catalog.measures[name] for name in agg.measures]
        if measures[0].agg == "count_distinct" and not with_rows:
            return self._nested(scope, home, agg, keys, where, periods)
        filters = {m.filter for m in measures}
        common = filters.pop() if len(filters) == 1 else None
        if common is not None:
            where.append(scope.eval(home, common))
        columns: list[exp.Expr] = [_alias(node, name) for name, node in keys]
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
                                         expression=_zero()))
                columns.append(_alias(value, f"{measure.name}{suffix}"))
                if with_rows:
                    rows: exp.Expr = exp.Count(this=exp.Star())
                    if condition is not None:
                        rows = exp.Filter(this=rows, expression=exp.Where(this=condition.copy()))
                    columns.append(_alias(rows, f"{measure.name}{suffix}__rows"))
        # a group appears when any of its measures has rows (whatever else shares the subquery)
        having = or_(exists) if keys and exists and len(exists) == len(measures) * len(periods) else None
        from_, joins = scope.finish()
        return select(columns, from_, joins, where=and_(where), group=_positions(len(keys)), having=having)

    def _bound(self, time: TimeSlice, day: dt.date) -> dt.date | dt.datetime:
        return day if self.catalog.dimensions[time.dimension].type == "date" else dt.datetime.combine(day, dt.time())

    def _measure_aggregate(self, scope: Scope, home: Instance, measure: E.Expr | object,
                           fanned_out: bool) -> exp.Expr:
        from semantic.catalog.models import Measure

        assert isinstance(measure, Measure)
        if measure.agg == "count":
            if measure.expr is not None:
                return exp.Count(this=scope.eval(home, measure.expr))
            return exp.Count(this=exp.Distinct(expressions=[home.key])) if fanned_out else exp.Count(this=exp.Star())
        assert measure.expr is not None
        value = scope.eval(home, measure.expr)
        if measure.agg == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[value]))
        functions: dict[str, type[exp.Func]] = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max, "avg": exp.Avg,
                                                "median": exp.Median}
        return functions[measure.agg](this=value)

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
        inner_columns = [_alias(node, name) for name, node in keys]
        inner_columns.append(_alias(value, "v"))
        for index, (_, period) in enumerate(periods):
            counted = rows.copy() if period is None else exp.Filter(this=rows.copy(),
                                                                   expression=exp.Where(this=period.copy()))
            inner_columns.append(_alias(counted, f"n{index}"))
        from_, joins = scope.finish()
        inner = select(inner_columns, from_, joins, where=and_(where), group=_positions(len(keys) + 1))
        alias = self.rc.alias("per_value")
        outer_keys = [col(alias, name) for name, _ in keys]
        columns = [*(_alias(k, name) for k, (name, _) in zip(outer_keys, keys, strict=True))]
        for index, (suffix, _) in enumerate(periods):
            for measure in measures:
                enough = exp.GTE(this=col(alias, f"n{index}"), expression=exp.Literal.number(measure.min_count or 1))
                columns.append(_alias(exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=enough)),
                                      f"{measure.name}{suffix}"))
        return select(columns, subquery(inner, alias), group=[k.copy() for k in outer_keys] or None)

    # --- measures combined -----------------------------------------------------------------------

    def measure_plan(self, plan: MeasurePlan, planned: Planned) -> tuple[exp.Expr, list[str]]:
        key_names = [f"d{i}" for i in range(len(plan.dimensions))] + (["time"] if plan.has_time else [])
        ctes: list[tuple[str, exp.Expr]] = []
        single = len(plan.current) == 1 and not plan.previous and plan.spine is None
        if single:
            merged: exp.Expr = subquery(self.aggregate(plan.current[0]), "merged")
        else:
            merged = self._merge(plan, key_names, ctes)
        # level r: keys and every output computed
        output_alias = {o.name: f"o{i}" for i, o in enumerate(plan.outputs)}
        r_columns: list[exp.Expr] = [_alias(col("merged", k), k) for k in key_names]
        values: dict[str, exp.Expr] = {}
        for output in plan.outputs:
            node = self._output(output, bool(plan.previous))
            values[output.name] = node
            r_columns.append(_alias(node, output_alias[output.name]))
        r = select(r_columns, merged)
        # final level: having, total, order, page
        names = {"time": "time", **{d: f"d{i}" for i, d in enumerate(plan.dimensions)}, **output_alias}
        where = and_(self._having(h, output_alias) for h in plan.having)
        visible = [c.name for c in planned.columns]
        final = self._final(r, visible, names, where, plan.order, plan.limit, plan.offset)
        if ctes:
            final.set("with_", exp.With(expressions=[
                exp.CTE(this=body, alias=exp.TableAlias(this=ident(name))) for name, body in ctes]))
        return final, [f"c{i}" for i in range(len(visible))]

    def _merge(self, plan: MeasurePlan, keys: list[str], ctes: list[tuple[str, exp.Expr]]) -> exp.Expr:
        measure_columns: list[str] = []
        sources: list[tuple[Aggregate, dict[str, str]]] = []
        previous = {agg.key[1:]: agg for agg in plan.previous}  # p0 belongs to a0
        for agg in plan.current:
            before = previous.get(agg.key[1:])
            if before is not None and self.can_share_scan(agg, before):
                del previous[agg.key[1:]]
                mapping = {**{m: m for m in agg.measures}, **{f"{m}__prev": f"{m}__prev" for m in agg.measures}}
                body = self.aggregate(agg, before)
            else:
                mapping = {m: m for m in agg.measures}
                body = self.aggregate(agg)
            measure_columns += [c for c in mapping if c not in measure_columns]
            sources.append((agg, mapping))
            ctes.append((agg.key, body))
        for agg in previous.values():
            mapping = {f"{m}__prev": m for m in agg.measures}
            measure_columns += [c for c in mapping if c not in measure_columns]
            sources.append((agg, mapping))
            ctes.append((agg.key, self.aggregate(agg)))
        branches: list[exp.Expr] = []
        numeric = self.rc.dialect.measure_type
        for index, (agg, mapping) in enumerate(sources):
            columns: list[exp.Expr] = [*(col(agg.key, k) for k in keys)]
            for column in measure_columns:
                # the first branch types every column (PostgreSQL would make a NULL-only column text)
                null = cast(exp.Null(), numeric) if index == 0 else exp.Null()
                columns.append(_alias(col(agg.key, mapping[column]) if column in mapping else null, column))
            branches.append(select(columns, table_ref(agg.key, agg.key)))
        ctes.append(("data", _union(branches)))
        source = "data"
        if plan.spine is not None:
            ctes.append(("spine", self._spine(plan.spine)))
            dims = [k for k in keys if k != "time"]
            filler_columns: list[exp.Expr] = [*(col("d", k) for k in dims), col("spine", "time")]
            filler_columns += [_alias(exp.Null(), c) for c in measure_columns]
            if dims:
                ctes.append(("d", select([col("data", k) for k in dims], table_ref("data", "data"), distinct=True)))

                def count(name: str) -> exp.Expr:
                    return exp.Subquery(this=select([exp.Count(this=exp.Star())], table_ref(name, name)))

                # every series gets every bucket, unless that would be more than FILL_LIMIT rows
                small = exp.LTE(this=exp.Mul(this=count("d"), expression=count("spine")),
                                expression=exp.Literal.number(FILL_LIMIT))
                filler = select(filler_columns, table_ref("d", "d"),
                                joins=[exp.Join(this=table_ref("spine", "spine"), kind="CROSS")], where=small)
            else:
                filler = select(filler_columns, table_ref("spine", "spine"))
            data_columns: list[exp.Expr] = [*(col("data", k) for k in dims), col("data", "time")]
            data_columns += [col("data", c) for c in measure_columns]
            ctes.append(("filled", _union([select(data_columns, table_ref("data", "data")), filler])))
            source = "filled"
        merged_columns: list[exp.Expr] = [*(col(source, k) for k in keys)]
        merged_columns += [_alias(exp.Max(this=col(source, c)), c) for c in measure_columns]
        merged = select(merged_columns, table_ref(source, source), group=[col(source, k) for k in keys] or None)
        return subquery(merged, "merged")

    def _spine(self, spine: Spine) -> exp.Expr:
        interval = exp.Interval(this=exp.Literal.string("1"), unit=exp.var(spine.grain.upper()))

        def bound(day: dt.date | None, function: type[exp.Func]) -> exp.Expr:
            if day is not None:
                return self.rc.params.add(dt.datetime.combine(day, dt.time()))
            data_bound = select([function(this=col("data", "time"))], table_ref("data", "data"))
            return cast(exp.Subquery(this=data_bound), "timestamp")

        series = exp.Anonymous(this="generate_series", expressions=[bound(spine.first, exp.Min),
                                                                   bound(spine.last, exp.Max), interval])
        source = exp.Table(this=series, alias=exp.TableAlias(this=ident("s"), columns=[ident("g")]))
        return select([_alias(cast(col("s", "g"), "date"), "time")], source)

    def _output(self, output: Output, has_previous: bool) -> exp.Expr:
        current = self._value(output.measure, previous=False)
        if output.part == "value":
            return current
        if not has_previous:  # compare asked where no previous period exists (all_time)
            return cast(exp.Null(), self.rc.dialect.measure_type)
        previous = self._value(output.measure, previous=True)
        if output.part == "previous":
            return previous
        change = exp.Sub(this=wrap(current), expression=wrap(previous))
        if output.part == "change":
            return change
        return ratio(exp.Paren(this=change), previous.copy())

    def _value(self, name: str, previous: bool) -> exp.Expr:
        base = self.catalog.measures.get(name)
        if base is not None:
            column = col("merged", f"{name}__prev" if previous else name)
            return exp.Coalesce(this=column, expressions=[_zero()]) if base.additive_zero else column
        derived = self.catalog.derived[name]
        formula = derived.formula
        if derived.round and isinstance(formula, E.Call) and formula.op == "div":
            return self.rc.dialect.money_round(self._formula(formula.args[0], previous),
                                               self._formula(formula.args[1], previous))
        node = self._formula(formula, previous)
        return cast(exp.Round(this=node), "bigint") if derived.round else node

    def _formula(self, node: E.Expr, previous: bool) -> exp.Expr:
        if isinstance(node, E.MeasureRef):
            return self._value(node.name, previous)
        if isinstance(node, E.Lit):
            from semantic.render.params import literal

            return literal(node.value)
        assert isinstance(node, E.Call)
        args = [self._formula(a, previous) for a in node.args]
        if node.op == "div":
            return ratio(args[0], args[1])
        binary: dict[str, type[exp.Binary]] = {"add": exp.Add, "sub": exp.Sub, "mul": exp.Mul}
        return binary[node.op](this=wrap(args[0]), expression=wrap(args[1]))

    def _having(self, having: HavingNode, aliases: dict[str, str]) -> exp.Expr:
        return compare(self.rc, col("r", aliases[having.measure]), having.op, having.values)

    def _final(self, inner: exp.Select, visible: list[str], names: dict[str, str], where: exp.Expr | None,
               order: tuple[OrderNode, ...], limit: int, offset: int, total: bool = True) -> exp.Select:
        columns: list[exp.Expr] = [_alias(col("r", names[v]), f"c{i}") for i, v in enumerate(visible)]
        if total:
            columns.append(_alias(exp.Window(this=exp.Count(this=exp.Star())), TOTAL))
        final = select(columns, subquery(inner, "r"), where=where)
        final.set("order", exp.Order(expressions=[ordered(col("r", names[o.column]), o.desc) for o in order]))
        final.set("limit", exp.Limit(expression=self.rc.params.add(limit)))
        final.set("offset", exp.Offset(expression=self.rc.params.add(offset)))
        return final

    # --- listings ----------------------------------------------------------------------------------

    def list_plan(self, plan: ListPlan, planned: Planned) -> tuple[exp.Expr, list[str], tuple[int, ...] | None]:
        """The page, its result columns and, for a listing of root rows, where each key-order value is in a
        result record (what `next_cursor` is made of, semantic/keyset.py)."""
        visible = [c.name for c in planned.columns]
        aliases = [f"c{i}" for i in range(len(visible))]
        if not plan.distinct:
            tree, positions = self._keyed_page(plan, visible)
            return tree, aliases, positions
        inner = self._list_rows(plan, hidden=True)
        names = {"time": "time", **{d: f"d{i}" for i, d in enumerate(plan.dimensions)},
                 **{h: f"h{i}" for i, h in enumerate(plan.hidden_order)}}
        final = self._final(inner, visible, names, None, plan.order, plan.limit, plan.offset, total=False)
        return final, aliases, None

    def list_count(self, plan: ListPlan) -> exp.Expr:
        """SELECT count(*) over the listing's rows (no order, no page).

        Rows of the root (a key is shown) are counted from the root and what the filters need alone.
        """
        count = [_alias(exp.Count(this=exp.Star()), TOTAL)]
        if plan.distinct:
            return select(count, subquery(self._list_rows(plan, hidden=False), "r"))
        scope = Scope(self.rc, plan.root, whole_summary=True)
        filters = [*plan.filters, *self._time_filters(plan.time)]
        direct, groups = split_filters(scope, scope.root, filters)
        if not direct and len(groups) == 1:  # filtered only below one join ("patients who had Botox")
            [((prefix, edge), items)] = groups.items()
            found = find_bridge(self.rc, edge, items) if not prefix else None
            if found is not None:  # the distinct keys of one range of the bridge (each a root row)
                alias = self.rc.alias("bridge")
                distinct = exp.Count(this=exp.Distinct(expressions=[col(alias, "key")]))
                return bridged_rows(self.rc, found, [_alias(distinct, TOTAL)], None, alias)
        where = conditions(scope, scope.root, filters, bridged=True)
        from_, joins = scope.finish()
        return scope.rebase(select(count, from_, joins, where=and_(where)))

    def _list_value(self, scope: Scope, root: Instance, plan: ListPlan, name: str) -> exp.Expr:
        """A listing's column: the time bucket or a dimension, from the root row."""
        if name == "time":
            assert plan.time is not None
            return self._bucket(scope, root, plan.time)
        if self.catalog.dimensions[name].search is not None:  # ordered by how well the search matches
            return search_rank(scope, root, self.catalog.dimensions[name], plan.filters)
        return scope.dim_at(root, name)

    def _page_keys(self, plan: ListPlan) -> exp.Select:
        """The page's root keys (k) and order values (o0, o1 ...), ordered and paged: only what the order
        and the filters read, so an index can serve a deep offset without building the shown columns.
        After a cursor: the rows past its values instead of an offset (`_seek`)."""
        scope = Scope(self.rc, plan.root, whole_summary=True)
        root = scope.root
        order_nodes = key_order(plan, self.catalog)
        values = [self._list_value(scope, root, plan, o.column) for o in order_nodes]
        columns: list[exp.Expr] = [_alias(root.key, "k"), *(_alias(v, f"o{i}") for i, v in enumerate(values))]
        where = conditions(scope, root, [*plan.filters, *self._time_filters(plan.time)], bridged=True)
        from_, joins = scope.finish()
        keys = select(columns, from_, joins, where=and_(where))
        order = [ordered(v.copy(), o.desc) for v, o in zip(values, order_nodes, strict=True)]
        if any(f.op == "search" for f in plan.filters):
            # Find the matches first, then sort them: walking an index in the page's order and testing each
            # row reads the whole table when a search matches few rows late in that order (or none), and
            # search words follow the name order. OFFSET 0 keeps PostgreSQL from merging the subquery.
            keys.set("offset", exp.Offset(expression=exp.Literal.number(0)))
            matched = self.rc.alias("matched")
            names = ["k", *(f"o{i}" for i in range(len(values)))]
            keys = select([col(matched, n) for n in names], subquery(scope.rebase(keys), matched))
            order = [ordered(col(matched, f"o{i}"), o.desc) for i, o in enumerate(order_nodes)]
            if plan.after is not None:  # the matches past the cursor (few: no index to seek)
                past = self._past([col(matched, f"o{i}") for i in range(len(values))], order_nodes, plan.after)
                keys.set("where", exp.Where(this=or_(past)))
        elif plan.after is not None:
            rebased = scope.rebase(self._seek(keys, values, order_nodes, plan.after, plan.limit))
            assert isinstance(rebased, exp.Select)
            return rebased
        limit, offset = plan.limit, plan.offset
        if plan.from_end is not None:  # the page's keys, counted from the last row (no cursor: compile.py)
            order = [exp.Ordered(this=o.this, desc=not o.args.get("desc"), nulls_first=True) for o in order]
            limit, offset = plan.from_end
        keys.set("order", exp.Order(expressions=order))
        keys.set("limit", exp.Limit(expression=self.rc.params.add(limit)))
        if plan.after is None:
            keys.set("offset", exp.Offset(expression=self.rc.params.add(offset)))
        rebased = scope.rebase(keys)
        assert isinstance(rebased, exp.Select)
        return rebased

    def _seek(self, keys: exp.Select, values: list[exp.Expr], nodes: tuple[OrderNode, ...],
              after: tuple[CursorValue, ...], limit: int) -> exp.Select:
        """The first `limit` rows after the cursor: UNION ALL of one branch per condition of `_past`, each
        ordered and limited on its own. Each branch is equalities on a prefix of the order and one range (or
        IS NULL) on the next column, which an index on the order seeks to; a single OR of them would walk the
        index from its start (and a bound on the leading column alone would scan its ties: 43% of patients
        share lifetime_spend 0)."""
        branches: list[exp.Expr] = []
        for condition in self._past(values, nodes, after):
            branch = keys.copy()
            where = branch.args.get("where")
            branch.set("where", exp.Where(this=and_([*([where.this] if where is not None else []), condition])))
            branch.set("order", exp.Order(expressions=[ordered(v.copy(), o.desc)
                                                       for v, o in zip(values, nodes, strict=True)]))
            branch.set("limit", exp.Limit(expression=self.rc.params.add(limit)))
            branches.append(branch)
        if len(branches) == 1:
            only = branches[0]
            assert isinstance(only, exp.Select)
            return only
        seek = self.rc.alias("after")
        names = ["k", *(f"o{i}" for i in range(len(values)))]
        union = _union([exp.Subquery(this=b) for b in branches])
        out = select([col(seek, n) for n in names], subquery(union, seek))
        out.set("order", exp.Order(expressions=[ordered(col(seek, f"o{i}"), o.desc) for i, o in enumerate(nodes)]))
        out.set("limit", exp.Limit(expression=self.rc.params.add(limit)))
        return out

    def _past(self, values: list[exp.Expr], nodes: tuple[OrderNode, ...],
              after: tuple[CursorValue, ...]) -> list[exp.Expr]:
        """Disjoint conditions that together hold the rows after the cursor's, nearest first: for each column i
        from the last (the key) to the first, the columns before it equal to the cursor's and column i past
        the cursor's value (greater, or less when descending) or null, since nulls sort last both ways. After
        a null comes no other value of that column, only its ties, broken by later columns."""
        out: list[exp.Expr] = []
        last = len(nodes) - 1
        for i in range(last, -1, -1):
            bound = after[i]
            if bound is None:
                continue
            same = [self._same(values[j], after[j]) for j in range(i)]
            past = exp.LT if nodes[i].desc else exp.GT
            beyond = past(this=wrap(values[i].copy()), expression=self._cursor_value(bound))
            out.append(_all([*same, beyond]))
            if i < last:  # the key is never null
                out.append(_all([*(s.copy() for s in same), is_null(values[i].copy())]))
        return out

    def _same(self, value: exp.Expr, bound: CursorValue) -> exp.Expr:
        if bound is None:
            return is_null(value.copy())
        return exp.EQ(this=wrap(value.copy()), expression=self._cursor_value(bound))

    def _cursor_value(self, value: Value | Decimal) -> exp.Expr:
        """A cursor value as a typed parameter (a decimal travels as text, cast to decimal: exact)."""
        if isinstance(value, Decimal):
            return cast(self.rc.params.add(str(value)), "decimal")
        return self.rc.params.add(value)

    def _keyed_page(self, plan: ListPlan, visible: list[str]) -> tuple[exp.Expr, tuple[int, ...]]:
        """A page of root rows: its keys first (`_page_keys`), then the shown columns of those rows alone.
        Also where each key-order value is in a record: a shown column, else one added after them."""
        scope = Scope(self.rc, plan.root, whole_summary=True)
        root = scope.root
        keys = self._page_keys(plan)
        page = self.rc.alias("page")
        on = exp.EQ(this=root.key, expression=col(page, "k"))
        columns = [_alias(self._list_value(scope, root, plan, name), f"c{i}") for i, name in enumerate(visible)]
        order_nodes = key_order(plan, self.catalog)
        positions: list[int] = []
        for i, node in enumerate(order_nodes):
            if node.column in visible:
                positions.append(visible.index(node.column))
            else:
                positions.append(len(columns))
                columns.append(_alias(col(page, f"o{i}"), f"o{i}"))
        from_, joins = scope.finish()
        final = select(columns, subquery(keys, page), [exp.Join(this=from_, on=on), *joins])
        final.set("order", exp.Order(expressions=[ordered(col(page, f"o{i}"), o.desc)
                                                  for i, o in enumerate(order_nodes)]))
        return scope.rebase(final), tuple(positions)

    def _list_rows(self, plan: ListPlan, hidden: bool) -> exp.Select:
        scope = Scope(self.rc, plan.root)
        root = scope.root
        columns: list[exp.Expr] = [_alias(scope.dim_at(root, d), f"d{i}") for i, d in enumerate(plan.dimensions)]
        if plan.time is not None and plan.time.grain is not None:
            columns.append(_alias(self._bucket(scope, root, plan.time), "time"))
        if hidden:
            columns += [_alias(scope.dim_at(root, h), f"h{i}") for i, h in enumerate(plan.hidden_order)]
        where = conditions(scope, root, [*plan.filters, *self._time_filters(plan.time)], bridged=True)
        from_, joins = scope.finish()
        return select(columns, from_, joins, where=and_(where), distinct=plan.distinct)


def _all(conditions: list[exp.Expr]) -> exp.Expr:
    """AND of at least one condition."""
    combined = and_(conditions)
    assert combined is not None
    return combined


def _positions(count: int) -> list[exp.Expr] | None:
    """GROUP BY 1, 2, ...: the first `count` select items (no copies of large key expressions)."""
    return [exp.Literal.number(i + 1) for i in range(count)] or None


def _union(branches: list[exp.Expr]) -> exp.Expr:
    result = branches[0]
    for branch in branches[1:]:
        result = exp.Union(this=result, expression=branch, distinct=False)
    return result


def render(planned: Planned, catalog: Catalog, ctx: Context, dialect: Dialect, inline: bool = False) -> Rendered:
    params = Params(inline=inline, text_type=dialect.text_type)
    rc = RenderContext(catalog, ctx, dialect, params)
    renderer = _Renderer(rc)
    plan: Plan = planned.plan
    count: Counted | None = None
    keyset: tuple[int, ...] | None = None
    if isinstance(plan, MeasurePlan):
        tree, columns = renderer.measure_plan(plan, planned)
    else:
        tree, columns, keyset = renderer.list_plan(plan, planned)
        count_params = Params(inline=inline, text_type=dialect.text_type)
        count_rc = RenderContext(catalog, ctx, dialect, count_params)
        count_tree = _Renderer(count_rc).list_count(plan)
        count = Counted(with_ctes(count_tree, count_rc.shared_ctes()), tuple(count_params.values))
    return Rendered(with_ctes(tree, rc.shared_ctes()), tuple(params.values), tuple(columns), count, keyset)


def render_spans(catalog: Catalog, ctx: Context, dialect: Dialect, names: list[str]) -> Rendered:
    """min and max of each time dimension (the data's date span), one row per dimension."""
    params = Params(text_type=dialect.text_type)
    rc = RenderContext(catalog, ctx, dialect, params)
    branches: list[exp.Expr] = []
    for name in names:
        dimension = catalog.dimensions[name]
        scope = Scope(rc, dimension.entity)
        value = cast(scope.dim(scope.root, dimension), "timestamp")
        from_, joins = scope.finish()
        branches.append(select([_alias(exp.Literal.string(name), "name"), _alias(exp.Min(this=value), "lo"),
                                _alias(exp.Max(this=value.copy()), "hi")], from_, joins))
    tree = select([exp.Star()], subquery(_union(branches), "spans"))
    return Rendered(with_ctes(tree, rc.shared_ctes()), tuple(params.values), ("name", "lo", "hi"))


def render_summary_refresh(catalog: Catalog, entity_name: str, as_of: dt.date | AsOf,
                           dialect: Dialect) -> Rendered:
    """INSERT INTO <summary table> SELECT key, as_of, as_of_time, <every materialized dimension computed inline>."""
    entity = catalog.entities[entity_name]
    assert entity.summary_table is not None and entity.summary_key is not None
    params = Params(text_type=dialect.text_type)
    moment = as_moment(as_of)
    rc = RenderContext(catalog, Context.at(moment), dialect, params)
    scope = Scope(rc, entity_name)
    root = scope.root
    names = [entity.summary_key, "as_of", "as_of_time"]
    columns: list[exp.Expr] = [root.key, params.add(moment.day),
                               cast(exp.Literal.string(moment.time.isoformat()) if moment.time else exp.Null(), "time")]
    for dimension in catalog.dimensions.values():
        if dimension.entity == entity_name and dimension.materialized:
            names.append(dimension.materialized)
            columns.append(_alias(scope.dim(root, dimension), dimension.materialized))
    from_, joins = scope.finish()
    target = exp.Schema(this=exp.Table(this=ident(entity.summary_table)), expressions=[ident(n) for n in names])
    insert = exp.Insert(this=target, expression=select(columns, from_, joins))
    return Rendered(with_ctes(insert, rc.shared_ctes()), tuple(params.values), tuple(names))


def render_rollup_refresh(catalog: Catalog, rollup_name: str, as_of: dt.date | AsOf, dialect: Dialect) -> Rendered:
    """INSERT INTO rollup_rows: the rollup's measures per day and dimension values, computed by the same
    aggregate a query runs (reading the summaries of `as_of`), one row per measure that had rows."""
    rollup = catalog.rollups[rollup_name]
    params = Params(text_type=dialect.text_type)
    moment = as_moment(as_of)
    rc = RenderContext(catalog, Context.at(moment, moment), dialect, params)  # no rollups
    home = catalog.measures[rollup.measures[0]].entity
    day = TimeSlice(rollup.time, "day", None) if rollup.time is not None else None
    fanned = bool(fanned_dimensions(catalog, rollup))
    body = _Renderer(rc).aggregate(Aggregate("g", home, rollup.measures, rollup.dimensions, day, (), fanned),
                                   with_rows=True)
    name, stamp = exp.Literal.string(rollup.name), params.add(moment.day)
    dims: list[exp.Expr] = [cast(col("g", f"d{i}"), "text") for i in range(len(rollup.dimensions))]
    dims += [cast(exp.Null(), "text") for _ in range(ROLLUP_COLUMNS - len(dims))]
    branches: list[exp.Expr] = [
        select([name.copy(), stamp.copy(), col("g", "time") if day is not None else cast(exp.Null(), "date"),
                *(d.copy() for d in dims), exp.Literal.string(m),
                col("g", m), col("g", f"{m}__rows")], table_ref("g", "g"),
               where=exp.GT(this=col("g", f"{m}__rows"), expression=_zero()))
        for m in rollup.measures]
    names = ["rollup", "as_of", "day", *(f"d{i}" for i in range(ROLLUP_COLUMNS)), "measure", "value", "rows"]
    target = exp.Schema(this=exp.Table(this=ident("rollup_rows")), expressions=[ident(n) for n in names])
    insert = exp.Insert(this=target, expression=_union(branches))
    return Rendered(with_ctes(insert, [*rc.shared_ctes(), ("g", body)]), tuple(params.values), tuple(names))


def render_chain_refresh(catalog: Catalog, chain_name: str, as_of: dt.date | AsOf, dialect: Dialect) -> Rendered:
    """INSERT INTO chain_rows: the chain's rows as of `as_of` (semantic/render/chains.py)."""
    tree, params = chain_refresh(catalog, chain_name, as_of, dialect)
    return Rendered(tree, params, ())


def render_bridge_refresh(catalog: Catalog, bridge_name: str, dialect: Dialect) -> Rendered:
    """INSERT INTO bridge_rows: the bridge's distinct (source, target) pairs (semantic/render/bridges.py)."""
    tree, params = bridge_refresh(catalog, bridge_name, dialect)
    return Rendered(tree, params, ())
