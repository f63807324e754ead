"""Filters as SQL conditions: values bound as parameters; filters below the row's grain become EXISTS.

A filter on a dimension reached through a one-to-many join (patients filtered by `service.name`)
means "has at least one such row": an EXISTS semi-join, which never multiplies rows. Filters on the
same one-to-many branch share one EXISTS, so they must hold on the same row ("a Botox line with
provider X"). If the branch is already joined because the query groups by it, the filter applies to
the joined rows instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlglot import exp

from semantic.catalog.graph import Edge, Path
from semantic.catalog.models import Dimension
from semantic.materialize.bridge import Bridge, from_bridge
from semantic.planner.nodes import FilterNode, Value
from semantic.render.context import RenderContext
from semantic.render.dialects import cast
from semantic.render.scope import Instance, Scope
from semantic.render.search import escape_like, search_condition
from semantic.render.sqlbuild import and_, or_, select, wrap

Group = tuple[Path, Edge]  # the path to a one-to-many join, and that join: filters below it share one EXISTS


def split_filters(scope: Scope, home: Instance, filters: Sequence[FilterNode]) -> tuple[
        list[tuple[FilterNode, Path]], dict[Group, list[tuple[FilterNode, Path]]]]:
    """The filters evaluated on the `home` row (with their paths), and those below a one-to-many join
    grouped by it (with their paths after it)."""
    catalog = scope.catalog
    direct: list[tuple[FilterNode, Path]] = []
    groups: dict[Group, list[tuple[FilterNode, Path]]] = {}
    for node in filters:
        dimension = catalog.dimensions[node.dimension]
        path = catalog.graph.path(home.entity, dimension.entity)
        assert path is not None
        fan = next((i for i, edge in enumerate(path) if edge.fan_out), None)
        if fan is None or node.counts_related or scope.has_path(home, path[:fan + 1]):
            direct.append((node, path))
        else:
            groups.setdefault((path[:fan], path[fan]), []).append((node, path[fan + 1:]))
    return direct, groups


def conditions(scope: Scope, home: Instance, filters: Sequence[FilterNode],
               bridges: Mapping[Edge, str] | None = None) -> list[exp.Expr]:
    """WHERE conditions for `filters`, each evaluated from the `home` row; a group of filters below a one-to-many
    join that the physical planner gave to a bridge (`bridges`: by that join) reads the bridge instead."""
    catalog = scope.catalog
    direct, groups = split_filters(scope, home, filters)
    out = [counted(scope, home, node, path) if node.counts_related else
           predicate(scope, scope.navigate(home, path), catalog.dimensions[node.dimension], node)
           for node, path in direct]
    for (prefix, edge), items in groups.items():
        anchor = scope.navigate(home, prefix)
        name = bridges.get(edge) if bridges and not prefix else None
        if name is not None:
            rows = bridged_rows(scope.rc, name, edge, items, [exp.Literal.number(1)], anchor.key)
            out.append(exp.Exists(this=rows))
            continue
        inner = Scope(scope.rc, edge.dst)
        root = inner.root
        conds: list[exp.Expr] = [exp.EQ(this=root.column(edge.dst_column),
                                              expression=anchor.column(edge.src_column))]
        for node, rest in items:
            dimension = catalog.dimensions[node.dimension]
            conds.append(predicate(inner, inner.navigate(root, rest), dimension, node))
        from_, joins = inner.finish()
        out.append(exp.Exists(this=select([exp.Literal.number(1)], from_, joins, where=and_(conds))))
    return out


def counted(scope: Scope, home: Instance, node: FilterNode, path: Path) -> exp.Expr:
    """A filter saying how many related rows must match (`match`: none or all), from the `home` row.

    Through a one-to-many join the related rows are those of the last one-to-many entity on the path (with what
    they reach many-to-one): none is NOT EXISTS a matching one; all is EXISTS one AND NOT EXISTS one that does not
    match (a NULL comparison does not match). Without one, the single related row: none is "does not match"."""
    dimension = scope.catalog.dimensions[node.dimension]
    fan = next((i for i, edge in enumerate(path) if edge.fan_out), None)
    if fan is None:
        matches = predicate(scope, scope.navigate(home, path), dimension, node)
        return _is_not_true(matches) if node.match == "none" else matches
    anchor = scope.navigate(home, path[:fan])
    edge, rest = path[fan], path[fan + 1:]

    def related(condition: bool | None) -> exp.Expr:
        """EXISTS a related row (matching when `condition`, not matching when False, either when None)."""
        inner = Scope(scope.rc, edge.dst)
        root = inner.root
        conds: list[exp.Expr] = [exp.EQ(this=root.column(edge.dst_column), expression=anchor.column(edge.src_column))]
        row, last = root, root
        for step in rest:
            row = inner.navigate(row, (step,))
            if step.fan_out:
                last = row
        if last is not root:  # a LEFT JOIN row of nulls is not a related row
            conds.append(exp.Not(this=exp.Is(this=last.key, expression=exp.Null())))
        if condition is not None:
            matches = predicate(inner, row, dimension, node)
            conds.append(matches if condition else _is_not_true(matches))
        from_, joins = inner.finish()
        return exp.Exists(this=select([exp.Literal.number(1)], from_, joins, where=and_(conds)))

    if node.match == "none":
        return exp.Not(this=related(True))
    return exp.And(this=related(None), expression=exp.Not(this=related(False)))


def _is_not_true(condition: exp.Expr) -> exp.Expr:
    """NOT (condition), with NULL (unknown) counted as not matching."""
    return exp.Not(this=exp.Coalesce(this=wrap(condition), expressions=[exp.false()]))


def bridged_rows(rc: RenderContext, name: str, edge: Edge, items: Sequence[tuple[FilterNode, Path]],
                 columns: Sequence[exp.Expr], key: exp.Expr | None, alias: str | None = None) -> exp.Select:
    """SELECT `columns` over the rows of bridge `name` (as `alias`) whose target row passes the group's filters
    (below `edge`, each with its path after it; for source `key`, if given)."""
    bridge = rc.catalog.materializations[name]
    assert isinstance(bridge, Bridge)
    tails = bridge.serves_filters(rc.catalog, edge, items)
    assert tails is not None, "the physical planner chose this bridge for these filters"
    inner = Scope(rc, bridge.target)
    conds = [predicate(inner, inner.navigate(inner.root, tail), rc.catalog.dimensions[node.dimension], node)
             for node, tail in tails]
    return from_bridge(rc, bridge, conds, columns, key, alias or rc.alias("bridge"), inner)


def predicate(scope: Scope, inst: Instance, dimension: Dimension, node: FilterNode) -> exp.Expr:
    if node.op == "search":
        return search_condition(scope, inst, dimension, str(node.values[0]))
    value = scope.dim(inst, dimension)
    if node.on_date:
        bounds = _day_bounds(node.op, node.values)
        if bounds is not None:  # the time itself against midnights: an index on it serves the range
            result = and_(compare(scope.rc, value.copy(), op, (bound,)) for op, bound in bounds)
            assert result is not None
            return result
        value = cast(value, "date")
    return compare(scope.rc, value, node.op, node.values)


def _day_bounds(op: str, values: Sequence[Value]) -> list[tuple[str, dt.datetime]] | None:
    """A comparison of a time's date with dates as comparisons of the time with midnights, else None.

    date(t) >= d is t >= d 00:00; date(t) <= d is t < (d + 1) 00:00; eq and between take both ends.
    """
    days = [v for v in values if isinstance(v, dt.date) and not isinstance(v, dt.datetime)]
    if len(days) != len(values) or not days:
        return None

    def start(day: dt.date, after: int = 0) -> dt.datetime:
        return dt.datetime.combine(day + dt.timedelta(days=after), dt.time())

    try:
        if op in ("ge", "gt", "lt", "le"):
            day = days[0]
            return [{"ge": ("ge", start(day)), "gt": ("ge", start(day, 1)), "lt": ("lt", start(day)),
                     "le": ("lt", start(day, 1))}[op]]
        if op == "eq":
            return [("ge", start(days[0])), ("lt", start(days[0], 1))]
        if op == "between":
            return [("ge", start(days[0])), ("lt", start(days[1], 1))]
    except OverflowError:  # the last representable day: keep the cast
        return None
    return None


def _impossible(value: Value) -> bool:
    """Text with a NUL character: no stored text can contain one (PostgreSQL refuses it as a parameter)."""
    return isinstance(value, str) and "\x00" in value


def compare(rc: RenderContext, value: exp.Expr, op: str, values: Sequence[Value]) -> exp.Expr:
    """`value op values` with every value a bound parameter."""
    if any(_impossible(v) for v in values):
        possible = [v for v in values if not _impossible(v)]
        if op in ("in", "not_in") and possible:
            values = possible
        elif op in ("eq", "in", "contains", "starts_with"):
            return exp.false()
        elif op in ("ne", "not_in"):
            return exp.true()
        else:  # an order comparison: the NUL sorts before everything, as if cut there
            values = [v.split("\x00", 1)[0] if isinstance(v, str) else v for v in values]

    def p(v: Value) -> exp.Expr:
        return rc.params.add(v)

    def is_null(node_: exp.Expr) -> exp.Expr:
        return exp.Is(this=node_, expression=exp.Null())

    value = wrap(value)

    if op == "eq":
        if isinstance(values[0], bool):  # the condition itself (NULL stays NULL): an index can serve its parts
            return value if values[0] else exp.Not(this=value)
        return exp.EQ(this=value, expression=p(values[0]))
    if op == "ne":  # like Cube's notEquals: rows without a value are "not equal" too
        return or_([exp.NEQ(this=value, expression=p(values[0])), is_null(value.copy())])
    if op == "in":
        return exp.In(this=value, expressions=[p(v) for v in values])
    if op == "not_in":
        return or_([exp.Not(this=exp.In(this=value, expressions=[p(v) for v in values])), is_null(value.copy())])
    if op == "contains":
        return rc.dialect.like(value, p(f"%{escape_like(str(values[0]))}%"), True)
    if op == "starts_with":
        return rc.dialect.like(value, p(f"{escape_like(str(values[0]))}%"), True)
    comparisons: dict[str, type[exp.Binary]] = {"gt": exp.GT, "ge": exp.GTE, "lt": exp.LT, "le": exp.LTE}
    if op in comparisons:
        return comparisons[op](this=value, expression=p(values[0]))
    if op == "between":
        return exp.Between(this=value, low=p(values[0]), high=p(values[1]))
    if op == "is_null":
        return is_null(value)
    if op == "not_null":
        return exp.Not(this=is_null(value))
    raise ValueError(f"unknown filter op {op}")
