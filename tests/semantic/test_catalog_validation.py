"""Catalog validation: every problem is reported at once, naming the member, file:line and the fix."""

from __future__ import annotations

import textwrap

import pytest

from semantic import build_catalog, default_catalog
from semantic.errors import CatalogError, Issue

BASE = """\
entities:
  patient:
    table: patients
    primary_key: id
    label: Patient
    grain: one row per patient
    dimensions:
      id: {type: string, column: id, label: Patient ID, pii: true}
      source: {type: string, column: source, label: Source, synonyms: [channel], sensitive: false}
      created_at: {type: time, column: created_date, label: Created, quasi_identifier: {min_grain: month}}
  payment:
    table: payments
    primary_key: id
    label: Payment
    grain: one row per payment
    dimensions:
      method: {type: string, column: method, label: Method, sensitive: false}
      paid_at: {type: time, column: date, label: Paid at, quasi_identifier: {min_grain: day}}
      is_paid: {type: boolean, label: Paid, expr: {eq: [{col: status}, {lit: paid}]}, sensitive: false}
joins:
  - {from: payment, to: patient, column: patient_id}
measures:
  revenue:
    entity: payment
    agg: sum
    expr: {col: amount}
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: cents
    label: Revenue
    description: Paid amounts.
    synonyms: [sales]
  payment_count:
    entity: payment
    agg: count
    filter: {dim: is_paid}
    time: payment.paid_at
    type: integer
    unit: count
    label: Payments
    description: Paid payments.
derived_measures:
  average_ticket:
    formula: {div: [{measure: revenue}, {measure: payment_count}]}
    type: number
    unit: cents
    label: Average ticket
    description: revenue / payment_count.
"""


def issues_of(text: str) -> list[Issue]:
    with pytest.raises(CatalogError) as caught:
        build_catalog(text, "test.yaml")
    return list(caught.value.issues)


def replace(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_base_catalog_is_valid():
    catalog = build_catalog(BASE, "test.yaml")
    assert set(catalog.measures) == {"revenue", "payment_count"}
    assert catalog.derived["average_ticket"].components == ("revenue", "payment_count")
    assert catalog.synonyms["sales"] == "revenue"


def test_the_project_catalog_is_valid_and_has_the_contract_members():
    catalog = default_catalog()
    measures = {m.name for m in catalog.all_measures()}
    assert {"revenue", "payment_count", "average_ticket", "line_revenue", "appointment_count", "cancellation_rate",
            "visit_count", "service_line_count", "booked_hours", "patient_count", "new_patient_count",
            "active_patient_count", "unpaid_visit_count", "revenue_per_patient", "returning_patient_rate",
            "revenue_per_booked_hour", "median_days_between_visits", "rebooking_rate", "retained_patient_count",
            "upcoming_appointment_count", "failed_payment_count", "pending_payment_count", "lapsed_patient_count",
            "average_visits_per_patient"} <= measures
    pii = {"patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.email",
           "patient.phone", "patient.address", "patient.date_of_birth"}
    assert all(catalog.dimensions[d].pii for d in pii)
    assert catalog.dimensions["patient.search"].filter_only
    for name in ["patient.next_appointment_service", "patient.next_appointment_provider",
                 "patient.next_appointment_status", "patient.last_visit_service", "patient.paid_payment_count",
                 "service.id", "provider.id", "appointment.end_at", "payment.id", "patient.first_visit_month"]:
        assert name in catalog.dimensions
    assert catalog.dimensions["appointment.is_visit"].type == "boolean"
    for time in ["patient.created_at", "patient.first_visit_at", "patient.last_visit_at",
                 "patient.next_appointment_at", "appointment.start_at", "appointment.created_at", "payment.paid_at"]:
        assert catalog.dimensions[time].kind == "time"
    for measure in catalog.all_measures():
        assert measure.description, measure.name


@pytest.mark.parametrize(("old", "new", "rule", "member", "needle", "fix"), [
    ("expr: {col: amount}", "expr: {col: amout}", "invalid_expression", "revenue", "revenue:", "'amount'"),
    ("table: payments", "table: paymnts", "unknown_reference", "payment", "table: paymnts", "'payments'"),
    ("time: payment.paid_at\n    type: integer\n    unit: cents",
     "time: payment.paid_on\n    type: integer\n    unit: cents", "unknown_reference", "revenue", "paid_on",
     "'payment.paid_at'"),
    ("filter: {dim: is_paid}\n    time: payment.paid_at\n    type: integer\n    unit: cents",
     "filter: {dim: is_payd}\n    time: payment.paid_at\n    type: integer\n    unit: cents",
     "invalid_expression", "revenue", "revenue:", "payment.is_paid"),
    ("{measure: payment_count}", "{measure: payment_cnt}", "unknown_reference", "average_ticket", "formula:",
     "'payment_count'"),
    ("entity: payment\n    agg: count", "entity: paymnt\n    agg: count", "unknown_reference", "payment_count",
     "paymnt", "'payment'"),
    ("- {from: payment, to: patient, column: patient_id}", "- {from: payment, to: patient, column: patient}",
     "unknown_reference", "join payment -> patient", "column: patient}", "'patient_id'"),
    ("agg: sum\n    expr: {col: amount}", "agg: sum\n    expr: {col: method}", "invalid_aggregation", "revenue",
     "agg: sum", "numeric"),
])
def test_each_issue_names_the_member_the_line_and_the_fix(old, new, rule, member, needle, fix):
    text = replace(old, new)
    found = [i for i in issues_of(text) if i.rule == rule and i.member == member]
    assert found, issues_of(text)
    issue = found[0]
    assert issue.file == "test.yaml"
    assert issue.line == line_of(text, needle)
    assert fix in issue.fix or fix in issue.message, issue
    assert issue.render().startswith(f"test.yaml:{issue.line}: [{rule}] {member}:")


def test_duplicate_keys_are_reported_not_silently_overwritten():
    text = replace("  payment_count:\n", "  revenue:\n    entity: payment\n    agg: count\n    type: integer\n"
                   "    unit: count\n    label: Dup\n    description: d.\n  payment_count:\n")
    issues = issues_of(text)
    duplicate = [i for i in issues if i.rule == "duplicate_name"]
    assert duplicate and duplicate[0].member == "measures.revenue"
    assert duplicate[0].line == line_of(text, "  revenue:\n    entity: payment\n    agg: count".split("\n")[0]) or \
        duplicate[0].line > line_of(text, "  revenue:")
    assert "first at line" in duplicate[0].fix


def test_synonym_clashes_are_duplicates():
    text = replace("synonyms: [sales]", "synonyms: [sales, payment_count]")
    text = replace("description: Paid payments.", "description: Paid payments.\n    synonyms: [sales]", text)
    issues = [i for i in issues_of(text) if i.rule == "duplicate_name"]
    messages = " | ".join(i.message for i in issues)
    assert "'payment_count' is the name of another member" in messages
    assert "'sales' also belongs to 'revenue'" in messages


def test_cycles_in_derived_measures():
    text = BASE + textwrap.indent(textwrap.dedent("""\
        a:
          formula: {add: [{measure: b}, {measure: revenue}]}
          type: number
          unit: cents
          label: A
          description: a.
        b:
          formula: {mul: [{measure: a}, {lit: 2}]}
          type: number
          unit: cents
          label: B
          description: b.
        """), "  ")
    cycles = [i for i in issues_of(text) if i.rule == "cycle"]
    assert len(cycles) == 1
    assert "a -> b -> a" in cycles[0].message or "b -> a -> b" in cycles[0].message
    assert cycles[0].fix


def test_cycles_in_dimensions():
    text = replace("is_paid: {type: boolean, label: Paid, expr: {eq: [{col: status}, {lit: paid}]}, sensitive: false}",
                   "is_paid: {type: boolean, label: Paid, expr: {not: {dim: is_unpaid}}, sensitive: false}\n"
                   "      is_unpaid: {type: boolean, label: Unpaid, expr: {not: {dim: is_paid}}, sensitive: false}")
    cycles = [i for i in issues_of(text) if i.rule == "cycle"]
    assert cycles and "payment.is_paid" in cycles[0].message and "payment.is_unpaid" in cycles[0].message


AMBIGUOUS = """\
  appointment:
    table: appointments
    primary_key: id
    label: Appointment
    grain: one row per appointment
  booking:
    table: appointments
    primary_key: id
    label: Booking
    grain: one row per appointment
joins:
  - {from: appointment, to: patient, column: patient_id}
  - {from: booking, to: patient, column: patient_id}
  - {from: payment, to: appointment, column: appointment_id}
  - {from: payment, to: booking, column: appointment_id}
"""


def test_ambiguous_join_paths():
    # payment -> appointment -> patient and payment -> booking -> patient are equally short, and so
    # are appointment -> patient -> booking and appointment -> payment -> booking.
    text = replace("joins:\n  - {from: payment, to: patient, column: patient_id}\n", AMBIGUOUS)
    ambiguous = [i for i in issues_of(text) if i.rule == "ambiguous_join"]
    assert ambiguous, issues_of(text)
    assert "two equally short join paths" in ambiguous[0].message
    assert "remove one of the joins" in ambiguous[0].fix
    assert ambiguous[0].line >= line_of(text, "- {from: appointment, to: patient")


def test_all_issues_are_reported_at_once():
    text = replace("expr: {col: amount}", "expr: {col: amout}")
    text = replace("{measure: payment_count}", "{measure: payment_cnt}", text)
    text = replace("column: method", "column: methd", text)
    issues = issues_of(text)
    rules = {(i.rule, i.member) for i in issues}
    assert ("invalid_expression", "revenue") in rules
    assert ("unknown_reference", "average_ticket") in rules
    assert ("invalid_expression", "payment.method") in rules
    assert issues == sorted(issues, key=lambda i: (i.file, i.line, i.member, i.rule))
    with pytest.raises(CatalogError) as caught:
        build_catalog(text, "test.yaml")
    assert str(caught.value).count("test.yaml:") == len(issues) >= 3


def test_structural_errors_name_the_key_and_line():
    text = replace("    label: Revenue\n", "    label: Revenue\n    colour: red\n")
    text = replace("agg: count", "agg: tally", text)
    issues = issues_of(text)
    assert {i.rule for i in issues} == {"structure"}
    extra = next(i for i in issues if "colour" in i.message)
    assert extra.member == "revenue" and extra.line == line_of(text, "colour: red")
    assert "remove `colour`" in extra.fix
    literal = next(i for i in issues if "agg" in i.message)
    assert literal.line == line_of(text, "agg: tally") and "'count'" in literal.fix


def test_expression_syntax_errors_suggest_the_form():
    text = replace("expr: {eq: [{col: status}, {lit: paid}]}", "expr: {equals: [{col: status}, {lit: paid}]}")
    issue = next(i for i in issues_of(text) if i.rule == "expression_syntax")
    assert issue.member == "payment.is_paid"
    assert "did you mean 'eq'" in issue.message


def test_yaml_syntax_errors_have_a_line():
    [issue] = issues_of(BASE + "  broken: [unclosed\n")
    assert issue.rule == "yaml_syntax" and issue.line > 0
