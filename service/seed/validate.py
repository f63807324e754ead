"""Checking records: their shapes (pydantic) and the references between the six files.

Every problem becomes an `Issue` naming the file, the record's index in the file's JSON array
(counted from 0, as `jq '.[17]'` does), the record's id and the field. Messages echo a
field's value only for ids, enumerations, numbers and timestamps: never a patient's personal data.

The cross-file checks keep only what later files refer to: sets of ids (and, for appointments,
the patient each belongs to). A batch is first checked with set operations that run in C; only a
batch that fails is walked record by record to say which record and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import gt, itemgetter
from typing import Any

from pydantic import ValidationError

from service.seed.records import RecordKind, Row

# Fields whose values may appear in messages (identifiers, enumerations, amounts, timestamps).
_ECHOED_FIELDS = frozenset({
    "id", "patient_id", "provider_id", "service_id", "appointment_id",
    "status", "method", "source", "amount", "price", "duration", "date", "created_date", "start", "end",
})
_ECHO_LIMIT = 70


class LoadError(Exception):
    """A load refused or failed; nothing was committed. `str(err)` is the message for the user."""

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.issues = tuple(issues)

    @classmethod
    def from_issues(cls, issues: Sequence[Issue], *, more: bool = False) -> LoadError:
        lines = [str(issue) for issue in issues]
        if more:
            lines.append(f"(stopped after the first {len(issues)} problems)")
        return cls("\n".join(lines), issues)


@dataclass(frozen=True)
class Issue:
    file: str
    message: str
    index: int | None = None  # the record's position in the file's array
    label: str | None = None  # "id pat_…" or, for lines without an id, "appointment apt_…"
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.index is not None:
            where += f", record {self.index}"
            if self.label:
                where += f" ({self.label})"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


def echo(field: str, value: Any) -> str:
    """` (got …)` for fields that are safe to show, else nothing."""
    if field not in _ECHOED_FIELDS:
        return ""
    text = repr(value)
    return f" (got {text[:_ECHO_LIMIT]}{'…' if len(text) > _ECHO_LIMIT else ''})"


def label(kind: RecordKind, record: Any) -> str | None:
    """How a message names a record besides its index: its id, or a line's appointment."""
    if not isinstance(record, dict):
        return None
    key = kind.id_column or "appointment_id"
    value = record.get(key)
    if not isinstance(value, str):
        return None
    value = value[:_ECHO_LIMIT]
    return f"id {value}" if key == "id" else f"appointment {value}"


# --- shapes -------------------------------------------------------------------------------------


def shape_issues(kind: RecordKind, records: list[Any], start: int, error: ValidationError) -> list[Issue]:
    """Pydantic's errors for a batch, as issues in record order."""
    issues = []
    for err in error.errors(include_url=False):
        loc = err["loc"]
        position = loc[0] if loc and isinstance(loc[0], int) else 0
        record = records[position] if position < len(records) else None
        field = ".".join(str(part) for part in loc[1:]) or None
        if err["type"] == "missing":
            message = "missing (every field is required)"
        elif err["type"] == "extra_forbidden":
            message = f"not a field of {kind.file} records (expected: {', '.join(kind.columns)})"
        elif err["type"] == "dict_type" and field is None:
            message = f"expected a JSON object, got {_json_type(err['input'])}"
        else:
            message = err["msg"] + echo(field or "", err["input"])
        issues.append(Issue(kind.file, message, start + position, label(kind, record), field))
    return issues


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def split_valid(kind: RecordKind, records: list[Any], error: ValidationError) -> tuple[list[int], list[Row]]:
    """The positions and rows of the batch's records that passed, once the batch as a whole failed."""
    bad = {err["loc"][0] for err in error.errors(include_url=False) if err["loc"]}
    positions = [i for i in range(len(records)) if i not in bad]
    return positions, [kind.to_row(kind.one.validate_python(records[i])) for i in positions]


# --- references ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unique:
    """No two records (in this file, or a registry shared across files) have the same value."""

    column: str
    registry: str
    message: str  # formatted with {value}
    value_column: str | None = None  # also map each value to this column, in registry "<registry>.<value_column>"


@dataclass(frozen=True)
class Exists:
    """The value is a key of a registry filled by an earlier file."""

    column: str
    registry: str
    message: str


@dataclass(frozen=True)
class Matches:
    """The value equals what the registry maps another column's value to."""

    column: str
    via: str
    registry: str
    message: str  # formatted with {value}, {via} and {expected}


Rule = Unique | Exists | Matches

RULES: dict[str, tuple[Rule, ...]] = {
    "providers": (Unique("id", "providers", "duplicate id {value!r}: an earlier provider has it"),),
    "services": (
        Unique("id", "services", "duplicate id {value!r}: an earlier service has it"),
        Unique("name", "service_names", "duplicate service name {value!r}: service names are unique"),
    ),
    "patients": (Unique("id", "patients", "duplicate id {value!r}: an earlier patient has it"),),
    "appointments": (
        Unique("id", "appointments", "duplicate id {value!r}: an earlier appointment has it",
               value_column="patient_id"),
        Exists("patient_id", "patients", "no patient {value!r} in patient.json"),
    ),
    "appointment_services": (
        Exists("appointment_id", "appointments", "no appointment {value!r} in appointment.json"),
        Exists("service_id", "services", "no service {value!r} in service.json"),
        Exists("provider_id", "providers", "no provider {value!r} in provider.json"),
    ),
    "payments": (
        Unique("id", "payments", "duplicate id {value!r}: an earlier payment has it"),
        Exists("patient_id", "patients", "no patient {value!r} in patient.json"),
        Exists("appointment_id", "appointments", "no appointment {value!r} in appointment.json"),
        Matches("patient_id", "appointment_id", "appointments.patient_id",
                "{value!r} is not the patient of appointment {via!r} (that is {expected!r})"),
        Unique("appointment_id", "paid_appointments",
               "appointment {value!r} already has a payment (at most one per appointment)"),
        Exists("provider_id", "providers", "no provider {value!r} in provider.json"),
        Exists("service_id", "services", "no service {value!r} in service.json"),
    ),
}


class References:
    """The ids seen so far, and the rules that records of each file must keep with them."""

    def __init__(self) -> None:
        self.registries: dict[str, set[str]] = {
            "providers": set(), "services": set(), "service_names": set(), "patients": set(),
            "appointments": set(), "paid_appointments": set(), "payments": set(),
        }
        self.mappings: dict[str, dict[str, str]] = {"appointments.patient_id": {}}  # for Matches rules

    def accept(self, kind: RecordKind, rows: list[Row]) -> bool:
        """True and remembered if every row keeps every rule; False (and nothing remembered) otherwise."""
        columns = _Columns(kind, rows)
        if kind.after and not all(map(gt, columns[kind.after[0]], columns[kind.after[1]])):
            return False
        for rule in RULES[kind.table]:
            values = columns[rule.column]
            # set operations over a whole batch run in C; a dict lookup per value is the slow part
            if isinstance(rule, Unique):
                ok = self.registries[rule.registry].isdisjoint(values) and len(set(values)) == len(values)
            elif isinstance(rule, Exists):
                ok = self.registries[rule.registry].issuperset(values)
            else:
                try:
                    ok = list(map(self.mappings[rule.registry].__getitem__, columns[rule.via])) == values
                except KeyError:
                    ok = False
            if not ok:
                return False
        for rule in RULES[kind.table]:
            if isinstance(rule, Unique):
                self.registries[rule.registry].update(columns[rule.column])
                if rule.value_column:
                    mapping = self.mappings[f"{rule.registry}.{rule.value_column}"]
                    mapping.update(zip(columns[rule.column], columns[rule.value_column], strict=True))
        return True

    def explain(self, kind: RecordKind, rows: list[Row], positions: Iterable[int], start: int) -> list[Issue]:
        """Walk rows that `accept` refused (or that follow a bad record) and say what is wrong with each."""
        index = {name: i for i, name in enumerate(kind.columns)}
        seen: dict[Rule, set[str]] = {rule: set() for rule in RULES[kind.table]}
        issues = []
        for position, row in zip(positions, rows, strict=True):
            def issue(field: str, message: str, position: int = position, row: Row = row) -> Issue:
                return Issue(kind.file, message, start + position, _row_label(kind, row), field)

            if kind.after and not row[index[kind.after[0]]] > row[index[kind.after[1]]]:
                later, earlier = kind.after
                issues.append(issue(later, f"must be after '{earlier}'{echo(later, row[index[later]])}"))
            reported = len(issues)
            for rule in RULES[kind.table]:
                if any(found.field == rule.column for found in issues[reported:]):
                    continue  # one problem per field is enough (a missing patient is also the wrong one)
                value = row[index[rule.column]]
                if isinstance(rule, Unique):
                    if value in self.registries[rule.registry] or value in seen[rule]:
                        issues.append(issue(rule.column, rule.message.format(value=value)))
                    seen[rule].add(value)
                elif isinstance(rule, Exists):
                    if value not in self.registries[rule.registry]:
                        issues.append(issue(rule.column, rule.message.format(value=value)))
                else:
                    via = row[index[rule.via]]
                    expected = self.mappings[rule.registry].get(via)
                    if expected is not None and expected != value:
                        issues.append(issue(rule.column, rule.message.format(value=value, via=via, expected=expected)))
        return issues


class _Columns:
    """Columns of a batch of rows, extracted once each and on demand."""

    def __init__(self, kind: RecordKind, rows: list[Row]) -> None:
        self._index = {name: i for i, name in enumerate(kind.columns)}
        self._rows = rows
        self._cache: dict[str, list[Any]] = {}

    def __getitem__(self, column: str) -> list[Any]:
        if column not in self._cache:
            self._cache[column] = list(map(itemgetter(self._index[column]), self._rows))
        return self._cache[column]


def _row_label(kind: RecordKind, row: Row) -> str | None:
    return label(kind, dict(zip(kind.columns, row, strict=True)))
