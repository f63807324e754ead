"""Time in a question: the range ("last month", "in October", "since June", "next 30 days"), the bucket
("by week", "monthly") and the comparison ("vs last year", "compared with the previous period").

Named ranges of the contract are kept by name (the engine resolves them against as_of and echoes the
dates); anything else ("in October", "since June", "last week") becomes `[start, end)` ISO dates
resolved here against the same as_of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from semantic import add_months
from service.ask.text import Token, stem
from service.ask.text import stems as _stems

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
SURFACE: set[str] = set()  # the words as written, for the speller


def stems(*words: str) -> frozenset[str]:
    SURFACE.update(words)
    return _stems(*words)


# Every word list holds stems (text.stem), as a token's `stem` is compared with them.
UNITS = {stem(u): u for u in ("day", "week", "month", "quarter", "year")}
SURFACE.update(("day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years", "daily",
                "weekly", "monthly", "quarterly", "yearly", "annual", "annually", "q1", "q2", "q3", "q4"))
ADJECTIVE_GRAINS = {stem(w): g for w, g in (("daily", "day"), ("weekly", "week"), ("monthly", "month"),
                                              ("quarterly", "quarter"), ("yearly", "year"), ("annual", "year"),
                                              ("annually", "year"))}
GRAIN_CUES = stems("by", "per", "each", "every", "a", "an")
PAST = stems("last", "past", "previous", "prior", "recent")
NAMED_DAYS = {7: "last_7_days", 30: "last_30_days", 90: "last_90_days"}
AHEAD_DAYS = {7: "next_7_days", 30: "next_30_days", 90: "next_90_days"}
COMPARE_CUES = stems("vs", "versus", "compare", "compared", "comparing", "against", "relative")
GROWTH = stems("grow", "growth", "change", "increase", "decrease", "drop", "decline", "rise", "fall", "trend",
               "improve")
TREND = stems("trend", "trends", "trending")
# the preposition before a month name that makes "may" a month
MONTH_PREPOSITIONS = stems("in", "since", "for", "during", "from", "to", "through", "thru", "until", "till", "of",
                           "and", "between")
RANGE_PREPOSITIONS = stems("in", "for", "during", "over", "within", "from", "of", "on", "at")
YEAR_PREPOSITIONS = stems("in", "for", "during", "of", "since", "from", "to", "through")
UNTIL = stems("to", "through", "thru", "until", "till", "and")
ONWARD = stems("on", "onward", "onwards", "forward", "forwards")
_WORDS = (
    "the", "a", "today", "yesterday", "tomorrow", "ytd", "mtd", "year", "month", "to", "date", "all", "time",
    "this", "current", "so", "far", "past", "next", "coming", "upcoming", "week", "day", "first", "second", "third",
    "fourth", "quarter", "of", "over", "by", "on", "from", "between", "since", "start", "beginning", "before",
    "period", "same", "last", "ago", "previous", "prior", "preceding", "compare", "relative", "with", "against",
    "yoy", "go", "and", "up", "down", "in",
)
W = {w: next(iter(stems(w))) for w in _WORDS}  # stems of the grammar words compared below

Range = str | list[str]
QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "q1": 1, "q2": 2, "q3": 3, "q4": 4}


@dataclass
class TimeFind:
    """What the question says about time, and which tokens said it."""

    range: Range | None = None
    grain: str | None = None
    compare: str | None = None
    all_time: bool = False
    ahead: bool = False  # the range lies after as_of
    upcoming: bool = False  # "from tomorrow on", "upcoming": everything after as_of
    growth: bool = False  # "grow", "change"...: a series over the range is meant
    unresolved_compare: bool = False  # "compared with the previous period" and no range to compare
    conflict: bool = False  # two different ranges or grains
    guessed_year: bool = False  # a month named without a year that could be last year's or the coming one
    used: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Hit:
    length: int
    range: Range | None = None
    grain: str | None = None
    all_time: bool = False
    ahead: bool = False
    guessed: bool = False


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _month_range(year: int, month: int) -> list[str]:
    start = dt.date(year, month, 1)
    return [_iso(start), _iso(add_months(start, 1))]


def _last_month_named(month: int, as_of: dt.date) -> int:
    """The year of the latest `month` that has begun by as_of."""
    return as_of.year if month <= as_of.month else as_of.year - 1


class _Reader:
    """Pattern matching over the stems of the tokens not taken by something else."""

    def __init__(self, tokens: list[Token], taken: set[int], as_of: dt.date) -> None:
        self.tokens = tokens
        self.taken = taken
        self.as_of = as_of
        self.end = as_of + dt.timedelta(days=1)

    def word(self, i: int) -> str:
        if i < 0 or i >= len(self.tokens) or i in self.taken:
            return ""
        return self.tokens[i].stem

    def text(self, i: int) -> str:
        if i < 0 or i >= len(self.tokens) or i in self.taken:
            return ""
        return self.tokens[i].text

    def number(self, i: int) -> float | None:
        if i < 0 or i >= len(self.tokens) or i in self.taken:
            return None
        return self.tokens[i].number

    def month(self, i: int) -> int | None:
        text = self.text(i)
        month = MONTHS.get(text)
        if month is None:
            return None
        if text == "may" and self.word(i - 1) not in MONTH_PREPOSITIONS and self._year(i + 1) is None:
            return None
        return month

    def date(self, i: int) -> tuple[int, dt.date] | None:
        """"Nov 17, 2025" or "November 17" (the latest one by as_of): (tokens, date)."""
        month = self.month(i)
        day = self.number(i + 1)
        if month is None or day is None or day != int(day) or not 1 <= day <= 31 or self.tokens[i + 1].money:
            return None
        year = self._year(i + 2)
        try:
            found = dt.date(year or self.as_of.year, month, int(day))
        except ValueError:
            return None
        if year is None and found > self.as_of:
            found = found.replace(year=found.year - 1)
        return (3 if year else 2), found

    def _year(self, i: int) -> int | None:
        value = self.number(i)
        if value is not None and value == int(value) and 2000 <= value <= 2100 and not self.tokens[i].money:
            return int(value)
        return None

    # --- one expression at i -------------------------------------------------------------------

    def range_at(self, i: int) -> _Hit | None:
        w = self.word
        skip = 1 if w(i) == W["the"] else 0
        j = i + skip
        first = w(j)
        if first == W["today"]:
            return _Hit(1 + skip, "today")
        if first == W["yesterday"]:
            return _Hit(1 + skip, "yesterday")
        if first == W["tomorrow"]:
            return _Hit(1 + skip, "tomorrow", ahead=True)
        if first == W["ytd"] or (first == W["year"] and w(j + 1) == W["to"] and w(j + 2) == W["date"]):
            return _Hit(skip + (1 if first == W["ytd"] else 3), "this_year")
        if first == W["mtd"] or (first == W["month"] and w(j + 1) == W["to"] and w(j + 2) == W["date"]):
            return _Hit(skip + (1 if first == W["mtd"] else 3), "this_month")
        if first == W["all"] and w(j + 1) == W["time"]:
            return _Hit(skip + 2, all_time=True)
        if first in (W["this"], W["current"]) and w(j + 1) in UNITS:
            unit = UNITS[w(j + 1)]
            if unit == "day":
                return _Hit(skip + 2, "today")
            if unit == "week":
                monday = self.as_of - dt.timedelta(days=self.as_of.weekday())
                return _Hit(skip + 2, [_iso(monday), _iso(self.end)])
            return _Hit(skip + 2, f"this_{unit}")
        if first == W["so"] and w(j + 1) == W["far"] and w(j + 2) == W["this"] \
                and w(j + 3) in (W["year"], W["month"], W["quarter"]):
            return _Hit(skip + 4, f"this_{UNITS[w(j + 3)]}")
        if first in PAST:
            return self._past(i, skip, j)
        named = self._rolling(j)
        if named is not None:
            return _Hit(skip + 2, named)
        if first in (W["next"], W["coming"], W["upcoming"]):
            return self._ahead(skip, j)
        quarter = self._quarter(j)
        if quarter is not None:
            return _Hit(skip + quarter[0], quarter[1])
        day = self.date(j)
        if day is not None:
            return _Hit(skip + day[0], [_iso(day[1]), _iso(day[1] + dt.timedelta(days=1))])
        month = self.month(j)
        if month is not None:
            year = self._year(j + 1)
            length = 2 if year is not None else 1
            if year is None and w(j + 1) in (W["last"], W["this"]) and w(j + 2) == W["year"]:
                year = self.as_of.year - (1 if w(j + 1) == W["last"] else 0)  # "october last year"
                length = 3
            guessed = year is None and month > self.as_of.month  # "in December" on Nov 26: last one, or next?
            return _Hit(skip + length, _month_range(year or _last_month_named(month, self.as_of), month),
                        guessed=guessed)
        year = self._year(j)
        if year is not None:  # "in 2024", "revenue 2024"
            return _Hit(skip + 1, [f"{year}-01-01", f"{year + 1}-01-01"])
        return None

    def _past(self, i: int, skip: int, j: int) -> _Hit | None:
        w = self.word
        unit = UNITS.get(w(j + 1))
        if unit is not None:
            if w(j) == W["past"] or (skip and unit == "year"):  # "the past year", "the last year": rolling
                if unit == "year":
                    return _Hit(skip + 2, "last_12_months")
                if unit == "month":
                    return _Hit(skip + 2, "last_30_days")
                if unit == "week":
                    return _Hit(skip + 2, "last_7_days")
            if unit == "day":
                return _Hit(skip + 2, "yesterday")
            if unit == "week":
                monday = self.as_of - dt.timedelta(days=self.as_of.weekday())
                return _Hit(skip + 2, [_iso(monday - dt.timedelta(days=7)), _iso(monday)])
            return _Hit(skip + 2, f"last_{unit}")
        count = self.number(j + 1)
        unit = UNITS.get(w(j + 2))
        if count is not None and count == int(count) and count > 0 and unit is not None:
            n = int(count)
            if unit == "day":
                named = NAMED_DAYS.get(n)
                return _Hit(skip + 3, named or [_iso(self.end - dt.timedelta(days=n)), _iso(self.end)])
            if unit == "week":
                return _Hit(skip + 3, NAMED_DAYS.get(7 * n) or
                            [_iso(self.end - dt.timedelta(days=7 * n)), _iso(self.end)])
            if unit == "month":
                return _Hit(skip + 3, "last_12_months" if n == 12 else [_iso(add_months(self.end, -n)), _iso(self.end)])
            if unit == "year":
                return _Hit(skip + 3, "last_12_months" if n == 1 else [_iso(add_months(self.end, -12 * n)),
                                                                        _iso(self.end)])
            return None
        return None

    def _rolling(self, j: int) -> str | None:
        """"12 month revenue", "90 day visits": a rolling range of the contract, without "last"."""
        count = self.number(j)
        unit = UNITS.get(self.word(j + 1))
        if count is None or unit is None or self.tokens[j].money or self.word(j - 1) in (W["next"], W["in"]):
            return None
        return {(7, "day"): "last_7_days", (30, "day"): "last_30_days", (90, "day"): "last_90_days",
                (12, "month"): "last_12_months"}.get((int(count), unit))

    def _ahead(self, skip: int, j: int) -> _Hit | None:
        w = self.word
        unit = UNITS.get(w(j + 1))
        if unit == "month":
            return _Hit(skip + 2, "next_month", ahead=True)
        if unit == "week":
            monday = self.as_of - dt.timedelta(days=self.as_of.weekday()) + dt.timedelta(days=7)
            return _Hit(skip + 2, [_iso(monday), _iso(monday + dt.timedelta(days=7))], ahead=True)
        if unit == "day":
            return _Hit(skip + 2, "tomorrow", ahead=True)
        count = self.number(j + 1)
        unit = UNITS.get(w(j + 2))
        if count is not None and count == int(count) and count > 0 and unit is not None:
            n = int(count)
            if unit == "day":
                return _Hit(skip + 3, AHEAD_DAYS.get(n) or [_iso(self.end), _iso(self.end + dt.timedelta(days=n))],
                            ahead=True)
            if unit == "week":
                return _Hit(skip + 3, AHEAD_DAYS.get(7 * n) or
                            [_iso(self.end), _iso(self.end + dt.timedelta(days=7 * n))], ahead=True)
            if unit == "month":
                return _Hit(skip + 3, [_iso(self.end), _iso(add_months(self.end, n))], ahead=True)
        return None

    def _quarter(self, j: int) -> tuple[int, list[str]] | None:
        w = self.word
        quarter = None
        length = 0
        if w(j) in ("q1", "q2", "q3", "q4"):
            quarter, length = QUARTER_WORDS[w(j)], 1
        elif w(j) in (W["first"], W["second"], W["third"], W["fourth"]) and w(j + 1) == W["quarter"]:
            quarter, length = QUARTER_WORDS[self.text(j)], 2
        if quarter is None:
            return None
        year = self._year(j + length)
        if year is not None:
            length += 1
        else:
            start_month = 3 * (quarter - 1) + 1
            year = self.as_of.year if start_month <= self.as_of.month else self.as_of.year - 1
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        return length, [_iso(start), _iso(add_months(start, 3))]

    def grain_at(self, i: int) -> _Hit | None:
        w = self.word
        if w(i) in ADJECTIVE_GRAINS:
            return _Hit(1, grain=ADJECTIVE_GRAINS[w(i)])
        if w(i) in GRAIN_CUES and w(i + 1) in UNITS and not (w(i + 2) == W["to"] and w(i + 3) == W["date"]):
            if w(i + 2) == W["of"]:  # "each day of the week": a dimension, not a bucket
                return None
            return _Hit(2, grain=UNITS[w(i + 1)])
        if w(i) in (W["month"], W["week"]) and w(i + 1) in (W["by"], W["over"], W["on"], W["to"]) and w(i + 2) == w(i):
            return _Hit(3, grain=UNITS[w(i)])
        if w(i) == W["over"] and w(i + 1) == W["time"]:
            return _Hit(2, grain="month")
        return None


def _same_kind_previous(first: Range | None, second: Range, cue: bool = True) -> str | None:
    """The comparison meant by "<first> vs <second>"; None when the two are not a period and its previous.
    Without a cue word ("vs", "compared with"), only this_year and last_year, this_month and last_month...
    (never "october last year")."""
    if second == "last_year" and (cue or first == "this_year"):
        return "previous_year"
    pairs = {("this_month", "last_month"), ("this_quarter", "last_quarter"), ("today", "yesterday")}
    if isinstance(first, str) and isinstance(second, str) and (first, second) in pairs:
        return "previous_period"
    return None


def find_time(tokens: list[Token], taken: set[int], as_of: dt.date) -> TimeFind:
    """Ranges, buckets and comparisons among the tokens not in `taken` (which this adds to)."""
    reader = _Reader(tokens, taken, as_of)
    found = TimeFind()
    ranges: list[tuple[int, _Hit]] = []
    i = 0
    n = len(tokens)
    while i < n:
        if i in taken:
            i += 1
            continue
        compare = _compare_at(reader, i, verb_before=any(reader.word(j) == W["compare"] for j in range(i)))
        if compare is not None:
            length, what = compare
            found.used.update(range(i, i + length))
            taken.update(range(i, i + length))
            if isinstance(what, str) and what in ("previous_period", "previous_year"):
                found.compare = what if found.compare in (None, what) else found.compare
                if found.compare != what:
                    found.conflict = True
            else:
                ranges.append((-1, _Hit(0, what)))  # the range compared against
            i += length
            continue
        hit = _span(reader, i)
        if hit is not None:
            found.used.update(range(i, i + hit.length))
            taken.update(range(i, i + hit.length))
            if hit.grain is not None:
                if found.grain not in (None, hit.grain):
                    found.conflict = True
                found.grain = hit.grain
            else:
                ranges.append((i, hit))
            i += hit.length
            continue
        if reader.word(i) == W["go"] and reader.word(i + 1) in (W["up"], W["down"]):
            found.growth = True
            found.used.update((i, i + 1))
            taken.update((i, i + 1))
            i += 2
            continue
        if reader.word(i) in GROWTH:
            found.growth = True
            found.used.add(i)
            taken.add(i)
            if reader.tokens[i].stem in TREND and found.grain is None:
                found.grain = "month"
        i += 1
    _settle(found, ranges)
    return found


def _span(reader: _Reader, i: int) -> _Hit | None:
    """A range, a "from X to Y" range, an "upcoming" marker, or a bucket at i."""
    w = reader.word
    if w(i) == W["from"] and w(i + 1) == W["tomorrow"] and w(i + 2) in ONWARD:
        return _Hit(3, "upcoming", ahead=True)
    if w(i) in (W["from"], W["between"]) or reader.month(i) is not None:
        lead = 1 if w(i) in (W["from"], W["between"]) else 0
        start_day = reader.date(i + lead)
        if start_day is not None and w(i + lead + start_day[0]) in UNTIL:
            end_day = reader.date(i + lead + start_day[0] + 1)
            if end_day is not None and end_day[1] >= start_day[1]:
                length = lead + start_day[0] + 1 + end_day[0]
                return _Hit(length, [_iso(start_day[1]), _iso(end_day[1] + dt.timedelta(days=1))])
        first = reader.month(i + lead)
        if first is not None and w(i + lead + 1) in UNTIL:
            last = reader.month(i + lead + 2)
            if last is not None:
                year = reader._year(i + lead + 3)
                end_year = year or _last_month_named(last, reader.as_of)
                start_year = end_year if first <= last else end_year - 1
                start = dt.date(start_year, first, 1)
                end = add_months(dt.date(end_year, last, 1), 1)
                return _Hit(lead + 3 + (1 if year else 0), [_iso(start), _iso(end)])
    if w(i) == W["since"]:
        j = i + 1
        if w(j) == W["the"] and w(j + 1) in (W["start"], W["beginning"]) and w(j + 2) == W["of"]:
            j += 3
        day = reader.date(j)
        if day is not None:
            return _Hit(j - i + day[0], [_iso(day[1]), _iso(reader.end)])
        month = reader.month(j)
        if month is not None:
            year = reader._year(j + 1)
            start = dt.date(year or _last_month_named(month, reader.as_of), month, 1)
            return _Hit(j - i + (2 if year else 1), [_iso(start), _iso(reader.end)])
        year = reader._year(j)
        if year is not None:
            return _Hit(j - i + 1, [f"{year}-01-01", _iso(reader.end)])
        return None
    if w(i) in RANGE_PREPOSITIONS and w(i + 1):
        hit = reader.range_at(i + 1)
        if hit is not None:
            return replace(hit, length=hit.length + 1)
    hit = reader.range_at(i)
    if hit is not None:
        return hit
    return reader.grain_at(i)


def _compare_at(reader: _Reader, i: int, verb_before: bool = False) -> tuple[int, Range] | None:
    """"vs last year", "compared with the previous period", "year over year", "compare X to <range>":
    (length, what)."""
    w = reader.word
    if w(i) == W["year"] and w(i + 1) in (W["over"], W["on"]) and w(i + 2) == W["year"]:
        return 3, "previous_year"
    if w(i) == W["yoy"]:
        return 1, "previous_year"
    joins = (W["with"], W["to"], W["against"], W["and"])
    if verb_before and w(i) in joins:  # "compare this month's revenue to last month"
        hit = reader.range_at(i + 1)
        if hit is not None and hit.range is not None:
            return 1 + hit.length, hit.range
        return None
    if w(i) not in COMPARE_CUES:
        return None
    j = i + 1
    if w(i) in (W["compare"], W["relative"]) and w(j) in (W["with"], W["to"], W["against"]):
        j += 1
    elif w(i) == W["compare"] and reader.range_at(j) is not None:
        return None  # "compare this month ... to last month": the first range is the question's own
    if w(j) in (W["the"], W["a"]):
        j += 1
    previous = (W["previous"], W["prior"], W["preceding"], W["last"])
    if (w(j) in previous and w(j + 1) == W["period"]) or w(j) == W["before"]:
        return j - i + (1 if w(j) == W["before"] else 2), "previous_period"
    if w(j) in (W["period"], *UNITS) and w(j + 1) == W["before"]:
        return j - i + 2, "previous_period"  # "the period before", "the quarter before"
    if w(j) == W["same"] and (w(j + 1) == W["period"] or w(j + 1) in UNITS) and w(j + 2) == W["last"] \
            and w(j + 3) == W["year"]:
        return j - i + 4, "previous_year"  # "the same period last year", "the same month last year"
    if w(j) == W["year"] and w(j + 1) in (W["before"], W["ago"]):
        return j - i + 2, "previous_year"
    if w(j) in (W["previous"], W["prior"], W["preceding"]) and w(j + 1) == W["year"]:
        return j - i + 2, "previous_year"
    if w(j) in (W["previous"], W["prior"], W["preceding"]) and w(j + 1) in UNITS:
        return j - i + 2, "previous_period"  # "vs the previous month"
    hit = reader.range_at(j)
    if hit is not None and hit.range is not None:
        return j - i + hit.length, hit.range
    return None  # "compare revenue from instagram and google": not about time


def _settle(found: TimeFind, ranges: list[tuple[int, _Hit]]) -> None:
    own = [hit for at, hit in ranges if at >= 0]
    against = [hit for at, hit in ranges if at < 0]
    for hit in own:
        if hit.all_time:
            found.all_time = True
            continue
        if hit.range == "upcoming":
            found.upcoming = True
            continue
        if found.range is not None and found.range != hit.range:
            # "this month last month" without a cue word: only a period and the one before it compare
            compare = _same_kind_previous(found.range, hit.range, cue=False) if hit.range is not None else None
            if compare is not None and found.compare in (None, compare):
                found.compare = compare
                continue
            found.conflict = True
            continue
        found.range = hit.range
        found.ahead = found.ahead or hit.ahead
        found.guessed_year = found.guessed_year or hit.guessed
    for hit in against:
        assert hit.range is not None
        compare = _same_kind_previous(found.range, hit.range)
        if found.range is None:
            defaults = {"last_year": ("this_year", "previous_year"), "last_month": ("this_month", "previous_period"),
                        "last_quarter": ("this_quarter", "previous_period")}
            if isinstance(hit.range, str) and hit.range in defaults:
                found.range, compare = defaults[hit.range]
        if compare is None or found.compare not in (None, compare):
            found.conflict = True
            continue
        found.compare = compare
    if found.compare is not None and found.range is None:
        if found.compare == "previous_year":
            found.range = "this_year"
        else:
            found.unresolved_compare = True
