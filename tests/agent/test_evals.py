"""The evaluation set: every listed tool call fits the generated schema and returns the stored answer.

The answers in evals/questions.yaml were computed once by our own SQL over the client's export
(evals/compute_expected.py), independently of the engine, with the rows an agent does not see (fewer than
k patients behind them) listed apart as `expect.suppressed`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from service.agent.schemas import tool_specs
from service.auth.principal import Principal
from tests.agent.conftest import tools_as

EVALS = yaml.safe_load((Path(__file__).resolve().parents[2] / "evals" / "questions.yaml").read_text())
QUESTIONS = {q["id"]: q for q in EVALS["questions"]}


def _same(actual: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return bool(actual == expected)
    if not isinstance(actual, int | float):
        return False
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=max(tolerance, 1e-12))


def _project(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    return [{c: (str(r.get(c))[:10] if c == "time" and r.get(c) else r.get(c)) for c in columns} for r in rows]


def test_there_are_thirty_questions() -> None:
    assert len(QUESTIONS) == 30
    assert all(q["expect"]["rows"] for q in QUESTIONS.values())


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_eval_question(qid: str, client_api) -> None:
    item = QUESTIONS[qid]
    call, expect = item["call"], item["expect"]
    # each question is a session of its own: an agent's overlapping questions are checked against each other
    # (tests/agent/test_agent_scope.py), not across these independent ones
    run, catalog = tools_as(client_api, Principal(actor=f"eval:{qid}", role="agent", kind="local"))
    spec = next(s for s in tool_specs(catalog()) if s.name == call["tool"])
    jsonschema.validate(call["arguments"], spec.input_schema, cls=jsonschema.Draft202012Validator)

    outcome = run(call["tool"], call["arguments"])
    assert outcome.ok, f"{qid}: {outcome.payload}"
    result = outcome.payload
    if call["tool"] == "query":
        assert result["meta"]["as_of"] == EVALS["as_of"]
        actual_rows = result["rows"]
        # rows of fewer than k patients are left out of an agent's answer, and counted (evals/compute_expected.py)
        assert result["meta"]["suppressed_rows"] == len(expect.get("suppressed", [])), qid
        for key in expect.get("suppressed", []):
            assert not any(_project([row], list(key)) == [key] for row in actual_rows), (qid, key)
    else:
        actual_rows = result["values"]
    expected_rows = expect["rows"]
    columns = list(expected_rows[0])
    actual = _project(actual_rows, columns)
    if not expect.get("ordered", True):
        keys = [c for c in columns if not isinstance(expected_rows[0][c], int | float) or c == "time"]
        actual = sorted(actual, key=lambda r: [str(r[k]) for k in keys])
        expected_rows = sorted(expected_rows, key=lambda r: [str(r[k]) for k in keys])
    assert len(actual) == len(expected_rows), f"{qid}: {actual} != {expected_rows}"
    tolerance = float(expect.get("tolerance", 0))
    for got, want in zip(actual, expected_rows, strict=True):
        assert all(_same(got[c], want[c], tolerance) for c in columns), f"{qid}: {got} != {want}"
