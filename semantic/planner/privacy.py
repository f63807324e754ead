"""The agent scope: what a language model may ask, decided from the catalog's privacy markings.

An agent receives aggregates over groups of patients, never one person (contract, additions section 1).
This module refuses what would single someone out before anything is planned:

- every agent query has a measure (`aggregate_required`): no listing of rows from any entity;
- `as_of` is the data's own (`forbidden_option`): an age computed at a chosen day shows birthdays;
- an identifier (`*.id`) is used only to test existence (`is_null` / `is_not_null`) or be counted distinct;
- a quasi-identifier is grouped only by its coarse form (`forbidden_grain`, the coarse form suggested) and a
  patient-event time bucketed no finer than its `min_grain`; filters and ranges on them are allowed (the
  minimum group size protects them);
- `min`, `max` and percentiles outside p25-p75 of a quantity with a patient behind it report one person's
  value (`forbidden_aggregate`).

What passes is then counted: each measure's contributing patients per row (`Aggregate.contributors`) and
the rows with 1 to k-1 of them suppressed (semantic/render/suppression.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from semantic.catalog import Catalog, Dimension
from semantic.catalog.catalog import AnyMeasure
from semantic.catalog.expr import Dim
from semantic.catalog.graph import path_fans_out
from semantic.catalog.models import GRAINS, Grain, Measure
from semantic.errors import (
    AGGREGATE_REQUIRED,
    FORBIDDEN_AGGREGATE,
    FORBIDDEN_GRAIN,
    FORBIDDEN_MEMBER,
    FORBIDDEN_OPTION,
    QueryError,
)
from semantic.planner.nodes import Aggregate, FilterNode

PERSON_ENTITY = "patient"
EXISTENCE_OPS = ("is_null", "is_not_null")
# percentiles an agent may ask of a patient-level quantity: the middle half says nothing about one person
SAFE_PERCENTILES = range(25, 76)


def patient_path_of(catalog: Catalog, entity: str) -> bool:
    """Whether each row of `entity` belongs to one patient (a many-to-one path to the person entity)."""
    if entity == PERSON_ENTITY:
        return True
    if PERSON_ENTITY not in catalog.entities:
        return False
    path = catalog.graph.path(entity, PERSON_ENTITY)
    return path is not None and not path_fans_out(path)


def check_agent_query(sets_as_of: bool, has_measures: bool) -> None:
    """The refusals that need no catalog: a measure is required and as_of is the data's own."""
    if sets_as_of:
        raise QueryError(FORBIDDEN_OPTION, "an agent may not set as_of: answers describe the data as of its own "
                         "date (list_metrics gives it)", "as_of", [])
    if not has_measures:
        raise QueryError(AGGREGATE_REQUIRED, "an agent query needs at least one measure: agents receive "
                         "aggregates over groups, never rows of records; count rows with a measure grouped by "
                         "these dimensions", "measures", ["patient_count", "appointment_count"])


def _grains_from(grain: str) -> list[str]:
    return list(GRAINS[GRAINS.index(grain):]) if grain in GRAINS else []


def check_group(dimension: Dimension, path: str) -> None:
    """May an agent split rows by `dimension` (in `dimensions` or `order`)? Refuse identifiers and fine forms."""
    privacy = dimension.privacy
    if privacy.sensitivity == "identifier":
        raise QueryError(FORBIDDEN_MEMBER, f"{dimension.name!r} names one record; an agent may only test whether "
                         "one exists (is_null / is_not_null) or count distinct values "
                         f"(count_distinct({dimension.name}))", path, [])
    if privacy.sensitivity != "quasi_identifier":
        return
    if privacy.coarsen_to is not None:
        raise QueryError(FORBIDDEN_GRAIN, f"{dimension.name!r} is too fine to group by for an agent (with other "
                         f"attributes it singles a person out); group by {privacy.coarsen_to!r} instead", path,
                         [privacy.coarsen_to])
    grain = privacy.min_grain or "month"
    raise QueryError(FORBIDDEN_GRAIN, f"{dimension.name!r} is a time too exact to group by for an agent; bucket "
                     f"it with time: {{dimension: {dimension.name!r}, grain: {grain!r}}} or coarser", path,
                     _grains_from(grain))


def check_bucket(dimension: Dimension, grain: str, path: str) -> None:
    """May an agent bucket by `dimension` at `grain`? Not finer than its quasi-identifier's `min_grain`."""
    minimum = dimension.privacy.min_grain
    if dimension.privacy.sensitivity == "identifier":
        check_group(dimension, path)
    if minimum is not None and grain in GRAINS and GRAINS.index(grain) < GRAINS.index(minimum):
        raise QueryError(FORBIDDEN_GRAIN, f"{dimension.name!r} may be bucketed by {minimum} or coarser for an "
                         f"agent, not by {grain}", path, _grains_from(minimum))


def check_filter(dimension: Dimension, node: FilterNode, path: str) -> None:
    """An identifier may be filtered only by existence; a quasi-identifier at its coarse form's resolution: a
    number by multiples of its `step` (spend by $500), a time by bucket starts of its `min_grain` or coarser
    (created_at by months). Else thresholds placed between two patients would tell them apart: three queries
    (below u + 1, from u, both) add up to the one patient between them."""
    privacy = dimension.privacy
    if privacy.sensitivity == "identifier" and node.op not in ("is_null", "not_null"):
        raise QueryError(FORBIDDEN_MEMBER, f"{dimension.name!r} names one record; an agent may only test whether "
                         "one exists (is_null / is_not_null)", f"{path}.op", [])
    if privacy.sensitivity != "quasi_identifier":
        return
    if privacy.step is not None:
        step = privacy.step
        odd = [v for v in node.values if isinstance(v, int | float) and not _multiple(v, step)]
        if odd:
            shown = int(step) if float(step).is_integer() else step
            raise QueryError(FORBIDDEN_GRAIN, f"an agent filters {dimension.name!r} by multiples of {shown}, not "
                             f"{odd[0]!r}" + (f"; or filter {privacy.coarsen_to!r}" if privacy.coarsen_to else ""),
                             f"{path}.value", [str(_nearest(odd[0], step))])
    if privacy.min_grain is not None:
        for value in node.values:
            if isinstance(value, dt.date) and not aligned(value, privacy.min_grain):
                raise QueryError(FORBIDDEN_GRAIN, f"an agent filters {dimension.name!r} by whole "
                                 f"{privacy.min_grain}s: give the start of a {privacy.min_grain} (or of a month, "
                                 f"quarter or year), not {value.isoformat()}", f"{path}.value", [])


def check_range(dimension: Dimension, start: dt.date | None, end: dt.date, path: str) -> None:
    """A range on a patient-event time an agent sets itself starts and ends at bucket starts of its `min_grain`
    or coarser (the named ranges, fixed by the data's as_of, are always allowed)."""
    minimum = dimension.privacy.min_grain
    if dimension.privacy.sensitivity != "quasi_identifier" or minimum is None:
        return
    for bound in (start, end):
        if bound is not None and not aligned(bound, minimum):
            raise QueryError(FORBIDDEN_GRAIN, f"an agent ranges {dimension.name!r} over whole {minimum}s: start and "
                             f"end at the start of a {minimum} (or of a month, quarter or year), not "
                             f"{bound.isoformat()}; or use a named range (last_30_days, ...)", path, [])


def aligned(value: dt.date, grain: str) -> bool:
    """Whether `value` starts a bucket of `grain` or of a coarser grain (a datetime: at midnight)."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            return False
        value = value.date()
    starts = {"day": True, "week": value.weekday() == 0, "month": value.day == 1,
              "quarter": value.day == 1 and value.month in (1, 4, 7, 10), "year": value.day == 1 and value.month == 1}
    return any(starts[g] for g in GRAINS[GRAINS.index(grain):]) if grain in GRAINS else True


def _multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9


def _nearest(value: float, step: float) -> float | int:
    found = round(value / step) * step
    return int(found) if float(found).is_integer() else found


def check_aggregate(catalog: Catalog, measure: AnyMeasure, path: str) -> None:
    """`min`, `max` and extreme percentiles of a quantity with a patient behind it report one person's value."""
    if not isinstance(measure, Measure) or not patient_path_of(catalog, measure.entity):
        return
    extreme = measure.agg in ("min", "max") or (
        measure.agg == "percentile" and measure.fraction is not None
        and round(measure.fraction * 100) not in SAFE_PERCENTILES)
    if extreme:
        what = f"the {measure.agg}" if measure.agg != "percentile" else "an extreme percentile"
        safe = []
        if measure.adhoc and isinstance(measure.expr, Dim):
            safe = [f"{f}({measure.expr.name})" for f in ("avg", "median", "p25", "p75")]
        raise QueryError(FORBIDDEN_AGGREGATE, f"{measure.name!r} is {what} of a patient-level quantity: it reports "
                         "one person's value; an agent may ask for an average, a median or a percentile between p25 "
                         "and p75", path, safe)


def agent_groupable(dimension: Dimension) -> bool:
    """Whether an agent may put `dimension` in `dimensions` (neither an identifier nor too fine)."""
    return dimension.privacy.sensitivity not in ("identifier", "quasi_identifier", "pii")


def agent_grains(dimension: Dimension) -> tuple[Grain, ...]:
    """The time grains an agent may bucket `dimension` by (its own, from its minimum grain up)."""
    minimum = dimension.privacy.min_grain
    if minimum is None:
        return dimension.grains
    return tuple(g for g in dimension.grains if GRAINS.index(g) >= GRAINS.index(minimum))


def lineage(catalog: Catalog, name: str) -> str:
    """The member a dimension's values come from, through its declared coarse forms (`coarse_of`): a band and
    the number it bands are one attribute (`patient.lifetime_spend_band` -> `patient.lifetime_spend`)."""
    seen = {name}
    while True:
        sources = catalog.dimensions[name].privacy.coarse_of
        if not sources or sources[0] not in catalog.dimensions or sources[0] in seen:
            return name
        name = sources[0]
        seen.add(name)


def filter_groups(catalog: Catalog, filters: tuple[FilterNode, ...]) -> list[tuple[int, ...]]:
    """The query's filters by the attribute they restrict (`lineage`): two filters on one attribute (the same
    filter twice, a spend and its band) are left out together, else each would hide the other's effect."""
    groups: dict[str, list[int]] = {}
    for index, node in enumerate(filters):
        groups.setdefault(lineage(catalog, node.dimension), []).append(index)
    return [tuple(indexes) for indexes in groups.values()]


def shadows(catalog: Catalog, aggregates: list[Aggregate], filters: tuple[FilterNode, ...]) -> tuple[Aggregate, ...]:
    """Each counted aggregate again without each attribute's filters in turn: where leaving them out changes a
    value's patients by 1 to k-1, the two answers would differ by those few patients, so the value is hidden (the
    "everyone but one" attack: all patients vs those spending under $X)."""
    out: list[Aggregate] = []
    for index, group in enumerate(filter_groups(catalog, filters)):
        kept = tuple(f for i, f in enumerate(filters) if i not in group)
        out += [replace(agg, key=f"s{index}{agg.key}", filters=kept, shadow_of=agg.key, dropped=index)
                for agg in aggregates if agg.contributors]
    return tuple(out)
