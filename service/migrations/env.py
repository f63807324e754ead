"""Alembic environment: the schema comes from `models.py`; the URL from the caller or settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import models
from service.db.resolve import database_url
from service.db.urls import to_async_url

config = context.config
target_metadata = models.Base.metadata


def _url() -> str:
    return to_async_url(config.attributes.get("database_url") or database_url())


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave out the pre-aggregations' tables: typed from the catalog and made by the loader, not by models.py
    (service/seed/materialized.py)."""
    return not (type_ == "table" and reflected and name is not None and name.startswith("preagg_"))


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
