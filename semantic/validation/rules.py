"""Catalog rules: each takes the built catalog and returns issues (never raises), MetricFlow style.

Every issue names the member, where it is written and how to fix it; the caller reports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from semantic.catalog.catalog import Catalog, suggest
from semantic.catalog.expr import ARITHMETIC, Call, Dim, Lit, MeasureRef, deep_walk, walk
from semantic.catalog.exprtypes import NUMERIC, TEMPORAL, TypeCheck, compatible
from semantic.catalog.graph import describe, path_fans_out
from semantic.catalog.models import DerivedMeasure, Dimension, Measure
from semantic.catalog.yaml_lines import LocatedYaml
from semantic.errors import Issue


@dataclass
class Context:
    catalog: Catalog
    located: LocatedYaml | None
    types: TypeCheck

    def issue(self, rule: str, member: str, message: str, fix: str, *path: str | int) -> Issue:
        line = self.located.line(*path) if self.located is not None else 0
        return Issue(rule, member, message, fix, self.catalog.file, line)


Rule = Callable[[Context], Iterator[Issue]]


def _did_you_mean(name: str, pool: list[str], synonyms: dict[str, str] | None = None) -> str:
    close = suggest(name, pool, synonyms)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else f"use one of {', '.join(pool)}"


def entities_exist_in_schema(ctx: Context) -> Iterator[Issue]:
    schema = ctx.catalog.schema
    for entity in ctx.catalog.entities.values():
        where = ("entities", entity.name)
        if entity.table not in schema.table_names():
            yield ctx.issue("unknown_reference", entity.name, f"table {entity.table!r} is not in models.py",
                            _did_you_mean(entity.table, schema.table_names()), *where, "table")
            continue
        if schema.column_type(entity.table, entity.primary_key) is None:
            yield ctx.issue("unknown_reference", entity.name, f"primary key {entity.primary_key!r} is not a column of "
                            f"{entity.table!r}", _did_you_mean(entity.primary_key, schema.column_names(entity.table)),
                            *where, "primary_key")
        if entity.summary_table is not None:
            if entity.summary_table not in schema.table_names():
                yield ctx.issue("unknown_reference", entity.name, f"summary table {entity.summary_table!r} is not in "
                                "models.py", _did_you_mean(entity.summary_table, schema.table_names()),
                                *where, "summary_table")
            elif entity.summary_key is None or schema.column_type(entity.summary_table, entity.summary_key) is None:
                yield ctx.issue("unknown_reference", entity.name, f"summary_key {entity.summary_key!r} is not a "
                                f"column of {entity.summary_table!r}", "name the column holding the primary key",
                                *where, "summary_key")


def joins_are_well_formed(ctx: Context) -> Iterator[Issue]:
    schema = ctx.catalog.schema
    catalog = ctx.catalog
    seen: dict[frozenset[str], int] = {}
    for index, join in enumerate(catalog.joins):
        where = ("joins", index)
        member = f"join {join.child} -> {join.parent}"
        ok = True
        for side in (join.child, join.parent):
            if side not in catalog.entities:
                ok = False
                yield ctx.issue("unknown_reference", member, f"unknown entity {side!r}",
                                _did_you_mean(side, list(catalog.entities)), *where)
        if not ok:
            continue
        child_table = catalog.entities[join.child].table
        parent_table = catalog.entities[join.parent].table
        if schema.column_type(child_table, join.column) is None:
            yield ctx.issue("unknown_reference", member, f"{child_table!r} has no column {join.column!r}",
                            _did_you_mean(join.column, schema.column_names(child_table)), *where, "column")
        if schema.column_type(parent_table, join.to_column) is None:
            yield ctx.issue("unknown_reference", member, f"{parent_table!r} has no column {join.to_column!r}",
                            _did_you_mean(join.to_column, schema.column_names(parent_table)), *where, "to_column")
        pair = frozenset((join.child, join.parent))
        if pair in seen:
            yield ctx.issue("ambiguous_join", member, f"{join.child!r} and {join.parent!r} are already joined "
                            f"(line {seen[pair]})", "keep one join per pair of entities", *where)
        seen.setdefault(pair, join.line)


def join_paths_are_unambiguous(ctx: Context) -> Iterator[Issue]:
    reported: set[frozenset[str]] = set()
    for (source, target), (first, second) in sorted(ctx.catalog.graph.ambiguous.items()):
        pair = frozenset((source, target))
        if pair in reported:
            continue
        reported.add(pair)
        line = max(e.line for e in ctx.catalog.joins
                   if {e.child, e.parent} & {edge.dst for edge in second})
        yield Issue("ambiguous_join", f"{source} -> {target}",
                    f"two equally short join paths: {describe(first)} and {describe(second)}",
                    "remove one of the joins, or give the entity a direct join so one path is shortest",
                    ctx.catalog.file, line)


def dimensions_type_check(ctx: Context) -> Iterator[Issue]:
    schema = ctx.catalog.schema
    catalog = ctx.catalog
    for dimension in catalog.dimensions.values():
        where = ("entities", dimension.entity, "dimensions", dimension.short)
        if dimension.entity not in catalog.entities:
            continue
        before = len(ctx.types.problems)
        inferred = ctx.types.infer(dimension.expr, dimension.entity) if dimension.expr is not None else dimension.type
        if dimension.search is not None:
            for node in (dimension.search.text, dimension.search.digits):
                if node is not None and ctx.types.infer(node, dimension.entity) not in ("string", "null"):
                    ctx.types.problem("search text and digits must be strings")
        for message, fix in ctx.types.problems[before:]:
            yield ctx.issue("invalid_expression", dimension.name, message, fix or "fix the expression",
                            *where, "expr")
        if not compatible(inferred, dimension.type):
            yield ctx.issue("type_mismatch", dimension.name, f"declared {dimension.type} but the expression is "
                            f"{inferred}", f"declare `type: {inferred}` or change the expression", *where, "type")
        if dimension.grains and dimension.type not in TEMPORAL:
            yield ctx.issue("invalid_grain", dimension.name, f"grains on a {dimension.type} dimension",
                            "remove `grains` (only time and date dimensions have them)", *where, "grains")
        if dimension.search is not None and dimension.type != "string":
            yield ctx.issue("invalid_search", dimension.name, "a search dimension must be a string",
                            "declare `type: string`", *where)
        if dimension.materialized is not None:
            entity = catalog.entities[dimension.entity]
            if entity.summary_table is None:
                yield ctx.issue("unknown_reference", dimension.name, f"materialized, but entity {entity.name!r} has "
                                "no summary_table", "declare summary_table and summary_key on the entity",
                                *where, "materialized")
            elif schema.column_type(entity.summary_table, dimension.materialized) is None:
                yield ctx.issue("unknown_reference", dimension.name, f"{entity.summary_table!r} has no column "
                                f"{dimension.materialized!r}",
                                _did_you_mean(dimension.materialized, schema.column_names(entity.summary_table)),
                                *where, "materialized")


def dimensions_are_acyclic(ctx: Context) -> Iterator[Issue]:
    catalog = ctx.catalog

    def refs(name: str) -> list[str]:
        dimension = catalog.dimensions[name]
        found = []
        exprs = [dimension.expr] if dimension.expr is not None else []
        if dimension.search is not None:
            exprs += [e for e in (dimension.search.text, dimension.search.digits) if e is not None]
        for root in exprs:
            for node, entity in deep_walk(root, dimension.entity):
                if isinstance(node, Dim) and entity in catalog.entities:
                    resolved = catalog.resolve_dim_ref(entity, node.name)
                    if not isinstance(resolved, str):
                        found.append(resolved.dimension.name)
        return found

    graph = {name: refs(name) for name in catalog.dimensions}
    reported: set[frozenset[str]] = set()
    for start in graph:
        stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
        while stack:
            here, trail = stack.pop()
            for nxt in graph[here]:
                if nxt == start:
                    cycle = frozenset(trail)
                    if cycle not in reported:
                        reported.add(cycle)
                        dimension = catalog.dimensions[start]
                        yield ctx.issue("cycle", start, f"dimensions refer to each other in a cycle: "
                                        f"{' -> '.join((*trail, start))}", "compute one of them from columns",
                                        "entities", dimension.entity, "dimensions", dimension.short)
                elif nxt not in trail:
                    stack.append((nxt, (*trail, nxt)))


def summaries_are_complete(ctx: Context) -> Iterator[Issue]:
    """Every column of a summary table must be filled by some dimension, or the refresh cannot build it."""
    schema = ctx.catalog.schema
    for entity in ctx.catalog.entities.values():
        if entity.summary_table is None or entity.summary_table not in schema.table_names():
            continue
        filled = {d.materialized for d in ctx.catalog.dimensions.values()
                  if d.entity == entity.name and d.materialized}
        for column in schema.column_names(entity.summary_table):
            if column in (entity.summary_key, "as_of", "as_of_time") or column in filled:
                continue
            yield ctx.issue("incomplete_summary", entity.name, f"no dimension fills {entity.summary_table}.{column}",
                            f"add `materialized: {column}` to the dimension that defines it",
                            "entities", entity.name, "summary_table")


def measures_are_well_formed(ctx: Context) -> Iterator[Issue]:
    catalog = ctx.catalog
    for measure in catalog.measures.values():
        where = ("measures", measure.name)
        if measure.entity not in catalog.entities:
            yield ctx.issue("unknown_reference", measure.name, f"unknown entity {measure.entity!r}",
                            _did_you_mean(measure.entity, list(catalog.entities)), *where, "entity")
            continue
        before = len(ctx.types.problems)
        expr_type = ctx.types.infer(measure.expr, measure.entity) if measure.expr is not None else "integer"
        if measure.filter is not None and ctx.types.infer(measure.filter, measure.entity) not in ("boolean", "null"):
            ctx.types.problem("filter must be a boolean expression")
        for message, fix in ctx.types.problems[before:]:
            yield ctx.issue("invalid_expression", measure.name, message, fix or "fix the expression", *where)
        if measure.agg in ("sum", "avg", "median") and expr_type not in (*NUMERIC, "null"):
            yield ctx.issue("invalid_aggregation", measure.name, f"{measure.agg} over a {expr_type} expression",
                            "aggregate a numeric expression, or use count/count_distinct", *where, "agg")
        if measure.agg != "count" and measure.expr is None:
            yield ctx.issue("invalid_aggregation", measure.name, f"{measure.agg} needs an `expr`",
                            "add `expr:` (only `count` counts rows without one)", *where, "agg")
        if measure.agg in ("count", "count_distinct") and measure.type != "integer":
            yield ctx.issue("type_mismatch", measure.name, f"a {measure.agg} is an integer, declared {measure.type}",
                            "declare `type: integer`", *where, "type")
        if measure.min_count is not None and measure.agg != "count_distinct":
            yield ctx.issue("invalid_aggregation", measure.name, "min_count only applies to count_distinct",
                            "remove min_count or use `agg: count_distinct`", *where, "min_count")
        if measure.time is not None:
            time_dim = catalog.dimensions.get(measure.time)
            if time_dim is None:
                yield ctx.issue("unknown_reference", measure.name, f"unknown time dimension {measure.time!r}",
                                _did_you_mean(measure.time, [d.name for d in catalog.dimensions.values()
                                                             if d.kind == "time"]), *where, "time")
            elif time_dim.kind != "time":
                yield ctx.issue("invalid_time", measure.name, f"{measure.time!r} is not a time dimension",
                                "name a dimension of type time", *where, "time")
            else:
                path = catalog.graph.path(measure.entity, time_dim.entity)
                if path is None or (path_fans_out(path) and not measure.idempotent):
                    yield ctx.issue("invalid_time", measure.name, f"{measure.time!r} is not one value per "
                                    f"{measure.entity} row", "use a time dimension of the measure's entity or of "
                                    "an entity it joins many-to-one", *where, "time")
        if measure.split_measure is not None and measure.split_measure not in catalog.measures:
            yield ctx.issue("unknown_reference", measure.name, f"split_measure {measure.split_measure!r} is unknown",
                            _did_you_mean(measure.split_measure, list(catalog.measures), catalog.synonyms),
                            *where, "split_measure")


def derived_measures_resolve(ctx: Context) -> Iterator[Issue]:
    catalog = ctx.catalog
    known = [*catalog.measures, *catalog.derived]
    for derived in catalog.derived.values():
        where = ("derived_measures", derived.name)
        for node in walk(derived.formula):
            if isinstance(node, MeasureRef):
                if node.name == "?":
                    continue
                if node.name not in known:
                    yield ctx.issue("unknown_reference", derived.name, f"unknown measure {node.name!r}",
                                    _did_you_mean(node.name, known, catalog.synonyms), *where, "formula")
            elif not (isinstance(node, Lit) or (isinstance(node, Call) and node.op in ARITHMETIC)):
                yield ctx.issue("invalid_expression", derived.name, f"a formula combines measures with "
                                f"{', '.join(ARITHMETIC)} and literals only, found {type(node).__name__}",
                                "compute row-level logic in a base measure's expr or filter", *where, "formula")


def derived_measures_are_acyclic(ctx: Context) -> Iterator[Issue]:
    derived = ctx.catalog.derived

    def refs(name: str) -> list[str]:
        return [n.name for n in walk(derived[name].formula) if isinstance(n, MeasureRef) and n.name in derived]

    reported: set[frozenset[str]] = set()
    for start in derived:
        stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
        while stack:
            here, trail = stack.pop()
            for nxt in refs(here):
                if nxt == start:
                    cycle = frozenset(trail)
                    if cycle not in reported:
                        reported.add(cycle)
                        yield ctx.issue("cycle", start, f"derived measures refer to each other in a cycle: "
                                        f"{' -> '.join((*trail, start))}",
                                        "define one of them from base measures", "derived_measures", start)
                elif nxt not in trail:
                    stack.append((nxt, (*trail, nxt)))


def names_are_unique(ctx: Context) -> Iterator[Issue]:
    catalog = ctx.catalog
    for name in catalog.derived:
        if name in catalog.measures:
            yield ctx.issue("duplicate_name", name, "is both a measure and a derived measure",
                            "rename one of them", "derived_measures", name)
    owners: dict[str, str] = {}
    names = set(catalog.member_names())
    members: list[Measure | DerivedMeasure | Dimension] = [*catalog.measures.values(), *catalog.derived.values(),
                                                           *catalog.dimensions.values()]
    for member in members:
        for synonym in member.synonyms:
            key = synonym.lower()
            path = (("measures", member.name) if member.name in catalog.measures else
                    ("derived_measures", member.name) if member.name in catalog.derived else
                    ("entities", member.name.split(".")[0], "dimensions", member.name.split(".", 1)[-1]))
            if key in names and key != member.name:
                yield ctx.issue("duplicate_name", member.name, f"synonym {synonym!r} is the name of another member",
                                f"remove {synonym!r} from synonyms", *path, "synonyms")
            elif key in owners and owners[key] != member.name:
                yield ctx.issue("duplicate_name", member.name, f"synonym {synonym!r} also belongs to "
                                f"{owners[key]!r}", f"keep {synonym!r} on one member only", *path, "synonyms")
            owners.setdefault(key, member.name)


def materializations_are_valid(ctx: Context) -> Iterator[Issue]:
    """Each materialization's own checks (semantic/materialize/): what it may store and serve."""
    for materialization in ctx.catalog.materializations.values():
        if materialization.kind == "summary":
            continue  # checked with its entity (summaries_are_complete)
        for problem in materialization.validate(ctx.catalog):
            yield ctx.issue(materialization.kind, materialization.name, problem.message, problem.fix,
                            "materializations", materialization.name, *problem.at)


def bridges_are_one_per_pair(ctx: Context) -> Iterator[Issue]:
    seen: dict[tuple[str, str], str] = {}
    for materialization in ctx.catalog.materializations.values():
        if materialization.kind != "bridge":
            continue
        pair = (materialization.source, materialization.target)  # type: ignore[attr-defined]
        if pair in seen:
            yield ctx.issue("bridge", materialization.name, f"repeats bridge {seen[pair]!r} ({pair[0]} to "
                            f"{pair[1]})", "keep one of them", "materializations", materialization.name)
        seen.setdefault(pair, materialization.name)


RULES: tuple[Rule, ...] = (
    entities_exist_in_schema,
    joins_are_well_formed,
    join_paths_are_unambiguous,
    dimensions_type_check,
    dimensions_are_acyclic,
    summaries_are_complete,
    measures_are_well_formed,
    derived_measures_resolve,
    derived_measures_are_acyclic,
    names_are_unique,
    materializations_are_valid,
    bridges_are_one_per_pair,
)
