"""An agent's query: rate-limited per key and audited whole, answered or refused.

Agent keys are a trusted integration, but what a language model does with them is not in our hands: two
answers can be subtracted (docs/security.md). So each key may run `AGENT_RATE_LIMIT` queries an hour
(a differencing campaign is slow), and every query it sends is on the audit trail with the query as sent,
the rows returned and the rows suppressed, or the error code when it was refused (it is on record).
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from fastapi import Request

from semantic import Query, QueryError
from service.deps import QueryContext
from service.errors_http import ApiError
from service.services.audit import audit
from service.services.query import Gate, run_query
from service.services.query_models import QueryResponse
from service.services.suppression import Population, differ_by_few, too_few

ACTION = "agent_query"
WINDOW_SECONDS = 3600.0


def _recorded(query: Query, error: str | None = None, population: Population | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"query": query.model_dump(mode="json", exclude_unset=True)}
    if error is not None:
        detail["error"] = error
    if population is not None:
        detail["population"] = population.as_json()
    return detail


async def _recent(conn: asyncpg.Connection, actor: str) -> list[Population]:
    """The populations of the queries this key was answered in the last hour (newest first)."""
    rows = await conn.fetch(
        "SELECT detail -> 'population' AS population FROM audit_events WHERE actor = $1 AND action = $2 "
        "AND at > now() - interval '1 hour' AND detail ? 'population' AND NOT detail ? 'error' "
        "ORDER BY id DESC LIMIT 2000", actor, ACTION)
    found = [Population.from_json(_decoded(row["population"])) for row in rows]
    return [p for p in found if p is not None]


def _decoded(value: object) -> object:
    """A jsonb value as the connection returns it: text, or already decoded where a codec is set."""
    return json.loads(value) if isinstance(value, str) else value


def _gate(conn: asyncpg.Connection, actor: str, k: int, seen: list[Population]) -> Gate:
    """Refuse a query whose patients differ from one this key was answered in the last hour by 1 to k-1: the two
    answers' difference would describe those few ("all patients" and "all but the top spender"; a range and
    the same range a day shorter)."""

    async def gate(population: Population) -> None:
        seen.append(population)
        for earlier in await _recent(conn, actor):
            if differ_by_few(population, earlier, k):
                raise too_few(k)  # the same words as a query of fewer than k (service/services/suppression.py)

    return gate


async def run_agent_query(request: Request, ctx: QueryContext, query: Query) -> QueryResponse:
    """Answer an agent's query in the agent scope: refused past the key's hourly limit (429), audited either way."""
    limiter = request.app.state.agent_limiter
    actor = ctx.principal.actor
    wait = limiter.retry_after(actor)
    if wait > 0:
        raise ApiError(429, "rate_limited", f"this agent key has run {limiter.attempts} queries in the last hour; "
                       f"try again in {int(wait) + 1} s", retryable=True)
    limiter.hit(actor)
    seen: list[Population] = []
    gate = _gate(ctx.conn, actor, ctx.settings.agent_min_group_size, seen) if ctx.conn is not None else None
    try:
        result = await run_query(ctx.engine, ctx.settings, query, "agent", ctx.conn, ctx.state, gate=gate)
    except QueryError as err:
        await audit(request, ctx.principal, ACTION, conn=ctx.conn, detail=_recorded(query, err.code))
        raise
    population = seen[0] if seen else None
    await audit(request, ctx.principal, ACTION, row_count=len(result.rows), conn=ctx.conn,
                detail=_recorded(query, population=population), suppressed_rows=result.meta.suppressed_rows)
    return result
