"""The contract's query, as a pydantic model (the request body of POST /api/query).

Fields are deliberately permissive strings where the contract wants a *semantic* 400 (an unknown
member, op or range gets `unknown_member`/`invalid_filter`/`invalid_range` with suggestions, not a
422). The JSON schema still lists the allowed values as enums, generated from the catalog, so the
UI's generated TypeScript types know every member name.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, JsonValue
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from semantic.loading import default_catalog
from semantic.planner.timerange import COMPARES, RELATIVE_RANGES

FILTER_OPS = ("equals", "not_equals", "in", "not_in", "contains", "starts_with", "gt", "gte", "lt", "lte",
              "between", "is_null", "is_not_null", "search")
HAVING_OPS = ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "between", "is_null", "is_not_null")
MATCHES = ("any", "none", "all")  # how many related rows of a finer entity a filter needs (any: the default)
CALCULATION_OPS = ("share_of_total", "running_total", "change", "change_pct", "rank", "ratio")
# an ad hoc aggregate named in `measures` (semantic/planner/adhoc.py): avg(patient.age), p90(...), count_distinct(...)
ADHOC_PATTERN = r"^(avg|sum|min|max|median|p[1-9][0-9]?|count_distinct)\([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\)$"
# how many calculations one query may ask (limit_exceeded beyond; the query's other limits: semantic/planner/limits.py)
MAX_CALCULATIONS = 20
GRAIN_NAMES = ("day", "week", "month", "quarter", "year")
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"  # base64url: semantic/keyset.py
LAST_PAGE = "end"  # `before` this: the last page of a listing
MAX_CURSOR_CHARS = 4096


class _Enum:
    """JSON-schema-only enum: validation accepts any string (the engine answers with suggestions)."""

    def __init__(self, values: tuple[str, ...] | str) -> None:
        self.values = values

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["enum"] = list(self.values) if isinstance(self.values, tuple) else _catalog_names(self.values)
        return json_schema


class _MeasureRef:
    """JSON-schema-only: a catalog measure (enum) or an ad hoc aggregate (pattern)."""

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["anyOf"] = [{"type": "string", "enum": _catalog_names("measure")},
                                {"type": "string", "pattern": ADHOC_PATTERN}]
        return json_schema


class _Keywords:
    """JSON-schema-only keywords (a `format` such as date, a pattern): the engine validates the value and
    answers with its own 400 (`invalid_range`, `invalid_cursor`), not pydantic's 422."""

    def __init__(self, **keywords: object) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(self.keywords)
        return json_schema


def _catalog_names(kind: str) -> list[str]:
    try:
        catalog = default_catalog()
    except Exception:  # the schema must render even when the catalog does not load
        return []
    if kind == "measure":
        return [m.name for m in catalog.all_measures()]
    if kind == "dimension":
        return [d.name for d in catalog.dimensions.values() if not d.filter_only]
    if kind == "filterable":
        return list(catalog.dimensions)
    return [d.name for d in catalog.dimensions.values() if d.kind == "time"]


MeasureName = Annotated[str, _MeasureRef()]
DimensionName = Annotated[str, _Enum("dimension")]
FilterField = Annotated[str, _Enum("filterable")]
TimeDimensionName = Annotated[str, _Enum("time")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeSpec(_Strict):
    dimension: TimeDimensionName | None = Field(
        default=None, description="Bucket and range every measure on this; omitted: each on its own default.")
    grain: Annotated[str, _Enum(GRAIN_NAMES)] | None = Field(
        default=None, description="Bucket size; the bucket start comes back in column `time` (ISO date).")
    range: Annotated[str, _Enum(RELATIVE_RANGES)] | list[str] | None = Field(
        default=None, description="A relative range (as_of's day included) or [start, end) ISO dates.")
    compare: Annotated[str, _Enum(COMPARES)] | None = Field(
        default=None, description="Adds <measure>.previous, .change and .change_pct columns.")


class Filter(_Strict):
    field: FilterField
    op: Annotated[str, _Enum(FILTER_OPS)]
    value: JsonValue = Field(default=None, description="For single-value ops.")
    values: list[JsonValue] | None = Field(
        default=None, description="For every op: in, not_in (a list), between ([lo, hi]), a single-value op ([v]); "
        "equals with several values is in, not_equals not_in.")
    match: Annotated[str, _Enum(MATCHES)] | None = Field(
        default=None, description="A filter through a finer entity (patients by appointment.*): how many related "
        "rows must match: any (default, at least one), none (no related row matches, including having none), all "
        "(at least one, and every one matches).")


class Having(_Strict):
    field: MeasureName
    op: Annotated[str, _Enum(HAVING_OPS)]
    value: JsonValue = None
    values: list[JsonValue] | None = None


class OrderBy(_Strict):
    field: str = Field(description="A selected dimension, measure, `time`, or a compare column.")
    dir: Annotated[str, _Enum(("asc", "desc"))] = "asc"


class Calculation(_Strict):
    """A column computed on the aggregated rows (after small-group suppression, before having, top and order)."""

    name: str = Field(description="The new column's name; `order` and `top` may name it.")
    op: Annotated[str, _Enum(CALCULATION_OPS)]
    of: str | list[str] = Field(description="A measure column of the query (or an earlier calculation); ratio: "
                                "[numerator, denominator].")
    within: list[str] | None = Field(default=None, description="share_of_total and rank: computed within groups of "
                                     "these columns (dimensions or `time`); default the whole result.")


class Top(_Strict):
    """Keep the n largest rows by a measure or calculation, in each group of `within` (default the whole result)."""

    n: int = Field(description="Rows kept per group (1 or more).")
    by: str = Field(description="A measure column or calculation of the query.")
    within: list[str] = Field(default=[], description="Dimensions or `time`: the groups ranked separately.")


class Query(_Strict):
    """One semantic query: measures by dimensions over time, filtered, ordered and paged."""

    measures: list[MeasureName] = []
    dimensions: list[DimensionName] = []
    time: TimeSpec | None = None
    filters: list[Filter] = []
    having: list[Having] = []
    order: list[OrderBy] = []
    calculations: list[Calculation] = Field(
        default=[], description="share_of_total, running_total, change, change_pct (against the previous time bucket), "
        "rank (1 = largest), ratio: columns computed on the aggregated rows.")
    top: Top | None = Field(default=None, description="Keep the n largest rows by a column, per group.")
    limit: int | None = Field(default=None, description=f"Rows per page: default {DEFAULT_LIMIT}, at most {MAX_LIMIT}.")
    offset: int = Field(default=0, description="Rows to skip (0 or more).")
    as_of: Annotated[str, _Keywords(format="date")] | None = Field(
        default=None, description="The date the data describes as now (default: the data's own as_of).")
    after: Annotated[str, _Keywords(pattern=CURSOR_PATTERN, maxLength=MAX_CURSOR_CHARS)] | None = Field(
        default=None, description="Keyset paging of a listing of rows (a key such as patient.id among the "
        "dimensions, no measures): the rows after this cursor, the previous page's `meta.next_cursor` of the "
        "same query (any limit; offset 0).")
    before: Annotated[str, _Keywords(pattern=CURSOR_PATTERN, maxLength=MAX_CURSOR_CHARS)] | None = Field(
        default=None, description=f"Keyset paging backwards: the rows just before this cursor (a page's "
        f"`meta.prev_cursor`), or `{LAST_PAGE}` for the listing's last page; shown in the query's order.")

    def cache_key(self) -> str:
        return self.model_dump_json(exclude_defaults=True)
