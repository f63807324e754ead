"""The MCP server over streamable HTTP at `/mcp`, for remote MCP clients holding an agent API key.

Stateless JSON mode: every POST is answered on its own, so nothing is kept between requests and
any API worker can serve any call. The key is checked before the MCP transport sees the request.
The MCP SDK is imported when the app starts serving, not when it is built (`medspa openapi` and
friends stay fast).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.deps import current_principal
from service.errors_http import ApiError

MCP_PATH = "/mcp"


class _AgentKeyGuard:
    """Admits only `Authorization: Bearer <key>` of an API key with the agent role, then hands over to MCP."""

    def __init__(self) -> None:
        self.inner: ASGIApp | None = None  # set while the app's lifespan runs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            if self.inner is None:
                raise ApiError(503, "mcp_unavailable", "the MCP endpoint is starting or stopping; retry",
                               retryable=True)
            if not request.headers.get("authorization", "").lower().startswith("bearer "):
                raise ApiError(401, "unauthenticated",
                               "the MCP endpoint needs an agent API key: Authorization: Bearer <key> "
                               "(create one with `medspa keys create --role agent`)")
            principal = await current_principal(request)  # leaves the principal in the request's state
            if principal.role != "agent":
                raise ApiError(403, "forbidden", f"the MCP endpoint takes agent keys; this key's role is "
                                                 f"{principal.role}")
        except ApiError as err:
            headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
            await JSONResponse(err.body(), status_code=err.status, headers=headers)(scope, receive, send)
            return
        await self.inner(scope, receive, send)


def _start(app: FastAPI) -> tuple[Any, ASGIApp]:
    """The MCP session manager and its ASGI app, acting for the key's principal through `app`."""
    import mcp_types as types
    from mcp.server.context import ServerRequestContext
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings
    from mcp.shared.exceptions import MCPError

    from service.agent.inprocess import InProcessApi
    from service.agent.mcp_server import build_server
    from service.agent.tools import AgentTools, CatalogCache
    from service.auth.principal import Principal

    cache = CatalogCache()

    def resolve(ctx: ServerRequestContext[Any, Any]) -> AgentTools:
        principal = getattr(getattr(ctx.request, "state", None), "principal", None)
        if not isinstance(principal, Principal) or principal.role != "agent":
            raise MCPError(types.INVALID_REQUEST, "not authenticated as an agent")
        return AgentTools(InProcessApi(app, principal), cache)

    manager = StreamableHTTPSessionManager(
        app=build_server(resolve), json_response=True, stateless=True,
        # The bearer key is the protection here; a DNS-rebinding page cannot know it.
        security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return manager, StreamableHTTPASGIApp(manager)


def mount_mcp(app: FastAPI, path: str = MCP_PATH) -> None:
    """Serve the MCP tools at `path`; the MCP session manager runs inside the app's lifespan."""
    guard = _AgentKeyGuard()
    app.router.routes.append(Route(path, endpoint=guard))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            manager, guard.inner = _start(app)
            try:
                async with manager.run():
                    yield state
            finally:
                guard.inner = None

    app.router.lifespan_context = lifespan
