"""The API's error exception: one shape for every refusal (see the query contract)."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.db.failures import Outcome, causes, classify

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
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers
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
    headers = {"Retry-After": "1", **(exc.headers or {})} if exc.retryable else exc.headers
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


def database_error(exc: BaseException) -> ApiError | None:
    """The contract's answer to a failure involving the database (service/db/failures.py decides which), or
    None when the failure is not the database's, or is a bug on our side (a 500)."""
    outcome = classify(exc)
    if outcome is Outcome.TIMEOUT:
        return ApiError(503, "query_timeout", "the query took too long and was cancelled; narrow it or retry",
                        retryable=True)
    if outcome is Outcome.UNAVAILABLE:
        return ApiError(503, "database_unavailable", "the database is not reachable right now; retry shortly",
                        retryable=True)
    if outcome is Outcome.BUSY:
        return ApiError(503, "server_busy", "the server is busy; retry in a moment", retryable=True)
    if outcome is Outcome.TOO_LARGE:
        return ApiError(400, "limit_exceeded", "the query needs more than the database allows one query (its "
                        "size, or its temporary files); narrow its range, grain or values")
    if outcome is Outcome.BAD_VALUE:
        return ApiError(400, "invalid_request", "the database cannot take a value in this request (out of "
                        "range, or not valid text); check the numbers, dates and text sent")
    return None


def database_failure(exc: BaseException) -> ApiError | None:
    """The contract's retryable 503 for a database outage, timeout or a pool with no connection free in time;
    None for anything else (a refused value included)."""
    error = database_error(exc)
    return error if error is not None and error.status == 503 else None


# Text the database cannot take (a lone surrogate such as "\ud800", which JSON allows but UTF-8 does not).
_UNENCODABLE = (UnicodeError, asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)


def unusable_input(exc: BaseException) -> ApiError | None:
    """The 400 for a request value that cannot be encoded for the database, or None for anything else."""
    chain = causes(exc)
    # pydantic-core reports an unencodable string as its own error, naming the Python error in the message
    wrapped = any(type(e).__name__ == "PydanticSerializationError" and "UnicodeEncodeError" in str(e) for e in chain)
    if wrapped or any(isinstance(e, _UNENCODABLE) for e in chain):
        return ApiError(400, "invalid_request", "the request holds text that is not valid Unicode "
                        "(e.g. a lone surrogate escape); send UTF-8 text")
    return None


def _root_name(exc: BaseException) -> str:
    """The innermost exception's type in `exc`'s chain (what the database or driver raised), for the logs."""
    return type(causes(exc)[-1]).__name__


def unexpected_error_response(exc: BaseException, request_id: str | None) -> JSONResponse:
    """Anything not handled elsewhere: the database's failures as service/db/failures.py maps them (503 for
    outages, 400 for values it cannot take), 400 for text that cannot be encoded, else a 500 naming the request
    id. Bodies and logs name only exception types, never their messages (which could quote patient data)."""
    fields = {"error": type(exc).__name__, "cause": _root_name(exc), "request_id": request_id}
    error = unusable_input(exc) or database_error(exc)
    if error is not None and error.status == 503:
        logger.warning("database unavailable", extra={"fields": {**fields, "code": error.code}})
        return JSONResponse(status_code=503, content=error.body(), headers={"Retry-After": "1"})
    if error is not None:
        logger.info("refused by the database", extra={"fields": {**fields, "code": error.code}})
        return JSONResponse(status_code=error.status, content=error.body())
    logger.error("unexpected error", extra={"fields": fields})
    body = ApiError(500, "internal_error", f"something went wrong on our side; it has been logged as request "
                    f"{request_id or 'unknown'}").body()
    if request_id is not None:
        body["error"]["request_id"] = request_id  # type: ignore[index]
    return JSONResponse(status_code=500, content=body)
