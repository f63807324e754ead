"""Properties of `/api/query` over queries generated from the catalog (hypothesis).

- Valid queries built from `GET /api/catalog` (measures, the dimensions each can be grouped by,
  grains, filters of the right type) compile and run: HTTP 200 with the contract's shape.
- Additive measures add up: grouped by any dimension the catalog allows, or bucketed by any grain,
  the groups sum to the ungrouped total over the same range.
- Invalid queries (unknown names, wrong ops, bad ranges, wrong value types, huge limits, garbage
  bodies) get a structured 4xx `{"error": {"code", "message"}}`: never a 500 or a database error.

Bounded (tens of examples per property, no deadline) so that the file runs well under a minute.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.support import post

ADDITIVE = ["revenue", "payment_count", "appointment_count", "visit_count", "service_line_count",
            "line_revenue", "booked_hours"]
NAMED_RANGES = ["today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "last_12_months",
                "this_month", "last_month", "this_quarter", "last_quarter", "this_year", "last_year", "all_time"]
GRAINS = ["day", "week", "month", "quarter", "year"]
SOURCES = ["instagram", "google", "tiktok", "website", "phone", "in_person"]

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# --- the catalog, read through the API -----------------------------------------------------------


class Catalog:
    """What the generators need from `GET /api/catalog`."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.measures: dict[str, dict[str, Any]] = {m["name"]: m for m in body["measures"]}
        self.dimensions: dict[str, dict[str, Any]] = {d["name"]: d for d in body["dimensions"]}

    def groupable(self, measure: str) -> list[str]:
        return sorted(self.measures[measure]["groupable_by"])

    def group_dimensions(self) -> list[str]:
        """Dimensions a query may list (not filter-only, not time members)."""
        return sorted(n for n, d in self.dimensions.items()
                      if d.get("kind") != "time" and not d.get("filter_only"))

    def time_dimensions(self) -> list[str]:
        return sorted(n for n, d in self.dimensions.items() if d.get("kind") == "time")

    def type_of(self, dimension: str) -> str:
        return str(self.dimensions[dimension].get("type", "string"))

    def ops_of(self, dimension: str) -> set[str]:
        return set(self.dimensions[dimension].get("ops") or ())


@pytest.fixture(scope="module")
def catalog(client_api) -> Catalog:
    response = client_api.get("/api/catalog")
    assert response.status_code == 200, response.text
    return Catalog(response.json())


# --- strategies ---------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2024, 10, 1), max_value=dt.date(2026, 3, 1))


@st.composite
def date_ranges(draw: st.DrawFn) -> list[str]:
    start = draw(dates)
    length = draw(st.integers(min_value=1, max_value=400))
    return [start.isoformat(), (start + dt.timedelta(days=length)).isoformat()]


time_ranges = st.one_of(st.sampled_from(NAMED_RANGES), date_ranges())


def filter_for(catalog: Catalog, dimension: str) -> st.SearchStrategy[dict[str, Any]]:
    """A well-typed filter on `dimension` with an op the catalog lists for it (values need not exist)."""
    ops = catalog.ops_of(dimension)
    return _typed_filter(catalog, dimension).filter(lambda f: not ops or f["op"] in ops)


def _typed_filter(catalog: Catalog, dimension: str) -> st.SearchStrategy[dict[str, Any]]:
    kind = catalog.type_of(dimension)
    if kind in ("number", "integer"):
        number = st.integers(min_value=0, max_value=500_000)
        return st.one_of(
            st.builds(lambda op, v: {"field": dimension, "op": op, "value": v},
                      st.sampled_from(["equals", "not_equals", "gt", "gte", "lt", "lte"]), number),
            st.builds(lambda a, b: {"field": dimension, "op": "between", "values": sorted([a, b])}, number, number),
            st.builds(lambda vs: {"field": dimension, "op": "in", "values": vs}, st.lists(number, min_size=1,
                                                                                          max_size=3)),
        )
    if kind == "boolean":
        return st.builds(lambda v: {"field": dimension, "op": "equals", "value": v}, st.booleans())
    if kind in ("date", "time", "datetime"):
        return st.builds(lambda op, d: {"field": dimension, "op": op, "value": d.isoformat()},
                         st.sampled_from(["gt", "gte", "lt", "lte"]), dates)
    text = st.one_of(st.sampled_from([*SOURCES, "cancelled", "cash", "Botox Injection", "female"]),
                     st.text(min_size=1, max_size=12))
    return st.one_of(
        st.builds(lambda op, v: {"field": dimension, "op": op, "value": v},
                  st.sampled_from(["equals", "not_equals", "contains", "starts_with"]), text),
        st.builds(lambda op, vs: {"field": dimension, "op": op, "values": vs},
                  st.sampled_from(["in", "not_in"]), st.lists(text, min_size=1, max_size=3)),
        st.builds(lambda op: {"field": dimension, "op": op}, st.sampled_from(["is_null", "is_not_null"])),
    )


@st.composite
def valid_queries(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    measures = draw(st.lists(st.sampled_from(sorted(catalog.measures)), min_size=1, max_size=3, unique=True))
    allowed = sorted(set.intersection(*(set(catalog.groupable(m)) for m in measures))
                     & set(catalog.group_dimensions()))
    query: dict[str, Any] = {"measures": measures}
    if allowed:
        dims = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
        if dims:
            query["dimensions"] = dims
        if draw(st.booleans()):
            query["filters"] = [draw(filter_for(catalog, draw(st.sampled_from(allowed))))]
    if draw(st.booleans()):
        time: dict[str, Any] = {}
        if draw(st.booleans()):
            time["grain"] = draw(st.sampled_from(GRAINS))
        if draw(st.booleans()) or not time:
            time["range"] = draw(time_ranges)
        if "range" in time and draw(st.integers(0, 4)) == 0:
            time["compare"] = draw(st.sampled_from(["previous_period", "previous_year"]))
        query["time"] = time
    if draw(st.booleans()):
        field = draw(st.sampled_from(measures + query.get("dimensions", [])))
        query["order"] = [{"field": field, "dir": draw(st.sampled_from(["asc", "desc"]))}]
    if draw(st.booleans()):
        query["limit"] = draw(st.integers(min_value=1, max_value=10_000))
    if draw(st.integers(0, 5)) == 0:
        query["as_of"] = draw(dates).isoformat()
    return query


# --- valid queries ------------------------------------------------------------------------------


def test_catalog_lists_the_contract_members(catalog):
    required = {"revenue", "payment_count", "average_ticket", "line_revenue", "appointment_count",
                "cancellation_rate", "visit_count", "service_line_count", "booked_hours", "patient_count",
                "new_patient_count", "active_patient_count", "unpaid_visit_count", "revenue_per_patient",
                "returning_patient_rate"}
    assert required <= catalog.measures.keys()
    for measure in ADDITIVE:
        assert catalog.groupable(measure), f"{measure} can be grouped by nothing?"


@SETTINGS
@given(data=st.data())
def test_valid_queries_run(client_api, catalog, data):
    query = data.draw(valid_queries(catalog))
    status, body = post(client_api, query)
    assert status == 200, f"{query} -> {status} {body}"
    names = [c["name"] for c in body["columns"]]
    for measure in query["measures"]:
        assert measure in names
    for dimension in query.get("dimensions", []):
        assert dimension in names
    assert len(body["rows"]) <= query.get("limit", 1000)
    assert body["total_rows"] >= len(body["rows"])
    for row in body["rows"]:
        assert set(row) <= set(names)


def _sum(values: list[Any]) -> float:
    return sum(v for v in values if v is not None)


def _close(measure: str, total: Any, parts: float) -> bool:
    total = total or 0
    if measure == "booked_hours":
        return math.isclose(total, parts, abs_tol=1e-6)
    if measure == "line_revenue":  # allocated shares may carry fractions of a cent
        return math.isclose(total, parts, rel_tol=1e-12, abs_tol=1e-6)
    return bool(total == parts)


SPLITS = ["service.name", "provider.name", "payment.method", "appointment.status", "patient.source",
          "appointment.day_of_week"]


@pytest.mark.parametrize("dimension", SPLITS)
@pytest.mark.parametrize("measure", ADDITIVE)
def test_additive_measure_by_each_split(client_api, catalog, measure, dimension):
    """The deterministic core of the property below: each additive measure by a fixed set of splits.

    An answered split must add up to the total (no row counted in two groups); a refused one must be
    `invalid_grouping`, and not a split the catalog advertises as groupable.
    """
    status, split = post(client_api, {"measures": [measure], "dimensions": [dimension], "limit": 10_000})
    if status == 400:
        assert split["error"]["code"] == "invalid_grouping", split
        assert dimension not in catalog.groupable(measure), f"the catalog lists {dimension} for {measure}"
        return
    assert status == 200, split
    status, whole = post(client_api, {"measures": [measure]})
    assert status == 200, whole
    total = whole["rows"][0][measure]
    parts = _sum([row[measure] for row in split["rows"]])
    assert _close(measure, total, parts), f"{measure} by {dimension}: groups sum to {parts}, total is {total}"


@st.composite
def additive_splits(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    measure = draw(st.sampled_from(ADDITIVE))
    query: dict[str, Any] = {"measures": [measure], "limit": 10_000}
    if draw(st.booleans()):
        query["time"] = {"range": draw(time_ranges)}
    split = draw(st.sampled_from(["dimension", "grain"]))
    if split == "dimension":
        allowed = [d for d in catalog.groupable(measure) if d in catalog.group_dimensions()]
        query["dimensions"] = [draw(st.sampled_from(allowed))]
    else:
        query["time"] = {**query.get("time", {}), "grain": draw(st.sampled_from(GRAINS))}
    return query


@SETTINGS
@given(data=st.data())
def test_additive_measures_sum_to_their_total(client_api, catalog, data):
    query = data.draw(additive_splits(catalog))
    measure = query["measures"][0]
    status, split = post(client_api, query)
    assert status == 200, f"{query} -> {status} {split}"
    assert split["total_rows"] == len(split["rows"]), "raise the limit"
    whole_query = {"measures": [measure]}
    if "range" in query.get("time", {}):
        whole_query["time"] = {"range": query["time"]["range"]}
    status, whole = post(client_api, whole_query)
    assert status == 200, whole
    total = whole["rows"][0][measure] if whole["rows"] else 0
    parts = _sum([row[measure] for row in split["rows"]])
    assert _close(measure, total, parts), f"{query}: groups sum to {parts}, ungrouped total is {total}"


# --- invalid queries ----------------------------------------------------------------------------

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20)
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def invalid_queries(draw: st.DrawFn, catalog: Catalog) -> tuple[str, dict[str, Any]]:
    """(what is wrong, query): query-shaped, so each must get a 400 with a code."""
    measure = draw(st.sampled_from(sorted(catalog.measures)))
    dimension = draw(st.sampled_from(catalog.group_dimensions()))
    unknown = draw(names.filter(lambda n: n not in catalog.measures and n not in catalog.dimensions))
    cases = {
        "unknown measure": {"measures": [unknown]},
        "unknown dimension": {"measures": [measure], "dimensions": [unknown]},
        "unknown filter field": {"measures": [measure],
                                 "filters": [{"field": unknown, "op": "equals", "value": "x"}]},
        "unknown op": {"measures": [measure], "filters": [{"field": dimension, "op": draw(
            names.filter(lambda n: n not in {"equals", "not_equals", "in", "not_in", "contains", "starts_with",
                                             "gt", "gte", "lt", "lte", "between", "is_null", "is_not_null",
                                             "search"})), "value": "x"}]},
        "in without a list": {"measures": [measure],
                              "filters": [{"field": dimension, "op": "in", "value": draw(junk)}]},
        "between with one value": {"measures": [measure],
                                   "filters": [{"field": dimension, "op": "between", "values": [1]}]},
        "search on a non-search field": {"measures": [measure],
                                         "filters": [{"field": dimension, "op": "search", "value": "ann"}]},
        "unknown range": {"measures": [measure], "time": {"range": draw(names.filter(
            lambda n: n not in NAMED_RANGES))}},
        "range end before start": {"measures": [measure], "time": {"range": ["2025-06-01", "2025-01-01"]}},
        "range not dates": {"measures": [measure], "time": {"range": ["2025-13-01", "2025-02-30"]}},
        "range of three": {"measures": [measure], "time": {"range": ["2025-01-01", "2025-02-01", "2025-03-01"]}},
        "unknown grain": {"measures": [measure], "time": {"grain": draw(names.filter(lambda n: n not in GRAINS))}},
        "unknown compare": {"measures": [measure], "time": {"range": "last_30_days", "compare": "last_century"}},
        "unknown time dimension": {"measures": [measure], "time": {"dimension": unknown, "grain": "month"}},
        "order by a member not in the query": {"measures": [measure], "order": [{"field": unknown, "dir": "asc"}]},
        "bad order direction": {"measures": [measure], "order": [{"field": measure, "dir": "sideways"}]},
        "huge limit": {"measures": [measure], "limit": draw(st.integers(min_value=10_001, max_value=10**15))},
        "negative limit": {"measures": [measure], "limit": draw(st.integers(max_value=-1, min_value=-(10**9)))},
        "negative offset": {"measures": [measure], "offset": -5},
        "bad as_of": {"measures": [measure], "as_of": draw(st.sampled_from(["tomorrow", "2025-02-30", "", "11/26"]))},
        "nothing asked": {"measures": [], "dimensions": []},
    }
    what = draw(st.sampled_from(sorted(cases)))
    return what, cases[what]


@st.composite
def malformed_bodies(draw: st.DrawFn) -> Any:
    """Bodies that are not queries at all, or queries with values of the wrong JSON type."""
    return draw(st.one_of(
        junk.filter(lambda j: not isinstance(j, dict)),
        st.dictionaries(st.sampled_from(["measures", "dimensions", "time", "filters", "having", "order",
                                         "limit", "offset", "as_of", "bogus"]), junk, min_size=1, max_size=4),
        st.builds(lambda m: {"measures": m}, junk.filter(lambda j: not isinstance(j, list))),
        st.builds(lambda lim: {"measures": ["revenue"], "limit": lim},
                  st.one_of(st.text(max_size=5), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2))),
        st.builds(lambda t: {"measures": ["revenue"], "time": t}, junk),
        st.builds(lambda f: {"measures": ["revenue"], "filters": f}, junk),
    ))


def _assert_structured_error(status: int, body: Any, allowed: tuple[int, ...], context: Any) -> None:
    assert status in allowed, f"{context} -> HTTP {status}: {body}"
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), f"{context} -> {body}"
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], f"{context} -> {body}"
    assert isinstance(error.get("message"), str) and error["message"], f"{context} -> {body}"
    text = str(body).lower()
    for leak in ("traceback", "asyncpg", "sqlalchemy", "psycopg", "syntax error at", "postgres"):
        assert leak not in text, f"{context} leaks {leak!r}: {body}"


@SETTINGS
@given(data=st.data())
def test_invalid_queries_get_a_structured_400(client_api, catalog, data):
    what, query = data.draw(invalid_queries(catalog))
    status, body = post(client_api, query)
    _assert_structured_error(status, body, (400,), f"{what}: {query}")


@SETTINGS
@given(body=malformed_bodies())
def test_malformed_bodies_get_a_structured_4xx(client_api, body):
    response = client_api.post("/api/query", json=body)
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    if response.status_code == 200:
        # Some junk is accidentally a valid query (e.g. {"measures": ["revenue"], "time": null}).
        return
    _assert_structured_error(response.status_code, payload, (400, 422), body)


@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b'{"measures": ["revenue"]', b"\xff\xfe", b"[]", b"null"])
def test_unparseable_bodies_get_a_structured_4xx(client_api, raw):
    response = client_api.post("/api/query", content=raw, headers={"content-type": "application/json"})
    _assert_structured_error(response.status_code, response.json(), (400, 422), raw)


INJECTION = ["'; DROP TABLE patients; --", "\" OR 1=1 --", "revenue) FROM payments; --", "%", "_", "\\"]


@pytest.mark.parametrize("value", INJECTION)
def test_hostile_filter_values_are_only_values(client_api, value):
    """A filter value is bound as a parameter: it matches nothing and breaks nothing."""
    status, body = post(client_api, {"measures": ["patient_count"],
                                     "filters": [{"field": "patient.source", "op": "in", "values": [value]}]})
    assert status == 200, body
    assert all(not row["patient_count"] for row in body["rows"])
    status, body = post(client_api, {"measures": ["patient_count"]})
    assert body["rows"][0]["patient_count"] == 4000  # nothing was dropped


@pytest.mark.parametrize("value", INJECTION)
def test_hostile_member_names_are_unknown_members(client_api, value):
    status, body = post(client_api, {"measures": [value]})
    assert status == 400, body
    assert body["error"]["code"] == "unknown_member"
