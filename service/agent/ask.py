"""`/api/ask`: a bounded tool-calling loop against an OpenAI-compatible chat completions API.

The model sees the five agent tools (schemas generated from the catalog) and nothing else; every
call it makes goes through `AgentTools`, so the agent scope holds whatever the prompt says. Bounds:
`ask_max_steps` model calls, `ask_timeout_seconds` in all, `llm_call_timeout_seconds` per call.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from service.agent.catalog import AgentCatalog
from service.agent.chart import pick_chart
from service.agent.errors import ToolError
from service.agent.schemas import function_definitions
from service.agent.settings import AgentSettings
from service.agent.tools import AgentTools, ToolOutcome

MAX_TOOL_TEXT = 60_000  # characters of one tool result shown to the model


class AskError(Exception):
    """The question could not be answered; maps to the API's error shape."""

    def __init__(self, status: int, code: str, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass
class AskResult:
    answer: str
    queries: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    steps: int = 0
    stopped_by: str | None = None


def system_prompt(catalog: AgentCatalog) -> str:
    """What the model must know before its first call: as_of, units, scope, the member names."""
    measures = "; ".join(
        f"{name} ({entry.get('label', name)}{', ' + str(entry['unit']) if entry.get('unit') else ''})"
        for name, entry in sorted(catalog.measures.items()))
    dimensions = ", ".join(catalog.group_dimensions())
    times = ", ".join(catalog.time_dimensions())
    return f"""You are the analytics assistant of Beauty Med Spa. You answer the owner's questions about the spa's
own data using ONLY the tools you are given (list_metrics, describe_member, search_dimension_values, query,
explain_query). Never invent numbers, member names or filter values: get them from the tools.

Facts you must apply:
- as_of is {catalog.as_of or "the date of the latest payment"}: the date the data treats as today. "Last month",
  "this year" and the like are relative to as_of, never to the wall clock: use the named ranges (last_month,
  this_year, last_12_months, ...), which resolve against it, and say which dates you used (meta.range in a query
  result is [start, end), end exclusive).
- Money is in integer cents: 123456 means $1,234.56. Rates are fractions: 0.0825 means 8.25%. Hours are decimals.
- To split revenue by service or provider use line_revenue (revenue is per payment).
- A visit is a non-cancelled appointment starting on or before as_of; upcoming appointments start after it.
- Personal data of patients (names, emails, phones, addresses, birth dates, ids) is not available to you and must
  not be requested; answer with aggregates.
- If a tool returns an error, read its message and suggestions, fix the call and try again.

Measures: {measures}.
Dimensions for grouping and filtering: {dimensions}.
Time dimensions (use in `time`): {times}.

Answer briefly in plain English, with the key numbers formatted for people (dollars, percentages, dates)."""


def _for_model(payload: dict[str, Any], max_rows: int) -> str:
    """A tool result as the model sees it: rows capped (total_rows still says how many there are)."""
    rows = payload.get("rows")
    while True:
        shown = payload
        if isinstance(rows, list) and len(rows) > max_rows:
            shown = {**payload, "rows": rows[:max_rows],
                     "note": f"showing the first {max_rows} of {len(rows)} rows returned"}
        text = json.dumps(shown, default=str, ensure_ascii=False)
        if len(text) <= MAX_TOOL_TEXT or not isinstance(rows, list) or max_rows <= 1:
            return text  # whole JSON, never cut mid-way: fewer rows instead
        max_rows = min(max_rows, len(rows)) // 2


class ChatClient:
    """POST {base_url}/chat/completions with tools; returns the first choice's message."""

    def __init__(self, settings: AgentSettings, http: httpx.AsyncClient) -> None:
        assert settings.llm_base_url and settings.llm_api_key and settings.llm_model
        self.url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self.model = settings.llm_model
        self.headers = {"Authorization": f"Bearer {settings.llm_api_key.get_secret_value()}"}
        self.http = http

    async def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                       timeout: float) -> dict[str, Any]:
        body = {"model": self.model, "messages": messages, "tools": tools, "tool_choice": "auto", "temperature": 0}
        try:
            response = await self.http.post(self.url, json=body, headers=self.headers, timeout=timeout)
        except httpx.TimeoutException:
            raise AskError(504, "llm_timeout", f"the model did not answer within {timeout:g} s",
                           retryable=True) from None
        except httpx.HTTPError as err:
            raise AskError(502, "llm_unavailable", f"the model API could not be reached ({type(err).__name__})",
                           retryable=True) from None
        if response.status_code >= 400:
            raise AskError(502, "llm_error", f"the model API answered HTTP {response.status_code}",
                           retryable=response.status_code in (408, 429) or response.status_code >= 500)
        try:
            message = response.json()["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise AskError(502, "llm_bad_response", "the model API's answer is not a chat completion") from None
        if not isinstance(message, dict):
            raise AskError(502, "llm_bad_response", "the model API's answer is not a chat completion")
        return message


def _text(content: Any) -> str:
    """A message's text: a string, or (some providers) a list of `{"type": "text", "text": ...}` parts."""
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict)).strip()
    return str(content or "").strip()


def _arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        raise ToolError("invalid_arguments", "the tool arguments are not valid JSON") from None
    if not isinstance(value, dict):
        raise ToolError("invalid_arguments", "the tool arguments must be a JSON object")
    return value


async def _run_tool(tools: AgentTools, call: dict[str, Any]) -> tuple[str, dict[str, Any], ToolOutcome]:
    function = call.get("function") or {}
    name = str(function.get("name") or "")
    try:
        arguments = _arguments(function.get("arguments"))
    except ToolError as err:
        return name, {}, ToolOutcome(False, err.body())
    return name, arguments, await tools.call(name, arguments)


async def _loop(question: str, tools: AgentTools, settings: AgentSettings, chat: ChatClient,
                deadline: float) -> AskResult:
    try:
        catalog = await tools.catalog()
    except ToolError as err:
        raise AskError(503, err.code, err.message, retryable=True) from None
    definitions = function_definitions(catalog)["openai"]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(catalog)},
        {"role": "user", "content": question},
    ]
    result = AskResult(answer="")
    for step in range(1, settings.ask_max_steps + 1):
        result.steps = step
        remaining = deadline - time.monotonic()
        message = await chat.complete(messages, definitions,
                                      max(0.1, min(settings.llm_call_timeout_seconds, remaining)))
        calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
        if not calls:
            result.answer = _text(message.get("content"))
            result.chart = pick_chart(result.queries)
            return result
        messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": calls})
        for call in calls:
            name, arguments, outcome = await _run_tool(tools, call)
            result.queries.append({"tool": name, "arguments": arguments, "result": outcome.payload})
            messages.append({"role": "tool", "tool_call_id": str(call.get("id", "")),
                             "content": _for_model(outcome.payload, settings.ask_rows_to_model)})
    result.stopped_by = "step_limit"
    result.answer = (f"I could not finish within {settings.ask_max_steps} steps, so there is no answer. The "
                     "queries I ran are listed; try a narrower question.")
    result.chart = pick_chart(result.queries)
    return result


async def ask(question: str, tools: AgentTools, settings: AgentSettings,
              http: httpx.AsyncClient | None = None) -> AskResult:
    """Answer `question` with the tools; raises AskError (not configured, timeout, model failure)."""
    if not settings.configured:
        raise AskError(503, "llm_not_configured",
                       "set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL (any OpenAI-compatible chat completions "
                       "API, e.g. LLM_BASE_URL=https://api.openai.com/v1) to use /api/ask")
    if http is None:
        async with httpx.AsyncClient() as client:
            return await ask(question, tools, settings, client)
    deadline = time.monotonic() + settings.ask_timeout_seconds
    try:
        async with asyncio.timeout(settings.ask_timeout_seconds):
            return await _loop(question, tools, settings, ChatClient(settings, http), deadline)
    except TimeoutError:
        raise AskError(504, "ask_timeout", f"no answer within {settings.ask_timeout_seconds:g} s; "
                       "try a narrower question", retryable=True) from None
