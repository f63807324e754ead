"""Measures by dimensions (and time) -> a `MeasurePlan`: each base measure in an aggregate at its own grain,
grouped by entity and time dimension, with its earlier period for a comparison, the spine of buckets, the
output columns, HAVING and ORDER BY."""

from __future__ import annotations

import datetime as dt

from semantic.catalog import Dimension
from semantic.catalog.catalog import AnyMeasure
from semantic.errors import (
    INVALID_FILTER,
    INVALID_RANGE,
    QueryError,
)
from semantic.planner import privacy
from semantic.planner.calculations import plan_calculations, plan_top
from semantic.planner.filters import typed_having
from semantic.planner.nodes import (
    Aggregate,
    ColumnInfo,
    FilterNode,
    HavingNode,
    MeasurePlan,
    OrderNode,
    Output,
    Planned,
    Spine,
    TimeSlice,
)
from semantic.planner.resolve import COMPARE_PARTS, Resolver, TimeAsked
from semantic.planner.timerange import (
    bucket_start,
)


class MeasurePlanner(Resolver):
    def measure_plan(self, measures: list[AnyMeasure], dims: list[Dimension], time: TimeAsked,
                     filters: list[tuple[FilterNode, str]], limit: int, offset: int) -> Planned:
        q = self.query
        having: list[HavingNode] = []
        hidden: list[AnyMeasure] = []
        for index, raw in enumerate(q.having):
            path = f"having[{index}]"
            if raw.field in self.catalog.dimensions:
                raise QueryError(INVALID_FILTER, f"{raw.field!r} is a dimension: filter it in `filters`",
                                 f"{path}.field", [])
            measure = self.measure(raw.field, f"{path}.field")
            if measure not in measures and measure not in hidden:
                hidden.append(measure)
            having.append(typed_having(measure, raw, path))
        # Each base measure at its own grain: one aggregate per (entity, time dimension[, nested]).
        groups: dict[tuple[str, str | None, object], list[str]] = {}
        fanned: dict[tuple[str, str | None, object], bool] = {}
        for index, shown in enumerate([*measures, *hidden]):
            mpath = f"measures[{index}]" if index < len(measures) else "having"
            for base_name in self.catalog.base_measures_of(shown.name):
                base = self.catalog.measures[base_name]
                fans = False
                for i, dimension in enumerate(dims):
                    split = self._check_grouping(shown, base, dimension, f"dimensions[{i}]")
                    if split and base.adhoc:
                        self._overlapping(base.name, base.entity, dimension.name)
                    fans |= split
                time_dim = time.dimension or (self.catalog.dimensions.get(base.time) if base.time else None)
                if (time.grain or time.window) and time_dim is None:
                    raise QueryError(INVALID_RANGE, f"{base.name!r} has no default time dimension",
                                     mpath, [])
                if time_dim is not None and time.grain:
                    fans |= self._check_grouping(shown, base, time_dim, "time.dimension")
                    if self.agent and time.dimension is None:
                        privacy.check_bucket(time_dim, time.grain, "time.grain")
                if (self.agent and time_dim is not None and time.dimension is None and time.window is not None
                        and q.time is not None and not isinstance(q.time.range, str)):
                    privacy.check_range(time_dim, time.window.start, time.window.end, "time.range")
                elif time_dim is not None and time.window:
                    self._check_filter(shown, base, time_dim, "time.dimension")
                for node, fpath in filters:
                    self._check_filter(shown, base, self.catalog.dimensions[node.dimension], f"{fpath}.field")
                    self._check_match(base.entity, node, fpath)
                tname = time_dim.name if time_dim is not None and (time.grain or time.window) else None
                # distinct counts of one value under one filter (active and returning patients) share one
                # nested aggregate: the values grouped once, then counted (rendered by `_Renderer._nested`)
                family: object = (base.expr, base.filter) if base.agg == "count_distinct" else ""
                key = (base.entity, tname, family)
                groups.setdefault(key, [])
                if base.name not in groups[key]:
                    groups[key].append(base.name)
                fanned[key] = fanned.get(key, False) or fans
        filter_nodes = tuple(node for node, _ in filters)
        k = self.ctx.k
        current, previous = [], []
        for index, (key, names) in enumerate(groups.items()):
            entity, tname, _ = key
            slice_ = TimeSlice(tname, time.grain, time.window) if tname else None
            counted = k > 0 and privacy.patient_path_of(self.catalog, entity)  # measures with patients behind
            current.append(Aggregate(f"a{index}", entity, tuple(names), tuple(d.name for d in dims), slice_,
                                     filter_nodes, fanned[key], counted))
            if time.shift is not None and tname is not None and time.window is not None:
                prev = TimeSlice(tname, time.grain, time.window.shifted_back(time.shift), time.shift)
                previous.append(Aggregate(f"p{index}", entity, tuple(names), tuple(d.name for d in dims), prev,
                                          filter_nodes, fanned[key], counted))
        spine = None
        if time.grain is not None:
            window = time.window
            first = bucket_start(window.start, time.grain) if window and window.start else None
            last = bucket_start(window.end - dt.timedelta(days=1), time.grain) if window else None
            spine = Spine(time.grain, first, last)
        outputs: list[Output] = []
        columns: list[ColumnInfo] = []
        if time.grain is not None:
            label = time.dimension.label if time.dimension else "Time"
            columns.append(ColumnInfo("time", "time", "date", f"{label} ({time.grain})"))
        for dimension in dims:
            columns.append(self._dim_column(dimension))
        for measure in measures:
            outputs.append(Output(measure.name, measure.name))
            columns.append(ColumnInfo(measure.name, "measure", measure.type, measure.label, measure.unit,
                                      measure.format))
            if time.compare:
                for part in COMPARE_PARTS:
                    outputs.append(Output(f"{measure.name}.{part}", measure.name, part))  # type: ignore[arg-type]
                    if part == "change_pct":
                        columns.append(ColumnInfo(f"{measure.name}.{part}", "measure", "number",
                                                  f"{measure.label} (change %)", "ratio", "percent"))
                    else:
                        columns.append(ColumnInfo(f"{measure.name}.{part}", "measure", measure.type,
                                                  f"{measure.label} ({part})", measure.unit, measure.format))
        for measure in hidden:
            outputs.append(Output(measure.name, measure.name, hidden=True))
        keys = (["time"] if time.grain else []) + [d.name for d in dims]
        measure_columns = {c.name: c for c in columns if c.kind == "measure"}
        calculations, calculated = plan_calculations(q.calculations, keys, measure_columns, time.grain is not None)
        columns += calculated
        top = plan_top(q.top, keys, {**measure_columns, **{c.name: c for c in calculated}})
        selectable = keys + [o.name for o in outputs if not o.hidden] + [c.name for c in calculations]
        default = [OrderNode("time", False)] if time.grain else [OrderNode(measures[0].name, True)]
        order = self._order(selectable, default, keys)
        shadows = privacy.shadows(self.catalog, [*current, *previous], filter_nodes) if k else ()
        plan = MeasurePlan(tuple(d.name for d in dims), time.grain is not None, tuple(current), tuple(previous),
                           spine, tuple(outputs), tuple(having), tuple(order), limit, offset, k, shadows,
                           len(privacy.filter_groups(self.catalog, filter_nodes)) if k else 0,
                           tuple(calculations), top)
        compare_range = time.window.shifted_back(time.shift) if time.window and time.shift else None
        return Planned(plan, tuple(columns), time.window, compare_range, tuple(self.warnings))
