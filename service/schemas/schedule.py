"""Response shape of `GET /api/schedule`: the front desk's day (documented in /openapi.json, typed in the UI)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ScheduleLine(BaseModel):
    service_name: str
    provider_name: str
    start: dt.datetime
    end: dt.datetime


class ScheduledAppointment(BaseModel):
    id: str
    status: str = Field(description="pending, confirmed or cancelled.")
    start_at: dt.datetime = Field(description="start(a): the earliest start of its lines.")
    end_at: dt.datetime = Field(description="end(a): the latest end of its lines.")
    patient_id: str
    patient_name: str
    phone: str = Field(description="As stored (the UI formats it).")
    lines: list[ScheduleLine] = Field(description="In time order.")
    is_visit: bool = Field(description="Not cancelled and started at or before as_of.")
    is_upcoming: bool = Field(description="Not cancelled and starting after as_of.")
    list_amount: int = Field(description="The list prices of its lines, cents.")
    paid_amount: int = Field(description="Its paid payments, cents.")
    amount_due: int | None = Field(description="A visit's list amount minus paid, never below 0, cents; null for "
                                               "an appointment that is not a visit.")
    is_paid: bool = Field(description="Has a paid payment.")
    payment_status: str | None = Field(description="Its latest payment's status (paid, pending, failed), if any.")


class Schedule(BaseModel):
    date: dt.date
    as_of: str = Field(description="The data's as_of: a date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM).")
    appointments: list[ScheduledAppointment] = Field(description="In time order (start, then id).")
    next_arrival_id: str | None = Field(
        description="On as_of's own day: the first appointment still to come (not cancelled, after as_of).")
