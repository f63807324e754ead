"""The front desk's patient record and patient export (staff only; every look is audited)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from semantic import Query
from service.auth.deps import StaffDep
from service.deps import EngineDep, ReaderConnectionDep, SettingsDep
from service.errors_http import ApiError
from service.schemas.errors import ErrorBody
from service.schemas.patients import PatientRecord
from service.services.audit import audit
from service.services.patient_record import fetch_patient_record, fetch_patient_stats
from service.services.query import catalog_for, data_state, resolve_as_of, run_query, scope_for
from service.services.query_models import Column
from service.settings import Settings

router = APIRouter(prefix="/api/patients", tags=["patients"])

MAX_PATIENT_ID_CHARS = 64  # ids are `pat_` and a few characters; anything longer is no patient's

# A cell starting with one of these is run as a formula by spreadsheets: it is prefixed with ' (as the UI does).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@router.post(
    "/export", response_class=StreamingResponse,
    responses={
        200: {"description": "Every matching row as CSV (RFC 4180, UTF-8, CRLF); the header row holds the "
                             "members' labels.", "content": {"text/csv": {"schema": {"type": "string"}}}},
        400: {"model": ErrorBody, "description": "Not a patient listing (measures, non-patient columns), or "
                                                 "refused by the query engine (unknown_member, forbidden_member, "
                                                 "...)."},
        401: {"model": ErrorBody}, 403: {"model": ErrorBody},
        422: {"model": ErrorBody, "description": "The body is not a query."},
        503: {"model": ErrorBody, "description": "The database is unavailable (retryable)."},
    },
)
async def export_patients(body: Query, request: Request, principal: StaffDep, engine: EngineDep,
                          settings: SettingsDep) -> StreamingResponse:
    """Download a patient listing as CSV: the same body as POST /api/query (dimensions, filters, order; no
    measures), every matching row whatever `limit`/`offset` say, fetched in pages of up to 10,000 rows.
    Audited as `export_patients` with the row count (never the filters or search text)."""
    _check_listing(body, settings)
    scope = scope_for(principal.role)
    page_rows = settings.export_page_rows
    first = await run_query(engine, settings, _page(body, 0, page_rows), scope)
    total = first.total_rows
    await audit(request, principal, "export_patients", row_count=total)
    columns = list(first.columns)

    async def stream() -> AsyncIterator[bytes]:
        yield _csv_lines([[_header(c) for c in columns]])
        rows, offset = first.rows, 0
        while True:
            yield _csv_lines(_cells(columns, rows))
            offset += page_rows
            if len(rows) < page_rows or offset >= total:
                return
            rows = (await run_query(engine, settings, _page(body, offset, page_rows), scope)).rows
            if not rows:
                return

    filename = f"patients-{first.meta.as_of[:10]}.csv"
    return StreamingResponse(stream(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{filename}"', "x-total-rows": str(total)})


def _check_listing(body: Query, settings: Settings) -> None:
    """An export is a patient listing: dimensions only, every one a patient attribute."""
    if body.measures:
        raise ApiError(400, "invalid_query", f"an export lists patients (dimensions only); {body.measures[0]!r} "
                       "is a measure: run it with POST /api/query", path="measures[0]")
    if body.having:
        raise ApiError(400, "invalid_query", "an export lists patients; `having` filters measures",
                       path="having[0]")
    if not body.dimensions:
        raise ApiError(400, "invalid_query", "an export needs the columns to list in `dimensions`",
                       path="dimensions", suggestions=["patient.id", "patient.name"])
    catalog = catalog_for(settings)
    for i, name in enumerate(body.dimensions):
        dimension = catalog.dimensions.get(name)
        if dimension is not None and dimension.entity != "patient":
            raise ApiError(400, "invalid_query", f"an export lists patients; {name!r} is not a patient attribute",
                           path=f"dimensions[{i}]")


def _page(body: Query, offset: int, rows: int) -> Query:
    """One page of the export: every matching row, so a cursor the body carries does not apply."""
    return body.model_copy(update={"limit": rows, "offset": offset, "after": None, "before": None})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return str(value)


def _header(column: Column) -> str:
    return f"{column.label} (USD)" if column.unit == "cents" else column.label


def _cell(column: Column, value: object) -> str:
    """Money as dollars with cents (a spreadsheet's reader expects $1,082.93 as 1082.93, not 108293)."""
    if column.unit == "cents" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value / 100:.2f}"
    return _text(value)


def _cells(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [[_cell(column, row.get(column.name)) for column in columns] for row in rows]


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


@router.get(
    "/{patient_id}", response_model=PatientRecord,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
async def get_patient(
    patient_id: str, request: Request, principal: StaffDep, conn: ReaderConnectionDep, engine: EngineDep,
    settings: SettingsDep,
) -> PatientRecord:
    if len(patient_id) > MAX_PATIENT_ID_CHARS:  # no patient has such an id; nothing to look up
        raise ApiError(404, "not_found", "no patient with that id", path="patient_id")
    as_of, _ = resolve_as_of(None, settings, await data_state(conn))  # the engine's as_of, not a second one
    stats = await fetch_patient_stats(engine, settings, scope_for(principal.role), patient_id, as_of)
    record = await fetch_patient_record(conn, patient_id, as_of, stats) if stats else None
    if record is None:
        raise ApiError(404, "not_found", "no patient with that id", path="patient_id")
    await audit(request, principal, "view_patient", patient_id=record.patient.id)
    return record
