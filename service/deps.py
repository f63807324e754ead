"""Typed dependencies for the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from service.auth.db_role import reader_transaction
from service.db.engine import raw_connection
from service.settings import Settings


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


EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
RawConnectionDep = Annotated[asyncpg.Connection, Depends(get_raw_connection)]
ReaderConnectionDep = Annotated[asyncpg.Connection, Depends(get_reader_connection)]
