"""The agent scope, enforced before anything reaches the engine: no PII member anywhere in a call.

The engine refuses PII for the agent role itself; this is the second wall, so that no prompt and
no MCP client can get patient-level data even if a role check upstream were missing. Listing
patient by patient needs `patient.id` (PII), so it is refused by the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from service.agent.catalog import COMPARE_SUFFIXES, AgentCatalog
from service.agent.errors import ToolError

QUERY_TOOLS = ("query", "explain_query")


def _base(name: str) -> str:
    head, _, suffix = name.rpartition(".")
    return head if suffix in COMPARE_SUFFIXES and head else name


def member_refs(tool: str, arguments: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every member name a call mentions, with its path in the arguments (`filters[0].field`)."""
    if tool == "describe_member" and isinstance(arguments.get("name"), str):
        yield "name", arguments["name"]
    if tool == "search_dimension_values" and isinstance(arguments.get("dimension"), str):
        yield "dimension", arguments["dimension"]
    if tool not in QUERY_TOOLS:
        return
    for key in ("measures", "dimensions"):
        for i, name in enumerate(arguments.get(key) or []):
            if isinstance(name, str):
                yield f"{key}[{i}]", name
    time = arguments.get("time")
    if isinstance(time, Mapping) and isinstance(time.get("dimension"), str):
        yield "time.dimension", time["dimension"]
    for key in ("filters", "having", "order"):
        for i, item in enumerate(arguments.get(key) or []):
            if isinstance(item, Mapping) and isinstance(item.get("field"), str):
                yield f"{key}[{i}].field", item["field"]


def check_scope(tool: str, arguments: Mapping[str, Any], catalog: AgentCatalog) -> None:
    """Raise `forbidden_member` for the first PII member the call mentions."""
    for path, name in member_refs(tool, arguments):
        if name in catalog.hidden or _base(name) in catalog.hidden:
            raise ToolError(
                "forbidden_member",
                f"'{name}' is personal data: the agent role may not query, filter, sort or list it. "
                "Ask for aggregates instead (e.g. patient_count grouped by patient.source).",
                path=path,
            )
