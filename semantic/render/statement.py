"""Plan -> statements: the page (and, for a listing, its count; in the agent scope, the patients in all), each a
sqlglot tree with its bound values, the shared per-row computations prepended as CTEs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from semantic.catalog.catalog import Catalog
from semantic.planner.nodes import Context, MeasurePlan, Planned
from semantic.render.combine import MeasureRenderer
from semantic.render.context import RenderContext
from semantic.render.dialects import Dialect, cast
from semantic.render.listing import ListingRenderer
from semantic.render.params import Params
from semantic.render.scope import Scope
from semantic.render.sqlbuild import alias, select, subquery, union, with_ctes
from semantic.render.subjoins import shared_ctes


@dataclass(frozen=True)
class Counted:
    """A statement of one row: a listing's count, or the agent scope's patients in all."""

    tree: exp.Expr
    params: tuple[object, ...]


@dataclass(frozen=True)
class Rendered:
    tree: exp.Expr
    params: tuple[object, ...]
    columns: tuple[str, ...]  # result column aliases c0, c1 ... in `Planned.columns` order
    count: Counted | None = None  # listings: the statement that counts every row (no window in `tree`)
    keyset: tuple[int, ...] | None = None  # listings of root rows: the key-order values' columns in a record
    # the agent scope: `tree`'s records end with the suppression tally; this counts the patients in all
    audience: Counted | None = None


def _statement(catalog: Catalog, ctx: Context, dialect: Dialect, inline: bool,
               build: Callable[[RenderContext], exp.Expr | None]) -> Counted | None:
    """A statement of its own (own parameters, aliases and shared computations)."""
    params = Params(inline=inline, text_type=dialect.text_type)
    rc = RenderContext(catalog, ctx, dialect, params)
    tree = build(rc)
    if tree is None:
        return None
    return Counted(with_ctes(tree, shared_ctes(rc)), tuple(params.values))


def render(planned: Planned, catalog: Catalog, ctx: Context, dialect: Dialect, inline: bool = False) -> Rendered:
    params = Params(inline=inline, text_type=dialect.text_type)
    rc = RenderContext(catalog, ctx, dialect, params)
    plan = planned.plan
    count: Counted | None = None
    keyset: tuple[int, ...] | None = None
    audience: Counted | None = None
    if isinstance(plan, MeasurePlan):
        tree, columns = MeasureRenderer(rc).measure_plan(plan, planned)
        if plan.min_group_size:
            audience = _statement(catalog, ctx, dialect, inline, lambda other: MeasureRenderer(other).audience(plan))
    else:
        tree, columns, keyset = ListingRenderer(rc).list_plan(plan, planned)
        count = _statement(catalog, ctx, dialect, inline, lambda other: ListingRenderer(other).list_count(plan))
    return Rendered(with_ctes(tree, shared_ctes(rc)), tuple(params.values), tuple(columns), count, keyset,
                    audience=audience)


def render_spans(catalog: Catalog, ctx: Context, dialect: Dialect, names: list[str]) -> Rendered:
    """min and max of each time dimension (the data's date span), one row per dimension."""
    params = Params(text_type=dialect.text_type)
    rc = RenderContext(catalog, ctx, dialect, params)
    branches: list[exp.Expr] = []
    for name in names:
        dimension = catalog.dimensions[name]
        scope = Scope(rc, dimension.entity)
        value = cast(scope.dim(scope.root, dimension), "timestamp")
        from_, joins = scope.finish()
        branches.append(select([alias(exp.Literal.string(name), "name"), alias(exp.Min(this=value), "lo"),
                                alias(exp.Max(this=value.copy()), "hi")], from_, joins))
    tree = select([exp.Star()], subquery(union(branches), "spans"))
    return Rendered(with_ctes(tree, shared_ctes(rc)), tuple(params.values), ("name", "lo", "hi"))
