"""Keyset pagination (semantic/keyset.py), the one way to walk a listing page by page: `after` a page's
next cursor, `before` its previous cursor, `before: "end"` for the last page. Walking a listing cursor by
cursor, forward from the first page or backward from the last, gives exactly the rows of offset paging,
whatever the order (directions, nulls last, ties broken by the key), the filters (search included) or the
root; a cursor fits only the query it came from, and a bad one is a clean `invalid_cursor` before any SQL runs.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import asyncpg
import duckdb
import pytest
import sqlglot
from sqlglot import exp

from semantic import default_catalog
from semantic.compile import Compiled, compile_query
from semantic.errors import QueryError
from semantic.keyset import encode
from semantic.planner.nodes import Context
from semantic.query import Query
from tests.contract.duck import copy_postgres_to_duckdb, plain
from tests.generated import generated_database

AS_OF = dt.date(2025, 11, 26)
SHOWN = ["patient.id", "patient.name", "patient.last_name", "patient.first_name", "patient.lifetime_spend",
         "patient.last_visit_at", "patient.next_appointment_at", "patient.source"]
INSTAGRAM = [{"field": "patient.source", "op": "in", "values": ["instagram"]}]


def asc(field: str) -> dict[str, str]:
    return {"field": field, "dir": "asc"}


def desc(field: str) -> dict[str, str]:
    return {"field": field, "dir": "desc"}


# (query without limit/offset/after, page size)
WALKS: dict[str, tuple[dict[str, Any], int]] = {
    "last visit desc, nullable, instagram only": (
        {"dimensions": SHOWN, "filters": INSTAGRAM, "order": [desc("patient.last_visit_at")]}, 23),
    "next appointment asc, mostly null": ({"dimensions": SHOWN, "order": [asc("patient.next_appointment_at")]}, 41),
    "next appointment desc, mostly null": ({"dimensions": SHOWN, "order": [desc("patient.next_appointment_at")]}, 41),
    "name with ties": ({"dimensions": SHOWN, "order": [asc("patient.last_name"), asc("patient.first_name")]}, 37),
    "name, mixed directions": (
        {"dimensions": SHOWN, "order": [desc("patient.last_name"), asc("patient.first_name")]}, 37),
    "spend desc, heavy ties at 0": ({"dimensions": SHOWN, "order": [desc("patient.lifetime_spend")]}, 50),
    "search, by name": ({"dimensions": SHOWN, "filters": [{"field": "patient.search", "op": "search", "value": "an"}],
                         "order": [asc("patient.last_name"), asc("patient.first_name")]}, 13),
    "order not shown (age), filtered": (
        {"dimensions": ["patient.id", "patient.name"], "order": [desc("patient.age"), asc("patient.created_at")],
         "filters": [{"field": "patient.visit_count", "op": "gte", "value": 1}]}, 29),
    "time bucket (dates, nulls)": (
        {"dimensions": ["patient.id", "patient.source"],
         "time": {"dimension": "patient.first_visit_at", "grain": "month"}, "order": [desc("time")]}, 43),
    "appointments, another root": (
        {"dimensions": ["appointment.id", "appointment.status", "appointment.start_at"],
         "order": [desc("appointment.start_at")], "time": {"dimension": "appointment.start_at",
                                                           "range": ["2025-06-01", "2025-11-01"]}}, 97),
    "service lines by a decimal": (
        {"dimensions": ["service_line.id", "service_line.duration_hours"],
         "order": [desc("service_line.duration_hours")],
         "filters": [{"field": "service_line.start_at", "op": "gte", "value": "2025-09-01"}]}, 61),
}


def compile_(query: dict[str, Any], ctx: Context) -> Compiled:
    return compile_query(Query.model_validate(query), default_catalog(), ctx, use_cache=False)


async def _walks(url: str, names: list[str], ctx: Context | None = None,
                 scale: int = 1) -> dict[str, tuple[list[Any], ...]]:
    """Per walk: (pages by offset, pages by cursor, the next cursor after each, the count and page size, pages
    by offset with the count known and how many of those were read from the end); pages of `scale` times the
    walk's page size."""
    conn = await asyncpg.connect(url)
    try:
        if ctx is None:
            as_of = await conn.fetchval("SELECT as_of FROM patient_summary LIMIT 1")
            ctx = Context(as_of=as_of, summary_as_of=as_of)
        out: dict[str, tuple[list[Any], ...]] = {}
        for name in names:
            query, size = WALKS[name][0], WALKS[name][1] * scale
            counting = compile_({**query, "limit": size}, ctx)
            assert counting.count_sql is not None
            count = await conn.fetchval(counting.count_sql, *counting.count_params)
            by_offset: list[list[tuple[Any, ...]]] = []
            while not by_offset or len(by_offset[-1]) == size:
                compiled = compile_({**query, "limit": size, "offset": size * len(by_offset)}, ctx)
                records = await conn.fetch(compiled.sql, *compiled.params)
                by_offset.append([tuple(r)[:len(compiled.columns)] for r in records])
            by_cursor: list[list[tuple[Any, ...]]] = []
            cursors: list[str | None] = []
            cursor: str | None = None
            while not by_cursor or cursor is not None:
                compiled = compile_({**query, "limit": size, **({"after": cursor} if cursor else {})}, ctx)
                assert compiled.keyset is not None and compiled.keyset.resumed == (cursor is not None)
                records = await conn.fetch(compiled.sql, *compiled.params)
                by_cursor.append([tuple(r)[:len(compiled.columns)] for r in records])
                cursor = compiled.next_cursor(records)
                cursors.append(cursor)
            # backward from the last page, by previous cursors; each page's next cursor goes forward again
            backward: list[list[tuple[Any, ...]]] = []
            forward_again: list[list[tuple[Any, ...]]] = []
            before: str | None = "end"
            while before is not None:
                compiled = compile_({**query, "limit": size, "before": before}, ctx)
                records = await conn.fetch(compiled.sql, *compiled.params)
                backward.append([tuple(r)[:len(compiled.columns)] for r in records])
                after = compiled.next_cursor(records)
                # the last page has nothing after it; a page before a cursor has that cursor's row after it
                assert (after is None) == (before == "end" or not records), name
                if after is not None:
                    again = compile_({**query, "limit": size, "after": after}, ctx)
                    more = await conn.fetch(again.sql, *again.params)
                    forward_again.append([tuple(r)[:len(again.columns)] for r in more])
                before = compiled.prev_cursor(records)
            out[name] = (by_offset, by_cursor, cursors, [count, size], backward, forward_again)
        return out
    finally:
        await conn.close()


def _check(walks: dict[str, tuple[list[Any], ...]]) -> None:
    for name, (by_offset, by_cursor, cursors, (count, size), backward, forward_again) in walks.items():
        rows = [r for page in by_offset for r in page]
        assert len(rows) == count > size, name  # more than one page, every row once
        assert len(set(rows)) == len(rows), name
        # the same pages, except that a listing ending on a full page has its empty page after a cursor
        assert by_cursor[:len(by_offset)] == by_offset, name
        assert cursors[-1] is None and all(cursors[:-1]), name
        # backward from the end: pages of `size` counted from the last row, each shown in the listing's order
        assert [r for page in reversed(backward) for r in page] == rows, name
        full = backward[:-1] if backward[-1] else backward[:-2]  # a first page exactly full: an empty one before
        assert all(len(page) == size for page in full) and len(backward[-1]) <= size, name
        # from a page read backward, its next cursor continues with the rows that follow it
        for index, page in enumerate(forward_again):
            start = count - size * (index + 2)  # backward[index + 1]: the page that cursor came from
            assert page == rows[start + size:start + 2 * size], (name, index)


@pytest.fixture(scope="module")
def generated_db_url(make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    return generated_database(make_database, tmp_path_factory.mktemp("generated"), patients=1200)


@pytest.mark.parametrize("name", sorted(WALKS))
def test_cursor_pages_are_the_offset_pages_on_generated_data(generated_db_url: str, name: str) -> None:
    _check(asyncio.run(_walks(generated_db_url, [name])))


def test_cursor_pages_are_the_offset_pages_on_the_clients_export(client_db_url: str) -> None:
    _check(asyncio.run(_walks(client_db_url, sorted(WALKS), scale=3)))


def test_cursor_pages_at_another_as_of_compute_inline(client_db_url: str) -> None:
    ctx = Context(as_of=dt.date(2025, 6, 30), summary_as_of=AS_OF)  # not the summaries': values computed inline
    names = ["last visit desc, nullable, instagram only", "spend desc, heavy ties at 0"]
    walks = asyncio.run(_walks(client_db_url, names, ctx, scale=3))
    _check(walks)


def test_a_listing_ending_on_a_full_page_gives_an_empty_last_page(generated_db_url: str) -> None:
    async def run() -> tuple[int, list[int], list[str | None], int | None]:
        conn = await asyncpg.connect(generated_db_url)
        try:
            ctx = Context(as_of=AS_OF)
            query = {"dimensions": ["patient.id"], "filters": INSTAGRAM}
            total = await conn.fetchval("SELECT count(*) FROM patients WHERE source = 'instagram'")
            first = compile_({**query, "limit": total}, ctx)
            records = await conn.fetch(first.sql, *first.params)
            cursor = first.next_cursor(records)
            assert cursor is not None
            after = compile_({**query, "limit": total, "after": cursor}, ctx)
            rest = await conn.fetch(after.sql, *after.params)
            return total, [len(records), len(rest)], [cursor, after.next_cursor(rest)], after.total_from_page(0)
        finally:
            await conn.close()

    total, sizes, cursors, known_total = asyncio.run(run())
    assert sizes == [total, 0] and cursors[1] is None
    assert known_total is None  # after a cursor the page cannot tell total_rows: the count statement runs


# --- the SQL --------------------------------------------------------------------------------------------

CTX = Context(as_of=AS_OF, summary_as_of=AS_OF)
BY_NAME = {"dimensions": SHOWN, "order": [asc("patient.last_name"), asc("patient.first_name")], "limit": 50}


def _cursor(query: dict[str, Any], values: list[Any], ctx: Context = CTX) -> str:
    compiled = compile_(query, ctx)
    assert compiled.keyset is not None
    return encode(compiled.keyset.fingerprint, values)


def test_each_branch_seeks_an_index_and_values_are_parameters() -> None:
    cursor = _cursor(BY_NAME, ["O'Brien; DROP TABLE patients", None, "pat_1"])
    compiled = compile_({**BY_NAME, "after": cursor}, CTX)
    tree = sqlglot.parse_one(compiled.sql, read="postgres")
    union = tree.find(exp.Union)
    assert union is not None
    branches = [s for s in union.find_all(exp.Select) if s.args.get("limit") is not None]
    # first name null: after it only its ties (id > pat_1), then last names past O'Brien, then null last names
    conditions = sorted(b.args["where"].sql(dialect="postgres") for b in branches)
    assert len(branches) == 3 and all(" OR " not in c for c in conditions), conditions
    assert any('"first_name" IS NULL AND "patient_2"."id" >' in c for c in conditions), conditions
    assert any(c.endswith('"last_name" IS NULL') for c in conditions), conditions
    assert "DROP" not in compiled.sql and "O'Brien; DROP TABLE patients" in compiled.params
    assert " OFFSET " not in compiled.sql.upper()


def test_a_cursor_on_a_column_not_shown_comes_from_an_extra_column() -> None:
    query = {"dimensions": ["patient.id", "patient.name"], "order": [desc("patient.lifetime_spend")], "limit": 5}
    compiled = compile_(query, CTX)
    assert compiled.keyset is not None and compiled.keyset.positions == (2, 0)  # spend after the 2 shown, then id
    records = [("pat_a", "Ann A", 500), ("pat_b", "Bo B", 400), ("pat_c", "Cy C", 300), ("pat_d", "Di D", 200),
               ("pat_e", "Ed E", 100)]
    cursor = compiled.next_cursor(records)
    assert cursor is not None and compiled.next_cursor(records[:4]) is None  # a short page ends the listing
    resumed = compile_({**query, "after": cursor}, CTX)
    assert 100 in resumed.params and "pat_e" in resumed.params


# --- refusals -------------------------------------------------------------------------------------------


def _refusal(query: dict[str, Any], ctx: Context = CTX) -> QueryError:
    with pytest.raises(QueryError) as refused:
        compile_(query, ctx)
    return refused.value


def test_a_cursor_continues_only_its_own_query() -> None:
    cursor = _cursor(BY_NAME, ["Lewis", "Liam", "pat_1"])
    assert compile_({**BY_NAME, "limit": 7, "after": cursor}, CTX).keyset is not None  # any limit
    assert compile_({**BY_NAME, "as_of": AS_OF.isoformat(), "after": cursor}, CTX).keyset is not None  # same as_of
    others = {
        "another filter": {**BY_NAME, "filters": INSTAGRAM},
        "another order": {**BY_NAME, "order": [desc("patient.last_name"), asc("patient.first_name")]},
        "other columns": {**BY_NAME, "dimensions": ["patient.id", "patient.last_name", "patient.first_name"]},
    }
    for what, other in others.items():
        error = _refusal({**other, "after": cursor})
        assert (error.code, error.path) == ("invalid_cursor", "after"), what
        assert "another query" in error.message, what
    moved = _refusal({**BY_NAME, "after": cursor}, Context(as_of=dt.date(2025, 6, 30), summary_as_of=AS_OF))
    assert moved.code == "invalid_cursor"


def _raw(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_malformed_cursors_are_invalid_cursor() -> None:
    fingerprint = compile_(BY_NAME, CTX).keyset.fingerprint  # type: ignore[union-attr]
    bad = {
        "empty": "",
        "not base64url": "abc+/==",
        "not JSON": "bm90IGpzb24",
        "not UTF-8": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "too long": "A" * 5000,
        "a JSON object": _raw({"a": 1}),
        "another version": _raw([2, fingerprint, ["Lewis", "Liam", "pat_1"]]),
        "too few values": _raw([1, fingerprint, ["Lewis", "pat_1"]]),
        "a number for a name": _raw([1, fingerprint, [12, "Liam", "pat_1"]]),
        "a null key": _raw([1, fingerprint, ["Lewis", "Liam", None]]),
        "a NUL in text": _raw([1, fingerprint, ["Le\x00wis", "Liam", "pat_1"]]),
        "a lone surrogate": _raw([1, fingerprint, ["Le\ud800wis", "Liam", "pat_1"]]),
        "an unknown tag": _raw([1, fingerprint, [{"x": "1"}, "Liam", "pat_1"]]),
        "a list value": _raw([1, fingerprint, [["Lewis"], "Liam", "pat_1"]]),
        "nested too deep": base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode()[:4096],
    }
    for what, cursor in bad.items():
        error = _refusal({**BY_NAME, "after": cursor})
        assert (error.code, error.path) == ("invalid_cursor", "after"), what
        assert "meta.next_cursor" in error.message, what
    by_visit = {"dimensions": SHOWN, "order": [desc("patient.last_visit_at")], "limit": 50}
    visit_print = compile_(by_visit, CTX).keyset.fingerprint  # type: ignore[union-attr]
    typed_bad = {
        "text for a time": [1, visit_print, ["yesterday", "pat_1"]],
        "a bad timestamp": [1, visit_print, [{"t": "2025-13-40T00:00:00"}, "pat_1"]],
        "an aware timestamp": [1, visit_print, [{"t": "2025-01-01T00:00:00+02:00"}, "pat_1"]],
    }
    for what, payload in typed_bad.items():
        assert _refusal({**by_visit, "after": _raw(payload)}).code == "invalid_cursor", what
    by_spend = {"dimensions": SHOWN, "order": [desc("patient.lifetime_spend")], "limit": 50}
    spend_print = compile_(by_spend, CTX).keyset.fingerprint  # type: ignore[union-attr]
    numbers = {"beyond bigint": 2**70, "an infinite decimal": {"n": "Infinity"}, "a huge decimal": {"n": "1e999999"},
               "a boolean": True}
    for what, value in numbers.items():
        assert _refusal({**by_spend, "after": _raw([1, spend_print, [value, "pat_1"]])}).code == "invalid_cursor", what


def test_after_where_a_cursor_cannot_resume_is_invalid_query() -> None:
    cursor = _cursor(BY_NAME, ["Lewis", "Liam", "pat_1"])
    with_offset = _refusal({**BY_NAME, "offset": 50, "after": cursor})
    assert (with_offset.code, with_offset.path) == ("invalid_query", "offset")
    measures = _refusal({"measures": ["revenue"], "dimensions": ["patient.source"], "after": cursor})
    assert (measures.code, measures.path) == ("invalid_query", "after") and "offset" in measures.message
    distinct = _refusal({"dimensions": ["patient.source"], "after": cursor})
    assert (distinct.code, distinct.path) == ("invalid_query", "after") and "patient.id" in distinct.suggestions
    assert compile_({"dimensions": ["patient.source"]}, CTX).keyset is None  # and it never gets a cursor
    assert compile_({"measures": ["revenue"]}, CTX).keyset is None



def test_a_cursor_page_in_duckdb_is_postgres_page(client_db_url: str) -> None:
    names = ["next appointment asc, mostly null", "name, mixed directions", "service lines by a decimal"]

    async def postgres() -> tuple[Context, dict[str, tuple[str, list[tuple[Any, ...]]]]]:
        conn = await asyncpg.connect(client_db_url)
        try:
            as_of = await conn.fetchval("SELECT as_of FROM patient_summary LIMIT 1")
            ctx = Context(as_of=as_of, summary_as_of=as_of)
            out = {}
            for name in names:
                query = {**WALKS[name][0], "limit": 50, "offset": 100}
                first = compile_(query, ctx)
                cursor = first.next_cursor(await conn.fetch(first.sql, *first.params))
                assert cursor is not None
                page = compile_({**query, "offset": 0, "after": cursor}, ctx)
                out[name] = (cursor, [tuple(r) for r in await conn.fetch(page.sql, *page.params)])
            return ctx, out
        finally:
            await conn.close()

    ctx, pages = asyncio.run(postgres())
    duck = duckdb.connect()
    try:
        copy_postgres_to_duckdb(client_db_url, duck)
        for name, (cursor, rows) in pages.items():
            query = {**WALKS[name][0], "limit": 50, "after": cursor}
            sql = compile_query(Query.model_validate(query), default_catalog(), ctx, "duckdb", inline=True).sql
            duck_rows = duck.execute(sql).fetchall()
            assert len(rows) == 50, name
            assert [tuple(plain(v) for v in r) for r in duck_rows] == [tuple(plain(v) for v in r) for r in rows], name
    finally:
        duck.close()
