"""The public facade: a query and its context in, SQL with parameters and column metadata out.

    compiled = compile_query(Query(measures=["revenue"]), catalog, Context(as_of=date(2025, 11, 26)))
    rows = await conn.fetch(compiled.sql, *compiled.params)

Compiled statements are cached by (catalog, normalized query, context, dialect): the SQL depends
on nothing else, so a repeated dashboard query skips planning and rendering.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock

from semantic.catalog.catalog import Catalog
from semantic.keyset import Keyset, fingerprint
from semantic.planner.adhoc import with_adhoc
from semantic.planner.limits import check_as_of, check_parameters, check_size
from semantic.planner.nodes import ColumnInfo, Context, ListPlan, MeasurePlan, Planned, Value
from semantic.planner.physical import choose_sources
from semantic.planner.planner import plan_query
from semantic.planner.timerange import DateRange, partial_buckets
from semantic.query import Query
from semantic.render.dialects import DIALECTS, dialect
from semantic.render.paging import TOTAL
from semantic.render.statement import render


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple[Value, ...]
    columns: tuple[ColumnInfo, ...]
    aliases: tuple[str, ...]  # SQL result column per entry of `columns`; plus TOTAL for total_rows
    range: DateRange | None
    compare_range: DateRange | None
    warnings: tuple[str, ...]
    dialect: str
    limit: int
    offset: int
    # listings: `sql` has no TOTAL column; this statement counts every row (run it only when the page cannot tell:
    # a page shorter than the limit ends the listing, so offset + its length is the total)
    count_sql: str | None = None
    count_params: tuple[Value, ...] = ()
    keyset: Keyset | None = None  # listings of root rows: how to make the page's cursors (semantic/keyset.py)
    # the agent scope (semantic/render/suppression.py): values of 1 to `min_group_size - 1` patients are hidden;
    # each record ends, after TOTAL, with the tally (rows dropped, values hidden, most contributors of a value),
    # a record whose TOTAL is NULL carries only the tally; `audience_sql` counts the patients described
    min_group_size: int = 0
    audience_sql: str | None = None
    audience_params: tuple[Value, ...] = ()
    audience_filters: int = 0
    partial_periods: tuple[dt.date, ...] = ()  # `time` buckets not wholly inside the range

    total_column = TOTAL

    def total_from_page(self, rows: int) -> int | None:
        """total_rows known from the page alone, else None (the count statement or the window says)."""
        if self.count_sql is None or (self.keyset is not None and self.keyset.resumed):
            return None  # a page after a cursor does not know how many rows precede it
        if rows < self.limit and (rows > 0 or self.offset == 0):
            return self.offset + rows
        return None

    def next_cursor(self, records: Sequence[Sequence[object]]) -> str | None:
        """The cursor of the page after `records` (this statement's result); None when there is none."""
        return self.keyset.next_cursor(records, self.limit) if self.keyset is not None else None

    def prev_cursor(self, records: Sequence[Sequence[object]]) -> str | None:
        """The cursor of the page before `records`; None when nothing precedes them."""
        return self.keyset.prev_cursor(records, self.limit, self.offset) if self.keyset is not None else None


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[object, ...], Compiled] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[object, ...]) -> Compiled | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: Compiled) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_CACHE = _LRU(1024)


def plan(query: Query, catalog: Catalog, ctx: Context, dialect_name: str = "postgres") -> Planned:
    """The query's plan: logical (what to compute), then physical (where each part is read from)."""
    catalog = with_adhoc(query, catalog, ctx.scope)
    return choose_sources(plan_query(query, catalog, ctx), catalog, ctx, dialect(dialect_name))


def compile_query(query: Query, catalog: Catalog, ctx: Context, dialect_name: str = "postgres", *,
                  inline: bool = False, pretty: bool = False, use_cache: bool = True) -> Compiled:
    """Plan and render `query`; raises `QueryError` (contract codes) when the query is refused."""
    if dialect_name not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect_name!r}; use one of {', '.join(DIALECTS)}")
    check_size(query)  # before anything grows with the query's size, the cache key included
    check_as_of(ctx.as_of)
    key = _key(query, catalog, ctx, dialect_name, inline, pretty)
    if use_cache:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
    catalog = with_adhoc(query, catalog, ctx.scope)  # the query's ad hoc aggregates, as measures
    planned = plan(query, catalog, ctx, dialect_name)
    listing = planned.plan
    rendered = render(planned, catalog, ctx, dialect(dialect_name), inline=inline)
    count = rendered.count
    check_parameters(max(len(rendered.params), len(count.params) if count is not None else 0))
    keyset = (Keyset(fingerprint(listing, ctx.moment), rendered.keyset, listing.after is not None or listing.backward,
                     listing.backward, listing.after is not None)
              if isinstance(listing, ListPlan) and rendered.keyset is not None else None)
    compiled = Compiled(
        sql=rendered.tree.sql(dialect=dialect_name, pretty=pretty, copy=False),  # the tree is ours alone
        params=rendered.params,  # type: ignore[arg-type]
        columns=planned.columns,
        aliases=rendered.columns,
        range=planned.range,
        compare_range=planned.compare_range,
        warnings=planned.warnings,
        dialect=dialect_name,
        limit=planned.plan.limit,
        offset=planned.plan.offset,
        count_sql=count.tree.sql(dialect=dialect_name, pretty=pretty, copy=False) if count is not None else None,
        count_params=count.params if count is not None else (),  # type: ignore[arg-type]
        keyset=keyset,
        min_group_size=listing.min_group_size if isinstance(listing, MeasurePlan) else 0,
        audience_sql=(rendered.audience.tree.sql(dialect=dialect_name, pretty=pretty, copy=False)
                      if rendered.audience is not None else None),
        audience_params=rendered.audience.params if rendered.audience is not None else (),  # type: ignore[arg-type]
        audience_filters=listing.filter_count if isinstance(listing, MeasurePlan) else 0,
        partial_periods=partial_buckets(planned.range, query.time.grain if query.time is not None else None),
    )
    if use_cache:
        _CACHE.put(key, compiled)
    return compiled


def _key(query: Query, catalog: Catalog, ctx: Context, dialect_name: str, inline: bool,
         pretty: bool) -> tuple[object, ...]:
    return (catalog.fingerprint, query.cache_key(), ctx, dialect_name, inline, pretty)


def cached(query: Query, catalog: Catalog, ctx: Context, dialect_name: str = "postgres", *, inline: bool = False,
           pretty: bool = False) -> Compiled | None:
    """`compile_query`'s answer when it is in the cache (a dictionary lookup), else None: callers that compile
    off their event loop ask this first, so a repeated query costs no hand-off to a thread."""
    if dialect_name not in DIALECTS:
        return None
    check_size(query)
    check_as_of(ctx.as_of)
    return _CACHE.get(_key(query, catalog, ctx, dialect_name, inline, pretty))


def remember(query: Query, catalog: Catalog, ctx: Context, compiled: Compiled, dialect_name: str = "postgres", *,
             inline: bool = False, pretty: bool = False) -> None:
    """Put what `compile_query(..., use_cache=False)` returned in the cache, as `compile_query` would have."""
    _CACHE.put(_key(query, catalog, ctx, dialect_name, inline, pretty), compiled)


def clear_cache() -> None:
    _CACHE.items.clear()
