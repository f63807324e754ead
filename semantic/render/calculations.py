"""The query language's calculations and `top` as SQL levels over a measure plan's output level.

The output level holds the keys and every output, small-group suppression already applied (a hidden value is
NULL there), so a share, rank, running total or change computed here only ever combines values that may be shown:
a total is the sum of the shown values, a hidden value's rank and change are NULL, and a running total passes a
hidden value by. Calculations see every aggregated row (before HAVING and top: a share is of the whole result);
`top` then numbers the rows that pass HAVING (and, in the agent scope, the rows kept) within its groups, largest
first, ties by the keys, and the page keeps those numbered up to n.
"""

from __future__ import annotations

from sqlglot import exp

from semantic.planner.nodes import CalculationNode, MeasurePlan
from semantic.render.dialects import ratio
from semantic.render.sqlbuild import alias, col, is_null, ordered, select, subquery, wrap

LEVEL = "c"  # each calculation level reads the one below under this alias
TOP = "__top"  # the row's number within its top group


def calculation_levels(level: exp.Expr, plan: MeasurePlan, names: dict[str, str]) -> exp.Expr:
    """`level` with one level per calculation, each adding its column (k0, k1 ...); `names` (column -> alias in
    the levels) gains each calculation's alias."""
    for index, node in enumerate(plan.calculations):
        value = _value(node, names)
        names[node.name] = f"k{index}"
        level = select([exp.Star(), alias(value, names[node.name])], subquery(level, LEVEL))
    return level


def top_level(level: exp.Expr, plan: MeasurePlan, names: dict[str, str], where: exp.Expr | None,
              keys: list[str]) -> exp.Select:
    """The rows of `level` (a query, or a table aliased `c`) that pass `where` (over alias `c`), each numbered
    (`__top`) within its group of top.within by top.by, largest first (nulls last), ties broken by the other keys."""
    top = plan.top
    assert top is not None
    order = [ordered(col(LEVEL, names[top.by]), True)]
    order += [ordered(col(LEVEL, names[k]), False) for k in keys if k not in top.within]
    number = exp.Window(this=exp.RowNumber(), partition_by=[col(LEVEL, names[k]) for k in top.within],
                        order=exp.Order(expressions=order))
    source = level if isinstance(level, exp.Table) else subquery(level, LEVEL)  # a table: already aliased `c`
    return select([exp.Star(), alias(number, TOP)], source, where=where)


def within_top(plan: MeasurePlan, table: str) -> exp.Expr:
    """The page's condition on a `top_level`'s rows (under alias `table`): numbered up to n."""
    assert plan.top is not None
    return exp.LTE(this=col(table, TOP), expression=exp.Literal.number(plan.top.n))


def _value(node: CalculationNode, names: dict[str, str]) -> exp.Expr:
    def column(name: str) -> exp.Expr:
        return col(LEVEL, names[name])

    value = column(node.of[0])
    partition = [column(k) for k in node.within]
    if node.op == "share_of_total":
        return ratio(value, exp.Window(this=exp.Sum(this=value.copy()), partition_by=partition))
    if node.op == "rank":  # 1 = largest; a value not shown has no rank
        rank = exp.Window(this=exp.Rank(), partition_by=partition,
                          order=exp.Order(expressions=[ordered(value.copy(), True)]))
        return exp.Case(ifs=[exp.If(this=is_null(value.copy()), true=exp.Null())], default=rank)
    if node.op == "ratio":
        return ratio(value, column(node.of[1]))
    along = exp.Order(expressions=[ordered(column("time"), False)])
    if node.op == "running_total":
        rows = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW")
        return exp.Window(this=exp.Sum(this=value), partition_by=partition, order=along, spec=rows)
    previous = exp.Window(this=exp.Lag(this=value.copy()), partition_by=partition, order=along)
    change = exp.Sub(this=wrap(value), expression=previous)
    if node.op == "change":
        return change
    return ratio(exp.Paren(this=change), previous.copy())
