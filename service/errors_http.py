"""The API's error exception: one shape for every refusal (see the query contract)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


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
