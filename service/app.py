"""The FastAPI app factory: the lifespan owns the engine; routers stay thin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.agent.http import mount_mcp
from service.auth.db_role import detect_reader_role, set_temp_file_limit
from service.auth.rate_limit import RateLimiter, SharedRateLimiter, SignInLimiter
from service.client_address import ClientAddressMiddleware
from service.db.engine import make_engine
from service.db.resolve import database_url
from service.deps import drain
from service.errors import install as install_query_errors
from service.errors_http import ApiError, api_error_handler, http_error_handler, unexpected_error_response
from service.middleware import RequestContextMiddleware, configure_logging
from service.routes import agent, audit, auth, health, patients, schedule
from service.routes import catalog as catalog_routes
from service.routes import query as query_routes
from service.services.agent_queries import WINDOW_SECONDS
from service.services.compiling import COMPILE_PROCESS
from service.settings import Settings, get_settings
from service.supervision import start_watch


def _operation_id(route: APIRoute) -> str:
    """`{tag}-{name}`, so that the generated TypeScript client reads well."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


async def _broken_connection(request: Request, exc: Exception) -> JSONResponse:
    """asyncpg's InternalClientError: a pooled connection the server had just dropped (asyncpg read its farewell
    but not yet the hang-up; the pool replaces it at the next checkout). For the client, an outage: 503, retry."""
    broken = ConnectionResetError("the database connection broke")
    broken.__cause__ = exc
    return unexpected_error_response(broken, getattr(request.state, "request_id", None))


def _login_limiter(settings: Settings) -> SignInLimiter:
    """In memory for one process; in the file `medspa api` shares between its workers when it runs several."""
    if settings.login_limiter_file is not None:
        return SignInLimiter.shared(settings.login_limiter_file, settings.login_attempts_per_minute)
    return SignInLimiter.in_memory(settings.login_attempts_per_minute)


def _agent_limiter(settings: Settings) -> RateLimiter | SharedRateLimiter:
    """Queries per agent key per hour; shared by the workers of one `medspa api` beside the sign-in file."""
    if settings.login_limiter_file is not None:
        shared = settings.login_limiter_file.with_name("agent-queries.sqlite")
        return SharedRateLimiter(settings.agent_rate_limit, WINDOW_SECONDS, shared)
    return RateLimiter(settings.agent_rate_limit, WINDOW_SECONDS)


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = url or database_url(settings)
        engine = make_engine(resolved, settings)
        app.state.engine = engine
        # connections held back for /api/health and sign-in: no query can take them (service/db/engine.py)
        app.state.priority_engine = make_engine(resolved, settings, priority=True)
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        set_temp_file_limit(engine, settings.reader_temp_file_limit)
        # May the read path SET LOCAL ROLE medspa_reader? Checked once (None: database down; checked on first use).
        app.state.reader_role = await detect_reader_role(engine)
        watch = start_watch()  # a worker of `medspa api` stops when its supervisor dies (service/supervision.py)
        if settings.compile_process_at_startup:
            COMPILE_PROCESS.start()  # the process large queries compile in (service/process_lane.py), ready now
        try:
            yield
        finally:
            if watch is not None:
                watch.cancel()
            await drain(app.state.finishing)  # reads ended and connections returned after their answers
            await engine.dispose()
            await app.state.priority_engine.dispose()
            if settings.compile_process_at_startup:
                COMPILE_PROCESS.reset(wait=True)  # the child exits with its worker

    app = FastAPI(
        title="Beauty Med Spa analytics API",
        version="0.1.0",
        description="One semantic query API for the dashboard, the command line and AI agents.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.finishing = set()  # service.deps.finish_soon's tasks
    app.state.login_limiter = _login_limiter(settings)
    app.state.agent_limiter = _agent_limiter(settings)
    configure_logging()
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # 404/405/... in the contract's shape
    app.add_exception_handler(asyncpg.InternalClientError, _broken_connection)
    install_query_errors(app)  # semantic layer: QueryError -> 400, non-query bodies -> 422 (contract shape)
    app.add_middleware(
        CORSMiddleware, allow_origins=[settings.ui_origin], allow_credentials=True,
        allow_methods=["GET", "POST"], allow_headers=["content-type", "authorization"],
    )
    app.add_middleware(RequestContextMiddleware, body_timeout=settings.body_timeout_s)
    # outermost: every layer inside sees the client's real address (forwarded headers only from configured proxies)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies,
                       proxy_secret=settings.proxy_secret.get_secret_value() if settings.proxy_secret else None)
    app.include_router(query_routes.router)  # first: the hot path, matched before the others are tried
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(patients.router)
    app.include_router(schedule.router)
    app.include_router(audit.router)
    app.include_router(agent.router)
    app.include_router(catalog_routes.router)
    mount_mcp(app)  # MCP over streamable HTTP at /mcp (agent API keys)
    return app
