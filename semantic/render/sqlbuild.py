"""Small builders of sqlglot trees: quoted names, tables, SELECTs, conditions. Never SQL text.

Every renderer builds its statements from these (sqlglot prints a tree as built, so operands that are
themselves operators are parenthesized here, once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlglot import exp


def col(table: str, name: str) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def table(name: str, alias: str) -> exp.Table:
    return exp.Table(this=ident(name), alias=exp.TableAlias(this=ident(alias)))


def subquery(select: exp.Expr, alias: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=ident(alias)))


def wrap(node: exp.Expr) -> exp.Expr:
    """Parenthesize an operator expression used as an operand (sqlglot prints trees as built)."""
    if isinstance(node, exp.Paren) or not isinstance(node, exp.Binary | exp.Unary | exp.Predicate):
        return node
    return exp.Paren(this=node)


def is_null(node: exp.Expr) -> exp.Expr:
    return exp.Is(this=wrap(node), expression=exp.Null())


def not_null(node: exp.Expr) -> exp.Expr:
    return exp.Not(this=is_null(node))


def _wrap_or(node: exp.Expr) -> exp.Expr:
    return exp.Paren(this=node) if isinstance(node, exp.Or) else node


def and_(conditions: Iterable[exp.Expr]) -> exp.Expr | None:
    items = [_wrap_or(c) for c in conditions]
    if not items:
        return None
    result = items[0]
    for item in items[1:]:
        result = exp.And(this=result, expression=item)
    return result


def or_(conditions: Iterable[exp.Expr]) -> exp.Expr:
    items = [exp.Paren(this=c) if isinstance(c, exp.And) else c for c in conditions]
    result: exp.Expr = items[0]
    for item in items[1:]:
        result = exp.Or(this=result, expression=item)
    return exp.Paren(this=result) if len(items) > 1 else result


def ordered(node: exp.Expr, desc: bool) -> exp.Ordered:
    """Nulls last in both directions and both dialects."""
    return exp.Ordered(this=node, desc=desc, nulls_first=False)


def select(expressions: Sequence[exp.Expr], from_: exp.Expr, joins: Sequence[exp.Join] | None = None,
           where: exp.Expr | None = None, group: Sequence[exp.Expr] | None = None,
           having: exp.Expr | None = None, distinct: bool = False) -> exp.Select:
    node = exp.Select(expressions=list(expressions))
    node.set("from_", exp.From(this=from_))
    if joins:
        node.set("joins", list(joins))
    if where is not None:
        node.set("where", exp.Where(this=where))
    if group:
        node.set("group", exp.Group(expressions=list(group)))
    if having is not None:
        node.set("having", exp.Having(this=having))
    if distinct:
        node.set("distinct", exp.Distinct())
    return node


def left_join(this: exp.Expr, on: exp.Expr) -> exp.Join:
    return exp.Join(this=this, side="LEFT", on=on)


def with_ctes(tree: exp.Expr, ctes: list[tuple[str, exp.Expr]]) -> exp.Expr:
    """`tree` with `ctes` prepended to its WITH clause (the SELECT inside an INSERT gets them)."""
    if not ctes:
        return tree
    target = tree.expression if isinstance(tree, exp.Insert) else tree
    existing = target.args.get("with_")
    items = [exp.CTE(this=body, alias=exp.TableAlias(this=ident(name))) for name, body in ctes]
    if existing is not None:
        items += list(existing.expressions)
    target.set("with_", exp.With(expressions=items))
    return tree
def alias(node: exp.Expr, name: str) -> exp.Alias:
    return exp.Alias(this=node, alias=ident(name))


def zero() -> exp.Expr:
    return exp.Literal.number(0)


def all_of(conditions: list[exp.Expr]) -> exp.Expr:
    """AND of at least one condition."""
    combined = and_(conditions)
    assert combined is not None
    return combined


def positions(count: int) -> list[exp.Expr] | None:
    """GROUP BY 1, 2, ...: the first `count` select items (no copies of large key expressions)."""
    return [exp.Literal.number(i + 1) for i in range(count)] or None


def union(branches: list[exp.Expr]) -> exp.Expr:
    result = branches[0]
    for branch in branches[1:]:
        result = exp.Union(this=result, expression=branch, distinct=False)
    return result

