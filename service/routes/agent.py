"""AI access: the tool definitions generated from the catalog, and questions in plain language."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.agent.ask import AskError, ask
from service.agent.errors import ToolError
from service.agent.models import AskRequest, AskResponse, ToolDefinitions
from service.agent.schemas import function_definitions
from service.agent.service import agent_settings, agent_tools
from service.ask.service import ask_with_parser
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
    """Answer a question in plain words: the answer, every query with its result, and a suggested chart. With a
    language model configured, the model answers with the agent tools (agent scope whatever the caller's role);
    without one, the built-in parser answers with the caller's role (`engine`, `interpretation`)."""
    if principal.role not in ASK_ROLES:
        raise ApiError(403, "forbidden", f"the {principal.role} role may not do this")
    if not agent_settings(request).configured:
        return AskResponse.model_validate(await ask_with_parser(body.question, request.app, principal))
    try:
        result = await ask(body.question, agent_tools(request, principal), agent_settings(request))
    except AskError as err:
        raise ApiError(err.status, err.code, err.message, retryable=err.retryable) from None
    return AskResponse.model_validate({"answer": result.answer, "queries": result.queries, "chart": result.chart,
                                       "steps": result.steps, "stopped_by": result.stopped_by, "engine": "llm"})
