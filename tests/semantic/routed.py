"""Compiling a query with or without the engine's materializations (pre-aggregations, chains, bridges), for tests
that compare what a materialization gives with what the rows give. The choice is a planner option
(`Context.sources`), never a patch of the engine."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from semantic import Compiled, Context, Query, compile_query, default_catalog

AS_OF = dt.date(2025, 11, 26)
LATEST_LOAD = "SELECT as_of, as_of_time, built_from FROM data_loads ORDER BY version DESC LIMIT 1"


def routed_context(as_of: dt.date = AS_OF, summary_as_of: dt.date | None = AS_OF,
                   built: str | None = None, time: dt.time | None = None) -> Context:
    """A context whose stored materializations were built from this catalog (or from `built`); `time`: as_of is
    that moment of its day (a generated data set's manifest), for the query and the summaries alike."""
    return Context(as_of=as_of, summary_as_of=summary_as_of, as_of_time=time, summary_as_of_time=time,
                   built_from=default_catalog().fingerprint if built is None else built)


def sources_without(kind: str) -> tuple[str, ...]:
    """Every materialization but those of `kind` (pre_aggregation, chain, bridge)."""
    return tuple(m.name for m in default_catalog().materializations.values() if m.kind != kind)


def compile_routed(body: dict[str, Any], ctx: Context | None = None, without: str | None = None) -> Compiled:
    """`body` compiled; `without`: a kind of materialization the planner may not read (the rows answer)."""
    ctx = ctx or routed_context()
    if without is not None:
        ctx = dataclasses.replace(ctx, sources=sources_without(without))
    return compile_query(Query.model_validate(body), default_catalog(), ctx, use_cache=False)
