"""Small-group suppression for the agent scope, as SQL: which values to hide, which rows to drop, and the tally.

Each aggregate that has patients behind it also counts them: `<measure>__n` (and `<measure>__prev__n` for
the previous period) is the number of distinct patients whose rows make that measure's value in that group.
A value with 1 to k-1 of them is replaced by NULL in the level that computes the outputs, so everything after
it (derived measures, compare columns, HAVING, ORDER BY, the row count, and the query language's
calculations) only ever sees what may be shown. A row whose shown values are all suppressed is dropped; the
statement's last level reports, alongside the page, how many rows were dropped, how many values were hidden
in the rows kept and the largest number of contributors of any value (so the service can tell a query that
selects fewer than k patients in all: `too_few_patients`).

The page and the tally come back in one statement: `tally LEFT JOIN page ON true` returns one row with the
tally and NULLs when the page is empty, so even a query whose every row was dropped says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from semantic.render.sqlbuild import col, ident, ordered, select, subquery

KEEP = "__keep"
CELLS = "__cells"
MOST = "__most"
STATS = ("__dropped", "__hidden", "__most")  # after TOTAL in a record: rows dropped, values hidden, max n
SKETCH = 64  # the smallest hashes of a query's patients kept to compare it with others (its population)
SKETCH_SEED = 0x5EED_A6E7  # fixed: sketches are compared across queries and processes


MAIN = "__main"  # 1 on the rows of the query's own aggregates (a shadow, with a filter left out, may have more)


def contributors(measure: str, suffix: str = "") -> str:
    """The column counting the distinct patients behind `measure` (suffix `__prev`: its previous period)."""
    return f"{measure}{suffix}__n"


def dropped(measure: str, suffix: str, index: int) -> str:
    """The same count with the query's filter `index` left out (a shadow aggregate's)."""
    return f"{contributors(measure, suffix)}__drop{index}"


def hidden_column(measure: str, suffix: str = "") -> str:
    """Whether the measure's value (in a period) is hidden in a row."""
    return f"{measure}{suffix}__hidden"


def _zero_if_null(node: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])


def primary_hidden(count: exp.Expr, without: Sequence[exp.Expr], k: int) -> exp.Expr:
    """A value is hidden when 1 to k-1 patients are behind it, or when leaving out one of the query's filters
    would change its patients by 1 to k-1: the two answers' difference would describe those few ("everyone
    but one"). A value with no patient behind it is a true zero, never hidden."""
    conditions: list[exp.Expr] = [small(count, k)]
    some = exp.GTE(this=_zero_if_null(count), expression=exp.Literal.number(1))
    for other in without:
        gap = exp.Sub(this=_zero_if_null(other), expression=_zero_if_null(count))
        differs = exp.Between(this=exp.Paren(this=gap), low=exp.Literal.number(1), high=exp.Literal.number(k - 1))
        conditions.append(exp.And(this=some.copy(), expression=differs))
    return any_of(conditions) or exp.false()


def keyed_hash(key: exp.Expr, seed: exp.Expr) -> exp.Expr:
    """A 64-bit hash of a patient's key (PostgreSQL's hashtextextended): sketches hold these, never keys."""
    return exp.Anonymous(this="hashtextextended", expressions=[exp.Cast(this=key, to=exp.DataType.build("text")),
                                                                 seed])


def small(count: exp.Expr, k: int) -> exp.Expr:
    """1 <= count < k (NULL, a bucket no row reached, counts as 0: a true zero, never suppressed)."""
    value = exp.Coalesce(this=count, expressions=[exp.Literal.number(0)])
    return exp.Between(this=value, low=exp.Literal.number(1), high=exp.Literal.number(k - 1))


def hide(value: exp.Expr, suppressed: exp.Expr | None) -> exp.Expr:
    """`value`, or NULL where `suppressed` holds."""
    if suppressed is None:
        return value
    return exp.Case(ifs=[exp.If(this=suppressed, true=exp.Null())], default=value)


def any_of(conditions: list[exp.Expr]) -> exp.Expr | None:
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result = exp.Or(this=result, expression=condition)
    return exp.Paren(this=result)


def row_flags(shown: list[exp.Expr | None], counts: list[exp.Expr]) -> list[exp.Expr]:
    """The output level's extra columns: whether the row is kept (some shown value is not suppressed), how many
    shown values are suppressed, and the largest contributor count of any value."""
    if any(s is None for s in shown) or not shown:
        keep: exp.Expr = exp.true()
    else:
        keep = any_of([exp.Not(this=exp.Paren(this=s.copy())) for s in shown if s is not None]) or exp.true()
    hidden: exp.Expr = exp.Literal.number(0)
    for condition in shown:
        if condition is not None:
            one = exp.Case(ifs=[exp.If(this=condition.copy(), true=exp.Literal.number(1))],
                           default=exp.Literal.number(0))
            hidden = exp.Add(this=hidden, expression=one)
    zero = exp.Literal.number(0)
    most: exp.Expr = zero
    if counts:
        most = exp.Greatest(this=exp.Coalesce(this=counts[0], expressions=[zero.copy()]),
                            expressions=[exp.Coalesce(this=c, expressions=[zero.copy()]) for c in counts[1:]])
    return [exp.Alias(this=keep, alias=ident(KEEP)), exp.Alias(this=hidden, alias=ident(CELLS)),
            exp.Alias(this=most, alias=ident(MOST))]


def page_with_tally(columns: list[exp.Expr], order: list[tuple[str, bool]], where: exp.Expr | None,
                    limit: exp.Expr, offset: exp.Expr, total: str, source: exp.Expr | None = None) -> exp.Select:
    """SELECT the page (from CTE `r`, rows kept and matching HAVING, ordered and paged) beside the tally.

    `columns` are the page's output expressions over `r` (aliased c0, c1 ...); `order` the (alias, desc) pairs
    to order by, in the page and again outside it (a join keeps no order). `source`: the page's rows instead
    (aliased `r`, the rows kept already chosen: `top`), filtered by `where` alone; the tally is still `r`'s."""
    condition: exp.Expr | None = where
    if source is None:
        keep = col("r", KEEP)
        condition = keep if where is None else exp.And(this=keep, expression=exp.Paren(this=where))
        source = exp.Table(this=ident("r"), alias=exp.TableAlias(this=ident("r")))
    page = select([*columns, exp.Alias(this=exp.Window(this=exp.Count(this=exp.Star())), alias=ident(total))],
                  source, where=condition)
    page.set("order", exp.Order(expressions=[ordered(_page_value(columns, name), desc) for name, desc in order]))
    page.set("limit", exp.Limit(expression=limit))
    page.set("offset", exp.Offset(expression=offset))
    dropped = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=exp.Not(this=col("r", KEEP))))
    kept_cells = exp.Filter(this=exp.Sum(this=col("r", CELLS)), expression=exp.Where(this=col("r", KEEP)))
    hidden = exp.Coalesce(this=kept_cells, expressions=[exp.Literal.number(0)])
    most = exp.Coalesce(this=exp.Max(this=col("r", MOST)), expressions=[exp.Literal.number(0)])
    tally = select([exp.Alias(this=dropped, alias=ident(STATS[0])), exp.Alias(this=hidden, alias=ident(STATS[1])),
                    exp.Alias(this=most, alias=ident(STATS[2]))],
                   exp.Table(this=ident("r"), alias=exp.TableAlias(this=ident("r"))))
    names = [c.alias for c in columns if isinstance(c, exp.Alias)]
    out = select([*(col("page", n) for n in [*names, total]), *(col("tally", s) for s in STATS)],
                 subquery(tally, "tally"), [exp.Join(this=subquery(page, "page"), side="LEFT", on=exp.true())])
    out.set("order", exp.Order(expressions=[ordered(col("page", name), desc) for name, desc in order]))
    return out


def _page_value(columns: list[exp.Expr], name: str) -> exp.Expr:
    for column in columns:
        if isinstance(column, exp.Alias) and column.alias == name:
            value: exp.Expr = column.this.copy()
            return value
    raise KeyError(name)
