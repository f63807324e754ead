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
    unpaid_visit_count: int


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
    payment: PaymentOut | None


class PatientRecord(BaseModel):
    patient: PatientOut
    stats: PatientStats
    appointments: list[AppointmentOut] = Field(description="Newest first.")
    as_of: dt.date
