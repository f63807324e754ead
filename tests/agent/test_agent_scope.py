"""The agent scope, attacked the way the issue's attacker did, on the client's export with an agent key.

Each attack of issue 15 is replayed and must end in a refusal or no row: listings from every entity root,
dates of birth through `as_of`, patient timestamps finer than their allowed grain, exact age, a filter set
narrowing to fewer than k patients, value search on identifiers; and HAVING, ORDER BY and compare must not
reveal a value that small-group suppression hid. The same calls go through the MCP tools (which act as
the agent whatever calls them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.agent.support import as_agent

K = 11  # AGENT_MIN_GROUP_SIZE's default


@pytest.fixture(scope="module")
def agent(client_api: TestClient, agent_key: str) -> Iterator[Any]:
    """`agent(body)` -> (status, json) of POST /api/query with the agent key; `manager(body)` likewise."""

    def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = as_agent(client_api, agent_key, "POST", "/api/query", json=body)
        return response.status_code, response.json()

    yield call


@pytest.fixture(scope="module")
def manager(client_db_url: str) -> Iterator[Any]:
    from tests.conftest import signed_in_client

    with signed_in_client(client_db_url) as client:
        def call(body: dict[str, Any]) -> dict[str, Any]:
            response = client.post("/api/query", json=body)
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        yield call


def refused(agent: Any, body: dict[str, Any], code: str) -> dict[str, Any]:
    status, answer = agent(body)
    assert status == 400 and answer["error"]["code"] == code, (body, answer)
    error: dict[str, Any] = answer["error"]
    return error


# --- listings by another root ---------------------------------------------------------------------


@pytest.mark.parametrize("key", ["appointment.id", "payment.id", "service_line.id"])
def test_no_listing_from_any_entity_root(agent: Any, key: str) -> None:
    listing = {"dimensions": [key, "patient.gender", "patient.source", "patient.age_band"], "limit": 10000}
    refused(agent, listing, "aggregate_required")
    # with a measure, the record's id is still not a group: it names one record
    error = refused(agent, {**listing, "measures": ["patient_count"]}, "forbidden_member")
    assert error["path"] == "dimensions[0]" and "count_distinct" in error["message"]


def test_the_issue_listing_of_appointments_with_patient_attributes(agent: Any) -> None:
    body = {"dimensions": ["appointment.id", "patient.age", "patient.gender", "patient.source", "patient.created_at",
                           "patient.lifetime_spend"], "limit": 10000}
    refused(agent, body, "aggregate_required")


# --- dates of birth through as_of -------------------------------------------------------------------


def test_an_agent_may_not_choose_as_of(agent: Any) -> None:
    body = {"measures": ["patient_count"], "dimensions": ["patient.gender", "patient.source", "patient.age_band"],
            "as_of": "2025-06-01"}
    error = refused(agent, body, "forbidden_option")
    assert error["path"] == "as_of"


def test_the_tools_refuse_as_of_too(run_tool: Any) -> None:
    run, _ = run_tool
    outcome = run("query", {"measures": ["patient_count"], "as_of": "2025-06-01"})
    assert not outcome.ok and outcome.payload["error"]["code"] == "forbidden_option"


# --- fine quasi-identifiers -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "coarse"), [
    ("patient.age", "patient.age_band"), ("patient.lifetime_spend", "patient.lifetime_spend_band"),
    ("patient.visit_count", "patient.visit_count_band"), ("patient.days_since_last_visit", "patient.recency_band"),
])
def test_exact_per_patient_numbers_are_grouped_by_their_band_only(agent: Any, name: str, coarse: str) -> None:
    error = refused(agent, {"measures": ["patient_count"], "dimensions": [name]}, "forbidden_grain")
    assert error["suggestions"] == [coarse]
    status, answer = agent({"measures": ["patient_count"], "dimensions": [coarse]})
    assert status == 200 and answer["rows"]


@pytest.mark.parametrize(("measure", "name", "finest"), [
    ("patient_count", "patient.created_at", "month"), ("patient_count", "patient.first_visit_at", "week"),
    ("appointment_count", "appointment.start_at", "day"),
])
def test_patient_timestamps_no_finer_than_their_grain(agent: Any, measure: str, name: str, finest: str) -> None:
    refused(agent, {"measures": [measure], "dimensions": [name]}, "forbidden_grain")
    finer = {"month": "week", "week": "day"}.get(finest)
    if finer is not None:
        error = refused(agent, {"measures": [measure], "time": {"dimension": name, "grain": finer}},
                        "forbidden_grain")
        assert error["suggestions"][0] == finest
    status, _ = agent({"measures": [measure], "time": {"dimension": name, "grain": finest}})
    assert status == 200


def test_a_default_time_dimension_is_held_to_its_grain_too(agent: Any) -> None:
    # new_patient_count is bucketed on patient.first_visit_at unless told otherwise
    refused(agent, {"measures": ["new_patient_count"], "time": {"grain": "day", "range": "last_90_days"}},
            "forbidden_grain")


def test_the_issue_grouping_of_four_quasi_identifiers(agent: Any) -> None:
    body = {"measures": ["patient_count"],
            "dimensions": ["patient.created_at", "patient.gender", "patient.source", "patient.age"]}
    refused(agent, body, "forbidden_grain")


# --- small counts -------------------------------------------------------------------------------------


def _one_patient(manager: Any) -> dict[str, Any]:
    """A patient's created_at, gender, source and age, as a manager sees them (the attacker's target)."""
    rows = manager({"dimensions": ["patient.id", "patient.created_at", "patient.gender", "patient.source",
                                   "patient.age", "patient.visit_count"],
                    "filters": [{"field": "patient.visit_count", "op": "gte", "value": 2}],
                    "order": [{"field": "patient.id", "dir": "asc"}], "limit": 1})["rows"]
    return rows[0]  # type: ignore[no-any-return]


def test_filters_that_narrow_to_one_patient_are_refused(agent: Any, manager: Any) -> None:
    target = _one_patient(manager)
    created = dt.datetime.fromisoformat(target["patient.created_at"])
    # the issue's filters: the record-created time to the microsecond and the exact age are too fine to filter by
    exact = [{"field": "patient.created_at", "op": "between", "values": [created.isoformat(), created.isoformat()]},
             {"field": "patient.age", "op": "equals", "value": target["patient.age"] if target["patient.age"] % 5
              else target["patient.age"] + 1}]
    for narrow in exact:
        refused(agent, {"measures": ["visit_count"], "filters": [narrow]}, "forbidden_grain")
    # at the resolution an agent may use (the record's month, a five-year age range), with gender and source
    month = created.date().replace(day=1)
    after = (month + dt.timedelta(days=32)).replace(day=1)
    low = target["patient.age"] - target["patient.age"] % 5
    filters = [{"field": "patient.created_at", "op": "gte", "value": month.isoformat()},
               {"field": "patient.created_at", "op": "lt", "value": after.isoformat()},
               {"field": "patient.gender", "op": "equals", "value": target["patient.gender"]},
               {"field": "patient.source", "op": "equals", "value": target["patient.source"]},
               {"field": "patient.age", "op": "gte", "value": low},
               {"field": "patient.age", "op": "lt", "value": low + 5}]
    everyone = manager({"measures": ["patient_count"], "filters": filters})["rows"][0]["patient_count"]
    assert 1 <= everyone < K  # a few patients: refused, whatever is asked of them
    for measures in (["visit_count"], ["revenue", "line_revenue"], ["patient_count"]):
        refused(agent, {"measures": measures, "filters": filters}, "too_few_patients")
    # their treatment history, grouped by service: refused as a whole, not shown row by row
    refused(agent, {"measures": ["service_line_count"], "dimensions": ["service.name"], "filters": filters},
            "too_few_patients")


def test_thresholds_between_two_patients_are_refused(agent: Any) -> None:
    # the red team's tracker: [150000, u + 300) + [u, 250000) - [150000, 250000) was the patient in [u, u + 300)
    refused(agent, {"measures": ["revenue"], "filters": [
        {"field": "patient.lifetime_spend", "op": "gte", "value": 168000},
        {"field": "patient.lifetime_spend", "op": "lt", "value": 168300}]}, "forbidden_grain")
    # ages picked by bits, and days inside a week of first visits
    refused(agent, {"measures": ["patient_count"], "filters": [
        {"field": "patient.age", "op": "in", "values": [36, 37, 38, 39, 44]}]}, "forbidden_grain")
    refused(agent, {"measures": ["new_patient_count"], "time": {"range": ["2025-10-01", "2025-10-15"]}},
            "forbidden_grain")
    # at the coarse form's resolution they are answered: $500 steps, five years, whole weeks or months
    spend = {"field": "patient.lifetime_spend", "op": "gte", "value": 100000}
    for body in ({"measures": ["revenue"], "filters": [spend]},
                 {"measures": ["patient_count"], "filters": [{"field": "patient.age", "op": "between",
                                                              "values": [40, 50]}]},
                 {"measures": ["new_patient_count"], "time": {"range": ["2025-10-01", "2025-11-01"]}},
                 {"measures": ["new_patient_count"], "time": {"range": "last_30_days"}}):
        status, answer = agent(body)
        assert status == 200, (body, answer)


def test_small_groups_are_dropped_and_counted(agent: Any, manager: Any) -> None:
    dims = ["patient.gender", "patient.source", "patient.age_band"]
    body = {"measures": ["patient_count"], "dimensions": dims}
    everyone = {tuple(r[d] for d in dims): r["patient_count"] for r in manager(body)["rows"]}
    status, answer = agent(body)
    assert status == 200
    shown = {tuple(r[d] for d in dims): r["patient_count"] for r in answer["rows"]}
    assert all(everyone[key] == value >= K for key, value in shown.items())  # exact, and never a small group
    hidden = set(everyone) - set(shown)
    assert {k for k, v in everyone.items() if v < K} <= hidden
    assert answer["meta"]["suppressed_rows"] == len(hidden) == len(everyone) - answer["total_rows"]
    assert any(w.startswith("small_groups_suppressed") for w in answer["meta"]["warnings"])
    # only the small groups: every group of k or more is shown (a total minus the shown ones may give the small
    # ones back, in all: the contract accepts it, docs/security.md)
    assert hidden == {k for k, v in everyone.items() if v < K}


def test_true_zeros_are_kept(agent: Any) -> None:
    # no failed payment in the client's export: a 0 with no patient behind it, never suppressed
    status, answer = agent({"measures": ["revenue", "failed_payment_count"], "dimensions": ["patient.source"]})
    assert status == 200 and answer["rows"] and answer["meta"]["suppressed_rows"] == 0
    assert all(r["failed_payment_count"] == 0 for r in answer["rows"])


@pytest.mark.parametrize(("dimension", "count"), [("appointment.id", "appointment_count"),
                                                   ("patient.next_appointment_id", "patient_count")])
def test_value_search_on_identifiers_is_refused(run_tool: Any, dimension: str, count: str) -> None:
    run, _ = run_tool
    outcome = run("search_dimension_values", {"dimension": dimension})
    assert not outcome.ok and outcome.payload["error"]["code"] == "forbidden_member"


def test_value_search_lists_only_values_held_by_k_patients(run_tool: Any, manager: Any) -> None:
    run, _ = run_tool
    outcome = run("search_dimension_values", {"dimension": "patient.recency_band", "limit": 100})
    assert outcome.ok
    held = {r["patient.recency_band"]: r["patient_count"] for r in manager(
        {"measures": ["patient_count"], "dimensions": ["patient.recency_band"]})["rows"]}
    listed = {v["value"] for v in outcome.payload["values"]}
    assert listed == {value for value, n in held.items() if n >= K}


def test_identifiers_serve_existence_tests(agent: Any, manager: Any) -> None:
    # patients with nothing booked ahead: an existence test on an identifier is a group, not a person
    body = {"measures": ["patient_count"], "dimensions": ["patient.source"],
            "filters": [{"field": "patient.next_appointment_id", "op": "is_null"}]}
    status, answer = agent(body)
    assert status == 200 and answer["rows"] == manager(body)["rows"]
    refused(agent, {"measures": ["patient_count"],
                    "filters": [{"field": "patient.next_appointment_id", "op": "starts_with", "value": "apt_"}]},
            "forbidden_member")


# --- having, order and compare after suppression ------------------------------------------------------


def _hidden_cell(manager: Any, body: dict[str, Any], measure: str) -> tuple[tuple[Any, ...], int]:
    """A group whose `measure` a manager sees with fewer than k patients behind it (chosen from the rows)."""
    keys = ["time", *body.get("dimensions", [])] if body.get("time", {}).get("grain") else body["dimensions"]
    rows = manager({**body, "measures": [measure, "active_patient_count"]})["rows"]
    for row in rows:
        if 1 <= row["active_patient_count"] < K and row[measure]:
            return tuple(row[k] for k in keys), row[measure]
    raise AssertionError("no small group to look at")


def test_having_cannot_reveal_a_suppressed_value(agent: Any, manager: Any) -> None:
    # visits by source and week: the patients behind a cell are its active patients
    body = {"dimensions": ["patient.source"], "time": {"grain": "week", "range": "last_90_days"}}
    key, value = _hidden_cell(manager, body, "visit_count")
    for having in ({"op": "equals", "value": value}, {"op": "between", "values": [value - 1, value + 1]},
                   {"op": "lt", "value": K}, {"op": "gt", "value": 0}):
        status, answer = agent({**body, "measures": ["visit_count"],
                                "having": [{"field": "visit_count", **having}]})
        assert status == 200
        assert key not in {(r["time"], r["patient.source"]) for r in answer["rows"]}, having
        assert all(r["visit_count"] >= K for r in answer["rows"])


def test_order_and_totals_skip_suppressed_values(agent: Any, manager: Any) -> None:
    body = {"measures": ["visit_count", "revenue"], "dimensions": ["patient.source"],
            "time": {"grain": "week", "range": "last_90_days"}, "order": [{"field": "visit_count", "dir": "asc"}]}
    status, answer = agent(body)
    assert status == 200
    counts = [r["visit_count"] for r in answer["rows"]]
    shown = [c for c in counts if c is not None]
    assert shown == sorted(shown) and all(c >= K for c in shown)
    assert counts[:len(shown)] == shown  # hidden (null) values sort last: their order says nothing
    assert answer["total_rows"] == len(answer["rows"])  # the total counts rows shown, not rows dropped


def test_compare_cannot_reveal_a_suppressed_previous_value(agent: Any, manager: Any) -> None:
    body = {"measures": ["visit_count"], "dimensions": ["patient.source"],
            "time": {"grain": "week", "range": "last_90_days", "compare": "previous_period"}}
    status, answer = agent(body)
    assert status == 200
    assert any(r["visit_count.previous"] is None for r in answer["rows"])  # some were hidden
    for row in answer["rows"]:
        if row["visit_count.previous"] is None or row["visit_count"] is None:
            assert row["visit_count.change"] is None and row["visit_count.change_pct"] is None, row
        else:
            assert row["visit_count.previous"] >= K and row["visit_count"] >= K


# --- the agent's catalog --------------------------------------------------------------------------------


def test_the_agent_catalog_offers_the_coarse_form(client_api: TestClient, agent_key: str) -> None:
    catalog = as_agent(client_api, agent_key, "GET", "/api/catalog").json()
    dims = {d["name"]: d for d in catalog["dimensions"]}
    assert not any(d["pii"] for d in dims.values())
    assert dims["patient.age"]["filter_only"] and dims["patient.age"]["coarse_form"] == "patient.age_band"
    assert dims["appointment.id"]["filter_only"] and dims["appointment.id"]["ops"] == ["is_null", "is_not_null"]
    assert dims["patient.created_at"]["grains"] == ["month", "quarter", "year"]
    revenue = next(m for m in catalog["measures"] if m["name"] == "revenue")
    assert "patient.age" not in revenue["groupable_by"] and "patient.age_band" in revenue["groupable_by"]


# --- the red team's differencing (issue 15 rehearsal) ----------------------------------------------------


def _top_spend(manager: Any) -> int:
    """A threshold only the top spender reaches, in the $500 steps an agent may filter spend by."""
    rows = manager({"dimensions": ["patient.id", "patient.lifetime_spend"],
                    "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 2})["rows"]
    top, second = (int(r["patient.lifetime_spend"]) for r in rows)
    threshold = (second // 50_000 + 1) * 50_000
    assert threshold <= top  # so on the client's export ($6,557.64 and $6,176.21 at the top)
    return threshold


def test_everyone_but_one_gives_nothing_away(agent: Any, manager: Any, client_api: TestClient,
                                            client_db_url: str) -> None:
    # all patients minus "all patients but the top spender" was that patient's exact spend and history
    threshold = _top_spend(manager)
    everyone = {"measures": ["patient_count", "revenue", "visit_count"]}
    but_one = {**everyone, "filters": [{"field": "patient.lifetime_spend", "op": "lt", "value": threshold}]}
    # on its own, each value would differ from the unfiltered query's by one patient: none is shown
    fresh = _fresh_agent(client_api, client_db_url)
    status, answer = fresh(but_one)
    assert status == 200 and answer["rows"] == [] and answer["meta"]["suppressed_rows"] == 1
    # the same filter twice, or with its band, is one attribute left out together
    doubled = {**but_one, "filters": [*but_one["filters"], *but_one["filters"],
                                      {"field": "patient.lifetime_spend_band", "op": "not_equals", "value": "x"}]}
    status, answer = _fresh_agent(client_api, client_db_url)(doubled)
    assert status == 200 and answer["rows"] == [] and answer["meta"]["suppressed_rows"] == 1
    # after the unfiltered answer, the key may not ask about a set of patients one away from it
    status, whole = agent(everyone)
    assert status == 200 and whole["rows"][0]["revenue"] is not None
    refused(agent, but_one, "too_few_patients")
    # grouped, no row shows a value the filter changes by fewer than k patients
    status, grouped = _fresh_agent(client_api, client_db_url)({**but_one, "dimensions": ["patient.source"]})
    full = {r["patient.source"]: r for r in agent({**everyone, "dimensions": ["patient.source"]})[1]["rows"]}
    shown = 0
    for row in grouped["rows"]:
        for measure in everyone["measures"]:
            if row[measure] is not None:
                shown += 1
                assert row[measure] == full[row["patient.source"]][measure]  # unchanged: nobody left out here
    assert shown and grouped["meta"]["suppressed_rows"] + len(grouped["rows"]) == len(full)


def test_two_ranges_a_day_apart_are_not_both_answered(client_api: TestClient, client_db_url: str) -> None:
    # the issue's red team: [Dec 15, Mar 1) minus [Dec 16, Mar 1) was the one patient seen on the first day
    ask = _fresh_agent(client_api, client_db_url)
    first = {"measures": ["visit_count", "line_revenue"], "time": {"range": ["2024-12-15", "2025-03-01"]}}
    status, answer = ask(first)
    assert status == 200, answer
    apart = refused(ask, {**first, "time": {"range": ["2024-12-16", "2025-03-01"]}}, "too_few_patients")
    # in the same words as a query of fewer than k on its own: the text does not tell which of the two it was
    alone = refused(ask, {**first, "time": {"range": ["2024-12-15", "2024-12-16"]}}, "too_few_patients")
    assert apart["message"] == alone["message"]
    # a range that differs by many patients is answered
    status, answer = ask({**first, "time": {"range": ["2025-02-01", "2025-03-01"]}})
    assert status == 200, answer


def _fresh_agent(client_api: TestClient, url: str) -> Any:
    """`agent` with a key of its own (no earlier queries to be compared with)."""
    from tests.conftest import create_key

    key = create_key(url, f"fresh-{uuid.uuid4().hex[:8]}", "agent")

    def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = as_agent(client_api, key, "POST", "/api/query", json=body)
        return response.status_code, response.json()

    return call


def test_a_refusal_is_no_yes_no_answer_about_an_isolated_patient(agent: Any, manager: Any) -> None:
    # with a filter that isolates one patient, adding a test filter used to answer 0 (no) or too_few (yes)
    alone = {"field": "patient.lifetime_spend", "op": "gte", "value": _top_spend(manager)}
    answers = set()
    for age in range(20, 90, 5):
        test = {"field": "patient.age", "op": "between", "values": [age, age + 5]}
        status, answer = agent({"measures": ["patient_count"], "filters": [alone, test]})
        answers.add((status, answer.get("error", {}).get("code")))
    assert answers == {(400, "too_few_patients")}
