"""The catalog's shapes: pydantic models of `metrics.yaml` (raw) and the frozen members built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from semantic.catalog.expr import Expr

DimType = Literal["string", "number", "integer", "boolean", "date", "time"]
MeasureType = Literal["integer", "number"]
Grain = Literal["day", "week", "month", "quarter", "year"]
Aggregation = Literal["sum", "count", "count_distinct", "min", "max", "avg", "median"]
Unit = Literal["cents", "count", "hours", "ratio", "days"]
Format = Literal["currency", "integer", "decimal", "percent", "hours", "days"]
Cardinality = Literal["many_to_one", "one_to_one"]

GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter", "year")


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RawSearch(_Raw):
    """A filter-only dimension matched by the `search` op: lower-case text and phone digits."""

    text: Any = Field(description="expression of lower-case text to match words against")
    digits: Any = Field(default=None, description="expression of digits-only text to match a phone against")
    rank: Any = Field(default=None, description="expression of the text whose spelling ranks the matches (the name); "
                                                "default: `text`")


class RawDimension(_Raw):
    type: DimType
    column: str | None = None
    expr: Any = None
    search: RawSearch | None = None
    label: str
    description: str = ""
    synonyms: list[str] = []
    pii: bool = False
    filter_only: bool = False
    grains: list[Grain] | None = None
    unit: Unit | None = None
    format: Format | None = None
    materialized: str | None = Field(default=None, description="column of the entity's summary table")


class RawEntity(_Raw):
    table: str
    primary_key: str
    label: str
    description: str = ""
    grain: str = Field(description="what one row is, in words")
    summary_table: str | None = None
    summary_key: str | None = None
    dimensions: dict[str, RawDimension] = {}


class RawJoin(_Raw):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    column: str = Field(description="foreign key column of `from`'s table")
    to_column: str | None = Field(default=None, description="default: `to`'s primary key")
    cardinality: Cardinality = "many_to_one"
    description: str = ""


class RawMeasure(_Raw):
    entity: str
    agg: Aggregation
    expr: Any = None
    filter: Any = None
    min_count: int | None = Field(default=None, ge=2, description="count_distinct only: values seen in >= N rows")
    time: str | None = None
    type: MeasureType
    unit: Unit
    format: Format | None = None
    label: str
    description: str
    synonyms: list[str] = []
    split_measure: str | None = Field(
        default=None, description="the measure to use when grouping or filtering below this measure's grain")


class RawDerived(_Raw):
    formula: Any
    type: MeasureType
    unit: Unit
    format: Format | None = None
    label: str
    description: str
    synonyms: list[str] = []
    round: bool = Field(default=False, description="round to an integer (money is integer cents)")


class RawRollup(_Raw):
    time: str | None = Field(default=None, description="the time dimension its rows are bucketed by (per day); "
                             "none: one row per group, which may then hold distinct counts too")
    dimensions: list[str] = Field(default=[], description="at most 4 dimensions a query may group or filter by")
    measures: list[str] = Field(description="counts and sums of one entity, each with its own filter")
    description: str = ""


class RawChain(_Raw):
    measures: list[str] = Field(description="distinct counts of one value of one entity, under one filter and time")
    dimensions: list[str] = Field(default=[], description="at most 2 attributes of the counted value (a patient's "
                                  "source) stored with each row, so grouping by them needs no join")
    description: str = ""


class RawBridge(_Raw):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field(alias="from", description="the entity whose rows a listing counts (patient)")
    to: str = Field(description="the entity reached through one-to-many joins (service: through visits and lines)")
    description: str = ""


class RawCatalog(_Raw):
    version: int = 1
    entities: dict[str, RawEntity]
    joins: list[RawJoin] = []
    measures: dict[str, RawMeasure] = {}
    derived_measures: dict[str, RawDerived] = {}
    rollups: dict[str, RawRollup] = {}
    chains: dict[str, RawChain] = {}
    bridges: dict[str, RawBridge] = {}


# --- built members ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    primary_key: str
    label: str
    description: str
    grain: str
    summary_table: str | None
    summary_key: str | None
    line: int


@dataclass(frozen=True)
class Join:
    """child --(column = parent.to_column)--> parent; many_to_one or one_to_one from the child's side."""

    child: str
    parent: str
    column: str
    to_column: str
    cardinality: Cardinality
    line: int


@dataclass(frozen=True)
class SearchSpec:
    text: Expr
    digits: Expr | None
    rank: Expr | None = None


@dataclass(frozen=True)
class Dimension:
    name: str  # qualified: entity.short
    entity: str
    short: str
    type: DimType
    expr: Expr | None
    search: SearchSpec | None
    label: str
    description: str
    synonyms: tuple[str, ...]
    pii: bool
    filter_only: bool
    grains: tuple[Grain, ...]
    unit: Unit | None
    format: Format | None
    materialized: str | None
    line: int

    @property
    def kind(self) -> Literal["dimension", "time"]:
        return "time" if self.grains else "dimension"


@dataclass(frozen=True)
class Measure:
    name: str
    entity: str
    agg: Aggregation
    expr: Expr | None
    filter: Expr | None
    min_count: int | None
    time: str | None
    type: MeasureType
    unit: Unit
    format: Format | None
    label: str
    description: str
    synonyms: tuple[str, ...]
    split_measure: str | None
    line: int

    @property
    def additive_zero(self) -> bool:
        """Sums and counts are 0 (not null) where nothing matched."""
        return self.agg in ("sum", "count", "count_distinct")

    @property
    def idempotent(self) -> bool:
        """Distinct counts, min and max give the same answer when a join repeats rows.

        (`count` counts the entity's rows: additive, so it is never split below its grain, where one
        row would be counted in several groups.)
        """
        return self.agg in ("count_distinct", "min", "max")


@dataclass(frozen=True)
class DerivedMeasure:
    name: str
    formula: Expr
    type: MeasureType
    unit: Unit
    format: Format | None
    label: str
    description: str
    synonyms: tuple[str, ...]
    round: bool
    line: int
    components: tuple[str, ...] = field(default=())  # base measures, in formula order (filled by the builder)


ROLLUP_DIMENSIONS = 4  # columns d0..d3 of `rollup_rows` (models.py)


@dataclass(frozen=True)
class Rollup:
    """Additive measures pre-aggregated per day of `time` and `dimensions` (table `rollup_rows`).

    A query's aggregate reads it instead of the entity's rows when every measure, grouping dimension
    and filter is in it and the rows are as of the query's as_of (see semantic/render/rollups.py).
    """

    name: str
    time: str | None  # None: not per day; distinct counts allowed, read only for exactly these groups
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    description: str
    line: int


CHAIN_DEPTH = 2  # columns prev1, prev2 of `chain_rows` (models.py): counts of "at least 1 or 2" rows
CHAIN_DIMENSIONS = 2  # columns d0, d1 of `chain_rows`


@dataclass(frozen=True)
class Chain:
    """Distinct counts over any range, answered without grouping (table `chain_rows`).

    For each row its measures count (their filter applied), the row's time and the times of the same
    value's previous `CHAIN_DEPTH` such rows. A value has at least k rows in a group (a range, a bucket)
    exactly when one of its rows there is its k-th: the (k-1)-th before it is in the group and the
    k-th before it is not. So a distinct count becomes a count of rows (see semantic/render/chains.py).
    """

    name: str
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]  # attributes of the counted value stored with each row (d0, d1)
    description: str
    line: int


@dataclass(frozen=True)
class Bridge:
    """Which `target` rows each `source` row reaches through one-to-many joins (table `bridge_rows`).

    One row per distinct (source key, target key) pair, rebuilt at each load. Counting source rows filtered
    on the target ("patients who had Botox") then reads one index range of it instead of joining every
    visit and service line (see semantic/render/bridges.py).
    """

    name: str
    source: str
    target: str
    description: str
    line: int

