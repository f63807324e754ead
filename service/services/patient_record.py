"""One patient's record for the front desk: contact, figures and a timeline of appointments.

Read straight from the tables (one patient, a handful of rows); the figures use the contract's
words: a visit is a non-cancelled appointment that started on or before as_of, upcoming after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from service.schemas.patients import (
    AppointmentOut,
    LineOut,
    PatientOut,
    PatientRecord,
    PatientStats,
    PaymentOut,
)

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


async def fetch_patient_record(conn: asyncpg.Connection, patient_id: str, as_of: dt.date) -> PatientRecord | None:
    """The record, or None when no patient has that id."""
    row = await conn.fetchrow(_PATIENT, patient_id)
    if row is None:
        return None
    line_rows = await conn.fetch(_LINES, patient_id)
    payment_rows = await conn.fetch(_PAYMENTS, patient_id)
    payments_by_appointment = {p["appointment_id"]: p for p in payment_rows}
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())

    grouped: dict[str, list[Any]] = {}
    for line in line_rows:
        grouped.setdefault(line["appointment_id"], []).append(line)

    appointments: list[AppointmentOut] = []
    for appointment_id, lines in grouped.items():
        start = min(line["start"] for line in lines)
        status = lines[0]["status"]
        payment = payments_by_appointment.get(appointment_id)
        appointments.append(AppointmentOut(
            id=appointment_id,
            status=status,
            start_at=start,
            end_at=max(line["end"] for line in lines),
            is_visit=status != "cancelled" and start < cutoff,
            is_upcoming=status != "cancelled" and start >= cutoff,
            lines=[LineOut(service_name=line["service_name"], provider_name=line["provider_name"],
                           start=line["start"], end=line["end"], list_price=line["price"]) for line in lines],
            payment=PaymentOut(id=payment["id"], amount=payment["amount"], method=payment["method"],
                               status=payment["status"], date=payment["date"]) if payment else None,
        ))
    appointments.sort(key=lambda a: (a.start_at, a.id), reverse=True)

    visits = [a for a in appointments if a.is_visit]
    upcoming = sorted((a for a in appointments if a.is_upcoming), key=lambda a: (a.start_at, a.id))
    paid = [p for p in payment_rows if p["status"] == "paid"]
    spend = sum(int(p["amount"]) for p in paid)
    stats = PatientStats(
        lifetime_spend=spend,
        visit_count=len(visits),
        average_ticket=round(spend / len(paid)) if paid else None,
        first_visit_at=min((a.start_at for a in visits), default=None),
        last_visit_at=max((a.start_at for a in visits), default=None),
        next_appointment_at=upcoming[0].start_at if upcoming else None,
        unpaid_visit_count=sum(1 for a in visits if a.payment is None or a.payment.status != "paid"),
    )
    birth: dt.date = row["date_of_birth"]
    patient = PatientOut(
        id=row["id"], first_name=row["first_name"], last_name=row["last_name"],
        name=f"{row['first_name']} {row['last_name']}", date_of_birth=birth, age=_age(birth, as_of),
        gender=row["gender"], source=row["source"], address=row["address"], phone=row["phone"],
        email=row["email"], created_at=row["created_date"],
    )
    return PatientRecord(patient=patient, stats=stats, appointments=appointments,
                         as_of=as_of)
