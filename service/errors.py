"""The semantic layer's refusals as the contract's HTTP errors.

`QueryError` -> 400 `{"error": {"code", "message", "path", "suggestions"}}`; a body that is not a
query at all (on the query routes) -> 422 in the same shape. Database outages are mapped to 503 by
`service.errors_http.database_failure` where the query runs.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from semantic import QueryError
from service.errors_http import ApiError, database_failure

QUERY_PATHS = ("/api/query", "/api/patients/export")


async def query_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueryError)
    return JSONResponse(status_code=400, content={"error": exc.to_dict()})


def _where(loc: tuple[object, ...]) -> str | None:
    parts = [p for p in loc if p != "body"]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """422 in the contract's shape on every route, never echoing the input (FastAPI's default quotes it, and
    it may be a password or a patient's details)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = _where(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind in ("json_invalid", "missing") and where is None:
        what = "a JSON query object" if request.url.path.startswith(QUERY_PATHS) else "valid JSON"
        message = f"the body is not {what}"
    else:
        message = f"{where or 'body'}: {first.get('msg', 'not a valid query')}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    body: dict[str, object] = {
        "error": {"code": "invalid_request", "message": message, "path": where, "suggestions": []}}
    return JSONResponse(status_code=422, content=body)


def database_unavailable(exc: BaseException) -> ApiError | None:
    """The contract's retryable 503 for a database outage or timeout; None for anything else."""
    return database_failure(exc)


def install(app: FastAPI) -> None:
    """Register the semantic layer's exception handlers on `app`."""
    app.add_exception_handler(QueryError, query_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
