"""The built catalog: members by name, the join graph, and the lookups the planner and renderer share."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from semantic.catalog.graph import JoinGraph, Path, path_fans_out
from semantic.catalog.models import DerivedMeasure, Dimension, Entity, Join, Measure
from semantic.schema import Schema

if TYPE_CHECKING:  # the catalog holds them; they know how to build and read themselves
    from semantic.materialize.base import Materialization

AnyMeasure = Measure | DerivedMeasure


@dataclass(frozen=True)
class ResolvedRef:
    """A dimension reached from an entity through `path` (empty for the entity's own)."""

    path: Path
    dimension: Dimension


@dataclass
class Catalog:
    file: str
    entities: dict[str, Entity]
    joins: tuple[Join, ...]
    dimensions: dict[str, Dimension]
    measures: dict[str, Measure]
    derived: dict[str, DerivedMeasure]
    materializations: dict[str, Materialization] = field(default_factory=dict)
    schema: Schema = field(default_factory=Schema)  # the database's tables and column types (semantic/schema.py)
    synonyms: dict[str, str] = field(default_factory=dict)  # synonym -> member name
    fingerprint: str = ""  # hash of the catalog's text: part of compiled-query cache keys

    @cached_property
    def graph(self) -> JoinGraph:
        return JoinGraph(self.entities, self.joins)

    # --- lookups ---------------------------------------------------------------------------------

    def measure(self, name: str) -> AnyMeasure | None:
        return self.measures.get(name) or self.derived.get(name)

    def all_measures(self) -> list[AnyMeasure]:
        return [*self.measures.values(), *self.derived.values()]

    def base_measures_of(self, name: str) -> tuple[str, ...]:
        """The base measures a (derived) measure is computed from."""
        if name in self.measures:
            return (name,)
        derived = self.derived.get(name)
        return derived.components if derived else ()

    def resolve_dim_ref(self, entity: str, name: str) -> ResolvedRef | str:
        """`start_at` (own) or `service.name` (through joins) from `entity`; a message on failure."""
        qualified = name if "." in name else f"{entity}.{name}"
        dimension = self.dimensions.get(qualified)
        if dimension is None:
            close = suggest(qualified, self.dimensions)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return f"unknown dimension {qualified!r}{hint}"
        path = self.graph.path(entity, dimension.entity)
        if path is None:
            return f"{dimension.entity!r} cannot be reached from {entity!r} through declared joins"
        return ResolvedRef(path, dimension)

    def column_type(self, entity: str, column: str) -> str | None:
        """The semantic type of a column of the entity's table (None if there is no such column)."""
        return self.schema.column_type(self.entities[entity].table, column)

    def may_fan_out(self, shown: str, base: Measure) -> bool:
        """May `base`, computed for the requested measure `shown`, be grouped below its grain?

        Distinct counts, min and max: yes (a join repeating rows changes nothing). A count inside a
        derived measure (cancellation_rate by service): yes, as a count of distinct keys: the ratio is
        taken within each group. A count or sum asked for itself, or anything with a split_measure
        (revenue): no, a row would be counted in several groups.
        """
        if base.idempotent:
            return True
        return shown in self.derived and base.agg == "count" and base.split_measure is None

    def groupable_dimensions(self, measure: str, overlapping: bool = False) -> list[str]:
        """Dimensions that split this measure into groups.

        overlapping=False: one value per row of the measure's entity, so the groups partition its rows
        and an additive measure's groups sum to the total. overlapping=True: the dimensions below its
        grain that a distinct count, min or max may still be grouped by (a visit with two services is
        counted under each; groups overlap and do not sum to the total).
        """
        bases = [self.measures[b] for b in self.base_measures_of(measure)]
        out = []
        for dimension in self.dimensions.values():
            if dimension.filter_only:
                continue
            paths = [self.graph.path(base.entity, dimension.entity) for base in bases]
            if any(p is None for p in paths):
                continue
            fans = [path_fans_out(p) for p in paths if p is not None]
            if overlapping:
                if any(fans) and all(self.may_fan_out(measure, base) for base in bases):
                    out.append(dimension.name)
            elif not any(fans):
                out.append(dimension.name)
        return out

    def with_measures(self, extra: dict[str, Measure]) -> Catalog:
        """This catalog with `extra` base measures added (a query's ad hoc aggregates); same graph and fingerprint,
        so what is stored for the catalog still serves its own measures."""
        out = replace(self, measures={**self.measures, **extra})
        if "graph" in self.__dict__:
            out.__dict__["graph"] = self.graph
        return out

    def member_names(self) -> list[str]:
        return [*self.measures, *self.derived, *self.dimensions]


def suggest(name: str, candidates: Iterable[str], synonyms: dict[str, str] | None = None, n: int = 3) -> list[str]:
    """Close names (difflib), with synonyms mapped to the member they stand for."""
    pool = list(candidates)
    out: list[str] = []
    if synonyms and name.lower() in synonyms:
        out.append(synonyms[name.lower()])
    for close in difflib.get_close_matches(name, pool, n=n, cutoff=0.6):
        if close not in out:
            out.append(close)
    if synonyms:
        for close in difflib.get_close_matches(name.lower(), list(synonyms), n=n, cutoff=0.75):
            target = synonyms[close]
            if target not in out and target in pool:
                out.append(target)
    # `revnue` vs `patient.revnue`: also compare on the last segment
    if not out and "." in name:
        short = name.rsplit(".", 1)[1]
        for candidate in pool:
            if candidate.rsplit(".", 1)[-1] == short:
                out.append(candidate)
    return out[:n]


def did_you_mean(name: str, pool: list[str], synonyms: dict[str, str] | None = None) -> str:
    """A fix's wording: the close names, or the names to choose from."""
    close = suggest(name, pool, synonyms)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else f"use one of {', '.join(pool)}"
