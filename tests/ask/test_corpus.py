"""The parser against the corpus of owner and manager questions (tests/ask/corpus.yaml).

Reports the share mapped exactly and the share answered confidently but wrongly; asserts the second is 0
(precision before recall) and the first stays high. Every phrasing is parsed once, with the catalog and
the client's values (no database).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from service.ask.describe import describe
from service.ask.parser import NEEDS_AGGREGATE, NEEDS_AHEAD, NEEDS_CALCULATIONS, NEEDS_TOP, parse
from service.ask.suggest import suggestions
from tests.ask.support import client_lexicon, load_corpus

AS_OF, INTENTS = load_corpus()
PHRASINGS = [(intent["id"], intent["query"], text) for intent in INTENTS for text in intent["phrasings"]]
MIN_EXACT = 0.95
NEEDS = {"ad hoc aggregates": NEEDS_AGGREGATE, "calculations": NEEDS_CALCULATIONS, "top": NEEDS_TOP,
         "ranges ahead of as_of": NEEDS_AHEAD, "match": "match"}


def test_the_corpus_is_large_and_varied() -> None:
    answerable = [i for i in INTENTS if i["query"] is not None]
    assert len(PHRASINGS) >= 150
    assert len(answerable) >= 40
    assert all(len(i["phrasings"]) >= 3 for i in INTENTS)
    assert len({text.lower() for _, _, text in PHRASINGS}) == len(PHRASINGS), "a phrasing is listed twice"


def test_share_exact_and_share_confidently_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    lexicon = client_lexicon()
    outcome: Counter[str] = Counter()
    wrong: list[str] = []
    missed: list[str] = []
    for intent, expected, text in PHRASINGS:
        result = parse(text, lexicon, AS_OF)
        if result.status == "ok":
            if result.query == expected:
                outcome["exact"] += 1
            else:
                outcome["wrong"] += 1
                wrong.append(f"{intent}: {text!r} -> {json.dumps(result.query)}")
        elif expected is None:
            outcome["exact"] += 1  # declined, as it should
        else:
            outcome["declined"] += 1
            missed.append(f"{intent}: {text!r} ({result.reason})")
    total = len(PHRASINGS)
    with capsys.disabled():
        print(f"\nAsk corpus: {total} phrasings over {len(INTENTS)} intents: "
              f"{outcome['exact'] / total:.1%} mapped exactly, {outcome['wrong'] / total:.1%} confidently wrong, "
              f"{outcome['declined'] / total:.1%} declined though answerable")
    assert not wrong, "answered confidently but wrongly:\n" + "\n".join(wrong)
    assert outcome["exact"] / total >= MIN_EXACT, "declined:\n" + "\n".join(missed)


def test_intents_marked_for_the_query_language_additions_are_the_ones_that_use_them() -> None:
    lexicon = client_lexicon()
    for intent in INTENTS:
        if intent["query"] is None:
            continue
        result = parse(intent["phrasings"][0], lexicon, AS_OF)
        marked = {NEEDS[n] for n in intent.get("needs", [])}
        used = set(result.needs) | ({"match"} if any(f.get("match") for f in intent["query"].get("filters", []))
                                    else set())
        assert used == marked, intent["id"]


@pytest.mark.parametrize("intent", [i for i in INTENTS if i["query"] is not None], ids=lambda i: i["id"])
def test_the_interpretation_reads_back_as_the_same_query(intent: dict[str, Any]) -> None:
    """"Understood as: ..." is the query in words: asking it again gives the same query."""
    lexicon = client_lexicon()
    words = describe(intent["query"], lexicon, AS_OF)
    again = parse(words, lexicon, AS_OF)
    assert again.status == "ok" and again.query == intent["query"], words


@pytest.mark.parametrize("intent", [i for i in INTENTS if i["query"] is None], ids=lambda i: i["id"])
def test_a_declined_question_gets_up_to_three_suggestions_that_answer(intent: dict[str, Any]) -> None:
    lexicon = client_lexicon()
    for text in intent["phrasings"]:
        result = parse(text, lexicon, AS_OF)
        offered = suggestions(result, lexicon, AS_OF)
        assert 1 <= len(offered) <= 3, text
        queries = []
        for suggestion in offered:
            answered = parse(suggestion, lexicon, AS_OF)
            assert answered.status == "ok" and not answered.needs, suggestion
            queries.append(answered.query)
        assert len({json.dumps(q, sort_keys=True) for q in queries}) == len(queries)
