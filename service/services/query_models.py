"""Response shapes of the semantic query API (POST /api/query, /api/query/sql, GET /api/catalog).

Pydantic models so that /openapi.json documents them and the UI's TypeScript types follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Cell = str | int | float | bool | None


class Column(BaseModel):
    name: str = Field(description="Key of this column in every row: a member name, `time`, or `<measure>.<part>`.")
    kind: Literal["dimension", "time", "measure"]
    type: str = Field(description="string, integer, number, boolean, date (YYYY-MM-DD) or time (ISO datetime)")
    label: str
    unit: str | None = Field(default=None, description="cents, count, hours, ratio or days")
    format: str | None = None


class DateSpan(BaseModel):
    """A half-open range [start, end) of dates; `start` null means unbounded (all_time)."""

    start: dt.date | None
    end: dt.date


class Meta(BaseModel):
    as_of: str = Field(description="The as_of in force: a date (YYYY-MM-DD; its whole day counts as before) or a "
                                   "moment (YYYY-MM-DDTHH:MM; later appointments that day are upcoming).")
    range: DateSpan | None = Field(description="The resolved time range, or null without one.")
    compare_range: DateSpan | None = Field(default=None, description="The period compared with, if any.")
    duration_ms: float
    warnings: list[str] = []
    partial_periods: list[dt.date] = Field(
        default=[], description="The `time` buckets (their starts) not wholly inside the range: a rolling range's "
        "first and last buckets, the current month. Draw them as partial, not as drops.")
    next_cursor: str | None = Field(
        default=None, description="A listing of rows (a key such as patient.id among its dimensions, no measures) "
        "whose page is full (as many rows as the limit): send the same query with it as `after` (offset 0) for "
        "the rows after this page. Null after a shorter page (the listing's end) and for other queries.")
    prev_cursor: str | None = Field(
        default=None, description="A listing of rows with rows before this page (after an offset or a cursor, or a "
        "full page read backwards): send the same query with it as `before` for the page before this one. "
        "`before: \"end\"` gives the listing's last page.")
    suppressed_rows: int | None = Field(
        default=None, description="The agent scope: rows left out because every value in them came from fewer "
        "than the minimum group size of patients (values hidden in rows kept are null; see warnings).")


class QueryResponse(BaseModel):
    columns: list[Column]
    rows: list[dict[str, Cell]]
    total_rows: int = Field(description="Rows the query has before limit and offset.")
    meta: Meta


class SqlResponse(BaseModel):
    sql: str = Field(description="The SQL with every value inlined as a literal, for reading.")
    dialect: Literal["postgres", "duckdb"]
    params: list[Cell] = Field(description="The values that /api/query binds as parameters, in order.")
    parameterized_sql: str = Field(description="The SQL /api/query runs, with $1-style placeholders.")
    columns: list[Column]
    meta: Meta


class CatalogMeasure(BaseModel):
    name: str
    kind: Literal["measure"] = "measure"
    label: str
    description: str
    synonyms: list[str]
    type: str
    unit: str
    format: str | None
    entity: str | None = Field(description="Home entity (grain) of a base measure; null for a derived one.")
    aggregation: str | None
    derived_from: list[str] = Field(description="Base measures a derived measure is computed from.")
    default_time_dimension: str | None
    groupable_by: list[str] = Field(description="Dimensions that partition it: one group per row, groups sum to "
                                                "the total (for additive measures).")
    groupable_overlapping_by: list[str] = Field(
        description="Dimensions below its grain it may also be grouped by (distinct counts only): a row is "
                    "counted in every group it has a value in, so groups overlap.")
    split_measure: str | None = Field(
        default=None, description="The measure to use instead when grouping by a dimension it cannot be split by "
                                  "(revenue -> line_revenue, allocated to each service line).")


class CatalogDimension(BaseModel):
    name: str
    kind: Literal["dimension", "time"]
    label: str
    description: str
    synonyms: list[str]
    type: str
    unit: str | None
    format: str | None
    entity: str
    pii: bool
    identifier: bool = Field(default=False, description="Names one record (an id): an agent may only test its "
                             "existence (is_null / is_not_null) or count its distinct values.")
    quasi_identifier: bool = Field(default=False, description="With other attributes it could single a person "
                                   "out: an agent may filter on it but groups by `coarse_form` (or buckets a time "
                                   "by `grains`) instead.")
    coarse_form: str | None = Field(default=None, description="The dimension to group by instead (a band).")
    filter_only: bool
    grains: list[str]
    ops: list[str] = Field(description="Filter ops this dimension takes.")
    span: DateSpan | None = Field(default=None, description="Time dimensions: the data's first and last date "
                                                            "([start, end), end exclusive).")


class CatalogResponse(BaseModel):
    as_of: str | None = Field(description="The data's as_of: a date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM).")
    data_version: int | None
    measures: list[CatalogMeasure]
    dimensions: list[CatalogDimension]
    grains: list[str]
    ranges: list[str]
    compare: list[str]
    max_limit: int
