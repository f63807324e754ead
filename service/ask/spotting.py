"""Finding what a question names: spelling, catalog phrases, patterns, measures in any order, and cues.

Each step takes the tokens it understands (`Tokens.take`) and records what they mean in `Found`;
`assemble.py` then makes one query of it.
"""

from __future__ import annotations

from service.ask.lexicon import Lexicon, Sense
from service.ask.reading import Choice, Found, Tokens, is_weak
from service.ask.text import Token, stem
from service.ask.timewords import MONTHS, UNITS
from service.ask.words import (
    AGE_WORDS,
    ARTICLES,
    AT_LEAST,
    AT_MOST,
    AVERAGE,
    BOTTOM,
    BUSY,
    BY,
    COUNTING,
    FILLER,
    FIRST,
    GAINED,
    GROUP_CUES,
    HINTS,
    HOW,
    HOW_MANY,
    HOW_MUCH,
    LEAST,
    LESS,
    LISTING,
    MEDIAN,
    MONEY,
    MORE,
    MOST,
    NEGATION,
    NEVER,
    OLD,
    POPULAR,
    SHARE,
    SPEND,
    THAN,
    TIMES,
    TOP,
    UNIT_OF,
    VISIT,
    VISITED,
    WHICH,
    WHO,
    YEARS,
    word_stems,
)


def correct(tokens: list[Token], lexicon: Lexicon) -> tuple[list[Token], dict[str, str]]:
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


def phrases(toks: Tokens, found: Found, min_len: int) -> None:
    """Contiguous phrases of the lexicon, longest first (spanning only free tokens)."""
    lexicon = toks.lexicon
    for length in range(min(lexicon.max_phrase, len(toks)), min_len - 1, -1):
        for i in range(len(toks) - length + 1):
            span = range(i, i + length)
            if any(not toks.free(j) for j in span):
                continue
            senses = lexicon.senses(tuple(toks.norm[j] for j in span))
            if senses:
                record(toks, found, senses, list(span))


def record(toks: Tokens, found: Found, senses: tuple[Sense, ...], span: list[int]) -> None:
    start = span[0]
    if start in toks.forced:
        senses = (toks.forced[start],)
    kinds = {s.kind for s in senses}
    if "sensitive" in kinds and not (kinds & {"value"} and _value_hint(toks, span)):
        found.sensitive = True
        toks.take(*span)
        return
    if start > 0 and toks.norm[start - 1] in BY and any(s.kind in ("number", "dimension") for s in senses):
        senses = tuple(s for s in senses if s.kind != "measure")  # "patients by visit count": a grouping
    values = [s for s in senses if s.kind == "value"]
    measures = [s for s in senses if s.kind == "measure"]
    if values and (not measures or len(span) > 1):
        strong = [s for s in values if not s.weak] or ([s for s in values] if _value_hint(toks, span) else [])
        if len({s.target for s in strong}) > 1:  # "pending appointments": the status of the noun beside it
            beside = {toks.norm[j] for j in (span[0] - 1, span[-1] + 1) if 0 <= j < len(toks)}
            near = [s for s in strong if toks.lexicon.dimensions[s.target].entity in beside]
            strong = near or strong
        if strong and (len(strong) == 1 or len({s.target for s in strong}) == 1):
            for sense in strong[:1] if len(strong) == 1 else strong:
                found.values.append((sense.target, sense.value or "", start))
            toks.take(*span)
            return
        if strong:  # "card": credit_card or debit_card
            found.choices.append(Choice(start, tuple(strong)))
            toks.take(*span)
            return
        if not measures and not [s for s in senses if s.kind in ("dimension", "number")]:
            return  # an everyday word that is also a value, with nothing around saying it is one
    if measures:
        names = tuple(dict.fromkeys(s.target for s in measures))
        if len(span) == 1 and len(names) == 1 and is_weak(toks.lexicon, names[0]):
            found.weak.append((names[0], start, senses))
            toks.take(*span)
            return
        if len(names) == 1:
            found.strong.append((names[0], set(span)))
        else:
            found.choices.append(Choice(start, tuple(Sense("measure", n) for n in names)))
        toks.take(*span)
        if len(span) > 1:
            _dimension_words(toks, found, span)
        return
    numbers = tuple(dict.fromkeys(s.target for s in senses if s.kind == "number"))
    bands = {toks.lexicon.dimensions[n].band for n in numbers}  # "lifetime spend": the number, banded to group
    dims = tuple(dict.fromkeys(s.target for s in senses if s.kind == "dimension" and s.target not in bands))
    if dims:
        found.dims.append((dims, start))
        if all(toks.norm[j] in FILLER for j in span):
            found.connectors.add(start)
    elif len(numbers) > 1:
        found.choices.append(Choice(start, tuple(Sense("number", n) for n in numbers)))
    elif numbers:
        found.numbers.append((numbers, start))
    toks.take(*span)




def _value_hint(toks: Tokens, span: list[int]) -> bool:
    """A word next to an everyday-word value that says it is a value ("by check", "from phone")."""
    before, after = span[0] - 1, span[-1] + 1
    return any(0 <= j < len(toks) and toks.norm[j] in HINTS for j in (before, after))


def patterns(toks: Tokens, found: Found) -> None:
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


def _comparison(toks: Tokens, found: Found, i: int) -> None:
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


def _about_patients_only(toks: Tokens, i: int, at: int) -> bool:
    """"patients over 50": a bare number of years after patients (18 to 100)."""
    value = toks.tokens[at].number
    previous = toks.norm[i - 1] if i > 0 else ""
    return value is not None and 18 <= value <= 100 and previous == "patient" and toks.word(at + 1) == ""


def bags(toks: Tokens, found: Found) -> None:
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


def _dimension_words(toks: Tokens, found: Found, span: list[int], always: bool = False) -> None:
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


def _bag_positions(toks: Tokens, phrase: frozenset[str]) -> list[int] | None:
    positions = []
    for word in phrase:
        where = [j for j in range(len(toks)) if toks.free(j) and toks.norm[j] == word]
        if not where:
            return None
        positions.append(where[0])
    if max(positions) - min(positions) > len(phrase) + 4:
        return None
    return sorted(positions)


def singles(toks: Tokens, found: Found) -> None:
    phrases(toks, found, 1)


def cues(toks: Tokens, found: Found) -> None:
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
                any(w in MOST | LEAST for w in toks.norm))):  # "which month...", "our highest revenue month"
            found.rank_grain = UNITS[word]
            toks.take(i)
        elif word in WHICH or word in GROUP_CUES:
            found.cues.add("which" if word in WHICH else "by")
            if word in WHO:
                found.cues.add("who")
        if word in LISTING:
            found.cues.add("listing")
