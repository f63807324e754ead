"""Per-request wiring for the agent routes: the app's shared catalog cache and an agent-scoped toolset."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from service.agent.inprocess import InProcessApi
from service.agent.settings import AgentSettings
from service.agent.tools import AgentTools, CatalogCache
from service.auth.principal import Principal


def agent_principal(principal: Principal) -> Principal:
    """The caller, narrowed to the agent role: whoever asks, the tools see what an agent may see."""
    return Principal(actor=principal.actor, role="agent", kind=principal.kind)


def agent_tools(request: Request, principal: Principal) -> AgentTools:
    state: Any = request.app.state
    cache = getattr(state, "agent_catalog_cache", None)
    if cache is None:
        cache = state.agent_catalog_cache = CatalogCache()
    return AgentTools(InProcessApi(request.app, agent_principal(principal)), cache)


def agent_settings(request: Request) -> AgentSettings:
    """`app.state.agent_settings` when set (tests, embedding), else the environment and `.env`."""
    configured = getattr(request.app.state, "agent_settings", None)
    return configured if isinstance(configured, AgentSettings) else AgentSettings()
