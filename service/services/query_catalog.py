"""GET /api/catalog: every member with its metadata, the grouping rules, and the data's date spans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from semantic import (
    COMPARES,
    EXISTENCE_OPS,
    FILTER_OPS_BY_TYPE,
    GRAIN_NAMES,
    MAX_LIMIT,
    RELATIVE_RANGES,
    AsOf,
    Catalog,
    Context,
    Dimension,
    Scope,
    agent_grains,
    agent_groupable,
    dialect,
    hidden_members,
    render_spans,
)
from service.services.query import catalog_for, data_state, read_only, resolve_as_of
from service.services.query_models import CatalogDimension, CatalogMeasure, CatalogResponse, DateSpan
from service.settings import Settings

_SPANS: dict[tuple[object, ...], dict[str, DateSpan]] = {}


async def _spans(conn: object, catalog: Catalog, ctx: Context, version: int | None) -> dict[str, DateSpan]:
    key = (catalog.fingerprint, version, ctx.as_of, ctx.summary_as_of)
    cached = _SPANS.get(key) if version is not None else None
    if cached is not None:
        return cached
    names = [d.name for d in catalog.dimensions.values() if d.kind == "time"]
    rendered = render_spans(catalog, ctx, dialect("postgres"), names)
    rows = await conn.fetch(rendered.tree.sql(dialect="postgres", copy=False), *rendered.params)  # type: ignore[attr-defined]
    spans = {
        row["name"]: DateSpan(start=row["lo"].date(), end=row["hi"].date() + dt.timedelta(days=1))
        for row in rows if row["lo"] is not None
    }
    if version is not None:
        if len(_SPANS) > 32:
            _SPANS.clear()
        _SPANS[key] = spans
    return spans


def describe_catalog(catalog: Catalog, scope: Scope, spans: dict[str, DateSpan], as_of: AsOf | None,
                     version: int | None) -> CatalogResponse:
    hidden = hidden_members(catalog, scope)  # what the scope may not use (semantic/planner/roles.py)
    ungroupable = hidden | ({d.name for d in catalog.dimensions.values() if not agent_groupable(d)}
                            if scope == "agent" else set())
    measures = []
    for measure in catalog.all_measures():
        if measure.name in hidden:
            continue
        base = catalog.measures.get(measure.name)
        measures.append(CatalogMeasure(
            name=measure.name, label=measure.label, description=measure.description,
            synonyms=list(measure.synonyms), type=measure.type, unit=measure.unit, format=measure.format,
            entity=base.entity if base else None, aggregation=base.agg if base else None,
            derived_from=[] if base else list(catalog.base_measures_of(measure.name)),
            default_time_dimension=(base.time if base else
                                    catalog.measures[catalog.base_measures_of(measure.name)[0]].time),
            groupable_by=[d for d in catalog.groupable_dimensions(measure.name) if d not in ungroupable],
            groupable_overlapping_by=[d for d in catalog.groupable_dimensions(measure.name, overlapping=True)
                                      if d not in ungroupable],
            split_measure=base.split_measure if base and base.split_measure not in hidden else None,
        ))
    dimensions = [_dimension(d, scope, spans.get(d.name)) for d in catalog.dimensions.values() if d.name not in hidden]
    return CatalogResponse(as_of=as_of.isoformat() if as_of else None, data_version=version, measures=measures,
                           dimensions=dimensions, grains=list(GRAIN_NAMES), ranges=list(RELATIVE_RANGES),
                           compare=list(COMPARES), max_limit=MAX_LIMIT)


def _dimension(d: Dimension, scope: Scope, span: DateSpan | None) -> CatalogDimension:
    """A dimension as `scope` may use it: for an agent, an identifier is filtered by existence only, a
    quasi-identifier is filtered, not grouped (its coarse form is named), a time is bucketed no finer than
    its minimum grain (semantic/planner/privacy.py)."""
    ops = ["search"] if d.search is not None else list(FILTER_OPS_BY_TYPE[d.type])
    filter_only, grains = d.filter_only, list(d.grains)
    if scope == "agent":
        filter_only = filter_only or not agent_groupable(d)
        grains = list(agent_grains(d))
        if d.identifier:
            ops = list(EXISTENCE_OPS)
    return CatalogDimension(
        name=d.name, kind=d.kind, label=d.label, description=d.description, synonyms=list(d.synonyms),
        type=d.type, unit=d.unit, format=d.format, entity=d.entity, pii=d.pii, identifier=d.identifier,
        quasi_identifier=d.quasi_identifier, coarse_form=d.privacy.coarsen_to, filter_only=filter_only,
        grains=grains, ops=ops, span=span)


async def catalog_info(engine: AsyncEngine, settings: Settings, scope: Scope) -> CatalogResponse:
    catalog = catalog_for(settings)
    async with read_only(engine) as conn:
        state = await data_state(conn)
        as_of, _ = resolve_as_of(None, settings, state)
        spans = await _spans(conn, catalog, Context.at(as_of, state.summary_moment), state.version)
    return describe_catalog(catalog, scope, spans, as_of, state.version)
