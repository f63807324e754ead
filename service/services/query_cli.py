"""`medspa query`: the API's own routes called in-process, so the command prints exactly the HTTP body."""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.principal import LOCAL_MANAGER, Principal
from service.settings import Settings


class _Local:
    """ASGI wrapper that authenticates each request as the local command line (in-process only)."""

    def __init__(self, app: ASGIApp, principal: Principal) -> None:
        self.app = app
        self.principal = principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "state": {**scope.get("state", {}), "principal": self.principal}}
        await self.app(scope, receive, send)


async def post_in_process(settings: Settings, path: str, body: str, params: dict[str, str] | None = None,
                          principal: Principal = LOCAL_MANAGER) -> tuple[int, str]:
    """POST `body` (JSON text) to `path` on a fresh app; returns (HTTP status, response text)."""
    from service.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=_Local(app, principal))
        async with httpx.AsyncClient(transport=transport, base_url="http://medspa.local", timeout=120) as client:
            response = await client.post(path, content=body.encode(), params=params,
                                         headers={"content-type": "application/json"})
    return response.status_code, response.text
