"""The `search` filter (patient.search) and its order: forgiving of typos, transposed letters and "last, first".

A patient matches when
- every word of the search is in the name/email text (phone-like words also by the phone's digits), or
- the name words, together, are spelled like a stretch of that text (pg_trgm's word similarity, at least
  `pg_trgm.word_similarity_threshold`: 0.62, the database's default set by migration 0012: "Ebony Adms",
  "Ebonee Adams", "Savanah", but not "chloe yag" for every Chloe), or
- they are, once two neighbouring letters of one word are swapped back ("Ebnoy Adams").
Words are compared without surrounding punctuation, in any order, so "Adams, Ebony" is "ebony adams". Only
words of letters are forgiven: one with a digit or an email's @ must be there as typed ("ann3" is not "ann0").
Every branch is served by the text's trigram index. A dialect without word similarity (DuckDB) matches
exact words only.

A listing with a search and no order of its own is ordered by `search_rank`, best first: exact matches,
then closeness of spelling; then by name (semantic/compile.py).
"""

from __future__ import annotations

import re

from sqlglot import exp

from semantic.catalog.models import Dimension
from semantic.planner.nodes import FilterNode
from semantic.render.scope import Instance, Scope
from semantic.render.sqlbuild import and_, or_

PHONEISH = re.compile(r"[0-9()+\-.]*[0-9][0-9()+\-.xX]*")
_EDGE_PUNCTUATION = ",;:!?\"'()[]{}"
MAX_TRANSPOSITIONS = 24  # variants tried per search: a swap in one word at a time


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """(name/email words lowercased without surrounding punctuation, phone-like words as typed)."""
    words: list[str] = []
    phone: list[str] = []
    for token in text.split():
        if PHONEISH.fullmatch(token):
            phone.append(token)
            continue
        word = token.strip(_EDGE_PUNCTUATION).lower()
        if word:
            words.append(word)
    return words, phone


def _lettered(word: str) -> bool:
    return word.replace("-", "").replace("'", "").isalpha()


def transpositions(words: list[str]) -> list[list[str]]:
    """The searches with two neighbouring letters of one word swapped (letters only, words of 4+ letters: a
    shorter word's swaps are other common words, "ann" -> "ana", found in thousands of names)."""
    out: list[list[str]] = []
    for index, word in enumerate(words):
        if len(word) < 4:
            continue
        for i in range(len(word) - 1):
            a, b = word[i], word[i + 1]
            if a != b and a.isalpha() and b.isalpha():
                out.append([*words[:index], word[:i] + b + a + word[i + 2:], *words[index + 1:]])
                if len(out) == MAX_TRANSPOSITIONS:
                    return out
    return out


def _all_words(scope: Scope, haystack: exp.Expr, words: list[str]) -> exp.Expr | None:
    params, like = scope.rc.params, scope.rc.dialect.like
    return and_([like(haystack.copy(), params.add(f"%{escape_like(w)}%"), False) for w in words])


def _phone(scope: Scope, inst: Instance, dimension: Dimension, haystack: exp.Expr, phone: list[str]) -> exp.Expr:
    """Phone-like words: all in the text as typed, or their digits (3 or more) in the phone's digits."""
    spec = dimension.search
    assert spec is not None
    params, like = scope.rc.params, scope.rc.dialect.like
    as_text = and_([like(haystack.copy(), params.add(f"%{escape_like(t.lower())}%"), False) for t in phone])
    assert as_text is not None
    digits = "".join(ch for token in phone for ch in token if ch.isdigit())
    if spec.digits is not None and len(digits) >= 3:
        by_digits = like(scope.eval(inst, spec.digits), params.add(f"%{digits}%"), False)
        return or_([by_digits, as_text])
    return as_text


def search_condition(scope: Scope, inst: Instance, dimension: Dimension, text: str) -> exp.Expr:
    """The rows `text` finds (see the module's docstring)."""
    spec = dimension.search
    assert spec is not None
    if "\x00" in text:  # no stored text holds one (PostgreSQL refuses it as a parameter)
        return exp.false()
    haystack = scope.eval(inst, spec.text)
    words, phone = _tokens(text)
    phone_condition = _phone(scope, inst, dimension, haystack, phone) if phone else None

    def with_phone(condition: exp.Expr | None) -> exp.Expr:
        both = and_([c for c in (condition, phone_condition) if c is not None])
        return both if both is not None else exp.true()

    exact = with_phone(_all_words(scope, haystack, words))
    close = scope.rc.dialect.close
    loose = [w for w in words if _lettered(w)]
    if close is None or all(len(w) < 3 for w in loose):  # one or two letters: no trigram to spell them by
        return exp.Paren(this=exact) if isinstance(exact, exp.And) else exact
    strict = [w for w in words if not _lettered(w)]

    def loosely(condition: exp.Expr | None) -> exp.Expr:
        return with_phone(and_([c for c in (condition, _all_words(scope, haystack, strict)) if c is not None]))

    branches = [exact, loosely(close(scope.rc.params.add(" ".join(loose)), haystack.copy()))]
    branches += [loosely(_all_words(scope, haystack, variant)) for variant in transpositions(loose)]
    return or_(branches)  # each AND in parentheses, the whole in parentheses


def search_rank(scope: Scope, inst: Instance, dimension: Dimension, filters: tuple[FilterNode, ...]) -> exp.Expr:
    """How well the listing's search on `dimension` matches a row: 1 for a row with every word, plus how close
    the words are spelled to the rank text (the name: 0 to 1), so a name outranks an email; higher is better."""
    spec = dimension.search
    assert spec is not None
    text = next(str(f.values[0]) for f in filters if f.dimension == dimension.name and f.op == "search")
    words, _ = _tokens(text)
    closeness = scope.rc.dialect.closeness
    if closeness is None or "\x00" in text or all(len(w) < 3 for w in words):
        return exp.Literal.number(1)  # one or two letters spell nothing closer than another: by name alone
    haystack = scope.eval(inst, spec.text)
    exact = _all_words(scope, haystack, words)
    assert exact is not None
    bonus = exp.Case(ifs=[exp.If(this=exact, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    ranked = scope.eval(inst, spec.rank) if spec.rank is not None else haystack.copy()
    return exp.Add(this=bonus, expression=closeness(scope.rc.params.add(" ".join(words)), ranked))
