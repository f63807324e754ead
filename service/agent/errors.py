"""Tool refusals in the query contract's error shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ToolError(Exception):
    """A tool call that cannot be served; `body()` is the contract's `{"error": {...}}`."""

    def __init__(self, code: str, message: str, *, path: str | None = None,
                 suggestions: Sequence[str] = (), retryable: bool | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.suggestions = list(suggestions)
        self.retryable = retryable

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "path": self.path,
                                 "suggestions": self.suggestions}
        if self.retryable is not None:
            error["retryable"] = self.retryable
        return {"error": error}

    @classmethod
    def from_body(cls, status: int, body: Any) -> ToolError:
        """The engine's own error (kept as is), or a generic one for an unexpected answer."""
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and "code" in error:
            return cls(str(error["code"]), str(error.get("message", "")), path=error.get("path"),
                       suggestions=[str(s) for s in error.get("suggestions") or []],
                       retryable=error.get("retryable"))
        if isinstance(body, dict) and isinstance(body.get("detail"), list):  # FastAPI's 422
            first = body["detail"][0] if body["detail"] else {}
            where = ".".join(str(p) for p in first.get("loc", [])[1:]) or None
            return cls("invalid_query", str(first.get("msg", "not a valid query")), path=where)
        return cls("upstream_error", f"the query API answered HTTP {status}", retryable=status >= 500)
