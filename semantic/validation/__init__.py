"""Catalog validation: rules return issues; `validate` runs them all so every problem is reported at once."""

from __future__ import annotations

from semantic.catalog.catalog import Catalog
from semantic.catalog.exprtypes import TypeCheck
from semantic.catalog.yaml_lines import LocatedYaml
from semantic.errors import Issue
from semantic.validation import privacy
from semantic.validation.rules import RULES, Context


def validate(catalog: Catalog, located: LocatedYaml | None = None) -> list[Issue]:
    ctx = Context(catalog, located, TypeCheck(catalog))
    issues: list[Issue] = []
    for rule in (*RULES, *privacy.RULES):
        issues.extend(rule(ctx))
    return issues


__all__ = ["validate"]
