"""The FastAPI app factory: the lifespan owns the engine; routers stay thin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import async_sessionmaker

from service.db.engine import make_engine
from service.db.resolve import database_url
from service.routes import health, patients
from service.settings import Settings, get_settings


def _operation_id(route: APIRoute) -> str:
    """`{tag}-{name}`, so that the generated TypeScript client reads well."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(url or database_url(settings), settings)
        app.state.engine = engine
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Beauty Med Spa analytics API",
        version="0.1.0",
        description="One semantic query API for the dashboard, the command line and AI agents.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(patients.router)
    return app
