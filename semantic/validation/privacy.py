"""Privacy rules: every member a patient can be reached from carries a decision, and the decisions hold together.

An agent (a third-party language model) sees aggregates over groups, never one person
(`semantic/planner/privacy.py`). What it may do with a dimension is the catalog's decision, made once per
member: `pii`, `identifier`, `quasi_identifier` (with the coarse form an agent groups by) or `sensitive: false`.
These rules make a missing or inconsistent decision a catalog error naming file and line, so a new member
cannot slip through: a dimension computed from a more sensitive one (an age from a date of birth, a state
parsed from an address) is as sensitive as its source unless it declares itself a coarse form of it
(`coarse_of`), on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator

from semantic.catalog.catalog import Catalog
from semantic.catalog.expr import (
    AddDays,
    Allocate,
    Bands,
    Call,
    Col,
    DatePart,
    Diff,
    Dim,
    Expr,
    InList,
    Pick,
    Rollup,
    Trunc,
    Window,
)
from semantic.catalog.models import Dimension, Sensitivity
from semantic.errors import Issue
from semantic.validation.rules import Context

PERSON_ENTITY = "patient"  # the entity whose rows are people: what an agent must never single out

RANK: dict[Sensitivity, int] = {"none": 0, "quasi_identifier": 1, "identifier": 2, "pii": 3}
DECISIONS = ("`pii: true`, `identifier: true`, `quasi_identifier: {coarsen_to: <band>}` (or `{min_grain: month}` "
             "for a time), or `sensitive: false`")


def patient_related(catalog: Catalog, entity: str) -> bool:
    """Whether rows of `entity` can be related to patients through the catalog's joins (either way)."""
    if PERSON_ENTITY not in catalog.entities:
        return False
    graph = catalog.graph
    return (entity == PERSON_ENTITY or graph.path(PERSON_ENTITY, entity) is not None
            or graph.path(entity, PERSON_ENTITY) is not None)


def value_sources(catalog: Catalog, dimension: Dimension) -> list[str]:
    """The dimensions whose values this dimension's value is computed from (the rows a pick or rollup
    selects by, and the order it picks in, do not count: they choose a row, the value comes from `of`)."""
    if dimension.expr is None:
        return []
    found: list[str] = []
    _sources(catalog, dimension.expr, dimension.entity, dimension.name, found)
    return list(dict.fromkeys(found))


def _sources(catalog: Catalog, node: Expr, entity: str, own: str, found: list[str]) -> None:
    if isinstance(node, Col):
        for other in catalog.dimensions.values():  # the dimensions this column backs
            if other.entity == entity and other.expr == node and other.name != own:
                found.append(other.name)
    elif isinstance(node, Dim):
        resolved = catalog.resolve_dim_ref(entity, node.name)
        if not isinstance(resolved, str):
            found.append(resolved.dimension.name)
    elif isinstance(node, Rollup | Pick):
        if node.of is not None:
            _sources(catalog, node.of, node.via, own, found)
    elif isinstance(node, Window):
        _sources(catalog, node.of, entity, own, found)
    elif isinstance(node, Allocate):
        for value in (node.total, node.weight):
            _sources(catalog, value, entity, own, found)
    elif isinstance(node, Call):
        for arg in node.args:
            _sources(catalog, arg, entity, own, found)
    elif isinstance(node, Diff):
        _sources(catalog, node.start, entity, own, found)
        _sources(catalog, node.end, entity, own, found)
    elif isinstance(node, InList | DatePart | Trunc | AddDays | Bands):
        _sources(catalog, node.of, entity, own, found)


def _where(dimension: Dimension) -> tuple[str, ...]:
    return ("entities", dimension.entity, "dimensions", dimension.short)


def every_patient_member_has_a_decision(ctx: Context) -> Iterator[Issue]:
    catalog = ctx.catalog
    for dimension in catalog.dimensions.values():
        if dimension.privacy.sensitivity is None and patient_related(catalog, dimension.entity):
            why = ("is a patient attribute" if dimension.entity == PERSON_ENTITY else
                   f"patients can be related to {dimension.entity} rows")
            yield ctx.issue("privacy_decision", dimension.name, f"has no privacy decision ({why})",
                            f"add one of {DECISIONS}", *_where(dimension))


def coarse_forms_are_usable(ctx: Context) -> Iterator[Issue]:
    """A quasi-identifier's coarse form exists, is an agent-groupable dimension of the same entity, and a time's
    minimum grain is one of its grains; `coarse_of` names known members."""
    catalog = ctx.catalog
    for dimension in catalog.dimensions.values():
        privacy, where = dimension.privacy, _where(dimension)
        if privacy.coarsen_to is not None:
            target = catalog.dimensions.get(privacy.coarsen_to)
            if target is None:
                yield ctx.issue("privacy_decision", dimension.name, f"coarsen_to names unknown dimension "
                                f"{privacy.coarsen_to!r}", "name a band dimension of the same entity",
                                *where, "quasi_identifier")
            elif target.entity != dimension.entity or target.privacy.sensitivity != "none":
                yield ctx.issue("privacy_decision", dimension.name, f"its coarse form {target.name!r} must be a "
                                f"dimension of {dimension.entity} marked `sensitive: false`",
                                "point coarsen_to at a band an agent may group by", *where, "quasi_identifier")
        if privacy.min_grain is not None and privacy.min_grain not in dimension.grains:
            yield ctx.issue("privacy_decision", dimension.name, f"min_grain {privacy.min_grain!r} is not one of its "
                            f"grains ({', '.join(dimension.grains) or 'none: not a time'})",
                            "use coarsen_to for a non-time dimension, or one of its grains", *where,
                            "quasi_identifier")
        if privacy.step is not None and dimension.type not in ("number", "integer"):
            yield ctx.issue("privacy_decision", dimension.name, f"step is for numbers; {dimension.name} is a "
                            f"{dimension.type}", "remove step (a time's filters follow its min_grain)", *where,
                            "quasi_identifier")
        for name in privacy.coarse_of:
            if name not in catalog.dimensions:
                yield ctx.issue("privacy_decision", dimension.name, f"coarse_of names unknown dimension {name!r}",
                                "name the sensitive dimension this one is computed from", *where, "coarse_of")


def derived_members_keep_their_sources_sensitivity(ctx: Context) -> Iterator[Issue]:
    """A dimension computed from a more sensitive one is at least as sensitive, unless it says it is a coarse
    form of that source (`coarse_of`): a two-letter state parsed from an address is coarse, a zip code is not."""
    catalog = ctx.catalog
    for dimension in catalog.dimensions.values():
        own = dimension.privacy.sensitivity
        if own is None or own == "pii":
            continue
        for source_name in value_sources(catalog, dimension):
            source = catalog.dimensions[source_name].privacy.sensitivity
            if source is None or RANK[source] <= RANK[own] or source_name in dimension.privacy.coarse_of:
                continue
            yield ctx.issue("privacy_decision", dimension.name, f"is computed from {source_name} ({source}) but "
                            f"marked {own}", f"mark it as sensitive as its source, or declare `coarse_of: "
                            f"[{source_name}]` if it is a coarse form on purpose", *_where(dimension))


RULES = (every_patient_member_has_a_decision, coarse_forms_are_usable, derived_members_keep_their_sources_sensitivity)
