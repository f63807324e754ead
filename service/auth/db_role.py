"""The read path's database role: every query-path transaction is READ ONLY and, where the server allows,
runs as `medspa_reader` (SELECT on the spa's data tables, nothing else: no users, sessions, keys or audit).

Migration 0002 creates the role and grants it; whether this connection may switch to it is checked once
(at startup, `app.state.reader_role`) and remembered per engine. Where it may not (a managed server that
refused CREATE ROLE, a database migrated without the grants), queries still run READ ONLY as the
connecting user, and a warning says so.

Each read transaction also sets `temp_file_limit` (`Settings.reader_temp_file_limit`): the disk one query may
spill sorts and hashes to. Migration 0011 lets the reader role set it (a superuser-only setting otherwise);
where neither the role nor the connecting user may, the read runs without it, with a warning at startup.
An uncached query's read takes one of the worker's query slots (service/db/slots.py).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.slots import slots_for
from service.errors_http import database_failure

READER_ROLE = "medspa_reader"
# What the reader must never see; every other table in `public` is the spa's data (and summaries of it),
# which the query path, the catalog and the patient record read, so the reader needs SELECT on each.
PRIVATE_TABLES = ("users", "user_sessions", "api_keys", "audit_events", "alembic_version")

logger = logging.getLogger("medspa.db")

_ENABLED: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_BEGIN: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()  # the statement that opens a read
_TEMP_FILE_LIMIT: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


async def reader_role_usable(conn: asyncpg.Connection) -> bool:
    """True when `medspa_reader` exists, the connecting user is a member, and it may read every data table
    (a table added without its GRANT turns the role off, with a warning, rather than failing queries)."""
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", READER_ROLE):
        return False
    if not await conn.fetchval("SELECT pg_has_role(current_user, $1, 'MEMBER')", READER_ROLE):
        return False
    missing = await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> ALL($2::text[]) "
        "AND NOT has_table_privilege($1, c.oid, 'SELECT')",
        READER_ROLE, list(PRIVATE_TABLES),
    )
    if missing:
        logger.warning("reader role lacks SELECT", extra={"fields": {
            "role": READER_ROLE, "tables": sorted(r[0] for r in missing)}})
    return not missing


async def may_set_temp_file_limit(conn: asyncpg.Connection, role: str) -> bool:
    """Whether `role` may SET temp_file_limit (a superuser, or granted SET on it: PostgreSQL 15 and later)."""
    if await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = $1", role):
        return True
    if await conn.fetchval("SELECT current_setting('server_version_num')::int") < 150000:
        return False
    return bool(await conn.fetchval("SELECT has_parameter_privilege($1, 'temp_file_limit', 'SET')", role))


async def _detect(conn: asyncpg.Connection, engine: AsyncEngine) -> bool:
    """Whether the reader role is usable, and the statement that opens a read (remembered for `engine`)."""
    usable = await reader_role_usable(conn)
    limit = _TEMP_FILE_LIMIT.get(engine.sync_engine)
    statements = ["BEGIN READ ONLY"]
    if limit is not None and await may_set_temp_file_limit(conn, await conn.fetchval("SELECT current_user")):
        statements.append(f"SET LOCAL temp_file_limit = '{limit}'")  # before the role: its own right to
        limit = None
    if usable:
        statements.append(f"SET LOCAL ROLE {READER_ROLE}")
        if limit is not None and await may_set_temp_file_limit(conn, READER_ROLE):
            statements.append(f"SET LOCAL temp_file_limit = '{limit}'")
            limit = None
    if limit is not None:
        logger.warning("temp_file_limit not set", extra={"fields": {
            "role": READER_ROLE, "effect": "a query may spill any amount to disk (run `medspa migrate` as the "
            "database owner to grant it)"}})
    _BEGIN[engine.sync_engine] = "; ".join(statements)  # one round trip (the simple query protocol)
    return _remember(engine, usable)


def set_temp_file_limit(engine: AsyncEngine, limit: str) -> None:
    """Read transactions on `engine` set temp_file_limit to `limit` (a PostgreSQL size such as '1GB'; already
    validated by Settings), from the next detection on (the app's startup)."""
    _TEMP_FILE_LIMIT[engine.sync_engine] = limit


def _remember(engine: AsyncEngine, usable: bool) -> bool:
    _ENABLED[engine.sync_engine] = usable
    if not usable:
        logger.warning("reader role unavailable", extra={"fields": {
            "role": READER_ROLE, "effect": "read-only queries run as the connecting user"}})
    return usable


async def detect_reader_role(engine: AsyncEngine) -> bool | None:
    """Check once (at startup) and remember; None when the database cannot be reached (checked on first use)."""
    try:
        async with engine.connect() as conn:
            raw: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
            return await _detect(raw, engine)
    except Exception as exc:
        if database_failure(exc) is not None:
            return None
        raise


def reader_role_enabled(engine: AsyncEngine) -> bool | None:
    """What the startup check found for `engine` (None: not checked yet)."""
    return _ENABLED.get(engine.sync_engine)


async def enter_reader_role(conn: asyncpg.Connection, engine: AsyncEngine) -> None:
    """Inside a READ ONLY transaction on `conn`: `SET LOCAL ROLE medspa_reader` when usable (reverts at the
    transaction's end, so the pooled connection comes back as it was)."""
    usable = _ENABLED.get(engine.sync_engine)
    if usable is None:
        usable = await _detect(conn, engine)
    if usable:
        await conn.execute(f"SET LOCAL ROLE {READER_ROLE}")


def begin_statement(engine: AsyncEngine) -> str | None:
    """The statement that opens a read on `engine` (None before the first check)."""
    return _BEGIN.get(engine.sync_engine)


@asynccontextmanager
async def reader_transaction(conn: asyncpg.Connection, engine: AsyncEngine, *, keep_open: bool = False,
                             gated: bool = True) -> AsyncIterator[asyncpg.Connection]:
    """A READ ONLY transaction on `conn`, as `medspa_reader` when usable, with its temp_file_limit, begun in one
    round trip (what `conn.transaction(readonly=True)` plus `enter_reader_role` take two for); COMMIT after,
    ROLLBACK on error. `gated`: it takes one of the worker's query slots while it runs (service/db/slots.py;
    503 `server_busy` past its queue); a read held for a whole request, which may run queries of its own
    inside, is not gated (the patient record's), or it could wait on itself.

    `keep_open`: on success the transaction is left open for the connection's holder to end with
    `end_read` (the query route does, once its answer is sent: nothing is written, so nothing waits on it).
    A connection whose transaction cannot be ended is closed, so the pool never hands it out again."""
    slots = slots_for(engine) if gated else None
    if slots is None:
        async with _reading(conn, engine, keep_open) as held:
            yield held
        return
    async with slots.slot(), _reading(conn, engine, keep_open) as held:
        yield held


@asynccontextmanager
async def _reading(conn: asyncpg.Connection, engine: AsyncEngine, keep_open: bool) -> AsyncIterator[asyncpg.Connection]:
    begin = _BEGIN.get(engine.sync_engine)
    if begin is None:  # not checked at startup (the database was down then): now, once
        await _detect(conn, engine)
        begin = _BEGIN[engine.sync_engine]
    try:
        await conn.execute(begin)
        yield conn
    except BaseException:
        await abandon(conn)
        raise
    if not keep_open:
        await end_read(conn)


async def end_read(conn: asyncpg.Connection) -> None:
    """COMMIT the read-only transaction open on `conn`, if any (the role reverts with it)."""
    if conn.is_closed() or not conn.is_in_transaction():
        return
    try:
        await conn.execute("COMMIT")
    except _CONNECTION_LOST:
        conn.terminate()  # READ ONLY: nothing to commit, and what was read stands; the pool replaces it


# The server went away (or the connection broke) between the last read and the COMMIT.
_CONNECTION_LOST = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError,
                    asyncpg.AdminShutdownError, asyncpg.CrashShutdownError)


async def abandon(conn: asyncpg.Connection) -> None:
    """Roll back whatever transaction is open on `conn`; close the connection if that fails."""
    if conn.is_closed() or not conn.is_in_transaction():
        return
    try:
        await conn.execute("ROLLBACK")
    except Exception:
        conn.terminate()  # the caller's error is the one to report
    except BaseException:
        conn.terminate()
        raise
