"""Ad hoc aggregates named in a query's `measures` (contract additions, section 2): `avg(D)`, `sum(D)`, `min(D)`,
`max(D)`, `median(D)`, `p10(D)` ... `p99(D)` over a number dimension D, and `count_distinct(E.id)` for an entity E.

Each becomes a base measure of its own, at D's entity grain (one value per patient for `avg(patient.age)`, one
per line for `sum(service_line.list_price)`), named as written: the planner then treats it like a catalog measure
(its own aggregate, never multiplied by a join; fan-out, time and the agent scope's rules and contributor counts
alike). `with_adhoc` returns the catalog with them added for one query; the catalog itself never changes.

Its default time dimension (a `time` without `dimension`) is its entity's: that of the entity's first plain count
in the catalog (`appointment_count`: appointment.start_at), else of its first measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from semantic.catalog import Catalog, Dimension, suggest
from semantic.catalog import expr as E
from semantic.catalog.models import Measure
from semantic.errors import FORBIDDEN_MEMBER, INVALID_QUERY, UNKNOWN_MEMBER, QueryError
from semantic.planner.nodes import Scope
from semantic.query import Query

CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([^()]*?)\s*\)\s*$")
PERCENTILE = re.compile(r"^p([1-9][0-9]?)$")
VALUE_FUNCTIONS = ("avg", "sum", "min", "max", "median")
FUNCTIONS = (*VALUE_FUNCTIONS, "p10", "p25", "p75", "p90", "count_distinct")  # the forms suggested
LABELS = {"avg": "Average", "sum": "Sum", "min": "Minimum", "max": "Maximum", "median": "Median"}


@dataclass(frozen=True)
class Call:
    function: str  # avg, sum, min, max, median, percentile, count_distinct
    argument: str
    fraction: float | None = None


def looks_adhoc(name: str) -> bool:
    """Whether a measure name is written as a call (`avg(patient.age)`)."""
    return "(" in name


def parse(name: str, path: str) -> Call:
    """`avg(patient.age)` -> Call("avg", "patient.age"); an unknown function is `unknown_member` naming the forms."""
    found = CALL.match(name)
    if found is None:
        raise QueryError(UNKNOWN_MEMBER, f"{name!r} is neither a measure nor an ad hoc aggregate; write one as "
                         "avg(D), sum(D), min(D), max(D), median(D), p10(D) ... p99(D) over a number dimension D, or "
                         "count_distinct(E.id)", path, ["avg(patient.age)", "count_distinct(patient.id)"])
    function, argument = found.group(1).lower(), found.group(2)
    if function in (*VALUE_FUNCTIONS, "count_distinct"):
        return Call(function, argument)
    percentile = PERCENTILE.match(function)
    if percentile is not None:
        return Call("percentile", argument, int(percentile.group(1)) / 100)
    close = suggest(function, (*VALUE_FUNCTIONS, "count_distinct", "p50"))
    if function in ("mean", "average"):
        close = ["avg"]
    elif function in ("count", "distinct", "count_unique", "unique"):
        close = ["count_distinct"]
    raise QueryError(UNKNOWN_MEMBER, f"unknown aggregate function {function!r} in {name!r}: use avg, sum, min, max, "
                     "median, p1 ... p99 (p10, p90: percentiles) over a number dimension, or count_distinct(E.id)",
                     path, [f"{f}({argument})" for f in close] or [f"{f}({argument})" for f in FUNCTIONS[:5]])


def number_dimensions(catalog: Catalog, entity: str | None = None) -> list[str]:
    """The dimensions a value aggregate takes (of `entity`, or all)."""
    return [d.name for d in catalog.dimensions.values()
            if d.type in ("number", "integer") and not d.filter_only and not d.identifier
            and (entity is None or d.entity == entity)]


def entity_ids(catalog: Catalog) -> list[str]:
    """`E.id` for every entity whose key has a dimension by that name."""
    return [f"{name}.id" for name in catalog.entities if f"{name}.id" in catalog.dimensions]


def default_time(catalog: Catalog, entity: str) -> str | None:
    """The entity's default time dimension: its first plain count's, else its first measure's."""
    own = [m for m in catalog.measures.values() if m.entity == entity and not m.adhoc]
    plain = [m for m in own if m.agg == "count" and m.filter is None and m.expr is None]
    for measure in (*plain, *own):
        if measure.time is not None:
            return measure.time
    return None


def build(catalog: Catalog, name: str, path: str, scope: Scope) -> Measure:
    """The measure an ad hoc aggregate stands for; refused with the valid forms or dimensions as suggestions."""
    call = parse(name, path)
    if call.function == "count_distinct":
        return _count_distinct(catalog, name, call, path)
    dimension = _value_dimension(catalog, name, call, path, scope)
    # money stays integer cents (an average of amounts is rounded to the cent, semantic/render/aggregate.py)
    integer = (dimension.type == "integer" and call.function in ("sum", "min", "max")) or dimension.unit == "cents"
    if call.function == "percentile":
        assert call.fraction is not None
        label = f"{_ordinal(round(call.fraction * 100))} percentile of {dimension.label}"
    else:
        label = f"{LABELS[call.function]} of {dimension.label}"
    return Measure(
        name=name, entity=dimension.entity, agg=call.function, expr=E.Dim(dimension.name),  # type: ignore[arg-type]
        filter=None, min_count=None, time=default_time(catalog, dimension.entity),
        type="integer" if integer else "number", unit=dimension.unit, format=dimension.format, label=label,
        description=f"{label}: one value per {dimension.entity} row (rows without a value left out).",
        synonyms=(), split_measure=None, line=0, fraction=call.fraction, adhoc=True)


def _value_dimension(catalog: Catalog, name: str, call: Call, path: str, scope: Scope) -> Dimension:
    function = name.split("(", 1)[0].strip()
    dimension = catalog.dimensions.get(call.argument)
    pool = number_dimensions(catalog)
    if dimension is None:
        why = (f"{call.argument!r} is a measure: an ad hoc aggregate takes a number dimension"
               if catalog.measure(call.argument) is not None else f"unknown dimension {call.argument!r} in {name!r}")
        raise QueryError(UNKNOWN_MEMBER, why, path,
                         [f"{function}({d})" for d in suggest(call.argument, pool, catalog.synonyms)] or
                         [f"{function}({d})" for d in pool[:3]])
    if dimension.identifier:
        raise QueryError(INVALID_QUERY, f"{dimension.name!r} names one record; count records with "
                         f"count_distinct({dimension.entity}.id)", path, [f"count_distinct({dimension.entity}.id)"])
    if dimension.type not in ("number", "integer") or dimension.filter_only:
        same = number_dimensions(catalog, dimension.entity)
        counted = [f"count_distinct({dimension.entity}.id)"] if f"{dimension.entity}.id" in catalog.dimensions else []
        raise QueryError(INVALID_QUERY, f"{function} takes a number dimension; {dimension.name!r} is a "
                         f"{dimension.type}" + (f" (number dimensions of {dimension.entity}: {', '.join(same)})"
                                                if same else ""), path,
                         [f"{function}({d})" for d in same[:3]] + counted)
    if scope == "agent" and dimension.pii:
        raise QueryError(FORBIDDEN_MEMBER, f"{dimension.name!r} is personal data; the agent role may not use it",
                         path, [])
    return dimension


def _count_distinct(catalog: Catalog, name: str, call: Call, path: str) -> Measure:
    ids = entity_ids(catalog)
    entity_name, _, short = call.argument.partition(".")
    entity = catalog.entities.get(entity_name)
    if entity is None or short != "id" or call.argument not in catalog.dimensions:
        near = [i for i in ids if i.split(".")[0] == entity_name] or suggest(call.argument, ids)
        raise QueryError(INVALID_QUERY if entity is not None else UNKNOWN_MEMBER,
                         f"count_distinct counts an entity's records: count_distinct(E.id) with E one of "
                         f"{', '.join(i.split('.')[0] for i in ids)}; not {call.argument!r}", path,
                         [f"count_distinct({i})" for i in near] or [f"count_distinct({i})" for i in ids[:3]])
    label = f"Distinct {entity.label.lower()} count" if entity.label else f"Distinct {entity_name} count"
    return Measure(
        name=name, entity=entity_name, agg="count_distinct", expr=E.Col(entity.primary_key), filter=None,
        min_count=None, time=default_time(catalog, entity_name), type="integer", unit="count", format="integer",
        label=label, description=f"Distinct {entity_name} records ({entity.grain}).", synonyms=(),
        split_measure=None, line=0, adhoc=True)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def with_adhoc(query: Query, catalog: Catalog, scope: Scope) -> Catalog:
    """`catalog` with the query's ad hoc aggregates (in `measures` and `having`) added as measures; itself when it
    names none."""
    named = [(f"measures[{i}]", name) for i, name in enumerate(query.measures)]
    named += [(f"having[{i}].field", h.field) for i, h in enumerate(query.having)]
    built: dict[str, Measure] = {}
    for path, name in named:
        if name in built or catalog.measure(name) is not None or not looks_adhoc(name):
            continue
        built[name] = build(catalog, name, path, scope)
    return catalog.with_measures(built) if built else catalog
