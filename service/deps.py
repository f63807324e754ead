"""Typed dependencies for the routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from service.auth.db_role import abandon, end_read, reader_transaction
from service.auth.deps import identify
from service.auth.principal import Principal
from service.db.engine import HeldConnection, broken, hold, raw_connection
from service.services.query import DataState, data_state, outage_as_503
from service.settings import Settings

logger = logging.getLogger("medspa.db")


# async: FastAPI runs plain functions in its thread pool, a hand-off that costs more than they do
async def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_raw_connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection in a read-only transaction, as the connecting user (the audit listing)."""
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        async with driver.transaction(readonly=True):
            yield driver


async def get_reader_connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection in a read-only transaction as `medspa_reader` (the spa's data, nothing else)."""
    engine: AsyncEngine = request.app.state.engine
    async with raw_connection(engine) as conn, reader_transaction(conn, engine):  # BEGIN and SET ROLE: one trip
        yield conn


@dataclass(frozen=True)
class QueryContext:
    """What a query request runs with: the app's engine and settings, who asks, the data's state, and the
    pooled connection (autocommit) the caller and the state were read on."""

    engine: AsyncEngine
    settings: Settings
    principal: Principal
    state: DataState
    conn: asyncpg.Connection


async def get_query_context(request: Request) -> AsyncIterator[QueryContext]:
    """The caller's session or key checked and the data state read in one statement (one round trip), on a
    connection held while the route runs: the query and its audit row run on it, with no other checkout.

    When the route returns, a read it left open is ended (COMMIT) and the connection returned to the pool by
    a task of its own (`finish_soon`), while the answer is sent: the answer does not wait for either, and a
    client slow to read it holds no connection. 401 as `current_principal` (and before the body is
    validated, as every dependency's); outages are 503. One dependency for the hot path: each one FastAPI
    resolves costs a few microseconds."""
    app = request.app
    engine: AsyncEngine = app.state.engine
    async with outage_as_503():
        held = await hold(engine)
        try:
            principal, row = await identify(request, held.conn)
            yield QueryContext(engine, app.state.settings, principal, await data_state(held.conn, row), held.conn)
        except BaseException as exc:
            failure = broken(held.conn, exc) if isinstance(exc, asyncpg.InternalClientError) else None
            if failure is None:
                await abandon(held.conn)  # ROLLBACK whatever the route left open (nothing: no round trip)
            await held.release()
            if failure is not None:
                raise failure from exc
            raise
    finish_soon(app.state.finishing, held)


def finish_soon(pending: set[asyncio.Task[None]], held: HeldConnection) -> None:
    """End the read left open on `held` and return it to the pool in a task of its own, kept in `pending`
    (the app's lifespan waits for them before it closes the pool)."""
    task = asyncio.get_running_loop().create_task(_finish(held))
    pending.add(task)
    task.add_done_callback(pending.discard)


async def _finish(held: HeldConnection) -> None:
    try:
        await end_read(held.conn)
    except Exception as exc:  # the answer has gone: only the log can be told; the pool must not get it back open
        held.conn.terminate()
        logger.warning("could not end a read", extra={"fields": {"error": type(exc).__name__}})
    finally:
        await held.release()


async def drain(pending: set[asyncio.Task[None]]) -> None:
    """Wait for the `finish_soon` tasks still running (at shutdown, before the pool closes)."""
    while pending:
        await asyncio.gather(*pending, return_exceptions=True)


EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
RawConnectionDep = Annotated[asyncpg.Connection, Depends(get_raw_connection)]
ReaderConnectionDep = Annotated[asyncpg.Connection, Depends(get_reader_connection)]
# scope "function": its end runs when the route returns, before the answer is sent (and hands off to a task)
QueryContextDep = Annotated[QueryContext, Depends(get_query_context, scope="function")]
