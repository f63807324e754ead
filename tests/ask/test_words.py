"""The parser's pieces on their own: spelling, time phrases, and robustness on any text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.ask.parser import parse
from service.ask.text import Speller, stem, tokenize
from service.ask.timewords import find_time
from tests.ask.support import client_lexicon

AS_OF = dt.date(2025, 11, 26)  # a Wednesday


@pytest.mark.parametrize(("typed", "meant"), [
    ("revnue", "revenue"), ("provder", "provider"), ("cancelation", "cancellation"), ("treatmnts", "treatments"),
    ("patinets", "patients"), ("mnth", "month"), ("hydrafacal", "hydrafacial"), ("gendr", "gender"),
])
def test_misspellings_are_corrected_towards_known_words(typed: str, meant: str) -> None:
    assert client_lexicon().speller().correct(typed) == meant


@pytest.mark.parametrize("word", ["going", "weather", "city", "profit", "lauran", "cost"])
def test_unknown_or_ambiguous_words_are_left_alone(word: str) -> None:
    """Never towards filler ("going" is not "doing"), never a guess between two ("lauran": Laura or Lauren)."""
    corrected = client_lexicon().speller().correct(word)
    assert corrected in (None, word)


def test_a_speller_picks_only_a_unique_closest_word() -> None:
    speller = Speller(["laura", "lauren", "botox"])
    assert speller.correct("botx") == "botox"
    assert speller.correct("lauran") is None


def test_stems_meet_across_forms() -> None:
    assert {stem(w) for w in ("booked", "bookings", "booking")} == {"book"}
    assert {stem(w) for w in ("cancelled", "cancellations", "canceled")} == {"cancel"}
    assert stem("compared") == stem("compare") and stem("services") == stem("service")


@pytest.mark.parametrize(("text", "range_", "grain", "compare"), [
    ("revenue last month", "last_month", None, None),
    ("in the past 90 days", "last_90_days", None, None),
    ("over the last year", "last_12_months", None, None),
    ("last year", "last_year", None, None),
    ("last 6 months", ["2025-05-27", "2025-11-27"], None, None),
    ("in October", ["2025-10-01", "2025-11-01"], None, None),
    ("in December", ["2024-12-01", "2025-01-01"], None, None),  # the latest December by as_of
    ("since June", ["2025-06-01", "2025-11-27"], None, None),
    ("since Jun 1, 2025", ["2025-06-01", "2025-11-27"], None, None),
    ("in 2024", ["2024-01-01", "2025-01-01"], None, None),
    ("in october last year", ["2024-10-01", "2024-11-01"], None, None),
    ("q3", ["2025-07-01", "2025-10-01"], None, None),
    ("last week", ["2025-11-17", "2025-11-24"], None, None),
    ("this week", ["2025-11-24", "2025-11-27"], None, None),
    ("from september to october", ["2025-09-01", "2025-11-01"], None, None),
    ("Nov 17, 2025 to Nov 23, 2025", ["2025-11-17", "2025-11-24"], None, None),
    ("next 30 days", "next_30_days", None, None),
    ("next month", "next_month", None, None),
    ("year to date", "this_year", None, None),
    ("by week this quarter", "this_quarter", "week", None),
    ("monthly", None, "month", None),
    ("this month vs last month", "this_month", None, "previous_period"),
    ("this quarter compared with the previous period", "this_quarter", None, "previous_period"),
    ("vs last year", "this_year", None, "previous_year"),
    ("year over year", "this_year", None, "previous_year"),
    ("yesterday compared to the day before", "yesterday", None, "previous_period"),
])
def test_time_phrases(text: str, range_: object, grain: str | None, compare: str | None) -> None:
    found = find_time(tokenize(text), set(), AS_OF)
    assert (found.range, found.grain, found.compare) == (range_, grain, compare)
    assert not found.conflict and not found.unresolved_compare


def test_two_ranges_that_are_not_a_comparison_conflict() -> None:
    assert find_time(tokenize("revenue in october and in march"), set(), AS_OF).conflict
    assert find_time(tokenize("visits compared with the previous period"), set(), AS_OF).unresolved_compare


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.text(max_size=200) | st.lists(st.sampled_from(
    ["revenue", "by", "source", "top", "5", "last", "month", "vs", "botox", "not", "average", "share", "of",
     "patients", "never", "more", "than", "$", "3", "which", "most", "since", "june", "each", "per", "kim",
     "next", "30", "days", "compared", "with", "the", "previous", "period", "age", "over", "50", "'s", ","]),
    max_size=14).map(" ".join))
def test_any_text_gets_a_verdict_and_never_an_error(text: str) -> None:
    result = parse(text, client_lexicon(), AS_OF)
    assert result.status in ("ok", "unsure")
    assert (result.query is not None) == (result.status == "ok")
