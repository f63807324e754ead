"""A contract query in words, from the catalog's labels: "revenue by acquisition source, last 90 days".

Used as the parser's interpretation ("Understood as: ...") and for the questions it suggests, so the
wording parses back into the same query.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.ask.lexicon import Lexicon

RANGE_WORDS = {
    "today": "today", "yesterday": "yesterday", "tomorrow": "tomorrow", "last_7_days": "last 7 days",
    "last_30_days": "last 30 days", "last_90_days": "last 90 days", "last_12_months": "last 12 months",
    "this_month": "this month", "last_month": "last month", "this_quarter": "this quarter",
    "last_quarter": "last quarter", "this_year": "this year", "last_year": "last year", "all_time": "all time",
    "next_7_days": "next 7 days", "next_30_days": "next 30 days", "next_90_days": "next 90 days",
    "next_month": "next month",
}
COMPARE_WORDS = {"previous_period": "compared with the previous period",
                 "previous_year": "compared with the same period last year"}
AGGREGATE_WORDS = {"avg": "average", "median": "median", "sum": "total", "min": "lowest", "max": "highest"}
OP_WORDS = {"gt": "over", "gte": "at least", "lt": "under", "lte": "at most", "not_equals": "is not",
            "equals": "is", "in": "is", "not_in": "is not"}
_AGGREGATE = re.compile(r"^([a-z_0-9]+)\((.+)\)$")


def label(lexicon: Lexicon, name: str) -> str:
    """A member's label in lower case, without its parenthesis ("Revenue (by service line)" -> "revenue")."""
    match = _AGGREGATE.match(name)
    if match:
        fn, inner = match.groups()
        if fn == "count_distinct":
            entity = inner.split(".")[0]
            return f"distinct {entity.replace('_', ' ')}s"
        return f"{AGGREGATE_WORDS.get(fn, fn)} {label(lexicon, inner)}"
    info = lexicon.measures.get(name)
    text = info.label if info else lexicon.dimensions[name].label if name in lexicon.dimensions else \
        lexicon.time_labels.get(name, name.split(".")[-1].replace("_", " "))
    text = re.sub(r"\s*\(.*?\)", "", text)
    return text[:1].lower() + text[1:] if not text[:2].isupper() else text


def month_name(day: dt.date) -> str:
    return day.strftime("%B %Y")


def range_words(value: Any, as_of: dt.date | None = None) -> str:
    """A range as people say it: "last 90 days", "October 2025", "since Jun 1, 2025"."""
    if isinstance(value, str):
        return RANGE_WORDS.get(value, value.replace("_", " "))
    start, end = (dt.date.fromisoformat(d) for d in value)
    last = end - dt.timedelta(days=1)
    if as_of is not None and last == as_of:
        return f"since {_day(start)}"
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        if months == 12 and start.month == 1:
            return str(start.year)
        if months == 1:
            return month_name(start)
        if start.month in (1, 4, 7, 10) and months == 3:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        if start.year == last.year:
            return f"{start.strftime('%B')} to {month_name(last)}"
        return f"{month_name(start)} to {month_name(last)}"
    return f"{_day(start)} to {_day(last)}"


def _day(day: dt.date) -> str:
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def _value(lexicon: Lexicon, field: str, value: Any) -> str:
    info = lexicon.dimensions.get(field)
    if info is not None and info.unit == "cents" and isinstance(value, int | float):
        return f"${value / 100:,.0f}"
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def _flag_measure(lexicon: Lexicon, flag: str) -> str | None:
    """The measure that counts rows with this flag (appointment.is_visit -> visits)."""
    for info in lexicon.measures.values():
        if info.count_of is not None and info.count_of[1] == flag:
            return label(lexicon, info.name)
    return None


def filter_words(lexicon: Lexicon, item: dict[str, Any]) -> str:
    field, op = item["field"], item["op"]
    name = label(lexicon, field)
    if item.get("match") == "none" and field.endswith(".id"):
        return f"with no {field.split('.')[0].replace('_', ' ')}"
    values = item.get("values") or [item.get("value")]
    if op in ("in", "not_in") or len(values) > 1:
        shown = " or ".join(_value(lexicon, field, v) for v in values)
    else:
        shown = _value(lexicon, field, values[0])
    if op in ("is_null", "is_not_null"):
        return f"{name} {'is empty' if op == 'is_null' else 'is set'}"
    info = lexicon.dimensions.get(field)
    if info is not None and info.role == "number":
        if op == "equals" and values[0] == 0:
            return f"with no {name}"
        return f"with {name} {OP_WORDS.get(op, op.replace('_', ' '))} {shown}"
    if info is not None and field.endswith(".name") and op in ("equals", "in"):
        return f"for {shown}"  # a service, a provider: named by its own name
    return f"where {name} {OP_WORDS.get(op, op.replace('_', ' '))} {shown}"


def _plural(text: str) -> str:
    return text if text.endswith("s") else text + "s"


def _default_order(query: dict[str, Any], lexicon: Lexicon) -> bool:
    """Ordered as the parser orders by default (a category by its measure, largest first; an ordered
    dimension by itself), so the order goes without saying."""
    order = query.get("order") or []
    if not order:
        return True
    first = order[0]
    dims = query.get("dimensions") or []
    categories = [d for d in dims if d in lexicon.dimensions and lexicon.dimensions[d].role == "category"]
    if first["field"] in dims:
        return bool(first["dir"] == "asc")
    return bool(categories) and first["dir"] == "desc" and not (query.get("time") or {}).get("grain")


def describe(query: dict[str, Any], lexicon: Lexicon, as_of: dt.date | None = None) -> str:
    """The query in words, in the order a person says it."""
    filters = list(query.get("filters") or [])
    measures: list[str] = []
    for name in query.get("measures", []):
        match = _AGGREGATE.match(name)
        flag = next((f for f in filters if f.get("op") == "equals" and f.get("value") is True), None)
        if match and match.group(1) == "count_distinct" and flag is not None:
            counted = _flag_measure(lexicon, flag["field"])
            if counted:
                measures.append(counted)
                filters.remove(flag)
                continue
        measures.append(label(lexicon, name))
    text = " and ".join(measures)
    limit = query.get("limit")
    order = query.get("order") or []
    dims = [label(lexicon, d) for d in query.get("dimensions", [])]
    time = query.get("time") or {}
    top = query.get("top")
    ranked = (limit and order) or top
    if ranked and len(dims) == 1:
        n = limit or (top or {}).get("n")
        word = "top" if (top or order[0].get("dir") == "desc") else "bottom"
        text = f"{word} {n} {_plural(dims[0])} by {text}"
        if top:
            text += f" each {time.get('grain', 'group')}"
        elif time.get("grain"):
            text += f" by {time['grain']}"
    else:
        if dims:
            text += " by " + " and ".join(dims)
        if time.get("grain"):
            text += f" by {time['grain']}"
    for calc in query.get("calculations") or []:
        if calc.get("op") == "share_of_total":
            text += ", with their share of the total"
    if top and len(dims) != 1:
        text += f", top {top['n']} each {time.get('grain', 'group')}"
    parts = [text]
    if filters:
        parts.append(" and ".join(filter_words(lexicon, f) for f in filters))
    if time.get("range") is not None:
        words = range_words(time["range"], as_of)
        if time.get("dimension"):  # "appointments booked last week": ranged on another time than its own
            parts[0] += f" {label(lexicon, time['dimension']).removesuffix(' at')} {words}"
        else:
            parts.append(words)
    if time.get("compare"):
        parts.append(COMPARE_WORDS[time["compare"]])
    if order and not limit and not _default_order(query, lexicon):
        parts.append("highest first" if order[0]["dir"] == "desc" else "lowest first")
    return ", ".join(parts)
