"""The compiler without a database: what it refuses, the shape of the SQL it writes, where values go."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from semantic import default_catalog
from semantic.compile import Compiled, compile_query
from semantic.errors import QueryError
from semantic.planner.nodes import Aggregate, Context, ListPlan, MeasurePlan
from semantic.planner.planner import plan_query
from semantic.query import Query

AS_OF = dt.date(2025, 11, 26)
CTX = Context(as_of=AS_OF, summary_as_of=AS_OF)


def compile_(query: dict[str, Any], ctx: Context = CTX, dialect: str = "postgres", inline: bool = False) -> Compiled:
    return compile_query(Query.model_validate(query), default_catalog(), ctx, dialect, inline=inline, use_cache=False)


def refused(query: dict[str, Any], ctx: Context = CTX) -> QueryError:
    with pytest.raises(QueryError) as caught:
        compile_(query, ctx)
    return caught.value


def tables(sql: str) -> list[str]:
    return [t.name for t in sqlglot.parse_one(sql, read="postgres").find_all(exp.Table)]


# --- values are parameters -------------------------------------------------------------------------


def test_filter_values_are_bound_never_spliced():
    hostile = "o'brien'); DROP TABLE patients; --"
    compiled = compile_({"measures": ["revenue"], "dimensions": ["patient.source"],
                         "filters": [{"field": "patient.source", "op": "in", "values": [hostile, "google"]},
                                     {"field": "patient.name", "op": "contains", "value": "50%_off"}]})
    assert hostile not in compiled.sql and "o'brien" not in compiled.sql and "DROP" not in compiled.sql
    assert hostile in compiled.params and "google" in compiled.params
    assert "%50\\%\\_off%" in compiled.params  # LIKE wildcards in the value are escaped, then bound
    assert "$1" in compiled.sql


def test_inlined_sql_quotes_values_as_literals():
    compiled = compile_({"measures": ["revenue"],
                         "filters": [{"field": "patient.source", "op": "equals", "value": "o'brien"}]}, inline=True)
    assert "'o''brien'" in compiled.sql and "$1" not in compiled.sql and compiled.params == ()
    sqlglot.parse_one(compiled.sql, read="postgres")  # still one valid statement


def test_equal_values_share_one_placeholder():
    compiled = compile_({"measures": ["visit_count", "upcoming_appointment_count"]})
    assert compiled.params.count(dt.datetime(2025, 11, 27)) == 1


# --- fan-out -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    {"measures": ["revenue"], "dimensions": ["service.name"]},
    {"measures": ["revenue"], "dimensions": ["provider.name", "patient.source"]},
    {"measures": ["average_ticket"], "dimensions": ["provider.name"]},
    {"measures": ["revenue"], "filters": [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}]},
])
def test_revenue_below_the_payment_grain_is_refused_naming_line_revenue(query):
    error = refused(query)
    assert error.code == "invalid_grouping"
    assert error.suggestions == ["line_revenue"]
    assert "line_revenue" in error.message


def test_sums_at_their_own_grain_are_split_by_line_dimensions():
    query = {"measures": ["line_revenue", "booked_hours"], "dimensions": ["service.name"]}
    compiled = compile_(query)
    outer = sqlglot.parse_one(compiled.sql, read="postgres")
    assert "service_line_summary" in tables(compiled.sql)  # the stored allocation, for the summaries' as_of
    assert "payments" in tables(compile_(query, Context(as_of=AS_OF)).sql)  # else inside the allocation
    assert not list(outer.find_all(exp.Union))  # one aggregate: both measures are line grain


def test_each_measure_is_aggregated_at_its_own_grain_then_combined():
    compiled = compile_({"measures": ["revenue", "visit_count", "booked_hours"], "dimensions": ["patient.source"]},
                        Context(as_of=AS_OF))  # inline (no stored appointment_summary for this as_of)
    tree = sqlglot.parse_one(compiled.sql, read="postgres")
    ctes = [c.alias for c in tree.find_all(exp.CTE)]
    assert [c for c in ctes if c.startswith("a") and c[1:].isdigit()] == ["a0", "a1", "a2"] and "data" in ctes
    # appointment.start_at (a rollup over service lines) is computed once, in a shared CTE
    assert ctes.count("appointment__rollup") == 1
    assert len(list(tree.find_all(exp.Union))) == 2  # three aggregates, UNION ALL, then GROUP BY the keys
    for cte in tree.find_all(exp.CTE):
        if cte.alias == "a0":  # revenue: payments joined to patients, never to lines
            assert {t.name for t in cte.find_all(exp.Table)} == {"payments", "patients"}


def test_distinct_counts_may_be_split_below_their_grain_but_counts_may_not():
    sql = compile_({"measures": ["active_patient_count"], "dimensions": ["service.name"]}).sql
    # patients grouped per service (each visit counted once however many of its lines match), then counted
    assert '"appointment"."patient_id" AS "v", COUNT(DISTINCT "appointment"."id") AS "n0"' in sql
    error = refused({"measures": ["visit_count"], "dimensions": ["service.name"]})
    assert error.code == "invalid_grouping" and "filter on it instead" in error.message


def test_filters_below_the_grain_are_exists_not_joins():
    compiled = compile_({"measures": ["visit_count"],
                         "filters": [{"field": "service.name", "op": "equals", "value": "Botox Injection"},
                                     {"field": "provider.name", "op": "equals", "value": "Kim Dixon"}]})
    tree = sqlglot.parse_one(compiled.sql, read="postgres")
    [exists] = list(tree.find_all(exp.Exists))  # both filters on one line: one EXISTS
    assert {"services", "providers", "appointment_services"} <= {t.name for t in exists.find_all(exp.Table)}
    assert "COUNT(*)" in compiled.sql  # no fan-out: a plain count


def test_dimensions_without_a_shared_grain_are_refused():
    error = refused({"dimensions": ["service.name", "payment.method"]})
    assert error.code == "invalid_grouping" and error.suggestions


# --- per-patient facts: summary table or inline --------------------------------------------------


def test_patient_facts_read_the_summary_for_its_as_of_and_compute_inline_otherwise():
    query = {"dimensions": ["patient.id", "patient.visit_count", "patient.next_appointment_at"]}
    assert "patient_summary" in tables(compile_(query).sql)
    inline = compile_(query, Context(as_of=dt.date(2025, 6, 30), summary_as_of=AS_OF)).sql
    assert "patient_summary" not in tables(inline)
    assert {"appointments", "appointment_services"} <= set(tables(inline))
    assert "patient_summary" not in tables(compile_(query, Context(as_of=AS_OF)).sql)


def test_patient_listing_filtered_by_service_is_exists_and_sorts_on_unselected_patient_facts():
    compiled = compile_({"dimensions": ["patient.id", "patient.name"],
                         "filters": [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}],
                         "order": [{"field": "patient.last_visit_at", "dir": "desc"}], "limit": 20, "offset": 40})
    tree = sqlglot.parse_one(compiled.sql, read="postgres")
    assert len(list(tree.find_all(exp.Exists))) == 1
    assert not list(tree.find_all(exp.Distinct))  # the patient key is selected: rows are patients already
    order = tree.args["order"].expressions
    assert [o.args.get("desc") or False for o in order] == [True, False]  # last visit, then the patient id
    assert compiled.params[-2:] == (20, 40)
    assert [c.name for c in compiled.columns] == ["patient.id", "patient.name"]


def test_listing_distinct_values():
    sql = compile_({"dimensions": ["patient.source"]}).sql
    assert sqlglot.parse_one(sql, read="postgres").find(exp.Distinct) is not None


# --- roles ---------------------------------------------------------------------------------------

AGENT = dataclasses.replace(CTX, scope="agent")


@pytest.mark.parametrize(("query", "path"), [
    ({"measures": ["revenue"], "dimensions": ["patient.name"]}, "dimensions[0]"),
    ({"measures": ["revenue"], "filters": [{"field": "patient.email", "op": "contains", "value": "@"}]},
     "filters[0].field"),
    ({"measures": ["patient_count"], "filters": [{"field": "patient.search", "op": "search", "value": "ann"}]},
     "filters[0].field"),
])
def test_the_agent_scope_may_not_see_personal_data(query, path):
    error = refused(query, AGENT)
    assert error.code == "forbidden_member" and error.path == path
    compile_(query)  # a manager may


def test_the_agent_scope_may_not_list_patients():
    query = {"dimensions": ["patient.source", "patient.visit_count"]}
    error = refused(query, AGENT)
    assert error.code == "aggregate_required" and error.path == "measures"
    compile_(query)  # a manager may


def test_the_agent_scope_may_count_patients_by_their_attributes():
    compile_({"measures": ["patient_count"], "dimensions": ["patient.source", "patient.age_band"]}, AGENT)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "code", "path", "suggestion"), [
    ({"measures": ["revnue"]}, "unknown_member", "measures[0]", "revenue"),
    ({"measures": ["sales"]}, "unknown_member", "measures[0]", "revenue"),  # a synonym: suggested, not guessed
    ({"measures": ["patient.source"]}, "unknown_member", "measures[0]", None),
    ({"measures": ["revenue"], "dimensions": ["patient.sorce"]}, "unknown_member", "dimensions[0]", "patient.source"),
    ({"measures": ["revenue"], "dimensions": ["patient.search"]}, "invalid_grouping", "dimensions[0]", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.age", "op": "contains", "value": "3"}]},
     "invalid_filter", "filters[0].op", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.age", "op": "equals", "value": "30"}]},
     "invalid_filter", "filters[0].value", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "in", "value": "google"}]},
     "invalid_filter", "filters[0].values", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "equal", "value": "google"}]},
     "invalid_filter", "filters[0].op", "equals"),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "search", "value": "x"}]},
     "invalid_filter", "filters[0].op", "contains"),
    ({"measures": ["revenue"], "filters": [{"field": "revenue", "op": "gt", "value": 1}]},
     "invalid_filter", "filters[0].field", None),
    ({"measures": ["revenue"], "having": [{"field": "revenue", "op": "gt", "value": "a lot"}]},
     "invalid_filter", "having[0].value", None),
    ({"measures": ["revenue"], "time": {"grain": "fortnight"}}, "invalid_range", "time.grain", None),
    ({"measures": ["revenue"], "time": {"range": "last_7_dayz"}}, "invalid_range", "time.range", "last_7_days"),
    ({"measures": ["revenue"], "time": {"range": ["2025-02-01", "2025-01-01"]}}, "invalid_range", "time.range", None),
    ({"measures": ["revenue"], "time": {"compare": "previous_period"}}, "invalid_range", "time.compare", None),
    ({"measures": ["revenue"], "time": {"dimension": "patient.source", "grain": "month"}},
     "invalid_range", "time.dimension", None),
    ({"measures": ["revenue"], "limit": 10_001}, "limit_exceeded", "limit", "10000"),
    ({"measures": ["revenue"], "limit": -1}, "invalid_query", "limit", None),
    ({"measures": ["revenue"], "order": [{"field": "visit_count"}]}, "invalid_order", "order[0].field", None),
    ({"measures": ["revenue"], "order": [{"field": "revenue", "dir": "up"}]}, "invalid_order", "order[0].dir", None),
    ({"measures": [], "dimensions": []}, "invalid_query", "measures", None),
    ({"measures": ["revenue", "revenue"]}, "invalid_query", "measures[1]", None),
])
def test_refusals_carry_code_path_and_suggestions(query, code, path, suggestion):
    error = refused(query)
    assert (error.code, error.path) == (code, path), error
    assert error.message
    if suggestion is not None:
        assert suggestion in error.suggestions, error


# --- time ----------------------------------------------------------------------------------------


def test_metric_time_buckets_each_measure_on_its_own_time_and_fills_gaps():
    planned = plan_query(Query.model_validate({"measures": ["revenue", "visit_count", "new_patient_count"],
                                               "time": {"grain": "month", "range": "last_12_months"}}),
                         default_catalog(), CTX)
    plan = planned.plan
    assert isinstance(plan, MeasurePlan)
    assert [a.time.dimension for a in plan.current if a.time] == ["payment.paid_at", "appointment.start_at",
                                                                  "patient.first_visit_at"]
    assert plan.spine is not None and (plan.spine.first, plan.spine.last) == (dt.date(2024, 11, 1),
                                                                               dt.date(2025, 11, 1))
    assert planned.range is not None and planned.range.start == dt.date(2024, 11, 27)


def test_compare_plans_a_shifted_previous_period():
    planned = plan_query(Query.model_validate({"measures": ["revenue"], "time": {
        "range": "last_30_days", "compare": "previous_period"}}), default_catalog(), CTX)
    plan = planned.plan
    assert isinstance(plan, MeasurePlan)
    [previous] = plan.previous
    assert previous.time is not None and previous.time.window is not None
    assert (previous.time.window.start, previous.time.window.end) == (dt.date(2025, 9, 28), dt.date(2025, 10, 28))
    assert [c.name for c in planned.columns] == ["revenue", "revenue.previous", "revenue.change",
                                                 "revenue.change_pct"]


def test_plans_are_frozen_and_hold_no_sql():
    planned = plan_query(Query.model_validate({"dimensions": ["patient.id"]}), default_catalog(), CTX)
    assert isinstance(planned.plan, ListPlan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        planned.plan.limit = 5  # type: ignore[misc]
    aggregate = Aggregate("a0", "payment", ("revenue",), (), None, (), False)
    assert not any(isinstance(v, exp.Expr) for v in dataclasses.astuple(aggregate))


# --- dialects ------------------------------------------------------------------------------------


def test_duckdb_sql_spells_its_differences():
    search = compile_({"dimensions": ["patient.id"],
                       "filters": [{"field": "patient.search", "op": "search", "value": "ann"}]}, dialect="duckdb").sql
    assert "ESCAPE '\\'" in search
    allocation = compile_({"measures": ["line_revenue"]}, Context(as_of=AS_OF), dialect="duckdb").sql  # inline
    assert " // " in allocation and "PERCENTILE_CONT" not in compile_(
        {"measures": ["median_days_between_visits"]}, dialect="duckdb").sql
    for sql in (search, allocation):
        sqlglot.parse_one(sql, read="duckdb")


# --- speed ---------------------------------------------------------------------------------------


def test_compiling_is_fast_and_cached():
    catalog = default_catalog()
    query = Query.model_validate({"measures": ["revenue", "visit_count"], "dimensions": ["patient.source"],
                                  "time": {"grain": "month", "range": "last_12_months"}})
    compile_query(query, catalog, CTX)
    cached = []
    for _ in range(50):
        started = time.perf_counter()
        compile_query(query, catalog, CTX)
        cached.append(time.perf_counter() - started)
    assert statistics.median(cached) < 0.002
    fresh = []
    for _ in range(5):
        started = time.perf_counter()
        compile_query(query, catalog, CTX, use_cache=False)
        fresh.append(time.perf_counter() - started)
    assert min(fresh) < 0.1  # generous: shared CI machines
