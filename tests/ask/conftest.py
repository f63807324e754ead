"""Fixtures of the Ask tests: /api/ask on the shared client app with no language model configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.agent.settings import AgentSettings


@pytest.fixture
def no_model(client_api: TestClient) -> Iterator[TestClient]:
    """The shared manager client, its app told that no model is configured (whatever the environment says)."""
    state = client_api.app.state  # type: ignore[attr-defined]
    state.agent_settings = AgentSettings(llm_base_url=None, llm_api_key=None, llm_model=None, _env_file=None)
    try:
        yield client_api
    finally:
        del state.agent_settings
