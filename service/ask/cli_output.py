"""`medspa ask`: the answer, what the question was understood as, and the rows, as plain text."""

from __future__ import annotations

from typing import Any

from service.ask.answer import figure, member_value

MAX_ROWS = 25


def _table(result: dict[str, Any]) -> list[str]:
    columns = [c for c in result.get("columns") or [] if isinstance(c, dict)]
    rows = result.get("rows") or []
    if not columns or not rows or (len(rows) == 1 and all(c.get("kind") == "measure" for c in columns)):
        return []
    cells = [[str(c.get("label") or c["name"]) for c in columns]]
    for row in rows[:MAX_ROWS]:
        cells.append([figure(row.get(c["name"]), c) if c.get("kind") == "measure"
                      else member_value(c["name"], row.get(c["name"])) for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(cell.rjust(w) if c.get("kind") == "measure" else cell.ljust(w)
                       for cell, w, c in zip(row, widths, columns, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(rows) > MAX_ROWS:
        lines.append(f"... {len(rows) - MAX_ROWS} more rows")
    return lines


def render(body: dict[str, Any]) -> str:
    """The `/api/ask` response for a terminal."""
    lines = [str(body.get("answer") or "")]
    if body.get("interpretation"):
        lines.append(f"Understood as: {body['interpretation']}")
    suggestions = body.get("suggestions") or []
    if suggestions:
        lines.append("Questions I can answer:")
        lines += [f"  - {s}" for s in suggestions]
    queries = body.get("queries") or []
    if queries and isinstance(queries[0].get("result"), dict) and "rows" in queries[0]["result"]:
        table = _table(queries[0]["result"])
        if table:
            lines += ["", *table]
    return "\n".join(lines)
