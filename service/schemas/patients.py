"""Response shapes of `GET /api/patients/{id}` (documented in /openapi.json, typed in the UI)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class PatientOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    name: str
    date_of_birth: dt.date
    age: int = Field(description="Age on as_of.")
    gender: str
    source: str = Field(description="Acquisition source.")
    address: str
    phone: str
    email: str
    created_at: dt.datetime = Field(description="When the record was made (not when the patient arrived).")


class PatientStats(BaseModel):
    lifetime_spend: int = Field(description="Sum of paid payments, cents.")
    visit_count: int
    average_ticket: int | None = Field(description="Lifetime spend / paid payments, cents.")
    first_visit_at: dt.datetime | None
    last_visit_at: dt.datetime | None
    next_appointment_at: dt.datetime | None
    unpaid_visit_count: int = Field(description="Visits with no paid payment.")
    balance_due: int = Field(description="What the patient owes, cents: the sum of their visits' amount_due.")


class LineOut(BaseModel):
    service_name: str
    provider_name: str
    start: dt.datetime
    end: dt.datetime
    list_price: int = Field(description="The service's list price, cents.")


class PaymentOut(BaseModel):
    id: str
    amount: int
    method: str
    status: str
    date: dt.datetime


class AppointmentOut(BaseModel):
    id: str
    status: str
    start_at: dt.datetime
    end_at: dt.datetime
    is_visit: bool
    is_upcoming: bool
    lines: list[LineOut]
    payment: PaymentOut | None = Field(description="Its latest payment, whatever its status.")
    list_amount: int = Field(description="The list prices of its lines, cents.")
    paid_amount: int = Field(description="Its paid payments, cents (pending and failed ones pay nothing).")
    amount_due: int | None = Field(description="A visit's list amount minus paid, never below 0, cents; null for "
                                               "an appointment that is not a visit (upcoming, cancelled).")
    is_paid: bool = Field(description="Has a paid payment.")


class PatientRecord(BaseModel):
    patient: PatientOut
    stats: PatientStats
    appointments: list[AppointmentOut] = Field(description="Newest first.")
    as_of: str = Field(description="A date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM).")
