"""The one error shape every endpoint uses (see the query contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable: unknown_member, invalid_grouping, not_found, ...")
    message: str
    path: str | None = None
    suggestions: list[str] = Field(default_factory=list)
    retryable: bool | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail
