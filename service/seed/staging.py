"""A load is built in a schema of its own, then swapped in at once.

The tables a load replaces are created afresh in the schema `medspa_load` (`LIKE` public's: the same
columns, defaults, generated columns and checks; then the same keys, indexes, foreign keys, grants and
sequences, all read from the catalog so they match whatever the migrations made). Nothing there is
visible to readers, so the work can be committed piecewise and spread over several connections: a
table created and filled in one transaction skips the WAL on a `wal_level=minimal` server, and the
index builds and summaries of different tables run side by side. Readers keep the old tables until
`swap`, one short transaction that drops them and moves the new ones into public: all or nothing.
A failed or killed load leaves only the staging schema, which the next load drops first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg

from service.auth.db_role import READER_ROLE

SCHEMA = "medspa_load"
DEFINED_PREFIX = "preagg_"  # the pre-aggregations' typed tables: made from the catalog's DDL at each load
_SEARCH_PATH = f"{SCHEMA}, public"  # generated SQL names tables unqualified: it reads the staged ones
_LOCK_KEY = 0x6D65_6473_7061  # pg_advisory_lock key ("medspa"): one load per database at a time

# Keys (primary, unique, exclusion) first: the foreign keys of later tables need them.
_KEYS = """
SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', $2::text, t.relname, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'x')
ORDER BY c.contype, c.conname
"""

# Indexes that back no constraint, their `ON public.t USING` retargeted (pg_get_indexdef always qualifies).
_INDEXES = """
SELECT pg_get_indexdef(i.indexrelid) AS def,
       format(' ON %I.%I USING ', n.nspname, t.relname) AS here,
       format(' ON %I.%I USING ', $2::text, t.relname) AS there
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE i.indrelid = $1::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY i.indexrelid::regclass::text
"""

# Foreign keys held by the table; printed under search_path=public, so a referenced table is named
# unqualified and resolves, under the stage's search path, to its staged copy (or public's if not staged).
_FOREIGN_KEYS = """
SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', $2::text, t.relname, c.conname, pg_get_constraintdef(c.oid))
           AS def,
       r.relname AS target
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
WHERE c.conrelid = $1::regclass AND c.contype = 'f'
ORDER BY c.conname
"""

# Foreign keys of tables outside the load that point into it: dropped and re-added around the swap.
_INBOUND = """
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
           AS add
FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid = ANY($1::regclass[]) AND NOT c.conrelid = ANY($1::regclass[])
"""

# Sequences owned by the table's columns (serial ids): a copy of each, owned by the staged column, so the
# ids start again from the beginning (as TRUNCATE ... RESTART IDENTITY did) and move with the table.
_SEQUENCES = """
SELECT format('CREATE SEQUENCE %I.%I AS %s INCREMENT %s MINVALUE %s MAXVALUE %s START %s CACHE %s %s OWNED BY %I.%I.%I',
              $2::text, s.relname, q.seqtypid::regtype, q.seqincrement, q.seqmin, q.seqmax, q.seqstart,
              q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END, $2::text, t.relname, a.attname)
           AS create,
       format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT nextval(%L::regclass)',
              $2::text, t.relname, a.attname, format('%I.%I', $2::text, s.relname)) AS use
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_sequence q ON q.seqrelid = s.oid
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.refobjid = $1::regclass AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
"""

# Who may do what with the table (the reader role's SELECT), and its storage options.
_GRANTS = """
SELECT format('GRANT %s ON %I.%I TO %s%s', a.privilege_type, $2::text, t.relname,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_class t, aclexplode(t.relacl) a
WHERE t.oid = $1::regclass AND a.grantee <> t.relowner
UNION ALL
SELECT format('ALTER TABLE %I.%I SET (%s)', $2::text, t.relname, array_to_string(t.reloptions, ', '))
FROM pg_class t WHERE t.oid = $1::regclass AND t.reloptions IS NOT NULL
UNION ALL
SELECT format('ALTER TABLE %I.%I OWNER TO %I', $2::text, t.relname, pg_get_userbyid(t.relowner))
FROM pg_class t WHERE t.oid = $1::regclass AND t.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
"""


# Storage options to put back once the staged table is public's (autovacuum is off while it is staged).
_OPTIONS = """
SELECT array_to_string(t.reloptions, ', ') AS own,
       (SELECT string_agg('toast.' || o, ', ') FROM unnest(x.reloptions) o) AS toast
FROM pg_class t LEFT JOIN pg_class x ON x.oid = t.reltoastrelid
WHERE t.oid = $1::regclass
"""


@dataclass(frozen=True)
class StagedTable:
    """How to rebuild one of public's tables in the stage: the empty table, then its keys and indexes."""

    name: str
    create: tuple[str, ...]  # run in the transaction that fills it (so that, on wal_level=minimal, it skips WAL)
    restore: tuple[str, ...]  # run by the swap once it is public's
    keys: tuple[str, ...]
    indexes: tuple[str, ...]
    foreign_keys: tuple[str, ...]
    references: frozenset[str]  # staged tables its foreign keys point to: their keys come first


@dataclass(frozen=True)
class Stage:
    """The staged copies of `tables`, and what the swap must do about keys pointing into them from outside."""

    tables: dict[str, StagedTable]
    inbound: tuple[tuple[str, str], ...] = field(default=())  # (drop, add) statements
    defined: frozenset[str] = frozenset()  # made from their own DDL (public may lack them)

    def __getitem__(self, table: str) -> StagedTable:
        return self.tables[table]


async def lock_loads(conn: asyncpg.Connection, timeout: str) -> bool:
    """Take the per-database load lock for the session (released when it closes, even if killed)."""
    await conn.execute(f"SET lock_timeout = '{timeout}'")
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    except asyncpg.LockNotAvailableError:
        return False
    finally:
        await conn.execute("SET lock_timeout = 0")
    return True


async def open_stage(conn: asyncpg.Connection, tables: Sequence[str],
                     defined: Mapping[str, Sequence[str]] | None = None) -> Stage:
    """Drop what an earlier (failed or killed) load left, create the empty schema, read public's definitions.

    `defined`: tables made from their own DDL rather than copied from public's (a pre-aggregation's typed table,
    declared by the catalog, which public may not have yet or may have in an older shape): the DDL's first
    statement creates the staged table, the others are its indexes; the swap replaces public's (if any), and
    drops public's tables of the same kind (`DEFINED_PREFIX`) that this load no longer defines.

    Call with the load lock held (`lock_loads`): then no other load uses the schema.
    """
    await conn.execute("SET search_path = public")
    await discard(conn)
    await conn.execute(f"CREATE SCHEMA {SCHEMA}")
    defined = defined or {}
    staged = {}
    for table in tables:
        staged[table] = (_defined(table, defined[table], await _reader(conn)) if table in defined
                         else await _read(conn, table, set(tables)))
    copied = [f"public.{table}" for table in tables if table not in defined]
    inbound = await conn.fetch(_INBOUND, copied)
    return Stage(staged, tuple((row["drop"], row["add"]) for row in inbound), frozenset(defined))


async def _reader(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", READER_ROLE))


def _defined(table: str, ddl: Sequence[str], reader: bool) -> StagedTable:
    create = (ddl[0], *([f"GRANT SELECT ON {SCHEMA}.{table} TO {READER_ROLE}"] if reader else []),
              f"ALTER TABLE {SCHEMA}.{table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")
    restore = (f"ALTER TABLE public.{table} RESET (autovacuum_enabled, toast.autovacuum_enabled)",)
    return StagedTable(name=table, create=create, restore=restore, keys=(), indexes=tuple(ddl[1:]),
                       foreign_keys=(), references=frozenset())


async def _read(conn: asyncpg.Connection, table: str, staged: set[str]) -> StagedTable:
    public = f"public.{table}"
    sequences = await conn.fetch(_SEQUENCES, public, SCHEMA)
    create = (
        f"CREATE TABLE {SCHEMA}.{table} (LIKE {public} INCLUDING ALL EXCLUDING INDEXES)",
        *(row["create"] for row in sequences),
        *(row["use"] for row in sequences),
        *(row[0] for row in await conn.fetch(_GRANTS, public, SCHEMA)),
        # autovacuum would vacuum and analyse the new rows while the load still works on them
        f"ALTER TABLE {SCHEMA}.{table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)",
    )
    options = await conn.fetchrow(_OPTIONS, public)
    restore = (
        f"ALTER TABLE {public} RESET (autovacuum_enabled, toast.autovacuum_enabled)",
        *(f"ALTER TABLE {public} SET ({options[key]})" for key in ("own", "toast") if options[key]),
    )
    indexes = []
    for row in await conn.fetch(_INDEXES, public, SCHEMA):
        if row["def"].count(row["here"]) != 1:
            raise RuntimeError(f"cannot restate index for the staged {table}: {row['def']}")
        indexes.append(row["def"].replace(row["here"], row["there"]))
    foreign_keys = await conn.fetch(_FOREIGN_KEYS, public, SCHEMA)
    return StagedTable(
        name=table,
        create=create,
        restore=restore,
        keys=tuple(row[0] for row in await conn.fetch(_KEYS, public, SCHEMA)),
        indexes=tuple(indexes),
        foreign_keys=tuple(row["def"] for row in foreign_keys),
        references=frozenset(row["target"] for row in foreign_keys if row["target"] in staged) - {table},
    )


async def stage_connection(conn: asyncpg.Connection) -> None:
    """Point a helper connection at the stage: unqualified table names read the staged copies."""
    await conn.execute(f"SET search_path = {_SEARCH_PATH}")


async def swap(conn: asyncpg.Connection, stage: Stage) -> None:
    """Inside the caller's transaction (tables already locked): public's tables give way to the staged ones."""
    for drop, _ in stage.inbound:
        await conn.execute(drop)
    copied = [table for table in stage.tables if table not in stage.defined]
    await conn.execute("DROP TABLE " + ", ".join(f"public.{table}" for table in copied))
    # public's pre-aggregation tables give way, this load's or not (the catalog no longer declares it)
    gone = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1",
                            DEFINED_PREFIX.replace("_", "\\_") + "%")
    for row in gone:
        await conn.execute(f'DROP TABLE public."{row["tablename"]}"')
    for table, staged in stage.tables.items():
        await conn.execute(f"ALTER TABLE {SCHEMA}.{table} SET SCHEMA public")
        for statement in staged.restore:
            await conn.execute(statement)
    for _, add in stage.inbound:
        await conn.execute(add)
    await conn.execute(f"DROP SCHEMA {SCHEMA}")


async def discard(conn: asyncpg.Connection) -> None:
    """Drop the stage and everything in it (a failed load's, or a killed one's)."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
