"""The few SQL spellings that differ between PostgreSQL and DuckDB, as a dispatch table of tree builders.

Everything else is built from dialect-neutral `sqlglot.exp` nodes that sqlglot renders for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

DIALECTS = ("postgres", "duckdb")


_TYPES: dict[str, exp.DataType] = {}


def datatype(name: str) -> exp.DataType:
    """A fresh DataType node for `name` (parsing type strings is slow, so each is parsed once)."""
    prototype = _TYPES.get(name)
    if prototype is None:
        prototype = _TYPES[name] = exp.DataType.build(name)
    if not prototype.expressions:
        return exp.DataType(this=prototype.this, nested=False)
    return prototype.copy()


def _cast(node: exp.Expr, to: str) -> exp.Cast:
    return exp.Cast(this=node, to=datatype(to))


def _like_pg(this: exp.Expr, pattern: exp.Expr, insensitive: bool) -> exp.Expr:
    # PostgreSQL's default LIKE escape is the backslash; no ESCAPE clause keeps pg_trgm index use simple.
    return exp.ILike(this=this, expression=pattern) if insensitive else exp.Like(this=this, expression=pattern)


def _like_duckdb(this: exp.Expr, pattern: exp.Expr, insensitive: bool) -> exp.Expr:
    like: exp.Expr = (exp.ILike(this=this, expression=pattern) if insensitive
                            else exp.Like(this=this, expression=pattern))
    return exp.Escape(this=like, expression=exp.Literal.string("\\"))


def _money_round_pg(numerator: exp.Expr, denominator: exp.Expr) -> exp.Expr:
    # numeric division and round(): exact, halves away from zero
    ratio = exp.Div(this=_cast(numerator, "numeric"), expression=nullif_zero(denominator), typed=True)
    return _cast(exp.Round(this=ratio), "bigint")


def _money_round_duckdb(numerator: exp.Expr, denominator: exp.Expr) -> exp.Expr:
    ratio = exp.Div(this=_cast(numerator, "decimal(38, 6)"), expression=nullif_zero(denominator), typed=True)
    return _cast(exp.Round(this=ratio), "bigint")


def nullif_zero(node: exp.Expr) -> exp.Expr:
    return exp.Nullif(this=node, expression=exp.Literal.number(0))


def _int_div_pg(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Paren(this=exp.Div(this=a, expression=b, typed=True))  # bigint / bigint truncates


def _int_div_duckdb(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Paren(this=exp.IntDiv(this=a, expression=b))  # `//`; DuckDB's `/` is float division


@dataclass(frozen=True)
class Dialect:
    name: str
    like: Callable[[exp.Expr, exp.Expr, bool], exp.Expr]
    money_round: Callable[[exp.Expr, exp.Expr], exp.Expr]
    int_div: Callable[[exp.Expr, exp.Expr], exp.Expr]
    text_type: str = "text"
    measure_type: str = "numeric"  # the common type of measure columns combined by UNION ALL
    # search (semantic/render/search.py): `close(query, text)` holds when `text` has a stretch spelled like
    # `query` (None: exact words only), `closeness(query, text)` is a score in [0, 1]
    close: Callable[[exp.Expr, exp.Expr], exp.Expr] | None = None
    closeness: Callable[[exp.Expr, exp.Expr], exp.Expr] | None = None


def _close_pg(query: exp.Expr, text: exp.Expr) -> exp.Expr:
    # pg_trgm's word similarity operator (>= pg_trgm.word_similarity_threshold, 0.6): the trigram index serves it
    return exp.Operator(this=query, operator=exp.var("<%"), expression=text)


def _closeness_pg(query: exp.Expr, text: exp.Expr) -> exp.Expr:
    # trigram similarity of the whole texts: unlike word similarity it counts what the text has beyond the query,
    # so "connie brwn" is closer to Connie Brown than to Connie Brock
    return _cast(exp.Anonymous(this="similarity", expressions=[query, text]), "double")


def _closeness_duckdb(query: exp.Expr, text: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="jaro_winkler_similarity", expressions=[query, text])


_DIALECTS = {
    "postgres": Dialect("postgres", _like_pg, _money_round_pg, _int_div_pg, close=_close_pg,
                        closeness=_closeness_pg),
    "duckdb": Dialect("duckdb", _like_duckdb, _money_round_duckdb, _int_div_duckdb, "varchar", "decimal(38, 6)",
                      closeness=_closeness_duckdb),
}


def dialect(name: str) -> Dialect:
    return _DIALECTS[name]


def cast(node: exp.Expr, to: str) -> exp.Cast:
    return _cast(node, to)


def ratio(numerator: exp.Expr, denominator: exp.Expr) -> exp.Expr:
    """numerator / denominator as a float; null when the denominator is 0 or null."""
    return exp.Div(this=_cast(numerator, "double"), expression=nullif_zero(denominator), typed=True)
