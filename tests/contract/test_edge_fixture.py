"""A hand-made export (`fixtures/edge/`) whose every number is worked out by hand below.

The fixture, at a glance (as_of = 2025-03-31, the date of the latest payment):

  services   Botox 300.00 (30000), Filler 200.00 (20000), Peel 100.00 (10000), Facial 150.00 (15000)
  providers  Ana Lopez, Ben Carter
  patients   Alice (f, instagram, born 1990-05-10 -> 34, created 2025-03-01, after her first visit)
             Bruno (m, google, born 1960-01-01 -> 65)
             Chloe (f, tiktok, born 2001-04-01 -> 23: her birthday is the day after as_of)
             Dana  (other, website, born 1980-03-31 -> 45 on as_of itself): no appointment at all
             Eli   (f, phone, born 1975-07-20 -> 49): only a future appointment

  appt  patient  status     start(a)           lines (service/provider, hours)              payment
  A1    Alice    confirmed  2025-02-10 10:00   Peel/Ben 11:15-12:15 (listed first in the     48000 paid credit_card
                                               file), Botox/Ana 10:00-10:30, Filler/Ana      (list prices 60000)
                                               10:30-11:15: 1.0 + 0.5 + 0.75 h
  A2    Alice    pending    2025-03-31 16:00   Facial/Ben 1.0 h (on as_of's day, late)       15000 pending cash
  A3    Bruno    confirmed  2025-03-31 09:00   Filler/Ana 0.75 h, Facial/Ben 1.0 h           10000 paid debit_card
                                                                                             (list prices 35000)
  A4    Bruno    cancelled  2025-03-05 14:00   Botox/Ana 0.5 h, Peel/Ana 1.0 h               40000 failed check
  A5    Bruno    confirmed  2025-01-23 11:00   Facial/Ana 1.0 h                              15000 paid cash
  A6    Chloe    confirmed  2025-03-14 13:00   Filler/Ben 0.75 h                             20000 paid cash
  A7    Chloe    confirmed  2025-04-02 10:00   Botox/Ana 0.5 h (upcoming)                    -
  A8    Alice    cancelled  2025-04-01 09:00   Botox/Ana 0.5 h (future, cancelled)           -
  A9    Alice    pending    2025-04-15 15:00   Facial/Ben 1.0 h (upcoming)                   -
  A10   Eli      confirmed  2025-05-05 10:00   Peel/Ana 1.5 h (upcoming)                     -

Derived once, used below:
  paid payments: A1 48000 (Feb), A3 10000 (Mar 31), A5 15000 (Jan), A6 20000 (Mar 14) -> revenue 93000
  visits (not cancelled, start(a) <= 2025-03-31 23:59): A1, A2, A3, A5, A6 -> 5; A2 is unpaid
  visits per patient: Alice 2 (A1, A2), Bruno 2 (A5, A3), Chloe 1 (A6); Dana and Eli 0
  line_revenue allocation (amount x list price / sum of the appointment's list prices):
    A1: 48000 x (30000, 20000, 10000) / 60000 = Botox 24000, Filler 16000, Peel 8000
    A3: 10000 x (20000, 15000) / 35000 = Filler 5714.29, Facial 4285.71 (not whole cents)
    A5: Facial 15000;  A6: Filler 20000
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.support import compare_rows, post, run

EDGE = Path(__file__).parent / "fixtures" / "edge"
AS_OF = "2025-03-31"

ALICE, BRUNO, CHLOE = "pat_00000000000a11ce", "pat_00000000000b2000", "pat_00000000000c1000"
DANA, ELI = "pat_00000000000da7a0", "pat_000000000000e110"
JAN, FEB, MAR, APR, MAY = "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01"


@pytest.fixture(scope="module")
def edge_url(make_database) -> str:
    from service.seed.loader import load_directory

    url: str = make_database()
    load_directory(EDGE, url, replace=False, progress=False)
    return url


@pytest.fixture(scope="module")
def edge(edge_url) -> Iterator[Any]:
    """A manager's TestClient over the fixture, shared by the module (signing in hashes a password).

    `signed_in_client` is what the `api_for` fixture hands out; a module-scoped fixture cannot
    depend on the function-scoped `api_for` itself.
    """
    from tests.conftest import signed_in_client

    with signed_in_client(edge_url) as client:
        yield client


def _d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


# (name, query, {measure: {group key: expected value}}). A group key is the tuple of the query's
# dimension values, then the time bucket. A group absent here may only come back as 0 or null.
CASES: list[tuple[str, dict[str, Any], dict[str, dict[tuple[Any, ...], Any]]]] = [
    ("totals-money", {"measures": ["revenue", "payment_count", "average_ticket", "revenue_per_patient"]}, {
        "revenue": {(): 93000},            # 48000 + 10000 + 15000 + 20000; pending and failed excluded
        "payment_count": {(): 4},          # the four paid payments
        "average_ticket": {(): 23250},     # 93000 / 4
        "revenue_per_patient": {(): 31000},  # 93000 / 3 paying patients (Alice, Bruno, Chloe)
    }),
    ("totals-appointments", {"measures": ["appointment_count", "cancellation_rate", "visit_count",
                                          "unpaid_visit_count", "service_line_count", "booked_hours"]}, {
        "appointment_count": {(): 10},     # A1..A10, any status, future included
        "cancellation_rate": {(): 0.2},    # A4, A8 / 10
        "visit_count": {(): 5},            # A1, A2, A3, A5, A6 (A2 at 16:00 on as_of's day counts)
        "unpaid_visit_count": {(): 1},     # A2: its only payment is pending
        "service_line_count": {(): 14},    # 3+1+2+2+1+1+1+1+1+1 lines, cancelled ones included
        # non-cancelled lines, future ones included: A1 2.25 + A2 1 + A3 1.75 + A5 1 + A6 0.75
        # + A7 0.5 + A9 1 + A10 1.5 = 9.75 (A4's 1.5 h and A8's 0.5 h are cancelled)
        "booked_hours": {(): 9.75},
    }),
    ("totals-patients", {"measures": ["patient_count", "new_patient_count", "active_patient_count",
                                      "returning_patient_rate"]}, {
        "patient_count": {(): 5},
        "new_patient_count": {(): 3},      # Alice, Bruno, Chloe have a first visit; Dana, Eli none
        "active_patient_count": {(): 3},
        "returning_patient_rate": {(): 2 / 3},  # Alice and Bruno have 2 visits, Chloe 1
    }),
    ("revenue-by-method", {"measures": ["revenue", "payment_count"], "dimensions": ["payment.method"]}, {
        # cash: A5 15000 + A6 20000 (A2's pending 15000 is not revenue); check: only a failed payment
        "revenue": {("credit_card",): 48000, ("debit_card",): 10000, ("cash",): 35000},
        "payment_count": {("credit_card",): 1, ("debit_card",): 1, ("cash",): 2},
    }),
    ("revenue-by-month", {"measures": ["revenue"], "time": {"grain": "month"}}, {
        "revenue": {(_d(JAN),): 15000, (_d(FEB),): 48000, (_d(MAR),): 30000},  # by payment date
    }),
    ("revenue-by-gender", {"measures": ["revenue"], "dimensions": ["patient.gender"]}, {
        "revenue": {("female",): 68000, ("male",): 25000},  # Alice 48000 + Chloe 20000; Bruno
    }),
    ("revenue-by-appointment-status", {"measures": ["revenue"], "dimensions": ["appointment.status"]}, {
        "revenue": {("confirmed",): 93000},  # every paid payment belongs to a confirmed appointment
    }),
    ("appointments-by-status", {"measures": ["appointment_count"], "dimensions": ["appointment.status"]}, {
        "appointment_count": {("confirmed",): 6, ("pending",): 2, ("cancelled",): 2},
    }),
    ("appointments-by-month", {"measures": ["appointment_count", "cancellation_rate"],
                               "time": {"grain": "month"}}, {
        # Jan A5; Feb A1; Mar A2, A3, A4, A6; Apr A7, A8, A9; May A10
        "appointment_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 4, (_d(APR),): 3, (_d(MAY),): 1},
        "cancellation_rate": {(_d(JAN),): 0, (_d(FEB),): 0, (_d(MAR),): 0.25, (_d(APR),): 1 / 3,
                              (_d(MAY),): 0},
    }),
    ("appointments-by-week", {"measures": ["appointment_count"], "time": {"grain": "week"}}, {
        # ISO weeks start on Monday; the week of Mon 2025-03-31 spans two months:
        # A2, A3 (Mar 31), A8 (Apr 1), A7 (Apr 2)
        "appointment_count": {(_d("2025-01-20"),): 1, (_d("2025-02-10"),): 1, (_d("2025-03-03"),): 1,
                              (_d("2025-03-10"),): 1, (_d("2025-03-31"),): 4, (_d("2025-04-14"),): 1,
                              (_d("2025-05-05"),): 1},
    }),
    ("visits-by-month", {"measures": ["visit_count", "unpaid_visit_count"], "time": {"grain": "month"}}, {
        "visit_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 3},  # April's are future or cancelled
        "unpaid_visit_count": {(_d(MAR),): 1},  # A2
    }),
    ("visits-by-weekday-and-hour", {"measures": ["visit_count"],
                                    "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"]}, {
        # A1 Mon 10h: its start(a) is the Botox line at 10:00 although the file lists the 11:15 Peel first
        # A2 Mon 16h, A3 Mon 9h, A5 Thu 11h, A6 Fri 13h
        "visit_count": {(1, 10): 1, (1, 16): 1, (1, 9): 1, (4, 11): 1, (5, 13): 1},
    }),
    ("lines-by-service", {"measures": ["service_line_count"], "dimensions": ["service.name"]}, {
        # Botox A1 A4 A7 A8; Filler A1 A3 A6; Peel A1 A4 A10; Facial A2 A3 A5 A9
        "service_line_count": {("Botox Injection",): 4, ("Dermal Filler",): 3, ("Chemical Peel",): 3,
                               ("Facial Treatment",): 4},
    }),
    ("booked-hours-by-provider", {"measures": ["booked_hours"], "dimensions": ["provider.name"]}, {
        # Ana: A1 0.5 + 0.75, A3 0.75, A5 1, A7 0.5, A10 1.5 = 5.0
        # Ben: A1 1, A2 1, A3 1, A6 0.75, A9 1 = 4.75
        "booked_hours": {("Ana Lopez",): 5.0, ("Ben Carter",): 4.75},
    }),
    ("new-patients-by-month", {"measures": ["new_patient_count"], "time": {"grain": "month"}}, {
        # by first visit, not by created date: Bruno Jan 23, Alice Feb 10 (created Mar 1), Chloe Mar 14
        "new_patient_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 1},
    }),
    ("new-patients-by-source", {"measures": ["new_patient_count"], "dimensions": ["patient.source"]}, {
        "new_patient_count": {("instagram",): 1, ("google",): 1, ("tiktok",): 1},
    }),
    ("patients-by-age-band", {"measures": ["patient_count"], "dimensions": ["patient.age_band"]}, {
        # Chloe 23 (turns 24 the day after as_of), Alice 34, Dana 45 (birthday on as_of), Eli 49, Bruno 65
        "patient_count": {("18-24",): 1, ("25-34",): 1, ("45-54",): 2, ("65+",): 1},
    }),
    ("patients-by-created-month", {"measures": ["patient_count"],
                                   "time": {"dimension": "patient.created_at", "grain": "month"}}, {
        "patient_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 3},  # Bruno; Dana; Alice, Chloe, Eli
    }),
    ("returning-by-gender", {"measures": ["returning_patient_rate"], "dimensions": ["patient.gender"]}, {
        # female: Alice (2 visits) and Chloe (1) have visits, Eli none -> 1/2; male: Bruno (2) -> 1
        "returning_patient_rate": {("female",): 0.5, ("male",): 1.0},
    }),
    ("march", {"measures": ["revenue", "visit_count", "appointment_count", "active_patient_count",
                            "new_patient_count", "returning_patient_rate"],
               "time": {"range": ["2025-03-01", "2025-04-01"]}}, {
        "revenue": {(): 30000},             # A6 20000 (Mar 14) + A3 10000 (Mar 31)
        "visit_count": {(): 3},             # A2, A3, A6
        "appointment_count": {(): 4},       # A2, A3, A4, A6
        "active_patient_count": {(): 3},    # Alice, Bruno, Chloe
        "new_patient_count": {(): 1},       # Chloe; Alice's and Bruno's first visits are earlier
        # within March each of the three has exactly one visit: nobody has two
        "returning_patient_rate": {(): 0.0},
    }),
    ("last-7-days", {"measures": ["revenue", "visit_count", "appointment_count"],
                     "time": {"range": "last_7_days"}}, {
        # [2025-03-25, 2025-04-01): A3's payment; visits A2 and A3; A8 (Apr 1) is outside
        "revenue": {(): 10000}, "visit_count": {(): 2}, "appointment_count": {(): 2},
    }),
    ("as-of-day-before", {"measures": ["visit_count", "unpaid_visit_count", "returning_patient_rate",
                                       "new_patient_count"], "as_of": "2025-03-30"}, {
        # A2 and A3 (Mar 31) are upcoming now: visits A1, A5, A6, one per patient, all paid
        "visit_count": {(): 3}, "unpaid_visit_count": {(): 0}, "returning_patient_rate": {(): 0.0},
        "new_patient_count": {(): 3},
    }),
    ("as-of-two-days-later", {"measures": ["visit_count", "unpaid_visit_count"], "as_of": "2025-04-02"}, {
        # A7 (Apr 2 10:00, unpaid) becomes a visit; A8 (Apr 1) is cancelled
        "visit_count": {(): 6}, "unpaid_visit_count": {(): 2},
    }),
    ("metric-time", {"measures": ["revenue", "visit_count", "new_patient_count"], "time": {"grain": "month"}}, {
        # each on its own time: payment date, start(a), first visit; buckets joined
        "revenue": {(_d(JAN),): 15000, (_d(FEB),): 48000, (_d(MAR),): 30000},
        "visit_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 3},
        "new_patient_count": {(_d(JAN),): 1, (_d(FEB),): 1, (_d(MAR),): 1},
    }),
    ("unpaid-by-source", {"measures": ["unpaid_visit_count"], "dimensions": ["patient.source"]}, {
        "unpaid_visit_count": {("instagram",): 1},  # Alice's A2
    }),
]


@pytest.mark.parametrize(("query", "expected"), [pytest.param(q, e, id=n) for n, q, e in CASES])
def test_edge_measures(edge, query, expected):
    body = run(edge, query)
    grain = (query.get("time") or {}).get("grain")
    problems = []
    for measure, groups in expected.items():
        problems += compare_rows(body, measure, query.get("dimensions", []), grain, groups)
    assert not problems, "\n".join(problems)


def test_default_as_of_is_latest_payment(edge):
    # the pending payment (17:05) and the paid one (10:50) are both on 2025-03-31
    assert run(edge, {"measures": ["revenue"]})["meta"]["as_of"] == AS_OF


# --- line_revenue: allocation by list price -----------------------------------------------------

# (group, exact share in cents). The engine may keep fractions or round to cents; either way a
# share is within one cent of the exact one and the shares add up to revenue exactly.
LINE_REVENUE_BY_SERVICE = {
    "Botox Injection": 24000,                          # A1 48000 x 30000/60000
    "Dermal Filler": 16000 + 10000 * 20000 / 35000 + 20000,  # A1 + A3 (5714.29) + A6 = 41714.29
    "Chemical Peel": 8000,                             # A1 48000 x 10000/60000
    "Facial Treatment": 10000 * 15000 / 35000 + 15000,  # A3 (4285.71) + A5 = 19285.71
}
LINE_REVENUE_BY_PROVIDER = {
    "Ana Lopez": 24000 + 16000 + 10000 * 20000 / 35000 + 15000,  # A1 Botox+Filler, A3 Filler, A5 = 60714.29
    "Ben Carter": 8000 + 10000 * 15000 / 35000 + 20000,          # A1 Peel, A3 Facial, A6 = 32285.71
}


@pytest.mark.parametrize(("dimension", "expected"), [
    ("service.name", LINE_REVENUE_BY_SERVICE),
    ("provider.name", LINE_REVENUE_BY_PROVIDER),
])
def test_line_revenue_allocation(edge, dimension, expected):
    rows = run(edge, {"measures": ["line_revenue"], "dimensions": [dimension]})["rows"]
    got = {row[dimension]: row["line_revenue"] for row in rows if row["line_revenue"]}
    assert got.keys() == expected.keys()
    for name, share in expected.items():
        assert abs(got[name] - share) <= 1, (name, got[name], share)
    assert sum(got.values()) == pytest.approx(93000, abs=1e-6)  # nothing lost, nothing added


def test_line_revenue_total_and_months(edge):
    rows = run(edge, {"measures": ["line_revenue"], "time": {"grain": "month"}})["rows"]
    # by start(a): Jan A5 15000; Feb A1 48000; Mar A3 10000 + A6 20000
    got = {row["time"]: row["line_revenue"] for row in rows if row["line_revenue"]}
    assert got == {JAN: pytest.approx(15000), FEB: pytest.approx(48000), MAR: pytest.approx(30000)}
    total = run(edge, {"measures": ["line_revenue"]})["rows"][0]["line_revenue"]
    assert total == pytest.approx(93000, abs=1e-6)


@pytest.mark.parametrize("dimension", ["service.name", "provider.name"])
def test_revenue_by_line_dimension_is_refused_or_allocated(edge, dimension):
    """Whole-ticket crediting would give Botox, Filler and Peel 48000 each from A1 alone."""
    status, body = post(edge, {"measures": ["revenue"], "dimensions": [dimension]})
    if status == 400:
        assert body["error"]["code"] == "invalid_grouping"
        assert "line_revenue" in body["error"]["suggestions"]
        return
    assert status == 200, body
    expected = LINE_REVENUE_BY_SERVICE if dimension == "service.name" else LINE_REVENUE_BY_PROVIDER
    got = {row[dimension]: row["revenue"] for row in body["rows"] if row["revenue"]}
    assert got.keys() == expected.keys()
    for name, share in expected.items():
        assert abs(got[name] - share) <= 1, (name, got[name], share)


# --- per-patient attributes ---------------------------------------------------------------------

PATIENTS = {
    # id: (visit_count, lifetime_spend, unpaid_visit_count, first_visit_at, last_visit_at,
    #      next_appointment_at, age, age_band)
    # Alice: A1, A2 visits; A2 unpaid; A8 (Apr 1) is cancelled so her next is A9 (Apr 15)
    ALICE: (2, 48000, 1, "2025-02-10T10:00:00", "2025-03-31T16:00:00", "2025-04-15T15:00:00", 34, "25-34"),
    # Bruno: A5, A3 visits; A4 cancelled (its payment failed); nothing upcoming
    BRUNO: (2, 25000, 0, "2025-01-23T11:00:00", "2025-03-31T09:00:00", None, 65, "65+"),
    CHLOE: (1, 20000, 0, "2025-03-14T13:00:00", "2025-03-14T13:00:00", "2025-04-02T10:00:00", 23, "18-24"),
    DANA: (0, 0, 0, None, None, None, 45, "45-54"),
    ELI: (0, 0, 0, None, None, "2025-05-05T10:00:00", 49, "45-54"),
}
FACTS = ["patient.visit_count", "patient.lifetime_spend", "patient.unpaid_visit_count", "patient.first_visit_at",
         "patient.last_visit_at", "patient.next_appointment_at", "patient.age", "patient.age_band"]


def _patient_rows(client: Any, facts: list[str], **extra: Any) -> dict[str, tuple[Any, ...]]:
    body = run(client, {"dimensions": ["patient.id", *facts], "order": [{"field": "patient.id", "dir": "asc"}],
                      **extra})
    assert body["total_rows"] == len(body["rows"])
    return {row["patient.id"]: tuple(_moment(row[f]) for f in facts) for row in body["rows"]}


def _moment(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        return dt.datetime.fromisoformat(value).isoformat()
    return value


def test_patient_attributes(edge):
    assert _patient_rows(edge, FACTS) == PATIENTS


def test_patient_attributes_follow_as_of(edge):
    # as of 2025-03-30, A2 and A3 (Mar 31) are upcoming: they become Alice's and Bruno's next
    facts = ["patient.visit_count", "patient.last_visit_at", "patient.next_appointment_at"]
    assert _patient_rows(edge, facts, as_of="2025-03-30") == {
        ALICE: (1, "2025-02-10T10:00:00", "2025-03-31T16:00:00"),
        BRUNO: (1, "2025-01-23T11:00:00", "2025-03-31T09:00:00"),
        CHLOE: (1, "2025-03-14T13:00:00", "2025-04-02T10:00:00"),
        DANA: (0, None, None),
        ELI: (0, None, "2025-05-05T10:00:00"),
    }


def test_patients_without_visits(edge):
    body = run(edge, {"dimensions": ["patient.id"],
                      "filters": [{"field": "patient.visit_count", "op": "equals", "value": 0}],
                      "order": [{"field": "patient.id", "dir": "asc"}]})
    assert [row["patient.id"] for row in body["rows"]] == [ELI, DANA]  # ids sort "...0e110" < "...da7a0"


# --- compare ------------------------------------------------------------------------------------


def test_compare_previous_period(edge):
    body = run(edge, {"measures": ["revenue"],
                      "time": {"range": ["2025-03-01", "2025-04-01"], "compare": "previous_period"}})
    [row] = body["rows"]
    # March 30000; the period before (February, or the 31 days before Mar 1) holds A1's 48000
    assert row["revenue"] == 30000
    assert row["revenue.previous"] == 48000
    assert row["revenue.change"] == -18000
    assert row["revenue.change_pct"] == pytest.approx(-0.375)


def test_compare_previous_year_without_history(edge):
    body = run(edge, {"measures": ["revenue"],
                      "time": {"range": ["2025-03-01", "2025-04-01"], "compare": "previous_year"}})
    [row] = body["rows"]
    # March 2024 has no payments: previous is 0 (or null), and change_pct is null
    assert row["revenue"] == 30000
    assert row["revenue.previous"] in (0, None)
    assert row["revenue.change"] in (30000, None)
    assert row["revenue.change_pct"] is None
