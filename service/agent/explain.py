"""A plain-English account of what a query will compute, from the query and the catalog's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.agent.catalog import AgentCatalog

_OPS = {
    "equals": "is", "not_equals": "is not", "in": "is one of", "not_in": "is none of", "contains": "contains",
    "starts_with": "starts with", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "between": "is between",
    "is_null": "is empty", "is_not_null": "is not empty", "search": "matches the search",
}


def _named(catalog: AgentCatalog, name: str) -> str:
    label = catalog.label(name)
    return f"{label} (`{name}`)" if label != name else f"`{name}`"


def _condition(catalog: AgentCatalog, item: Mapping[str, Any]) -> str:
    field = str(item.get("field"))
    op = str(item.get("op"))
    words = _OPS.get(op, op)
    if op in ("is_null", "is_not_null"):
        return f"{_named(catalog, field)} {words}"
    if "values" in item:
        values = list(item.get("values") or [])
        shown = " and ".join(map(repr, values)) if op == "between" else ", ".join(map(repr, values))
        return f"{_named(catalog, field)} {words} {shown}"
    return f"{_named(catalog, field)} {words} {item.get('value')!r}"


def _default_time(entry: Mapping[str, Any]) -> str | None:
    for key in ("default_time_dimension", "time_dimension", "time"):
        value = entry.get(key)
        if isinstance(value, str):
            return value
    return None


def describe_query(query: Mapping[str, Any], catalog: AgentCatalog, meta: Mapping[str, Any] | None = None) -> str:
    """What the query computes: measures with their definitions, grouping, time, filters, order, limit."""
    meta = meta or {}
    lines: list[str] = []
    measures = list(query.get("measures") or [])
    dimensions = list(query.get("dimensions") or [])
    for name in measures:
        entry = catalog.measures.get(name, {})
        unit = f" [{entry['unit']}]" if entry.get("unit") else ""
        description = str(entry.get("description") or "").strip()
        lines.append(f"- {_named(catalog, name)}{unit}: {description}".rstrip(": "))
    if measures:
        lines.insert(0, "Computes:")
    if dimensions:
        grouped = ", ".join(_named(catalog, d) for d in dimensions)
        lines.append(f"Grouped by {grouped}." if measures else f"Lists the distinct values of {grouped}.")
    elif measures:
        lines.append("No grouping: one row of totals.")

    time = query.get("time") or {}
    as_of = meta.get("as_of") or query.get("as_of") or catalog.as_of
    if time.get("dimension"):
        on = f"on {_named(catalog, str(time['dimension']))} for every measure"
    else:
        defaults = [f"{m} on {_default_time(catalog.measures.get(m, {})) or 'its default time'}" for m in measures]
        on = "on each measure's own default time dimension" + (f" ({'; '.join(defaults)})" if defaults else "")
    if time.get("grain"):
        lines.append(f"Bucketed by {time['grain']} {on}; the bucket start is in column `time`.")
    rng = time.get("range")
    resolved = meta.get("range")
    if rng:
        text = f"Time range: {rng if isinstance(rng, str) else f'[{rng[0]}, {rng[1]})'}"
        if isinstance(rng, str) and as_of:
            text += f", relative to as_of {as_of}"
        if isinstance(resolved, Mapping) and resolved.get("start"):
            text += f" = [{resolved.get('start')}, {resolved.get('end')}) (end exclusive)"
        lines.append(text + (f", {on}." if not time.get("grain") else "."))
    else:
        lines.append("No time restriction: all data up to its end (future bookings included where a measure "
                     "counts them).")
    if time.get("compare"):
        lines.append(f"Also compares with the {str(time['compare']).replace('_', ' ')}: each measure gets "
                     "<measure>.previous, .change and .change_pct columns.")
    filters = list(query.get("filters") or [])
    if filters:
        lines.append("Only where " + "; and ".join(_condition(catalog, f) for f in filters) + ".")
    having = list(query.get("having") or [])
    if having:
        lines.append("Keeps only groups where " + "; and ".join(_condition(catalog, h) for h in having) + ".")
    order = list(query.get("order") or [])
    if order:
        lines.append("Sorted by " + ", ".join(f"{o.get('field')} {o.get('dir', 'asc')}" for o in order) + ".")
    if query.get("limit") or query.get("offset"):
        lines.append(f"Returns at most {query.get('limit', 1000)} rows from row {query.get('offset', 0)}.")
    if as_of:
        lines.append(f"as_of (the data's 'today'): {as_of}. Money is in integer cents, rates are fractions.")
    return "\n".join(lines)
