"""The front desk's day: one date's appointments in time order, with patient, lines and what is owed.

Read straight from the tables (a day holds tens of appointments): the appointments whose lines start that
day, then their patients and payments. An appointment belongs to the day of start(a), its earliest line.
Visit, upcoming and amount due follow the catalog's definitions against the data's as_of (a moment, for
generated data: the rest of its day is upcoming).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from semantic import AsOf
from service.schemas.schedule import Schedule, ScheduledAppointment, ScheduleLine
from service.services.money_owed import owed

_LINES = """
SELECT l.appointment_id, l.start, l."end", s.name AS service_name, s.price,
       pr.first_name || ' ' || pr.last_name AS provider_name
FROM appointment_services l
JOIN services s ON s.id = l.service_id
JOIN providers pr ON pr.id = l.provider_id
WHERE l.appointment_id IN (SELECT appointment_id FROM appointment_services WHERE start >= $1 AND start < $2)
ORDER BY l.appointment_id, l.start, l.id
"""

_APPOINTMENTS = """
SELECT a.id, a.status, a.patient_id, p.first_name || ' ' || p.last_name AS patient_name, p.phone
FROM appointments a JOIN patients p ON p.id = a.patient_id
WHERE a.id = ANY($1::text[])
"""

_PAYMENTS = """
SELECT appointment_id, amount, status FROM payments WHERE appointment_id = ANY($1::text[]) ORDER BY date, id
"""


async def fetch_schedule(conn: asyncpg.Connection, day: dt.date, as_of: AsOf) -> Schedule:
    """The appointments whose start(a) falls on `day`, in time order."""
    start = dt.datetime.combine(day, dt.time())
    lines_by: dict[str, list[Any]] = {}
    for line in await conn.fetch(_LINES, start, start + dt.timedelta(days=1)):
        lines_by.setdefault(line["appointment_id"], []).append(line)
    # an appointment whose first line started the day before is that day's
    ids = [key for key, lines in lines_by.items() if lines[0]["start"] >= start]
    heads = {row["id"]: row for row in await conn.fetch(_APPOINTMENTS, ids)}
    payments: dict[str, list[Any]] = {}
    for payment in await conn.fetch(_PAYMENTS, ids):
        payments.setdefault(payment["appointment_id"], []).append(payment)

    now = as_of.end
    appointments: list[ScheduledAppointment] = []
    for key in ids:
        head, lines, paid_rows = heads[key], lines_by[key], payments.get(key, [])
        begins = lines[0]["start"]
        live = head["status"] != "cancelled"
        money = owed((line["price"] for line in lines), ((p["amount"], p["status"]) for p in paid_rows),
                     live and begins < now)
        appointments.append(ScheduledAppointment(
            id=key, status=head["status"], start_at=begins, end_at=max(line["end"] for line in lines),
            patient_id=head["patient_id"], patient_name=head["patient_name"], phone=head["phone"],
            lines=[ScheduleLine(service_name=line["service_name"], provider_name=line["provider_name"],
                                start=line["start"], end=line["end"]) for line in lines],
            is_visit=live and begins < now, is_upcoming=live and begins >= now,
            list_amount=money.list_amount, paid_amount=money.paid_amount, amount_due=money.amount_due,
            is_paid=money.paid_amount > 0, payment_status=paid_rows[-1]["status"] if paid_rows else None,
        ))
    appointments.sort(key=lambda a: (a.start_at, a.id))
    upcoming = [a.id for a in appointments if a.is_upcoming] if day == as_of.day else []
    return Schedule(date=day, as_of=as_of.isoformat(), appointments=appointments,
                    next_arrival_id=upcoming[0] if upcoming else None)
