"""Accounts, sessions, API keys and the audit trail in PostgreSQL (asyncpg, writable connections)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, cast

import asyncpg

from service.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from service.auth.principal import Principal, Role
from service.auth.tokens import hash_secret, new_secret

STAFF_ROLES = ("front_desk", "manager")
TOUCH_EVERY = dt.timedelta(seconds=30)  # how often a session's last use is written (see resume_session)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


async def add_user(conn: asyncpg.Connection, username: str, password: str, role: str) -> None:
    if role not in STAFF_ROLES:
        raise AccountError(f"unknown role '{role}': use one of {', '.join(STAFF_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    exists = await conn.fetchval("SELECT 1 FROM users WHERE username = $1", username)
    if exists:
        raise AccountError(f"user '{username}' already exists")
    await conn.execute(
        "INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)",
        username, hash_password(password), role,
    )


async def authenticate(conn: asyncpg.Connection, username: str, password: str) -> Principal | None:
    row = await conn.fetchrow(
        "SELECT username, password_hash, role FROM users WHERE username = $1 AND NOT disabled", username
    )
    if not verify_password(row["password_hash"] if row else None, password) or row is None:
        return None
    return Principal(actor=row["username"], role=cast(Role, row["role"]), kind="user")


async def start_session(conn: asyncpg.Connection, username: str) -> str:
    """A new session for the user; returns the cookie's token (only its hash is stored)."""
    token = new_secret()
    await conn.execute(
        "INSERT INTO user_sessions (token_hash, user_id) SELECT $1, id FROM users WHERE username = $2",
        hash_secret(token), username,
    )
    return token


# A caller's check reads the data's state in the same statement (one round trip for a cached query's whole
# request): `data_state()` (migration 0010), one row of the latest load's version, as_of, catalog fingerprint
# and the summaries' as_of (service/services/query.py DataState), joined to the check's own columns.
_SESSION_SQL = """
WITH live AS (
    SELECT s.token_hash, s.last_seen_at, u.username, u.role
    FROM user_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = $1 AND s.ended_at IS NULL AND NOT u.disabled
      AND s.last_seen_at > now() - $2::interval AND s.created_at > now() - $3::interval
), touched AS (
    UPDATE user_sessions s SET last_seen_at = now() FROM live
    WHERE s.token_hash = live.token_hash AND live.last_seen_at < now() - $4::interval
)
SELECT live.username AS caller_name, live.role AS caller_role, state.* FROM data_state() AS state
LEFT JOIN live ON true
"""

_KEY_SQL = """
SELECT k.name AS caller_name, k.role AS caller_role, state.*
FROM data_state() AS state LEFT JOIN api_keys k ON k.key_hash = $1 AND k.revoked_at IS NULL
"""


async def resume_session(conn: asyncpg.Connection, token: str, idle: dt.timedelta,
                         lifetime: dt.timedelta) -> tuple[Principal | None, asyncpg.Record]:
    """The session's user if the session is open, was used within `idle` and began within `lifetime` (however
    active, a session ends then: a stolen cookie is not good forever), and the data's state read in the same
    statement (one round trip); marks the session used now, or ended when refused.

    The mark is written at most every TOUCH_EVERY: a page's parallel requests then read the session without
    queueing on its row lock, and the idle limit is exact to within that much."""
    token_hash = hash_secret(token)
    row = await conn.fetchrow(_SESSION_SQL, token_hash, idle, lifetime, TOUCH_EVERY)
    assert row is not None  # data_state() is one row
    if row["caller_name"] is None:
        await conn.execute(
            "UPDATE user_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL", token_hash
        )
        return None, row
    principal = Principal(actor=row["caller_name"], role=cast(Role, row["caller_role"]), kind="user",
                          session_token_hash=token_hash)
    return principal, row


async def end_session(conn: asyncpg.Connection, token_hash: str) -> None:
    await conn.execute("UPDATE user_sessions SET ended_at = now() WHERE token_hash = $1", token_hash)


async def create_api_key(conn: asyncpg.Connection, name: str, role: str = "agent") -> str:
    """A new key; returned once, stored only as a hash."""
    if role not in ("agent", "manager", "front_desk"):
        raise AccountError(f"unknown role '{role}'")
    key = new_secret("msk_")
    await conn.execute(
        "INSERT INTO api_keys (name, prefix, key_hash, role) VALUES ($1, $2, $3, $4)",
        name, key[:10], hash_secret(key), role,
    )
    return key


async def principal_for_key(conn: asyncpg.Connection, key: str) -> tuple[Principal | None, asyncpg.Record]:
    """The key's principal unless unknown or revoked, and the data's state read in the same statement."""
    row = await conn.fetchrow(_KEY_SQL, hash_secret(key))
    assert row is not None  # data_state() is one row
    if row["caller_name"] is None:
        return None, row
    return Principal(actor=f"key:{row['caller_name']}", role=cast(Role, row["caller_role"]), kind="api_key"), row


async def record_audit(
    conn: asyncpg.Connection,
    principal: Principal,
    action: str,
    *,
    patient_id: str | None = None,
    row_count: int | None = None,
    client_addr: str | None = None,
    request_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    suppressed_rows: int | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO audit_events (actor, role, action, patient_id, row_count, client_addr, request_id, detail,
                                     suppressed_rows)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)""",
        principal.actor, principal.role, action, patient_id, row_count, client_addr, request_id,
        json.dumps(detail) if detail is not None else None, suppressed_rows,
    )
