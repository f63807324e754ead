"""Schemathesis against /openapi.json, in-process, signed in as a manager: no 5xx on any generated input,
and every refusal in the contract's error shape.

Bounded for `make test`: 30 examples per operation, valid and invalid inputs. Left out: `POST /api/auth/logout`
(it would end the manager's session the other cases use; tests/auth covers it) and `/mcp` (not in the
OpenAPI document; tests/agent drives it with the MCP SDK). `POST /api/ask` is included without a model
configured: the built-in parser answers any text with a 200.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode

from tests.security.conftest import Callers

MAX_EXAMPLES = 30
ALLOWED_5XX: dict[tuple[str, str], tuple[int, str]] = {}


def _load_schema() -> Any:
    """The app's OpenAPI document (building the app needs no database; the cases run against `callers`).
    Loaded at import: schemathesis's fixture-based loader does not work with pytest 9."""
    from service.app import create_app
    from service.settings import Settings

    document = create_app(Settings(database_url="postgresql://127.0.0.1:1/unused")).openapi()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


schema = _load_schema()


def _send(callers: Callers, kwargs: dict[str, Any]) -> Any:
    """The case as a request through the suite's own TestClient (its app and lifespan), as a manager."""
    callers.client.cookies.clear()
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body["content"] = data if isinstance(data, bytes | str) else None
        if body["content"] is None:
            body = {"data": data}
    return callers.client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"),
        headers={**(kwargs.get("headers") or {}), **callers.headers["manager"]}, **body)


@schema.exclude(method="POST", path="/api/auth/logout").parametrize()  # type: ignore[untyped-decorator]
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, callers: Callers) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    response = _send(callers, kwargs)
    where = f"{case.method} {case.path}"
    if response.status_code >= 500:
        allowed = ALLOWED_5XX.get((case.method, case.path))
        code = response.json().get("error", {}).get("code") if response.content else None
        assert allowed == (response.status_code, code), f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        error = response.json()["error"]  # every refusal in the contract's shape
        assert isinstance(error["code"], str) and isinstance(error["message"], str), f"{where}: {response.text}"
        assert "Traceback" not in response.text
