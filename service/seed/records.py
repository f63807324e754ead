"""The client's six record shapes, as pydantic v2 validators of the dicts that ijson yields.

Strict where the export is strict: ids are strings with their kind's prefix, money and durations
are JSON integers (never floats, strings or booleans), datetimes are naive ISO text, enumerations
come from `models.py`, and every field is required with no extra ones. Each shape is a TypedDict so
that a whole batch validates in one call into pydantic-core and comes out as plain dicts, ready to
be turned into COPY rows by an `itemgetter` (no model instances per record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Annotated, Any

from pydantic import ConfigDict, GetPydanticSchema, TypeAdapter
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs
from typing_extensions import TypedDict

from models import (
    APPOINTMENT_STATUSES,
    GENDERS,
    PAYMENT_METHODS,
    PAYMENT_STATUSES,
    SOURCES,
    Patient,
)

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
ID_MAX_LENGTH = 64  # String(64) in models.py
PHONE_MAX_LENGTH: int = getattr(Patient.__table__.c["phone"].type, "length")  # noqa: B009

_DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
_BIRTH_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00$"


def _schema(schema: CoreSchema) -> GetPydanticSchema:
    return GetPydanticSchema(lambda _source, _handler: schema)


def _explained(schema: CoreSchema, error_type: str, message: str) -> GetPydanticSchema:
    """`schema` whose every failure reports `message` instead of pydantic's generic wording."""
    return _schema(cs.custom_error_schema(schema, custom_error_type=error_type, custom_error_message=message))


def _id(prefix: str) -> GetPydanticSchema:
    pattern = rf"^{prefix}_[A-Za-z0-9_-]+$"
    return _explained(
        cs.str_schema(strict=True, pattern=pattern, max_length=ID_MAX_LENGTH),
        "id_format",
        f"expected an id like '{prefix}_…' (letters, digits, '_' or '-'; at most {ID_MAX_LENGTH} characters)",
    )


def _one_of(values: tuple[str, ...]) -> GetPydanticSchema:
    return _schema(cs.literal_schema(list(values)))


# A naive clinic-local timestamp; the text format is checked first so that numbers (which
# pydantic would read as Unix time) and offsets never get through.
NaiveDatetime = Annotated[
    dt.datetime,
    _explained(
        cs.chain_schema([cs.str_schema(strict=True, pattern=_DATETIME_PATTERN), cs.datetime_schema()]),
        "datetime_format",
        "expected a naive ISO datetime like '2025-03-17T11:15:00' (optionally with microseconds)",
    ),
]
BirthDate = Annotated[
    dt.date,
    _explained(
        cs.chain_schema([cs.str_schema(strict=True, pattern=_BIRTH_DATE_PATTERN), cs.date_schema()]),
        "date_format",
        "expected a date written as 'YYYY-MM-DDT00:00:00'",
    ),
]
Text = Annotated[str, _schema(cs.str_schema(strict=True))]
Phone = Annotated[str, _schema(cs.str_schema(strict=True, max_length=PHONE_MAX_LENGTH))]
Cents32 = Annotated[int, _schema(cs.int_schema(strict=True, ge=0, le=INT32_MAX))]
Cents64 = Annotated[int, _schema(cs.int_schema(strict=True, ge=0, le=INT64_MAX))]
Minutes = Annotated[int, _schema(cs.int_schema(strict=True, gt=0, le=INT32_MAX))]

PatientId = Annotated[str, _id("pat")]
ProviderId = Annotated[str, _id("prv")]
ServiceId = Annotated[str, _id("svc")]
AppointmentId = Annotated[str, _id("apt")]
PaymentId = Annotated[str, _id("pay")]
Gender = Annotated[str, _one_of(GENDERS)]
Source = Annotated[str, _one_of(SOURCES)]
AppointmentStatus = Annotated[str, _one_of(APPOINTMENT_STATUSES)]
PaymentMethod = Annotated[str, _one_of(PAYMENT_METHODS)]
PaymentStatus = Annotated[str, _one_of(PAYMENT_STATUSES)]

_FORBID_EXTRA = ConfigDict(extra="forbid")


class ProviderRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    id: ProviderId
    first_name: Text
    last_name: Text
    email: Text
    phone: Phone
    created_date: NaiveDatetime


class ServiceRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    id: ServiceId
    name: Text
    description: Text
    price: Cents32
    duration: Minutes
    created_date: NaiveDatetime


class PatientRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    id: PatientId
    first_name: Text
    last_name: Text
    date_of_birth: BirthDate
    gender: Gender
    source: Source
    address: Text
    phone: Phone
    email: Text
    created_date: NaiveDatetime


class AppointmentRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    id: AppointmentId
    patient_id: PatientId
    status: AppointmentStatus
    created_date: NaiveDatetime


class AppointmentServiceRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    appointment_id: AppointmentId
    service_id: ServiceId
    provider_id: ProviderId
    start: NaiveDatetime
    end: NaiveDatetime


class PaymentRecord(TypedDict):
    __pydantic_config__ = _FORBID_EXTRA  # type: ignore[misc]
    id: PaymentId
    patient_id: PatientId
    amount: Cents64
    date: NaiveDatetime
    method: PaymentMethod
    status: PaymentStatus
    provider_id: ProviderId
    appointment_id: AppointmentId
    service_id: ServiceId
    created_date: NaiveDatetime


Row = tuple[Any, ...]


@dataclass(frozen=True)
class RecordKind:
    """One export file: its record shape, the table it loads into and the COPY column order."""

    file: str
    table: str
    shape: type[Any]
    # (later, earlier): a field that must be strictly greater than another of the same record.
    after: tuple[str, str] | None = None
    columns: tuple[str, ...] = field(init=False)
    batch: TypeAdapter[list[dict[str, Any]]] = field(init=False, repr=False)
    one: TypeAdapter[dict[str, Any]] = field(init=False, repr=False)
    to_row: Callable[[dict[str, Any]], Row] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        columns = tuple(self.shape.__annotations__)
        set_ = object.__setattr__
        set_(self, "columns", columns)
        set_(self, "batch", TypeAdapter(list[self.shape]))  # type: ignore[name-defined]
        set_(self, "one", TypeAdapter(self.shape))
        set_(self, "to_row", itemgetter(*columns))

    @property
    def id_column(self) -> str | None:
        return "id" if "id" in self.columns else None


# In load order: every file refers only to files before it.
KINDS: tuple[RecordKind, ...] = (
    RecordKind("provider.json", "providers", ProviderRecord),
    RecordKind("service.json", "services", ServiceRecord),
    RecordKind("patient.json", "patients", PatientRecord),
    RecordKind("appointment.json", "appointments", AppointmentRecord),
    RecordKind(
        "appointment_service.json", "appointment_services", AppointmentServiceRecord, after=("end", "start"),
    ),
    RecordKind("payment.json", "payments", PaymentRecord),
)
