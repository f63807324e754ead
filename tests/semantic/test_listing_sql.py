"""The patient table's SQL: what each statement reads, so that an index can serve it at a million patients.

A page of root rows pages its keys first (only the order's and filters' columns; the summary alone when
nothing else is needed), then builds the shown columns for those 50 rows; the count reads only what the
filters need. The rows must be the ones the straightforward statement gives: checked here against a
plain LEFT JOIN listing, page by page, on the client's export.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg
import pytest
import sqlglot
from sqlglot import exp

from semantic import default_catalog
from semantic.compile import Compiled, compile_query
from semantic.planner.nodes import Context
from semantic.query import Query

AS_OF = dt.date(2025, 11, 26)
CTX = Context(as_of=AS_OF, summary_as_of=AS_OF)
SHOWN = ["patient.id", "patient.name", "patient.lifetime_spend", "patient.visit_count", "patient.last_visit_at"]


def compile_(query: dict[str, Any], ctx: Context = CTX) -> Compiled:
    return compile_query(Query.model_validate(query), default_catalog(), ctx, use_cache=False)


def page_keys(sql: str) -> exp.Select:
    """The innermost SELECT that has the page's LIMIT (the keys subquery)."""
    tree = sqlglot.parse_one(sql, read="postgres")
    limited = [s for s in tree.find_all(exp.Select) if s.args.get("limit") is not None]
    assert len(limited) == 1, sql
    return limited[0]


def tables(node: exp.Expr) -> set[str]:
    return {t.name for t in node.find_all(exp.Table)}


def test_a_page_sorted_by_a_summary_fact_pages_the_summary_alone():
    compiled = compile_({"dimensions": SHOWN, "order": [{"field": "patient.lifetime_spend", "dir": "desc"}],
                         "limit": 50, "offset": 500})
    keys = page_keys(compiled.sql)
    assert tables(keys) == {"patient_summary"}
    order = keys.args["order"].sql(dialect="postgres")
    # the bare columns (no COALESCE), as an index (lifetime_spend DESC NULLS LAST, patient_id) holds them
    assert order == ('ORDER BY "patient_2_summary"."lifetime_spend" DESC NULLS LAST, '
                     '"patient_2_summary"."patient_id" ASC')
    assert "COALESCE" not in compiled.sql and "LEFT JOIN" not in compiled.sql
    assert compiled.count_sql is not None and tables(sqlglot.parse_one(compiled.count_sql)) == {"patients"}


def test_the_count_reads_only_what_the_filters_need():
    lapsed = compile_({"dimensions": SHOWN, "filters": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
                       "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 50})
    assert lapsed.count_sql is not None
    assert tables(sqlglot.parse_one(lapsed.count_sql)) == {"patient_summary"}
    assert True not in lapsed.count_params  # the condition itself, not `(...) = TRUE`: its parts can use indexes
    by_source = compile_({"dimensions": SHOWN, "filters": [{"field": "patient.source", "op": "in",
                                                            "values": ["instagram"]}], "limit": 50})
    assert by_source.count_sql is not None and tables(sqlglot.parse_one(by_source.count_sql)) == {"patients"}


def test_a_date_filter_on_a_time_compares_the_time_with_midnights():
    compiled = compile_({"dimensions": ["patient.id"], "limit": 0, "filters": [
        {"field": "patient.last_visit_at", "op": "gte", "value": "2025-11-26"},
        {"field": "patient.last_visit_at", "op": "lte", "value": "2025-11-30"}]})
    assert compiled.count_sql is not None and "AS DATE" not in compiled.count_sql.upper()
    assert dt.datetime(2025, 11, 26) in compiled.count_params and dt.datetime(2025, 12, 1) in compiled.count_params


def test_past_as_of_computes_inline_and_order_stops_at_the_key():
    past = compile_({"dimensions": SHOWN, "order": [{"field": "patient.lifetime_spend", "dir": "desc"}],
                     "limit": 50}, Context(as_of=dt.date(2025, 6, 30), summary_as_of=AS_OF))
    assert "patient_summary" not in past.sql and "COALESCE" in past.sql
    default = compile_({"dimensions": SHOWN, "limit": 50})  # ordered by every column: the id decides alone
    assert page_keys(default.sql).args["order"].sql(dialect="postgres") == 'ORDER BY "patient_2"."id" ASC'


# --- the rows are the plain listing's, page by page ----------------------------------------------------

PLAIN = """
SELECT p.id, coalesce(s.lifetime_spend, 0) AS spend, coalesce(s.visit_count, 0) AS visits, s.last_visit_at,
       p.last_name, p.first_name, p.source
FROM patients p LEFT JOIN patient_summary s ON s.patient_id = p.id
"""
EPOCH = dt.datetime(2000, 1, 1)
ORDERS = {
    "visits desc": ("patient.visit_count", True, lambda r: (-r["visits"], r["id"])),
    "spend asc": ("patient.lifetime_spend", False, lambda r: (r["spend"], r["id"])),
    "last visit desc": ("patient.last_visit_at", True,  # nulls last, like every order
                        lambda r: (r["last_visit_at"] is None, -(r["last_visit_at"] or EPOCH).timestamp(), r["id"])),
}


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_pages_with_heavy_ties_are_the_plain_listing_in_order(client_db_url, name):
    field, desc, key = ORDERS[name]

    async def run() -> tuple[list[dict[str, Any]], list[str]]:
        conn = await asyncpg.connect(client_db_url)
        try:
            as_of = await conn.fetchval("SELECT as_of FROM patient_summary LIMIT 1")
            plain = [dict(r) for r in await conn.fetch(PLAIN) if r["source"] == "instagram"]
            seen: list[str] = []
            for offset in range(0, len(plain) + 100, 100):
                compiled = compile_({"dimensions": ["patient.id"], "limit": 100, "offset": offset,
                                     "filters": [{"field": "patient.source", "op": "in", "values": ["instagram"]}],
                                     "order": [{"field": field, "dir": "desc" if desc else "asc"}]},
                                    Context(as_of=as_of, summary_as_of=as_of))
                seen += [r[0] for r in await conn.fetch(compiled.sql, *compiled.params)]
            return plain, seen
        finally:
            await conn.close()

    plain, seen = asyncio.run(run())
    assert len(plain) > 500
    assert seen == [r["id"] for r in sorted(plain, key=key)]  # every row once, ties by id, no gaps
