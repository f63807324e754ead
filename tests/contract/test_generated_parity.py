"""Generated from the catalog: every member and every materialization, three ways, on the client's export.

For every dimension (grouped by, with a standard count measure that may be grouped by it; a time dimension
bucketed by month; a filter-only one as a filter) and every measure (by month, and by acquisition source),
the query is compiled and run:
- on PostgreSQL as the API plans it (materializations read where they fit),
- on PostgreSQL from the rows only (`Context.sources=()`: no materialization),
- on DuckDB (the same plan rendered for DuckDB, values inlined),
and the three must give the same rows. A dimension must also have a value somewhere: one that is null on every
row of the client's export is a broken definition (a wrong array index once returned NULL everywhere while
every test passed).

For every materialization, queries generated from its declaration (its measures and the derived measures made
of them, alone and by each of its dimensions, over a range; a bridge's filter; a summary's columns): each it
serves must give the same rows as without it, and it must serve some. No fixed list to keep up to date: a new
member or materialization is covered the day it is declared.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import asyncpg
import duckdb
import pytest

from semantic import Compiled, Context, Query, QueryError, compile_query, default_catalog
from tests.contract.duck import plain

CATALOG = default_catalog()
FALLBACK_COUNTS = ("service_line_count", "appointment_count", "patient_count", "payment_count")


def _count_measures(entity: str) -> list[str]:
    """Plain counts of `entity`'s rows first, then the fallbacks (a count of finer rows grouped by it)."""
    own = [m.name for m in CATALOG.measures.values()
           if m.entity == entity and m.agg == "count" and m.filter is None and m.min_count is None]
    return [*own, *(f for f in FALLBACK_COUNTS if f not in own)]


def _dimension_queries() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(dimension, candidate queries): the first one the planner accepts is the dimension's query."""
    for dim in sorted(CATALOG.dimensions.values(), key=lambda d: d.name):
        if dim.search is not None:
            continue  # a search field: text matching, covered by the search tests
        counts = _count_measures(dim.entity)
        if dim.kind == "time":
            yield dim.name, [{"measures": [m], "time": {"dimension": dim.name, "grain": "month"}} for m in counts]
        elif dim.filter_only:
            yield dim.name, [{"measures": [m], "filters": [{"field": dim.name, "op": "is_not_null"}]} for m in counts]
        else:
            yield dim.name, [{"measures": [m], "dimensions": [dim.name], "limit": 10_000} for m in counts]


def _measure_queries() -> Iterator[tuple[str, dict[str, Any]]]:
    for measure in sorted(CATALOG.all_measures(), key=lambda m: m.name):
        yield f"{measure.name}-by-month", {"measures": [measure.name], "time": {"grain": "month"}}
        yield f"{measure.name}-by-source", {"measures": [measure.name], "dimensions": ["patient.source"],
                                            "time": {"range": "last_12_months"}}


def _materialization_queries() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(materialization, id, query) generated from each declaration."""
    for m in sorted(CATALOG.materializations.values(), key=lambda m: m.name):
        declared: dict[str, Any] = dataclasses.asdict(m)
        measures = list(declared.get("measures") or ())
        measures += sorted(d for d in CATALOG.derived if measures and set(CATALOG.base_measures_of(d)) <= set(measures))
        dimensions = list(declared.get("dimensions") or ())
        if m.kind == "bridge":
            yield m.name, f"{m.name}-count", {"dimensions": [f"{declared['source']}.id"], "limit": 0, "filters": [
                {"field": f"{declared['target']}.name", "op": "in", "values": ["Botox Injection", "HydraFacial"]}]}
            continue
        if m.kind == "summary":
            continue  # checked below: stored columns vs computed inline
        time = {"range": "last_90_days"} if declared.get("time") or m.kind == "chain" else None
        for measure in measures:
            base: dict[str, Any] = {"measures": [measure], **({"time": time} if time else {})}
            if m.kind != "pre_aggregation" or declared.get("time"):
                yield m.name, f"{m.name}-{measure}", base
            for dimension in dimensions:
                yield m.name, f"{m.name}-{measure}-by-{dimension}", {**base, "dimensions": [dimension],
                                                                      "limit": 10_000}
            if declared.get("time"):
                yield m.name, f"{m.name}-{measure}-weekly", {"measures": [measure], "time": {
                    "range": "last_12_months", "grain": "week"}}
        if m.kind == "pre_aggregation" and not declared.get("time") and dimensions:
            yield m.name, f"{m.name}-grid", {"measures": measures, "dimensions": dimensions, "limit": 10_000}


# --- running -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(client_db_url: str) -> Context:
    """The context the API plans in for the loaded export (its as_of, summaries and materializations)."""

    async def state() -> asyncpg.Record:
        conn = await asyncpg.connect(client_db_url)
        try:
            return await conn.fetchrow("SELECT * FROM data_state()")
        finally:
            await conn.close()

    row = asyncio.run(state())
    assert row["built_from"] == CATALOG.fingerprint
    return Context(as_of=row["as_of"], summary_as_of=row["summary_as_of"], built_from=row["built_from"])


@pytest.fixture(scope="module")
def pg(client_db_url: str) -> Iterator[Any]:
    """`pg(compiled)` -> its page's rows (visible columns) on the client's export."""
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(asyncpg.connect(client_db_url))

    def run(compiled: Compiled) -> list[tuple[Any, ...]]:
        records = loop.run_until_complete(conn.fetch(compiled.sql, *compiled.params))
        return _page(compiled, [tuple(r) for r in records])

    yield run
    loop.run_until_complete(conn.close())
    loop.close()


def _page(compiled: Compiled, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    width = len(compiled.columns)
    kept = [tuple(plain(v) for v in row[:width]) for row in rows if len(row) <= width or row[width] is not None]
    return sorted(kept, key=repr)  # compared as sets of groups: an unordered query's rows come in any order


def _compile(body: dict[str, Any], ctx: Context, dialect: str = "postgres") -> Compiled:
    return compile_query(Query.model_validate(body), CATALOG, ctx, dialect, inline=dialect == "duckdb",
                         use_cache=False)


def _same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    if len(a) != len(b):
        return False
    for row_a, row_b in zip(a, b, strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif isinstance(x, str) and isinstance(y, str) and x[:4].isdigit() and "-" in x:
                if x.replace("T00:00:00", "")[:19] != y.replace("T00:00:00", "")[:19]:
                    return False
            elif x != y:
                return False
    return True


def _three_ways(body: dict[str, Any], ctx: Context, pg: Any, duck: duckdb.DuckDBPyConnection
                ) -> list[tuple[Any, ...]]:
    planned = _compile(body, ctx)
    rows_only = _compile(body, dataclasses.replace(ctx, sources=()))
    in_duck = _compile(body, ctx, "duckdb")
    got, want = pg(planned), pg(rows_only)
    assert _same(got, want), (body, got[:5], want[:5])
    duck_rows = _page(in_duck, [tuple(r) for r in duck.execute(in_duck.sql).fetchall()])
    assert _same(duck_rows, want), (body, duck_rows[:5], want[:5])
    return want


DIMENSIONS = list(_dimension_queries())


@pytest.mark.parametrize(("name", "candidates"), [pytest.param(n, c, id=n) for n, c in DIMENSIONS])
def test_every_dimension_three_ways(name: str, candidates: list[dict[str, Any]], loaded: Context, pg: Any,
                                    duck: duckdb.DuckDBPyConnection) -> None:
    refusals = []
    for body in candidates:
        try:
            _compile(body, loaded)
        except QueryError as err:
            refusals.append(f"{body['measures'][0]}: {err.code}")
            continue
        rows = _three_ways(body, loaded, pg, duck)
        assert rows, body
        if "dimensions" in body:  # the dimension's own column holds a value somewhere
            assert any(row[0] is not None for row in rows), f"{name} is null on every row: {rows[:3]}"
        return
    pytest.fail(f"no count measure may be used with {name}: {refusals}")


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in _measure_queries()])
def test_every_measure_three_ways(body: dict[str, Any], loaded: Context, pg: Any,
                                  duck: duckdb.DuckDBPyConnection) -> None:
    try:
        _compile(body, loaded)
    except QueryError as err:
        assert err.code == "invalid_grouping" and "dimensions" in body, (body, err.code, err.message)
        return
    _three_ways(body, loaded, pg, duck)  # may be empty: no failed payment in the export, for one


@pytest.mark.parametrize("name", sorted(m.name for m in CATALOG.materializations.values() if m.kind != "summary"))
def test_every_materialization_matched_and_unmatched(name: str, loaded: Context, pg: Any) -> None:
    """Each generated query it serves (it claims to: the planner reads it) gives the rows' answer; it serves
    some, and some of those have rows."""
    summaries = tuple(m.name for m in CATALOG.materializations.values() if m.kind == "summary")
    tables = CATALOG.materializations[name].tables(CATALOG)
    served = answered = 0
    for materialization, _, body in _materialization_queries():
        if materialization != name:
            continue
        try:
            planned = _compile(body, dataclasses.replace(loaded, sources=(name, *summaries)))
        except QueryError:
            continue  # not a query anyone may ask (a count of appointments by service, say)
        if not any(t in planned.sql for t in tables):
            continue  # not one it serves exactly (a fanned-out count without its dimension): the rows answer
        without = _compile(body, dataclasses.replace(loaded, sources=summaries))
        assert not any(t in without.sql for t in tables), (name, body)
        served += 1
        if planned.count_sql is not None:  # a listing's count: the bridge answers it
            got_count, want_count = _count(pg, planned), _count(pg, without)
            assert got_count == want_count, body
            answered += bool(want_count and want_count[0][0])
        got, want = pg(planned), pg(without)
        assert _same(got, want), (body, got[:5], want[:5])
        answered += bool(want)
    assert served and answered, (name, served, answered)


def _count(pg: Any, compiled: Compiled) -> Any:
    return pg(dataclasses.replace(compiled, sql=compiled.count_sql, params=compiled.count_params,
                                  columns=compiled.columns[:1]))


def test_every_summary_column_matches_its_inline_computation(loaded: Context, pg: Any) -> None:
    """A summary (stored per-row facts of the data's as_of) against the same facts computed inline."""
    checked = 0
    for dim in CATALOG.dimensions.values():
        if dim.materialized is None or dim.filter_only or dim.search is not None:
            continue
        body = {"dimensions": [f"{dim.entity}.id", dim.name], "order": [{"field": f"{dim.entity}.id"}],
                "limit": 10_000}
        stored = _compile(body, loaded)
        inline = _compile(body, dataclasses.replace(loaded, summary_as_of=None))
        assert stored.sql != inline.sql, dim.name
        assert _same(pg(stored), pg(inline)), dim.name
        checked += 1
    assert checked >= 10
