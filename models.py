"""The relational model of Beauty Med Spa's data: the one source of the schema.

Six record kinds from the client's export, keyed by the client's own ids, plus the
product's own tables (load bookkeeping and per-patient summaries). Alembic autogenerates
migrations from ``Base.metadata``; nothing else declares tables.

Money is integer cents, datetimes are naive clinic-local timestamps, as in the export.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The client's enumerations. The loader's record shapes and the CHECK constraints both read these.
GENDERS = ("female", "male", "other")
SOURCES = ("instagram", "google", "tiktok", "website", "phone", "in_person")
APPOINTMENT_STATUSES = ("pending", "confirmed", "cancelled")
PAYMENT_METHODS = ("cash", "credit_card", "debit_card", "check")
PAYMENT_STATUSES = ("paid", "pending", "failed")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(Text)
    created_date: Mapped[dt.datetime] = mapped_column(DateTime)
    # Derived by the database so that search never scans formatted text row by row.
    search_text: Mapped[str] = mapped_column(
        Text, Computed("lower(first_name || ' ' || last_name || ' ' || email)", persisted=True)
    )
    phone_digits: Mapped[str] = mapped_column(
        Text, Computed("regexp_replace(phone, '[^0-9]', '', 'g')", persisted=True)
    )

    __table_args__ = (
        CheckConstraint(_one_of("gender", GENDERS), name="gender"),
        CheckConstraint(_one_of("source", SOURCES), name="source"),
        CheckConstraint("id LIKE 'pat\\_%'", name="id_prefix"),
        # Sorting and looking up patients by name is the front desk's most common action.
        Index("ix_patients_name", "last_name", "first_name", "id"),
        Index("ix_patients_created_date", "created_date"),
        Index("ix_patients_source", "source"),
        Index(
            "ix_patients_search_text_trgm", "search_text",
            postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index(
            "ix_patients_phone_digits_trgm", "phone_digits",
            postgresql_using="gin", postgresql_ops={"phone_digits": "gin_trgm_ops"},
        ),
    )


# Z to A by name (ties by id ascending, as every sort): the reverse walk of ix_patients_name would put the
# ties in descending id order, so this order has its own index.
Index("ix_patients_name_desc", Patient.last_name.desc().nulls_last(), Patient.first_name.desc().nulls_last(),
      Patient.id)


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    created_date: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("id LIKE 'prv\\_%'", name="id_prefix"),)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text)
    price: Mapped[int] = mapped_column(Integer)
    duration: Mapped[int] = mapped_column(Integer)
    created_date: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonnegative"),
        CheckConstraint("duration > 0", name="duration_positive"),
        CheckConstraint("id LIKE 'svc\\_%'", name="id_prefix"),
    )


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    status: Mapped[str] = mapped_column(String(16))
    created_date: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(_one_of("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint("id LIKE 'apt\\_%'", name="id_prefix"),
        Index("ix_appointments_patient_id", "patient_id"),
        Index("ix_appointments_created_date", "created_date"),
    )


class AppointmentService(Base):
    """One booked service inside an appointment; the export gives it no id, so it gets a surrogate."""

    __tablename__ = "appointment_services"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint('"end" > start', name="end_after_start"),
        Index("ix_appointment_services_appointment_id", "appointment_id"),
        Index("ix_appointment_services_service_id", "service_id"),
        Index("ix_appointment_services_provider_id", "provider_id"),
        Index("ix_appointment_services_start", "start"),
    )


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[dt.datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # The export names only the primary line's provider and service.
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    created_date: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        CheckConstraint(_one_of("method", PAYMENT_METHODS), name="method"),
        CheckConstraint(_one_of("status", PAYMENT_STATUSES), name="status"),
        CheckConstraint("id LIKE 'pay\\_%'", name="id_prefix"),
        Index("ix_payments_patient_id", "patient_id"),
        Index("ix_payments_appointment_id", "appointment_id"),
        Index("ix_payments_date", "date"),
    )


class DataLoad(Base):
    """One row per successful load: its version keys caches, its as_of anchors relative ranges."""

    __tablename__ = "data_loads"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=text("now()"))
    source_dir: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    # set when as_of is a moment (a manifest's, semantic/asof.py): its time of day on the as_of date
    as_of_time: Mapped[dt.time | None] = mapped_column(Time)
    row_counts: Mapped[str] = mapped_column(Text)  # JSON text: {"patients": 4000, ...}
    # fingerprint of the catalog whose materializations this load built (pre-aggregations, chains, bridges);
    # queries read them only when their catalog is that one, so an edited metrics.yaml never reads relations
    # built from the old one. The pre-aggregations' own tables (preagg_<name>) are typed from the catalog and
    # made by the loader (service/seed/materialized.py), not here.
    built_from: Mapped[str | None] = mapped_column(String(64))


class PatientSummary(Base):
    """Per-patient facts as of the data's as_of, rebuilt by the loader after every load.

    The semantic layer owns the definition (it generates the INSERT ... SELECT), so the numbers
    here are exactly the ones a query computes inline for any other as_of.
    """

    __tablename__ = "patient_summary"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    as_of_time: Mapped[dt.time | None] = mapped_column(Time)  # as_of's time of day when it is a moment
    visit_count: Mapped[int] = mapped_column(Integer)
    lifetime_spend: Mapped[int] = mapped_column(BigInteger)
    paid_payment_count: Mapped[int] = mapped_column(Integer)
    unpaid_visit_count: Mapped[int] = mapped_column(Integer)
    balance_due: Mapped[int] = mapped_column(BigInteger)
    first_visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_visit_service: Mapped[str | None] = mapped_column(Text)
    next_appointment_id: Mapped[str | None] = mapped_column(String(64))
    next_appointment_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_appointment_service: Mapped[str | None] = mapped_column(Text)
    next_appointment_provider: Mapped[str | None] = mapped_column(Text)
    next_appointment_status: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_patient_summary_lifetime_spend", "lifetime_spend", "patient_id"),
        Index("ix_patient_summary_last_visit_at", "last_visit_at", "patient_id"),
        Index("ix_patient_summary_next_appointment_at", "next_appointment_at", "patient_id"),
        Index("ix_patient_summary_first_visit_at", "first_visit_at", "patient_id"),
        Index("ix_patient_summary_visit_count", "visit_count", "patient_id"),
        # The quick views "lapsed" (a last visit before a date) and "never booked" (no first visit) both
        # want patients with nothing upcoming: their counts read this index alone.
        Index("ix_patient_summary_unbooked", "last_visit_at", "first_visit_at",
              postgresql_where=text("next_appointment_at IS NULL")),
    )


# The patient table sorts by each of these facts both ways, ties broken by patient_id ascending. An index
# serves one exact order (those above are ASC NULLS LAST, the default), so each descending sort gets its own:
# a page, however deep, is then a walk along an index instead of a sort of every patient.
Index("ix_patient_summary_lifetime_spend_desc", PatientSummary.lifetime_spend.desc().nulls_last(),
      PatientSummary.patient_id)
Index("ix_patient_summary_last_visit_at_desc", PatientSummary.last_visit_at.desc().nulls_last(),
      PatientSummary.patient_id)
Index("ix_patient_summary_next_appointment_at_desc", PatientSummary.next_appointment_at.desc().nulls_last(),
      PatientSummary.patient_id)
Index("ix_patient_summary_first_visit_at_desc", PatientSummary.first_visit_at.desc().nulls_last(),
      PatientSummary.patient_id)
Index("ix_patient_summary_visit_count_desc", PatientSummary.visit_count.desc().nulls_last(),
      PatientSummary.patient_id)
Index("ix_patient_summary_unpaid_visit_count_desc", PatientSummary.unpaid_visit_count.desc().nulls_last(),
      PatientSummary.patient_id)


class AppointmentSummary(Base):
    """Per-appointment facts (start, end, paid amount) as of the data's as_of, rebuilt with patient_summary.

    `appointment.start_at` is a rollup over every service line; stored here (indexed) a dashboard's date
    range is an index range instead of a GROUP BY over all lines per query.
    """

    __tablename__ = "appointment_summary"

    appointment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    as_of_time: Mapped[dt.time | None] = mapped_column(Time)  # as_of's time of day when it is a moment
    start_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paid_amount: Mapped[int] = mapped_column(BigInteger)
    amount_due: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_appointment_summary_start_at", "start_at", "appointment_id"),)


class ServiceLineSummary(Base):
    """Each service line's share of its appointment's paid amount (`service_line.allocated_revenue`).

    The allocation is a window over every line of every appointment; stored, `line_revenue` is a plain sum.
    """

    __tablename__ = "service_line_summary"

    line_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    as_of: Mapped[dt.date] = mapped_column(Date)
    as_of_time: Mapped[dt.time | None] = mapped_column(Time)  # as_of's time of day when it is a moment
    allocated_revenue: Mapped[int] = mapped_column(BigInteger)


class ChainRow(Base):
    """Each row a distinct count counts (the catalog's chains), with its value's previous such rows' times.

    Filled after each load (by the same definitions a query uses), in time order. "Patients with at least
    k visits in the range" is the number of rows in the range whose (k-1)-th previous row is in it and
    whose k-th is not: one range scan that counts, where grouping every visit per patient hashes them all.
    """

    __tablename__ = "chain_rows"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    value: Mapped[str] = mapped_column(Text)
    prev1: Mapped[dt.datetime | None] = mapped_column(DateTime)
    prev2: Mapped[dt.datetime | None] = mapped_column(DateTime)
    d0: Mapped[str | None] = mapped_column(Text)  # the chain's dimensions (attributes of the value), as text
    d1: Mapped[str | None] = mapped_column(Text)

    # rows are written in time order: a block range index finds a range's blocks, and building it is instant
    __table_args__ = (Index("ix_chain_rows_chain_at", "chain", "at", postgresql_using="brin",
                            postgresql_with={"pages_per_range": 32}),)


class BridgeRow(Base):
    """Each (source, target) pair a bridge links (the catalog's `bridges:`): a patient and a service they had.

    Rebuilt after each load. The patient table filtered by service counts its patients from one range of
    the primary key (bridge, target) instead of joining every appointment and service line.
    """

    __tablename__ = "bridge_rows"

    bridge: Mapped[str] = mapped_column(String(64), primary_key=True)
    target: Mapped[str] = mapped_column(Text, primary_key=True)  # the target's key, as text
    key: Mapped[str] = mapped_column(Text, primary_key=True)  # the source's key, as text


# --- access control and audit ----------------------------------------------------------------------

ROLES = ("front_desk", "manager", "agent")
AUDIT_ACTIONS = ("view_patient", "search_patients", "list_patients", "export_patients", "login", "logout",
                 "login_failed", "agent_query", "view_schedule")


class User(Base):
    """A staff member who signs in to the dashboard."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    disabled: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    __table_args__ = (CheckConstraint(_one_of("role", ("front_desk", "manager")), name="role"),)


class UserSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_user_sessions_user_id", "user_id"),)


class ApiKey(Base):
    """A key for a program (the AI agent). Only a hash of the key is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings, never enough to use the key
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)


class AuditEvent(Base):
    """Append-only trail of looks at patient data. Never holds search text or patient details.

    A trigger (see the migration) refuses UPDATE and DELETE, so rows can only be added.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    actor: Mapped[str] = mapped_column(String(64))  # username or "key:<name>"
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int | None] = mapped_column(Integer)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # an agent's query, whole (and the error code when it was refused): what a language model was shown
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    suppressed_rows: Mapped[int | None] = mapped_column(Integer)  # rows left out by small-group suppression

    __table_args__ = (
        CheckConstraint(_one_of("action", AUDIT_ACTIONS), name="action"),
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_patient_id", "patient_id"),
        Index("ix_audit_events_actor_at", "actor", "at"),  # an agent key's last hour (the differencing check)
    )
