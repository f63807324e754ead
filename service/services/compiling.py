"""Compiling a query without holding up the event loop: a cached statement is looked up in place; any other
is compiled in the compile lane's threads (service/offload.py), within its CPU budget."""

from __future__ import annotations

from semantic.catalog import Catalog
from semantic.compile import Compiled, cached, compile_query, remember
from semantic.errors import LIMIT_EXCEEDED, QueryError
from semantic.planner.nodes import Context
from semantic.query import Query
from service.offload import COMPILE, OverBudget


async def compile_off_loop(query: Query, catalog: Catalog, ctx: Context, dialect: str = "postgres", *,
                           inline: bool = False, pretty: bool = False, total: int | None = None,
                           budget_ms: int | None = None) -> Compiled:
    """`semantic.compile.compile_query`'s answer; a query that takes longer than `budget_ms` of CPU (default: the
    lane's) to compile is refused with `limit_exceeded` (it would take as long again every time it is sent)."""
    hit = cached(query, catalog, ctx, dialect, inline=inline, pretty=pretty, total=total)
    if hit is not None:
        return hit
    try:
        compiled = await COMPILE.run(lambda: compile_query(query, catalog, ctx, dialect, inline=inline, pretty=pretty,
                                                           total=total, use_cache=False),
                                     budget=budget_ms / 1000 if budget_ms is not None else None)
    except OverBudget as exc:
        raise QueryError(LIMIT_EXCEEDED, f"the query is too complex: compiling it took over {exc.budget:g} s of "
                         "CPU; use fewer measures, filters or values", None, []) from None
    remember(query, catalog, ctx, compiled, dialect, inline=inline, pretty=pretty, total=total)
    return compiled
