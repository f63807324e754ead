"""An independent reference model of the query contract, computed in plain Python over the six JSON files.

It shares nothing with the engine (no SQL, no catalog, no database): it reads the client's files
the way `docs/query-api.md` words them, so that a number agreeing with it has been computed twice
by two unrelated routes. It is deliberately slow and literal.

Vocabulary (from the contract):
- start(a) = earliest line start of an appointment; visit = not cancelled and start(a) on or
  before as_of (the whole day included); upcoming = not cancelled and start(a) after as_of.
- as_of = the date of the latest payment unless given.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
UNDER_18 = "<under 18>"  # the contract names no band below 18: compared as "whatever the engine calls it"


# --- records ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Patient:
    id: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: str
    source: str
    email: str
    phone: str
    address: str
    created_at: dt.datetime
    appointments: list[Appointment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


@dataclass(eq=False)
class Line:
    appointment: Appointment
    service_name: str
    price: int
    provider_name: str
    start: dt.datetime
    end: dt.datetime


@dataclass(eq=False)
class Appointment:
    id: str
    patient: Patient
    status: str
    created_at: dt.datetime
    lines: list[Line] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    @property
    def start_at(self) -> dt.datetime:
        return min(line.start for line in self.lines)

    @property
    def paid_payments(self) -> list[Payment]:
        return [p for p in self.payments if p.status == "paid"]


@dataclass(eq=False)
class Payment:
    id: str
    patient: Patient
    appointment: Appointment
    amount: int
    paid_at: dt.datetime
    method: str
    status: str


@dataclass(eq=False)
class LineShare:
    """A paid payment's share of one of its appointment's lines (the unit of `line_revenue`)."""

    payment: Payment
    line: Line

    @property
    def amount(self) -> Fraction:
        lines = self.payment.appointment.lines
        total = sum(line.price for line in lines)
        if total == 0:
            return Fraction(self.payment.amount, len(lines))
        return Fraction(self.payment.amount * self.line.price, total)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass
class Export:
    """The six files, linked. `Export.read(folder)`."""

    patients: list[Patient]
    appointments: list[Appointment]
    lines: list[Line]
    payments: list[Payment]

    @classmethod
    def read(cls, folder: Path) -> Export:
        def load(name: str) -> list[dict[str, Any]]:
            return json.loads((folder / f"{name}.json").read_text())  # type: ignore[no-any-return]

        patients = {
            r["id"]: Patient(
                id=r["id"], first_name=r["first_name"], last_name=r["last_name"],
                date_of_birth=_ts(r["date_of_birth"]).date(), gender=r["gender"], source=r["source"],
                email=r["email"], phone=r["phone"], address=r["address"], created_at=_ts(r["created_date"]),
            )
            for r in load("patient")
        }
        providers = {r["id"]: f"{r['first_name']} {r['last_name']}" for r in load("provider")}
        services = {r["id"]: (r["name"], int(r["price"])) for r in load("service")}
        appointments: dict[str, Appointment] = {}
        for r in load("appointment"):
            appointment = Appointment(
                id=r["id"], patient=patients[r["patient_id"]], status=r["status"], created_at=_ts(r["created_date"])
            )
            appointments[appointment.id] = appointment
            appointment.patient.appointments.append(appointment)
        lines = []
        for r in load("appointment_service"):
            name, price = services[r["service_id"]]
            line = Line(
                appointment=appointments[r["appointment_id"]], service_name=name, price=price,
                provider_name=providers[r["provider_id"]], start=_ts(r["start"]), end=_ts(r["end"]),
            )
            line.appointment.lines.append(line)
            lines.append(line)
        payments = []
        for r in load("payment"):
            payment = Payment(
                id=r["id"], patient=patients[r["patient_id"]], appointment=appointments[r["appointment_id"]],
                amount=int(r["amount"]), paid_at=_ts(r["date"]), method=r["method"], status=r["status"],
            )
            payment.appointment.payments.append(payment)
            payment.patient.payments.append(payment)
            payments.append(payment)
        return cls(list(patients.values()), list(appointments.values()), lines, payments)

    @property
    def default_as_of(self) -> dt.date:
        return max(p.paid_at for p in self.payments).date()


# --- the model at one as_of -------------------------------------------------------------------


def as_of_value(text: str) -> dt.date | dt.datetime:
    """meta.as_of as the API gives it: a date, or a moment `YYYY-MM-DDTHH:MM`."""
    return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    if age < 18:
        return UNDER_18
    for band in AGE_BANDS[:-1]:
        low, high = (int(x) for x in band.split("-"))
        if low <= age <= high:
            return band
    return "65+"


def bucket(moment: dt.datetime | dt.date, grain: str) -> dt.date:
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    raise ValueError(grain)


class LineLevel(Exception):
    """A line-level dimension asked of a fact that is not at line level."""


@dataclass(frozen=True)
class Measure:
    facts: str  # which fact set it aggregates (see Model.facts)
    default_time: str | None
    aggregate: Callable[[list[Any]], Any]
    additive: bool = False


def _patients_of(facts: Iterable[Any]) -> set[str]:
    return {fact_patient(f).id for f in facts}


def _ratio(num: Any, den: Any) -> Fraction | None:
    return Fraction(num) / den if den else None


def _returning(visits: list[Appointment]) -> Fraction | None:
    per_patient: dict[str, int] = defaultdict(int)
    for visit in visits:
        per_patient[visit.patient.id] += 1
    return _ratio(sum(1 for n in per_patient.values() if n >= 2), len(per_patient))


def _hours(line: Line) -> Fraction:
    return Fraction(int((line.end - line.start).total_seconds()), 3600)


MEASURES: dict[str, Measure] = {
    "revenue": Measure("paid_payments", "payment.paid_at", lambda fs: sum(p.amount for p in fs), True),
    "payment_count": Measure("paid_payments", "payment.paid_at", len, True),
    "average_ticket": Measure(
        "paid_payments", "payment.paid_at", lambda fs: _ratio(sum(p.amount for p in fs), len(fs))
    ),
    "line_revenue": Measure("line_shares", "appointment.start_at", lambda fs: sum(s.amount for s in fs), True),
    "appointment_count": Measure("appointments", "appointment.start_at", len, True),
    "cancellation_rate": Measure(
        "appointments", "appointment.start_at",
        lambda fs: _ratio(sum(1 for a in fs if a.status == "cancelled"), len(fs)),
    ),
    "visit_count": Measure("visits", "appointment.start_at", len, True),
    "service_line_count": Measure("lines", "appointment.start_at", len, True),
    "booked_hours": Measure("booked_lines", "appointment.start_at", lambda fs: sum(_hours(x) for x in fs), True),
    "patient_count": Measure("patients", None, len, True),
    "new_patient_count": Measure("first_visits", "patient.first_visit_at", len, True),
    "active_patient_count": Measure("visits", "appointment.start_at", lambda fs: len(_patients_of(fs))),
    "unpaid_visit_count": Measure("unpaid_visits", "appointment.start_at", len, True),
    "revenue_per_patient": Measure(
        "paid_payments", "payment.paid_at",
        lambda fs: _ratio(sum(p.amount for p in fs), len(_patients_of(fs))),
    ),
    "returning_patient_rate": Measure("visits", "appointment.start_at", _returning),
}


def fact_patient(fact: Any) -> Patient:
    if isinstance(fact, Patient):
        return fact
    if isinstance(fact, (Appointment, Payment)):
        return fact.patient
    if isinstance(fact, Line):
        return fact.appointment.patient
    if isinstance(fact, LineShare):
        return fact.payment.appointment.patient
    raise TypeError(fact)


class Model:
    """The export seen at one as_of: fact sets, per-patient attributes, and `compute()`."""

    def __init__(self, export: Export, as_of: dt.date | dt.datetime | None = None) -> None:
        """`as_of` a date (the whole day counts: a visit starts before the next midnight) or a moment (a visit
        starts at or before it; later appointments that day are upcoming), as the contract says."""
        self.export = export
        if isinstance(as_of, dt.datetime):
            self.as_of = as_of.date()
            self._end_of_as_of = as_of + dt.timedelta(microseconds=1)
        else:
            self.as_of = as_of or export.default_as_of
            self._end_of_as_of = dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time())
        self._patient_cache: dict[str, dict[str, Any]] = {}
        self.visits = [a for a in export.appointments if self.is_visit(a)]
        self._visits_by_patient: dict[str, list[Appointment]] = defaultdict(list)
        for visit in self.visits:
            self._visits_by_patient[visit.patient.id].append(visit)
        paid = [p for p in export.payments if p.status == "paid"]
        self.facts: dict[str, list[Any]] = {
            "paid_payments": paid,
            "line_shares": [LineShare(p, line) for p in paid for line in p.appointment.lines],
            "appointments": list(export.appointments),
            "visits": self.visits,
            "unpaid_visits": [v for v in self.visits if not v.paid_payments],
            "lines": list(export.lines),
            "booked_lines": [x for x in export.lines if x.appointment.status != "cancelled"],
            "patients": list(export.patients),
            "first_visits": [p for p in export.patients if self._visits_by_patient.get(p.id)],
        }

    def is_visit(self, a: Appointment) -> bool:
        return a.status != "cancelled" and a.start_at < self._end_of_as_of

    def is_upcoming(self, a: Appointment) -> bool:
        return a.status != "cancelled" and a.start_at >= self._end_of_as_of

    # per-patient attributes (the `patient.*` dimensions that depend on as_of)
    def patient_attributes(self, p: Patient) -> dict[str, Any]:
        cached = self._patient_cache.get(p.id)
        if cached is None:
            cached = self._patient_cache[p.id] = self._patient_attributes(p)
        return cached

    def _patient_attributes(self, p: Patient) -> dict[str, Any]:
        visits = sorted(self._visits_by_patient.get(p.id, []), key=lambda a: a.start_at)
        upcoming = sorted((a for a in p.appointments if self.is_upcoming(a)), key=lambda a: (a.start_at, a.id))
        age = age_on(p.date_of_birth, self.as_of)
        return {
            "patient.id": p.id,
            "patient.first_name": p.first_name,
            "patient.last_name": p.last_name,
            "patient.name": f"{p.first_name} {p.last_name}",
            "patient.email": p.email,
            "patient.phone": p.phone,
            "patient.address": p.address,
            "patient.date_of_birth": p.date_of_birth,
            "patient.gender": p.gender,
            "patient.source": p.source,
            "patient.age": age,
            "patient.age_band": age_band(age),
            "patient.created_at": p.created_at,
            "patient.visit_count": len(visits),
            "patient.lifetime_spend": sum(x.amount for x in p.payments if x.status == "paid"),
            "patient.unpaid_visit_count": sum(1 for v in visits if not v.paid_payments),
            "patient.first_visit_at": visits[0].start_at if visits else None,
            "patient.last_visit_at": visits[-1].start_at if visits else None,
            "patient.next_appointment_at": upcoming[0].start_at if upcoming else None,
        }

    def dimension(self, fact: Any, name: str) -> Any:
        """The value of dimension `name` for one fact, following the contract's joins."""
        entity, _, _attr = name.partition(".")
        if entity == "patient":
            return self.patient_attributes(fact_patient(fact))[name]
        appointment, line, payment = self._anchors(fact)
        if entity in ("service", "provider"):
            if line is None:
                raise LineLevel(name)
            return line.service_name if entity == "service" else line.provider_name
        if entity == "appointment":
            if appointment is None:
                raise LineLevel(name)
            return {
                "appointment.id": lambda: appointment.id,
                "appointment.status": lambda: appointment.status,
                "appointment.start_at": lambda: appointment.start_at,
                "appointment.created_at": lambda: appointment.created_at,
                "appointment.day_of_week": lambda: appointment.start_at.isoweekday(),
                "appointment.hour_of_day": lambda: appointment.start_at.hour,
                # the catalog's extras the query language tests aggregate (metrics.yaml's descriptions)
                "appointment.lead_time_days":
                    lambda: (appointment.start_at.date() - appointment.created_at.date()).days,
                "appointment.paid_amount": lambda: sum(p.amount for p in appointment.paid_payments),
            }[name]()
        if entity == "payment":
            if payment is None:
                raise LineLevel(name)
            return {"payment.method": payment.method, "payment.status": payment.status,
                    "payment.paid_at": payment.paid_at, "payment.amount": payment.amount}[name]
        if entity == "service_line":
            if line is None:
                raise LineLevel(name)
            return {"service_line.list_price": line.price}[name]
        raise KeyError(name)

    # --- rows of one entity, and the rows of a finer entity related to a fact (the query language's `match`)

    def rows(self, entity: str) -> list[Any]:
        """Every row of an entity: patients, appointments, lines (`service_line`) or payments (any status)."""
        return {"patient": self.export.patients, "appointment": self.export.appointments,
                "service_line": self.export.lines, "payment": self.export.payments}[entity]

    @staticmethod
    def related(fact: Any, entity: str) -> list[Any] | None:
        """The rows carrying `entity`'s dimensions that one fact has many of (a patient's appointments, an
        appointment's lines...); None when the fact has at most one (the dimension is the fact's own or coarser).
        Service and provider values live on lines."""
        line_level = entity in ("service", "provider", "service_line")
        if isinstance(fact, Patient):
            if entity == "appointment":
                return list(fact.appointments)
            if entity == "payment":
                return list(fact.payments)
            if line_level:
                return [line for a in fact.appointments for line in a.lines]
            return None
        appointment = fact if isinstance(fact, Appointment) else fact.appointment if isinstance(fact, Payment) \
            else None
        if appointment is not None and line_level:
            return list(appointment.lines)
        if isinstance(fact, Appointment) and entity == "payment":
            return list(fact.payments)
        return None

    @staticmethod
    def _anchors(fact: Any) -> tuple[Appointment | None, Line | None, Payment | None]:
        if isinstance(fact, Payment):
            return fact.appointment, None, fact
        if isinstance(fact, LineShare):
            return fact.payment.appointment, fact.line, fact.payment
        if isinstance(fact, Line):
            paid = fact.appointment.paid_payments
            return fact.appointment, fact, paid[0] if len(paid) == 1 else None
        if isinstance(fact, Appointment):
            paid = fact.paid_payments
            return fact, None, paid[0] if len(paid) == 1 else None
        return None, None, None

    def compute(
        self,
        measure: str,
        dimensions: Sequence[str] = (),
        *,
        grain: str | None = None,
        time_range: tuple[dt.date, dt.date] | None = None,
        time_dimension: str | None = None,
        where: Callable[[Callable[[str], Any]], bool] | None = None,
        keep: Callable[[Any], bool] | None = None,
    ) -> dict[tuple[Any, ...], Any]:
        """{(dimension values..., [bucket]): value} over the groups that have at least one fact.

        `where(get)` filters facts; `get(dimension_name)` reads a dimension of the fact; `keep(fact)` too.
        """
        spec = MEASURES[measure]
        groups = self.groups(spec.facts, dimensions, grain=grain, time_range=time_range,
                             time_dimension=time_dimension or spec.default_time, where=where, keep=keep)
        return {key: spec.aggregate(facts) for key, facts in groups.items()}

    def groups(
        self,
        facts: str,
        dimensions: Sequence[str] = (),
        *,
        grain: str | None = None,
        time_range: tuple[dt.date, dt.date] | None = None,
        time_dimension: str | None = None,
        where: Callable[[Callable[[str], Any]], bool] | None = None,
        keep: Callable[[Any], bool] | None = None,
        rows: list[Any] | None = None,
    ) -> dict[tuple[Any, ...], list[Any]]:
        """The facts of one fact set (`Model.facts`; or `rows`) per group, as `compute` groups them."""
        time_dim = time_dimension
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for fact in self.facts[facts] if rows is None else rows:
            def get(name: str, fact: Any = fact) -> Any:
                return self.dimension(fact, name)

            if where is not None and not where(get):
                continue
            if keep is not None and not keep(fact):
                continue
            key = tuple(get(d) for d in dimensions)
            if grain is not None or time_range is not None:
                assert time_dim is not None, f"{facts} have no time dimension"
                moment = get(time_dim)
                if moment is None:
                    continue
                if time_range is not None:
                    start, end = (dt.datetime.combine(d, dt.time()) for d in time_range)
                    if not start <= moment < end:
                        continue
                if grain is not None:
                    key = (*key, bucket(moment, grain))
            groups[key].append(fact)
        return groups

    def total(self, measure: str, **kwargs: Any) -> Any:
        return self.compute(measure, **kwargs).get((), 0 if MEASURES[measure].additive else None)
