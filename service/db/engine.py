"""The async engine and sessions; the app's lifespan owns one engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from service.db.slots import attach_slots
from service.db.urls import to_async_url
from service.settings import Settings


def make_engine(url: str, settings: Settings, *, priority: bool = False) -> AsyncEngine:
    """The pooled engine. No pre-ping (three round trips per checkout with asyncpg): a checkout instead
    replaces, at no round-trip cost, a connection the server has closed or one left inside a transaction.

    `priority`: the small pool held back for /api/health and sign-in (`Settings.priority_pool_size`, no
    overflow), which no query can take. The main pool runs at most `query_slots` uncached queries at once
    (service/db/slots.py), so it always has connections for session checks and cached answers."""
    engine = create_async_engine(
        to_async_url(url),
        pool_size=settings.priority_pool_size if priority else settings.pool_size,
        max_overflow=0 if priority else settings.pool_overflow,
        pool_pre_ping=False,
        pool_timeout=5 if priority else 10,
        connect_args={
            "timeout": 5,
            "command_timeout": settings.statement_timeout_ms / 1000 + 5,
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "medspa-api-priority" if priority else "medspa-api",
            },
        },
    )
    event.listen(engine.sync_engine, "checkout", _refuse_unusable)
    if not priority:
        attach_slots(engine, settings.query_slots, settings.query_queue)
    return engine


def _refuse_unusable(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pool `checkout` hook: DisconnectionError makes the pool drop the connection and open another.

    asyncpg marks a connection closed as soon as the event loop sees the server hang up (a restart, an
    idle timeout, a killed backend), so this catches what a ping would, without the round trips; a
    connection whose socket died silently still fails on first use, as a retryable 503."""
    raw: asyncpg.Connection = dbapi_connection.driver_connection
    if raw.is_closed() or raw.is_in_transaction():
        raise DisconnectionError("pooled connection closed or left in a transaction")


@asynccontextmanager
async def raw_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection in autocommit (each statement its own transaction), returned after use.

    Straight from the pool, without an `AsyncConnection` around it: half the checkout's cost."""
    held = await hold(engine)
    try:
        try:
            yield held.conn
        except asyncpg.InternalClientError as exc:
            raise broken(held.conn, exc) from exc
    finally:
        await held.release()


@dataclass(frozen=True)
class HeldConnection:
    """A pooled connection checked out by hand (`raw_connection` is the usual way): `release()` returns it to
    the pool, from any task."""

    conn: asyncpg.Connection
    pooled: PoolProxiedConnection

    async def release(self) -> None:
        await greenlet_spawn(self.pooled.close)  # back to the pool (closing it may await: needs the greenlet)


async def hold(engine: AsyncEngine) -> HeldConnection:
    pooled = await engine.raw_connection()
    raw: asyncpg.Connection | None = pooled.driver_connection
    assert raw is not None
    return HeldConnection(raw, pooled)


def broken(conn: asyncpg.Connection, exc: asyncpg.InternalClientError) -> ConnectionResetError:
    """The server hung up (a shutdown, a terminated backend) while the connection sat in the pool, and asyncpg
    read its farewell before the hang-up itself: the connection is broken but not yet closed. Close it (the
    next checkout replaces it); the error to raise is the outage it is (a retryable 503)."""
    conn.terminate()
    return ConnectionResetError("the database connection broke")


async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        yield session
