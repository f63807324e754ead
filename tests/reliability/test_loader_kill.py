"""A loader killed part way (SIGKILL, no chance to clean up) leaves the database exactly as before."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import asyncpg

from service.seed.generator import generate
from service.seed.loader import load_directory
from service.seed.staging import SCHEMA as STAGING_SCHEMA
from tests.conftest import REPO_ROOT

FINGERPRINT = """
SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM appointments),
       (SELECT count(*) FROM appointment_services), (SELECT count(*) FROM payments),
       (SELECT coalesce(sum(amount), 0) FROM payments),
       (SELECT md5(string_agg(id, ',' ORDER BY id)) FROM patients),
       (SELECT count(*) FROM patient_summary), (SELECT count(*) FROM data_loads)
"""


def _fingerprint(url: str) -> tuple[object, ...]:
    async def run() -> tuple[object, ...]:
        conn = await asyncpg.connect(url)
        try:
            return tuple(await conn.fetchrow(FINGERPRINT))
        finally:
            await conn.close()

    return asyncio.run(run())


def test_sigkill_during_replace_leaves_previous_data(make_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url: str = make_database()
    generate(tmp_path / "small", patients=300, seed=1)
    load_directory(tmp_path / "small", url, replace=False, progress=False)
    before = _fingerprint(url)

    generate(tmp_path / "large", patients=60_000, seed=2)
    env = {**os.environ, "DATABASE_URL": url}
    loader = subprocess.Popen(
        [str(REPO_ROOT / ".venv/bin/medspa"), "seed", "load", "--dir", str(tmp_path / "large"), "--replace"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # Kill it once it is inside its transaction: wait until the server shows the load's session busy.
    deadline = time.monotonic() + 30

    async def loading() -> bool:
        conn = await asyncpg.connect(url)
        try:
            return bool(await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') "
                "AND xact_start IS NOT NULL"))
        finally:
            await conn.close()

    while time.monotonic() < deadline and loader.poll() is None and not asyncio.run(loading()):
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the COPYs
    assert loader.poll() is None, "the loader finished before it could be killed; make the data larger"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(timeout=10)
    assert loader.returncode == -signal.SIGKILL
    assert _schema_exists(url, STAGING_SCHEMA)  # killed part way: its staged tables are left behind

    assert _fingerprint(url) == before

    # What the killed load had staged is dropped by the next load, which then succeeds.
    summary = load_directory(tmp_path / "small", url, replace=True, progress=False)
    assert summary.row_counts["patients"] == 300
    assert _fingerprint(url)[:-1] == before[:-1]  # the same data, one load more
    assert not _schema_exists(url, STAGING_SCHEMA)


def _schema_exists(url: str, name: str) -> bool:
    async def run() -> bool:
        conn = await asyncpg.connect(url)
        try:
            return bool(await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", name))
        finally:
            await conn.close()

    return asyncio.run(run())
