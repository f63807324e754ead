"""Running semantic queries: as_of resolution, compile (cached), execute read-only, shape the response.

Routes stay thin and call `run_query`, `explain_query` and `catalog_info`. Execution uses the raw
asyncpg connection of the app's engine inside a READ ONLY transaction as the reader role; every value is
a bound parameter. A query first needs the data state (`STATE_SQL`, one fixed statement, in autocommit):
its version keys the result cache. The routes read it in the round trip that checks the caller's session
or key (service/deps.py `QueryContextDep`) and pass it, with that connection, to `run_query`; so a cached
answer costs that one round trip and no transaction. A refused query raises `QueryError` (mapped to 400 by
`service.errors`); a database outage becomes the contract's retryable 503.
"""

from __future__ import annotations

import datetime as dt
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

import asyncpg
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from semantic import (
    AsOf,
    Catalog,
    ColumnInfo,
    Compiled,
    Context,
    DateRange,
    Query,
    QueryError,
    Scope,
    default_catalog,
    json_value,
)
from service.auth.db_role import reader_transaction
from service.db.engine import raw_connection
from service.errors import database_unavailable
from service.services.as_of import resolve
from service.services.compiling import compile_off_loop
from service.services.query_models import Column, DateSpan, Meta, QueryResponse, SqlResponse
from service.services.suppression import Population, Tally, refuse_too_few, split_page
from service.settings import Settings

Gate = Callable[[Population], Awaitable[None]]  # may refuse an agent's query by the patients it describes

Dialect = Literal["postgres", "duckdb"]

# every request reads it (in the caller's check, service/auth/store.py): the latest load looked up once, a row of
# NULLs before any load (migration 0010's function, with as_of moments since 0012)
STATE_SQL = "SELECT * FROM data_state()"


@dataclass(frozen=True)
class DataState:
    """What the database says about its data: load version, the data's as_of, the summaries' as_of and the
    fingerprint of the catalog its materializations were built from."""

    version: int | None
    as_of: dt.date | None
    summary_as_of: dt.date | None
    built_from: str | None = None  # fingerprint of the catalog its materializations were built from
    as_of_time: dt.time | None = None  # the data's as_of is a moment (its manifest's): semantic/asof.py
    summary_as_of_time: dt.time | None = None

    @property
    def moment(self) -> AsOf | None:
        return AsOf(self.as_of, self.as_of_time) if self.as_of is not None else None

    @property
    def summary_moment(self) -> AsOf | None:
        return AsOf(self.summary_as_of, self.summary_as_of_time) if self.summary_as_of is not None else None


async def data_state(conn: asyncpg.Connection, row: Mapping[str, Any] | None = None) -> DataState:
    """The data's state; from `row` (STATE_SQL's columns, read with the caller's check) when given."""
    if row is None:
        row = await conn.fetchrow(STATE_SQL)
        assert row is not None
    as_of: dt.date | None = row["as_of"]
    if as_of is None:  # no load recorded (a database filled by other means): the latest payment's date
        latest: dt.datetime | None = await conn.fetchval("SELECT max(date) FROM payments")
        as_of = latest.date() if latest else None
    return DataState(row["version"], as_of, row["summary_as_of"], row["built_from"],
                     row["as_of_time"] if row["as_of"] is not None else None, row["summary_as_of_time"])


def catalog_for(settings: Settings) -> Catalog:
    """The parsed catalog of `settings.metrics_file` (cached until the file changes)."""
    return default_catalog(settings.metrics_file)


def resolve_as_of(requested: str | None, settings: Settings, state: DataState) -> tuple[AsOf, list[str]]:
    """Per request, else configured, else the data's own, else today (service/services/as_of.py)."""
    return resolve(requested, settings, state.moment)


def scope_for(role: str) -> Scope:
    """The compiler's scope for a caller's role (semantic/planner/roles.py): agents may not see personal data,
    the front desk sees patients but no analytics; an unknown role gets the agent's (no personal data)."""
    scopes: dict[str, Scope] = {"manager": "manager", "front_desk": "front_desk"}
    return scopes.get(role, "agent")


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled raw asyncpg connection in a READ ONLY transaction; outages become the contract's 503."""
    async with outage_as_503(), raw_connection(engine) as conn, reader_transaction(conn, engine):
        yield conn


@asynccontextmanager
async def outage_as_503() -> AsyncIterator[None]:
    """Database outages inside become the contract's retryable 503; refused queries (400) pass through."""
    try:
        yield
    except QueryError:
        raise
    except Exception as exc:
        failure = database_unavailable(exc)
        if failure is not None:
            raise failure from None
        raise


# --- values ------------------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _integer(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal | float):
        return round(value)
    return value


def _ratio(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal | int) and not isinstance(value, bool) else value


def _moment(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else value


def converter(column: ColumnInfo) -> Callable[[Any], Any]:
    """Database value -> JSON value: money and counts as integers, rates as floats, times as ISO text."""
    if column.type == "integer":
        return _integer
    if column.type == "number":
        return _ratio if column.kind == "measure" and column.unit in ("ratio", "hours", "days") else _number
    if column.type == "time":
        return _moment
    if column.type == "date":
        return _day
    return lambda value: value


def _span(window: DateRange | None) -> DateSpan | None:
    return DateSpan(start=window.start, end=window.end) if window is not None else None


def _columns(columns: tuple[ColumnInfo, ...]) -> list[Column]:
    return list(_column_models(columns))


@lru_cache(maxsize=512)
def _column_models(columns: tuple[ColumnInfo, ...]) -> tuple[Column, ...]:
    """The response's column models, built once per compiled statement's columns (they are only serialised)."""
    return tuple(Column.model_validate({"name": c.name, "kind": c.kind, "type": c.type, "label": c.label,
                                        "unit": c.unit, "format": c.format}) for c in columns)


# --- the operations ----------------------------------------------------------------------------------


# rows, total_rows, (next_cursor, prev_cursor), suppression
_Cached = tuple[list[dict[str, Any]], int, tuple[str | None, str | None], Tally]


class _Results:
    """Query results keyed by (database, data version, SQL, parameters[, listing fingerprint]).

    The data only changes by a load, and every load records a new `data_loads.version`, so a result
    for the current version is still the answer. Without a recorded load nothing is cached. A listing's
    key also holds its keyset fingerprint (semantic/keyset.py), as its cached `next_cursor` does; the
    cursor it resumes from is among the parameters.
    """

    def __init__(self, size: int = 256, max_rows: int = 5000) -> None:
        self.size, self.max_rows = size, max_rows
        self.items: OrderedDict[tuple[object, ...], _Cached] = OrderedDict()

    def get(self, key: tuple[object, ...] | None) -> _Cached | None:
        found = self.items.get(key) if key is not None else None
        if found is not None:
            self.items.move_to_end(key)  # type: ignore[arg-type]
        return found

    def put(self, key: tuple[object, ...] | None, rows: list[dict[str, Any]], total: int,
            cursors: tuple[str | None, str | None] = (None, None), tally: Tally | None = None) -> None:
        if key is None or len(rows) > self.max_rows:
            return
        self.items[key] = (rows, total, cursors, tally or Tally())
        while len(self.items) > self.size:
            self.items.popitem(last=False)


RESULTS = _Results()


async def _prepare(settings: Settings, query: Query, scope: Scope, state: DataState, dialect: Dialect = "postgres",
                   inline: bool = False) -> tuple[Compiled, AsOf, list[str]]:
    """The query compiled for the data's state (no database access: the compiled statement is cached), off the
    event loop (service/services/compiling.py)."""
    as_of, warnings = resolve_as_of(query.as_of, settings, state)
    ctx = Context.at(as_of, state.summary_moment, scope=scope, built_from=state.built_from,
                     min_group_size=settings.agent_min_group_size if scope == "agent" else None)
    compiled = await compile_off_loop(query, catalog_for(settings), ctx, dialect, inline=inline, pretty=inline,
                                      budget_ms=settings.compile_budget_ms, metrics_file=settings.metrics_file)
    return compiled, as_of, warnings


async def run_query(engine: AsyncEngine, settings: Settings, query: Query, scope: Scope,
                    conn: asyncpg.Connection | None = None, state: DataState | None = None,
                    keep_open: bool = False, gate: Gate | None = None) -> QueryResponse:
    """Answer `query`: from the result cache when this data version's answer is there, else in a READ ONLY
    transaction as the reader role. With `conn` (a pooled connection in autocommit, not in a transaction)
    and the `state` read on it, no other checkout and no state read: a cached answer then costs no round trip.
    `keep_open` (with `conn`): the transaction is left open for its holder to end (`db_role.end_read`).
    In the agent scope the patients the query describes are counted first (too few: refused) and given to
    `gate`, which may refuse the query too (service/services/agent_queries.py)."""
    started = time.perf_counter()
    keep_open = keep_open and conn is not None
    async with outage_as_503(), _connection(engine, conn) as db:
        if state is None:
            state = await data_state(db)
        compiled, as_of, warnings = await _prepare(settings, query, scope, state)
        listing = compiled.keyset.fingerprint if compiled.keyset is not None else None
        key = ((_database(engine), state.version, compiled.sql, compiled.params, listing)
               if state.version is not None and settings.result_cache else None)
        if compiled.audience_sql is not None:  # the agent scope: the patients described, before any answer
            population = await _population(db, engine, compiled, key)
            refuse_too_few(population, compiled.min_group_size)
            if gate is not None:
                await gate(population)
        cached = RESULTS.get(key)
        if cached is None:
            async with reader_transaction(db, engine, keep_open=keep_open):
                records = await db.fetch(compiled.sql, *compiled.params)
                tally = Tally()
                if compiled.min_group_size:  # the agent scope: the page beside what was suppressed
                    records, tally = split_page(compiled, records)
                total = await _total(db, compiled, records, key, settings, query, scope, state)
    if cached is not None:
        rows, total, cursors, tally = cached
    else:
        cursors = (compiled.next_cursor(records), compiled.prev_cursor(records))
        names = [c.name for c in compiled.columns]
        convert = [converter(c) for c in compiled.columns]
        width = range(len(names))
        rows = [{names[i]: convert[i](record[i]) for i in width} for record in records]
        RESULTS.put(key, rows, total, cursors, tally)
    k = compiled.min_group_size
    meta = Meta(as_of=as_of.isoformat(), range=_span(compiled.range), compare_range=_span(compiled.compare_range),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                warnings=[*compiled.warnings, *warnings, *tally.warnings(k)], next_cursor=cursors[0],
                prev_cursor=cursors[1],
                suppressed_rows=tally.dropped if k else None, partial_periods=list(compiled.partial_periods))
    return QueryResponse.model_construct(columns=_columns(compiled.columns), rows=rows, total_rows=total, meta=meta)


@asynccontextmanager
async def _connection(engine: AsyncEngine, conn: asyncpg.Connection | None) -> AsyncIterator[asyncpg.Connection]:
    """`conn` when the caller holds one, else a pooled one for the duration."""
    if conn is not None:
        yield conn
        return
    async with raw_connection(engine) as pooled:
        yield pooled


_DATABASES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _database(engine: AsyncEngine) -> str:
    """The engine's URL as text, the result cache's first key part (rendered once per engine)."""
    found = _DATABASES.get(engine.sync_engine)
    if found is None:
        found = _DATABASES[engine.sync_engine] = str(engine.url)
    return found


async def _total(conn: asyncpg.Connection, compiled: Compiled, records: list[asyncpg.Record],
                 key: tuple[object, ...] | None, settings: Settings, query: Query, scope: Scope,
                 state: DataState) -> int:
    """total_rows: from the page when it tells, else the listing's count statement (cached like a result),
    else the window column of an aggregate query's first row."""
    known = compiled.total_from_page(len(records))
    if known is not None:
        return known
    if compiled.count_sql is not None:
        return await _count(conn, compiled, key)
    if records:
        return int(records[0][len(compiled.columns)])
    if query.offset == 0 and query.limit != 0:
        return 0
    # an aggregate query's page past its end: the first row of the same query carries the count
    probe = query.model_copy(update={"offset": 0, "limit": 1})
    first, _, _ = await _prepare(settings, probe, scope, state)
    found = await conn.fetch(first.sql, *first.params)
    total = found[0][len(first.columns)] if found else None  # NULL: the agent scope's tally-only record
    return int(total) if total is not None else 0


async def _population(conn: asyncpg.Connection, engine: AsyncEngine, compiled: Compiled,
                      key: tuple[object, ...] | None) -> Population:
    """The agent scope's population statement's answer, in a short read of its own, cached like a result."""
    assert compiled.audience_sql is not None
    pop_key = (key[0], key[1], compiled.audience_sql, compiled.audience_params) if key is not None else None
    hit = POPULATIONS.get(pop_key) if pop_key is not None else None
    if hit is not None:
        return hit
    async with reader_transaction(conn, engine):
        row = await conn.fetchrow(compiled.audience_sql, *compiled.audience_params)
    assert row is not None
    found = Population(int(row["n"]), tuple(sorted(row["sketch"] or ())))
    if pop_key is not None:
        if len(POPULATIONS) > 1024:
            POPULATIONS.clear()
        POPULATIONS[pop_key] = found
    return found


POPULATIONS: dict[tuple[object, ...], Population] = {}


async def _count(conn: asyncpg.Connection, compiled: Compiled, key: tuple[object, ...] | None) -> int:
    """The listing's count statement's answer, cached like a result (per data version)."""
    assert compiled.count_sql is not None
    count_key = (key[0], key[1], compiled.count_sql, compiled.count_params) if key is not None else None
    hit = RESULTS.get(count_key)
    if hit is not None:
        return hit[1]
    counted = int(await conn.fetchval(compiled.count_sql, *compiled.count_params))
    RESULTS.put(count_key, [], counted)
    return counted


async def explain_query(engine: AsyncEngine, settings: Settings, query: Query, scope: Scope,
                        dialect: Dialect, state: DataState | None = None) -> SqlResponse:
    """The SQL `query` runs (no database access with `state`: compiling needs only the data's state)."""
    started = time.perf_counter()
    if state is None:
        async with read_only(engine) as conn:
            state = await data_state(conn)
    readable, as_of, warnings = await _prepare(settings, query, scope, state, dialect, inline=True)
    bound, _, _ = await _prepare(settings, query, scope, state, dialect)
    meta = Meta(as_of=as_of.isoformat(), range=_span(bound.range), compare_range=_span(bound.compare_range),
                duration_ms=round((time.perf_counter() - started) * 1000, 2), warnings=[*bound.warnings, *warnings])
    return SqlResponse(sql=readable.sql, dialect=dialect, params=[json_value(v) for v in bound.params],
                       parameterized_sql=bound.sql, columns=_columns(bound.columns), meta=meta)
