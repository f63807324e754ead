"""`metrics.yaml` -> a validated `Catalog`, or a `CatalogError` listing every issue with file and line.

Parsing keeps each key's line (semantic/catalog/yaml_lines.py); pydantic checks the shape; the builder makes
frozen members (semantic/catalog/loader.py); the rules check what the members mean (semantic/validation/),
all issues reported at once, each with its fix.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from semantic.catalog.catalog import Catalog
from semantic.catalog.loader import Builder, pydantic_issues
from semantic.catalog.models import RawCatalog
from semantic.catalog.yaml_lines import load_yaml_with_lines
from semantic.errors import CatalogError, Issue
from semantic.schema import Schema, current_schema
from semantic.validation import validate

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "metrics.yaml"


def build_catalog(text: str, file: str = "metrics.yaml", schema: Schema | None = None) -> Catalog:
    """Parse, build and validate against `schema` (default: the registered one); raises `CatalogError` with every
    issue found."""
    schema = schema if schema is not None else current_schema()
    try:
        located = load_yaml_with_lines(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise CatalogError([Issue("yaml_syntax", "catalog", str(err).splitlines()[0], "fix the YAML syntax",
                                  file, line)]) from None
    issues = [Issue("duplicate_name", ".".join(map(str, path)), f"{path[-1]!r} is defined twice",
                    f"remove or rename this second definition (first at line {located.line(*path)})", file, line)
              for path, line in located.duplicates]
    try:
        raw = RawCatalog.model_validate(located.data if located.data is not None else {})
    except ValidationError as err:
        raise CatalogError([*issues, *pydantic_issues(err, located, file)]) from None
    builder = Builder(located, file, schema)
    catalog = builder.build(raw)
    catalog.fingerprint = hashlib.sha256(f"{file}\0{text}".encode()).hexdigest()[:16]
    issues += builder.issues
    issues += validate(catalog, located)
    if issues:
        raise CatalogError(issues)
    return catalog


def load_catalog(path: str | Path, schema: Schema | None = None) -> Catalog:
    path = Path(path)
    return build_catalog(path.read_text(), path.name, schema)


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int, schema: Schema) -> Catalog:
    return load_catalog(path, schema)


def default_catalog(path: str | Path | None = None) -> Catalog:
    """The parsed catalog (`metrics.yaml` beside the package unless given), cached until the file changes."""
    target = Path(path) if path is not None else DEFAULT_PATH
    return _cached(str(target), target.stat().st_mtime_ns, current_schema())
