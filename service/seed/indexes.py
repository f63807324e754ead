"""Deferring the loaded tables' keys, indexes and foreign keys until their rows are in.

COPY into a table with indexes updates every index row by row, and a foreign key costs a lookup
per row; building an index once from all rows (a sort) and validating a foreign key with one
join are several times faster. Inside the load's transaction we therefore read the definitions
from the catalog (`pg_get_constraintdef`, `pg_get_indexdef`, so they match whatever the
migrations made), drop them, and recreate them once the rows are in. The tables are locked
ACCESS EXCLUSIVE for the whole transaction anyway (TRUNCATE takes that lock too), so no reader
ever sees them without their indexes; a failed load rolls the drops back with everything else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import asyncpg

log = logging.getLogger(__name__)

# Each row: the table the statement alters (by name), then what to drop and how to recreate it.
_FOREIGN_KEYS = """
SELECT t.relname AS tbl,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)) AS create
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE c.contype = 'f' AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[]))
ORDER BY t.relname, c.conname
"""

_KEYS = """
SELECT t.relname AS tbl,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)) AS create
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY($1::regclass[])
ORDER BY t.relname, c.conname
"""

# Indexes that back no constraint (those come back with their constraint).
_INDEXES = """
SELECT t.relname AS tbl,
       format('DROP INDEX %s', i.indexrelid::regclass) AS drop,
       pg_get_indexdef(i.indexrelid) AS create
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE i.indrelid = ANY($1::regclass[])
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY t.relname, i.indexrelid::regclass::text
"""


@dataclass(frozen=True)
class _Statement:
    table: str
    create: str


@dataclass
class Deferred:
    """What was dropped, as the statements that recreate it: keys first, then indexes, then foreign keys."""

    pending: list[_Statement]

    async def restore(self, conn: asyncpg.Connection, tables: Collection[str]) -> None:
        """Recreate what belongs to `tables` (a foreign key belongs to the table that holds it)."""
        now = [statement for statement in self.pending if statement.table in tables]
        self.pending = [statement for statement in self.pending if statement.table not in tables]
        for statement in now:
            started = time.perf_counter()
            await conn.execute(statement.create)
            log.debug("%.2f s: %s", time.perf_counter() - started, statement.create)

    async def restore_all(self, conn: asyncpg.Connection) -> None:
        """Recreate everything still pending (including foreign keys of tables outside the load)."""
        await self.restore(conn, {statement.table for statement in self.pending})


async def defer(conn: asyncpg.Connection, tables: Sequence[str]) -> Deferred:
    """Drop the tables' foreign keys (both directions), plain indexes and keys; say how to restore them."""
    foreign_keys = await conn.fetch(_FOREIGN_KEYS, list(tables))
    indexes = await conn.fetch(_INDEXES, list(tables))
    keys = await conn.fetch(_KEYS, list(tables))
    for row in (*foreign_keys, *indexes, *keys):
        await conn.execute(row["drop"])
    return Deferred([_Statement(row["tbl"], row["create"]) for row in (*keys, *indexes, *foreign_keys)])
