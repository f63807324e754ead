"""The catalog's shapes: pydantic models of `metrics.yaml` (raw) and the frozen members built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from semantic.catalog.expr import Expr

DimType = Literal["string", "number", "integer", "boolean", "date", "time"]
MeasureType = Literal["integer", "number"]
Grain = Literal["day", "week", "month", "quarter", "year"]
Aggregation = Literal["sum", "count", "count_distinct", "min", "max", "avg", "median"]
# a built measure may also be a percentile: only ad hoc aggregates (`p90(...)`, semantic/planner/adhoc.py) are
BuiltAggregation = Aggregation | Literal["percentile"]
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


class RawQuasi(_Raw):
    """How an agent may use a quasi-identifier: group by its coarse form, or bucket it no finer than a grain."""

    coarsen_to: str | None = Field(default=None, description="the dimension an agent groups by instead")
    min_grain: Grain | None = Field(default=None, description="a time dimension: the finest bucket an agent may use")
    step: float | None = Field(default=None, gt=0, description="a number: an agent's filter values are multiples of "
                               "it (no threshold falls between two patients at the top or the bottom)")


class RawDimension(_Raw):
    type: DimType
    column: str | None = None
    expr: Any = None
    search: RawSearch | None = None
    label: str
    description: str = ""
    synonyms: list[str] = []
    pii: bool = False
    identifier: bool = Field(default=False, description="names one record (an id): existence tests and "
                             "count_distinct only, for an agent")
    quasi_identifier: RawQuasi | None = Field(default=None, description="a patient attribute that, with others, "
                                              "singles a person out: an agent groups by its coarse form only")
    sensitive: bool | None = Field(default=None, description="`false`: decided, an agent may group by it")
    coarse_of: list[str] = Field(default=[], description="the sensitive members this one is a coarse form of, "
                                 "on purpose (a state parsed from an address)")
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


class RawPreAggregation(_Raw):
    kind: Literal["pre_aggregation"]
    time: str | None = Field(default=None, description="the time dimension its rows are bucketed by (per day); "
                             "none: one row per group, which may then hold distinct counts too")
    dimensions: list[str] = Field(default=[], description="the dimensions a query may group or filter by")
    measures: list[str] = Field(description="counts and sums of one entity, each with its own filter")
    description: str = ""


class RawChain(_Raw):
    kind: Literal["chain"]
    measures: list[str] = Field(description="distinct counts of one value of one entity, under one filter and time")
    dimensions: list[str] = Field(default=[], description="at most 2 attributes of the counted value (a patient's "
                                  "source) stored with each row, so grouping by them needs no join")
    description: str = ""


class RawBridge(_Raw):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["bridge"]
    from_: str = Field(alias="from", description="the entity whose rows a listing counts (patient)")
    to: str = Field(description="the entity reached through one-to-many joins (service: through visits and lines)")
    description: str = ""


RawMaterialization = Annotated[RawPreAggregation | RawChain | RawBridge, Field(discriminator="kind")]


class RawCatalog(_Raw):
    version: int = 1
    entities: dict[str, RawEntity]
    joins: list[RawJoin] = []
    measures: dict[str, RawMeasure] = {}
    derived_measures: dict[str, RawDerived] = {}
    materializations: dict[str, RawMaterialization] = {}


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


Sensitivity = Literal["pii", "identifier", "quasi_identifier", "none"]


@dataclass(frozen=True)
class Privacy:
    """What the catalog decided about a dimension (None: nothing decided, a catalog error where it matters).

    `pii`: never for an agent. `identifier`: names one record; an agent may test its existence and count its
    distinct values. `quasi_identifier`: an agent may filter on it and group by `coarsen_to` (or bucket it by
    `min_grain` or coarser). `none`: an agent may group by it. `coarse_of`: the sensitive member this one is a
    coarse form of, declared on purpose."""

    sensitivity: Sensitivity | None = None
    coarsen_to: str | None = None
    min_grain: Grain | None = None
    coarse_of: tuple[str, ...] = ()
    step: float | None = None  # an agent's filter values on it are multiples of this


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
    privacy: Privacy = field(default_factory=Privacy)

    @property
    def kind(self) -> Literal["dimension", "time"]:
        return "time" if self.grains else "dimension"

    @property
    def identifier(self) -> bool:
        return self.privacy.sensitivity == "identifier"

    @property
    def quasi_identifier(self) -> bool:
        return self.privacy.sensitivity == "quasi_identifier"


@dataclass(frozen=True)
class Measure:
    name: str
    entity: str
    agg: BuiltAggregation
    expr: Expr | None
    filter: Expr | None
    min_count: int | None
    time: str | None
    type: MeasureType
    unit: Unit | None
    format: Format | None
    label: str
    description: str
    synonyms: tuple[str, ...]
    split_measure: str | None
    line: int
    fraction: float | None = None  # a percentile's (0.9 for p90)
    adhoc: bool = False  # an ad hoc aggregate named in a query, not a catalog member

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
