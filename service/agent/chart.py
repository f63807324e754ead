"""Which chart suits an answer: read from the shape of the last successful query (Tremor's index + categories)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.agent.catalog import COMPARE_SUFFIXES


def pick_chart(queries: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Line over `time`, bar over one dimension, table otherwise; None when the answer is one number."""
    for index in range(len(queries) - 1, -1, -1):
        call = queries[index]
        result = call.get("result") or {}
        if call.get("tool") != "query" or "error" in result or not result.get("rows"):
            continue
        columns = [c for c in result.get("columns") or [] if isinstance(c, dict) and "name" in c]
        measures = [c["name"] for c in columns if c.get("kind") == "measure"
                    and not str(c["name"]).endswith(tuple(f".{s}" for s in COMPARE_SUFFIXES))]
        others = [c["name"] for c in columns if c.get("kind") != "measure" and c["name"] != "time"]
        has_time = any(c["name"] == "time" for c in columns)
        rows = len(result["rows"])
        if has_time and not others and measures:
            return {"type": "line", "query_index": index, "x": "time", "y": measures}
        if not has_time and len(others) == 1 and measures and rows > 1:
            return {"type": "bar", "query_index": index, "x": others[0], "y": measures}
        if rows > 1 or len(others) > 1 or (has_time and others):
            first = "time" if has_time else (others[0] if others else columns[0]["name"])
            return {"type": "table", "query_index": index, "x": first, "y": measures}
        return None
    return None
