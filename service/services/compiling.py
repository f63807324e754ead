"""Compiling a query without holding up the event loop: a cached statement is looked up in place; a small
query is compiled in the compile lane's threads (service/offload.py, a few milliseconds); a large one (many
members, filters or values: hundreds of milliseconds of pure Python) in the worker's compile process at a lower
priority (service/process_lane.py), so it neither holds the worker's GIL nor delays the small ones. Either way
within a CPU budget (`Settings.compile_budget_ms`), past which the query is refused with `limit_exceeded`."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from semantic import (
    LIMIT_EXCEEDED,
    Catalog,
    Compiled,
    Context,
    Query,
    QueryError,
    cached_compile,
    compile_query,
    default_catalog,
    remember_compiled,
    values_of,
)
from service.offload import COMPILE, OverBudget
from service.process_lane import ProcessLane

# A query within all of these compiles in a few milliseconds: the UI's own (the patient table's 18 columns with
# its filters, 2 ms; the KPI row's 7 measures) stay in the worker, never queued behind large ones.
SMALL_MEMBERS, SMALL_FILTERS, SMALL_VALUES = 24, 10, 100


def _warm() -> None:
    """In the compile process at its start: the catalog parsed and sqlglot's generator loaded before any query."""
    default_catalog()


COMPILE_PROCESS = ProcessLane("large compile", processes=1, queue=10, budget=2.0, warm=_warm)


def is_small(query: BaseModel) -> bool:
    members = len(getattr(query, "measures", [])) + len(getattr(query, "dimensions", []))
    conditions = [*getattr(query, "filters", []), *getattr(query, "having", [])]
    values = sum(values_of(c) for c in conditions)
    return members <= SMALL_MEMBERS and len(conditions) <= SMALL_FILTERS and values <= SMALL_VALUES


def _compile_elsewhere(query: Query, metrics_file: str, ctx: Context, dialect: str, inline: bool,
                       pretty: bool) -> tuple[str, Compiled]:
    """In the compile process: (the catalog's fingerprint, the compiled query)."""
    catalog = default_catalog(metrics_file)
    compiled = compile_query(query, catalog, ctx, dialect, inline=inline, pretty=pretty, use_cache=False)
    return catalog.fingerprint, compiled


async def compile_off_loop(query: Query, catalog: Catalog, ctx: Context, dialect: str = "postgres", *,
                           inline: bool = False, pretty: bool = False,
                           budget_ms: int | None = None, metrics_file: Path | None = None) -> Compiled:
    """`semantic.compile.compile_query`'s answer; a query that takes longer than `budget_ms` of CPU (default: the
    lanes') to compile is refused with `limit_exceeded` (it would take as long again every time it is sent).
    `metrics_file`: where `catalog` was read from (a large query is compiled in a process that reads it too)."""
    hit = cached_compile(query, catalog, ctx, dialect, inline=inline, pretty=pretty)
    if hit is not None:
        return hit
    budget = budget_ms / 1000 if budget_ms is not None else None
    compiled: Compiled | None = None
    try:
        if metrics_file is not None and not is_small(query):
            fingerprint, elsewhere = await COMPILE_PROCESS.run(
                _compile_elsewhere, query, str(metrics_file), ctx, dialect, inline, pretty, budget=budget)
            compiled = elsewhere if fingerprint == catalog.fingerprint else None  # the file changed meanwhile
        if compiled is None:
            compiled = await COMPILE.run(lambda: compile_query(query, catalog, ctx, dialect, inline=inline,
                                                               pretty=pretty, use_cache=False),
                                         budget=budget)
    except OverBudget as exc:
        raise QueryError(LIMIT_EXCEEDED, f"the query is too complex: compiling it took over {exc.budget:g} s of "
                         "CPU; use fewer measures, filters or values", None, []) from None
    remember_compiled(query, catalog, ctx, compiled, dialect, inline=inline, pretty=pretty)
    return compiled
