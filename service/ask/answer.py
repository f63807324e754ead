"""The answer in one sentence, with the figures of the query's response (money exact, rates as percents)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.ask.describe import COMPARE_WORDS, filter_words, label, range_words
from service.ask.lexicon import Lexicon

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHOWN = 3  # groups named in a sentence


def money(cents: float) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def figure(value: Any, column: dict[str, Any] | None) -> str:
    """A number as people read it, from its column's unit and format."""
    if value is None:
        return "no value"
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    unit = (column or {}).get("unit")
    fmt = (column or {}).get("format")
    name = str((column or {}).get("name", ""))
    if unit == "cents" or fmt == "currency":
        return money(value)
    if unit == "ratio" or fmt == "percent" or name == "share" or name.endswith(".change_pct"):
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:,.1f} hours"
    if unit == "days":
        return f"{value:,.1f} days" if value != int(value) else f"{int(value):,} days"
    if isinstance(value, float) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def bucket(value: Any, grain: str | None) -> str:
    """A time bucket's start as its period: "Oct 2025", "week of Nov 17, 2025", "Q3 2025"."""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    if grain == "month":
        return day.strftime("%b %Y")
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if grain == "year":
        return str(day.year)
    if grain == "week":
        return f"the week of {day.strftime('%b')} {day.day}, {day.year}"
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def member_value(name: str, value: Any) -> str:
    """A dimension value as shown: weekdays and hours by name, snake_case as words."""
    if value is None:
        return "(none)"
    if name.endswith("day_of_week") and isinstance(value, int | float) and 1 <= value <= 7:
        return WEEKDAYS[int(value) - 1]
    if name.endswith("hour_of_day") and isinstance(value, int | float):
        hour = int(value)
        return f"{hour % 12 or 12} {'am' if hour < 12 else 'pm'}"
    return str(value).replace("_", " ")


def _subject(query: dict[str, Any], lexicon: Lexicon, as_of: dt.date | None, with_dims: bool) -> str:
    """"Revenue by acquisition source where ... last 90 days": what the figures are of."""
    measures = [label(lexicon, m) for m in query.get("measures", [])]
    text = " and ".join(measures)
    if with_dims:
        dims = [label(lexicon, d) for d in query.get("dimensions", [])]
        grain = (query.get("time") or {}).get("grain")
        by = [*dims, *([grain] if grain else [])]
        if by:
            text += " by " + " and ".join(by)
    filters = [f for f in query.get("filters") or [] if not (f.get("op") == "equals" and f.get("value") is True)]
    if filters:
        text += " " + " and ".join(filter_words(lexicon, f) for f in filters)
    time = query.get("time") or {}
    if time.get("range") is not None:
        if time.get("dimension"):  # "appointments booked last week"
            text += " " + label(lexicon, time["dimension"]).removesuffix(" at")
        text += " " + _range_phrase(time["range"], as_of)
    return text[:1].upper() + text[1:]


def _range_phrase(value: Any, as_of: dt.date | None) -> str:
    """The range after a noun: "in the last 90 days", "last month", "in October 2025", "from ... to ..."."""
    words = range_words(value, as_of)
    if words.startswith(("last ", "next ")) and words.split()[1][0].isdigit():
        return f"in the {words}"
    if words == "all time":
        return "over all time"
    if words[0].isupper() or words[0].isdigit():
        return ("from " if " to " in words and not words.startswith("Q") else "in ") + words
    return words


def sentence(query: dict[str, Any], response: dict[str, Any], lexicon: Lexicon, as_of: dt.date | None = None) -> str:
    """One sentence that answers the question with the response's figures."""
    rows: list[dict[str, Any]] = response.get("rows") or []
    columns = {c["name"]: c for c in response.get("columns") or []}
    measures: list[str] = list(query.get("measures") or [])
    dims: list[str] = list(query.get("dimensions") or [])
    time = query.get("time") or {}
    grain = time.get("grain")
    if not rows:
        subject = _subject(query, lexicon, as_of, True)
        return f"There is no data for {subject[:1].lower()}{subject[1:]}."
    first = measures[0]

    def show(row: dict[str, Any], name: str = first) -> str:
        return figure(row.get(name), columns.get(name))

    def who(row: dict[str, Any]) -> str:
        parts = [member_value(d, row.get(d)) for d in dims]
        if grain:
            parts.append(bucket(row.get("time"), grain))
        return " / ".join(parts)

    if not dims and not grain:
        row = rows[0]
        figures = ", ".join(show(row, m) if i == 0 else f"{label(lexicon, m)} {show(row, m)}"
                            for i, m in enumerate(measures))
        text = f"{_subject(query, lexicon, as_of, False)}: {figures}"
        compare = time.get("compare")
        if compare and f"{first}.previous" in row:
            previous = row.get(f"{first}.previous")
            change = row.get(f"{first}.change_pct")
            period = COMPARE_WORDS[compare].replace("compared with ", "")
            if change is None:
                text += f", against {show(row, f'{first}.previous')} in {period}"
            else:
                direction = "up" if change > 0 else "down" if change < 0 else "unchanged,"
                text += (f", {direction} {abs(change) * 100:.1f}% from "
                         f"{figure(previous, columns.get(first))} in {period}")
        return text + "."
    order = query.get("order") or []
    ranked = (bool(order) and order[0]["field"] in measures) or bool(query.get("top"))
    subject = _subject(query, lexicon, as_of, True)
    if grain and not dims and not ranked:
        values = [(row, float(row[first])) for row in rows if isinstance(row.get(first), int | float)]
        if not values:
            return f"{subject}: no values."
        high = max(values, key=lambda v: v[1])[0]
        low = min(values, key=lambda v: v[1])[0]
        last = rows[-1]
        return (f"{subject}: highest in {who(high)} ({show(high)}), lowest in {who(low)} ({show(low)}), "
                f"{who(last)}: {show(last)}.")
    shares = "share" in columns

    def item(row: dict[str, Any]) -> str:
        extra = f", {figure(row.get('share'), columns.get('share'))} of the total" if shares else ""
        return f"{who(row)} ({show(row)}{extra})"

    if ranked:
        shown = rows[:SHOWN]
        direction = order[0]["dir"] if order else "desc"
        lead = "is highest" if direction == "desc" else "is lowest"
        head = shown[0]
        text = f"{subject}: {who(head)} {lead} with {show(head)}"
        if shares:
            text += f" ({figure(head.get('share'), columns.get('share'))} of the total)"
        rest = [item(row) for row in shown[1:]]
        if rest:
            text += ", then " + (" and ".join(rest) if len(rest) < 3 else ", ".join(rest[:-1]) + " and " + rest[-1])
        if len(rows) > len(shown) and not query.get("limit"):
            text += f" ({len(rows)} in all)"
        return text + "."
    # ordered by the dimension itself (weekdays, age bands) or several dimensions: name the extremes
    values = [(row, float(row[first])) for row in rows if isinstance(row.get(first), int | float)]
    if not values:
        return f"{subject}: {len(rows)} rows."
    high = max(values, key=lambda v: v[1])[0]
    low = min(values, key=lambda v: v[1])[0]
    return f"{subject}: highest for {who(high)} ({show(high)}), lowest for {who(low)} ({show(low)})."
