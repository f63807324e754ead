"""Compiling a query with or without one of the engine's pre-aggregated sources (rollups, chains), for tests
that compare what a source gives with what the rows give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import semantic.render.sql as render_sql
from semantic.catalog import default_catalog
from semantic.compile import Compiled, compile_query
from semantic.planner.nodes import Context
from semantic.query import Query

AS_OF = dt.date(2025, 11, 26)
LATEST_LOAD = "SELECT as_of, as_of_time, rollups_catalog FROM data_loads ORDER BY version DESC LIMIT 1"


def routed_context(as_of: dt.date = AS_OF, summary_as_of: dt.date | None = AS_OF,
                   built: str | None = None, time: dt.time | None = None) -> Context:
    """A context whose stored rollups and chains were built from this catalog (or from `built`); `time`: as_of
    is that moment of its day (a generated data set's manifest), for the query and the summaries alike."""
    return Context(as_of=as_of, summary_as_of=summary_as_of, as_of_time=time, summary_as_of_time=time,
                   rollups_catalog=default_catalog().fingerprint if built is None else built)


def compile_routed(body: dict[str, Any], ctx: Context | None = None, without: str | None = None) -> Compiled:
    """`body` compiled; `without`: "find_rollup" or "find_chain" never finds one (the rows answer)."""
    query = Query.model_validate(body)
    if without is None:
        return compile_query(query, default_catalog(), ctx or routed_context(), use_cache=False)
    original = getattr(render_sql, without)
    setattr(render_sql, without, lambda rc, agg: None)
    try:
        return compile_query(query, default_catalog(), ctx or routed_context(), use_cache=False)
    finally:
        setattr(render_sql, without, original)
