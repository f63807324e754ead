"""GET /api/catalog: every member with its metadata, the grouping rules, and the data's date spans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from semantic.asof import AsOf
from semantic.catalog import Catalog
from semantic.planner.filters import ALLOWED
from semantic.planner.nodes import Context, Scope
from semantic.planner.roles import hidden_members
from semantic.planner.timerange import COMPARES, RELATIVE_RANGES
from semantic.query import GRAIN_NAMES, MAX_LIMIT
from semantic.render.dialects import dialect
from semantic.render.sql import render_spans
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
            groupable_by=[d for d in catalog.groupable_dimensions(measure.name) if d not in hidden],
            groupable_overlapping_by=[d for d in catalog.groupable_dimensions(measure.name, overlapping=True)
                                      if d not in hidden],
            split_measure=base.split_measure if base and base.split_measure not in hidden else None,
        ))
    dimensions = [
        CatalogDimension(
            name=d.name, kind=d.kind, label=d.label, description=d.description, synonyms=list(d.synonyms),
            type=d.type, unit=d.unit, format=d.format, entity=d.entity, pii=d.pii, filter_only=d.filter_only,
            grains=list(d.grains), ops=["search"] if d.search is not None else list(ALLOWED[d.type]),
            span=spans.get(d.name),
        )
        for d in catalog.dimensions.values() if d.name not in hidden
    ]
    return CatalogResponse(as_of=as_of.isoformat() if as_of else None, data_version=version, measures=measures,
                           dimensions=dimensions, grains=list(GRAIN_NAMES), ranges=list(RELATIVE_RANGES),
                           compare=list(COMPARES), max_limit=MAX_LIMIT)


async def catalog_info(engine: AsyncEngine, settings: Settings, scope: Scope) -> CatalogResponse:
    catalog = catalog_for(settings)
    async with read_only(engine) as conn:
        state = await data_state(conn)
        as_of, _ = resolve_as_of(None, settings, state)
        spans = await _spans(conn, catalog, Context.at(as_of, state.summary_moment), state.version)
    return describe_catalog(catalog, scope, spans, as_of, state.version)
