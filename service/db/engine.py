"""The async engine and sessions; the app's lifespan owns one engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from service.db.urls import to_async_url
from service.settings import Settings


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        to_async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args={
            "timeout": 5,
            "command_timeout": settings.statement_timeout_ms / 1000 + 5,
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "medspa-api",
            },
        },
    )


async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        yield session
