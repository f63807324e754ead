"""The export's six record shapes as text, written as streamed JSON arrays.

The output is byte-for-byte what `json.dumps(rows, indent=2)` gives for the client's files (keys
in the export's order, no trailing newline), but built with f-strings from known-shape values:
serialising millions of dicts through `json` would dominate the run time. Values interpolated
unquoted here are ids, numbers, enumerations, timestamps and ASCII vocabulary without quotes or
backslashes; free text from the catalog goes through `json.dumps`.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from types import TracebackType
from typing import TextIO

FILE_KINDS = ("patient", "provider", "service", "appointment", "appointment_service", "payment")

_MASK40 = (1 << 40) - 1


def _scramble40(n: int) -> int:
    """A bijection on 40-bit integers (odd multipliers and xor-shifts), so distinct in, distinct out."""
    n = (n * 0x9E3779B97F) & _MASK40
    n ^= n >> 19
    n = (n * 0xC2B2AE3D27) & _MASK40
    return n ^ (n >> 21)


def make_id(prefix: str, rng: random.Random, counter: int) -> str:
    """prefix + 16 hex digits: 24 random bits, then 40 bits that are unique per counter value."""
    # The offset keeps counter 0 away from the bijection's fixed point (all zeros).
    return f"{prefix}{rng.getrandbits(24):06x}{_scramble40((counter + 0x6A09E667F3) & _MASK40):010x}"


def quote(text: str) -> str:
    return json.dumps(text)


def patient_record(
    id_: str, first: str, last: str, birth: str, gender: str, source: str,
    address: str, phone: str, email: str, created: str,
) -> str:
    return (
        f'  {{\n    "id": "{id_}",\n    "first_name": "{first}",\n    "last_name": "{last}",\n'
        f'    "date_of_birth": "{birth}",\n    "gender": "{gender}",\n    "source": "{source}",\n'
        f'    "address": "{address}",\n    "phone": "{phone}",\n    "email": "{email}",\n'
        f'    "created_date": "{created}"\n  }}'
    )


def provider_record(id_: str, first: str, last: str, email: str, phone: str, created: str) -> str:
    return (
        f'  {{\n    "id": "{id_}",\n    "first_name": {quote(first)},\n    "last_name": {quote(last)},\n'
        f'    "email": {quote(email)},\n    "phone": {quote(phone)},\n    "created_date": "{created}"\n  }}'
    )


def service_record(id_: str, name: str, description: str, price: int, duration: int, created: str) -> str:
    return (
        f'  {{\n    "id": "{id_}",\n    "name": {quote(name)},\n    "description": {quote(description)},\n'
        f'    "price": {price},\n    "duration": {duration},\n    "created_date": "{created}"\n  }}'
    )


def appointment_record(id_: str, patient_id: str, status: str, created: str) -> str:
    return (
        f'  {{\n    "id": "{id_}",\n    "patient_id": "{patient_id}",\n    "status": "{status}",\n'
        f'    "created_date": "{created}"\n  }}'
    )


def line_record(appointment_id: str, service_id: str, provider_id: str, start: str, end: str) -> str:
    return (
        f'  {{\n    "appointment_id": "{appointment_id}",\n    "service_id": "{service_id}",\n'
        f'    "provider_id": "{provider_id}",\n    "start": "{start}",\n    "end": "{end}"\n  }}'
    )


def payment_record(
    id_: str, patient_id: str, amount: int, date: str, method: str, status: str,
    provider_id: str, appointment_id: str, service_id: str, created: str,
) -> str:
    return (
        f'  {{\n    "id": "{id_}",\n    "patient_id": "{patient_id}",\n    "amount": {amount},\n'
        f'    "date": "{date}",\n    "method": "{method}",\n    "status": "{status}",\n'
        f'    "provider_id": "{provider_id}",\n    "appointment_id": "{appointment_id}",\n'
        f'    "service_id": "{service_id}",\n    "created_date": "{created}"\n  }}'
    )


class JsonArrayWriter:
    """Streams records into `<kind>.json` as one JSON array, via a hidden partial file.

    The final name appears only on `close()` (an atomic rename), so an interrupted run never
    leaves a truncated file that looks like a complete export.
    """

    def __init__(self, out_dir: Path, kind: str) -> None:
        self.path = out_dir / f"{kind}.json"
        self._partial = out_dir / f".{kind}.json.partial"
        self._file: TextIO = open(self._partial, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.rows = 0

    def write(self, records: list[str]) -> None:
        if not records:
            return
        self._file.write(("[\n" if self.rows == 0 else ",\n") + ",\n".join(records))
        self.rows += len(records)

    def close(self) -> None:
        self._file.write("\n]" if self.rows else "[]")
        self._file.close()
        os.replace(self._partial, self.path)

    def discard(self) -> None:
        self._file.close()
        self._partial.unlink(missing_ok=True)


class ExportWriter:
    """The six writers of one export; on error every partial file is removed."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, JsonArrayWriter] = {}
        try:
            for kind in FILE_KINDS:
                self.writers[kind] = JsonArrayWriter(out_dir, kind)
        except BaseException:
            self._discard()
            raise

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            for writer in self.writers.values():
                writer.close()
        else:
            self._discard()

    def _discard(self) -> None:
        for writer in self.writers.values():
            writer.discard()

    def counts(self) -> dict[str, int]:
        return {kind: writer.rows for kind, writer in self.writers.items()}
