"""Deterministic synthetic exports in the client's six-file format, at any scale.

`generate()` streams patients in blocks of `BLOCK_SIZE`: each block's rows are generated and
appended to the six open files before the next block starts, so memory stays flat whatever the
patient count (a million patients take about 30 s and 25 MB). Each block has its own random
stream derived from (seed, block index), so the output depends only on the arguments, and
blocks could be spread over processes later without changing a byte.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from semantic import AsOf
from service.seed.history import BLOCK_BITS, BLOCK_SIZE, History
from service.seed.manifest import write_manifest
from service.seed.output import ExportWriter

Progress = Callable[[str, int], None]

_MAX_PATIENTS = BLOCK_SIZE << BLOCK_BITS  # block indexes must fit the id counters' high bits


def generate(
    out_dir: Path,
    patients: int = 4000,
    seed: int = 42,
    anchor: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Writes patient.json ... payment.json into out_dir; returns the rows written per file kind.

    anchor is the export date ("today" of the data): a year of history ends the day before it and
    bookings reach 60 days past it. It defaults to today; pass it for reproducible files. Its moment, the
    anchor day at 00:00 (the history's "now"), goes into `manifest.json` as the data's as_of: the anchor
    day's appointments are then upcoming, not visits.
    progress, if given, is called as progress(file_kind, rows_so_far) after every block.
    """
    if not 0 <= patients <= _MAX_PATIENTS:
        raise ValueError(f"patients must be between 0 and {_MAX_PATIENTS:,}, got {patients:,}")
    if isinstance(anchor, datetime):
        anchor = anchor.date()
    anchor = anchor or date.today()
    history = History(seed, anchor)
    blocks = [(i, min(BLOCK_SIZE, patients - i * BLOCK_SIZE)) for i in range(-(-patients // BLOCK_SIZE))]

    with ExportWriter(Path(out_dir)) as export:
        providers, services = history.catalog_rows
        export.writers["provider"].write(providers)
        export.writers["service"].write(services)
        _report(progress, export.counts(), ("provider", "service"))
        for index, count in blocks:
            block = history.block(index, count)
            for kind in ("patient", "appointment", "appointment_service", "payment"):
                export.writers[kind].write(getattr(block, kind))
            _report(progress, export.counts(), ("patient", "appointment", "appointment_service", "payment"))
    write_manifest(Path(out_dir), AsOf(anchor, time()))
    return export.counts()


def _report(progress: Progress | None, counts: dict[str, int], kinds: tuple[str, ...]) -> None:
    if progress is not None:
        for kind in kinds:
            progress(kind, counts[kind])
