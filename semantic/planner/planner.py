"""Query -> plan: check every name, op, value and grouping against the catalog, then decide what to compute.

Refusals are `QueryError`s with the contract's codes, the path into the query, and suggestions.
Fan-out rules (why a measure may or may not be split by a dimension) live here, in
`_check_grouping`/`_check_filter`: the renderer then only renders what was decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from semantic.catalog import Catalog, Dimension, suggest
from semantic.catalog.catalog import AnyMeasure
from semantic.catalog.expr import Col
from semantic.catalog.graph import Path, path_fans_out
from semantic.catalog.models import Measure
from semantic.errors import (
    FORBIDDEN_MEMBER,
    INVALID_FILTER,
    INVALID_GROUPING,
    INVALID_ORDER,
    INVALID_QUERY,
    INVALID_RANGE,
    LIMIT_EXCEEDED,
    UNKNOWN_MEMBER,
    QueryError,
)
from semantic.keyset import refuse_measures, resume
from semantic.planner.filters import typed_filter, typed_having
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
)
from semantic.planner.roles import check_front_desk
from semantic.planner.search_order import by_relevance
from semantic.planner.timerange import (
    COMPARES,
    DateRange,
    RangeError,
    Shift,
    bucket_start,
    compare_shift,
    resolve_range,
)
from semantic.query import DEFAULT_LIMIT, GRAIN_NAMES, MAX_LIMIT, Query

COMPARE_PARTS = ("previous", "change", "change_pct")


@dataclass(frozen=True)
class ColumnInfo:
    """A result column as the contract describes it (name, kind, type, label, unit)."""

    name: str
    kind: str  # dimension | time | measure
    type: str
    label: str
    unit: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class Planned:
    plan: Plan
    columns: tuple[ColumnInfo, ...]
    range: DateRange | None
    compare_range: DateRange | None
    warnings: tuple[str, ...] = ()


@dataclass
class _Time:
    dimension: Dimension | None  # None: each measure on its own default time dimension
    grain: str | None
    window: DateRange | None
    shift: Shift | None
    compare: bool = False


@dataclass
class _Planner:
    query: Query
    catalog: Catalog
    ctx: Context
    warnings: list[str] = field(default_factory=list)

    # --- names -----------------------------------------------------------------------------------

    def _unknown(self, name: str, path: str, kind: str, pool: list[str]) -> QueryError:
        return QueryError(UNKNOWN_MEMBER, f"unknown {kind} {name!r}", path,
                          suggest(name, pool, self.catalog.synonyms))

    def _forbid_pii(self, dimension: Dimension, path: str) -> None:
        if self.ctx.scope == "agent" and dimension.pii:
            raise QueryError(FORBIDDEN_MEMBER, f"{dimension.name!r} is personal data; the agent role may not use it",
                             path, [])

    def measure(self, name: str, path: str) -> AnyMeasure:
        found = self.catalog.measure(name)
        if found is not None:
            return found
        if name in self.catalog.dimensions:
            raise QueryError(UNKNOWN_MEMBER, f"{name!r} is a dimension, not a measure: put it in `dimensions`",
                             path, [])
        raise self._unknown(name, path, "measure", [m.name for m in self.catalog.all_measures()])

    def dimension(self, name: str, path: str) -> Dimension:
        found = self.catalog.dimensions.get(name)
        if found is None:
            if self.catalog.measure(name) is not None:
                raise QueryError(UNKNOWN_MEMBER, f"{name!r} is a measure, not a dimension: put it in `measures`",
                                 path, [])
            raise self._unknown(name, path, "dimension", list(self.catalog.dimensions))
        self._forbid_pii(found, path)
        return found

    # --- time ------------------------------------------------------------------------------------

    def time(self, has_measures: bool) -> _Time:
        spec = self.query.time
        if spec is None:
            return _Time(None, None, None, None)
        dimension = None
        if spec.dimension is not None:
            dimension = self.dimension(spec.dimension, "time.dimension")
            if dimension.kind != "time":
                times = [d.name for d in self.catalog.dimensions.values() if d.kind == "time"]
                raise QueryError(INVALID_RANGE, f"{dimension.name!r} is not a time dimension", "time.dimension",
                                 suggest(spec.dimension, times))
        grain = spec.grain
        if grain is not None:
            if grain not in GRAIN_NAMES:
                raise QueryError(INVALID_RANGE, f"unknown grain {grain!r}", "time.grain", suggest(grain, GRAIN_NAMES))
            if dimension is not None and grain not in dimension.grains:
                raise QueryError(INVALID_RANGE, f"{dimension.name!r} has grains {', '.join(dimension.grains)}, "
                                 f"not {grain}", "time.grain", list(dimension.grains))
        window = None
        if spec.range is not None:
            try:
                window = resolve_range(spec.range, self.ctx.as_of)
            except RangeError as err:
                from semantic.planner.timerange import RELATIVE_RANGES

                close = suggest(spec.range, RELATIVE_RANGES) if isinstance(spec.range, str) else []
                raise QueryError(INVALID_RANGE, str(err), "time.range", close) from None
        shift = None
        if spec.compare is not None:
            if spec.compare not in COMPARES:
                raise QueryError(INVALID_RANGE, f"unknown compare {spec.compare!r}", "time.compare",
                                 suggest(spec.compare, COMPARES))
            if not has_measures:
                raise QueryError(INVALID_RANGE, "compare needs measures", "time.compare", [])
            if window is None:
                raise QueryError(INVALID_RANGE, "compare needs a time.range to compare with the period before it",
                                 "time.compare", ["last_30_days", "last_12_months"])
            try:
                shift = compare_shift(spec.compare, window)
            except RangeError as err:  # all_time: nothing before it; previous values are null
                self.warnings.append(f"{err}: previous values are null")
                shift = None
        if dimension is not None and grain is None and window is None:
            self.warnings.append("time.dimension without grain or range has no effect")
        return _Time(dimension, grain, window, shift, spec.compare is not None)

    # --- filters ---------------------------------------------------------------------------------

    def filters(self) -> list[tuple[FilterNode, str]]:
        out = []
        for index, raw in enumerate(self.query.filters):
            path = f"filters[{index}]"
            if raw.field not in self.catalog.dimensions and self.catalog.measure(raw.field) is not None:
                raise QueryError(INVALID_FILTER, f"{raw.field!r} is a measure: filter it in `having`", f"{path}.field",
                                 [])
            dimension = self.dimension(raw.field, f"{path}.field")
            out.append((typed_filter(dimension, raw, path), path))
        return out

    # --- fan-out rules ---------------------------------------------------------------------------

    def _path(self, measure: Measure, dimension: Dimension, path: str, code: str) -> Path:
        found = self.catalog.graph.path(measure.entity, dimension.entity)
        if found is None:
            raise QueryError(code, f"{measure.name!r} ({measure.entity}) cannot be related to {dimension.name!r}",
                             path, [])
        return found

    def _check_grouping(self, shown: AnyMeasure, measure: Measure, dimension: Dimension, path: str) -> bool:
        """True when grouping fans out (allowed for distinct counts, min and max only)."""
        join_path = self._path(measure, dimension, path, INVALID_GROUPING)
        if not path_fans_out(join_path):
            return False
        if self.catalog.may_fan_out(shown.name, measure):
            return True
        instead = [measure.split_measure] if measure.split_measure else []
        via = " -> ".join(e.dst for e in join_path)
        hint = (f"; use {instead[0]!r}, which is allocated at that grain" if instead else
                f"; filter on it instead (counts the {measure.entity} rows that have one)")
        raise QueryError(
            INVALID_GROUPING,
            f"{shown.name!r} cannot be split by {dimension.name!r}: one {measure.entity} row meets many "
            f"{dimension.entity} rows ({measure.entity} -> {via}), so the {measure.agg} would count it in several "
            "groups" + hint, path, instead)

    def _check_filter(self, shown: AnyMeasure, measure: Measure, dimension: Dimension, path: str) -> None:
        join_path = self._path(measure, dimension, path, INVALID_FILTER)
        if path_fans_out(join_path) and measure.split_measure:
            raise QueryError(
                INVALID_GROUPING,
                f"{shown.name!r} cannot be filtered by {dimension.name!r}: a {measure.entity} covers several "
                f"{dimension.entity} rows, so the whole amount would be credited to each; use "
                f"{measure.split_measure!r}, which is allocated to each {dimension.entity}",
                path, [measure.split_measure])

    # --- the plan --------------------------------------------------------------------------------

    def limit(self) -> tuple[int, int]:
        limit = DEFAULT_LIMIT if self.query.limit is None else self.query.limit
        if limit < 0:
            raise QueryError(INVALID_QUERY, f"limit must be 0 or more, got {limit}", "limit", [str(DEFAULT_LIMIT)])
        if self.query.offset < 0:
            raise QueryError(INVALID_QUERY, f"offset must be 0 or more, got {self.query.offset}", "offset", ["0"])
        if limit > MAX_LIMIT:
            raise QueryError(LIMIT_EXCEEDED, f"limit {limit} is above the maximum of {MAX_LIMIT}; page with offset",
                             "limit", [str(MAX_LIMIT)])
        return limit, self.query.offset

    def run(self) -> Planned:
        q = self.query
        if self.ctx.scope == "front_desk":
            check_front_desk(q, self.catalog)
        if not q.measures and not q.dimensions:
            raise QueryError(INVALID_QUERY, "a query needs at least one measure or dimension", "measures",
                             ["revenue", "patient_count"])
        measures = [self.measure(n, f"measures[{i}]") for i, n in enumerate(q.measures)]
        dims = [self.dimension(n, f"dimensions[{i}]") for i, n in enumerate(q.dimensions)]
        for kind, names in (("measures", q.measures), ("dimensions", q.dimensions)):
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise QueryError(INVALID_QUERY, f"{name!r} is listed twice", f"{kind}[{i}]", [])
        for i, dimension in enumerate(dims):
            if dimension.filter_only:
                raise QueryError(INVALID_GROUPING, f"{dimension.name!r} can only be filtered on (op `search`)",
                                 f"dimensions[{i}]", [])
        time = self.time(bool(measures))
        filters = self.filters()
        limit, offset = self.limit()
        if measures:
            if q.after is not None:
                raise refuse_measures()
            return self.measure_plan(measures, dims, time, filters, limit, offset)
        if q.having:
            raise QueryError(INVALID_FILTER, "having filters measures; this query has none", "having[0]", [])
        return self.list_plan(dims, time, filters, limit, offset)

    def measure_plan(self, measures: list[AnyMeasure], dims: list[Dimension], time: _Time,
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
                    fans |= self._check_grouping(shown, base, dimension, f"dimensions[{i}]")
                time_dim = time.dimension or (self.catalog.dimensions.get(base.time) if base.time else None)
                if (time.grain or time.window) and time_dim is None:
                    raise QueryError(INVALID_RANGE, f"{base.name!r} has no default time dimension",
                                     mpath, [])
                if time_dim is not None and time.grain:
                    fans |= self._check_grouping(shown, base, time_dim, "time.dimension")
                elif time_dim is not None and time.window:
                    self._check_filter(shown, base, time_dim, "time.dimension")
                for node, fpath in filters:
                    self._check_filter(shown, base, self.catalog.dimensions[node.dimension], f"{fpath}.field")
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
        current, previous = [], []
        for index, (key, names) in enumerate(groups.items()):
            entity, tname, _ = key
            slice_ = TimeSlice(tname, time.grain, time.window) if tname else None
            current.append(Aggregate(f"a{index}", entity, tuple(names), tuple(d.name for d in dims), slice_,
                                     filter_nodes, fanned[key]))
            if time.shift is not None and tname is not None and time.window is not None:
                prev = TimeSlice(tname, time.grain, time.window.shifted_back(time.shift), time.shift)
                previous.append(Aggregate(f"p{index}", entity, tuple(names), tuple(d.name for d in dims), prev,
                                          filter_nodes, fanned[key]))
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
        selectable = keys + [o.name for o in outputs if not o.hidden]
        default = [OrderNode("time", False)] if time.grain else [OrderNode(measures[0].name, True)]
        order = self._order(selectable, default, keys)
        plan = MeasurePlan(tuple(d.name for d in dims), time.grain is not None, tuple(current), tuple(previous),
                           spine, tuple(outputs), tuple(having), tuple(order), limit, offset)
        compare_range = time.window.shifted_back(time.shift) if time.window and time.shift else None
        return Planned(plan, tuple(columns), time.window, compare_range, tuple(self.warnings))

    def _order(self, selectable: list[str], default: list[OrderNode], tiebreak: list[str],
               extra: dict[str, Dimension] | None = None) -> list[OrderNode]:
        order: list[OrderNode] = []
        for index, raw in enumerate(self.query.order):
            path = f"order[{index}]"
            if raw.dir not in ("asc", "desc"):
                raise QueryError(INVALID_ORDER, f"order dir must be asc or desc, got {raw.dir!r}", f"{path}.dir",
                                 suggest(raw.dir, ("asc", "desc")))
            if raw.field not in selectable and not (extra and raw.field in extra):
                known = raw.field in self.catalog.dimensions or self.catalog.measure(raw.field) is not None
                if known:
                    if raw.field in self.catalog.dimensions:
                        self.dimension(raw.field, f"{path}.field")  # forbidden beats "not selected"
                    raise QueryError(INVALID_ORDER, f"{raw.field!r} is not in the query; order by one of its "
                                     "columns", f"{path}.field", suggest(raw.field, selectable) or selectable[:5])
                raise QueryError(UNKNOWN_MEMBER, f"unknown order field {raw.field!r}", f"{path}.field",
                                 suggest(raw.field, selectable))
            if any(o.column == raw.field for o in order):
                raise QueryError(INVALID_ORDER, f"{raw.field!r} is ordered on twice", f"{path}.field", [])
            order.append(OrderNode(raw.field, raw.dir == "desc"))
        if not order:
            order = list(default)
        for column in tiebreak:
            if all(o.column != column for o in order):
                order.append(OrderNode(column, False))
        return order

    def _dim_column(self, dimension: Dimension) -> ColumnInfo:
        return ColumnInfo(dimension.name, dimension.kind, dimension.type, dimension.label, dimension.unit,
                          dimension.format)

    def list_plan(self, dims: list[Dimension], time: _Time, filters: list[tuple[FilterNode, str]],
                  limit: int, offset: int) -> Planned:
        if (time.grain or time.window) and time.dimension is None:
            raise QueryError(INVALID_RANGE, "without measures, time needs a `dimension` to bucket or range on",
                             "time.dimension", [])
        referenced = [d.entity for d in dims]
        if time.grain and time.dimension is not None:
            referenced.append(time.dimension.entity)
        root = self._root(referenced)
        if self.ctx.scope == "agent" and root == "patient":
            raise QueryError(FORBIDDEN_MEMBER, "the agent role may not list patients one by one; count them with "
                             "patient_count grouped by these dimensions", "dimensions", ["patient_count"])
        entity = self.catalog.entities[root]
        pk_dims = [d.name for d in dims if d.entity == root and d.expr == Col(entity.primary_key)]
        distinct = not pk_dims
        extra: dict[str, Dimension] = {}
        if not distinct:
            for dimension in self.catalog.dimensions.values():
                reach = self.catalog.graph.path(root, dimension.entity)
                if reach is not None and not path_fans_out(reach) and not dimension.filter_only:
                    extra[dimension.name] = dimension
        keys = (["time"] if time.grain else []) + [d.name for d in dims]
        default = [OrderNode(k, False) for k in keys]
        order = self._order(keys, default, pk_dims if not distinct else keys, extra)
        hidden = tuple(o.column for o in order if o.column not in keys)
        for column in hidden:
            self._forbid_pii(self.catalog.dimensions[column], "order")
        slice_ = (TimeSlice(time.dimension.name, time.grain, time.window)
                  if time.dimension is not None and (time.grain or time.window) else None)
        columns: list[ColumnInfo] = []
        if time.grain is not None and time.dimension is not None:
            columns.append(ColumnInfo("time", "time", "date", f"{time.dimension.label} ({time.grain})"))
        columns += [self._dim_column(d) for d in dims]
        plan = ListPlan(root, tuple(d.name for d in dims), slice_, tuple(n for n, _ in filters), distinct, hidden,
                        tuple(order), limit, offset)
        plan = by_relevance(plan, self.query, self.catalog)  # a search without an order: best matches first
        if self.query.after is not None:
            plan = resume(plan, self.query.after, self.catalog, self.ctx)
        return Planned(plan, tuple(columns), time.window, None, tuple(self.warnings))

    def _root(self, referenced: list[str]) -> str:
        """The entity every referenced entity hangs off many-to-one (the listing's grain)."""
        graph = self.catalog.graph
        best: tuple[int, int, str] | None = None
        for candidate in self.catalog.entities:
            total = 0
            for target in referenced:
                path = graph.path(candidate, target)
                if path is None or path_fans_out(path):
                    break
                total += len(path)
            else:
                rank = (0 if candidate in referenced else 1, total, candidate)
                if best is None or rank[:2] < best[:2]:
                    best = rank
        if best is None:
            raise QueryError(INVALID_GROUPING, "these dimensions do not share a grain (no entity has one value of "
                             "each); add a measure to count their combinations", "dimensions",
                             ["appointment_count", "patient_count"])
        return best[2]


def plan_query(query: Query, catalog: Catalog, ctx: Context) -> Planned:
    """Validate `query` against `catalog` and plan it; raises `QueryError` (contract codes) when refused."""
    return _Planner(query, catalog, ctx).run()
