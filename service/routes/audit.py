"""The audit trail, for managers."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel

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
    """Newest first; filter by action or patient id."""
    where = "WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR patient_id = $2)"
    rows = await conn.fetch(
        f"SELECT id, at, actor, role, action, patient_id, row_count, client_addr, request_id "
        f"FROM audit_events {where} ORDER BY id DESC LIMIT $3 OFFSET $4",
        action, patient_id, limit, offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM audit_events {where}", action, patient_id)
    return AuditPage(events=[AuditEventOut(**dict(r)) for r in rows], total_rows=total)
