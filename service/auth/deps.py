"""Who is calling, as a FastAPI dependency; every data endpoint requires one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from service.auth import store
from service.auth.principal import Principal, Role
from service.db.engine import raw_connection
from service.errors_http import ApiError

SESSION_COOKIE = "medspa_session"


async def current_principal(request: Request) -> Principal:
    """The signed-in user (session cookie) or API key (Bearer); 401 otherwise."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    # autocommit: each lookup is one statement (resume_session's check-and-touch included), one round trip
    async with raw_connection(request.app.state.engine) as raw:
        principal, _ = await identify(request, raw)
    return principal


async def identify(request: Request, conn: asyncpg.Connection) -> tuple[Principal, asyncpg.Record | None]:
    """Who is calling, checked on `conn` in one statement that also reads the data's state (store._SESSION_SQL);
    401 otherwise. The row is None when the principal was already known (in-process calls): nothing read."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known, None
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    token = request.cookies.get(SESSION_COOKIE)
    if header.lower().startswith("bearer "):
        principal, row = await store.principal_for_key(conn, header[7:].strip())
        if principal is None:
            raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    elif token:
        idle = dt.timedelta(minutes=settings.session_idle_minutes)
        lifetime = dt.timedelta(hours=settings.session_max_hours)
        principal, row = await store.resume_session(conn, token, idle, lifetime)
        if principal is None:
            raise ApiError(401, "session_expired", "your session has ended; please sign in again")
    else:
        raise ApiError(401, "unauthenticated", "sign in first (POST /api/auth/login) or send an API key")
    request.state.principal = principal
    return principal, row


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that admits only the given roles (403 `forbidden` otherwise)."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise ApiError(403, "forbidden", f"the {principal.role} role may not do this")
        return principal

    return check


PrincipalDep = Annotated[Principal, Depends(current_principal)]
StaffDep = Annotated[Principal, Depends(require_roles("front_desk", "manager"))]
ManagerDep = Annotated[Principal, Depends(require_roles("manager"))]
