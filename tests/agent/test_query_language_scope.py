"""The agent scope over the query language's additions, on the client's export with agent keys.

- calculations and `top` are computed after small-group suppression: a share's total, a rank, a running total or
  a change only ever combine values an agent may see, so none of them gives a hidden value back;
- `min`, `max` and percentiles outside p25-p75 of a patient-level quantity are refused (`forbidden_aggregate`);
- each ad hoc aggregate counts its own contributors (avg: patients with a value; sum: with a nonzero row;
  count_distinct: patients behind the counted rows), compared here with a manager's counts of those patients;
- identifiers only in `count_distinct(E.id)` and existence tests with `match`; `is_null` on a finer entity's
  member without `match` is refused for everyone, naming match "none".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.agent.support import as_agent

K = 11  # AGENT_MIN_GROUP_SIZE's default
CELLS = ["patient.gender", "patient.source", "patient.age_band"]  # many groups of fewer than k patients
WEEKS = {"grain": "week", "range": "last_90_days"}
Call = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


@pytest.fixture
def agent(client_api: TestClient, client_db_url: str, make_key: Any) -> Call:
    """An agent key of this test's own (the differencing check compares a key's queries with its earlier ones)."""
    key = make_key(client_db_url, "agent")

    def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = as_agent(client_api, key, "POST", "/api/query", json=body)
        return response.status_code, response.json()

    return call


@pytest.fixture(scope="module")
def manager(client_db_url: str) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    from tests.conftest import signed_in_client

    with signed_in_client(client_db_url) as client:
        def call(body: dict[str, Any]) -> dict[str, Any]:
            response = client.post("/api/query", json=body)
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        yield call


def answered(agent: Call, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = agent(body)
    assert status == 200, (body, answer)
    return answer


def refused(agent: Call, body: dict[str, Any], code: str) -> dict[str, Any]:
    status, answer = agent(body)
    assert status == 400 and answer["error"]["code"] == code, (body, answer)
    return answer["error"]  # type: ignore[no-any-return]


def by_key(rows: list[dict[str, Any]], keys: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


# --- calculations and top after suppression --------------------------------------------------------------


def test_shares_and_ranks_use_only_the_values_shown(agent: Call, manager: Any) -> None:
    body = {"measures": ["patient_count", "visit_count"], "dimensions": CELLS,
            "calculations": [{"name": "share", "op": "share_of_total", "of": "visit_count"},
                             {"name": "share_in_source", "op": "share_of_total", "of": "visit_count",
                              "within": ["patient.source"]},
                             {"name": "rank", "op": "rank", "of": "visit_count", "within": ["patient.source"]}]}
    answer = answered(agent, body)
    everyone = manager({"measures": ["visit_count"], "dimensions": CELLS})["rows"]
    shown = [r for r in answer["rows"] if r["visit_count"] is not None]
    assert any(r["visit_count"] is None for r in answer["rows"])  # some rows keep a count and hide the visits
    total = sum(r["visit_count"] for r in shown)
    assert total < sum(r["visit_count"] for r in everyone)  # hidden visits exist, and are not in the total
    per_source: dict[str, list[int]] = defaultdict(list)
    for row in shown:
        per_source[row["patient.source"]].append(row["visit_count"])
    for row in answer["rows"]:
        value = row["visit_count"]
        if value is None:
            assert row["share"] is None and row["share_in_source"] is None and row["rank"] is None, row
            continue
        assert value == 0 or value >= K  # a true zero (no patient behind it) is shown
        assert row["share"] == pytest.approx(value / total, rel=1e-12)
        assert row["share_in_source"] == pytest.approx(value / sum(per_source[row["patient.source"]]), rel=1e-12)
        assert row["rank"] == 1 + sum(1 for v in per_source[row["patient.source"]] if v > value)


def test_running_totals_and_changes_step_over_hidden_values(agent: Call, manager: Any) -> None:
    body = {"measures": ["visit_count"], "dimensions": ["patient.source"], "time": WEEKS,
            "calculations": [{"name": "running", "op": "running_total", "of": "visit_count"},
                             {"name": "change", "op": "change", "of": "visit_count"},
                             {"name": "change_pct", "op": "change_pct", "of": "visit_count"}]}
    answer = answered(agent, body)
    everyone = by_key(manager({"measures": ["visit_count", "active_patient_count"], "dimensions": ["patient.source"],
                               "time": WEEKS})["rows"], ["patient.source", "time"])
    assert any(r["active_patient_count"] < K and r["visit_count"] for r in everyone.values())  # something to hide
    series: dict[str, dict[str, int | None]] = defaultdict(dict)
    for row in answer["rows"]:
        series[row["patient.source"]][row["time"]] = row["visit_count"]
    for row in answer["rows"]:
        weeks = sorted(everyone_key[1] for everyone_key in everyone if everyone_key[0] == row["patient.source"])
        upto = [series[row["patient.source"]].get(w) for w in weeks if w <= row["time"]]
        visible = [v for v in upto if v is not None]
        assert row["running"] == (sum(visible) if visible else None), row
        index = weeks.index(row["time"])
        previous = series[row["patient.source"]].get(weeks[index - 1]) if index else None
        if row["visit_count"] is None or previous is None:  # a hidden (or dropped) neighbour: no change shown
            assert row["change"] is None and row["change_pct"] is None, row
        else:
            assert row["change"] == row["visit_count"] - previous
            assert row["change_pct"] == pytest.approx((row["visit_count"] - previous) / previous)


def test_top_picks_among_the_values_shown(agent: Call, manager: Any) -> None:
    body = {"measures": ["visit_count", "patient_count"], "dimensions": CELLS,
            "top": {"n": 2, "by": "visit_count", "within": ["patient.source"]}}
    full = answered(agent, {key: value for key, value in body.items() if key != "top"})["rows"]
    answer = answered(agent, body)
    per_source: dict[str, list[int]] = defaultdict(list)
    for row in full:
        if row["visit_count"] is not None:
            per_source[row["patient.source"]].append(row["visit_count"])
    kept: dict[str, list[int]] = defaultdict(list)
    for row in answer["rows"]:
        assert row["visit_count"] is not None and row["visit_count"] >= K
        kept[row["patient.source"]].append(row["visit_count"])
    assert {s: sorted(v) for s, v in kept.items()} == {s: sorted(v)[-2:] for s, v in per_source.items()}
    # and a value hidden for the agent never decides a place: the manager's top may differ, the agent's does not
    # come from it
    assert answer["total_rows"] == sum(len(v) for v in kept.values())


# --- forbidden aggregates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["min(patient.age)", "max(patient.lifetime_spend)", "p10(patient.age)",
                                     "p90(service_line.list_price)", "p76(payment.amount)",
                                     "min(appointment.lead_time_days)", "p99(patient.visit_count)"])
def test_extremes_of_patient_level_quantities_are_refused(agent: Call, measure: str) -> None:
    error = refused(agent, {"measures": [measure], "dimensions": ["patient.source"]}, "forbidden_aggregate")
    assert error["path"] == "measures[0]"
    assert any(s.startswith(("avg(", "median(")) for s in error["suggestions"])


@pytest.mark.parametrize("measure", ["avg(patient.age)", "median(patient.lifetime_spend)", "p25(payment.amount)",
                                     "p75(appointment.lead_time_days)", "min(service.price)", "max(service.price)"])
def test_middle_percentiles_averages_and_non_patient_extremes_are_answered(agent: Call, measure: str) -> None:
    answer = answered(agent, {"measures": [measure], "dimensions": ["patient.source" if "service." not in measure
                                                                    else "service.name"]})
    assert answer["rows"] and all(r[measure] is not None for r in answer["rows"])


# --- contributors per ad hoc aggregate ---------------------------------------------------------------------


@pytest.mark.parametrize(("measure", "dimensions", "contributors"), [
    # an average: the patients with a value (every patient has an age)
    ("avg(patient.age)", CELLS, "count_distinct(patient.id)"),
    # a distinct count of patients: the patients counted
    ("count_distinct(patient.id)", CELLS, "patient_count"),
    # a sum of payments (all nonzero here): the patients who paid by that method
    ("sum(payment.amount)", ["payment.method", "patient.age_band", "patient.gender"], "count_distinct(patient.id)"),
    # appointments per service: the patients behind the counted appointments
    ("count_distinct(appointment.id)", ["service.name", "patient.age_band", "patient.gender"],
     "count_distinct(patient.id)"),
])
def test_each_adhoc_aggregate_counts_its_own_contributors(agent: Call, manager: Any, measure: str,
                                                          dimensions: list[str], contributors: str) -> None:
    truth = by_key(manager({"measures": [measure, contributors], "dimensions": dimensions})["rows"], dimensions)
    # the groups the measure has (a patient's distinct count also lists patients without any such row)
    truth = {key: row for key, row in truth.items() if row[measure]}
    answer = answered(agent, {"measures": [measure], "dimensions": dimensions})
    shown = by_key(answer["rows"], dimensions)
    assert any(row[contributors] < K for row in truth.values())  # some groups are small
    for key, row in truth.items():
        if row[contributors] >= K:
            assert key in shown and shown[key][measure] == row[measure], (key, row)
        else:
            assert key not in shown, (key, row)
    assert answer["meta"]["suppressed_rows"] == sum(1 for r in truth.values() if r[contributors] < K)


def test_overlapping_groups_are_said_for_an_agent_too(agent: Call) -> None:
    answer = answered(agent, {"measures": ["count_distinct(appointment.id)"], "dimensions": ["provider.name"]})
    assert any(w.startswith("overlapping_groups") for w in answer["meta"]["warnings"])


# --- identifiers and match ---------------------------------------------------------------------------------


def test_is_null_on_a_finer_entity_needs_match(agent: Call, manager: Any) -> None:
    error = refused(agent, {"measures": ["patient_count"], "filters": [{"field": "appointment.id", "op": "is_null"}]},
                    "invalid_filter")
    assert 'match: "none"' in error["message"]
    never = {"measures": ["patient_count"], "dimensions": ["patient.source"],
             "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}]}
    answer = answered(agent, never)
    assert answer["rows"] and answer["rows"] == manager(never)["rows"]  # large groups: the same numbers
    assert sum(r["patient_count"] for r in answer["rows"]) > 0


def test_identifiers_only_counted_or_tested(agent: Call) -> None:
    refused(agent, {"measures": ["avg(service_line.id)"]}, "invalid_query")
    refused(agent, {"measures": ["patient_count"], "dimensions": ["appointment.id"]}, "forbidden_member")
    refused(agent, {"measures": ["patient_count"],
                    "filters": [{"field": "appointment.id", "op": "equals", "values": ["apt_x"]}]},
            "forbidden_member")
    answer = answered(agent, {"measures": ["count_distinct(appointment.id)", "count_distinct(patient.id)"],
                              "dimensions": ["patient.source"]})
    assert all(r["count_distinct(appointment.id)"] >= r["count_distinct(patient.id)"] >= K for r in answer["rows"])


def test_the_mcp_query_tool_takes_the_new_fields(run_tool: Any) -> None:
    run, _ = run_tool
    outcome = run("query", {"measures": ["revenue", "avg(patient.age)"], "dimensions": ["patient.source"],
                            "time": {"grain": "month", "range": "last_12_months"},
                            "filters": [{"field": "patient.gender", "op": "equals", "values": ["female"]}],
                            "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue",
                                              "within": ["time"]}],
                            "top": {"n": 2, "by": "revenue", "within": ["time"]}, "order": [{"field": "share"}]})
    assert outcome.ok, outcome.payload
    assert "share" in [c["name"] for c in outcome.payload["columns"]]
    bad = run("query", {"measures": ["mean(patient.age)"]})
    assert not bad.ok and bad.payload["error"]["code"] == "unknown_member"
