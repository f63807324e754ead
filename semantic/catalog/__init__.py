"""The catalog's members: entities, joins, dimensions, measures and materializations, as frozen values.

Loading and validating `metrics.yaml` into one is `semantic.loading` (`load_catalog`, `default_catalog`).
"""

from __future__ import annotations

from semantic.catalog.catalog import AnyMeasure, Catalog, did_you_mean, suggest
from semantic.catalog.models import DerivedMeasure, Dimension, Entity, Measure

__all__ = ["AnyMeasure", "Catalog", "DerivedMeasure", "Dimension", "Entity", "Measure", "did_you_mean", "suggest"]
