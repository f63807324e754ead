"""The API's error exception: one shape for every refusal (see the query contract)."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("medspa.errors")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        path: str | None = None,
        suggestions: list[str] | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.suggestions = suggestions or []
        self.retryable = retryable

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message, "path": self.path,
                                    "suggestions": self.suggestions}
        if self.retryable is not None:
            error["retryable"] = self.retryable
        return {"error": error}


async def api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"Retry-After": "1"} if exc.retryable else None
    return JSONResponse(status_code=exc.status, content=exc.body(), headers=headers)


_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large"}


async def http_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (no such route, wrong method, an unreadable body) in the contract's shape."""
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = {404: "no such endpoint", 405: "this endpoint does not take that method"}.get(
        exc.status_code, str(exc.detail) if isinstance(exc.detail, str) else "the request was refused")
    return JSONResponse(status_code=exc.status_code, content=ApiError(exc.status_code, code, message).body(),
                        headers=exc.headers)


# Failures that mean "the database is not there right now (or too slow)": a client may retry.
_UNAVAILABLE = (
    OSError,  # includes ConnectionError and TimeoutError
    PoolTimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.QueryCanceledError,
)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (SQLAlchemy's `.orig`, Python's `__cause__`/`__context__`)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig or current.__cause__ or current.__context__
    return seen


def database_failure(exc: BaseException) -> ApiError | None:
    """The contract's 503 for a database outage or timeout, or None when `exc` is something else."""
    chain = _causes(exc)
    if any(isinstance(e, asyncpg.QueryCanceledError) for e in chain):
        return ApiError(503, "query_timeout", "the query took too long and was cancelled; narrow it or retry",
                        retryable=True)
    invalidated = any(getattr(e, "connection_invalidated", False) for e in chain)
    if invalidated or any(isinstance(e, (*_UNAVAILABLE, OperationalError, InterfaceError)) for e in chain):
        return ApiError(503, "database_unavailable", "the database is not reachable right now; retry shortly",
                        retryable=True)
    return None


# Text the database cannot take (a lone surrogate such as "\ud800", which JSON allows but UTF-8 does not).
_UNENCODABLE = (UnicodeError, asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)


def unusable_input(exc: BaseException) -> ApiError | None:
    """The 400 for a request value that cannot be encoded for the database, or None for anything else."""
    chain = _causes(exc)
    # pydantic-core reports an unencodable string as its own error, naming the Python error in the message
    wrapped = any(type(e).__name__ == "PydanticSerializationError" and "UnicodeEncodeError" in str(e) for e in chain)
    if wrapped or any(isinstance(e, _UNENCODABLE) for e in chain):
        return ApiError(400, "invalid_request", "the request holds text that is not valid Unicode "
                        "(e.g. a lone surrogate escape); send UTF-8 text")
    return None


def unexpected_error_response(exc: BaseException, request_id: str | None) -> JSONResponse:
    """Anything not handled elsewhere: 503 for database outages, 400 for text that cannot be encoded, else a
    plain 500. Bodies and logs name only the exception type, never its message (which could quote patient
    data)."""
    error = database_failure(exc)
    if error is not None:
        logger.warning("database unavailable", extra={"fields": {"error": type(exc).__name__,
                                                                 "request_id": request_id}})
        return JSONResponse(status_code=503, content=error.body(), headers={"Retry-After": "1"})
    error = unusable_input(exc)
    if error is not None:
        logger.info("unusable input", extra={"fields": {"error": type(exc).__name__, "request_id": request_id}})
        return JSONResponse(status_code=400, content=error.body())
    logger.error("unexpected error", extra={"fields": {"error": type(exc).__name__, "request_id": request_id}})
    body = ApiError(500, "internal_error", "something went wrong on our side; it has been logged").body()
    return JSONResponse(status_code=500, content=body)
