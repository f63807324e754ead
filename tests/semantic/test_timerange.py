"""Relative ranges, comparison shifts and buckets, against as_of (never the wall clock)."""

from __future__ import annotations

import datetime as dt

import pytest

from semantic.planner.timerange import RangeError, Shift, add_months, bucket_start, compare_shift, resolve_range

D = dt.date.fromisoformat
AS_OF = D("2025-11-26")


@pytest.mark.parametrize(("name", "start", "end", "period"), [
    ("today", "2025-11-26", "2025-11-27", Shift(days=1)),
    ("yesterday", "2025-11-25", "2025-11-26", Shift(days=1)),
    ("last_7_days", "2025-11-20", "2025-11-27", Shift(days=7)),
    ("last_30_days", "2025-10-28", "2025-11-27", Shift(days=30)),
    ("last_90_days", "2025-08-29", "2025-11-27", Shift(days=90)),
    ("last_12_months", "2024-11-27", "2025-11-27", Shift(months=12)),
    ("this_month", "2025-11-01", "2025-11-27", Shift(months=1)),
    ("last_month", "2025-10-01", "2025-11-01", Shift(months=1)),
    ("this_quarter", "2025-10-01", "2025-11-27", Shift(months=3)),
    ("last_quarter", "2025-07-01", "2025-10-01", Shift(months=3)),
    ("this_year", "2025-01-01", "2025-11-27", Shift(months=12)),
    ("last_year", "2024-01-01", "2025-01-01", Shift(months=12)),
])
def test_named_ranges(name, start, end, period):
    window = resolve_range(name, AS_OF)
    assert (window.start, window.end, window.period) == (D(start), D(end), period)


def test_all_time_is_everything_through_as_of():
    window = resolve_range("all_time", AS_OF)
    assert window.start is None and window.end == D("2025-11-27")
    with pytest.raises(RangeError):
        compare_shift("previous_period", window)


def test_explicit_ranges_and_their_periods():
    months = resolve_range(["2025-03-01", "2025-04-01"], AS_OF)
    assert months.period == Shift(months=1)
    assert months.shifted_back(compare_shift("previous_period", months)).start == D("2025-02-01")
    days = resolve_range(["2025-03-05", "2025-03-12"], AS_OF)
    assert days.period == Shift(days=7)
    assert days.shifted_back(days.period).start == D("2025-02-26")
    assert compare_shift("previous_year", days) == Shift(months=12)


@pytest.mark.parametrize("spec", [["2025-06-01", "2025-01-01"], ["2025-13-01", "2025-02-30"], ["2025-01-01"],
                                  ["2025-01-01", "2025-02-01", "2025-03-01"], "last_century", ["2025-01-01", 5]])
def test_bad_ranges_say_why(spec):
    with pytest.raises(RangeError) as caught:
        resolve_range(spec, AS_OF)
    assert str(caught.value)


def test_month_arithmetic_clamps_like_sql_intervals():
    assert add_months(D("2025-03-31"), -1) == D("2025-02-28")
    assert add_months(D("2024-02-29"), 12) == D("2025-02-28")
    assert resolve_range("last_month", D("2025-03-31")).start == D("2025-02-01")


@pytest.mark.parametrize(("grain", "day", "start"), [
    ("day", "2025-11-26", "2025-11-26"), ("week", "2025-11-26", "2025-11-24"), ("week", "2025-11-24", "2025-11-24"),
    ("week", "2025-11-23", "2025-11-17"), ("month", "2025-11-26", "2025-11-01"),
    ("quarter", "2025-11-26", "2025-10-01"), ("year", "2025-11-26", "2025-01-01"),
])
def test_buckets_start_on_their_first_day(grain, day, start):
    assert bucket_start(D(day), grain) == D(start)
