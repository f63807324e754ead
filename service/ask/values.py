"""The index of dimension values the parser matches words against ("instagram", "Botox", "Kim"), read from
the database through the engine and kept per data version.

Only the business's own vocabulary is indexed (lexicon.value_dimensions): sources, services, providers,
statuses, methods. Never a personal member, an identifier or a per-patient attribute. A dimension with
more than MAX_VALUES values is not a vocabulary and is left out.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncEngine

from semantic import Catalog, Query, band_labels
from service.ask.lexicon import Lexicon, cached_lexicon, value_dimensions, with_values
from service.services.query import DataState, run_query
from service.settings import Settings

MAX_VALUES = 200
Index = dict[str, tuple[str, ...]]

_INDEXES: OrderedDict[tuple[object, ...], Index] = OrderedDict()
_LEXICONS: OrderedDict[tuple[object, ...], Lexicon] = OrderedDict()
_LOCK = asyncio.Lock()
KEEP = 8


async def read_values(engine: AsyncEngine, settings: Settings, catalog: Catalog, state: DataState) -> Index:
    """Each indexed dimension's distinct values (a dimension-only query per dimension), plus the labels of
    banded dimensions, which the catalog itself knows."""
    index: Index = {}
    for dimension in value_dimensions(catalog):
        query = Query(dimensions=[dimension], limit=MAX_VALUES + 1)
        response = await run_query(engine, settings, query, "manager", state=state)
        values = [row[dimension] for row in response.rows if row.get(dimension) not in (None, "")]
        if len(values) <= MAX_VALUES:
            index[dimension] = tuple(str(v) for v in values)
    index.update(band_labels(catalog))
    return index


async def value_index(engine: AsyncEngine, settings: Settings, catalog: Catalog, state: DataState) -> Index:
    """`read_values`, once per database, data version and catalog (not cached without a recorded load)."""
    key = (str(engine.url), state.version, catalog.fingerprint)
    if state.version is not None and key in _INDEXES:
        return _INDEXES[key]
    async with _LOCK:
        if state.version is not None and key in _INDEXES:
            return _INDEXES[key]
        index = await read_values(engine, settings, catalog, state)
        if state.version is not None:
            _INDEXES[key] = index
            while len(_INDEXES) > KEEP:
                _INDEXES.popitem(last=False)
        return index


async def lexicon_for(engine: AsyncEngine, settings: Settings, catalog: Catalog, state: DataState,
                      scope: str) -> Lexicon:
    """The parser's lexicon for a scope with this data version's values (built once per version)."""
    index = await value_index(engine, settings, catalog, state)
    key = (str(engine.url), state.version, catalog.fingerprint, scope)
    found = _LEXICONS.get(key) if state.version is not None else None
    if found is None:
        found = with_values(cached_lexicon(catalog, scope), index)  # type: ignore[arg-type]
        if state.version is not None:
            _LEXICONS[key] = found
            while len(_LEXICONS) > KEEP:
                _LEXICONS.popitem(last=False)
    return found
