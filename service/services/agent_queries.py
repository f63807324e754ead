"""An agent's query: rate-limited per key and audited whole, answered or refused.

Agent keys are a trusted integration, but what a language model does with them is not in our hands: two
answers can be subtracted (docs/security.md). So each key may run `AGENT_RATE_LIMIT` queries an hour
(a differencing campaign is slow), and every query it sends is on the audit trail with the query as sent,
the rows returned and the rows suppressed, or the error code when it was refused (it is on record).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from semantic.errors import QueryError
from semantic.query import Query
from service.deps import QueryContext
from service.errors_http import ApiError
from service.services.audit import audit
from service.services.query import run_query
from service.services.query_models import QueryResponse

ACTION = "agent_query"
WINDOW_SECONDS = 3600.0


def _recorded(query: Query, error: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"query": query.model_dump(mode="json", exclude_unset=True)}
    if error is not None:
        detail["error"] = error
    return detail


async def run_agent_query(request: Request, ctx: QueryContext, query: Query) -> QueryResponse:
    """Answer an agent's query in the agent scope: refused past the key's hourly limit (429), audited either way."""
    limiter = request.app.state.agent_limiter
    actor = ctx.principal.actor
    wait = limiter.retry_after(actor)
    if wait > 0:
        raise ApiError(429, "rate_limited", f"this agent key has run {limiter.attempts} queries in the last hour; "
                       f"try again in {int(wait) + 1} s", retryable=True)
    limiter.hit(actor)
    try:
        result = await run_query(ctx.engine, ctx.settings, query, "agent", ctx.conn, ctx.state)
    except QueryError as err:
        await audit(request, ctx.principal, ACTION, conn=ctx.conn, detail=_recorded(query, err.code))
        raise
    await audit(request, ctx.principal, ACTION, row_count=len(result.rows), conn=ctx.conn, detail=_recorded(query),
                suppressed_rows=result.meta.suppressed_rows)
    return result
