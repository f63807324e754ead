"""What the parser has found in a question so far, and the lexicon lookups its steps share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from service.ask.lexicon import Lexicon, Sense
from service.ask.text import Token, stem

Query = dict[str, Any]

# features of the query language added by issue 18 (section 2 of the contract's additions)
NEEDS_AGGREGATE = "ad hoc aggregates"
NEEDS_CALCULATIONS = "calculations"
NEEDS_TOP = "top"
NEEDS_AHEAD = "ranges ahead of as_of"
AHEAD_RANGES = ("tomorrow", "next_7_days", "next_30_days", "next_90_days", "next_month")


@dataclass
class Found:
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
    choices: list[Choice] = field(default_factory=list)
    cues: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Choice:
    """Words with several meanings the parser cannot choose between: each is tried as an alternative."""

    at: int
    options: tuple[Sense, ...]


class Tokens:
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


Problem = Literal["unknown_words", "personal", "listing", "ambiguous", "forecast", "compare_period", "no_measure",
                  "average_of_what", "cannot_split", "per_record_number", "rank_what"]


class Unsure(Exception):
    """The question cannot be mapped with confidence: `problem` says why in a word, `reason` in detail."""

    def __init__(self, reason: str, problem: Problem) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem: Problem = problem


def is_weak(lexicon: Lexicon, measure: str) -> bool:
    """A count named by one noun ("patients", "visits"): the measure, or just whom the question is about."""
    info = lexicon.measures.get(measure)
    return info is not None and info.count_of is not None


def measure_named(lexicon: Lexicon, words: str) -> str | None:
    senses = lexicon.senses(tuple(lexicon.normal(stem(w)) for w in words.split()))
    names = [s.target for s in senses if s.kind == "measure"]
    return names[0] if len(names) == 1 else None
