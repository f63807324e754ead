"""Pre-aggregations (`kind: pre_aggregation` in metrics.yaml, a typed table each): validated when the catalog
loads, used only when they answer a query exactly, and then giving the same rows as the entity's own rows."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from semantic import CatalogError, Query, build_catalog, compile_query, default_catalog
from tests.semantic.routed import LATEST_LOAD, compile_routed, routed_context
from tests.semantic.test_catalog_validation import BASE

# --- validation ------------------------------------------------------------------------------------

ROLLUP = """\
materializations:
  daily:
    kind: pre_aggregation
    time: payment.paid_at
    dimensions: [payment.method, patient.source]
    measures: [revenue, payment_count]
"""


def _issues(preaggregation_text: str) -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogError) as caught:
        build_catalog(BASE + preaggregation_text, "test.yaml")
    return [(i.rule, i.member, i.message + " | " + i.fix) for i in caught.value.issues]


def test_a_well_formed_preaggregation_loads():
    catalog = build_catalog(BASE + ROLLUP, "test.yaml")
    daily = catalog.materializations["daily"]
    assert (daily.time, daily.dimensions, daily.measures) == ("payment.paid_at", ("payment.method", "patient.source"),
                                                              ("revenue", "payment_count"))
    assert daily.line == BASE.count("\n") + 2 and daily.table == "preagg_daily"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("measures: [revenue, payment_count]", "measures: [revenue, average_ticket]",
     "'average_ticket' is not a base measure | a derived measure is computed from its base measures: list "
     "revenue, payment_count"),
    ("measures: [revenue, payment_count]", "measures: [revnue]", "did you mean 'revenue'"),
    ("dimensions: [payment.method, patient.source]", "dimensions: [patient.id]",
     "cannot be a pre-aggregation dimension"),
    ("dimensions: [payment.method, patient.source]", "dimensions: [patient.sorce]",
     "unknown dimension 'patient.sorce'"),
    ("time: payment.paid_at", "time: payment.method", "is not a time dimension"),
    ("dimensions: [payment.method, patient.source]",
     "dimensions: [payment.method, patient.source, patient.source, patient.source, patient.source, patient.source, "
     "patient.source]", "keep at most 6"),
])
def test_preaggregation_mistakes_are_reported_with_a_fix(old, new, expected):
    issues = _issues(ROLLUP.replace(old, new))
    assert any(rule == "pre_aggregation" and member == "daily" and expected in text
               for rule, member, text in issues), issues


PAYER = """  payer_count:
    entity: payment
    agg: count_distinct
    expr: {col: patient_id}
    time: payment.paid_at
    type: integer
    unit: count
    label: Payers
    description: Distinct paying patients.
"""


def test_distinct_counts_and_fanned_out_dimensions_are_refused():
    text = BASE.replace("derived_measures:", PAYER + """  patient_count:
    entity: patient
    agg: count
    time: patient.created_at
    type: integer
    unit: count
    label: Patients
    description: Patients.
  sourced_patient_count:
    entity: patient
    agg: count
    expr: {col: source}
    time: patient.created_at
    type: integer
    unit: count
    label: Patients with a source
    description: Patients whose source is known.
derived_measures:""")
    with pytest.raises(CatalogError) as caught:
        build_catalog(text + ROLLUP.replace("[revenue, payment_count]", "[payer_count]"), "test.yaml")
    assert any("does not add up" in i.message for i in caught.value.issues)
    by_method = ROLLUP.replace("time: payment.paid_at", "time: patient.created_at")
    # below the patients' grain (a patient has many payments): plain counts count distinct patients there ...
    assert build_catalog(text + by_method.replace("[revenue, payment_count]", "[patient_count]"), "test.yaml")
    with pytest.raises(CatalogError) as caught:  # ... anything else would count a patient once per payment
        build_catalog(text + by_method.replace("[revenue, payment_count]", "[sourced_patient_count]"), "test.yaml")
    assert any("one-to-many join" in i.message for i in caught.value.issues)
    with pytest.raises(CatalogError) as caught:
        build_catalog(text + ROLLUP.replace("[revenue, payment_count]", "[revenue, patient_count]"), "test.yaml")
    assert any("mixes measures of patient, payment" in i.message for i in caught.value.issues)


# --- when a pre-aggregation is used -------------------------------------------------------------------------

KPI = {"measures": ["revenue", "average_ticket", "visit_count", "cancellation_rate", "new_patient_count"],
       "time": {"range": "last_90_days", "compare": "previous_period"}}


def test_distinct_counts_only_in_preaggregations_without_time():
    distinct = ROLLUP.replace("[revenue, payment_count]", "[revenue, payer_count]")
    text = BASE.replace("derived_measures:", PAYER + "derived_measures:")
    assert build_catalog(text + distinct.replace("    time: payment.paid_at\n", ""), "test.yaml").materializations
    with pytest.raises(CatalogError) as caught:
        build_catalog(text + distinct, "test.yaml")
    assert any("only without `time`" in i.fix for i in caught.value.issues)


RETENTION = {"measures": ["retained_patient_count"],
             "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"],
             "filters": [{"field": "patient.first_visit_month", "op": "gte", "value": "2025-01-01"}], "limit": 5000}


def test_a_distinct_count_reads_a_preaggregation_only_for_exactly_its_groups():
    assert "preagg_" in compile_routed(RETENTION).sql
    assert "preagg_" in compile_routed({**RETENTION, "dimensions": RETENTION["dimensions"][::-1]}).sql
    assert "preagg_" not in compile_routed({**RETENTION, "dimensions": ["patient.first_visit_month"]}).sql
    assert "preagg_" not in compile_routed({**RETENTION, "time": {"range": "last_12_months"}}).sql
    month = {"field": "appointment.months_since_first_visit", "op": "lt", "value": 3}
    assert "preagg_" in compile_routed({**RETENTION, "filters": [month]}).sql  # whole groups
    assert "preagg_" not in compile_routed({**RETENTION, "dimensions": ["patient.first_visit_month"],
                                          "filters": [month]}).sql


def test_additive_measures_over_whole_days_read_preaggregations():
    sql = compile_routed(KPI).sql
    assert sql.count('FROM "preagg_') == 3  # payments, appointments, new patients
    assert '"payments"' not in sql and '"appointments"' not in sql


@pytest.mark.parametrize("body", [
    {"measures": ["active_patient_count"], "time": {"range": "last_90_days"}},  # a distinct count (a chain's)
    {"measures": ["revenue"], "dimensions": ["payment.status"], "time": {"range": "last_90_days"}},  # not in one
    {"measures": ["revenue"], "filters": [{"field": "patient.gender", "op": "equals", "value": "female"}]},
    {"measures": ["cancellation_rate"], "dimensions": ["provider.name"]},  # fanned out, and not in a pre-aggregation
    # an appointment with two services counts under each: their sum over services is not the appointments'
    {"measures": ["cancellation_rate"], "filters": [{"field": "service.name", "op": "in", "values": ["Botox"]}]},
    {"measures": ["visit_count"], "time": {"dimension": "appointment.created_at", "range": "last_90_days"}},
])
def test_queries_a_preaggregation_cannot_answer_exactly_read_the_rows(body):
    assert "preagg_" not in compile_routed(body).sql


def test_preaggregations_are_read_only_when_built_for_this_catalog_and_as_of():
    assert "preagg_" in compile_routed(KPI).sql
    assert "preagg_" not in compile_routed(KPI, routed_context(built="another catalog")).sql
    assert "preagg_" not in compile_routed(KPI, routed_context(as_of=dt.date(2025, 6, 30))).sql
    assert "preagg_" not in compile_routed(KPI, routed_context(summary_as_of=None)).sql
    duck = compile_query(Query.model_validate(KPI), default_catalog(), routed_context(), "duckdb", use_cache=False)
    assert "preagg_" not in duck.sql


# --- same rows ---------------------------------------------------------------------------------------

SAME = [
    KPI,
    {**KPI, "time": {"range": "last_90_days", "grain": "week"}},
    {"measures": ["revenue"], "time": {"range": "last_12_months", "grain": "month", "compare": "previous_year"}},
    {"measures": ["revenue", "payment_count", "failed_payment_count", "pending_payment_count"],
     "dimensions": ["payment.method"], "time": {"range": "this_year"}},
    {"measures": ["revenue", "payment_count"], "dimensions": ["patient.source"]},  # all time, no range
    {"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "not_in", "values": ["google"]},
                                          {"field": "payment.method", "op": "equals", "value": "cash"}],
     "time": {"range": "last_month", "grain": "week", "compare": "previous_period"}},
    {"measures": ["visit_count", "appointment_count", "unpaid_visit_count", "upcoming_appointment_count"],
     "dimensions": ["appointment.status"], "time": {"grain": "month"}},  # future bookings, no range
    {"measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
     "time": {"range": "last_90_days"}, "limit": 1000},
    {"measures": ["line_revenue", "service_line_count", "booked_hours", "revenue_per_booked_hour"],
     "dimensions": ["provider.name"], "time": {"range": "last_12_months", "grain": "quarter",
                                               "compare": "previous_year"}},
    {"measures": ["cancellation_rate"], "dimensions": ["service.name"],
     "time": {"range": "last_90_days", "compare": "previous_period"}, "order": [{"field": "cancellation_rate"}]},
    {"measures": ["line_revenue"], "dimensions": ["service.name"],
     "filters": [{"field": "provider.name", "op": "starts_with", "value": "A"}], "time": {"range": "last_year"}},
    {"measures": ["new_patient_count"], "dimensions": ["patient.first_visit_month"],
     "filters": [{"field": "patient.first_visit_month", "op": "gte", "value": "2025-01-01"}]},
    RETENTION,
    {**RETENTION, "filters": [{"field": "appointment.months_since_first_visit", "op": "in", "values": [0, 1, 6]}]},
    {"measures": ["new_patient_count"], "dimensions": ["patient.source"],
     "time": {"range": "this_year", "grain": "day"},
     "having": [{"field": "new_patient_count", "op": "gt", "value": 1}], "order": [{"field": "time", "dir": "desc"}]},
]


def test_preaggregations_give_the_rows_of_the_entities(client_db_url):
    """On the client's export as loaded (pre-aggregations built by the load): each query from the
    pre-aggregations equals the same query computed from the rows."""

    async def check() -> None:
        conn = await asyncpg.connect(client_db_url)
        try:
            state = await conn.fetchrow(LATEST_LOAD)
            assert state["built_from"] == default_catalog().fingerprint
            ctx = routed_context(state["as_of"], state["as_of"], time=state["as_of_time"])
            for body in SAME:
                fast, slow = compile_routed(body, ctx), compile_routed(body, ctx, without="pre_aggregation")
                assert "preagg_" in fast.sql and "preagg_" not in slow.sql, body
                got = [tuple(r) for r in await conn.fetch(fast.sql, *fast.params)]
                want = [tuple(r) for r in await conn.fetch(slow.sql, *slow.params)]
                assert got and got == want, body
        finally:
            await conn.close()

    asyncio.run(check())
