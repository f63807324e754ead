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

from dataclasses import replace

from semantic.catalog import Catalog, Dimension
from semantic.catalog.catalog import AnyMeasure
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
from semantic.query import Query

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


def check_agent_query(query: Query) -> None:
    """The refusals that need no catalog: a measure is required and as_of is the data's own."""
    if "as_of" in query.model_fields_set and query.as_of is not None:
        raise QueryError(FORBIDDEN_OPTION, "an agent may not set as_of: answers describe the data as of its own "
                         "date (list_metrics gives it)", "as_of", [])
    if not query.measures:
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


def check_filter(dimension: Dimension, op: str, path: str) -> None:
    """An identifier may be filtered only by existence; anything else may be filtered (k protects it)."""
    if dimension.privacy.sensitivity == "identifier" and op not in EXISTENCE_OPS:
        raise QueryError(FORBIDDEN_MEMBER, f"{dimension.name!r} names one record; an agent may only test whether "
                         "one exists (is_null / is_not_null)", path, [])


def check_aggregate(catalog: Catalog, measure: AnyMeasure, path: str) -> None:
    """`min`, `max` and extreme percentiles of a quantity with a patient behind it report one person's value."""
    if not isinstance(measure, Measure) or not patient_path_of(catalog, measure.entity):
        return
    if measure.agg in ("min", "max"):
        raise QueryError(FORBIDDEN_AGGREGATE, f"{measure.name!r} is the {measure.agg} of a patient-level quantity: "
                         "it reports one person's value; an agent may ask for an average, a median or a "
                         "percentile between p25 and p75", path, [])


def agent_groupable(dimension: Dimension) -> bool:
    """Whether an agent may put `dimension` in `dimensions` (neither an identifier nor too fine)."""
    return dimension.privacy.sensitivity not in ("identifier", "quasi_identifier", "pii")


def agent_grains(dimension: Dimension) -> tuple[Grain, ...]:
    """The time grains an agent may bucket `dimension` by (its own, from its minimum grain up)."""
    minimum = dimension.privacy.min_grain
    if minimum is None:
        return dimension.grains
    return tuple(g for g in dimension.grains if GRAINS.index(g) >= GRAINS.index(minimum))


def shadows(aggregates: list[Aggregate], filters: tuple[FilterNode, ...]) -> tuple[Aggregate, ...]:
    """Each counted aggregate again without each filter in turn: where dropping one filter changes a value's
    patients by 1 to k-1, the two answers would differ by those few patients, so the value is hidden (the
    "everyone but one" attack: all patients vs those spending under $X)."""
    out: list[Aggregate] = []
    for index in range(len(filters)):
        kept = filters[:index] + filters[index + 1:]
        out += [replace(agg, key=f"s{index}{agg.key}", filters=kept, shadow_of=agg.key, dropped=index)
                for agg in aggregates if agg.contributors]
    return tuple(out)


def splits_patients(catalog: Catalog, dimension: Dimension) -> bool:
    """Whether grouping by `dimension` puts each patient in one group (a patient attribute): groups' patients
    then add up; otherwise (a visit's status, a service) one patient may be in several groups."""
    return patient_path_of(catalog, PERSON_ENTITY) and (
        dimension.entity == PERSON_ENTITY or _reached_from_patient(catalog, dimension.entity))


def _reached_from_patient(catalog: Catalog, entity: str) -> bool:
    path = catalog.graph.path(PERSON_ENTITY, entity)
    return path is not None and not path_fans_out(path)
