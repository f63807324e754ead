"""Filter and having values: check each op against the member's type and turn JSON values into typed ones.

Values are typed JSON: numbers must be numbers, booleans booleans, dates ISO strings. A time
dimension compared with dates (not datetimes) compares its date: `lte 2025-11-26` includes that day.
Numbers must be finite and integers fit bigint (what a bound parameter carries); dates lie within the
window of semantic/planner/limits.py: anything else is refused here (`invalid_filter`), never sent to the
database to fail there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from semantic.catalog import Dimension, suggest
from semantic.catalog.catalog import AnyMeasure
from semantic.errors import INVALID_FILTER, QueryError
from semantic.planner.limits import WINDOW, in_window, number_problem
from semantic.planner.nodes import FilterNode, HavingNode, Value
from semantic.query import FILTER_OPS, HAVING_OPS, MATCHES, Filter, Having

OP_NAMES = {"equals": "eq", "not_equals": "ne", "in": "in", "not_in": "not_in", "contains": "contains",
            "starts_with": "starts_with", "gt": "gt", "gte": "ge", "lt": "lt", "lte": "le", "between": "between",
            "is_null": "is_null", "is_not_null": "not_null", "search": "search"}
LIST_OPS = ("in", "not_in", "between")
NULL_OPS = ("is_null", "is_not_null")
SEVERAL = {"equals": "in", "not_equals": "not_in"}  # a single-value op given several values
ORDERED_OPS = ("gt", "gte", "lt", "lte", "between")

ALLOWED: dict[str, tuple[str, ...]] = {
    "string": ("equals", "not_equals", "in", "not_in", "contains", "starts_with", *ORDERED_OPS, *NULL_OPS),
    "number": ("equals", "not_equals", "in", "not_in", *ORDERED_OPS, *NULL_OPS),
    "integer": ("equals", "not_equals", "in", "not_in", *ORDERED_OPS, *NULL_OPS),
    "boolean": ("equals", "not_equals", *NULL_OPS),
    "date": ("equals", "not_equals", "in", "not_in", *ORDERED_OPS, *NULL_OPS),
    "time": ("equals", "not_equals", "in", "not_in", *ORDERED_OPS, *NULL_OPS),
}


def _raw_values(op: str, raw: Filter | Having, path: str) -> tuple[str, list[Any]]:
    """The op (equals with several values is in, not_equals not_in) and its JSON values. Every op takes `values`
    (Cube's convention) or, for one value, `value`; `between` takes two, the null tests none."""
    given = raw.model_fields_set
    has_value = "value" in given and raw.value is not None
    has_values = "values" in given and raw.values is not None
    if has_value and has_values:
        raise QueryError(INVALID_FILTER, "give `value` or `values`, not both", f"{path}.values", [])
    if op in NULL_OPS:
        if has_value or (has_values and raw.values):
            raise QueryError(INVALID_FILTER, f"{op} takes no value", path, [])
        return op, []
    if op in LIST_OPS and has_value and not isinstance(raw.value, list):
        raise QueryError(INVALID_FILTER, f"{op} takes `values`, a list", f"{path}.values", [])
    if has_values:
        values = list(raw.values or [])
    elif has_value:
        values = list(raw.value) if isinstance(raw.value, list) else [raw.value]
    else:
        raise QueryError(INVALID_FILTER, f"{op} takes `value`: v or `values`: [v, ...]" +
                         (" (is_null tests for null)" if op in ("equals", "not_equals") else ""), f"{path}.value", [])
    if not values:
        raise QueryError(INVALID_FILTER, f"{op} needs at least one value", f"{path}.values", [])
    if op in SEVERAL and len(values) > 1:
        return SEVERAL[op], values
    if op == "between" and len(values) != 2:
        raise QueryError(INVALID_FILTER, "between takes `values`: [low, high] (both included)", f"{path}.values", [])
    if op not in LIST_OPS and len(values) != 1:
        raise QueryError(INVALID_FILTER, f"{op} takes one value (`value`: v or `values`: [v]), got {len(values)}",
                         f"{path}.values", [])
    return op, values


def _typed(dimension_type: str, value: Any, path: str, name: str) -> tuple[Value, bool]:
    """One JSON value as the dimension's type; the flag is True for a date given to a time dimension."""
    wrong = QueryError(INVALID_FILTER, f"{name!r} is a {dimension_type}; {value!r} is not", path, [])
    if dimension_type == "string":
        if not isinstance(value, str):
            raise wrong
        return value, False
    if dimension_type in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        problem = number_problem(value)
        if problem is not None:
            raise QueryError(INVALID_FILTER, f"{name!r} is a number no column holds: {problem}", path, [])
        return value, False
    if dimension_type == "boolean":
        if not isinstance(value, bool):
            raise wrong
        return value, False
    if not isinstance(value, str):
        raise wrong
    if dimension_type == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(INVALID_FILTER, f"{name!r} is a date: give YYYY-MM-DD, got {value!r}", path,
                             []) from None
        return _within_window(day, path), False
    try:
        if len(value) == 10:
            return _within_window(dt.date.fromisoformat(value), path), True
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(INVALID_FILTER, f"{name!r} is a time: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, "
                         f"got {value!r}", path, []) from None
    if parsed.tzinfo is not None:
        raise QueryError(INVALID_FILTER, "times are clinic-local and naive: drop the timezone", path, [])
    return _within_window(parsed, path), False


def _within_window(day: dt.date, path: str) -> dt.date:
    if not in_window(day):
        raise QueryError(INVALID_FILTER, f"{day.isoformat()} is outside the dates a query may name ({WINDOW})",
                         path, [])
    return day


def typed_filter(dimension: Dimension, raw: Filter, path: str) -> FilterNode:
    op = raw.op
    if op not in FILTER_OPS:
        raise QueryError(INVALID_FILTER, f"unknown filter op {op!r}", f"{path}.op", suggest(op, FILTER_OPS))
    if dimension.search is not None or op == "search":
        if dimension.search is None:
            raise QueryError(INVALID_FILTER, f"op search works on search dimensions (patient.search), not "
                             f"{dimension.name!r}", f"{path}.op", ["contains"])
        if op != "search":
            raise QueryError(INVALID_FILTER, f"{dimension.name!r} takes op search only", f"{path}.op", ["search"])
        _, values = _raw_values(op, raw, path)
        if not isinstance(values[0], str) or not values[0].strip():
            raise QueryError(INVALID_FILTER, "search takes a non-empty string", f"{path}.value", [])
        return FilterNode(dimension.name, "search", (values[0].strip(),), match=_match(raw, path))
    allowed = ALLOWED[dimension.type]
    if op not in allowed:
        raise QueryError(INVALID_FILTER, f"op {op} does not apply to {dimension.name!r} ({dimension.type})",
                         f"{path}.op", suggest(op, allowed) or list(allowed[:4]))
    op, values = _raw_values(op, raw, path)
    typed = [_typed(dimension.type, v, f"{path}.value" + ("s" if op in LIST_OPS else ""), dimension.name)
             for v in values]
    on_date = {flag for _, flag in typed}
    if len(on_date) > 1:
        raise QueryError(INVALID_FILTER, "give all values as dates or all as datetimes", path, [])
    if op in ("contains", "starts_with") and not values[0]:
        raise QueryError(INVALID_FILTER, f"{op} takes a non-empty string", f"{path}.value", [])
    if op == "between" and typed[0][0] > typed[1][0]:  # type: ignore[operator]
        raise QueryError(INVALID_FILTER, "between takes [low, high] with low <= high", f"{path}.values", [])
    return FilterNode(dimension.name, OP_NAMES[op], tuple(v for v, _ in typed), bool(on_date == {True}),
                      _match(raw, path))


def _match(raw: Filter, path: str) -> str | None:
    if raw.match is not None and raw.match not in MATCHES:
        raise QueryError(INVALID_FILTER, f"match is one of {', '.join(MATCHES)}, not {raw.match!r}", f"{path}.match",
                         suggest(raw.match, MATCHES) or list(MATCHES))
    return raw.match


def typed_having(measure: AnyMeasure, raw: Having, path: str) -> HavingNode:
    op = raw.op
    if op not in HAVING_OPS:
        raise QueryError(INVALID_FILTER, f"op {op!r} does not apply to a measure", f"{path}.op",
                         suggest(op, HAVING_OPS) or ["gt", "lt"])
    op, values = _raw_values(op, raw, path)
    typed = [_typed("number", v, f"{path}.value", measure.name)[0] for v in values]
    if op == "between" and typed[0] > typed[1]:  # type: ignore[operator]
        raise QueryError(INVALID_FILTER, "between takes [low, high] with low <= high", f"{path}.values", [])
    return HavingNode(measure.name, OP_NAMES[op], tuple(typed))
