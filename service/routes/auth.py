"""Sign in and out (an HttpOnly, SameSite=Lax session cookie) and who am I.

Sign-in runs on the connections held back for it (`app.state.priority_engine`), so heavy queries cannot
starve it; its password check runs off the event loop (service/auth/passwords.py); and attempts are limited
per address and username, per address, and per username (service/auth/rate_limit.py). A successful sign-in
also leaves a device cookie: that browser is exempt from the per-username backoff an attacker could cause.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from service.auth import store
from service.auth.deps import SESSION_COOKIE, PrincipalDep
from service.auth.rate_limit import SignInLimiter
from service.errors_http import ApiError
from service.schemas.errors import ErrorBody

router = APIRouter(prefix="/api/auth", tags=["auth"])

DEVICE_COOKIE = "medspa_device"


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Me(BaseModel):
    username: str
    role: str


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _device_hash(request: Request) -> str | None:
    token = request.cookies.get(DEVICE_COOKIE)
    if not token or len(token) > 128:
        return None
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@router.post("/login", response_model=Me,
             responses={401: {"model": ErrorBody}, 429: {"model": ErrorBody},
                        503: {"model": ErrorBody, "description": "Busy or the database is unavailable (retryable)."}})
async def login(body: LoginBody, request: Request, response: Response) -> Me:
    limiter: SignInLimiter = request.app.state.login_limiter
    address, username, device = _client(request), body.username.lower(), _device_hash(request)
    refusal = limiter.refusal(address, username, device)
    if refusal is not None:
        wait = int(refusal.seconds) + 1
        raise ApiError(429, "rate_limited", f"too many sign-in attempts; try again in {wait} s", retryable=True,
                       headers={"Retry-After": str(wait)})
    settings = request.app.state.settings
    engine = request.app.state.priority_engine
    async with engine.connect() as conn:  # the lookup only: no connection is held while the hash is checked
        row = await store.find_login((await conn.get_raw_connection()).driver_connection, body.username)
    principal = await store.check_password(row, body.password)
    if principal is None:
        limiter.failed(address, username)
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    token = secrets.token_urlsafe(32) if device is None else request.cookies[DEVICE_COOKIE]
    limiter.succeeded(address, username, device or hashlib.sha256(token.encode()).hexdigest())
    async with engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        session = await store.start_session(raw, principal.actor)
        await store.record_audit(raw, principal, "login", client_addr=_client(request),
                                 request_id=getattr(request.state, "request_id", None))
    response.set_cookie(
        SESSION_COOKIE, session, httponly=True, samesite="lax", secure=settings.session_cookie_secure,
        path="/", max_age=12 * 3600,
    )
    response.set_cookie(  # only the sign-in endpoint reads it
        DEVICE_COOKIE, token, httponly=True, samesite="lax", secure=settings.session_cookie_secure,
        path="/api/auth", max_age=SignInLimiter.DEVICE_DAYS * 86400,
    )
    return Me(username=principal.actor, role=principal.role)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(principal: PrincipalDep, request: Request) -> Response:
    if principal.session_token_hash:
        async with request.app.state.priority_engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await store.end_session(raw, principal.session_token_hash)
            await store.record_audit(raw, principal, "logout", client_addr=_client(request))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, responses={401: {"model": ErrorBody}})
async def me(principal: PrincipalDep) -> Me:
    return Me(username=principal.actor, role=principal.role)
