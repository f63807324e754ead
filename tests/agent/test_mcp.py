"""The MCP server driven by the official SDK's own clients: `medspa mcp` over stdio, and /mcp over HTTP."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import uvicorn
from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import TextContent, TextResourceContents

from service.agent.schemas import TOOL_NAMES

REPO = Path(__file__).resolve().parents[2]
MEDSPA = Path(sys.executable).parent / "medspa"
REVENUE_BY_SOURCE = {"measures": ["revenue"], "dimensions": ["patient.source"]}


def _by_source(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: str(r["patient.source"]))


async def test_medspa_mcp_over_stdio(client_api: TestClient, client_db_url: str) -> None:
    expected = client_api.post("/api/query", json=REVENUE_BY_SOURCE)
    assert expected.status_code == 200, expected.text
    params = StdioServerParameters(command=str(MEDSPA), args=["mcp"], cwd=str(REPO),
                                   env={"DATABASE_URL": client_db_url})
    async with Client(params, read_timeout_seconds=60) as client:
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == sorted(TOOL_NAMES)
        query_tool = next(t for t in tools.tools if t.name == "query")
        assert "patient.name" not in query_tool.input_schema["properties"]["dimensions"]["items"]["enum"]
        assert "patient.source" in query_tool.input_schema["properties"]["dimensions"]["items"]["enum"]

        result = await client.call_tool("query", REVENUE_BY_SOURCE)
        assert not result.is_error, result.content
        assert _by_source(result.structured_content["rows"]) == _by_source(expected.json()["rows"])
        text = result.content[0]
        assert isinstance(text, TextContent)
        assert json.loads(text.text)["rows"] == result.structured_content["rows"]

        refused = await client.call_tool("query", {"measures": ["revenue"], "dimensions": ["patient.name"]})
        assert refused.is_error
        assert refused.structured_content["error"]["code"] == "forbidden_member"

        catalog = await client.read_resource("catalog://metrics")
        contents = catalog.contents[0]
        assert isinstance(contents, TextResourceContents)
        listed = json.loads(contents.text)
        assert listed["as_of"] == "2025-11-26"
        names = {m["name"] for m in listed["measures"]} | {d["name"] for d in listed["dimensions"]}
        assert "revenue" in names and "patient.source" in names and "patient.name" not in names


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_api(client_db_url: str) -> Iterator[str]:
    """The API served by uvicorn on 127.0.0.1 (a thread), for HTTP clients that need a real socket."""
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(database_url=client_db_url), url=client_db_url)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(10)


async def test_mcp_over_http_with_an_agent_key(live_api: str, agent_key: str, client_api: TestClient) -> None:
    expected = client_api.post("/api/query", json=REVENUE_BY_SOURCE).json()
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {agent_key}"}, timeout=30) as http, \
            Client(streamable_http_client(f"{live_api}/mcp", http_client=http)) as client:
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == sorted(TOOL_NAMES)
        result = await client.call_tool("query", REVENUE_BY_SOURCE)
        assert not result.is_error, result.content
        assert _by_source(result.structured_content["rows"]) == _by_source(expected["rows"])
        refused = await client.call_tool("describe_member", {"name": "patient.email"})
        assert refused.is_error and refused.structured_content["error"]["code"] == "forbidden_member"


def test_mcp_over_http_needs_an_agent_key(live_api: str, client_db_url: str, make_key) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    anonymous = httpx.post(f"{live_api}/mcp", json=ping)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    wrong = httpx.post(f"{live_api}/mcp", json=ping, headers={"Authorization": "Bearer msk_nope"})
    assert wrong.status_code == 401
    manager_key = make_key(client_db_url, "manager")
    manager = httpx.post(f"{live_api}/mcp", json=ping, headers={"Authorization": f"Bearer {manager_key}"})
    assert manager.status_code == 403 and manager.json()["error"]["code"] == "forbidden"
