"""The subqueries behind rollups, picks, windows and allocations; each returns (body, parent key).

The body selects `k` (the key to join on) and columns c0, c1, ... in item order.
"""

from __future__ import annotations

from sqlglot import exp

from semantic.catalog import expr as E
from semantic.render.context import RenderContext, Shared
from semantic.render.dialects import cast
from semantic.render.scope import Instance, Scope
from semantic.render.sqlbuild import col, ident, ordered, select, subquery


def shared_ctes(rc: RenderContext) -> list[tuple[str, exp.Expr]]:
    """Build every shared computation of the statement (until no new column is asked for), dependencies first."""
    while True:
        pending = [s for s in rc.shared.values() if s.body is None or s.built_items != len(s.items)]
        if not pending:
            break
        for item in pending:
            rc.building.append(item)
            item.deps = set()
            item.built_items = len(item.items)
            item.body = build(rc, item.kind, item.entity, list(item.items))
            rc.building.pop()
    by_name = {s.name: s for s in rc.shared.values()}
    ordered_items: list[Shared] = []

    def visit(item: Shared) -> None:
        if item in ordered_items:
            return
        for dep in sorted(item.deps):
            visit(by_name[dep])
        ordered_items.append(item)

    for item in rc.shared.values():
        visit(item)
    return [(s.name, s.body) for s in ordered_items if s.body is not None]


def _alias(node: exp.Expr, name: str) -> exp.Alias:
    return exp.Alias(this=node, alias=ident(name))


def build(rc: RenderContext, kind: str, entity: str, items: list[E.Expr]) -> exp.Select:
    """The body of a shared computation over rows of `entity`: `k` (the join key) and c0, c1, ..."""
    if kind == "rollup":
        return _rollup(rc, entity, items)
    if kind == "pick":
        return _pick(rc, entity, items)
    if kind == "window":
        return _window(rc, entity, items)
    return _allocate(rc, entity, items)


def _child_scope(rc: RenderContext, entity: str, via: str) -> tuple[Scope, Instance, exp.Column]:
    edge = rc.catalog.graph.edge(entity, via)
    assert edge is not None, f"no join {entity} -> {via}"
    child = Scope(rc, via)
    return child, child.root, child.root.column(edge.dst_column)


def _rollup(rc: RenderContext, entity: str, items: list[E.Expr]) -> exp.Select:
    nodes = [n for n in items if isinstance(n, E.Rollup)]
    child, root, key = _child_scope(rc, entity, nodes[0].via)
    wheres = {n.where for n in nodes}
    common = wheres.pop() if len(wheres) == 1 else None  # one shared condition: filter rows once
    columns: list[exp.Expr] = [_alias(key, "k")]
    for index, node in enumerate(nodes):
        of = child.eval(root, node.of) if node.of is not None else None
        aggregate: exp.Expr
        if node.agg == "count":
            aggregate = exp.Count(this=of if of is not None else exp.Star())
        elif node.agg == "sum":
            aggregate = exp.Sum(this=of)
        elif node.agg == "min":
            aggregate = exp.Min(this=of)
        elif node.agg == "max":
            aggregate = exp.Max(this=of)
        else:
            aggregate = exp.LogicalOr(this=of)
        if node.where is not None and common is None:
            aggregate = exp.Filter(this=aggregate, expression=exp.Where(this=child.eval(root, node.where)))
        columns.append(_alias(aggregate, f"c{index}"))
    where = child.eval(root, common) if common is not None else None
    from_, joins = child.finish()
    return select(columns, from_, joins, where=where, group=[key.copy()])


def _pick(rc: RenderContext, entity: str, items: list[E.Expr]) -> exp.Select:
    nodes = [n for n in items if isinstance(n, E.Pick)]
    first = nodes[0]
    child, root, key = _child_scope(rc, entity, first.via)
    where = child.eval(root, first.where) if first.where is not None else None
    order = [ordered(child.eval(root, k.expr), k.desc) for k in first.order_by]
    rank = exp.Window(this=exp.RowNumber(), partition_by=[key.copy()], order=exp.Order(expressions=order))
    columns: list[exp.Expr] = [_alias(key, "k")]
    columns += [_alias(child.eval(root, n.of), f"c{i}") for i, n in enumerate(nodes)]
    columns.append(_alias(rank, "rn"))
    from_, joins = child.finish()
    inner_alias = rc.alias("ranked")
    inner = select(columns, from_, joins, where=where)
    outer_columns: list[exp.Expr] = [col(inner_alias, "k")]
    outer_columns += [col(inner_alias, f"c{i}") for i in range(len(nodes))]
    return select(outer_columns, subquery(inner, inner_alias),
                  where=exp.EQ(this=col(inner_alias, "rn"), expression=exp.Literal.number(1)))


def _window(rc: RenderContext, entity: str, items: list[E.Expr]) -> exp.Select:
    nodes = [n for n in items if isinstance(n, E.Window)]
    first = nodes[0]
    same = Scope(rc, entity)
    root = same.root
    where = same.eval(root, first.where) if first.where is not None else None
    partition = [same.eval(root, p) for p in first.partition_by]
    order = [ordered(same.eval(root, k.expr), k.desc) for k in first.order_by]
    columns: list[exp.Expr] = [_alias(root.key, "k")]
    for index, node in enumerate(nodes):
        function = exp.Lag if node.fn == "lag" else exp.Lead
        window = exp.Window(this=function(this=same.eval(root, node.of)),
                            partition_by=[p.copy() for p in partition],
                            order=exp.Order(expressions=[o.copy() for o in order]))
        columns.append(_alias(window, f"c{index}"))
    from_, joins = same.finish()
    return select(columns, from_, joins, where=where)


def _allocate(rc: RenderContext, entity: str, items: list[E.Expr]) -> exp.Select:
    """Exact integer allocation of a group's total over its rows by weight (cumulative rounding).

    With rows ordered by `tiebreak`, C_i the running sum of weights and W their total, row i gets
    floor(A*C_i/W) - floor(A*C_(i-1)/W): within one unit of its exact share A*w_i/W, and the parts
    telescope to exactly A. All weights 0: the total is split equally. One sort, no rounding drift.
    """
    node = items[0]
    assert isinstance(node, E.Allocate)
    same = Scope(rc, entity)
    root = same.root
    group, tiebreak = same.eval(root, node.group), same.eval(root, node.tiebreak)
    weight = same.eval(root, node.weight)

    def window(function: exp.Expr, running: bool) -> exp.Window:
        order = exp.Order(expressions=[ordered(tiebreak.copy(), False)]) if running else None
        return exp.Window(this=function, partition_by=[group.copy()], order=order)

    level1 = [_alias(root.key, "k"), _alias(cast(same.eval(root, node.total), "bigint"), "total"),
              _alias(weight, "w"),
              _alias(window(exp.Sum(this=weight.copy()), True), "cw"),
              _alias(window(exp.Sum(this=weight.copy()), False), "sw"),
              _alias(window(exp.RowNumber(), True), "cn"),
              _alias(window(exp.Count(this=exp.Star()), False), "sn")]
    from_, joins = same.finish()
    inner = rc.alias("alloc")

    def pick(by_weight: str, equal: str) -> exp.Expr:
        positive = exp.GT(this=col(inner, "sw"), expression=exp.Literal.number(0))
        return exp.Case(ifs=[exp.If(this=positive, true=col(inner, by_weight))], default=col(inner, equal))

    total, through, whole = col(inner, "total"), pick("cw", "cn"), pick("sw", "sn")
    before = exp.Paren(this=exp.Sub(this=through.copy(),
                                    expression=exp.Case(ifs=[exp.If(this=exp.GT(this=col(inner, "sw"),
                                                                                 expression=exp.Literal.number(0)),
                                                                    true=col(inner, "w"))],
                                                        default=exp.Literal.number(1))))
    int_div = rc.dialect.int_div
    upto = int_div(exp.Mul(this=total, expression=cast(through, "bigint")), cast(whole, "bigint"))
    upto_before = int_div(exp.Mul(this=total.copy(), expression=cast(before, "bigint")), cast(whole.copy(), "bigint"))
    value = cast(exp.Sub(this=upto, expression=upto_before), "bigint")
    return select([_alias(col(inner, "k"), "k"), _alias(value, "c0")], subquery(select(level1, from_, joins), inner))
