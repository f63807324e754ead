"""One patient's record for the front desk: contact, figures and a timeline of appointments.

The timeline is read straight from the tables (one patient, a handful of rows), marking visits by the
contract's words (a non-cancelled appointment that started on or before as_of; upcoming after it); the
figures come from the query engine, so they are the Patient Table's numbers by construction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from semantic import AsOf, Filter, Query, Scope
from service.schemas.patients import (
    AppointmentOut,
    LineOut,
    PatientOut,
    PatientRecord,
    PatientStats,
    PaymentOut,
)
from service.services.money_owed import owed
from service.services.query import run_query
from service.settings import Settings

_PATIENT = """
SELECT id, first_name, last_name, date_of_birth, gender, source, address, phone, email, created_date
FROM patients WHERE id = $1
"""

_LINES = """
SELECT a.id AS appointment_id, a.status, a.created_date, l.start, l."end", s.name AS service_name, s.price,
       pr.first_name || ' ' || pr.last_name AS provider_name
FROM appointments a
JOIN appointment_services l ON l.appointment_id = a.id
JOIN services s ON s.id = l.service_id
JOIN providers pr ON pr.id = l.provider_id
WHERE a.patient_id = $1
ORDER BY a.id, l.start, l.id
"""

_PAYMENTS = """
SELECT id, appointment_id, amount, method, status, date FROM payments WHERE patient_id = $1 ORDER BY date, id
"""


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


STAT_DIMENSIONS = {
    "lifetime_spend": "patient.lifetime_spend",
    "balance_due": "patient.balance_due",
    "visit_count": "patient.visit_count",
    "first_visit_at": "patient.first_visit_at",
    "last_visit_at": "patient.last_visit_at",
    "next_appointment_at": "patient.next_appointment_at",
    "unpaid_visit_count": "patient.unpaid_visit_count",
}


async def fetch_patient_stats(engine: AsyncEngine, settings: Settings, scope: Scope, patient_id: str,
                              as_of: AsOf) -> PatientStats | None:
    """The patient's figures from the query engine (the catalog's definitions, the same numbers as the
    Patient Table), or None when no patient has that id."""
    query = Query(
        dimensions=[*STAT_DIMENSIONS.values(), "patient.paid_payment_count"],
        filters=[Filter(field="patient.id", op="equals", value=patient_id)],
        limit=1, as_of=as_of.isoformat(),
    )
    rows = (await run_query(engine, settings, query, scope)).rows
    if not rows:
        return None
    row = rows[0]
    spend, paid = int(row["patient.lifetime_spend"] or 0), int(row["patient.paid_payment_count"] or 0)
    return PatientStats.model_validate({
        **{field: row[member] for field, member in STAT_DIMENSIONS.items()},
        "average_ticket": round(spend / paid) if paid else None,
    })


async def fetch_patient_record(conn: asyncpg.Connection, patient_id: str, as_of: AsOf,
                               stats: PatientStats) -> PatientRecord | None:
    """The record (contact, demographics, timeline), or None when no patient has that id."""
    row = await conn.fetchrow(_PATIENT, patient_id)
    if row is None:
        return None
    line_rows = await conn.fetch(_LINES, patient_id)
    payment_rows = await conn.fetch(_PAYMENTS, patient_id)
    payments_by_appointment: dict[str, list[Any]] = {}
    for payment_row in payment_rows:
        payments_by_appointment.setdefault(payment_row["appointment_id"], []).append(payment_row)
    cutoff = as_of.end

    grouped: dict[str, list[Any]] = {}
    for line in line_rows:
        grouped.setdefault(line["appointment_id"], []).append(line)

    appointments: list[AppointmentOut] = []
    for appointment_id, lines in grouped.items():
        start = min(line["start"] for line in lines)
        status = lines[0]["status"]
        payments = payments_by_appointment.get(appointment_id, [])
        # the latest payment is the one shown (the export has at most one per appointment)
        payment = payments[-1] if payments else None
        is_visit = status != "cancelled" and start < cutoff
        money = owed((line["price"] for line in lines), ((p["amount"], p["status"]) for p in payments), is_visit)
        appointments.append(AppointmentOut(
            id=appointment_id,
            status=status,
            start_at=start,
            end_at=max(line["end"] for line in lines),
            is_visit=is_visit,
            is_upcoming=status != "cancelled" and start >= cutoff,
            lines=[LineOut(service_name=line["service_name"], provider_name=line["provider_name"],
                           start=line["start"], end=line["end"], list_price=line["price"]) for line in lines],
            payment=PaymentOut(id=payment["id"], amount=payment["amount"], method=payment["method"],
                               status=payment["status"], date=payment["date"]) if payment else None,
            list_amount=money.list_amount, paid_amount=money.paid_amount, amount_due=money.amount_due,
            is_paid=money.paid_amount > 0,
        ))
    appointments.sort(key=lambda a: (a.start_at, a.id), reverse=True)

    birth: dt.date = row["date_of_birth"]
    patient = PatientOut(
        id=row["id"], first_name=row["first_name"], last_name=row["last_name"],
        name=f"{row['first_name']} {row['last_name']}", date_of_birth=birth, age=_age(birth, as_of.day),
        gender=row["gender"], source=row["source"], address=row["address"], phone=row["phone"],
        email=row["email"], created_at=row["created_date"],
    )
    return PatientRecord(patient=patient, stats=stats, appointments=appointments, as_of=as_of.isoformat())
