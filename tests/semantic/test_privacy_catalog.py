"""Privacy decisions in the catalog, and the agent scope's rules in the planner.

Every dimension a patient can be related to carries a decision (pii, identifier, quasi_identifier with its
coarse form, or `sensitive: false`); a missing or inconsistent one is a catalog error naming file and line, so a
new member cannot slip through. The planner then holds the agent role to those decisions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from semantic import build_catalog, default_catalog
from semantic.compile import compile_query
from semantic.errors import CatalogError, Issue, QueryError
from semantic.planner.nodes import Context
from semantic.planner.planner import plan_query
from semantic.query import Query
from tests.semantic.test_catalog_validation import BASE, line_of

PROJECT = Path(__file__).resolve().parents[2] / "metrics.yaml"
AGENT = Context(as_of=dt.date(2025, 11, 26), scope="agent")


def privacy_issues(text: str) -> list[Issue]:
    with pytest.raises(CatalogError) as caught:
        build_catalog(text, "test.yaml")
    return [i for i in caught.value.issues if i.rule == "privacy_decision"]


def test_a_patient_member_without_a_decision_is_an_error_with_its_line() -> None:
    text = BASE.replace("      created_at:", "      gender: {type: string, column: gender, label: Gender}\n"
                        "      created_at:", 1)
    [issue] = privacy_issues(text)
    assert issue.member == "patient.gender" and issue.line == line_of(text, "gender: {type")
    assert "sensitive: false" in issue.fix and "quasi_identifier" in issue.fix


def test_a_member_reached_through_joins_needs_one_too() -> None:
    amount = "      amount: {type: number, column: amount, label: Amount}\n"
    text = BASE.replace("      method:", amount + "      method:", 1)
    [issue] = privacy_issues(text)
    assert issue.member == "payment.amount" and "payment rows" in issue.message


def test_a_member_computed_from_personal_data_is_as_sensitive_unless_declared_coarse() -> None:
    state = ("      state: {type: string, label: State, expr: {col: address}, sensitive: false}\n"
             "      address: {type: string, column: address, label: Address, pii: true}\n      created_at:")
    text = BASE.replace("      created_at:", state, 1)
    [issue] = privacy_issues(text)
    assert issue.member == "patient.state" and "patient.address (pii)" in issue.message
    assert "coarse_of: [patient.address]" in issue.fix
    declared = text.replace("expr: {col: address}, sensitive: false}",
                            "expr: {col: address}, sensitive: false, coarse_of: [patient.address]}", 1)
    build_catalog(declared, "test.yaml")  # a two-letter state is a coarse form on purpose


def test_quasi_identifiers_need_a_usable_coarse_form() -> None:
    cases = {
        "quasi_identifier: {coarsen_to: patient.nothing}": "unknown dimension",
        "quasi_identifier: {coarsen_to: patient.created_at}": "marked `sensitive: false`",
        "quasi_identifier: {min_grain: month}": "not one of its grains",
        "quasi_identifier: {}": "exactly one coarse form",
        "sensitive: false, identifier: true": "declares identifier and none",
    }
    for marking, message in cases.items():
        text = BASE.replace("      created_at:",
                            f"      age: {{type: number, column: age, label: Age, {marking}}}\n      created_at:", 1)
        issues = privacy_issues(text)
        assert any(message in i.message for i in issues), (marking, issues)


def test_the_project_catalog_decides_for_every_dimension() -> None:
    catalog = default_catalog(PROJECT)
    assert all(d.privacy.sensitivity is not None for d in catalog.dimensions.values())
    contract_pii = ["patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.email",
                    "patient.phone", "patient.address", "patient.date_of_birth"]
    assert all(catalog.dimensions[n].pii for n in contract_pii)
    ids = [d for d in catalog.dimensions.values() if d.short == "id" and d.entity != "patient"]
    assert ids and all(d.identifier for d in ids)
    assert catalog.dimensions["patient.age"].privacy.coarsen_to == "patient.age_band"
    assert catalog.dimensions["patient.created_at"].privacy.min_grain == "month"


# --- the planner ---------------------------------------------------------------------------------------


def _with_measures(extra: str) -> str:
    text = PROJECT.read_text()
    return text.replace("\nmeasures:\n", "\nmeasures:\n" + extra, 1)


EXTRA = """\
  largest_payment:
    entity: payment
    agg: max
    expr: {col: amount}
    type: integer
    unit: cents
    label: Largest payment
    description: The largest payment (one patient's).
  average_list_price:
    entity: service
    agg: avg
    expr: {col: price}
    type: number
    unit: cents
    label: Average list price
    description: The menu's average list price (no patient behind it).
"""


def test_min_and_max_of_a_patient_level_quantity_are_refused() -> None:
    catalog = build_catalog(_with_measures(EXTRA), "metrics.yaml")
    with pytest.raises(QueryError) as caught:
        plan_query(Query(measures=["largest_payment"]), catalog, AGENT)
    assert caught.value.code == "forbidden_aggregate"
    plan_query(Query(measures=["largest_payment"]), catalog, dataclasses.replace(AGENT, scope="manager"))


def test_measures_with_no_patient_behind_them_are_not_counted() -> None:
    catalog = build_catalog(_with_measures(EXTRA), "metrics.yaml")
    planned = plan_query(Query(measures=["average_list_price", "visit_count"]), catalog, AGENT)
    counted = {m: agg.contributors for agg in planned.plan.current for m in agg.measures}  # type: ignore[union-attr]
    assert counted == {"average_list_price": False, "visit_count": True}


def test_suppression_comes_before_having_and_order_in_the_sql() -> None:
    catalog = default_catalog(PROJECT)
    query = Query.model_validate({"measures": ["visit_count"], "dimensions": ["patient.source"],
                                  "having": [{"field": "visit_count", "op": "gt", "value": 3}],
                                  "order": [{"field": "visit_count", "dir": "desc"}]})
    sql = compile_query(query, catalog, AGENT, inline=True).sql
    hide = sql.index('CASE WHEN ("merged"."visit_count__hidden") THEN NULL')  # NULL where hidden ...
    assert hide < sql.index("__keep") < sql.index("ORDER BY")  # ... in the level HAVING and ORDER BY read
    assert '(COALESCE("merged"."visit_count__n", 0) BETWEEN 1 AND 10) AS "visit_count__hidden"' in sql
    manager = compile_query(query, catalog, dataclasses.replace(AGENT, scope="manager"), inline=True).sql
    assert "__keep" not in manager and "BETWEEN 1 AND" not in manager
