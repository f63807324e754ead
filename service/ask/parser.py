"""A question in plain words -> one contract query, or "I can't answer that yet" with suggestions.

Pure: it reads the lexicon (the catalog's words and the data's values, lexicon.py) and as_of, nothing
else. The steps, each taking the words it understands:
1. words, spelling corrected towards known words only (text.py);
2. phrases of two or more words from the catalog and the values ("new patients", "botox injection");
3. time (timewords.py): range, bucket, comparison;
4. patterns: "more than 3 visits", "not counting cancellations", "top 5";
5. measures named by their words in any order ("appointments were cancelled"), then single words;
6. cues: which/most/least, share of, average, how many/much, verbs that imply a measure.
Then the parts are assembled into a query the engine accepts (revenue split by service becomes
line_revenue, and so on). Precision first: a word left over that means nothing to the parser, two
readings it cannot choose between, or a personal member makes it decline rather than answer another
question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from service.ask.lexicon import Lexicon, Sense
from service.ask.text import Token, stem, tokenize
from service.ask.timewords import MONTHS, UNITS, TimeFind, find_time
from service.ask.words import (
    AND,
    AVERAGE,
    BUSY,
    FILLER,
    GAINED,
    GROUP_CUES,
    HOW_MANY,
    HOW_MUCH,
    LEAST,
    LISTING,
    MEDIAN,
    MONEY,
    MOST,
    NEGATION,
    POPULAR,
    SHARE,
    VISITED,
    WHICH,
    word_stems,
)

Query = dict[str, Any]
Status = Literal["ok", "unsure"]

# features of the query language added by issue 18 (section 2 of the contract's additions)
NEEDS_AGGREGATE = "ad hoc aggregates"
NEEDS_CALCULATIONS = "calculations"
NEEDS_TOP = "top"
NEEDS_AHEAD = "ranges ahead of as_of"
AHEAD_RANGES = ("tomorrow", "next_7_days", "next_30_days", "next_90_days", "next_month")


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


@dataclass
class _Found:
    """What the question says, gathered step by step."""

    strong: list[tuple[str, set[int]]] = field(default_factory=list)  # measures, with their tokens
    weak: list[tuple[str, int, tuple[Sense, ...]]] = field(default_factory=list)  # "patients": measure or noun
    dims: list[tuple[tuple[str, ...], int]] = field(default_factory=list)  # candidate dimensions, position
    numbers: list[tuple[tuple[str, ...], int]] = field(default_factory=list)  # number dimensions, position
    values: list[tuple[str, str, int]] = field(default_factory=list)  # dimension, value, position
    filters: list[dict[str, Any]] = field(default_factory=list)
    direction: str | None = None  # "desc" / "asc" from most/least
    top: int | None = None
    share: bool = False
    aggregate: str | None = None  # avg / median
    rank_grain: str | None = None  # "which month had the most revenue"
    connectors: set[int] = field(default_factory=set)  # dimensions named by everyday words ("come from")
    sensitive: bool = False
    ambiguous: list[str] = field(default_factory=list)
    choices: list[_Choice] = field(default_factory=list)
    cues: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Choice:
    """Words with several meanings the parser cannot choose between: each is tried as an alternative."""

    at: int
    options: tuple[Sense, ...]


class _Tokens:
    """The question's tokens and which of them have been understood."""

    def __init__(self, tokens: list[Token], lexicon: Lexicon, forced: dict[int, Sense] | None = None) -> None:
        self.tokens = tokens
        self.lexicon = lexicon
        self.forced = forced or {}
        self.taken: set[int] = set()
        self.norm = [lexicon.normal(t.stem) for t in tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and i not in self.taken

    def word(self, i: int) -> str:
        return self.norm[i] if self.free(i) else ""

    def take(self, *positions: int) -> None:
        self.taken.update(positions)

    def next_free(self, i: int, skip: frozenset[str] = frozenset()) -> int:
        """The first free position from i on whose word is not in `skip` (len when none)."""
        j = i
        while j < len(self.tokens) and (j in self.taken or self.norm[j] in skip):
            j += 1
        return j


# --- the steps -----------------------------------------------------------------------------------


def _correct(tokens: list[Token], lexicon: Lexicon) -> tuple[list[Token], dict[str, str]]:
    """Misspelt words corrected towards known ones; the start of a value's word completed ("insta")."""
    speller = lexicon.speller()
    corrections: dict[str, str] = {}
    out = []
    for token in tokens:
        text = token.text
        if token.number is None and text.isalpha() and text not in speller.words and text not in MONTHS:
            fixed = speller.correct(text) or _completion(lexicon, text)
            if fixed is not None and fixed != text and stem(fixed) != token.stem:  # not "providers" -> "provider"
                corrections[text] = fixed
                out.append(Token(fixed, stem(fixed), corrected_from=text))
                continue
        out.append(token)
    return out, corrections


def _completion(lexicon: Lexicon, text: str) -> str | None:
    """The one value word that `text` (4 letters or more, half the word at least) begins."""
    if len(text) < 4:
        return None
    found = {word for word in lexicon.value_words() if word.startswith(text) and 2 * len(text) >= len(word)}
    return found.pop() if len(found) == 1 else None


def _phrases(toks: _Tokens, found: _Found, min_len: int) -> None:
    """Contiguous phrases of the lexicon, longest first (spanning only free tokens)."""
    lexicon = toks.lexicon
    for length in range(min(lexicon.max_phrase, len(toks)), min_len - 1, -1):
        for i in range(len(toks) - length + 1):
            span = range(i, i + length)
            if any(not toks.free(j) for j in span):
                continue
            senses = lexicon.senses(tuple(toks.norm[j] for j in span))
            if senses:
                _record(toks, found, senses, list(span))


def _record(toks: _Tokens, found: _Found, senses: tuple[Sense, ...], span: list[int]) -> None:
    start = span[0]
    if start in toks.forced:
        senses = (toks.forced[start],)
    kinds = {s.kind for s in senses}
    if "sensitive" in kinds and not (kinds & {"value"} and _value_hint(toks, span)):
        found.sensitive = True
        toks.take(*span)
        return
    values = [s for s in senses if s.kind == "value"]
    measures = [s for s in senses if s.kind == "measure"]
    if values and (not measures or len(span) > 1):
        strong = [s for s in values if not s.weak] or ([s for s in values] if _value_hint(toks, span) else [])
        if strong and (len(strong) == 1 or len({s.target for s in strong}) == 1):
            for sense in strong[:1] if len(strong) == 1 else strong:
                found.values.append((sense.target, sense.value or "", start))
            toks.take(*span)
            return
        if strong:  # "card": credit_card or debit_card
            found.choices.append(_Choice(start, tuple(strong)))
            toks.take(*span)
            return
        if not measures and not [s for s in senses if s.kind in ("dimension", "number")]:
            return  # an everyday word that is also a value, with nothing around saying it is one
    if measures:
        names = tuple(dict.fromkeys(s.target for s in measures))
        if len(span) == 1 and len(names) == 1 and _is_weak(toks.lexicon, names[0]):
            found.weak.append((names[0], start, senses))
            toks.take(*span)
            return
        if len(names) == 1:
            found.strong.append((names[0], set(span)))
        else:
            found.choices.append(_Choice(start, tuple(Sense("measure", n) for n in names)))
        toks.take(*span)
        if len(span) > 1:
            _dimension_words(toks, found, span)
        return
    dims = tuple(dict.fromkeys(s.target for s in senses if s.kind == "dimension"))
    numbers = tuple(dict.fromkeys(s.target for s in senses if s.kind == "number"))
    if dims:
        found.dims.append((dims, start))
        if all(toks.norm[j] in FILLER for j in span):
            found.connectors.add(start)
    elif len(numbers) > 1:
        found.choices.append(_Choice(start, tuple(Sense("number", n) for n in numbers)))
    elif numbers:
        found.numbers.append((numbers, start))
    toks.take(*span)


HINTS = word_stems("from", "by", "via", "through", "with", "using", "on", "paid", "pay", "gender", "method", "status",
              "source", "channel")


def _value_hint(toks: _Tokens, span: list[int]) -> bool:
    """A word next to an everyday-word value that says it is a value ("by check", "from phone")."""
    before, after = span[0] - 1, span[-1] + 1
    return any(0 <= j < len(toks) and toks.norm[j] in HINTS for j in (before, after))


def _is_weak(lexicon: Lexicon, measure: str) -> bool:
    """A count named by one noun ("patients", "visits"): the measure, or just whom the question is about."""
    info = lexicon.measures.get(measure)
    return info is not None and info.count_of is not None


# --- patterns ------------------------------------------------------------------------------------

MORE = dict.fromkeys(word_stems("more", "over", "above", "greater", "exceeding", "older"), "gt")
LESS = dict.fromkeys(word_stems("less", "fewer", "under", "below", "younger"), "lt")
AT_LEAST = word_stems("least")
AT_MOST = word_stems("most")
THAN = word_stems("than")
TIMES = word_stems("time", "times")
YEARS = word_stems("year", "years", "old")
AGE_WORDS = word_stems("age", "aged", "old", "older", "younger")
NEVER = word_stems("never", "no", "zero", "without", "not")
VISIT = word_stems("visit")
SPEND = word_stems("spend", "spent", "spending")
TOP = word_stems("top")
FIRST = word_stems("first")
ARTICLES = word_stems("a", "an", "any", "the", "single")
INDEFINITE = word_stems("a", "an", "one", "single")
PER = word_stems("per")
UNIT_OF = {stem("hour"): "hours", stem("hours"): "hours", stem("day"): "days", stem("days"): "days"}
BOTTOM = word_stems("bottom")
COUNTING = word_stems("counting", "including", "any", "the", "all", "include", "count")
WHO = word_stems("who", "whom")
HOW = word_stems("how")
OLD = word_stems("old")
WHERE = word_stems("where")


def _patterns(toks: _Tokens, found: _Found) -> None:
    lexicon = toks.lexicon
    n = len(toks)
    for i in range(n):
        if not toks.free(i):
            continue
        _comparison(toks, found, i)
        # "how many hours": the measure counted in hours (booked hours), not the hour of the day
        if toks.word(i) in HOW_MANY and toks.word(i - 1) in HOW and toks.word(i + 1) in UNIT_OF:
            unit = UNIT_OF[toks.word(i + 1)]
            named = [name for name, info in lexicon.measures.items() if info.unit == unit]
            if len(named) == 1:
                found.strong.append((named[0], {i + 1}))
                toks.take(i + 1)
    for i in range(n):
        if not toks.free(i):
            continue
        word = toks.word(i)
        # "never visited", "no visits", "never had a visit"
        if word in NEVER and toks.word(i + 1) in _entity_words(lexicon):
            # "never booked (an appointment)", "no appointments": no related row at all (issue 18's `match: none`)
            noun = toks.word(i + 1)
            entity = _entity_words(lexicon)[noun]
            found.filters.append({"field": f"{entity}.id", "op": "is_not_null", "match": "none"})
            end = i + 1
            after = toks.next_free(end + 1, ARTICLES)
            if after < n and toks.word(after) == noun:
                end = after
            toks.take(*range(i, end + 1))
            continue
        if word in NEVER | NEGATION:
            j = toks.next_free(i + 1, word_stems("had", "have", "a", "any", "been", "made", "booked"))
            if j < n and toks.word(j) in VISIT:
                dim = _number_dim(lexicon, "visit", "patient")
                if dim is not None:
                    found.filters.append({"field": dim, "op": "equals", "value": 0})
                    toks.take(*range(i, j + 1))
                    continue
            # "not counting cancellations", "excluding cancelled appointments"
            j = toks.next_free(i + 1, COUNTING)
            if j < n:
                values = [s for s in lexicon.senses((toks.word(j),)) if s.kind == "value"]
                if len(values) == 1:
                    field_, value = values[0].target, values[0].value
                    found.filters.append({"field": field_, "op": "not_equals", "value": value})
                    end = j
                    if end + 1 < n and toks.word(end + 1) in _entity_nouns(lexicon, field_):
                        end += 1
                    toks.take(*range(i, end + 1))
                    continue
        # "highest first", "lowest first": the order asked for
        if word in MOST | LEAST and toks.word(i + 1) in FIRST:
            found.direction = "asc" if word in LEAST else "desc"
            toks.take(i, i + 1)
            continue
        # top 5, bottom 3, the 3 most ..., five biggest
        if word in TOP | BOTTOM:
            j = i + 1
            number = toks.tokens[j].number if toks.free(j) else None
            if number is not None and number == int(number) and 0 < number <= 100:
                found.top = int(number)
                toks.take(i, j)
            else:
                toks.take(i)
            found.direction = "asc" if word in BOTTOM else "desc"
            continue
        token = toks.tokens[i]
        if token.number is not None and not token.money and token.number == int(token.number) \
                and 0 < token.number <= 100 and toks.word(i + 1) in MOST | LEAST:
            found.top = int(token.number)
            found.direction = "asc" if toks.word(i + 1) in LEAST else "desc"
            toks.take(i, i + 1)
            continue


def _entity_words(lexicon: Lexicon) -> dict[str, str]:
    """Nouns naming the rows of an entity other than patients ("appointment", and "book" read as it)."""
    out: dict[str, str] = {}
    for name, info in lexicon.measures.items():
        if info.count_of is not None and info.count_of[1] is None and info.entity not in (None, "patient"):
            for phrase, senses in lexicon.phrases.items():
                if len(phrase) == 1 and any(s.kind == "measure" and s.target == name for s in senses):
                    out[phrase[0]] = info.entity or ""
    return out


def _entity_nouns(lexicon: Lexicon, dimension: str) -> set[str]:
    """The nouns of a dimension's entity ("appointment" for appointment.status)."""
    info = lexicon.dimensions.get(dimension)
    return {stem(info.entity)} if info else set()


def _number_dim(lexicon: Lexicon, phrase: str, entity: str) -> str | None:
    """The number dimension of `entity` named by `phrase` ("visit" -> patient.visit_count)."""
    for sense in lexicon.senses(tuple(stem(w) for w in phrase.split())):
        info = lexicon.dimensions.get(sense.target)
        if sense.kind == "number" and info is not None and info.entity == entity:
            return sense.target
    return None


def _comparison(toks: _Tokens, found: _Found, i: int) -> None:
    """"more than 3 visits", "visited over 3 times", "older than 50", "spent over $1,000", "aged over 50"."""
    lexicon = toks.lexicon
    word = toks.word(i)
    op: str | None = None
    width = 0
    if word in MORE or word in LESS:
        op = MORE.get(word) or LESS.get(word)
        width = 2 if toks.word(i + 1) in THAN else 1
    elif word in word_stems("at") and toks.word(i + 1) in AT_LEAST | AT_MOST:
        op = "gte" if toks.word(i + 1) in AT_LEAST else "lte"
        width = 2
    if op is None:
        return
    if toks.word(i + width) in word_stems("the") and toks.word(i + width + 1) in word_stems("age") \
            and toks.word(i + width + 2) in word_stems("of"):
        width += 3  # "over the age of 50"
    at = i + width
    if not toks.free(at) or toks.tokens[at].number is None:
        return
    token = toks.tokens[at]
    value = token.number
    assert value is not None
    span = list(range(i, at + 1))
    after = toks.word(at + 1)
    before = [toks.word(j) for j in range(max(0, i - 3), i)]
    dim: str | None = None
    number: float | int = int(value) if value == int(value) else value
    if after in TIMES or after in VISIT or any(b in VISIT for b in before[-2:]):
        dim = _number_dim(lexicon, "visit", "patient")
        if after in TIMES or after in VISIT:
            span.append(at + 1)
        span += [j for j in range(max(0, i - 2), i) if toks.word(j) in VISIT]
    elif any(b in SPEND for b in before):  # "spent over $1,000"; "revenue over $1,000" is no patient's spend
        dim = _number_dim(lexicon, "lifetime spend", "patient")
        number = round(value * 100)
        span += [j for j in range(max(0, i - 2), i) if toks.word(j) in SPEND]
    elif word in word_stems("older", "younger") or any(b in AGE_WORDS for b in before) or width >= 4 \
            or after in YEARS or _about_patients_only(toks, i, at):
        dim = _number_dim(lexicon, "age", "patient")
        span += [j for j in range(max(0, i - 2), i) if toks.word(j) in AGE_WORDS]
        if after in YEARS:
            span.append(at + 1)
            if toks.word(at + 2) in OLD:
                span.append(at + 2)
    if dim is None:
        return
    found.filters.append({"field": dim, "op": op, "value": number})
    toks.take(*span)


def _about_patients_only(toks: _Tokens, i: int, at: int) -> bool:
    """"patients over 50": a bare number of years after patients (18 to 100)."""
    value = toks.tokens[at].number
    previous = toks.norm[i - 1] if i > 0 else ""
    return value is not None and 18 <= value <= 100 and previous == "patient" and toks.word(at + 1) == ""


def _bags(toks: _Tokens, found: _Found) -> None:
    """Measures named by their words in any order, close together ("appointments were cancelled")."""
    lexicon = toks.lexicon
    while True:
        best: tuple[int, int, str, list[int]] | None = None
        for phrase, senses in lexicon.bags():
            names = {s.target for s in senses}
            if len(names) != 1:
                continue
            positions = _bag_positions(toks, phrase)
            if positions is None:
                continue
            score = (len(positions), -(max(positions) - min(positions)))
            if best is None or score > (best[0], best[1]):
                best = (score[0], score[1], next(iter(names)), positions)
        if best is None or best[0] < 2:
            return
        _, _, name, positions = best
        found.strong.append((name, set(positions)))
        toks.take(*positions)
        # words apart ("revenue by source and service"): a category word among them is a grouping
        _dimension_words(toks, found, positions, always=max(positions) - min(positions) >= len(positions))


def _dimension_words(toks: _Tokens, found: _Found, span: list[int], always: bool = False) -> None:
    """"services booked", "each service booked": the measure's category word, plural or after a grouping
    cue, still says what to group by ("service line count" does not)."""
    lexicon = toks.lexicon
    for j in span:
        plural = toks.tokens[j].text.endswith("s") and toks.tokens[j].stem != toks.tokens[j].text
        if not always and not plural and not (j > 0 and toks.norm[j - 1] in GROUP_CUES | WHICH):
            continue
        dims = tuple(s.target for s in lexicon.senses((toks.norm[j],))
                     if s.kind == "dimension" and lexicon.dimensions[s.target].role == "category")
        if dims:
            found.dims.append((dims, j))


def _bag_positions(toks: _Tokens, phrase: frozenset[str]) -> list[int] | None:
    positions = []
    for word in phrase:
        where = [j for j in range(len(toks)) if toks.free(j) and toks.norm[j] == word]
        if not where:
            return None
        positions.append(where[0])
    if max(positions) - min(positions) > len(phrase) + 4:
        return None
    return sorted(positions)


def _singles(toks: _Tokens, found: _Found) -> None:
    _phrases(toks, found, 1)


def _cues(toks: _Tokens, found: _Found) -> None:
    """Words that shape the query without naming a member: most/least, share, average, how many/much."""
    for i in range(len(toks)):
        word = toks.word(i)
        if not word:
            continue
        if word in MOST and found.direction is None:
            found.direction = "desc"
            found.cues.add("most")
            if word in BUSY:
                found.cues.add("busy")
            if word in POPULAR:
                found.cues.add("popular")
            toks.take(i)
        elif word in LEAST and found.direction is None:
            found.direction = "asc"
            toks.take(i)
        elif word in SHARE:
            found.share = True
            toks.take(i)
        elif word in AVERAGE | MEDIAN:
            found.aggregate = "median" if word in MEDIAN else "avg"
            toks.take(i)
        elif word in HOW and toks.word(i + 1) in OLD:
            age = _number_dim(toks.lexicon, "age", "patient")
            if age is not None:
                found.numbers.append(((age,), i))
                toks.take(i, i + 1)
        elif word in BUSY:
            found.cues.add("busy")
            found.direction = found.direction or "desc"
            toks.take(i)
        elif word in MONEY:
            found.cues.add("money")
            toks.take(i)
        elif word in POPULAR:
            found.cues.add("popular")
            toks.take(i)
        elif word in VISITED:
            found.cues.add("visited")
            toks.take(i)
        elif word in GAINED:
            found.cues.add("gained")
            toks.take(i)
        elif word in HOW_MANY and toks.word(i - 1) in HOW:
            found.cues.add("how_many")
            if toks.word(i + 1) in TIMES:
                toks.take(i + 1)
        elif word in HOW_MUCH and toks.word(i - 1) in HOW:
            found.cues.add("how_much")
        elif word in UNITS and i > 0 and (toks.norm[i - 1] in WHICH | MOST | LEAST or (
                toks.norm[i - 1] in ARTICLES and any(w in MOST | LEAST for w in toks.norm))):
            found.rank_grain = UNITS[word]
            toks.take(i)
        elif word in WHICH or word in GROUP_CUES:
            found.cues.add("which" if word in WHICH else "by")
            if word in WHO:
                found.cues.add("who")
        if word in LISTING:
            found.cues.add("listing")


# --- assembling the query -------------------------------------------------------------------------


Problem = Literal["unknown_words", "personal", "listing", "ambiguous", "forecast", "compare_period", "no_measure",
                  "average_of_what", "cannot_split", "per_record_number", "rank_what"]


class Unsure(Exception):
    """The question cannot be mapped with confidence: `problem` says why in a word, `reason` in detail."""

    def __init__(self, reason: str, problem: Problem) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem: Problem = problem


def _choose_measures(toks: _Tokens, found: _Found) -> list[str]:
    """The measures named; a weak noun ("patients") is the measure only when nothing else is."""
    lexicon = toks.lexicon
    strong = [name for name, _ in sorted(found.strong, key=lambda m: min(m[1]))]
    weak = [name for name, _, _ in found.weak]
    # a weak noun joined to a strong measure by "and" is a measure of its own ("revenue and visits")
    for name, at, _ in found.weak:
        near = [toks.norm[j] for j in (at - 1, at + 1) if 0 <= j < len(toks)]
        if strong and any(w in AND - word_stems("with") for w in near) and name not in strong:
            strong.append(name)
    # "revenue per visit": a ratio the catalog does not have, not revenue about visits
    if strong and any(at > 0 and toks.norm[at - 1] in PER for _, at, _ in found.weak):
        raise Unsure("a ratio per a count the catalog does not have", "no_measure")
    # the other readings of weak nouns: "cancelled" next to a strong measure is a status
    if strong:
        for name, at, senses in found.weak:
            values = [s for s in senses if s.kind == "value" and not s.weak]
            if name not in strong and values:
                found.values.append((values[0].target, values[0].value or "", at))
        return list(dict.fromkeys(strong))
    if not weak:
        return []
    kinds = list(dict.fromkeys(weak))
    if "listing" in found.cues and "how_many" not in found.cues:
        raise Unsure("a list of records: Ask answers with figures", "listing")
    if ("money" in found.cues and "how_many" not in found.cues) or found.aggregate:
        return []  # "how much do patients spend": money, about patients (_infer_measure)
    patient = _measure_named(lexicon, "patient")
    if patient in kinds and "visited" in found.cues:
        active = _measure_named(lexicon, "active patient")
        if active:
            return [active]
    if patient in kinds and "gained" in found.cues:
        new = _measure_named(lexicon, "new patient")
        if new:
            return [new]
    if len(kinds) == 1:
        return kinds
    raise Unsure(f"more than one measure: {', '.join(kinds)}", "ambiguous")


def _measure_named(lexicon: Lexicon, words: str) -> str | None:
    senses = lexicon.senses(tuple(lexicon.normal(stem(w)) for w in words.split()))
    names = [s.target for s in senses if s.kind == "measure"]
    return names[0] if len(names) == 1 else None


def _infer_measure(toks: _Tokens, found: _Found) -> list[str]:
    """No measure named: one implied by the question's verbs ("how much did Botox bring in", "busiest"), or
    an average of money per patient or per visit ("how much do patients spend on average")."""
    lexicon = toks.lexicon
    nouns = {name for name, _, _ in found.weak}
    if "money" in found.cues or ("how_much" in found.cues and not found.numbers):
        if found.aggregate:
            per = {_measure_named(lexicon, "patient"): "revenue per patient",
                   _measure_named(lexicon, "visits"): "average ticket",
                   _measure_named(lexicon, "payments"): "average ticket"}
            wanted = {per[n] for n in nouns if n in per}
            if len(wanted) != 1:
                raise Unsure("an average of money per what", "average_of_what")
            found.aggregate = None
            name = _measure_named(lexicon, wanted.pop())
        else:
            name = _measure_named(lexicon, "revenue")
        return [name] if name else []
    if found.aggregate:
        raise Unsure("an average of what", "average_of_what")
    if "busy" in found.cues:
        name = _measure_named(lexicon, "visits")
        return [name] if name else []
    if "popular" in found.cues:
        name = _measure_named(lexicon, "appointments")
        return [name] if name else []
    return []


def _dimension(toks: _Tokens, found: _Found, measure_entity: str | None) -> list[str]:
    """The dimensions to group by; an ambiguous word is settled by the measure's entity."""
    lexicon = toks.lexicon
    out: list[str] = []
    for names, at in sorted(found.dims, key=lambda d: d[1]):
        choice = list(names)
        if at in toks.forced:
            choice = [toks.forced[at].target]
        if len(choice) > 1:
            same = [n for n in choice if lexicon.dimensions[n].entity == measure_entity]
            if len(same) != 1:
                found.choices.append(_Choice(at, tuple(Sense("dimension", n) for n in choice)))
                raise Unsure(f"ambiguous dimension: {', '.join(choice)}", "ambiguous")
            choice = same
        if choice[0] not in out:
            out.append(choice[0])
    return out


def _time_spec(time: TimeFind) -> dict[str, Any] | None:
    spec: dict[str, Any] = {}
    if time.grain:
        spec["grain"] = time.grain
    if time.range is not None:
        spec["range"] = time.range
    if time.compare:
        spec["compare"] = time.compare
    return spec or None


def _needs(query: Query) -> tuple[str, ...]:
    needs = []
    if any("(" in m for m in query.get("measures", [])):
        needs.append(NEEDS_AGGREGATE)
    if query.get("calculations"):
        needs.append(NEEDS_CALCULATIONS)
    if query.get("top"):
        needs.append(NEEDS_TOP)
    time = query.get("time") or {}
    if isinstance(time.get("range"), str) and time["range"] in AHEAD_RANGES:
        needs.append(NEEDS_AHEAD)
    return tuple(needs)


def _adjust(lexicon: Lexicon, measures: list[str], group: list[str], filters: list[dict[str, Any]],
            bookings: bool = False) -> list[str]:
    """Measures the engine can split and filter as asked: revenue by service is line_revenue, visits by
    provider a distinct count of visits, bookings by service the service lines booked."""
    out = []
    for name in measures:
        info = lexicon.measures.get(name)
        if info is None:  # an ad hoc aggregate
            out.append(name)
            continue
        fields = [f["field"] for f in filters]
        bad_group = [d for d in group if d not in info.groupable]
        bad_filter = [f for f in fields if f in info.unfilterable]
        if not bad_group and not bad_filter:
            out.append(name)
            continue
        if info.split is not None:
            split = lexicon.measures[info.split]
            if all(d in split.groupable for d in group) and not [f for f in fields if f in split.unfilterable]:
                out.append(split.name)
                continue
        replaced = False
        for finer_name in info.finer if bookings else ():  # "services booked": the lines booked
            finer = lexicon.measures[finer_name]
            entities = {lexicon.dimensions[d].entity for d in bad_group if d in lexicon.dimensions}
            if not bad_filter and all(d in finer.groupable for d in group) and finer.entity and \
                    all((finer.entity, e) in lexicon.joins for e in entities):
                out.append(finer_name)
                replaced = True
                break
        if replaced:
            continue
        if info.count_of is not None and not bad_filter:  # each counted row once per group (issue 18)
            entity, flag = info.count_of
            out.append(f"count_distinct({entity}.id)")
            if flag is not None:
                filters.append({"field": flag, "op": "equals", "value": True})
            continue
        raise Unsure(f"{name} cannot be split by {', '.join(bad_group + bad_filter)}", "cannot_split")
    return out


def _assemble(toks: _Tokens, found: _Found, time: TimeFind) -> Query:
    lexicon = toks.lexicon
    if found.sensitive:
        raise Unsure("personal data", "personal")
    if time.conflict:
        raise Unsure("two different time ranges", "ambiguous")
    if time.unresolved_compare:
        raise Unsure("a comparison without a period to compare", "compare_period")
    if found.choices:
        raise Unsure("words with more than one meaning", "ambiguous")
    measures = _choose_measures(toks, found)
    # number dimensions: averaged ("average age"), else grouped by their bands ("by age")
    aggregated: list[str] = []
    for names, _ in found.numbers:
        if len(names) != 1:
            raise Unsure(f"ambiguous number: {', '.join(names)}", "ambiguous")
        name = names[0]
        if found.aggregate:
            aggregated.append(f"{found.aggregate}({name})")
        elif lexicon.dimensions[name].band:
            found.dims.append(((lexicon.dimensions[name].band or name,), 0))
        else:
            raise Unsure(f"{name} is a number per record: ask for its average, or filter on it", "per_record_number")
    if aggregated:
        measures = [*aggregated, *[m for m in measures if not _is_weak(lexicon, m)]]
        found.aggregate = None
    if not measures:
        measures = _infer_measure(toks, found)
    if not measures:
        raise Unsure("no measure", "no_measure")
    if found.aggregate and any(lexicon.measures[m].entity is not None for m in measures if m in lexicon.measures):
        raise Unsure("an average of what", "average_of_what")  # "average revenue": per month, per patient, per visit?
    if len(measures) > 1 and not _joined(toks, found):
        raise Unsure(f"more than one measure: {', '.join(measures)}", "ambiguous")
    first = lexicon.measures.get(measures[0])
    _drop_population_nouns(lexicon, toks, found, measures)
    # "revenue comes from botox", "comes from each gender": "comes from" only joins the measure to what follows
    after = [(dim, v_at) for dim, _, v_at in found.values] + [(n, d_at) for names, d_at in found.dims for n in names]
    found.dims = [(names, at) for names, at in found.dims if not (
        at in found.connectors and any(0 < later - at <= 3 and dim not in names for dim, later in after))]
    group = _dimension(toks, found, first.entity if first else None)
    filters = list(found.filters)
    # values: one -> equals; several of one dimension -> in, and grouped by it (all of them: just grouped)
    by_dim: dict[str, list[str]] = {}
    for dim, value, _ in found.values:
        by_dim.setdefault(dim, [])
        if value not in by_dim[dim]:
            by_dim[dim].append(value)
    if found.share and not group and len(by_dim) == 1 and len(next(iter(by_dim.values()))) == 1:
        # "what share of revenue comes from botox": botox's row among every service's
        group.append(next(iter(by_dim)))
        by_dim = {}
    _check_versus(toks, found)
    for item in found.filters:  # "not counting cancellations" filters, it does not group
        if item["field"] in group and item["op"] in ("equals", "not_equals"):
            group.remove(item["field"])
    for dim, values in by_dim.items():
        if len(values) == 1:
            filters.append({"field": dim, "op": "equals", "value": values[0]})
            if dim in group:
                group.remove(dim)
            continue
        known = lexicon.values.get(dim, ())
        if not (known and set(values) >= set(known)):
            filters.append({"field": dim, "op": "in", "values": sorted(values)})
        if dim not in group:
            group.append(dim)
    if found.rank_grain and time.grain in (None, found.rank_grain) and not group:
        time.grain = found.rank_grain
        found.direction = found.direction or "desc"
    elif found.rank_grain:
        raise Unsure("which period, by what", "no_measure")
    if (found.direction or found.top) and not group and not time.grain:
        raise Unsure("most or least of what: no dimension to rank", "rank_what")
    measures = _adjust(lexicon, measures, group, filters, bookings="popular" in found.cues or any(
        toks.tokens[at].text.startswith("book") for _, at, _ in found.weak) or any(
        toks.tokens[j].text.startswith("book") for _, span in found.strong for j in span))
    query: Query = {"measures": measures}
    if group:
        query["dimensions"] = group
    if time.upcoming:
        upcoming = _measure_named(lexicon, "upcoming appointments")
        appointments = _measure_named(lexicon, "appointments")
        if upcoming and measures in ([appointments], [upcoming]):
            query["measures"] = measures = [upcoming]
        else:
            raise Unsure("upcoming, of what", "no_measure")
    if time.ahead:
        measures = query["measures"] = _ahead(lexicon, measures, group, filters)
    elif time.guessed_year and _looks_ahead(lexicon, measures):
        raise Unsure("a month that may be last year's or the coming one", "ambiguous")
    if time.growth and not time.grain and not time.compare and not (
            isinstance(time.range, list) and _months(time.range) <= 1):
        time.grain = "month"  # "is revenue growing", "did revenue grow from September to October"
    spec = _time_spec(time)
    booked = _booked_time(toks, time, measures)
    if booked and spec and "range" in spec:
        spec = {"dimension": booked, **spec}  # "appointments booked last week": when they were booked
    if spec:
        query["time"] = spec
    if filters:
        query["filters"] = filters
    share_measure = measures[0]
    info = lexicon.measures.get(share_measure)
    if found.share and not (info is not None and info.ratio):
        if not group:
            raise Unsure("share of what: no dimension", "rank_what")
        calc: dict[str, Any] = {"name": "share", "op": "share_of_total", "of": share_measure}
        if time.grain:
            calc["within"] = ["time"]
        query["calculations"] = [calc]
    _order(lexicon, query, found, group, time)
    return query


def _looks_ahead(lexicon: Lexicon, measures: list[str]) -> bool:
    """Measures that count bookings, which lie ahead of as_of as well as behind it."""
    try:
        _ahead(lexicon, measures, [], [])
    except Unsure:
        return False
    return True


def _ahead(lexicon: Lexicon, measures: list[str], group: list[str], filters: list[dict[str, Any]]) -> list[str]:
    """Measures for a range after as_of: bookings only (appointments there are upcoming ones); money and
    visits lie in the past, so "how much will we make next month" is a forecast the parser declines."""
    appointments = _measure_named(lexicon, "appointments")
    upcoming = _measure_named(lexicon, "upcoming appointments")
    entity = lexicon.measures[appointments].entity if appointments in lexicon.measures else None
    own = [f for f in [*group, *(f["field"] for f in filters)]
           if f in lexicon.dimensions and lexicon.dimensions[f].entity == entity]
    out = []
    for name in measures:
        info = lexicon.measures.get(name)
        if name == appointments and upcoming and not own:
            out.append(upcoming)
        elif info is not None and info.unit in ("count", "hours") and info.entity is not None \
                and (info.count_of is None or info.count_of[1] is None or name == upcoming):
            out.append(name)
        else:
            raise Unsure(f"{name} after as_of: a forecast", "forecast")
    return out


VERSUS = word_stems("vs", "versus")
TARGET = word_stems("for", "on", "at", "in")  # "booked for next week": the appointments' own dates


def _booked_time(toks: _Tokens, time: TimeFind, measures: list[str]) -> str | None:
    """The time dimension meaning "when booked" when a range follows the verb directly ("booked last week"),
    among the measure's entity's times whose label says so (appointment.created_at, "Booked at")."""
    lexicon = toks.lexicon
    entities = {lexicon.measures[m].entity for m in measures if m in lexicon.measures}
    if time.ahead or len(entities) != 1:
        return None
    for j, token in enumerate(toks.tokens[:-1]):
        if token.text == "booked" and j + 1 in time.used and toks.tokens[j + 1].stem not in TARGET:
            named = [name for name, (entity, words) in lexicon.times.items()
                     if entity in entities and stem("book") in words]
            return named[0] if len(named) == 1 else None
    return None


def _check_versus(toks: _Tokens, found: _Found) -> None:
    """"google vs instagram" compares two values of one dimension; "paid vs unpaid visits" compares a value
    with a measure, which one query cannot answer."""
    at_value = {at: dim for dim, _, at in found.values}
    for i, word in enumerate(toks.norm):
        if word not in VERSUS:
            continue
        before = [j for j in range(i) if toks.norm[j] not in FILLER][-1:]
        after = [j for j in range(i + 1, len(toks)) if toks.norm[j] not in FILLER][:1]
        sides = [at_value.get(j) for j in before + after]
        if any(side is not None for side in sides) and (len(sides) < 2 or sides[0] != sides[1]):
            raise Unsure("a value compared with something else", "ambiguous")


def _drop_population_nouns(lexicon: Lexicon, toks: _Tokens, found: _Found, measures: list[str]) -> None:
    """"the average price of a service": "a service" is what is averaged over, not a grouping."""
    entities = {lexicon.measures[m].entity for m in measures if m in lexicon.measures}
    entities |= {lexicon.dimensions[m[m.index("(") + 1:-1]].entity for m in measures
                 if "(" in m and m[m.index("(") + 1:-1] in lexicon.dimensions}
    kept = []
    for names, at in found.dims:
        if at > 0 and toks.norm[at - 1] in INDEFINITE:
            if any(lexicon.dimensions[n].entity in entities for n in names):
                continue
            raise Unsure("a single one of a dimension", "rank_what")
        kept.append((names, at))
    found.dims = kept


def _months(span: list[str]) -> int:
    start, end = (dt.date.fromisoformat(d) for d in span)
    return (end.year - start.year) * 12 + end.month - start.month


def _joined(toks: _Tokens, found: _Found) -> bool:
    """Several measures are meant only when the question joins them ("revenue and visits")."""
    return any(toks.norm[j] in AND for j in range(len(toks)))


def _order(lexicon: Lexicon, query: Query, found: _Found, group: list[str], time: TimeFind) -> None:
    measure = query["measures"][0]
    categories = [d for d in group if lexicon.dimensions.get(d) and lexicon.dimensions[d].role == "category"]
    if time.grain:
        if found.top and group:
            query["top"] = {"n": found.top, "by": measure, "within": ["time"]}
        elif found.direction and not group:  # "which month had the most revenue"
            query["order"] = [{"field": measure, "dir": found.direction}]
            if found.top:
                query["limit"] = found.top
        return
    if not group:
        return
    direction = found.direction or "desc"
    if categories or found.direction or found.top:
        query["order"] = [{"field": measure, "dir": direction}]
    else:
        query["order"] = [{"field": group[0], "dir": "asc"}]
    if found.top:
        query["limit"] = found.top


# --- the entry point -----------------------------------------------------------------------------

MAX_ALTERNATIVES = 4


def parse(question: str, lexicon: Lexicon, as_of: dt.date) -> Parse:
    """Map `question` to one contract query, or say it cannot (never raises on any text). Words with
    several meanings are each tried: the readings that make sense come back as ranked alternatives."""
    raw = tokenize(question[:500])
    tokens, corrections = _correct(raw, lexicon)
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
           forced: dict[int, Sense]) -> tuple[Parse, list[_Choice]]:
    toks = _Tokens(tokens, lexicon, forced)
    found = _Found()
    _patterns(toks, found)
    _phrases(toks, found, 2)
    time = find_time(tokens, toks.taken, as_of)
    _bags(toks, found)
    _singles(toks, found)
    _cues(toks, found)
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
        query = _assemble(toks, found, time)
    except Unsure as err:
        result.reason, result.problem = err.reason, err.problem
        return result, found.choices
    result.status = "ok"
    result.query = query
    result.needs = _needs(query)
    return result, found.choices
