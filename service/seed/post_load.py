"""What every successful load does last, inside the load's transaction.

Records the load (its version keys result caches; its as_of anchors relative ranges) and rebuilds
the summary relations that the semantic layer reads, so a reader never sees new rows with old
summaries or the reverse.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import asyncpg

from semantic.summaries import refresh_summaries


async def data_as_of(conn: asyncpg.Connection) -> dt.date | None:
    """The contract's default as_of: the date of the latest payment (None for an empty database)."""
    latest: dt.datetime | None = await conn.fetchval("SELECT max(date) FROM payments")
    return latest.date() if latest else None


async def finish_load(conn: asyncpg.Connection, source_dir: Path, row_counts: dict[str, int]) -> int:
    """Refresh summaries and record the load; returns the new data version."""
    as_of = await data_as_of(conn)
    if as_of is not None:
        await refresh_summaries(conn, as_of)
    version: int = await conn.fetchval(
        "INSERT INTO data_loads (source_dir, as_of, row_counts) VALUES ($1, $2, $3) RETURNING version",
        str(source_dir), as_of, json.dumps(row_counts),
    )
    return version
