"""Questions the parser can answer, closest first, for a question it could not map.

Closest means: the readings of an ambiguous question; then questions about what it did understand (its
measure, its dimension, its period) with the catalog's most used groupings; then a few general ones.
Every suggestion is parsed before it is offered, so clicking one always gets an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from service.ask.describe import describe, label, range_words
from service.ask.lexicon import Lexicon
from service.ask.parser import AHEAD_RANGES, Parse, parse

LIMIT = 3
GENERAL = ("revenue by acquisition source, last 90 days", "new patients by month, this year",
           "cancellation rate by service, last 12 months", "visits, this month, compared with the previous period")
SAFE_PERSONAL = ("patients by acquisition source", "new patients by month, this year", "patients by age band")


def _groupings(lexicon: Lexicon, measure: str) -> list[str]:
    """Dimensions with known values a measure may be grouped by (itself or as its split measure: revenue by
    service), the ones with most values first (services, providers, sources before a status)."""
    info = lexicon.measures.get(measure)
    if info is None:
        return []
    groupable = set(info.groupable)
    if info.split and info.split in lexicon.measures:
        groupable |= lexicon.measures[info.split].groupable
    known = [d for d in lexicon.values if d in groupable and len(lexicon.values[d]) > 1]
    return sorted(known, key=lambda d: -min(len(lexicon.values[d]), 6))  # stable: the catalog's order among ties


def _without_additions(query: dict[str, Any]) -> dict[str, Any]:
    """The query without what today's engine lacks (issue 18): shares, top per group, ranges ahead."""
    plain = {k: v for k, v in query.items() if k not in ("calculations", "top")}
    time = dict(plain.get("time") or {})
    if isinstance(time.get("range"), str) and time["range"] in AHEAD_RANGES:
        time.pop("range")
    if time:
        plain["time"] = time
    else:
        plain.pop("time", None)
    return plain


def _candidates(result: Parse, lexicon: Lexicon, as_of: dt.date) -> Iterator[str]:
    if result.query is not None:  # understood, but the engine cannot answer it yet
        yield describe(_without_additions(result.query), lexicon, as_of)
    for alternative in result.alternatives:
        yield describe(alternative.query, lexicon, as_of)
    if result.sensitive:
        yield from SAFE_PERSONAL
    period = range_words(result.range, as_of) if result.range is not None else None
    measures = [m for m in dict.fromkeys(result.measures) if m in lexicon.measures]
    for measure in measures:
        words = label(lexicon, measure)
        for dim in [*result.dimensions, *_groupings(lexicon, measure)][:3]:
            if dim in lexicon.dimensions and lexicon.dimensions[dim].role != "number":
                yield f"{words} by {label(lexicon, dim)}" + (f", {period}" if period else "")
        yield f"{words}, {period or 'last 30 days'}"
        yield f"{words} by month, {period or 'last 12 months'}"
    for dim in result.dimensions:
        for words in ("revenue", "visits", "new patients"):
            yield f"{words} by {label(lexicon, dim)}" + (f", {period}" if period else "")
    if period:
        yield f"revenue, {period}"
        yield f"visits, {period}"
    yield from GENERAL


def suggestions(result: Parse, lexicon: Lexicon, as_of: dt.date, limit: int = LIMIT) -> list[str]:
    """Up to `limit` questions the parser answers confidently with the engine of today (no issue-18
    additions), each with a different query."""
    out: list[str] = []
    seen: list[object] = []
    for text in _candidates(result, lexicon, as_of):
        parsed = parse(text, lexicon, as_of)
        if parsed.status != "ok" or parsed.needs or parsed.query in seen:
            continue
        seen.append(parsed.query)
        out.append(text[:1].upper() + text[1:])
        if len(out) == limit:
            break
    return out
