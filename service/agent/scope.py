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
    """Raise `forbidden_member` for the first PII member the call mentions, `forbidden_option` for an as_of, and
    `forbidden_grain` / `forbidden_member` (with the coarse form) for grouping by what an agent may only filter
    on: the engine refuses all of these too (semantic/planner/privacy.py), this says so before a schema would
    answer a bare "unknown member"."""
    if tool in QUERY_TOOLS and arguments.get("as_of") is not None:
        raise ToolError("forbidden_option", "an agent may not set as_of: answers describe the data as of its own "
                        f"date ({catalog.as_of})", path="as_of")
    for path, name in member_refs(tool, arguments):
        entry = catalog.dimensions.get(name)
        grouped = path.startswith(("dimensions", "order")) or (tool == "search_dimension_values" and
                                                               path == "dimension")
        if entry is not None and grouped and entry.get("filter_only") and not entry.get("pii"):
            coarse = entry.get("coarse_form")
            if entry.get("identifier"):
                raise ToolError("forbidden_member", f"'{name}' names one record: an agent may only test whether "
                                "one exists (filters with is_null / is_not_null)", path=path)
            if coarse or entry.get("quasi_identifier"):
                grains = entry.get("grains") or []
                instead = f"group by '{coarse}'" if coarse else (
                    f"bucket it with time.dimension '{name}' and a grain of {', '.join(grains)}")
                raise ToolError("forbidden_grain", f"'{name}' is too fine to group by for an agent; {instead}",
                                path=path, suggestions=[coarse] if coarse else list(grains))
        if name in catalog.hidden or _base(name) in catalog.hidden:
            raise ToolError(
                "forbidden_member",
                f"'{name}' is personal data: the agent role may not query, filter, sort or list it. "
                "Ask for aggregates instead (e.g. patient_count grouped by patient.source).",
                path=path,
            )
