"""The query language's additions (contract additions, section 2), against the independent oracle.

Each query runs through `POST /api/query`; the expected rows come from plain Python over the JSON files
(`oracle.py` and `oracle_language.py`: no SQL, no catalog). Twice: on the client's export (skipped when it is not on
the machine) and on the repo generator's data (600 patients, fixed seed), which unlike the export has failed and
pending payments and unpaid visits. Counts and cents must agree exactly, other numbers to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests.contract.oracle import MEASURES, Export, Model, as_of_value
from tests.contract.oracle_language import adhoc, calculate, passes, table, top
from tests.contract.support import normalise_dimension, resolved_range, run
from tests.generated import generated_database

BOTOX = "Botox Injection"
BY_MONTH_2025 = {"grain": "month", "range": ["2025-01-01", "2025-11-01"]}

CASES: dict[str, dict[str, Any]] = {
    # values for every op
    "equals-several-is-in": {
        "measures": ["visit_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "patient.source", "op": "equals", "values": ["google", "tiktok"]},
                    {"field": "appointment.hour_of_day", "op": "gte", "values": [12]}]},
    "not-equals-several-is-not-in": {
        "measures": ["appointment_count"], "dimensions": ["appointment.status"],
        "filters": [{"field": "patient.source", "op": "not_equals", "values": ["google", "tiktok", "phone"]},
                    {"field": "service.name", "op": "equals", "values": [BOTOX]}]},
    # ad hoc aggregates, each at its own entity's grain
    "patient-aggregates-by-source": {
        "measures": ["avg(patient.age)", "median(patient.age)", "p90(patient.lifetime_spend)",
                     "p10(patient.visit_count)", "count_distinct(patient.id)", "sum(patient.lifetime_spend)"],
        "dimensions": ["patient.source"]},
    "line-aggregates-by-service": {
        "measures": ["sum(service_line.list_price)", "max(service_line.list_price)",
                     "avg(service_line.list_price)", "count_distinct(service_line.id)"],
        "dimensions": ["service.name"]},
    "payment-aggregates-by-method-per-quarter": {
        "measures": ["avg(payment.amount)", "p75(payment.amount)", "min(payment.amount)"],
        "dimensions": ["payment.method"], "time": {"grain": "quarter", "range": ["2025-01-01", "2025-10-01"]}},
    "appointments-by-provider-overlap": {
        "measures": ["count_distinct(appointment.id)"], "dimensions": ["provider.name"]},
    "appointments-counted-per-month": {
        "measures": ["count_distinct(appointment.id)", "appointment_count"], "time": BY_MONTH_2025},
    "age-of-patients-who-never-booked": {
        "measures": ["avg(patient.age)", "count_distinct(patient.id)"], "dimensions": ["patient.gender"],
        "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}]},
    # match
    "patients-who-never-booked": {
        "measures": ["patient_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}]},
    "patients-all-cancelled": {
        "measures": ["patient_count"], "dimensions": ["patient.gender"],
        "filters": [{"field": "appointment.status", "op": "equals", "value": "cancelled", "match": "all"}]},
    "patients-with-botox-any": {
        "measures": ["patient_count"],
        "filters": [{"field": "service.name", "op": "equals", "value": BOTOX, "match": "any"}]},
    "patients-never-botox-but-booked": {
        "measures": ["patient_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "service.name", "op": "equals", "value": BOTOX, "match": "none"},
                    {"field": "appointment.id", "op": "is_not_null"}]},
    "visits-without-botox": {
        "measures": ["visit_count"], "time": {"grain": "quarter"},
        "filters": [{"field": "service.name", "op": "in", "values": [BOTOX, "Dermal Filler"], "match": "none"}]},
    "visits-only-laser": {
        "measures": ["visit_count", "avg(appointment.paid_amount)"],
        "filters": [{"field": "service.name", "op": "equals", "value": "Laser Hair Removal", "match": "all"}]},
    "revenue-of-appointments-not-cancelled-many-to-one": {
        "measures": ["revenue"], "dimensions": ["payment.method"],
        "filters": [{"field": "appointment.status", "op": "equals", "value": "cancelled", "match": "none"}]},
    "appointments-without-a-paid-payment": {
        "measures": ["appointment_count"], "dimensions": ["appointment.status"],
        "filters": [{"field": "payment.status", "op": "equals", "value": "paid", "match": "none"}]},
    # calculations and top
    "share-of-revenue-by-source-per-month": {
        "measures": ["revenue", "payment_count"], "dimensions": ["patient.source"], "time": BY_MONTH_2025,
        "calculations": [
            {"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]},
            {"name": "share_all", "op": "share_of_total", "of": "revenue"},
            {"name": "running", "op": "running_total", "of": "revenue"},
            {"name": "change", "op": "change", "of": "revenue"},
            {"name": "change_pct", "op": "change_pct", "of": "revenue"},
            {"name": "rank", "op": "rank", "of": "revenue", "within": ["time"]},
            {"name": "ticket", "op": "ratio", "of": ["revenue", "payment_count"]},
            {"name": "ticket_rank", "op": "rank", "of": "ticket"}]},
    "top-two-sources-per-month": {
        "measures": ["revenue"], "dimensions": ["patient.source"], "time": BY_MONTH_2025,
        "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]}],
        "top": {"n": 2, "by": "revenue", "within": ["time"]}},
    "visits-running-total-per-week": {
        "measures": ["visit_count", "avg(appointment.lead_time_days)"],
        "time": {"grain": "week", "range": ["2025-06-02", "2025-09-01"]},
        "calculations": [{"name": "running", "op": "running_total", "of": "visit_count"},
                         {"name": "growth", "op": "change_pct", "of": "visit_count"},
                         {"name": "lead_change", "op": "change", "of": "avg(appointment.lead_time_days)"}]},
    "top-three-services-by-share": {
        "measures": ["line_revenue"], "dimensions": ["service.name"],
        "calculations": [{"name": "share", "op": "share_of_total", "of": "line_revenue"},
                         {"name": "rank", "op": "rank", "of": "share"}],
        "top": {"n": 3, "by": "share"}, "order": [{"field": "rank", "dir": "asc"}]},
    "top-gender-per-source-by-visits": {
        "measures": ["patient_count", "avg(patient.visit_count)"], "dimensions": ["patient.source", "patient.gender"],
        "top": {"n": 1, "by": "avg(patient.visit_count)", "within": ["patient.source"]}},
}
ADDITIVE_ADHOC = ("sum(", "count_distinct(")


# --- the oracle's answer ------------------------------------------------------------------------------

def expected_rows(model: Model, query: Mapping[str, Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    dims = list(query.get("dimensions", []))
    time = query.get("time") or {}
    grain = time.get("grain")
    window = resolved_range(query, body)
    filters = query.get("filters", [])
    results: dict[str, dict[tuple[Any, ...], Any]] = {}
    for measure in query["measures"]:
        if "(" in measure:
            results[measure] = adhoc(model, measure, dims, grain=grain, time_range=window,
                                     time_dimension=time.get("dimension"), filters=filters)
        else:
            results[measure] = model.compute(measure, dims, grain=grain, time_range=window,
                                             time_dimension=time.get("dimension"),
                                             keep=lambda fact: passes(model, fact, filters))
    additive = {m for m in query["measures"] if (m in MEASURES and MEASURES[m].additive) or m.startswith(
        ADDITIVE_ADHOC)}
    for measure in additive:  # a sum over rows without a value is 0, as a count of none
        results[measure] = {k: 0 if v is None else v for k, v in results[measure].items()}
    rows = table(results, dims, grain, window, additive)
    calculate(rows, query.get("calculations", []), dims)
    if query.get("top"):
        rows = top(rows, query["top"])
    return rows


# --- comparison -----------------------------------------------------------------------------------------

def _same(got: Any, expected: Any) -> bool:
    if expected is None or got is None:
        return got is None and expected is None
    if isinstance(expected, int) and not isinstance(expected, bool) and isinstance(got, int):
        return got == expected
    return math.isclose(float(got), float(Fraction(expected)), rel_tol=1e-9, abs_tol=1e-9)


def _empty(row: Mapping[str, Any], measures: list[str]) -> bool:
    return all(row.get(m) in (None, 0) for m in measures)


def compare(query: Mapping[str, Any], body: Mapping[str, Any], expected: list[dict[str, Any]]) -> list[str]:
    dims = list(query.get("dimensions", []))
    grain = (query.get("time") or {}).get("grain")
    keys = dims + (["time"] if grain else [])
    columns = [c["name"] for c in body["columns"] if c["kind"] == "measure"]

    def key_of(row: Mapping[str, Any], from_api: bool) -> tuple[Any, ...]:
        out = []
        for k in keys:
            value = row[k]
            if from_api:
                value = dt.date.fromisoformat(str(value)[:10]) if k == "time" else normalise_dimension(k, value)
            out.append(value)
        return tuple(out)

    got = {key_of(r, True): r for r in body["rows"]}
    want = {key_of(r, False): r for r in expected}
    problems = [f"{k}: missing" for k in want if k not in got]
    problems += [f"{k}: not expected ({got[k]})" for k in got if k not in want
                 and not _empty(got[k], list(query["measures"]))]
    spec = query.get("top")
    if spec and problems:  # ties at the cut may keep either row: same values per group is enough
        def values(rows: dict[tuple[Any, ...], Any]) -> dict[tuple[Any, ...], list[str]]:
            out: dict[tuple[Any, ...], list[str]] = {}
            for r in rows.values():
                group = tuple(r[w] for w in spec.get("within", []))
                out.setdefault(group, []).append(repr(float(r[spec["by"]] or 0)))
            return {g: sorted(v) for g, v in out.items()}

        if values(got) == values(want):
            problems = []
    for k, row in want.items():
        if k in got:
            problems += [f"{k} {c}: got {got[k][c]!r}, expected {row[c]!r}" for c in columns
                         if not _same(got[k][c], row[c])]
    assert len(body["rows"]) == body["total_rows"] or body["total_rows"] > len(body["rows"])
    return problems


def check(client: Any, model_for: Callable[[str], Model], query: dict[str, Any]) -> dict[str, Any]:
    body = run(client, query)
    model = model_for(body["meta"]["as_of"])
    expected = expected_rows(model, query, body)
    assert any(not _empty(row, list(query["measures"])) for row in expected), "the oracle finds nothing to compare"
    problems = compare(query, body, expected)
    assert not problems, f"{query}\n  " + "\n  ".join(problems[:20])
    return body


# --- the client's export and generated data -----------------------------------------------------------

@pytest.fixture(scope="module")
def on_export(client_api: Any, models: Callable[[dt.date | None], Model]) -> Callable[[dict[str, Any]], Any]:
    return lambda query: check(client_api, lambda as_of: models(dt.date.fromisoformat(as_of)), query)


@pytest.fixture(scope="module")
def on_generated(make_database: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    from tests.conftest import signed_in_client

    folder: Path = tmp_path_factory.mktemp("generated-language")
    url = generated_database(make_database, folder, patients=600, seed=11)
    export = Export.read(folder)
    cache: dict[str, Model] = {}

    def model_for(as_of: str) -> Model:
        if as_of not in cache:
            cache[as_of] = Model(export, as_of_value(as_of))
        return cache[as_of]

    with signed_in_client(url) as client:
        yield lambda query: check(client, model_for, query)


@pytest.mark.parametrize("name", CASES)
def test_on_the_client_export(on_export: Callable[[dict[str, Any]], Any], name: str) -> None:
    body = on_export(CASES[name])
    if name == "appointments-by-provider-overlap":
        assert any(w.startswith("overlapping_groups") for w in body["meta"]["warnings"])


@pytest.mark.parametrize("name", CASES)
def test_on_generated_data(on_generated: Callable[[dict[str, Any]], Any], name: str) -> None:
    on_generated(CASES[name])


# --- columns and refusals -------------------------------------------------------------------------------

def test_columns_describe_adhoc_aggregates_and_calculations(client_api: Any) -> None:
    body = run(client_api, CASES["share-of-revenue-by-source-per-month"])
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["share"] == {"name": "share", "kind": "measure", "type": "number",
                                "label": "Revenue (share of total)", "unit": "ratio", "format": "percent"}
    assert columns["rank"]["type"] == "integer" and columns["running"]["unit"] == "cents"
    body = run(client_api, {"measures": ["p90(patient.lifetime_spend)", "count_distinct(appointment.id)"]})
    p90, count = body["columns"]
    assert (p90["name"], p90["type"], p90["unit"]) == ("p90(patient.lifetime_spend)", "integer", "cents")
    assert (count["type"], count["unit"]) == ("integer", "count")
    assert isinstance(body["rows"][0]["p90(patient.lifetime_spend)"], int)


@pytest.mark.parametrize(("query", "code", "path", "suggestion"), [
    ({"measures": ["mean(patient.age)"]}, "unknown_member", "measures[0]", "avg(patient.age)"),
    ({"measures": ["avg(patient.agee)"]}, "unknown_member", "measures[0]", "avg(patient.age)"),
    ({"measures": ["avg(patient.source)"]}, "invalid_query", "measures[0]", "avg(patient.age)"),
    ({"measures": ["count_distinct(patient.source)"]}, "invalid_query", "measures[0]", "count_distinct(patient.id)"),
    ({"measures": ["avg(service_line.id)"]}, "invalid_query", "measures[0]", "count_distinct(service_line.id)"),
    ({"measures": ["p100(patient.age)"]}, "unknown_member", "measures[0]", None),
    ({"measures": ["patient_count"], "filters": [{"field": "appointment.id", "op": "is_null"}]},
     "invalid_filter", "filters[0].match", '{"field": "appointment.id", "op": "is_not_null", "match": "none"}'),
    ({"dimensions": ["patient.source"], "filters": [{"field": "service.name", "op": "is_null"}]},
     "invalid_filter", "filters[0].match", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "equals", "value": "x", "match": "some"}]},
     "invalid_filter", "filters[0].match", "none"),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "gt", "values": ["a", "b"]}]},
     "invalid_filter", "filters[0].values", None),
    ({"measures": ["revenue"], "calculations": [{"name": "s", "op": "share", "of": "revenue"}]},
     "invalid_query", "calculations[0].op", "share_of_total"),
    ({"measures": ["revenue"], "calculations": [{"name": "s", "op": "share_of_total", "of": "revnue"}]},
     "invalid_query", "calculations[0].of", "revenue"),
    ({"measures": ["revenue"], "calculations": [{"name": "r", "op": "running_total", "of": "revenue"}]},
     "invalid_query", "time.grain", "month"),
    ({"measures": ["revenue"], "dimensions": ["patient.source"],
      "calculations": [{"name": "s", "op": "share_of_total", "of": "revenue", "within": ["time"]}]},
     "invalid_query", "calculations[0].within[0]", None),
    ({"measures": ["revenue"], "calculations": [{"name": "revenue", "op": "rank", "of": "revenue"}]},
     "invalid_query", "calculations[0].name", None),
    ({"measures": ["revenue"], "calculations": [{"name": "r", "op": "ratio", "of": "revenue"}]},
     "invalid_query", "calculations[0].of", None),
    ({"measures": ["revenue"], "dimensions": ["patient.source"], "top": {"n": 0, "by": "revenue"}},
     "invalid_query", "top.n", None),
    ({"measures": ["revenue"], "dimensions": ["patient.source"], "top": {"n": 2, "by": "visit_count"}},
     "invalid_query", "top.by", None),
    ({"dimensions": ["patient.source"], "top": {"n": 2, "by": "revenue"}}, "invalid_query", "top", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "in", "values": ["x"] * 1001}]},
     "limit_exceeded", "filters[0].values", None),
    ({"measures": ["revenue"], "dimensions": [f"d{i}" for i in range(60)]}, "limit_exceeded", "measures", None),
])
def test_refusals_name_the_fix(client_api: Any, query: dict[str, Any], code: str, path: str,
                               suggestion: str | None) -> None:
    response = client_api.post("/api/query", json=query)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["path"]) == (code, path), error
    if suggestion is not None:
        assert suggestion in error["suggestions"], error
    if error["path"] == "filters[0].match" and "is_null" in str(query):
        assert 'match: "none"' in error["message"]
