"""POST /api/query and /api/query/sql: the semantic query contract (logic in service.services.query)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi import Query as QueryParam

from semantic import Query
from service.auth.patient_access import query_audit_action
from service.deps import QueryContextDep
from service.schemas.errors import ErrorBody
from service.services.agent_queries import run_agent_query
from service.services.audit import audit
from service.services.query import catalog_for, explain_query, run_query, scope_for
from service.services.query_models import QueryResponse, SqlResponse

router = APIRouter(prefix="/api/query", tags=["query"])

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "The query is refused: unknown_member, invalid_grouping, ..."},
    401: {"model": ErrorBody}, 422: {"model": ErrorBody, "description": "The body is not a query."},
    503: {"model": ErrorBody, "description": "The database is unavailable (retryable)."},
}


@router.post("", response_model=QueryResponse, responses=ERRORS)
async def query(body: Query, request: Request, ctx: QueryContextDep) -> Response:
    """Run a semantic query: measures by dimensions over time, filtered, ordered and paged."""
    principal, catalog = ctx.principal, catalog_for(ctx.settings)
    if scope_for(principal.role) == "agent":  # rate-limited and audited whole (service/services/agent_queries.py)
        answer = await run_agent_query(request, ctx, body)
        return Response(content=answer.model_dump_json(), media_type="application/json")
    # patient searches and listings are audited (service/auth/patient_access.py) before rows leave, as the
    # connecting user, after the read; any other read's transaction is ended after the answer is sent
    action = query_audit_action(body, catalog)
    result = await run_query(ctx.engine, ctx.settings, body, scope_for(principal.role), ctx.conn, ctx.state,
                             keep_open=action is None)
    if action is not None:
        await audit(request, principal, action, row_count=len(result.rows), conn=ctx.conn)
    return Response(content=result.model_dump_json(), media_type="application/json")


@router.post("/sql", response_model=SqlResponse, responses=ERRORS)
async def sql(body: Query, ctx: QueryContextDep,
              dialect: Literal["postgres", "duckdb"] = QueryParam("postgres")) -> SqlResponse:
    """Validate a query and return the SQL it runs (values inlined for reading; `params` as bound)."""
    return await explain_query(ctx.engine, ctx.settings, body, scope_for(ctx.principal.role), dialect, ctx.state)
