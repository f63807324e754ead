"""The front desk's patient record."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.deps import RawConnectionDep, SettingsDep
from service.schemas.errors import ErrorBody
from service.schemas.patients import PatientRecord
from service.services.as_of import resolve_as_of
from service.services.patient_record import fetch_patient_record

router = APIRouter(prefix="/api/patients", tags=["patients"])


@router.get("/{patient_id}", response_model=PatientRecord, responses={404: {"model": ErrorBody}})
async def get_patient(patient_id: str, conn: RawConnectionDep, settings: SettingsDep) -> PatientRecord | JSONResponse:
    as_of = await resolve_as_of(conn, settings)
    record = await fetch_patient_record(conn, patient_id, as_of)
    if record is None:
        return JSONResponse(
            status_code=404,
            content={"error": {"code": "not_found", "message": f"no patient with id '{patient_id}'",
                               "path": "patient_id", "suggestions": []}},
        )
    return record
