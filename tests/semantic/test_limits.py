"""How large a query may be and which dates and numbers it may name (semantic/planner/limits.py): refused
before planning with the contract's codes, and everything inside the limits still compiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from semantic import default_catalog
from semantic.compile import compile_query
from semantic.errors import QueryError
from semantic.planner import limits
from semantic.planner.nodes import Context
from semantic.query import Query

AS_OF = dt.date(2025, 11, 26)
MEASURES = [m.name for m in default_catalog().all_measures()]


def _compile(body: dict[str, Any], as_of: dt.date = AS_OF) -> Any:
    return compile_query(Query.model_validate(body), default_catalog(), Context(as_of=as_of), use_cache=False)


def _refusal(body: dict[str, Any], as_of: dt.date = AS_OF) -> QueryError:
    with pytest.raises(QueryError) as caught:
        _compile(body, as_of)
    return caught.value


def _not_in(count: int, field: str = "patient.source", tag: str = "v") -> dict[str, Any]:
    return {"field": field, "op": "not_in", "values": [f"{tag}{i}" for i in range(count)]}


REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("too many members", {"measures": MEASURES, "dimensions": [f"patient.{d}" for d in (
        "source", "gender", "age_band", "state", "visit_count", "lifetime_spend", "age", "created_at",
        "first_visit_at", "last_visit_at", "next_appointment_at", "unpaid_visit_count", "is_lapsed")]},
     "limit_exceeded", "measures"),
    ("too many filters", {"measures": ["revenue"], "filters": [
        {"field": "patient.source", "op": "not_equals", "value": f"x{i}"} for i in range(31)]},
     "limit_exceeded", "filters"),
    ("too many values in one filter", {"measures": ["revenue"], "filters": [_not_in(1001)]},
     "limit_exceeded", "filters[0].values"),
    ("a list in `value` counts too", {"measures": ["revenue"], "filters": [
        {"field": "patient.source", "op": "in", "value": [f"v{i}" for i in range(1001)]}]},
     "limit_exceeded", "filters[0].values"),
    ("too many values in all", {"measures": ["revenue"], "filters": [_not_in(1000, tag="a"), _not_in(1000, tag="b"),
                                                                     _not_in(1, tag="c")]},
     "limit_exceeded", "filters"),
    ("past PostgreSQL's 32,767 parameters", {"measures": ["revenue"], "filters": [_not_in(40_000)]},
     "limit_exceeded", "filters[0].values"),
    ("a value too long", {"measures": ["revenue"], "filters": [
        {"field": "patient.source", "op": "equals", "value": "x" * 1001}]}, "limit_exceeded", "filters[0].value"),
    ("too many order entries", {"measures": ["revenue"], "order": [{"field": "revenue"}] * 51},
     "limit_exceeded", "order"),
    ("an offset past any page", {"dimensions": ["patient.id"], "offset": 10**20}, "limit_exceeded", "offset"),
    ("an integer past bigint", {"measures": ["revenue"], "filters": [
        {"field": "patient.lifetime_spend", "op": "gt", "value": 2**63}]}, "invalid_filter", "filters[0].value"),
    ("past bigint in values", {"measures": ["revenue"], "filters": [
        {"field": "patient.visit_count", "op": "in", "values": [1, -(2**63) - 1]}]},
     "invalid_filter", "filters[0].values"),
    ("past bigint in having", {"measures": ["revenue"], "dimensions": ["patient.source"],
                               "having": [{"field": "revenue", "op": "gt", "value": 10**30}]},
     "invalid_filter", "having[0].value"),
    ("a number that is not finite", {"measures": ["revenue"], "filters": [
        {"field": "patient.lifetime_spend", "op": "gt", "value": float("inf")}]}, "invalid_filter", "filters[0].value"),
    ("NaN in having", {"measures": ["revenue"], "dimensions": ["patient.source"],
                       "having": [{"field": "revenue", "op": "lt", "value": float("nan")}]},
     "invalid_filter", "having[0].value"),
    ("a range from year 1", {"measures": ["revenue"], "time": {"grain": "day", "range": ["0001-01-01", "2025-01-01"]}},
     "invalid_range", "time.range"),
    ("a range to year 9999", {"measures": ["revenue"], "time": {"range": ["2025-01-01", "9999-12-31"]}},
     "invalid_range", "time.range"),
    ("compare on year 1", {"measures": ["revenue"], "time": {"range": ["0001-01-01", "0001-06-01"],
                                                             "compare": "previous_year"}},
     "invalid_range", "time.range"),
    ("a date filter before the window", {"measures": ["revenue"], "filters": [
        {"field": "appointment.start_at", "op": "gte", "value": "0001-01-01"}]}, "invalid_filter", "filters[0].value"),
    ("a datetime filter after the window", {"measures": ["revenue"], "filters": [
        {"field": "appointment.start_at", "op": "lt", "value": "9999-12-31T23:59:59"}]},
     "invalid_filter", "filters[0].value"),
    ("a date dimension's filter outside", {"dimensions": ["patient.id"], "filters": [
        {"field": "patient.date_of_birth", "op": "between", "values": ["1850-01-01", "1990-01-01"]}]},
     "invalid_filter", "filters[0].values"),
]


@pytest.mark.parametrize(("name", "body", "code", "path"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_before_planning(name: str, body: dict[str, Any], code: str, path: str) -> None:
    error = _refusal(body)
    assert (error.code, error.path) == (code, path), error.message
    assert error.message


@pytest.mark.parametrize("as_of", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2200, 1, 1), dt.date(9999, 12, 31)])
@pytest.mark.parametrize("body", [
    {"measures": ["revenue"], "time": {"range": "last_30_days"}},
    {"measures": ["revenue"], "time": {"range": "this_year", "compare": "previous_year"}},
    {"measures": ["patient_count"], "dimensions": ["patient.age_band"]},
])
def test_an_as_of_outside_the_window_is_refused(as_of: dt.date, body: dict[str, Any]) -> None:
    error = _refusal(body, as_of)
    assert (error.code, error.path) == ("invalid_as_of", "as_of")


@pytest.mark.parametrize("as_of", [limits.EARLIEST, limits.LATEST])
def test_the_window_edges_compile(as_of: dt.date) -> None:
    """Relative ranges and comparisons at either edge stay within Python's dates (no OverflowError)."""
    for spec in ("last_12_months", "this_year", "last_year", "today"):
        compiled = _compile({"measures": ["revenue"], "dimensions": ["patient.age_band"],
                             "time": {"grain": "month", "range": spec, "compare": "previous_year"}}, as_of)
        assert compiled.range is not None and compiled.compare_range is not None
    compiled = _compile({"measures": ["revenue"], "time": {
        "grain": "day", "range": [limits.EARLIEST.isoformat(), (limits.LATEST + dt.timedelta(days=1)).isoformat()]}})
    assert compiled.range is not None and compiled.range.start == limits.EARLIEST


def test_the_largest_query_the_limits_allow_compiles_within_the_parameter_limit() -> None:
    """Every measure, a comparison by week, and as many filter values as allowed: it compiles, and its bound
    parameters stay far below what PostgreSQL's protocol takes."""
    values = limits.MAX_VALUES - (limits.MAX_FILTERS - 2)
    filters = [_not_in(values // 2, tag="a"), _not_in(values - values // 2, "patient.gender", "b")]
    filters += [{"field": "patient.source", "op": "not_equals", "value": f"n{i}"}
                for i in range(limits.MAX_FILTERS - 2)]
    compiled = _compile({"measures": MEASURES, "filters": filters,
                         "time": {"grain": "week", "range": "last_12_months", "compare": "previous_year"}})
    assert len(compiled.params) <= limits.MAX_PARAMETERS < 32_767


def test_the_parameter_limit_is_checked_after_compiling() -> None:
    with pytest.raises(QueryError) as caught:
        limits.check_parameters(limits.MAX_PARAMETERS + 1)
    assert caught.value.code == "limit_exceeded"
    limits.check_parameters(limits.MAX_PARAMETERS)


def test_nested_values_are_refused_by_type() -> None:
    nested: Any = "x"
    for _ in range(200):  # pydantic refuses deeper nesting itself (a 422)
        nested = [nested]
    error = _refusal({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "equals",
                                                            "value": nested}]})
    assert error.code == "invalid_filter"
