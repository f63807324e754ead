"""The query language's additions in the planner, without a database: what is read from where, and the shapes.

- an ad hoc aggregate is its own base measure at its dimension's grain, in an aggregate of its own entity, and is
  never served by a materialization (none declares it: they match by measure name); the catalog measures of the
  same query keep theirs;
- a filter with `match` none or all reads the rows (no materialization stores how many related rows match);
- calculations and top are plan nodes (names, no SQL), in the order asked.
"""

from __future__ import annotations

import datetime as dt

from semantic import Query, default_catalog
from semantic.compile import plan
from semantic.planner.nodes import CalculationNode, MeasurePlan, TopNode
from tests.semantic.routed import compile_routed, routed_context


def _plan(body: dict[str, object]) -> MeasurePlan:
    planned = plan(Query.model_validate(body), default_catalog(), routed_context())
    assert isinstance(planned.plan, MeasurePlan)
    return planned.plan


def test_adhoc_aggregates_read_the_rows_beside_materialized_measures() -> None:
    body = {"measures": ["revenue", "sum(payment.amount)"], "dimensions": ["payment.method"],
            "time": {"grain": "month", "range": "last_12_months"}}
    routed = {m: agg.source for agg in _plan(body).current for m in agg.measures}
    assert routed["revenue"] is not None  # a pre-aggregation of payments
    assert routed["sum(payment.amount)"] is None
    assert "preagg_" in compile_routed(body).sql


def test_adhoc_aggregates_are_at_their_own_grain() -> None:
    aggregates = {m: agg for agg in _plan({"measures": ["avg(patient.age)", "sum(service_line.list_price)",
                                                        "count_distinct(appointment.id)"]}).current
                  for m in agg.measures}
    assert aggregates["avg(patient.age)"].entity == "patient"
    assert aggregates["sum(service_line.list_price)"].entity == "service_line"
    assert aggregates["count_distinct(appointment.id)"].entity == "appointment"
    catalog = default_catalog()
    assert "avg(patient.age)" not in catalog.measures  # the catalog itself is unchanged


def test_a_filter_counting_related_rows_reads_the_rows() -> None:
    source = {"field": "patient.source", "op": "equals", "value": "instagram"}
    any_ = {"measures": ["visit_count"], "filters": [source], "time": {"grain": "month", "range": "last_12_months"}}
    assert any(agg.source is not None for agg in _plan(any_).current)  # served by a pre-aggregation
    for match in ("none", "all"):
        counted = {**any_, "filters": [{**source, "match": match}]}
        assert all(agg.source is None for agg in _plan(counted).current), match
    botox = {"field": "service.name", "op": "equals", "value": "Botox Injection"}
    listing = compile_routed({"dimensions": ["patient.id"], "filters": [{**botox, "match": "none"}]})
    assert listing.count_sql is not None and "bridge_rows" not in listing.count_sql


def test_calculations_and_top_are_plan_nodes() -> None:
    planned = _plan({"measures": ["revenue"], "dimensions": ["patient.source"],
                     "time": {"grain": "month", "range": "last_12_months"},
                     "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]},
                                      {"name": "running", "op": "running_total", "of": "revenue"}],
                     "top": {"n": 3, "by": "share", "within": ["time"]}})
    assert planned.calculations == (CalculationNode("share", "share_of_total", ("revenue",), ("time",)),
                                    CalculationNode("running", "running_total", ("revenue",), ("patient.source",)))
    assert planned.top == TopNode(3, "share", ("time",))


def test_the_same_query_compiles_for_duckdb() -> None:
    from semantic import Context, compile_query

    body = {"measures": ["p90(patient.lifetime_spend)", "count_distinct(patient.id)"], "dimensions": ["patient.source"],
            "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}],
            "calculations": [{"name": "rank", "op": "rank", "of": "count_distinct(patient.id)"}],
            "top": {"n": 2, "by": "rank"}}
    compiled = compile_query(Query.model_validate(body), default_catalog(), Context(as_of=dt.date(2025, 11, 26)),
                             "duckdb", use_cache=False)
    assert "QUANTILE_CONT" in compiled.sql and "NOT EXISTS" in compiled.sql and "ROW_NUMBER()" in compiled.sql
