"""POST /api/query and /api/query/sql: the semantic query contract (logic in service.services.query)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi import Query as QueryParam

from semantic.query import Query
from service.auth.deps import PrincipalDep
from service.auth.patient_access import audit_query
from service.deps import EngineDep, SettingsDep
from service.schemas.errors import ErrorBody
from service.services.query import catalog_for, explain_query, run_query, scope_for
from service.services.query_models import QueryResponse, SqlResponse

router = APIRouter(prefix="/api/query", tags=["query"])

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "The query is refused: unknown_member, invalid_grouping, ..."},
    401: {"model": ErrorBody}, 422: {"model": ErrorBody, "description": "The body is not a query."},
    503: {"model": ErrorBody, "description": "The database is unavailable (retryable)."},
}


@router.post("", response_model=QueryResponse, responses=ERRORS)
async def query(body: Query, request: Request, engine: EngineDep, settings: SettingsDep,
                principal: PrincipalDep) -> Response:
    """Run a semantic query: measures by dimensions over time, filtered, ordered and paged."""
    result = await run_query(engine, settings, body, scope_for(principal.role))
    # patient searches and listings are audited (service/auth/patient_access.py) before rows leave
    await audit_query(request, principal, body, catalog_for(settings), len(result.rows))
    return Response(content=result.model_dump_json(), media_type="application/json")


@router.post("/sql", response_model=SqlResponse, responses=ERRORS)
async def sql(body: Query, engine: EngineDep, settings: SettingsDep, principal: PrincipalDep,
              dialect: Literal["postgres", "duckdb"] = QueryParam("postgres")) -> SqlResponse:
    """Validate a query and return the SQL it runs (values inlined for reading; `params` as bound)."""
    return await explain_query(engine, settings, body, scope_for(principal.role), dialect)
