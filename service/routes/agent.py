"""AI access: the tool definitions generated from the catalog, and questions in plain language."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.agent.ask import AskError, ask
from service.agent.errors import ToolError
from service.agent.models import AskRequest, AskResponse, ToolDefinitions
from service.agent.schemas import function_definitions
from service.agent.service import agent_settings, agent_tools
from service.auth.deps import PrincipalDep
from service.errors_http import ApiError
from service.schemas.errors import ErrorBody

router = APIRouter(tags=["agent"])

ASK_ROLES = ("manager", "agent")


@router.get("/api/catalog/tools", response_model=ToolDefinitions,
            responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
async def catalog_tools(request: Request, principal: PrincipalDep) -> ToolDefinitions:
    """The agent tools as OpenAI and Anthropic function definitions; member fields are enums of the names an
    agent may use."""
    if principal.role not in ASK_ROLES:  # the front desk may not use the analytics tools (nor /api/ask, /mcp)
        raise ApiError(403, "forbidden", f"the {principal.role} role may not do this")
    try:
        catalog = await agent_tools(request, principal).catalog()
    except ToolError as err:
        raise ApiError(503, err.code, err.message, retryable=True) from None
    return ToolDefinitions(**function_definitions(catalog))


@router.post(
    "/api/ask", response_model=AskResponse,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 502: {"model": ErrorBody},
               503: {"model": ErrorBody}, 504: {"model": ErrorBody}},
)
async def ask_question(body: AskRequest, request: Request, principal: PrincipalDep) -> AskResponse:
    """Answer a question with the agent tools (agent scope whatever the caller's role): the answer, every tool
    call with its result, and a suggested chart."""
    if principal.role not in ASK_ROLES:
        raise ApiError(403, "forbidden", f"the {principal.role} role may not do this")
    try:
        result = await ask(body.question, agent_tools(request, principal), agent_settings(request))
    except AskError as err:
        raise ApiError(err.status, err.code, err.message, retryable=err.retryable) from None
    return AskResponse.model_validate({"answer": result.answer, "queries": result.queries, "chart": result.chart,
                                       "steps": result.steps, "stopped_by": result.stopped_by})
