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


MeasureName = Annotated[str, _Enum("measure")]
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
    values: list[JsonValue] | None = Field(default=None, description="For in, not_in (a list) and between ([lo, hi]).")


class Having(_Strict):
    field: MeasureName
    op: Annotated[str, _Enum(HAVING_OPS)]
    value: JsonValue = None
    values: list[JsonValue] | None = None


class OrderBy(_Strict):
    field: str = Field(description="A selected dimension, measure, `time`, or a compare column.")
    dir: Annotated[str, _Enum(("asc", "desc"))] = "asc"


class Query(_Strict):
    """One semantic query: measures by dimensions over time, filtered, ordered and paged."""

    measures: list[MeasureName] = []
    dimensions: list[DimensionName] = []
    time: TimeSpec | None = None
    filters: list[Filter] = []
    having: list[Having] = []
    order: list[OrderBy] = []
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
