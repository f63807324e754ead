"""A question in plain words -> one contract query, or "I can't answer that yet" with suggestions.

Pure: it reads the lexicon (the catalog's words and the data's values, lexicon.py) and as_of, nothing
else. The steps, each taking the words it understands:
1. words, spelling corrected towards known words only (text.py);
2. phrases of two or more words from the catalog and the values ("new patients", "botox injection");
3. time (timewords.py): range, bucket, comparison;
4. patterns: "more than 3 visits", "not counting cancellations", "top 5";
5. measures named by their words in any order ("appointments were cancelled"), then single words;
6. cues: which/most/least, share of, average, how many/much, verbs that imply a measure.
(Steps 1, 2, 4, 5 and 6 are in spotting.py.) Then the parts are assembled into a query the engine
accepts (assemble.py: revenue split by service becomes line_revenue, and so on). Precision first: a
word left over that means nothing to the parser, two readings it cannot choose between, or a personal
member makes it decline rather than answer another question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from service.ask.assemble import assemble, needs
from service.ask.lexicon import Lexicon, Sense
from service.ask.reading import (
    AHEAD_RANGES,
    NEEDS_AGGREGATE,
    NEEDS_AHEAD,
    NEEDS_CALCULATIONS,
    NEEDS_TOP,
    Choice,
    Found,
    Query,
    Tokens,
    Unsure,
)
from service.ask.spotting import bags, correct, cues, patterns, phrases, singles
from service.ask.text import Token, tokenize
from service.ask.timewords import find_time
from service.ask.words import FILLER

Status = Literal["ok", "unsure"]

__all__ = ["AHEAD_RANGES", "NEEDS_AGGREGATE", "NEEDS_AHEAD", "NEEDS_CALCULATIONS", "NEEDS_TOP", "Parse", "Reading",
           "parse"]


@dataclass(frozen=True)
class Reading:
    """One way to read the question: a query and what it says in the parser's own words."""

    query: Query
    needs: tuple[str, ...] = ()


@dataclass
class Parse:
    """The parser's verdict: `ok` with a query, or `unsure` with why and what was understood."""

    status: Status
    query: Query | None = None
    needs: tuple[str, ...] = ()
    alternatives: list[Reading] = field(default_factory=list)
    reason: str | None = None
    problem: str | None = None
    unknown: list[str] = field(default_factory=list)
    sensitive: bool = False
    corrections: dict[str, str] = field(default_factory=dict)
    # what was understood, for suggestions when unsure
    measures: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    range: str | list[str] | None = None


# --- the entry point -----------------------------------------------------------------------------

MAX_ALTERNATIVES = 4


def parse(question: str, lexicon: Lexicon, as_of: dt.date) -> Parse:
    """Map `question` to one contract query, or say it cannot (never raises on any text). Words with
    several meanings are each tried: the readings that make sense come back as ranked alternatives."""
    raw = tokenize(question[:500])
    tokens, corrections = correct(raw, lexicon)
    result, choices = _parse(tokens, lexicon, as_of, {})
    result.corrections = corrections
    if result.status == "ok" or not choices or result.unknown or result.sensitive:
        return result
    forks: list[dict[int, Sense]] = [{choices[0].at: option} for option in choices[0].options[:MAX_ALTERNATIVES]]
    for forced in forks:
        alternative, more = _parse(tokens, lexicon, as_of, forced)
        if alternative.status != "ok" and more and len(forks) < 2 * MAX_ALTERNATIVES:
            forks.extend({**forced, more[0].at: option} for option in more[0].options[:2]
                         if more[0].at not in forced)
            continue
        if alternative.status == "ok" and alternative.query is not None:
            reading = Reading(alternative.query, alternative.needs)
            if reading not in result.alternatives:
                result.alternatives.append(reading)
    result.alternatives = result.alternatives[:MAX_ALTERNATIVES]
    result.reason, result.problem = "the question can be read in more than one way", "ambiguous"
    return result


def _parse(tokens: list[Token], lexicon: Lexicon, as_of: dt.date,
           forced: dict[int, Sense]) -> tuple[Parse, list[Choice]]:
    toks = Tokens(tokens, lexicon, forced)
    found = Found()
    patterns(toks, found)
    phrases(toks, found, 2)
    time = find_time(tokens, toks.taken, as_of)
    bags(toks, found)
    singles(toks, found)
    cues(toks, found)
    unknown = [toks.tokens[i].text for i in range(len(toks))
               if toks.free(i) and (toks.norm[i] not in FILLER or toks.tokens[i].number is not None)]
    result = Parse(status="unsure", sensitive=found.sensitive,
                   measures=[m for m, _ in found.strong] + [m for m, _, _ in found.weak],
                   dimensions=[names[0] for names, _ in found.dims if len(names) == 1],
                   range=time.range)
    if found.sensitive:
        result.reason, result.problem = "personal data", "personal"
        return result, []
    if unknown:
        result.unknown = unknown
        result.reason, result.problem = f"words it does not know: {', '.join(unknown)}", "unknown_words"
        return result, found.choices
    try:
        query = assemble(toks, found, time)
    except Unsure as err:
        result.reason, result.problem = err.reason, err.problem
        return result, found.choices
    result.status = "ok"
    result.query = query
    result.needs = needs(query)
    return result, found.choices
