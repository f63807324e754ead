"""The result cache (service/services/query.py) never serves an answer from before a load.

Results are keyed by (database, data_loads.version, SQL, parameters); every load records a new
version, so a reload (`--replace`) invalidates every cached result at once. `MEDSPA_RESULT_CACHE=0`
(`Settings.result_cache`) turns the cache off, e.g. for benchmarks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg

from service.seed.generator import generate
from service.seed.loader import load_directory
from service.services.query import RESULTS

QUERY = {"measures": ["revenue", "visit_count", "line_revenue"], "time": {"range": "all_time"}}
LISTING = {"dimensions": ["patient.id", "patient.lifetime_spend"],
           "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 5}


def _direct_revenue(url: str) -> int:
    async def run() -> int:
        conn = await asyncpg.connect(url)
        try:
            return int(await conn.fetchval("SELECT coalesce(sum(amount), 0) FROM payments WHERE status = 'paid'"))
        finally:
            await conn.close()

    return asyncio.run(run())


def test_a_reload_invalidates_cached_results(fresh_db_url, api_for, tmp_path: Path):
    anchor = dt.date(2025, 11, 26)
    first, second = tmp_path / "first", tmp_path / "second"
    generate(first, patients=150, seed=1, anchor=anchor)
    generate(second, patients=220, seed=2, anchor=anchor)
    load_directory(first, fresh_db_url, replace=False, progress=False)
    RESULTS.items.clear()  # other tests in this process may have filled it (then new entries evict, not add)
    with api_for(fresh_db_url) as client:
        before = client.post("/api/query", json=QUERY).json()["rows"]
        listing_before = client.post("/api/query", json=LISTING).json()["rows"]
        assert client.post("/api/query", json=QUERY).json()["rows"] == before  # served from the cache
        assert before[0]["revenue"] == _direct_revenue(fresh_db_url)
        cached = len(RESULTS.items)

        load_directory(second, fresh_db_url, replace=True, progress=False)
        after = client.post("/api/query", json=QUERY).json()["rows"]
        assert after[0]["revenue"] == _direct_revenue(fresh_db_url) != before[0]["revenue"]
        assert after[0]["line_revenue"] == after[0]["revenue"]  # the stored allocation was rebuilt too
        assert client.post("/api/query", json=LISTING).json()["rows"] != listing_before
        assert len(RESULTS.items) > cached  # new entries under the new version


def test_the_cache_can_be_turned_off(monkeypatch):
    from service.settings import Settings

    monkeypatch.setenv("MEDSPA_RESULT_CACHE", "0")
    assert Settings().result_cache is False
    monkeypatch.setenv("MEDSPA_RESULT_CACHE", "1")
    assert Settings().result_cache is True
