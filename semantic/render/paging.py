"""The last level of a statement: its visible columns, the row count as a window, the order (nulls last) and the
page, as bound values."""

from __future__ import annotations

from sqlglot import exp

from semantic.planner.nodes import OrderNode
from semantic.render.context import RenderContext
from semantic.render.sqlbuild import alias, col, ordered, select, subquery

TOTAL = "__total"  # the window column counting every row of an aggregate query (total_rows)


def final_page(rc: RenderContext, inner: exp.Expr, visible: list[str], names: dict[str, str], where: exp.Expr | None,
           order: tuple[OrderNode, ...], limit: int, offset: int, total: bool = True) -> exp.Select:
    columns: list[exp.Expr] = [alias(col("r", names[v]), f"c{i}") for i, v in enumerate(visible)]
    if total:
        columns.append(alias(exp.Window(this=exp.Count(this=exp.Star())), TOTAL))
    final = select(columns, subquery(inner, "r"), where=where)
    final.set("order", exp.Order(expressions=[ordered(col("r", names[o.column]), o.desc) for o in order]))
    final.set("limit", exp.Limit(expression=rc.params.add(limit)))
    final.set("offset", exp.Offset(expression=rc.params.add(offset)))
    return final
