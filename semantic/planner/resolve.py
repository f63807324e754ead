"""What a query asks, checked against the catalog: its members (names, types, who may use them), time, filters,
limit and order, and the fan-out rules that say whether a measure may be split or filtered by a dimension.

Refusals are `QueryError`s with the contract's codes, the path into the query, and suggestions. The measure
and listing planners (measures.py, listings.py) build on these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic.catalog import Catalog, Dimension, suggest
from semantic.catalog.catalog import AnyMeasure
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
from semantic.planner import privacy
from semantic.planner.filters import typed_filter
from semantic.planner.nodes import (
    ColumnInfo,
    Context,
    FilterNode,
    OrderNode,
)
from semantic.planner.timerange import (
    COMPARES,
    RELATIVE_RANGES,
    DateRange,
    RangeError,
    Shift,
    compare_shift,
    resolve_range,
)
from semantic.query import DEFAULT_LIMIT, GRAIN_NAMES, MAX_LIMIT, Query

COMPARE_PARTS = ("previous", "change", "change_pct")


@dataclass
class TimeAsked:
    dimension: Dimension | None  # None: each measure on its own default time dimension
    grain: str | None
    window: DateRange | None
    shift: Shift | None
    compare: bool = False


@dataclass
class Resolver:
    query: Query
    catalog: Catalog
    ctx: Context
    warnings: list[str] = field(default_factory=list)

    @property
    def agent(self) -> bool:
        return self.ctx.scope == "agent"

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
            if self.agent:
                for base in self.catalog.base_measures_of(found.name):
                    privacy.check_aggregate(self.catalog, self.catalog.measures[base], path)
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

    def time(self, has_measures: bool) -> TimeAsked:
        spec = self.query.time
        if spec is None:
            return TimeAsked(None, None, None, None)
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
            if dimension is not None and self.agent:
                privacy.check_bucket(dimension, grain, "time.grain")
        window = None
        if spec.range is not None:
            try:
                window = resolve_range(spec.range, self.ctx.as_of)
            except RangeError as err:
                close = suggest(spec.range, RELATIVE_RANGES) if isinstance(spec.range, str) else []
                raise QueryError(INVALID_RANGE, str(err), "time.range", close) from None
            if self.agent and not isinstance(spec.range, str) and dimension is not None:
                privacy.check_range(dimension, window.start, window.end, "time.range")
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
        return TimeAsked(dimension, grain, window, shift, spec.compare is not None)

    def filters(self) -> list[tuple[FilterNode, str]]:
        out = []
        for index, raw in enumerate(self.query.filters):
            path = f"filters[{index}]"
            if raw.field not in self.catalog.dimensions and self.catalog.measure(raw.field) is not None:
                raise QueryError(INVALID_FILTER, f"{raw.field!r} is a measure: filter it in `having`", f"{path}.field",
                                 [])
            dimension = self.dimension(raw.field, f"{path}.field")
            typed = typed_filter(dimension, raw, path)
            if self.agent:
                privacy.check_filter(dimension, typed, path)
            out.append((typed, path))
        return out

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

    def _check_match(self, entity: str, node: FilterNode, path: str) -> None:
        """`is_null` on a finer entity's member, without `match`, would test related rows whose value is empty
        (an id never is: it would silently count 0); the question is almost always "rows with no related row"."""
        if node.op != "is_null" or node.match is not None:
            return
        dimension = self.catalog.dimensions[node.dimension]
        join_path = self.catalog.graph.path(entity, dimension.entity)
        if join_path is None or not path_fans_out(join_path):
            return
        instead = f'{{"field": "{dimension.name}", "op": "is_not_null", "match": "none"}}'
        raise QueryError(
            INVALID_FILTER,
            f"{dimension.name!r} is_null on {entity} rows: one {entity} has many {dimension.entity} rows, so say how "
            f'many must match. {entity.capitalize()} rows with no {dimension.entity} at all: match: "none" '
            f"({instead}); rows with some {dimension.entity} whose {dimension.short} is empty: "
            'match: "any"', f"{path}.match", [instead, '"match": "any"'])

    def _overlapping(self, measure: str, entity: str, dimension: str) -> None:
        """The warning of an ad hoc aggregate grouped below its grain: a row is in several groups."""
        warning = (f"overlapping_groups: {measure} grouped by {dimension} counts each {entity} under each of its "
                   f"{dimension} values, so the groups overlap and do not add up to the total")
        if warning not in self.warnings:
            self.warnings.append(warning)

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
