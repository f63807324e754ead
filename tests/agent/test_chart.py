"""Which chart an answer gets, from the shape of its last successful query."""

from __future__ import annotations

from typing import Any

import pytest

from service.agent.chart import pick_chart


def _query(columns: list[tuple[str, str]], rows: int) -> dict[str, Any]:
    names = [name for name, _ in columns]
    return {"tool": "query", "arguments": {}, "result": {
        "columns": [{"name": name, "kind": kind} for name, kind in columns],
        "rows": [dict.fromkeys(names, i) for i in range(rows)], "total_rows": rows, "meta": {}}}


@pytest.mark.parametrize(("columns", "rows", "expected"), [
    ([("time", "time"), ("revenue", "measure")], 12, {"type": "line", "x": "time", "y": ["revenue"]}),
    ([("time", "time"), ("revenue", "measure"), ("revenue.previous", "measure")], 12,
     {"type": "line", "x": "time", "y": ["revenue"]}),
    ([("patient.source", "dimension"), ("revenue", "measure"), ("visit_count", "measure")], 6,
     {"type": "bar", "x": "patient.source", "y": ["revenue", "visit_count"]}),
    ([("time", "time"), ("patient.source", "dimension"), ("revenue", "measure")], 24,
     {"type": "table", "x": "time", "y": ["revenue"]}),
    ([("service.name", "dimension"), ("provider.name", "dimension"), ("line_revenue", "measure")], 30,
     {"type": "table", "x": "service.name", "y": ["line_revenue"]}),
    ([("revenue", "measure")], 1, None),
])
def test_chart_follows_the_result_shape(columns, rows, expected) -> None:
    chart = pick_chart([_query(columns, rows)])
    assert chart == (None if expected is None else {**expected, "query_index": 0})


def test_the_last_successful_query_wins() -> None:
    good = _query([("patient.source", "dimension"), ("revenue", "measure")], 6)
    failed = {"tool": "query", "arguments": {}, "result": {"error": {"code": "unknown_member"}}}
    metrics = {"tool": "list_metrics", "arguments": {}, "result": {"measures": []}}
    assert pick_chart([good, failed, metrics]) == {"type": "bar", "query_index": 0, "x": "patient.source",
                                                   "y": ["revenue"]}
    assert pick_chart([metrics, failed]) is None
