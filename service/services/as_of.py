"""The date the data describes as "now" (the contract's as_of)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from service.settings import Settings


async def data_as_of(conn: asyncpg.Connection) -> dt.date | None:
    """The latest load's as_of (the date of its latest payment), or the latest payment's date."""
    recorded: dt.date | None = await conn.fetchval(
        "SELECT as_of FROM data_loads ORDER BY version DESC LIMIT 1"
    )
    if recorded is not None:
        return recorded
    latest: dt.datetime | None = await conn.fetchval("SELECT max(date) FROM payments")
    return latest.date() if latest else None


async def resolve_as_of(conn: asyncpg.Connection, settings: Settings, requested: dt.date | None = None) -> dt.date:
    """Per request, else configured, else the data's own, else today (an empty database)."""
    if requested is not None:
        return requested
    if settings.as_of is not None:
        return settings.as_of
    return await data_as_of(conn) or dt.date.today()
