"""A measure plan as one statement: its aggregates combined on their keys, every bucket filled, outputs computed,
then HAVING, the row count, the order and the page.

Aggregates are combined MetricFlow-style by UNION ALL + GROUP BY on the keys (NULL keys group together, unlike
a join), after adding an empty row for every missing time bucket. The outputs level computes derived measures
and compare columns; in the agent scope it reads values already hidden where too few patients are behind them
(semantic/render/suppression.py), so nothing after it can reveal them.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic.catalog import expr as E
from semantic.planner.nodes import Aggregate, HavingNode, MeasurePlan, Output, Planned, Spine
from semantic.render.aggregate import AggregateRenderer
from semantic.render.calculations import LEVEL, calculation_levels, top_level, within_top
from semantic.render.context import RenderContext
from semantic.render.dialects import cast, ratio
from semantic.render.paging import TOTAL, final_page
from semantic.render.params import literal
from semantic.render.predicates import compare, conditions
from semantic.render.scope import Scope
from semantic.render.sqlbuild import alias, and_, col, ident, is_null, select, subquery, union, wrap, zero
from semantic.render.sqlbuild import table as table_ref
from semantic.render.suppression import (
    KEEP,
    MAIN,
    SKETCH,
    SKETCH_SEED,
    contributors,
    dropped,
    hidden_column,
    hide,
    keyed_hash,
    page_with_tally,
    primary_hidden,
    row_flags,
)

FILL_LIMIT = 100_000  # gap filling adds at most this many rows (series x buckets)



class MeasureRenderer(AggregateRenderer):
    """Renders a `MeasurePlan`: the aggregates, combined."""

    def __init__(self, rc: RenderContext) -> None:
        super().__init__(rc)
        self._k = 0  # the agent scope's minimum group size (suppression.py); 0: nothing is suppressed
        self._counted: set[str] = set()  # base measures whose contributing patients are counted

    def measure_plan(self, plan: MeasurePlan, planned: Planned) -> tuple[exp.Expr, list[str]]:
        key_names = [f"d{i}" for i in range(len(plan.dimensions))] + (["time"] if plan.has_time else [])
        ctes: list[tuple[str, exp.Expr]] = []
        single = len(plan.current) == 1 and not plan.previous and plan.spine is None and not plan.shadows
        if single:
            merged: exp.Expr = subquery(self.aggregate(plan.current[0]), "merged")
        else:
            merged = self._merge(plan, key_names, ctes)
        # level r: keys and every output computed (suppressed values already NULL: semantic/render/suppression.py)
        self._k = plan.min_group_size
        self._counted = {m for agg in (*plan.current, *plan.previous) if agg.contributors for m in agg.measures}
        if self._k and self._counted:
            merged = self._hidden(plan, merged)
        output_alias = {o.name: f"o{i}" for i, o in enumerate(plan.outputs)}
        r_columns: list[exp.Expr] = [alias(col("merged", k), k) for k in key_names]
        values: dict[str, exp.Expr] = {}
        for output in plan.outputs:
            node = self._output(output, bool(plan.previous))
            values[output.name] = node
            r_columns.append(alias(node, output_alias[output.name]))
        if self._k:
            r_columns += self._row_flags(plan)
        r: exp.Expr = select(r_columns, merged)
        names = {"time": "time", **{d: f"d{i}" for i, d in enumerate(plan.dimensions)}, **output_alias}
        # the calculations, on every aggregated row (hidden values already NULL: semantic/render/calculations.py)
        r = calculation_levels(r, plan, names)
        # final level: having, top, total, order, page
        keys = (["time"] if plan.has_time else []) + list(plan.dimensions)
        visible = [c.name for c in planned.columns]
        if self._k:  # the page beside the tally of what was suppressed (r is read twice: a CTE)
            ctes.append(("r", r))
            page_columns: list[exp.Expr] = [alias(col("r", names[v]), f"c{i}") for i, v in enumerate(visible)]
            order = [(f"c{visible.index(o.column)}", o.desc) for o in plan.order]
            where = and_(self._having(h, names) for h in plan.having)
            source = None
            if plan.top is not None:  # numbered among the rows kept that pass HAVING
                kept = and_([col(LEVEL, KEEP), *(self._having(h, names, LEVEL) for h in plan.having)])
                source = subquery(top_level(table_ref("r", LEVEL), plan, names, kept, keys), "r")
                where = within_top(plan, "r")
            final: exp.Select = page_with_tally(page_columns, order, where, self.rc.params.add(plan.limit),
                                                self.rc.params.add(plan.offset), TOTAL, source)
        elif plan.top is not None:
            passing = and_(self._having(h, names, LEVEL) for h in plan.having)
            ranked = top_level(r, plan, names, passing, keys)
            final = final_page(self.rc, ranked, visible, names, within_top(plan, "r"), plan.order, plan.limit,
                               plan.offset)
        else:
            where = and_(self._having(h, names) for h in plan.having)
            final = final_page(self.rc, r, visible, names, where, plan.order, plan.limit, plan.offset)
        if ctes:
            final.set("with_", exp.With(expressions=[
                exp.CTE(this=body, alias=exp.TableAlias(this=ident(name))) for name, body in ctes]))
        return final, [f"c{i}" for i in range(len(visible))]

    def audience(self, plan: MeasurePlan) -> exp.Expr | None:
        """The patients the query describes in all: those with a row any of its aggregates reads under its filters
        and range (either period; what the measures count aside), as their number `n` and a sketch: the
        smallest `SKETCH` of their keyed hashes. The agent scope refuses a query that describes fewer than k
        patients (`too_few_patients`), and compares the sketch with the key's earlier queries' (two answers about
        sets of patients that differ by a few would give those few away)."""
        counted = [agg for agg in (*plan.current, *plan.previous) if agg.contributors]
        if not counted:
            return None
        branches: list[exp.Expr] = []
        seen: set[tuple[object, ...]] = set()
        for agg in counted:
            filters = (*agg.filters, *self.time_filters(agg.time))
            if (agg.entity, filters) in seen:  # the same rows for another measure: read once
                continue
            seen.add((agg.entity, filters))
            scope = Scope(self.rc, agg.entity)
            home = scope.root
            where = conditions(scope, home, list(filters))
            patient = self.patient_key(scope, home)
            from_, joins = scope.finish()
            branches.append(select([alias(patient, "p")], from_, joins, where=and_(where)))
        # each patient once (UNION drops duplicates before anything is hashed), hashed once, in a CTE that the
        # count and the sketch both read
        who = self.rc.alias("who")
        distinct = branches[0] if len(branches) == 1 else union(branches, distinct=True)
        if len(branches) == 1:
            distinct.set("distinct", exp.Distinct())
        hashes = select([alias(keyed_hash(col(who, "p"), self.rc.params.add(SKETCH_SEED)), "h")],
                        subquery(distinct, who))
        hashed, lowest = self.rc.alias("hashed"), self.rc.alias("lowest")
        count = select([exp.Count(this=exp.Star())], table_ref(hashed, hashed))
        ranked = select([col(hashed, "h")], table_ref(hashed, hashed))
        ranked.set("order", exp.Order(expressions=[exp.Ordered(this=col(hashed, "h"))]))
        ranked.set("limit", exp.Limit(expression=exp.Literal.number(SKETCH)))
        sketch = select([exp.ArrayAgg(this=col(lowest, "h"))], subquery(ranked, lowest))
        out = exp.Select(expressions=[alias(exp.Subquery(this=count), "n"), alias(exp.Subquery(this=sketch), "sketch")])
        out.set("with_", exp.With(expressions=[exp.CTE(this=hashes, alias=exp.TableAlias(this=ident(hashed)))]))
        return out

    def _hidden(self, plan: MeasurePlan, merged: exp.Expr) -> exp.Expr:
        """`merged` with, per counted base measure and period, whether its value is hidden (`<m>[__prev]__hidden`):
        by its own patients and by the filters' differences (semantic/render/suppression.py)."""
        periods = ["", "__prev"] if plan.previous else [""]
        counts = {(m, sfx): col("merged", contributors(m, sfx)) for m in sorted(self._counted) for sfx in periods}
        drops = {(m, sfx): [col("merged", dropped(m, sfx, i)) for i in range(plan.filter_count)] if plan.shadows
                 else [] for m, sfx in counts}
        flags = [alias(primary_hidden(count, drops[key], self._k), hidden_column(*key))
                 for key, count in counts.items()]
        present = exp.Not(this=is_null(col("merged", MAIN))) if plan.shadows else None
        return subquery(select([exp.Star(), *flags], merged, where=present), "merged")

    def _suppressed(self, name: str, previous: bool) -> exp.Expr | None:
        """Whether a measure's value in a row is hidden: any base measure behind it is (`_hidden`)."""
        suffix = "__prev" if previous else ""
        conditions = [col("merged", hidden_column(base, suffix))
                      for base in self.catalog.base_measures_of(name) if base in self._counted]
        if not conditions:
            return None
        result: exp.Expr = conditions[0]
        for condition in conditions[1:]:
            result = exp.Or(this=result, expression=condition)
        return exp.Paren(this=result)

    def _row_flags(self, plan: MeasurePlan) -> list[exp.Expr]:
        shown: list[exp.Expr | None] = []
        for output in plan.outputs:
            if output.hidden or output.part not in ("value", "previous"):
                continue
            if output.part == "previous" and not plan.previous:
                continue
            shown.append(self._suppressed(output.measure, output.part == "previous"))
        suffixes = ["", "__prev"] if plan.previous else [""]
        counts: list[exp.Expr] = [col("merged", contributors(m, suffix)) for m in sorted(self._counted)
                                  for suffix in suffixes]
        return row_flags(shown, counts)

    def _merge(self, plan: MeasurePlan, keys: list[str], ctes: list[tuple[str, exp.Expr]]) -> exp.Expr:
        measure_columns: list[str] = []
        sources: list[tuple[Aggregate, dict[str, str]]] = []
        previous = {agg.key[1:]: agg for agg in plan.previous}  # p0 belongs to a0
        for agg in plan.current:
            before = previous.get(agg.key[1:])
            if before is not None and self.can_share_scan(agg, before):
                del previous[agg.key[1:]]
                mapping = {**_columns(agg, ""), **_columns(agg, "__prev")}
                body = self.aggregate(agg, before)
            else:
                mapping = _columns(agg, "")
                body = self.aggregate(agg)
            measure_columns += [c for c in mapping if c not in measure_columns]
            sources.append((agg, mapping))
            ctes.append((agg.key, body))
        for agg in previous.values():
            mapping = {name: source for name, source in zip(_columns(agg, "__prev"), _columns(agg, ""), strict=True)}
            measure_columns += [c for c in mapping if c not in measure_columns]
            sources.append((agg, mapping))
            ctes.append((agg.key, self.aggregate(agg)))
        for agg in plan.shadows:  # contributor counts without one filter, beside the rows they compare with
            assert agg.shadow_of is not None and agg.dropped is not None
            period = "__prev" if agg.shadow_of.startswith("p") else ""
            mapping = {dropped(m, period, agg.dropped): contributors(m) for m in agg.measures}
            measure_columns += [c for c in mapping if c not in measure_columns]
            sources.append((agg, mapping))
            ctes.append((agg.key, self.aggregate(agg)))
        if plan.shadows:  # which groups the query itself has (a shadow may have more)
            measure_columns.append(MAIN)
        branches: list[exp.Expr] = []
        numeric = self.rc.dialect.measure_type
        for index, (agg, mapping) in enumerate(sources):
            columns: list[exp.Expr] = [*(col(agg.key, k) for k in keys)]
            for column in measure_columns:
                # the first branch types every column (PostgreSQL would make a NULL-only column text)
                null = cast(exp.Null(), numeric) if index == 0 else exp.Null()
                if column == MAIN:
                    columns.append(alias(null if agg.shadow_of else exp.Literal.number(1), column))
                    continue
                columns.append(alias(col(agg.key, mapping[column]) if column in mapping else null, column))
            branches.append(select(columns, table_ref(agg.key, agg.key)))
        ctes.append(("data", union(branches)))
        source = "data"
        if plan.spine is not None:
            ctes.append(("spine", self._spine(plan.spine)))
            dims = [k for k in keys if k != "time"]
            filler_columns: list[exp.Expr] = [*(col("d", k) for k in dims), col("spine", "time")]
            filler_columns += [alias(exp.Literal.number(1) if c == MAIN else exp.Null(), c) for c in measure_columns]
            if dims:
                present = exp.Not(this=is_null(col("data", MAIN))) if plan.shadows else None
                ctes.append(("d", select([col("data", k) for k in dims], table_ref("data", "data"), where=present,
                                         distinct=True)))

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
            ctes.append(("filled", union([select(data_columns, table_ref("data", "data")), filler])))
            source = "filled"
        merged_columns: list[exp.Expr] = [*(col(source, k) for k in keys)]
        merged_columns += [alias(exp.Max(this=col(source, c)), c) for c in measure_columns]
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
        return select([alias(cast(col("s", "g"), "date"), "time")], source)

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
            value = exp.Coalesce(this=column, expressions=[zero()]) if base.additive_zero else column
            return hide(value, self._suppressed(name, previous))
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
            return literal(node.value)
        assert isinstance(node, E.Call)
        args = [self._formula(a, previous) for a in node.args]
        if node.op == "div":
            return ratio(args[0], args[1])
        binary: dict[str, type[exp.Binary]] = {"add": exp.Add, "sub": exp.Sub, "mul": exp.Mul}
        return binary[node.op](this=wrap(args[0]), expression=wrap(args[1]))

    def _having(self, having: HavingNode, aliases: dict[str, str], table: str = "r") -> exp.Expr:
        return compare(self.rc, col(table, aliases[having.measure]), having.op, having.values)


def _columns(agg: Aggregate, suffix: str) -> dict[str, str]:
    """An aggregate's measure columns (and their contributor counts) for a period, each named as it is."""
    out = {f"{m}{suffix}": f"{m}{suffix}" for m in agg.measures}
    if agg.contributors:
        out.update({contributors(m, suffix): contributors(m, suffix) for m in agg.measures})
    return out
