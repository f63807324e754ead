"""Catalog rules: each takes the built catalog and returns issues (never raises), MetricFlow style.

Every issue names the member, where it is written and how to fix it; the caller reports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from semantic.catalog.catalog import Catalog, suggest
from semantic.catalog.expr import ARITHMETIC, Call, Col, Dim, Lit, MeasureRef, deep_walk, walk
from semantic.catalog.exprtypes import NUMERIC, TEMPORAL, TypeCheck, compatible
from semantic.catalog.graph import describe, down_then_up, path_fans_out
from semantic.catalog.models import DerivedMeasure, Dimension, Measure
from semantic.catalog.yaml_lines import LocatedYaml
from semantic.errors import Issue
from semantic.schema import column_names, column_type, table_names


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
    for entity in ctx.catalog.entities.values():
        where = ("entities", entity.name)
        if entity.table not in table_names():
            yield ctx.issue("unknown_reference", entity.name, f"table {entity.table!r} is not in models.py",
                            _did_you_mean(entity.table, table_names()), *where, "table")
            continue
        if column_type(entity.table, entity.primary_key) is None:
            yield ctx.issue("unknown_reference", entity.name, f"primary key {entity.primary_key!r} is not a column of "
                            f"{entity.table!r}", _did_you_mean(entity.primary_key, column_names(entity.table)),
                            *where, "primary_key")
        if entity.summary_table is not None:
            if entity.summary_table not in table_names():
                yield ctx.issue("unknown_reference", entity.name, f"summary table {entity.summary_table!r} is not in "
                                "models.py", _did_you_mean(entity.summary_table, table_names()),
                                *where, "summary_table")
            elif entity.summary_key is None or column_type(entity.summary_table, entity.summary_key) is None:
                yield ctx.issue("unknown_reference", entity.name, f"summary_key {entity.summary_key!r} is not a "
                                f"column of {entity.summary_table!r}", "name the column holding the primary key",
                                *where, "summary_key")


def joins_are_well_formed(ctx: Context) -> Iterator[Issue]:
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
        if column_type(child_table, join.column) is None:
            yield ctx.issue("unknown_reference", member, f"{child_table!r} has no column {join.column!r}",
                            _did_you_mean(join.column, column_names(child_table)), *where, "column")
        if column_type(parent_table, join.to_column) is None:
            yield ctx.issue("unknown_reference", member, f"{parent_table!r} has no column {join.to_column!r}",
                            _did_you_mean(join.to_column, column_names(parent_table)), *where, "to_column")
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
            elif column_type(entity.summary_table, dimension.materialized) is None:
                yield ctx.issue("unknown_reference", dimension.name, f"{entity.summary_table!r} has no column "
                                f"{dimension.materialized!r}",
                                _did_you_mean(dimension.materialized, column_names(entity.summary_table)),
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
    for entity in ctx.catalog.entities.values():
        if entity.summary_table is None or entity.summary_table not in table_names():
            continue
        filled = {d.materialized for d in ctx.catalog.dimensions.values()
                  if d.entity == entity.name and d.materialized}
        for column in column_names(entity.summary_table):
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


def rollups_are_additive(ctx: Context) -> Iterator[Issue]:
    """A rollup's rows must sum to any range and any coarser grouping: counts and sums of one entity, by
    dimensions that split that entity's rows (no fan-out), on a time dimension of that entity's."""
    from semantic.catalog.models import ROLLUP_DIMENSIONS

    catalog = ctx.catalog
    for rollup in catalog.rollups.values():
        where = ("rollups", rollup.name)
        bases: list[Measure] = []
        for index, name in enumerate(rollup.measures):
            measure = catalog.measures.get(name)
            if measure is None:
                hint = ("a derived measure is computed from its base measures: list "
                        f"{', '.join(catalog.derived[name].components)}" if name in catalog.derived
                        else _did_you_mean(name, list(catalog.measures)))
                yield ctx.issue("rollup", rollup.name, f"{name!r} is not a base measure", hint,
                                *where, "measures", index)
            elif measure.min_count is not None or measure.agg not in ("count", "sum", "count_distinct") or (
                    measure.agg == "count_distinct" and rollup.time is not None):
                yield ctx.issue("rollup", rollup.name, f"{name!r} ({measure.agg}) does not add up across days or "
                                "groups", "roll up counts and sums per day; a distinct count only in a rollup without "
                                "`time` (read for exactly its groups); min, max, medians and 'at least N' counts are "
                                "computed from the rows", *where, "measures", index)
            else:
                bases.append(measure)
        if not rollup.measures:
            yield ctx.issue("rollup", rollup.name, "has no measures", "list the counts and sums to pre-aggregate",
                            *where)
        entities = {m.entity for m in bases}
        if len(entities) > 1:
            yield ctx.issue("rollup", rollup.name, f"mixes measures of {', '.join(sorted(entities))}",
                            "make one rollup per entity", *where, "measures")
            continue
        if len(rollup.dimensions) > ROLLUP_DIMENSIONS:
            yield ctx.issue("rollup", rollup.name, f"has {len(rollup.dimensions)} dimensions",
                            f"keep at most {ROLLUP_DIMENSIONS} (columns d0..d{ROLLUP_DIMENSIONS - 1} of rollup_rows)",
                            *where, "dimensions")
        home = next(iter(entities), None)
        time = catalog.dimensions.get(rollup.time) if rollup.time is not None else None
        if rollup.time is not None and (time is None or time.type != "time"):
            yield ctx.issue("rollup", rollup.name, f"time {rollup.time!r} is not a time dimension",
                            _did_you_mean(rollup.time, [d.name for d in catalog.dimensions.values()
                                                        if d.type == "time"]), *where, "time")
        named: list[str | None] = [rollup.time, *rollup.dimensions]
        for index, dim_name in enumerate(named):
            if dim_name is None:
                continue
            dimension = catalog.dimensions.get(dim_name)
            if dimension is None:
                if index:
                    yield ctx.issue("rollup", rollup.name, f"unknown dimension {dim_name!r}",
                                    _did_you_mean(dim_name, list(catalog.dimensions)), *where, "dimensions", index - 1)
                continue
            if index and (dimension.pii or dimension.filter_only or dimension.type == "time"):
                yield ctx.issue("rollup", rollup.name, f"{dim_name!r} cannot be a rollup dimension",
                                "use dimensions without personal data, not filter-only and not times (the time "
                                "is the rollup's day)", *where, "dimensions", index - 1)
            if home is not None:
                path = catalog.graph.path(home, dimension.entity)
                # below the measures' grain only plain counts, which count distinct keys there (a visit with two
                # services counts once under each); such a rollup answers only queries grouped by that dimension
                plain_counts = all((m.agg == "count" and m.expr is None) or m.agg == "count_distinct" for m in bases)
                if path is None or (path_fans_out(path) and (not index or not plain_counts)):
                    yield ctx.issue("rollup", rollup.name, f"{dim_name!r} does not split {home!r} rows "
                                    f"({'no join path' if path is None else 'one-to-many join'})",
                                    "use dimensions reached from the measures' entity through many-to-one joins "
                                    "(or, below its grain, roll up only plain counts)",
                                    *where, *(("dimensions", index - 1) if index else ("time",)))


def chains_are_one_distinct_count(ctx: Context) -> Iterator[Issue]:
    """A chain serves distinct counts of one value: same entity, value, filter and time, at least N rows
    for N up to the chain's depth."""
    from semantic.catalog.models import CHAIN_DEPTH, CHAIN_DIMENSIONS

    catalog = ctx.catalog
    for chain in catalog.chains.values():
        where = ("chains", chain.name)
        if not chain.measures:
            yield ctx.issue("chain", chain.name, "has no measures", "list the distinct counts it serves", *where)
        bases: list[Measure] = []
        for index, name in enumerate(chain.measures):
            measure = catalog.measures.get(name)
            if measure is None:
                distinct = [m.name for m in catalog.measures.values() if m.agg == "count_distinct"]
                yield ctx.issue("chain", chain.name, f"{name!r} is not a base measure",
                                _did_you_mean(name, distinct), *where, "measures", index)
            elif measure.agg != "count_distinct" or measure.time is None:
                yield ctx.issue("chain", chain.name, f"{name!r} is not a distinct count with a time",
                                "a chain serves count_distinct measures that have a default time; counts and sums "
                                "belong in a rollup", *where, "measures", index)
            elif (measure.min_count or 1) > CHAIN_DEPTH:
                yield ctx.issue("chain", chain.name, f"{name!r} needs {measure.min_count} rows per value",
                                f"a chain keeps {CHAIN_DEPTH} previous rows (chain_rows.prev1..prev{CHAIN_DEPTH}); "
                                "leave this measure out (it is computed from the rows)", *where, "measures", index)
            else:
                bases.append(measure)
        shapes = {(m.entity, m.expr, m.filter, m.time) for m in bases}
        if len(shapes) > 1:
            yield ctx.issue("chain", chain.name, "mixes distinct counts of different values, filters or times",
                            "make one chain per (entity, value, filter, time)", *where, "measures")
            continue
        if len(chain.dimensions) > CHAIN_DIMENSIONS:
            yield ctx.issue("chain", chain.name, f"has {len(chain.dimensions)} dimensions",
                            f"keep at most {CHAIN_DIMENSIONS} (columns d0..d{CHAIN_DIMENSIONS - 1} of chain_rows)",
                            *where, "dimensions")
        value = bases[0].expr if bases else None
        edge = catalog.graph.foreign_key(bases[0].entity, value.name) if isinstance(value, Col) else None
        for index, name in enumerate(chain.dimensions):
            dimension = catalog.dimensions.get(name)
            if dimension is None:
                yield ctx.issue("chain", chain.name, f"unknown dimension {name!r}",
                                _did_you_mean(name, list(catalog.dimensions)), *where, "dimensions", index)
                continue
            path = catalog.graph.path(bases[0].entity, dimension.entity) if bases else None
            if bases and (edge is None or not path or path[0] != edge or path_fans_out(path)):
                yield ctx.issue("chain", chain.name, f"{name!r} is not an attribute of the counted value",
                                "store dimensions of the entity the value's foreign key reaches (a patient's "
                                "source for distinct patients)", *where, "dimensions", index)
            elif dimension.pii or dimension.filter_only or dimension.type == "time":
                yield ctx.issue("chain", chain.name, f"{name!r} cannot be a chain dimension",
                                "use dimensions without personal data, not filter-only and not times",
                                *where, "dimensions", index)


def bridges_go_down_then_up(ctx: Context) -> Iterator[Issue]:
    """A bridge links an entity to one reached through one-to-many joins, then many-to-one ones (patient -<
    appointment -< service line -> service), one bridge per pair."""
    catalog = ctx.catalog
    seen: dict[tuple[str, str], str] = {}
    for bridge in catalog.bridges.values():
        where = ("bridges", bridge.name)
        unknown = [(field, name) for field, name in (("from", bridge.source), ("to", bridge.target))
                   if name not in catalog.entities]
        for field, name in unknown:
            yield ctx.issue("bridge", bridge.name, f"unknown entity {name!r}",
                            _did_you_mean(name, list(catalog.entities)), *where, field)
        if unknown:
            continue
        path = catalog.graph.path(bridge.source, bridge.target)
        if path is None:
            yield ctx.issue("bridge", bridge.name, f"{bridge.target!r} cannot be reached from {bridge.source!r}",
                            "declare the joins between them", *where)
        elif not path_fans_out(path):
            yield ctx.issue("bridge", bridge.name, f"{describe(path)} has no one-to-many join",
                            "remove it: a filter through many-to-one joins is a plain join, not an EXISTS", *where)
        elif down_then_up(path) is None:
            yield ctx.issue("bridge", bridge.name, f"{describe(path)} goes up a many-to-one join, then down again",
                            "bridge to an entity reached by one-to-many joins, then many-to-one ones", *where)
        pair = (bridge.source, bridge.target)
        if pair in seen:
            yield ctx.issue("bridge", bridge.name, f"repeats bridge {seen[pair]!r} ({bridge.source} to "
                            f"{bridge.target})", "keep one of them", *where)
        seen.setdefault(pair, bridge.name)


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
    rollups_are_additive,
    chains_are_one_distinct_count,
    bridges_go_down_then_up,
)
