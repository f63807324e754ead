"""A database holding generated seed data (service/seed/generator.py), for tests that must not depend on the
client's export being on the machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

ANCHOR = dt.date(2025, 11, 26)


def generated_database(make_database: Callable[[], str], folder: Path, patients: int = 600, seed: int = 11) -> str:
    """A new database with `patients` generated patients (and their appointments, lines and payments) loaded."""
    from service.seed.generator import generate
    from service.seed.loader import load_directory

    generate(folder, patients=patients, seed=seed, anchor=ANCHOR)
    url = make_database()
    load_directory(folder, url, replace=False, progress=False)
    return url
