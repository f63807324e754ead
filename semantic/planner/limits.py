"""How large a query may be, and which dates and numbers it may name: checked before anything is planned.

Every limit here keeps one request from holding a worker's CPU (planning and rendering grow with members
times filter values) or the database (a 2,000-year day grain, an IN list past the wire protocol's 32,767
parameters) for long. A query past one is refused with the contract's codes: `limit_exceeded` (sizes),
`invalid_as_of` (as_of outside the window), `invalid_range` / `invalid_filter` (dates outside the window,
numbers no column can hold; checked where ranges and values are typed, `timerange.py` and `filters.py`).
The figures are generous for every client we have (the UI's largest query, the patient table's, has 18
members and a handful of filters) and documented in semantic/README.md ("Limits").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from pydantic import BaseModel

from semantic.errors import INVALID_AS_OF, LIMIT_EXCEEDED, QueryError

MAX_MEMBERS = 40  # measures + dimensions (the catalog has 28 measures: all of them, by a dozen dimensions)
MAX_FILTERS = 30  # filters + having
MAX_VALUES_PER_FILTER = 1_000  # one filter's `values`
MAX_VALUES = 2_000  # every filter's and having's values together
MAX_LIST_ITEMS = 50  # any other list in a query (`order`, and lists added later)
MAX_TEXT_CHARS = 1_000  # one text value (a name, an email, a search)
MAX_OFFSET = 1_000_000_000  # deeper pages: keyset cursors (`after`)
MAX_PARAMETERS = 5_000  # bound parameters of one compiled statement (PostgreSQL's protocol stops at 32,767)

# The dates a query may name (ranges, filter values, as_of): a century and more either side of the data.
# PostgreSQL takes years 4713 BC to 294276 AD but asyncpg sends Python's date.min as -infinity, and a day
# grain from year 1 builds 740,000 buckets; births, visits and bookings all fall well inside these.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
WINDOW = f"{EARLIEST.isoformat()} to {LATEST.isoformat()}"

# The largest integer a bound parameter carries (PostgreSQL bigint): a larger one no column holds.
BIGINT_MAX = 2**63 - 1
BIGINT_MIN = -(2**63)


def in_window(day: dt.date) -> bool:
    """Whether a date (or a datetime's date) is one a query may name."""
    return EARLIEST <= (day.date() if isinstance(day, dt.datetime) else day) <= LATEST


def number_problem(value: int | float) -> str | None:
    """Why a JSON number cannot be compared with a column (None when it can): a float that is not finite,
    or an integer past bigint's range."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    if isinstance(value, int) and not BIGINT_MIN <= value <= BIGINT_MAX:
        return f"integers run from {BIGINT_MIN} to {BIGINT_MAX}"
    return None


def _too_many(what: str, count: int, limit: int, path: str, hint: str) -> QueryError:
    return QueryError(LIMIT_EXCEEDED, f"{count:,} {what}: at most {limit:,}; {hint}", path, [])


def values_of(item: BaseModel) -> int:
    """How many values a filter carries (`value` may hold a list too, for the list ops)."""
    count = 0
    for given in (getattr(item, "value", None), getattr(item, "values", None)):
        count += len(given) if isinstance(given, list) else int(given is not None)
    return count


def _texts(value: object) -> Iterable[str]:
    """Every string in `value`, however deeply nested in lists (iteratively: nesting is the client's)."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, list):
            pending.extend(current)


def check_size(query: BaseModel) -> None:
    """Refuse a query larger than the limits above (`limit_exceeded`, with the path of the first excess)."""
    measures: list[object] = getattr(query, "measures", [])
    dimensions: list[object] = getattr(query, "dimensions", [])
    if len(measures) + len(dimensions) > MAX_MEMBERS:
        raise _too_many("measures and dimensions", len(measures) + len(dimensions), MAX_MEMBERS, "measures",
                        "split the query")
    filters: list[BaseModel] = [*getattr(query, "filters", []), *getattr(query, "having", [])]
    if len(filters) > MAX_FILTERS:
        raise _too_many("filters and having conditions", len(filters), MAX_FILTERS, "filters",
                        "combine values of one field into one `in` filter")
    total = 0
    for key in ("filters", "having"):
        for index, item in enumerate(getattr(query, key, [])):
            count = values_of(item)
            if count > MAX_VALUES_PER_FILTER:
                raise _too_many("values in one filter", count, MAX_VALUES_PER_FILTER, f"{key}[{index}].values",
                                "filter on a coarser field, or split the query")
            total += count
            for text in _texts([getattr(item, "value", None), getattr(item, "values", None)]):
                if len(text) > MAX_TEXT_CHARS:
                    raise _too_many("characters in one value", len(text), MAX_TEXT_CHARS, f"{key}[{index}].value",
                                    "shorten it")
    if total > MAX_VALUES:
        raise _too_many("filter values in all", total, MAX_VALUES, "filters", "split the query")
    for name, field_value in query:
        counted = name in ("measures", "dimensions", "filters", "having")
        if isinstance(field_value, list) and not counted and len(field_value) > MAX_LIST_ITEMS:
            raise _too_many(f"entries in `{name}`", len(field_value), MAX_LIST_ITEMS, name, "drop some")
    offset = getattr(query, "offset", 0)
    if isinstance(offset, int) and offset > MAX_OFFSET:
        raise QueryError(LIMIT_EXCEEDED, f"offset {offset} is past the deepest page by offset ({MAX_OFFSET:,}); "
                         "page on with the `after` cursor of `meta.next_cursor`", "offset", [])


def check_as_of(as_of: dt.date) -> None:
    """as_of within the window (`invalid_as_of`): relative ranges, ages and comparisons are computed from it."""
    if not in_window(as_of):
        raise QueryError(INVALID_AS_OF, f"as_of {as_of.isoformat()} is outside the dates a query may name "
                         f"({WINDOW})", "as_of", [])


def check_parameters(count: int) -> None:
    """The compiled statement's bound parameters within MAX_PARAMETERS (`limit_exceeded`)."""
    if count > MAX_PARAMETERS:
        raise QueryError(LIMIT_EXCEEDED, f"the query compiles to {count:,} bound values: at most "
                         f"{MAX_PARAMETERS:,}; use fewer filter values or measures", "filters", [])
