"""Physical planning: which source serves each part of a logical plan, decided before any SQL is written.

For a measure plan, each aggregate's measures are matched one by one against the catalog's materializations
(`semantic/materialize/registry.py`): measures served by the same materialization form one aggregate read from
it, the others one aggregate over the entity's rows. One unmatched measure therefore leaves the others on their
materialization. An aggregate and its earlier period (a comparison) are matched together, so they may share a
scan. For a listing, each group of filters below a one-to-many join (one EXISTS) may be answered by a bridge.

The renderer then only renders what was chosen (`Aggregate.source`, `ListPlan.bridges`).
"""

from __future__ import annotations

from dataclasses import replace

from semantic.catalog.catalog import Catalog
from semantic.catalog.graph import Edge, Path
from semantic.materialize.base import AggregateRequest
from semantic.materialize.registry import filter_source, sources
from semantic.planner.nodes import Aggregate, Context, FilterNode, ListPlan, MeasurePlan, Planned
from semantic.render.dialects import Dialect


def choose_sources(planned: Planned, catalog: Catalog, ctx: Context, dialect: Dialect) -> Planned:
    plan = planned.plan
    if isinstance(plan, MeasurePlan):
        return replace(planned, plan=_measure_sources(plan, catalog, ctx, dialect))
    return replace(planned, plan=_listing_sources(plan, catalog, ctx, dialect))


def _split(agg: Aggregate, previous: Aggregate | None, catalog: Catalog, ctx: Context,
           dialect: Dialect) -> list[tuple[str | None, tuple[str, ...]]]:
    """The aggregate's measures by source (None: the rows), in the order they were asked: the materialization
    serving most of the measures left first (the cheapest of those), so measures that can share a read do."""
    serving: dict[str, set[str]] = {}
    costs: dict[str, tuple[int, ...]] = {}
    for measure in agg.measures:
        for source in sources(catalog, AggregateRequest(agg, previous, measure), ctx, dialect):
            serving.setdefault(source.name, set()).add(measure)
            costs[source.name] = source.cost()
    chosen: dict[str, str | None] = {}
    left = set(agg.measures)
    while left and serving:
        best = max(serving, key=lambda name: (len(serving[name] & left), tuple(-c for c in costs[name])))
        if not serving[best] & left:
            break
        for measure in serving.pop(best) & left:
            chosen[measure] = best
        left -= set(chosen)
    parts: dict[str | None, list[str]] = {}
    for measure in agg.measures:
        parts.setdefault(chosen.get(measure), []).append(measure)
    return [(source, tuple(measures)) for source, measures in parts.items()]


def _measure_sources(plan: MeasurePlan, catalog: Catalog, ctx: Context, dialect: Dialect) -> MeasurePlan:
    previous = {agg.key[1:]: agg for agg in plan.previous}  # p0 is a0's earlier period
    shadows: dict[str, list[Aggregate]] = {}
    for shadow in plan.shadows:
        assert shadow.shadow_of is not None
        shadows.setdefault(shadow.shadow_of, []).append(shadow)
    current: list[Aggregate] = []
    earlier: list[Aggregate] = []
    kept: list[Aggregate] = []
    for agg in plan.current:
        before = previous.get(agg.key[1:])
        for index, (source, measures) in enumerate(_split(agg, before, catalog, ctx, dialect)):
            suffix = f"_{index}" if index else ""
            current.append(replace(agg, key=agg.key + suffix, measures=measures, source=source))
            if before is not None:
                earlier.append(replace(before, key=before.key + suffix, measures=measures, source=source))
                for shadow in shadows.get(before.key, []):
                    kept.append(_shadow(shadow, before.key + suffix, measures, catalog, ctx, dialect))
            for shadow in shadows.get(agg.key, []):
                kept.append(_shadow(shadow, agg.key + suffix, measures, catalog, ctx, dialect))
    return replace(plan, current=tuple(current), previous=tuple(earlier), shadows=tuple(kept))


def _shadow(shadow: Aggregate, of: str, measures: tuple[str, ...], catalog: Catalog, ctx: Context,
            dialect: Dialect) -> Aggregate:
    """A shadow (the aggregate without one filter) for the part `of`, read from wherever it can be."""
    part = replace(shadow, key=f"s{shadow.dropped}{of}", shadow_of=of,
                   measures=tuple(m for m in shadow.measures if m in measures))
    sources = {source for source, _ in _split(part, None, catalog, ctx, dialect)}
    source = sources.pop() if len(sources) == 1 else None  # all from one place, else the rows
    return replace(part, source=source)


def _listing_sources(plan: ListPlan, catalog: Catalog, ctx: Context, dialect: Dialect) -> ListPlan:
    """Groups of filters below a one-to-many join from the listing's root (each one EXISTS) a bridge answers."""
    groups: dict[Edge, list[tuple[FilterNode, Path]]] = {}
    for node in plan.filters:
        path = catalog.graph.path(plan.root, catalog.dimensions[node.dimension].entity)
        assert path is not None
        if path and path[0].fan_out and not node.counts_related:  # below a one-to-many join straight from the root
            groups.setdefault(path[0], []).append((node, path[1:]))
    bridges: list[tuple[Edge, str]] = []
    for edge, items in groups.items():
        found = filter_source(catalog, edge, items, ctx, dialect)
        if found is not None:
            bridges.append((edge, found.name))
    return replace(plan, bridges=tuple(bridges))
