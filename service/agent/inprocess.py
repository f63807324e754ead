"""Calling the API's own endpoints in-process (httpx over ASGI) as a given principal.

The principal is placed in the request's ASGI `state`, where `current_principal` looks first, so
these calls go through exactly the same routes, validation and role checks as an HTTP client's,
without a key or a socket. Only code in this process can do this: nothing from the network can
set ASGI state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.principal import Principal

INTERNAL_BASE_URL = "http://medspa.internal"


class _AsPrincipal:
    """ASGI wrapper that authenticates every request as `principal`."""

    def __init__(self, app: ASGIApp, principal: Principal) -> None:
        self.app = app
        self.principal = principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "state": {**scope.get("state", {}), "principal": self.principal}}
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class ApiReply:
    """An endpoint's answer: HTTP status and decoded JSON body."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class InProcessApi:
    """GET/POST against the app's own routes as `principal` (no network, no key)."""

    def __init__(self, app: ASGIApp, principal: Principal, *, timeout: float = 60.0) -> None:
        self.principal = principal
        self._transport = httpx.ASGITransport(app=_AsPrincipal(app, principal))
        self._timeout = timeout

    async def get(self, path: str) -> ApiReply:
        return await self._send("GET", path, None)

    async def post(self, path: str, body: Any) -> ApiReply:
        return await self._send("POST", path, body)

    async def _send(self, method: str, path: str, body: Any) -> ApiReply:
        async with httpx.AsyncClient(transport=self._transport, base_url=INTERNAL_BASE_URL,
                                     timeout=self._timeout) as client:
            response = await client.request(method, path, json=body)
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": {"code": "bad_response", "message": f"{method} {path} answered "
                                 f"{response.status_code} without JSON", "path": None, "suggestions": []}}
        return ApiReply(response.status_code, payload)
