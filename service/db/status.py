"""Small read-only questions about a database (is it migrated, does it hold data)."""

from __future__ import annotations

import asyncio

import asyncpg


async def _patient_rows(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        exists = await conn.fetchval("SELECT to_regclass('public.patients') IS NOT NULL")
        if not exists:
            return 0
        return int(await conn.fetchval("SELECT count(*) FROM (SELECT 1 FROM patients LIMIT 1) AS any_row"))
    finally:
        await conn.close()


def database_has_data(url: str) -> bool:
    """True when the database at `url` (plain postgresql:// URL) holds at least one patient."""
    return asyncio.run(_patient_rows(url)) > 0
