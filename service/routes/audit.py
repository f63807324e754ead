"""The audit trail, for managers."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.auth.deps import ManagerDep
from service.deps import RawConnectionDep
from service.schemas.errors import ErrorBody

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    patient_id: str | None
    patient_name: str | None = Field(default=None, description="The patient's name, for a manager reading the trail.")
    row_count: int | None
    client_addr: str | None
    request_id: str | None


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    total_rows: int


@router.get("", response_model=AuditPage, responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
async def list_audit_events(
    _: ManagerDep,
    conn: RawConnectionDep,
    action: str | None = Query(default=None, max_length=32),
    patient_id: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> AuditPage:
    """Newest first, with the patient's name where an event names one; filter by action or patient id."""
    where = "WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR patient_id = $2)"
    rows = await conn.fetch(
        f"SELECT e.id, e.at, e.actor, e.role, e.action, e.patient_id, "
        f"p.first_name || ' ' || p.last_name AS patient_name, e.row_count, e.client_addr, e.request_id "
        f"FROM (SELECT * FROM audit_events {where} ORDER BY id DESC LIMIT $3 OFFSET $4) AS e "
        f"LEFT JOIN patients p ON p.id = e.patient_id ORDER BY e.id DESC",
        action, patient_id, limit, offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM audit_events {where}", action, patient_id)
    return AuditPage(events=[AuditEventOut(**dict(r)) for r in rows], total_rows=total)
