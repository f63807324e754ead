"""`medspa mcp`: the MCP server over stdio, acting as the local agent (no key needed on this machine)."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.stdio import stdio_server

from service.agent.inprocess import InProcessApi
from service.agent.mcp_server import build_server
from service.agent.tools import AgentTools
from service.auth.principal import LOCAL_AGENT
from service.settings import Settings


async def serve_stdio(settings: Settings) -> None:
    """Serve until stdin closes. The app (and its database engine) starts inside the stdio context, so
    nothing it prints at start-up can reach the protocol stream."""
    from service.app import create_app

    async with stdio_server() as (read_stream, write_stream):
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            tools = AgentTools(InProcessApi(app, LOCAL_AGENT))

            def resolve(_: Any) -> AgentTools:
                return tools

            server = build_server(resolve)
            await server.run(read_stream, write_stream, server.create_initialization_options())


def run_stdio(settings: Settings) -> None:
    anyio.run(serve_stdio, settings)
