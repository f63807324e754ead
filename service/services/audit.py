"""Writing the audit trail from a request: who, which role, what, which patient id, from where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from fastapi import Request

from service.auth import store
from service.auth.principal import Principal


async def audit(
    request: Request,
    principal: Principal,
    action: str,
    *,
    patient_id: str | None = None,
    row_count: int | None = None,
    conn: asyncpg.Connection | None = None,
    detail: Mapping[str, Any] | None = None,
    suppressed_rows: int | None = None,
) -> None:
    """Append one audit row: on `conn` when the request holds one (pooled, in autocommit, as the connecting
    user: one INSERT, its own transaction), else in a short transaction of its own (the read path's
    transaction is read-only)."""
    client_addr = request.client.host if request.client else None
    request_id = getattr(request.state, "request_id", None)
    if conn is not None:
        await store.record_audit(conn, principal, action, patient_id=patient_id, row_count=row_count,
                                 client_addr=client_addr, request_id=request_id, detail=detail,
                                 suppressed_rows=suppressed_rows)
        return
    async with request.app.state.engine.begin() as held:
        raw = (await held.get_raw_connection()).driver_connection
        await store.record_audit(raw, principal, action, patient_id=patient_id, row_count=row_count,
                                 client_addr=client_addr, request_id=request_id, detail=detail,
                                 suppressed_rows=suppressed_rows)
