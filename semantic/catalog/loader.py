"""`metrics.yaml`'s parsed shape -> a `Catalog` of frozen members, with the issues found while building it.

Validation (semantic/validation/) runs on the result; `semantic/loading.py` ties the two together.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import ValidationError

from semantic.catalog.catalog import Catalog
from semantic.catalog.expr import Expr, ExprSyntaxError, MeasureRef, parse_expr, walk
from semantic.catalog.models import (
    GRAINS,
    DerivedMeasure,
    Dimension,
    Entity,
    Join,
    Measure,
    Privacy,
    RawBridge,
    RawCatalog,
    RawChain,
    RawDimension,
    RawMaterialization,
    SearchSpec,
    Sensitivity,
)
from semantic.catalog.yaml_lines import LocatedYaml
from semantic.errors import Issue
from semantic.materialize.base import Materialization
from semantic.materialize.bridge import Bridge
from semantic.materialize.chain import Chain
from semantic.materialize.preaggregation import PreAggregation
from semantic.materialize.summary import EntitySummary
from semantic.schema import Schema


class Builder:
    """Builds the catalog's members from the raw (pydantic) shape, noting problems with their file and line."""

    def __init__(self, located: LocatedYaml, file: str, schema: Schema) -> None:
        self.located = located
        self.file = file
        self.schema = schema
        self.issues: list[Issue] = []

    def issue(self, rule: str, member: str, message: str, fix: str, *path: str | int) -> None:
        self.issues.append(Issue(rule, member, message, fix, self.file, self.located.line(*path)))

    def parse(self, raw: Any, member: str, *path: str | int) -> Expr | None:
        if raw is None:
            return None
        try:
            return parse_expr(raw)
        except ExprSyntaxError as err:
            self.issue("expression_syntax", member, str(err), "see the expression forms in semantic/README.md",
                       *path)
            return None

    def privacy(self, raw: RawDimension, name: str, path: tuple[str, ...]) -> Privacy:
        """The sensitivity the dimension declares: exactly one of pii, identifier, quasi_identifier or
        `sensitive: false` (semantic/validation/privacy.py checks that every patient-related one has one)."""
        declared: list[Sensitivity] = []
        if raw.pii:
            declared.append("pii")
        if raw.identifier:
            declared.append("identifier")
        if raw.quasi_identifier is not None:
            declared.append("quasi_identifier")
        if raw.sensitive is False:
            declared.append("none")
        if raw.sensitive is True:
            self.issue("privacy_decision", name, "`sensitive: true` says nothing about how it is sensitive",
                       "use `pii: true`, `identifier: true` or `quasi_identifier: {coarsen_to: ...}`", *path)
        if len(declared) > 1:
            self.issue("privacy_decision", name, f"declares {' and '.join(declared)}", "keep exactly one", *path)
        quasi = raw.quasi_identifier
        if quasi is not None and (quasi.coarsen_to is None) == (quasi.min_grain is None):
            self.issue("privacy_decision", name, "a quasi_identifier needs exactly one coarse form",
                       "give `coarsen_to: <dimension>` (a band) or `min_grain: <grain>` (a time)", *path,
                       "quasi_identifier")
        return Privacy(declared[0] if declared else None, quasi.coarsen_to if quasi else None,
                       quasi.min_grain if quasi else None, tuple(raw.coarse_of), quasi.step if quasi else None)

    def materialization(self, name: str, raw: RawMaterialization) -> Materialization:
        line = self.located.line("materializations", name)
        if isinstance(raw, RawChain):
            return Chain(name, raw.description, line, tuple(raw.measures), tuple(raw.dimensions))
        if isinstance(raw, RawBridge):
            return Bridge(name, raw.description, line, raw.from_, raw.to)
        return PreAggregation(name, raw.description, line, raw.time, tuple(raw.dimensions), tuple(raw.measures))

    def build(self, raw: RawCatalog) -> Catalog:
        entities: dict[str, Entity] = {}
        dimensions: dict[str, Dimension] = {}
        for ename, rent in raw.entities.items():
            entities[ename] = Entity(ename, rent.table, rent.primary_key, rent.label, rent.description, rent.grain,
                                     rent.summary_table, rent.summary_key, self.located.line("entities", ename))
            for dname, rdim in rent.dimensions.items():
                name = f"{ename}.{dname}"
                path = ("entities", ename, "dimensions", dname)
                expr: Expr | None = None
                if rdim.column is not None and rdim.expr is not None:
                    self.issue("dimension_source", name, "has both `column` and `expr`", "keep one of them", *path)
                if rdim.column is not None:
                    expr = parse_expr({"col": rdim.column})
                elif rdim.expr is not None:
                    expr = self.parse(rdim.expr, name, *path, "expr")
                search = None
                if rdim.search is not None:
                    text = self.parse(rdim.search.text, name, *path, "search")
                    digits = self.parse(rdim.search.digits, name, *path, "search")
                    rank = self.parse(rdim.search.rank, name, *path, "search")
                    if text is not None:
                        search = SearchSpec(text, digits, rank)
                elif expr is None and rdim.expr is None:
                    self.issue("dimension_source", name, "has neither `column`, `expr` nor `search`",
                               "add `column: <name>` or an `expr`", *path)
                grains = tuple(rdim.grains) if rdim.grains is not None else (GRAINS if rdim.type == "time" else ())
                dimensions[name] = Dimension(
                    name, ename, dname, rdim.type, expr, search, rdim.label, rdim.description,
                    tuple(rdim.synonyms), rdim.pii, rdim.filter_only or search is not None, grains,
                    rdim.unit, rdim.format, rdim.materialized, self.located.line(*path),
                    self.privacy(rdim, name, path))
        joins = tuple(
            Join(j.from_, j.to, j.column,
                 j.to_column or (raw.entities[j.to].primary_key if j.to in raw.entities else "id"),
                 j.cardinality, self.located.line("joins", i))
            for i, j in enumerate(raw.joins)
        )
        measures = {}
        for mname, rm in raw.measures.items():
            mpath = ("measures", mname)
            measures[mname] = Measure(
                mname, rm.entity, rm.agg, self.parse(rm.expr, mname, *mpath, "expr"),
                self.parse(rm.filter, mname, *mpath, "filter"), rm.min_count, rm.time, rm.type, rm.unit, rm.format,
                rm.label, rm.description, tuple(rm.synonyms), rm.split_measure, self.located.line(*mpath))
        derived = {}
        for dname, rd in raw.derived_measures.items():
            dpath = ("derived_measures", dname)
            formula = self.parse(rd.formula, dname, *dpath, "formula")
            derived[dname] = DerivedMeasure(
                dname, formula if formula is not None else MeasureRef("?"), rd.type, rd.unit, rd.format, rd.label,
                rd.description, tuple(rd.synonyms), rd.round, self.located.line(*dpath))
        materializations: dict[str, Materialization] = {
            name: self.materialization(name, raw_m) for name, raw_m in raw.materializations.items()}
        for ename, entity in entities.items():  # an entity's summary table is one too
            if entity.summary_table is not None and entity.summary_table not in materializations:
                materializations[entity.summary_table] = EntitySummary(entity.summary_table, f"{ename}'s summary",
                                                                       entity.line, ename)
        catalog = Catalog(self.file, entities, joins, dimensions, measures, derived, materializations, self.schema)
        for name, formula_member in derived.items():
            derived[name] = dataclasses.replace(formula_member, components=expand_components(catalog, name))
        members: list[Measure | DerivedMeasure | Dimension] = [*measures.values(), *derived.values(),
                                                               *dimensions.values()]
        for member in members:
            for synonym in member.synonyms:
                catalog.synonyms.setdefault(synonym.lower(), member.name)
        return catalog


def expand_components(catalog: Catalog, name: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The base measures behind a derived measure, in formula order, without duplicates (cycles cut)."""
    derived = catalog.derived.get(name)
    if derived is None:
        return (name,) if name in catalog.measures else ()
    out: list[str] = []
    for node in _measure_refs(derived.formula):
        if node in seen or node == name:
            continue
        for base in expand_components(catalog, node, (*seen, name)):
            if base not in out:
                out.append(base)
    return tuple(out)


def _measure_refs(node: Expr) -> list[str]:
    return [n.name for n in walk(node) if isinstance(n, MeasureRef)]


def _member_of(path: tuple[object, ...]) -> str:
    """The member a location belongs to: `patient.source`, `revenue`, `joins[2]`, `patient`."""
    if len(path) >= 4 and path[0] == "entities" and path[2] == "dimensions":
        return f"{path[1]}.{path[3]}"
    if len(path) >= 2 and path[0] in ("measures", "derived_measures", "entities", "materializations"):
        return str(path[1])
    if len(path) >= 2 and path[0] == "joins":
        return f"joins[{path[1]}]"
    return str(path[0]) if path else "catalog"


def pydantic_issues(err: ValidationError, located: LocatedYaml, file: str) -> list[Issue]:
    issues = []
    for problem in err.errors():
        loc = tuple(problem["loc"])
        path = tuple("from" if p == "from_" else p for p in loc)
        member = _member_of(path)
        field_name = ".".join(str(p) for p in path)
        kind = problem["type"]
        if kind == "extra_forbidden":
            fix = f"remove `{path[-1]}` (not a known key here)"
        elif kind == "missing":
            fix = f"add `{path[-1]}`"
        elif kind == "literal_error":
            fix = f"use {problem.get('ctx', {}).get('expected', 'an allowed value')}"
        else:
            fix = "see semantic/README.md for the catalog's shape"
        issues.append(Issue("structure", member, f"{field_name}: {problem['msg']}", fix, file,
                            located.line(*path)))
    return issues
