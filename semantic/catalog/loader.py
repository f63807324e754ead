"""`metrics.yaml` -> a validated `Catalog`, or a `CatalogError` listing every issue with file:line."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from semantic.catalog.catalog import Catalog
from semantic.catalog.expr import Expr, ExprSyntaxError, MeasureRef, parse_expr
from semantic.catalog.models import (
    GRAINS,
    Bridge,
    Chain,
    DerivedMeasure,
    Dimension,
    Entity,
    Join,
    Measure,
    RawCatalog,
    Rollup,
    SearchSpec,
)
from semantic.catalog.yaml_lines import LocatedYaml, load_yaml_with_lines
from semantic.errors import CatalogError, Issue


class _Builder:
    def __init__(self, located: LocatedYaml, file: str) -> None:
        self.located = located
        self.file = file
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
                    rdim.unit, rdim.format, rdim.materialized, self.located.line(*path))
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
        rollups = {name: Rollup(name, rr.time, tuple(rr.dimensions), tuple(rr.measures), rr.description,
                                self.located.line("rollups", name))
                   for name, rr in raw.rollups.items()}
        chains = {name: Chain(name, tuple(rc.measures), tuple(rc.dimensions), rc.description,
                              self.located.line("chains", name))
                  for name, rc in raw.chains.items()}
        bridges = {name: Bridge(name, rb.from_, rb.to, rb.description, self.located.line("bridges", name))
                   for name, rb in raw.bridges.items()}
        catalog = Catalog(self.file, entities, joins, dimensions, measures, derived, rollups, chains, bridges)
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
    from semantic.catalog.expr import walk

    return [n.name for n in walk(node) if isinstance(n, MeasureRef)]


def _member_of(path: tuple[object, ...]) -> str:
    """The member a location belongs to: `patient.source`, `revenue`, `joins[2]`, `patient`."""
    if len(path) >= 4 and path[0] == "entities" and path[2] == "dimensions":
        return f"{path[1]}.{path[3]}"
    if len(path) >= 2 and path[0] in ("measures", "derived_measures", "entities", "rollups", "chains", "bridges"):
        return str(path[1])
    if len(path) >= 2 and path[0] == "joins":
        return f"joins[{path[1]}]"
    return str(path[0]) if path else "catalog"


def _pydantic_issues(err: ValidationError, located: LocatedYaml, file: str) -> list[Issue]:
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


def build_catalog(text: str, file: str = "metrics.yaml") -> Catalog:
    """Parse, build and validate; raises `CatalogError` with every issue found."""
    from semantic.validation import validate

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
        raise CatalogError([*issues, *_pydantic_issues(err, located, file)]) from None
    builder = _Builder(located, file)
    catalog = builder.build(raw)
    catalog.fingerprint = hashlib.sha256(f"{file}\0{text}".encode()).hexdigest()[:16]
    issues += builder.issues
    issues += validate(catalog, located)
    if issues:
        raise CatalogError(issues)
    return catalog


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path)
    return build_catalog(path.read_text(), path.name)
