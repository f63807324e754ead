"""Chains (`kind: chain` in metrics.yaml, table chain_rows): validated when the catalog loads, read only when they
answer a distinct count exactly, and then giving the same rows as grouping the entity's rows per value."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg
import pytest

from semantic import CatalogError, Query, build_catalog, compile_query, default_catalog
from tests.generated import generated_database
from tests.semantic.routed import LATEST_LOAD, compile_routed, routed_context
from tests.semantic.test_catalog_validation import BASE

# --- validation ------------------------------------------------------------------------------------

DISTINCT = """\
  paying_patients:
    entity: payment
    agg: count_distinct
    expr: {col: patient_id}
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: count
    label: Paying patients
    description: Distinct patients with a paid payment.
  repeat_payers:
    entity: payment
    agg: count_distinct
    expr: {col: patient_id}
    min_count: 2
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: count
    label: Repeat payers
    description: Distinct patients with two or more paid payments.
  loyal_payers:
    entity: payment
    agg: count_distinct
    expr: {col: patient_id}
    min_count: 3
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: count
    label: Loyal payers
    description: Distinct patients with three or more paid payments.
  paying_methods:
    entity: payment
    agg: count_distinct
    expr: {col: method}
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: count
    label: Methods used
    description: Distinct payment methods.
"""
CHAIN = """\
materializations:
  payers:
    kind: chain
    measures: [paying_patients, repeat_payers]
    dimensions: [patient.source]
"""


def _catalog_text(chain_text: str) -> str:
    return BASE.replace("derived_measures:", DISTINCT + "derived_measures:") + chain_text


def _issues(chain_text: str) -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogError) as caught:
        build_catalog(_catalog_text(chain_text), "test.yaml")
    return [(i.rule, i.member, i.message + " | " + i.fix) for i in caught.value.issues]


def test_a_well_formed_chain_loads():
    catalog = build_catalog(_catalog_text(CHAIN), "test.yaml")
    payers = catalog.materializations["payers"]
    assert (payers.measures, payers.dimensions) == (("paying_patients", "repeat_payers"), ("patient.source",))
    assert payers.line == _catalog_text("").count("\n") + 2


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("measures: [paying_patients, repeat_payers]", "measures: [paying_patient]", "did you mean 'paying_patients'"),
    ("measures: [paying_patients, repeat_payers]", "measures: [revenue]",
     "'revenue' is not a distinct count with a time | a chain serves count_distinct measures"),
    ("measures: [paying_patients, repeat_payers]", "measures: [paying_patients, loyal_payers]",
     "'loyal_payers' needs 3 rows per value | a chain keeps 2 previous rows"),
    ("measures: [paying_patients, repeat_payers]", "measures: [paying_patients, paying_methods]",
     "mixes distinct counts of different values, filters or times | make one chain per"),
    ("measures: [paying_patients, repeat_payers]", "measures: []", "has no measures"),
    ("dimensions: [patient.source]", "dimensions: [payment.method]",
     "'payment.method' is not an attribute of the counted value"),
    ("dimensions: [patient.source]", "dimensions: [patient.sorce]", "did you mean 'patient.source'"),
    ("dimensions: [patient.source]", "dimensions: [patient.id]", "'patient.id' cannot be a chain dimension"),
    ("dimensions: [patient.source]", "dimensions: [patient.source, patient.source, patient.source]",
     "keep at most 2"),
])
def test_chain_mistakes_are_reported_with_a_fix(old, new, expected):
    found = _issues(CHAIN.replace(old, new))
    assert any(rule == "chain" and member == "payers" and expected in text for rule, member, text in found), found


# --- when a chain is read ----------------------------------------------------------------------------

KPI = {"measures": ["active_patient_count", "returning_patient_rate", "revenue_per_patient"],
       "time": {"range": "last_90_days", "compare": "previous_period"}}


def test_distinct_counts_over_a_range_read_the_chain():
    sql = compile_routed(KPI).sql
    assert "chain_rows" in sql and "COUNT(DISTINCT" not in sql and "per_value" not in sql
    by_source = compile_routed({**KPI, "dimensions": ["patient.source"]}).sql
    assert '"ch"."d0"' in by_source and '"patients"' not in by_source  # stored with the rows: no join


def test_other_attributes_of_the_value_join_it():
    sql = compile_routed({"measures": ["active_patient_count"], "dimensions": ["patient.first_visit_month"],
                    "filters": [{"field": "patient.source", "op": "in", "values": ["google"]}],
                    "time": {"range": "this_year"}}).sql
    assert "chain_rows" in sql and '"patients"' in sql


def test_chains_are_read_only_when_built_for_this_catalog_and_as_of():
    assert "chain_rows" not in compile_routed(KPI, routed_context(built="another catalog")).sql
    assert "chain_rows" not in compile_routed(KPI, routed_context(as_of=dt.date(2025, 6, 30))).sql
    assert "chain_rows" not in compile_routed(KPI, routed_context(summary_as_of=None)).sql
    duck = compile_query(Query.model_validate(KPI), default_catalog(), routed_context(), "duckdb", use_cache=False)
    assert "chain_rows" not in duck.sql


VISITS = {"measures": ["active_patient_count", "returning_patient_rate"],
          "time": {"range": "last_90_days", "compare": "previous_period"}}


@pytest.mark.parametrize("body", [
    {**VISITS, "dimensions": ["appointment.status"]},  # an attribute of the visit, not of the patient
    {**VISITS, "filters": [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}]},
    {**VISITS, "filters": [{"field": "appointment.first_provider", "op": "equals", "value": "x"}]},
    {"measures": ["active_patient_count"]},  # no range: rows with no time count too
    {"measures": ["retained_patient_count"], "dimensions": ["appointment.months_since_first_visit"],
     "time": {"range": "this_year"}},
])
def test_distinct_counts_a_chain_cannot_answer_group_the_rows(body):
    assert "chain_rows" not in compile_routed(body).sql


# --- same rows ---------------------------------------------------------------------------------------

SAME = [
    KPI,
    {**KPI, "dimensions": ["patient.source"]},
    {"measures": ["active_patient_count", "returning_patient_count"], "time": {"range": "last_90_days",
                                                                               "grain": "week"}},
    {"measures": ["returning_patient_rate", "paying_patient_count"], "dimensions": ["patient.source"],
     "time": {"range": "last_12_months", "grain": "month", "compare": "previous_year"}},
    {"measures": ["active_patient_count", "returning_patient_count"],
     "time": {"range": "last_month", "grain": "week", "compare": "previous_period"}},
    {"measures": ["paying_patient_count"], "time": {"range": "this_year", "grain": "day"},
     "filters": [{"field": "patient.source", "op": "not_in", "values": ["google"]}]},
    {"measures": ["retained_patient_count", "returning_patient_count"],
     "dimensions": ["patient.first_visit_month"], "time": {"range": "last_12_months", "grain": "quarter"},
     "filters": [{"field": "patient.first_visit_month", "op": "gte", "value": "2024-06-01"}]},
    {"measures": ["active_patient_count", "returning_patient_count"], "time": {"range": ["2024-01-01", "2024-02-15"],
                                                                               "grain": "month"}},
    {"measures": ["active_patient_count"], "time": {"range": "all_time", "grain": "year"}},
    {"measures": ["returning_patient_count"], "dimensions": ["patient.source"], "time": {"range": "last_7_days"},
     "having": [{"field": "returning_patient_count", "op": "gte", "value": 0}]},
]


async def _same_rows(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        state = await conn.fetchrow(LATEST_LOAD)
        assert state["built_from"] == default_catalog().fingerprint
        ctx = routed_context(state["as_of"], state["as_of"], time=state["as_of_time"])
        nonzero = 0
        for body in SAME:
            fast, slow = compile_routed(body, ctx), compile_routed(body, ctx, without="chain")
            assert "chain_rows" in fast.sql and "chain_rows" not in slow.sql, body
            got = [tuple(r) for r in await conn.fetch(fast.sql, *fast.params)]
            want = [tuple(r) for r in await conn.fetch(slow.sql, *slow.params)]
            assert got and got == want, body
            nonzero += any(isinstance(v, int) and v > 0 for row in got for v in row)
        return nonzero
    finally:
        await conn.close()


def test_chains_give_the_rows_of_the_entities(client_db_url):
    """On the client's export as loaded (chains built by the load)."""
    assert asyncio.run(_same_rows(client_db_url)) >= len(SAME) - 2


def test_chains_give_the_rows_of_the_entities_on_generated_data(make_database, tmp_path: Path):
    """On generated data (no client export needed), loaded by the real loader."""
    url = generated_database(make_database, tmp_path / "data", patients=500, seed=7)
    assert asyncio.run(_same_rows(url)) >= len(SAME) - 3
