"""The catalog: `metrics.yaml` as validated, frozen members (see `load_catalog`, `default_catalog`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from semantic.catalog.catalog import AnyMeasure, Catalog, suggest
from semantic.catalog.loader import build_catalog, load_catalog
from semantic.catalog.models import DerivedMeasure, Dimension, Entity, Measure

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "metrics.yaml"


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> Catalog:
    return load_catalog(path)


def default_catalog(path: str | Path | None = None) -> Catalog:
    """The parsed catalog, cached (re-read when the file changes)."""
    target = Path(path) if path is not None else DEFAULT_PATH
    return _cached(str(target), target.stat().st_mtime_ns)


__all__ = ["AnyMeasure", "Catalog", "DerivedMeasure", "Dimension", "Entity", "Measure", "build_catalog",
           "default_catalog", "load_catalog", "suggest"]
