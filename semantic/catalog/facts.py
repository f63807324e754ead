"""Facts about the catalog's members that clients working from words need, without reading expressions:
how a dimension's values behave (categories, ordered bands, numbers), which band coarsens a number, which
dimensions hold the business's own names, what a count counts, and what a measure may not be filtered by.

The question parser (service/ask/) builds its vocabulary from these; they are derived from the catalog's
definitions here, so no client depends on the expression language.
"""

from __future__ import annotations

import re
from typing import Literal

from semantic.catalog.catalog import Catalog
from semantic.catalog.expr import Bands, Call, Col, DatePart, Diff, Dim
from semantic.catalog.graph import path_fans_out
from semantic.catalog.models import Dimension, Measure

Role = Literal["category", "ordinal", "number"]


def dimension_role(catalog: Catalog, name: str) -> Role | None:
    """How a question groups by it: named categories, ordered values (bands, dates, weekdays), or numbers;
    None for booleans and times (not grouped by from words)."""
    dimension = catalog.dimensions[name]
    expr = dimension.expr
    if dimension.type == "string":
        return "ordinal" if isinstance(expr, Bands) else "category"
    if dimension.type == "date":
        return "ordinal"
    if dimension.type in ("number", "integer"):
        if isinstance(expr, DatePart) or (isinstance(expr, Diff) and expr.unit == "months"):
            return "ordinal"
        return "number"
    return None


def band_of(catalog: Catalog, name: str) -> str | None:
    """The banded dimension to group a number by: its declared coarse form, else a band computed from it."""
    coarse = catalog.dimensions[name].privacy.coarsen_to
    if coarse is not None and coarse in catalog.dimensions:
        return coarse
    for candidate in catalog.dimensions.values():
        if isinstance(candidate.expr, Bands) and isinstance(candidate.expr.of, Dim):
            target = candidate.expr.of.name
            qualified = target if "." in target else f"{candidate.entity}.{target}"
            if qualified == name:
                return candidate.name
    return None


def band_labels(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """The values of banded dimensions, known from the catalog itself (patient.age_band: 18-24, ...): the labels
    that name one band of one dimension only and are more than a number ("65+" and "18-24" are; "2" or "$0",
    which several bands share or a question uses as a number, are not)."""
    bands = {d.name: d.expr.labels for d in catalog.dimensions.values() if isinstance(d.expr, Bands) and not d.pii}
    seen: dict[str, int] = {}
    for labels in bands.values():
        for text in labels:
            seen[text] = seen.get(text, 0) + 1
    out = {}
    for name, labels in bands.items():
        kept = tuple(t for t in labels if seen[t] == 1 and not re.fullmatch(r"[$\d.,]+", t) and "$" not in t)
        if kept:
            out[name] = kept
    return out


def names_things(dimension: Dimension) -> bool:
    """Whether its values name things of the business (sources, services, providers, statuses, methods): a
    string read straight from a column (or columns joined), never personal, never an identifier or a fine
    patient attribute."""
    if dimension.type != "string" or dimension.pii or dimension.filter_only or dimension.identifier:
        return False
    if dimension.quasi_identifier or dimension.name.endswith((".id", "_id")):
        return False
    expr = dimension.expr
    return isinstance(expr, Col) or (isinstance(expr, Call) and expr.op == "concat"
                                     and all(isinstance(a, Col) or not isinstance(a, Dim) for a in expr.args))


def counted_rows(catalog: Catalog, measure: Measure) -> tuple[str, str | None] | None:
    """(entity, flag) when the measure counts its entity's rows: all of them, or those with one boolean flag."""
    if measure.agg != "count":
        return None
    if measure.filter is None:
        return measure.entity, None
    if isinstance(measure.filter, Dim):
        flag = measure.filter.name if "." in measure.filter.name else f"{measure.entity}.{measure.filter.name}"
        if flag in catalog.dimensions and catalog.dimensions[flag].type == "boolean":
            return measure.entity, flag
    return None


def unfilterable_by(catalog: Catalog, name: str) -> set[str]:
    """The dimensions a measure may not be filtered by (below the grain of a base measure with a split
    measure: revenue by a service's lines is `line_revenue`'s)."""
    out: set[str] = set()
    for part in (catalog.measures[b] for b in catalog.base_measures_of(name)):
        if part.split_measure is None:
            continue
        for dimension in catalog.dimensions.values():
            path = catalog.graph.path(part.entity, dimension.entity)
            if path is not None and path_fans_out(path):
                out.add(dimension.name)
    return out
