"""The MCP server (official SDK, low-level API): five tools and the catalog resource.

Tool input schemas are generated from the catalog at listing time (agent-visible members as
enums). Which `AgentTools` serves a request is decided by `resolve`: one fixed instance over stdio,
one per API key over HTTP (see `service.agent.http`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from service.agent.errors import ToolError
from service.agent.tools import AgentTools

CATALOG_URI = "catalog://metrics"
INSTRUCTIONS = (
    "Beauty Med Spa analytics over the spa's own data. Call list_metrics first: it names every measure and "
    "dimension you may use and the data's as_of date (its 'today': relative ranges such as last_month resolve "
    "against it, never against the wall clock). Money is in integer cents; rates are fractions. Patient-level "
    "personal data (names, contacts, ids) is never available."
)
READ_ONLY = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                  open_world_hint=False)

Resolver = Callable[[ServerRequestContext[Any, Any]], AgentTools]


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def build_server(resolve: Resolver) -> Server[Any]:
    """A low-level MCP server whose handlers act through the `AgentTools` that `resolve` picks."""

    async def list_tools(ctx: ServerRequestContext[Any, Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        try:
            specs = await resolve(ctx).specs()
        except ToolError as err:
            raise MCPError(types.INTERNAL_ERROR, err.message, err.body()) from None
        return types.ListToolsResult(tools=[
            types.Tool(name=s.name, title=s.title, description=s.description, input_schema=s.input_schema,
                       annotations=READ_ONLY)
            for s in specs
        ])

    async def call_tool(ctx: ServerRequestContext[Any, Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        outcome = await resolve(ctx).call(params.name, params.arguments)
        return types.CallToolResult(content=[types.TextContent(type="text", text=_json(outcome.payload))],
                                    structured_content=outcome.payload, is_error=not outcome.ok)

    async def list_resources(ctx: ServerRequestContext[Any, Any],
                             params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[types.Resource(
            name="catalog", title="Metrics catalog", uri=CATALOG_URI, mime_type="application/json",
            description="Every measure and dimension the agent may query, with units, grouping and as_of.",
        )])

    async def read_resource(ctx: ServerRequestContext[Any, Any],
                            params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        if str(params.uri) != CATALOG_URI:
            raise MCPError(types.INVALID_PARAMS, f"no resource {params.uri}; the catalog is {CATALOG_URI}")
        outcome = await resolve(ctx).call("list_metrics", {})
        if not outcome.ok:
            raise MCPError(types.INTERNAL_ERROR, str(outcome.payload["error"]["message"]), outcome.payload)
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=CATALOG_URI, mime_type="application/json", text=_json(outcome.payload))])

    return Server(
        "medspa", version="0.1.0", title="Beauty Med Spa analytics", instructions=INSTRUCTIONS,
        on_list_tools=list_tools, on_call_tool=call_tool,
        on_list_resources=list_resources, on_read_resource=read_resource,
    )
