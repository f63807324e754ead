"""Request and response bodies of the agent routes (they appear in /openapi.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="A question in plain language.")


class AskQuery(BaseModel):
    tool: str
    arguments: dict[str, Any]
    result: dict[str, Any] = Field(description="The tool's result (a query response) or {\"error\": {...}}.")


class AskChart(BaseModel):
    type: Literal["line", "bar", "table"]
    query_index: int = Field(description="Index into `queries` of the result to draw.")
    x: str = Field(description="Column for the x axis (or the table's first column).")
    y: list[str] = Field(description="Measure columns to draw.")


class AskResponse(BaseModel):
    answer: str
    queries: list[AskQuery]
    chart: AskChart | None
    steps: int = Field(description="Model calls made (0 for the parser).")
    stopped_by: Literal["step_limit"] | None = Field(
        default=None, description="Set when the model was stopped before it answered.")
    engine: Literal["parser", "llm"] = Field(
        default="llm", description="`parser`: the built-in question parser (no model configured); `llm`: the model.")
    interpretation: str | None = Field(
        default=None, description="The question as the parser understood it, in words (null for the model, and when "
        "the parser could not map the question).")
    suggestions: list[str] = Field(
        default=[], description="Questions the parser can answer, closest first, when it could not map this one.")


class ToolDefinitions(BaseModel):
    openai: list[dict[str, Any]] = Field(description='`tools=[{"type": "function", "function": {...}}]`.')
    anthropic: list[dict[str, Any]] = Field(description="`tools=[{name, description, input_schema}]`.")
