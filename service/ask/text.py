"""Words of a question: normalised tokens, a light stemmer, numbers, and spelling correction.

Both the catalog's phrases and the question go through `stem`, so "Bookings", "booked" and "booking"
meet as `book`. Spelling is corrected only towards words the parser knows (the catalog's and the data's
words and its own grammar), by edit distance with a unique best candidate, never by guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_IRREGULAR = {
    "cancellation": "cancel", "cancellations": "cancel", "cancelled": "cancel", "canceled": "cancel",
    "cancelling": "cancel", "canceling": "cancel", "cancels": "cancel",
    "paid": "pay", "pays": "pay", "paying": "pay", "payment": "payment", "payments": "payment",
    "came": "come", "comes": "come", "coming": "come", "brought": "bring", "made": "make", "makes": "make",
    "making": "make", "spent": "spend", "sold": "sell", "took": "take", "taken": "take", "takes": "take",
    "seen": "see", "saw": "see", "sees": "see", "got": "get", "gets": "get", "gotten": "get", "did": "do",
    "does": "do", "done": "do", "had": "have", "has": "have", "having": "have", "was": "be", "were": "be",
    "is": "be", "are": "be", "been": "be", "being": "be", "am": "be", "found": "find", "people": "patient",
    "children": "child", "women": "woman", "men": "man", "busiest": "busy", "busier": "busy",
    "earnings": "earn", "earned": "earn", "earns": "earn", "earning": "earn", "status": "status",
    "services": "service", "this": "this", "analysis": "analysis", "days": "day", "business": "business",
    "ages": "age", "aged": "age", "less": "less", "bonus": "bonus", "gross": "gross",
    "percentage": "percent", "percentages": "percent", "pct": "percent", "proportion": "share",
    "proportions": "share", "fraction": "share", "shares": "share", "bookings": "book", "booking": "book",
    "booked": "book", "books": "book", "selling": "sell", "sells": "sell", "sales": "sale", "visitors": "visit",
    "visitor": "visit", "treated": "treat", "monthly": "monthly", "weekly": "weekly", "daily": "daily",
    "quarterly": "quarterly", "yearly": "yearly", "average": "average", "averages": "average", "avg": "average",
    "mean": "average", "hours": "hour", "hrs": "hour", "hr": "hour", "mins": "minute", "went": "go",
    "gone": "go", "goes": "go", "going": "go", "lost": "lose", "began": "begin", "begun": "begin", "grew": "grow",
    "grown": "grow", "growth": "grow", "news": "news",
}
_VOWELS = set("aeiou")


def stem(word: str) -> str:
    """A light, deterministic stemmer (plurals, -ing, -ed, a final -e), enough to meet the catalog's words.

    Code that compares a stem with a literal word stems the literal too (`stems("since")`)."""
    found = _IRREGULAR.get(word)
    if found is not None:
        return _final_e(found)
    if not word.isalpha() or len(word) <= 3:
        return word
    return _final_e(_suffixes(word))


def stems(*words: str) -> frozenset[str]:
    """The stems of literal words, for comparing with a token's stem."""
    return frozenset(stem(w) for w in words)


def _final_e(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("e") and not word.endswith("ee") else word


def _suffixes(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) >= 6:
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) >= 5 and not word.endswith("eed"):
        return _undouble(word[:-2])
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _undouble(base: str) -> str:
    if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in _VOWELS and base[-1] not in "s":
        return base[:-1]
    return base


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "ninety": 90, "hundred": 100, "dozen": 12, "once": 1, "twice": 2, "thrice": 3,
}

# Money and numbers: "$1,200", "$1.2k", "1200", "3", ranges like "25-34" and "65+" (age bands).
_TOKEN = re.compile(
    r"\$\s?\d[\d,]*(?:\.\d+)?k?"  # money
    r"|\d+\s?-\s?\d+(?![\d.])"  # 25-34
    r"|\d+\+"  # 65+
    r"|q[1-4]\b"  # quarters
    r"|\d[\d,]*(?:\.\d+)?(?:k\b)?"  # numbers
    r"|[a-z]+(?:'[a-z]+)?"  # words, with an apostrophe inside
)


@dataclass(frozen=True)
class Token:
    """One word of the question: as typed (lower case), its stem, and its number if it is one."""

    text: str
    stem: str
    number: float | None = None
    money: bool = False
    corrected_from: str | None = None


def _clean(question: str) -> str:
    text = question.lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    text = text.replace("&", " and ").replace("%", " percent ").replace("w/o", " without ").replace("w/", " with ")
    text = re.sub(r"\bvs\.?(?=\s|$)", " vs ", text)
    text = re.sub(r"n't\b", " not", text)
    # "not been paid", "without payment": the catalog's word for it is unpaid
    text = re.sub(r"\b(?:not|never)\s+(?:been\s+|yet\s+|being\s+)?paid\b|\bwithout\s+(?:a\s+|any\s+)?payments?\b",
                  " unpaid ", text)
    text = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", text)
    text = re.sub(r"(\w)-(?=[a-z])", r"\1 ", text)  # at-risk, day-of-week, year-to-date
    return text


def _number(text: str) -> tuple[float | None, bool]:
    money = text.startswith("$")
    raw = text.lstrip("$").strip().replace(",", "")
    scale = 1000.0 if raw.endswith("k") else 1.0
    raw = raw.rstrip("k")
    try:
        return float(raw) * scale, money
    except ValueError:
        return None, money


def tokenize(question: str) -> list[Token]:
    """Lower-cased tokens with stems and numbers; punctuation dropped, "don't" -> "do not"."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(_clean(question)):
        text = match.group(0).replace("'", "")
        if text[0] in "$0123456789":
            if "-" in text and not text.startswith("$"):
                tokens.append(Token(text.replace(" ", ""), text.replace(" ", "")))
                continue
            if text.endswith("+"):
                tokens.append(Token(text, text))
                continue
            value, money = _number(text)
            tokens.append(Token(text, text, value, money))
            continue
        number = NUMBER_WORDS.get(text)
        tokens.append(Token(text, stem(text), float(number) if number is not None else None))
    return tokens


class Speller:
    """Corrects a word to the unique closest known word (Damerau-Levenshtein 1, or 2 for long words).

    Candidates come from a deletion index (SymSpell's idea): a word and a known word within distance d
    share a string reached by at most d deletions from each, so only a handful are compared exactly.
    """

    def __init__(self, words: Iterable[str], known: Iterable[str] = ()) -> None:
        """`words`: what a misspelling may be corrected to; `known`: words also left as they are."""
        self.targets = frozenset(w for w in words if w.isalpha())
        self.words = self.targets | frozenset(known)
        self._deletes: dict[str, set[str]] = {}
        for word in self.targets:
            if len(word) < 4:
                continue
            for variant in _deletions(word, 2 if len(word) >= 9 else 1):
                self._deletes.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str | None:
        """The known word meant by `word`, or None when it is unknown or ambiguous."""
        if word in self.words:
            return word
        if len(word) < 4 or not word.isalpha():
            return None
        limit = 2 if len(word) >= 9 else 1
        candidates: set[str] = set()
        for variant in _deletions(word, limit):
            candidates |= self._deletes.get(variant, set())
        best: list[str] = []
        best_distance = limit + 1
        for candidate in sorted(candidates):
            allowed = 2 if len(candidate) >= 9 and len(word) >= 9 else 1
            distance = damerau(word, candidate)
            if distance > allowed or (len(word) == 4 and len(candidate) <= 4):
                continue  # a four-letter word is only ever missing a letter ("mnth"), never "cost" for "most"
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
        return best[0] if len(best) == 1 else None


def _deletions(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w)) if len(w) > 2}
        out |= frontier
    return out


def damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition of neighbours counts as one edit)."""
    rows = len(a) + 1
    cols = len(b) + 1
    d = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        d[i][0] = i
    for j in range(cols):
        d[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]
