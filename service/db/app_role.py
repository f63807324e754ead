"""A least-privilege database role for the API (`medspa db app-role NAME`; docker-compose's `medspa_app`).

The database's owner runs migrations and loads data; the API needs far less. Its role may log in and:
- read the spa's data, by membership in `medspa_reader` (SELECT on the data tables and summaries, and the
  right to `SET ROLE` to it for the read path's transactions, which the API does);
- use the accounts it checks and the trail it writes: SELECT on `users` and `api_keys` (both made with the
  command line, as the owner), SELECT, INSERT and UPDATE on `user_sessions`, SELECT and INSERT on
  `audit_events` (append-only: its trigger refuses UPDATE and DELETE to anyone).
(Through the membership it may also set `temp_file_limit`, which the read path does in every transaction.)
Nothing else: no DDL, no writes to data, no superuser or role rights. A table the API comes to write needs its
line in APP_GRANTS (tests/security/test_app_role.py runs the API as this role).
"""

from __future__ import annotations

import re

import asyncpg

from service.auth.db_role import READER_ROLE

APP_GRANTS: dict[str, str] = {
    "users": "SELECT",
    "api_keys": "SELECT",
    "user_sessions": "SELECT, INSERT, UPDATE",
    "audit_events": "SELECT, INSERT",
}
CONNECTION_LIMIT = 100
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AppRoleError(ValueError):
    """The role cannot be made as asked; the message says why."""


async def ensure_app_role(conn: asyncpg.Connection, name: str, password: str) -> None:
    """Create the login role `name` (or bring an existing one in line) with exactly the grants above."""
    if not _NAME.match(name) or name == READER_ROLE:
        raise AppRoleError(f"role name {name!r}: lower-case letters, digits and _, not {READER_ROLE}")
    if len(password) < 12:
        raise AppRoleError("the role's password needs at least 12 characters")
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", READER_ROLE):
        raise AppRoleError(f"role {READER_ROLE} does not exist: run `medspa migrate` as the database owner first")
    verb = "ALTER" if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name) else "CREATE"
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
    # role DDL takes no bound parameters: format() quotes the name (%I) and the password (%L)
    statement = await conn.fetchval(
        f"SELECT format('{verb} ROLE %I WITH {options} CONNECTION LIMIT {CONNECTION_LIMIT} PASSWORD %L', "
        "$1::text, $2::text)",
        name, password)
    await conn.execute(statement)
    quoted = await conn.fetchval("SELECT quote_ident($1::text)", name)
    database = await conn.fetchval("SELECT quote_ident(current_database())")
    await conn.execute(f"GRANT {READER_ROLE} TO {quoted}")
    await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {quoted}")
    await conn.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
    await conn.execute(f"REVOKE CREATE ON SCHEMA public FROM {quoted}")
    for table, privileges in APP_GRANTS.items():
        await conn.execute(f"GRANT {privileges} ON public.{table} TO {quoted}")
        sequence = await conn.fetchval(
            "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "WHERE d.refobjid = $1::regclass AND d.deptype IN ('a', 'i')", f"public.{table}")
        if sequence is not None:
            await conn.execute(f'GRANT USAGE ON SEQUENCE public."{sequence}" TO {quoted}')
