"""Loading an export folder into PostgreSQL: every record checked, all of it in one transaction, or nothing.

The six files are streamed (ijson), validated in batches (pydantic, then the references between
files) and COPYed as they are read, one COPY per file, in the order that references allow. The
tables are locked, emptied, stripped of their keys and indexes, filled, re-indexed, analysed and
summarised (`finish_load`) inside one transaction: readers see the old data or the new, never a
mix, and a bad record anywhere leaves the database exactly as it was.

The work is pipelined over the two sides of the connection: while the server builds one table's
indexes, the loader already reads and checks the next file (up to READ_AHEAD_BYTES of it) and
COPYs those rows once the server is free. Memory stays bounded by that read-ahead, a batch, and
the id sets the cross-file checks need (about 1.4 GB at a million patients).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import asyncpg

from service.db.migrate import upgrade
from service.db.urls import redact
from service.seed.batches import checked_batches
from service.seed.indexes import Deferred, defer
from service.seed.post_load import finish_load
from service.seed.progress import FileProgress, LoadProgress, load_progress
from service.seed.records import KINDS, RecordKind, Row
from service.seed.validate import Issue, LoadError, References

__all__ = ["LoadError", "LoadSummary", "load_directory", "load_directory_async"]

log = logging.getLogger(__name__)

Batches = Iterator[tuple[list[Row], int]]  # checked rows, with how far into the file they reach

LOADED_TABLES = tuple(kind.table for kind in KINDS)
# How much of the next file (in JSON bytes, about half its size as checked rows in memory) is read
# ahead while the server indexes the previous table.
READ_AHEAD_BYTES = 256 * 2**20
_LOCK_TIMEOUT = "30s"
# Per-transaction memory for the server's index builds and for the summaries' sorts and hashes.
_MAINTENANCE_WORK_MEM = "256MB"
_WORK_MEM = "128MB"


@dataclass
class LoadSummary:
    row_counts: dict[str, int]
    seconds: float
    version: int
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, for tuning

    def render(self) -> str:
        """A table of rows per table, then the time taken and the new data version."""
        width = max(len(table) for table in (*self.row_counts, "total"))
        lines = [f"{'table':<{width}}  {'rows':>12}"]
        lines += [f"{table:<{width}}  {rows:>12,}" for table, rows in self.row_counts.items()]
        lines.append(f"{'total':<{width}}  {sum(self.row_counts.values()):>12,}")
        lines.append(f"loaded in {self.seconds:.1f} s as data version {self.version}")
        if self.steps:
            lines.append("  (" + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.steps.items()) + ")")
        return "\n".join(lines)


def load_directory(directory: Path, url: str, *, replace: bool = False, progress: bool = False) -> LoadSummary:
    """Migrate the database at `url`, then load the export in `directory` (see `load_directory_async`)."""
    return asyncio.run(load_directory_async(directory, url, replace=replace, progress=progress))


async def load_directory_async(
    directory: Path, url: str, *, replace: bool = False, progress: bool = False
) -> LoadSummary:
    """Load the six JSON files in `directory` into the database at `url` in one transaction.

    Refuses a database that already holds data unless `replace`, which swaps it out atomically.
    Raises LoadError (nothing committed) for a missing file, a malformed or invalid record, or a
    reference to a record that does not exist.
    """
    started = time.perf_counter()
    paths = _export_files(directory)
    summaries = summary_tables()
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, url)
    steps: dict[str, float] = {"migrate": time.perf_counter() - started}
    conn = await _connect(url)
    try:
        with load_progress(progress) as tracker:
            async with conn.transaction():
                await _prepare(conn, summaries, replace=replace)
                deferred = await defer(conn, (*LOADED_TABLES, *summaries))
                mark = time.perf_counter()
                row_counts = await _copy_all(conn, paths, deferred, tracker)
                mark = _lap(steps, "copy and index", mark)
                with tracker.step("summaries"):
                    version = await finish_load(conn, directory.resolve(), row_counts)
                    # The summaries' own keys last: filling an unindexed table is the cheap way round.
                    await deferred.restore_all(conn)
                mark = _lap(steps, "summaries", mark)
            _lap(steps, "commit", mark)
    finally:
        await conn.close()
    log.info("loaded %s as data version %d: %s", directory, version, row_counts)
    return LoadSummary(row_counts, time.perf_counter() - started, version, steps)


# --- steps --------------------------------------------------------------------------------------


def _export_files(directory: Path) -> dict[str, Path]:
    if not directory.is_dir():
        raise LoadError(f"{directory}: no such folder (expected the export's six JSON files in it)")
    paths = {kind.file: directory / kind.file for kind in KINDS}
    missing = [Issue(name, f"file not found in {directory}") for name, path in paths.items() if not path.is_file()]
    if missing:
        raise LoadError.from_issues(missing)
    return paths


async def _connect(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(url, server_settings={"application_name": "medspa seed load"})
    except (OSError, asyncpg.PostgresError) as err:
        raise LoadError(f"could not connect to {redact(url)}: {err}") from None


def summary_tables() -> tuple[str, ...]:
    """The relations `finish_load` rebuilds from the loaded rows: the catalog's summary tables."""
    from semantic.catalog import default_catalog

    return tuple(sorted({e.summary_table for e in default_catalog().entities.values() if e.summary_table}))


async def _prepare(conn: asyncpg.Connection, summaries: Sequence[str], *, replace: bool) -> None:
    """Lock the tables for the whole load; refuse a database that has data unless replacing; empty them."""
    tables = ", ".join((*LOADED_TABLES, *summaries))
    await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
    try:
        await conn.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
    except asyncpg.LockNotAvailableError:
        raise LoadError(
            f"the tables stayed in use for {_LOCK_TIMEOUT} (another load, or a long query?); try again"
        ) from None
    await conn.execute(
        "SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0;"
        f" SET LOCAL maintenance_work_mem = '{_MAINTENANCE_WORK_MEM}'; SET LOCAL work_mem = '{_WORK_MEM}'"
    )
    if not replace:
        await _refuse_data(conn)
    # Also when empty: a table truncated in this transaction takes COPY without WAL on wal_level=minimal.
    await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


async def _refuse_data(conn: asyncpg.Connection) -> None:
    counts = await conn.fetchrow(
        "SELECT " + ", ".join(f"(SELECT count(*) FROM {table}) AS {table}" for table in LOADED_TABLES)
    )
    present = {table: counts[table] for table in ("patients", *LOADED_TABLES) if counts[table]}
    if present:
        held = ", ".join(f"{rows:,} {table}" for table, rows in present.items())
        raise LoadError(f"database already has data ({held}); use --replace to swap it out")


async def _copy_all(
    conn: asyncpg.Connection, paths: dict[str, Path], deferred: Deferred, tracker: LoadProgress
) -> dict[str, int]:
    """COPY the files in order; each table is indexed (in the background) while the next file is read."""
    references = References()
    row_counts: dict[str, int] = {}
    indexing: asyncio.Task[None] | None = None
    try:
        for kind in KINDS:
            bar = tracker.file(kind.file, paths[kind.file].stat().st_size)
            batches = checked_batches(kind, paths[kind.file], references, bar)
            ahead = await _read_ahead(batches, indexing)
            indexing = None
            row_counts[kind.table] = await _copy(conn, kind, chain(ahead, batches))
            bar.status("indexing")
            indexing = asyncio.create_task(_index(conn, deferred, kind.table, bar))
        del references  # the id sets are the bulk of our memory; nothing after needs them
        if indexing:
            await indexing
    except BaseException:
        if indexing:  # the connection must be idle before the transaction can roll back
            indexing.cancel()
            with suppress(BaseException):
                await indexing
        raise
    return row_counts


async def _read_ahead(batches: Batches, indexing: asyncio.Task[None] | None) -> list[tuple[list[Row], int]]:
    """While the server indexes the previous table, read and check the next file's first batches."""
    ahead: list[tuple[list[Row], int]] = []
    while indexing and not indexing.done():
        batch = next(batches, None)
        if batch is None:
            break
        ahead.append(batch)
        if batch[1] >= READ_AHEAD_BYTES:
            break
        await asyncio.sleep(0)  # let the event loop hear the server finish a statement
    if indexing:
        await indexing
    return ahead


async def _copy(conn: asyncpg.Connection, kind: RecordKind, batches: Batches) -> int:
    """COPY the batches' rows into the kind's table in one statement; returns the row count."""
    try:
        result = await conn.copy_records_to_table(
            kind.table, records=chain.from_iterable(rows for rows, _ in batches), columns=kind.columns
        )
    except asyncpg.PostgresError as err:
        raise _database_error(kind, err) from None
    rows = int(result.rsplit(" ", 1)[-1])  # "COPY 4000"
    log.info("copied %s: %d rows", kind.file, rows)
    return rows


async def _index(conn: asyncpg.Connection, deferred: Deferred, table: str, bar: FileProgress) -> None:
    """Recreate a filled table's keys, indexes and foreign keys, and give the planner its statistics."""
    try:
        await deferred.restore(conn, (table,))
    except asyncpg.PostgresError as err:  # the checks before COPY should make this impossible
        raise LoadError(f"{table}: rebuilding its keys and indexes failed: {_refusal(err)}") from None
    await conn.execute(f"ANALYZE {table}")
    bar.done()


def _database_error(kind: RecordKind, err: asyncpg.PostgresError) -> LoadError:
    """What the database refused, without its DETAIL (which quotes the failing row's data)."""
    where = _COPY_CONTEXT.search(getattr(err, "context", None) or "")
    index = int(where.group(1)) - 1 if where else None
    field = where.group(2) if where else None
    return LoadError.from_issues([Issue(kind.file, f"the database refused it: {_refusal(err)}", index, None, field)])


def _refusal(err: asyncpg.PostgresError) -> str:
    """The server's message and constraint, never its DETAIL (which quotes the failing row)."""
    message = str(err.args[0]) if err.args else type(err).__name__
    constraint = getattr(err, "constraint_name", None)
    return f"{message} (constraint {constraint})" if constraint else message


# "COPY patients, line 9, column address[: value]": the row's position in the stream (from 1) and its column.
_COPY_CONTEXT = re.compile(r"COPY \S+, line (\d+)(?:, column (\w+))?")


def _lap(steps: dict[str, float], name: str, mark: float) -> float:
    now = time.perf_counter()
    steps[name] = now - mark
    return now
