"""The embedded server's settings: given at every start, its page cache sized from the memory it may use."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest

from service.db.embedded import (
    SERVER_SETTINGS,
    SHARED_BUFFERS_MAX_MB,
    SHARED_BUFFERS_MIN_MB,
    available_memory,
    server_settings,
    shared_buffers_mb,
)

GIB = 2**30


@pytest.mark.parametrize(("memory", "expected"), [
    (512 * 2**20, SHARED_BUFFERS_MIN_MB),  # a small container: the floor
    (4 * GIB, 512),
    (8 * GIB, 1024),
    (24 * GIB, SHARED_BUFFERS_MAX_MB),  # this machine: capped
    (512 * GIB, SHARED_BUFFERS_MAX_MB),
])
def test_shared_buffers_are_an_eighth_of_memory_within_bounds(memory: int, expected: int) -> None:
    assert shared_buffers_mb(memory) == expected


def test_available_memory_is_at_most_the_machines() -> None:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < available_memory() <= physical


def test_a_started_server_runs_with_every_setting(pg_server_url: str) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL: the tests run on a server this project did not start")

    async def read() -> dict[str, str]:
        conn = await asyncpg.connect(pg_server_url)
        try:
            rows = await conn.fetch("SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])",
                                    list(server_settings()))
            return {r["name"]: r["setting"] for r in rows}
        finally:
            await conn.close()

    found = asyncio.run(read())
    assert set(found) == set(server_settings())
    assert int(found["shared_buffers"]) * 8 // 1024 == shared_buffers_mb()  # in pages of 8 kB
    assert found["wal_level"] == SERVER_SETTINGS["wal_level"] == "minimal"
    assert found["random_page_cost"] == SERVER_SETTINGS["random_page_cost"]
