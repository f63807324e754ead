"""`manifest.json` beside a data set's six files: `{"as_of": "YYYY-MM-DD"}` or a moment `"YYYY-MM-DDTHH:MM"`.

The generator writes its anchor moment there (the "now" its history ends at, bookings ahead of it); the
loader stores it as the data's as_of, which then wins over the latest payment's date (the contract's
default, all an export without a manifest has).
"""

from __future__ import annotations

import json
from pathlib import Path

from semantic import AsOf
from service.seed.validate import LoadError

MANIFEST = "manifest.json"


def write_manifest(out_dir: Path, as_of: AsOf) -> Path:
    path = out_dir / MANIFEST
    path.write_text(json.dumps({"as_of": as_of.isoformat()}, indent=2) + "\n")
    return path


def read_manifest(directory: Path) -> AsOf | None:
    """The manifest's as_of, None without a manifest; a malformed one is refused (LoadError: nothing loads)."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise LoadError(f"{MANIFEST}: not JSON ({err})") from None
    value = raw.get("as_of") if isinstance(raw, dict) else None
    if not isinstance(value, str):
        raise LoadError(f'{MANIFEST}: expected {{"as_of": "YYYY-MM-DD"}} or {{"as_of": "YYYY-MM-DDTHH:MM"}}')
    try:
        return AsOf.parse(value)
    except ValueError as err:
        raise LoadError(f"{MANIFEST}: {err}") from None
