"""COPY ... FREEZE of Python rows, which asyncpg's `copy_records_to_table` cannot ask for.

The loader COPYs each file into a table created in the same transaction, the case FREEZE exists for:
the rows arrive frozen and the pages marked all-visible. Otherwise the first statement to read each
page afterwards (an index build, ANALYZE, a summary) sets hint bits on it, dirtying every page of
the table once more, and with data checksums on (PostgreSQL 18's default) WAL-logs a full image of
each: gigabytes at a million patients. Readers after the swap can also use index-only scans at once.

This repeats `Connection.copy_records_to_table` (asyncpg 0.29 to 0.32) with FREEZE among the
options; tests/seed/test_loader.py checks that the loaded pages are frozen.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any

import asyncpg


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def copy_frozen(
    conn: asyncpg.Connection, schema: str, table: str, columns: Sequence[str],
    records: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
) -> str:
    """COPY `records` into `schema.table` (created or truncated in the current transaction) as frozen rows;
    returns the command tag ("COPY <rows>")."""
    target = f"{_ident(schema)}.{_ident(table)}"
    column_list = ", ".join(map(_ident, columns))
    # The binary encoders for the columns come from a statement describing them, as asyncpg does it.
    intro = await conn._prepare(f"SELECT {column_list} FROM {target} LIMIT 1", use_cache=True)
    statement = f"COPY {target} ({column_list}) FROM STDIN (FORMAT binary, FREEZE)"
    tag: str = await conn._protocol.copy_in(statement, None, None, records, intro._state, None)
    return tag
