"""Read timeouts for slow clients (slowloris): a connection must deliver a request's headers within
`Settings.header_timeout_s` of its first byte (or of opening, when it sends none), and its body within
`Settings.body_timeout_s`; else the request gets 408 and the connection is closed.

uvicorn times out only idle keep-alive connections: one byte every few seconds holds a connection (and its
slot in the worker) for ever. `GuardedHttpToolsProtocol` is uvicorn's httptools protocol with a timer over
each request's head (`medspa api` serves with it); the body's deadline is kept by
service.middleware.RequestContextMiddleware, which reads the body in the ASGI app.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import get_settings

_TIMEOUT_BODY = (b'{"error":{"code":"request_timeout","message":"the request was not sent in time",'
                 b'"path":null,"suggestions":[]}}')
REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
                   b"content-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n" + _TIMEOUT_BODY)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline for each request's head."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head()  # a connection that never sends a byte is closed too

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head()

    def on_headers_complete(self) -> None:
        self._disarm_head()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head()
        super().connection_lost(exc)

    def _arm_head(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(get_settings().header_timeout_s, self._head_timed_out)

    def _disarm_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()
