"""Relative ranges, comparison periods and buckets, resolved against as_of (never the wall clock).

Ranges are half-open `[start, end)` of dates. as_of's own day is included, so "last_7_days" on
2025-11-26 is [2025-11-20, 2025-11-27). `this_*` ranges run to date (through as_of); `last_*`
calendar ranges are complete periods. Ranges ahead of as_of (`tomorrow`, `next_*_days`) start the day
after it; `next_month` is the calendar month after as_of's. A comparison shifts the range back by a
whole number of months (calendar-based ranges, previous_year) or days (day-based ranges).

A bucket of a grain is partial when it is not wholly inside the range (`partial_buckets`): a rolling
range's first and last buckets, the current month of `this_month` by month.

Explicit ranges lie within the window of semantic/planner/limits.py (as_of too, checked by the compiler), so
no arithmetic here leaves the years Python's dates hold.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from semantic.planner.limits import EARLIEST, LATEST, WINDOW

RELATIVE_RANGES = ("today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "last_12_months",
                   "this_month", "last_month", "this_quarter", "last_quarter", "this_year", "last_year", "all_time",
                   "tomorrow", "next_7_days", "next_30_days", "next_90_days", "next_month")
COMPARES = ("previous_period", "previous_year")


@dataclass(frozen=True)
class Shift:
    """How far back the comparison period lies: whole months, or days."""

    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class DateRange:
    """[start, end); `start` None means unbounded (all_time)."""

    start: dt.date | None
    end: dt.date
    period: Shift  # the range's own length, used by previous_period

    def shifted_back(self, shift: Shift) -> DateRange:
        start = None if self.start is None else add(self.start, -shift.months, -shift.days)
        return DateRange(start, add(self.end, -shift.months, -shift.days), self.period)


class RangeError(ValueError):
    pass


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping the day (Mar 31 - 1 month = Feb 28/29), like SQL intervals."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add(day: dt.date, months: int = 0, days: int = 0) -> dt.date:
    return add_months(day, months) + dt.timedelta(days=days)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def resolve_range(spec: str | list[str], as_of: dt.date) -> DateRange:
    """A relative name or `[start, end)` ISO dates -> DateRange; raises RangeError with the reason."""
    if isinstance(spec, list):
        if len(spec) != 2 or not all(isinstance(v, str) for v in spec):
            raise RangeError("a range is [start, end) as two ISO dates, e.g. [\"2025-01-01\", \"2025-02-01\"]")
        try:
            start, end = dt.date.fromisoformat(spec[0]), dt.date.fromisoformat(spec[1])
        except ValueError:
            raise RangeError(f"range dates must be ISO dates (YYYY-MM-DD), got {spec!r}") from None
        if end <= start:
            raise RangeError(f"range end {end} must be after start {start} (the end is exclusive)")
        if start < EARLIEST or end > LATEST + dt.timedelta(days=1):
            raise RangeError(f"a range lies within the dates a query may name ({WINDOW}; the end is exclusive)")
        if start.day == 1 and end.day == 1:
            months = (end.year - start.year) * 12 + end.month - start.month
            return DateRange(start, end, Shift(months=months))
        return DateRange(start, end, Shift(days=(end - start).days))
    tomorrow = as_of + dt.timedelta(days=1)
    month_start = as_of.replace(day=1)
    quarter_start = _quarter_start(as_of)
    year_start = as_of.replace(month=1, day=1)
    table: dict[str, DateRange] = {
        "today": DateRange(as_of, tomorrow, Shift(days=1)),
        "yesterday": DateRange(as_of - dt.timedelta(days=1), as_of, Shift(days=1)),
        "last_7_days": DateRange(as_of - dt.timedelta(days=6), tomorrow, Shift(days=7)),
        "last_30_days": DateRange(as_of - dt.timedelta(days=29), tomorrow, Shift(days=30)),
        "last_90_days": DateRange(as_of - dt.timedelta(days=89), tomorrow, Shift(days=90)),
        "last_12_months": DateRange(add_months(as_of, -12) + dt.timedelta(days=1), tomorrow, Shift(months=12)),
        "this_month": DateRange(month_start, tomorrow, Shift(months=1)),
        "last_month": DateRange(add_months(month_start, -1), month_start, Shift(months=1)),
        "this_quarter": DateRange(quarter_start, tomorrow, Shift(months=3)),
        "last_quarter": DateRange(add_months(quarter_start, -3), quarter_start, Shift(months=3)),
        "this_year": DateRange(year_start, tomorrow, Shift(months=12)),
        "last_year": DateRange(add_months(year_start, -12), year_start, Shift(months=12)),
        "all_time": DateRange(None, tomorrow, Shift()),
        **_ahead(as_of),
    }
    if spec not in table:
        raise RangeError(f"unknown range {spec!r}")
    return table[spec]


def _ahead(as_of: dt.date) -> dict[str, DateRange]:
    """The ranges ahead of as_of: each starts the day after it (next_month: the calendar month after)."""
    tomorrow = as_of + dt.timedelta(days=1)
    next_month = add_months(as_of.replace(day=1), 1)
    ranges = {f"next_{n}_days": DateRange(tomorrow, tomorrow + dt.timedelta(days=n), Shift(days=n))
              for n in (7, 30, 90)}
    return {"tomorrow": DateRange(tomorrow, tomorrow + dt.timedelta(days=1), Shift(days=1)), **ranges,
            "next_month": DateRange(next_month, add_months(next_month, 1), Shift(months=1))}


def compare_shift(kind: str, current: DateRange) -> Shift:
    if current.start is None:
        raise RangeError("all_time has no previous period to compare with")
    if kind == "previous_year":
        return Shift(months=12)
    return current.period


def bucket_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the bucket holding `day` (week: ISO, Monday)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return _quarter_start(day)
    return day.replace(month=1, day=1)


def next_bucket(start: dt.date, grain: str) -> dt.date:
    """The first day of the bucket after the one starting on `start`."""
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    return add_months(start, {"month": 1, "quarter": 3}.get(grain, 12))


def partial_buckets(window: DateRange | None, grain: str | None) -> tuple[dt.date, ...]:
    """The starts of the `grain` buckets that the range cuts: those not wholly inside it (only its first and
    last bucket can be). Nothing without a range or a grain; an unbounded start cuts nothing."""
    if window is None or grain is None:
        return ()
    cut: list[dt.date] = []
    if window.start is not None:
        first = bucket_start(window.start, grain)
        if first < window.start:
            cut.append(first)
    last_day = window.end - dt.timedelta(days=1)
    last = bucket_start(last_day, grain)
    if next_bucket(last, grain) > window.end and last not in cut:
        cut.append(last)
    return tuple(cut)
