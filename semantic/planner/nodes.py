"""The plan: frozen nodes saying *what* to compute; they hold names and typed values, never SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from semantic.asof import AsOf
from semantic.catalog.graph import Edge
from semantic.planner.timerange import DateRange, Shift

Value = str | int | float | bool | dt.date | dt.datetime
Scope = Literal["manager", "agent", "front_desk"]  # what each may use: semantic/planner/roles.py
DEFAULT_MIN_GROUP_SIZE = 11  # the agent scope's k: the usual health-data cell-suppression threshold


@dataclass(frozen=True)
class Context:
    """Everything outside the query that the SQL depends on (and therefore part of any cache key)."""

    as_of: dt.date
    summary_as_of: dt.date | None = None  # as_of of the rows in summary tables (None: do not use them)
    scope: Scope = "manager"
    built_from: str | None = None  # fingerprint of the catalog the stored materializations were built from
    min_group_size: int | None = None  # the agent scope's k (None: DEFAULT_MIN_GROUP_SIZE)
    # which materializations the planner may read (None: every one available; (): the rows only); a planner
    # option for tests and benchmarks that compare a materialization's answers with the rows'
    sources: tuple[str, ...] | None = None
    # as_of as a moment (semantic/asof.py): its time of day, None when the whole day counts as before
    as_of_time: dt.time | None = None
    summary_as_of_time: dt.time | None = None  # the summaries' as_of's time of day

    @property
    def moment(self) -> AsOf:
        return AsOf(self.as_of, self.as_of_time)

    @property
    def use_summaries(self) -> bool:
        return (self.summary_as_of is not None and self.summary_as_of == self.as_of
                and self.summary_as_of_time == self.as_of_time)

    @classmethod
    def at(cls, as_of: AsOf, summary: AsOf | None = None, **rest: Any) -> Context:
        """A context for `as_of` (a date or a moment), with summaries built for `summary`."""
        return cls(as_of=as_of.day, as_of_time=as_of.time, summary_as_of=summary.day if summary else None,
                   summary_as_of_time=summary.time if summary else None, **rest)

    @property
    def k(self) -> int:
        """Measures with 1 to k-1 contributing patients are suppressed (0: no suppression, outside the agent
        scope)."""
        if self.scope != "agent":
            return 0
        return DEFAULT_MIN_GROUP_SIZE if self.min_group_size is None else max(self.min_group_size, 2)


@dataclass(frozen=True)
class FilterNode:
    """`dimension op values`, values already typed for the dimension (see planner.resolve).

    ops: eq ne in not_in contains starts_with gt ge lt le between is_null not_null search.
    `on_date` compares the date part of a time dimension (the user gave dates, not datetimes).
    `match`, for a dimension of a finer entity than the rows filtered: how many related rows must match (None:
    as given by default, at least one; "any" the same, asked for explicitly; "none"; "all").
    """

    dimension: str
    op: str
    values: tuple[Value, ...]
    on_date: bool = False
    match: str | None = None

    @property
    def counts_related(self) -> bool:
        """Whether it says how many related rows match (none, all), not just that one does."""
        return self.match in ("none", "all")


@dataclass(frozen=True)
class TimeSlice:
    """Bucket and/or range one aggregate on `dimension`; events shifted by `shift` (previous periods)."""

    dimension: str
    grain: str | None
    window: DateRange | None
    shift: Shift | None = None


@dataclass(frozen=True)
class Aggregate:
    """One subquery at a measure's own grain: rows of `entity`, grouped by `dimensions` (+ time bucket)."""

    key: str  # a stable name: a0, p0 ...
    entity: str
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]
    time: TimeSlice | None
    filters: tuple[FilterNode, ...]
    fanned_out: bool  # a grouping dimension lies across a one-to-many join: count distinct home keys
    # the agent scope: also count, per group and measure, the distinct patients behind each value
    contributors: bool = False
    # the agent scope's differencing guard: this aggregate is another's (`shadow_of`) without filter `dropped`,
    # read only for its contributor counts (semantic/render/suppression.py)
    shadow_of: str | None = None
    dropped: int | None = None
    # where it is read from (physical planning, semantic/planner/physical.py): a materialization's name, or None
    # for the entity's rows
    source: str | None = None


@dataclass(frozen=True)
class Spine:
    """Every bucket of `grain` from `first` to `last` (None: the data's own first and last bucket)."""

    grain: str
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class Output:
    """One result column: a measure's current value, or a compare part of it."""

    name: str
    measure: str
    part: Literal["value", "previous", "change", "change_pct"] = "value"
    hidden: bool = False


@dataclass(frozen=True)
class HavingNode:
    measure: str
    op: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class OrderNode:
    column: str  # an output/key column name, or a dimension for listings
    desc: bool


@dataclass(frozen=True)
class CalculationNode:
    """A column computed on the aggregated rows (semantic/render/calculations.py): `op` over the columns `of`
    (measure outputs or earlier calculations), windowed by the key columns `within` ("time" or dimensions)."""

    name: str
    op: str  # share_of_total running_total change change_pct rank ratio
    of: tuple[str, ...]
    within: tuple[str, ...]


@dataclass(frozen=True)
class TopNode:
    """Keep the `n` largest rows by column `by` in each group of the key columns `within`."""

    n: int
    by: str
    within: tuple[str, ...]


@dataclass(frozen=True)
class MeasurePlan:
    """Measures by dimensions (and time): aggregates at their own grain, combined on the keys."""

    dimensions: tuple[str, ...]
    has_time: bool
    current: tuple[Aggregate, ...]
    previous: tuple[Aggregate, ...]
    spine: Spine | None
    outputs: tuple[Output, ...]
    having: tuple[HavingNode, ...]
    order: tuple[OrderNode, ...]
    limit: int
    offset: int
    min_group_size: int = 0  # k: measures with 1 to k-1 contributing patients are suppressed (0: none)
    # the agent scope: each filter left out in turn (a value whose patients one filter changes by 1 to k-1 is
    # hidden: the other answer would give those few away; semantic/render/suppression.py)
    shadows: tuple[Aggregate, ...] = ()
    filter_count: int = 0
    # the query language's columns on the aggregated rows, after suppression, before having, top and order
    calculations: tuple[CalculationNode, ...] = ()
    top: TopNode | None = None


@dataclass(frozen=True)
class ListPlan:
    """Distinct rows of dimensions (no measures) from the finest entity they share (`root`)."""

    root: str
    dimensions: tuple[str, ...]
    time: TimeSlice | None
    filters: tuple[FilterNode, ...]
    distinct: bool
    hidden_order: tuple[str, ...]  # dimensions sorted on but not selected (root-grain listings only)
    order: tuple[OrderNode, ...]
    limit: int
    offset: int
    # keyset pagination (semantic/keyset.py): the rows after these values of the order up to the root's key, or
    # (`backward`) just before them; backward without values: the listing's last page
    after: tuple[Value | Decimal | None, ...] | None = None
    backward: bool = False
    # physical planning: the groups of filters below a one-to-many join (by that join) a bridge answers
    bridges: tuple[tuple[Edge, str], ...] = ()


Plan = MeasurePlan | ListPlan


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
