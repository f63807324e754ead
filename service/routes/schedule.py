"""The front desk's day (staff only; every look is audited as `view_schedule`)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request

from service.auth.deps import StaffDep
from service.deps import ReaderConnectionDep, SettingsDep
from service.schemas.errors import ErrorBody
from service.schemas.schedule import Schedule
from service.services.audit import audit
from service.services.query import data_state, resolve_as_of
from service.services.schedule import fetch_schedule

router = APIRouter(prefix="/api/schedule", tags=["schedule"])


@router.get("", response_model=Schedule,
            responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def get_schedule(
    request: Request, principal: StaffDep, conn: ReaderConnectionDep, settings: SettingsDep,
    date: dt.date | None = Query(default=None, description="The day (YYYY-MM-DD); default: as_of's day."),
) -> Schedule:
    """One day's appointments in time order: patient, phone, lines (service, provider, times), status, what a
    visit still owes and whether it is paid, and the next arrival on as_of's own day."""
    as_of, _ = resolve_as_of(None, settings, await data_state(conn))  # the engine's as_of, not a second one
    schedule = await fetch_schedule(conn, date or as_of.day, as_of)
    await audit(request, principal, "view_schedule", row_count=len(schedule.appointments))
    return schedule
