"""Writing the audit trail from a request: who, which role, what, which patient id, from where."""

from __future__ import annotations

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
) -> None:
    """Append one audit row in its own short transaction (the read path's transaction is read-only)."""
    async with request.app.state.engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await store.record_audit(
            raw, principal, action, patient_id=patient_id, row_count=row_count,
            client_addr=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )
