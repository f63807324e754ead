"""Fixtures of the agent tests: an agent API key over the client's export, and model settings for /api/ask."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from service.agent.inprocess import InProcessApi
from service.agent.settings import AgentSettings
from service.agent.tools import AgentTools
from service.auth.principal import LOCAL_AGENT, Principal
from tests.conftest import create_key


@pytest.fixture(scope="session")
def make_key():
    """`make_key(url, role)` -> a new API key (the secret) in the database at `url`."""
    counter = iter(range(1_000_000))
    return lambda url, role="agent": create_key(url, f"test-{role}-{next(counter)}", role)


@pytest.fixture(scope="session")
def agent_key(client_db_url: str, make_key) -> str:
    key: str = make_key(client_db_url, "agent")
    return key


@pytest.fixture
def with_llm(client_api: TestClient):
    """`with with_llm(base_url=..., **limits):` points the shared client app's /api/ask at a model."""

    @contextmanager
    def configure(base_url: str | None, **overrides: object) -> Iterator[AgentSettings]:
        values: dict[str, object] = {"llm_base_url": base_url, "llm_api_key": "test-key" if base_url else None,
                                     "llm_model": "fake-model" if base_url else None, **overrides}
        settings = AgentSettings(**values)  # type: ignore[arg-type]
        app_state = client_api.app.state  # type: ignore[attr-defined]
        app_state.agent_settings = settings
        try:
            yield settings
        finally:
            del app_state.agent_settings

    return configure


@pytest.fixture(scope="module")
def run_tool(client_api: TestClient):
    """(`run(name, arguments)` -> ToolOutcome, `catalog()` -> AgentCatalog): the agent tools in-process, on
    the shared client app's own event loop (its database pool lives there)."""
    return tools_as(client_api, LOCAL_AGENT)


def tools_as(client_api: TestClient, principal: Principal):  # type: ignore[no-untyped-def]
    """`run_tool`'s pair, acting as `principal` (an agent session of its own: the differencing check compares
    an actor's queries with its own earlier ones)."""
    tools = AgentTools(InProcessApi(client_api.app, principal))
    portal = client_api.portal
    assert portal is not None  # set while the TestClient is entered
    return (lambda name, arguments: portal.call(tools.call, name, arguments)), (lambda: portal.call(tools.catalog))
