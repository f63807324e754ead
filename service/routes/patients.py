"""The front desk's patient record (staff only; every look is audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.auth.deps import StaffDep
from service.deps import RawConnectionDep, SettingsDep
from service.errors_http import ApiError
from service.schemas.errors import ErrorBody
from service.schemas.patients import PatientRecord
from service.services.as_of import resolve_as_of
from service.services.audit import audit
from service.services.patient_record import fetch_patient_record

router = APIRouter(prefix="/api/patients", tags=["patients"])


@router.get(
    "/{patient_id}", response_model=PatientRecord,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
async def get_patient(
    patient_id: str, request: Request, principal: StaffDep, conn: RawConnectionDep, settings: SettingsDep
) -> PatientRecord:
    as_of = await resolve_as_of(conn, settings)
    record = await fetch_patient_record(conn, patient_id, as_of)
    if record is None:
        raise ApiError(404, "not_found", "no patient with that id", path="patient_id")
    await audit(request, principal, "view_patient", patient_id=record.patient.id)
    return record
