"""HTTP hygiene: request ids, structured access logs without patient data, security headers."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors_http import ApiError, unexpected_error_response

logger = logging.getLogger("medspa.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]
# The interactive docs page loads its own scripts and styles; it gets a CSP of its own.
DOCS_CSP = (b"content-security-policy",
            b"default-src 'self'; script-src 'self' 'unsafe-inline' https:; style-src 'self' 'unsafe-inline' https:; "
            b"img-src 'self' data: https:")


# The largest request body read (a query, a question, a sign-in are a few kB); larger ones get 413.
MAX_BODY_BYTES = 1_000_000


# How long a client may take to send a request's body (its head has a deadline of its own: service/slow_clients.py).
BODY_TIMEOUT_S = 15.0


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(BaseException):
    """Not an Exception: FastAPI turns any Exception raised while it reads a body into its own 400."""


def _too_large(limit: int) -> JSONResponse:
    body = ApiError(413, "body_too_large", f"the request body is over {limit} bytes").body()
    return JSONResponse(status_code=413, content=body)


def _too_slow(seconds: float) -> JSONResponse:
    body = ApiError(408, "request_timeout", f"the request body was not sent within {seconds:g} s").body()
    return JSONResponse(status_code=408, content=body, headers={"connection": "close"})


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): tags each request with an id, adds headers, logs a line,
    refuses request bodies over `max_body_bytes` (413) before anything parses them, and bodies not sent within
    `body_timeout` seconds (408: a slow client holds no worker for longer).

    The log line holds method, route path, status and duration: never query strings, bodies or
    patient ids (the path of a patient record is logged as its route template).
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES,
                 body_timeout: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}
        is_docs = scope["path"] in ("/docs", "/redoc")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                for name, value in SECURITY_HEADERS:
                    if name == b"content-security-policy" and is_docs:
                        headers.append(DOCS_CSP)
                    else:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        started_response = False

        async def tracking_send(message: Message) -> None:
            nonlocal started_response
            started_response = started_response or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            await self.app(scope, await self._bounded(scope, receive), tracking_send)
        except _BodyTooLarge:
            if started_response:
                raise
            await _too_large(self.max_body_bytes)(scope, receive, send_wrapper)
        except _BodyTooSlow:
            if started_response:
                raise
            await _too_slow(self.body_timeout)(scope, receive, send_wrapper)
        except Exception as exc:
            # Answer here rather than let the server print a traceback (which could quote data).
            if started_response:
                raise
            response = unexpected_error_response(exc, request_id)
            await response(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "(unmatched)"
            logger.info("request", extra={"fields": {
                "request_id": request_id, "method": scope["method"], "route": path,
                "status": status_holder["status"], "ms": round((time.perf_counter() - started) * 1000, 2),
            }})

    def _timed(self, receive: Receive) -> Receive:
        """`receive` with a deadline for the whole body (from the first read); once the body is complete, reads
        (a streaming answer's wait for the client to disconnect) are not timed."""
        deadline: float | None = None
        complete = False

        async def timed() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + self.body_timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyTooSlow from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return timed

    async def _bounded(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, once the body is known to fit: by its Content-Length, or (chunked) by reading it first;
        with a deadline for the body either way."""
        receive = self._timed(receive)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_body_bytes:
                raise _BodyTooLarge
            return receive
        if b"transfer-encoding" not in headers:
            return receive
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                raise _BodyTooLarge
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, process id and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
            "msg": record.getMessage(), "pid": record.process,  # which worker, when `medspa api` runs several
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry)


def configure_logging() -> None:
    """JSON lines on stderr for the `medspa.*` loggers."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("medspa")
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
