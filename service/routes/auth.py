"""Sign in and out (an HttpOnly, SameSite=Lax session cookie) and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from service.auth import store
from service.auth.deps import SESSION_COOKIE, PrincipalDep
from service.errors_http import ApiError
from service.schemas.errors import ErrorBody

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Me(BaseModel):
    username: str
    role: str


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=Me, responses={401: {"model": ErrorBody}, 429: {"model": ErrorBody}})
async def login(body: LoginBody, request: Request, response: Response) -> Me:
    limiter = request.app.state.login_limiter
    key = f"{_client(request)}|{body.username.lower()}"
    wait = limiter.retry_after(key)
    if wait > 0:
        raise ApiError(429, "rate_limited", f"too many sign-in attempts; try again in {int(wait) + 1} s",
                       retryable=True)
    settings = request.app.state.settings
    async with request.app.state.engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        principal = await store.authenticate(raw, body.username, body.password)
        if principal is None:
            limiter.hit(key)
            raise ApiError(401, "invalid_credentials", "wrong username or password")
        limiter.reset(key)
        token = await store.start_session(raw, principal.actor)
        await store.record_audit(raw, principal, "login", client_addr=_client(request),
                                 request_id=getattr(request.state, "request_id", None))
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.session_cookie_secure,
        path="/", max_age=12 * 3600,
    )
    return Me(username=principal.actor, role=principal.role)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(principal: PrincipalDep, request: Request) -> Response:
    if principal.session_token_hash:
        async with request.app.state.engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await store.end_session(raw, principal.session_token_hash)
            await store.record_audit(raw, principal, "logout", client_addr=_client(request))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, responses={401: {"model": ErrorBody}})
async def me(principal: PrincipalDep) -> Me:
    return Me(username=principal.actor, role=principal.role)
