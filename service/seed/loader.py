"""Loading an export folder into PostgreSQL: every record checked, all of it in one swap, or nothing.

The six files are read a block of records at a time (`reader`), validated in batches (pydantic, then
the references between files) and COPYed as they are read, one COPY per file, in the order that
references allow. Each file goes into a fresh copy of its table in a staging schema (`staging`),
created in the COPY's own transaction: a `wal_level=minimal` server writes it without WAL, and COPY
FREEZE writes its rows frozen. While the next file is read, a crew of connections (`crew`) builds the
copied table's keys, indexes and foreign keys and ANALYZEs it; once every row is in, they run the
post-load statements (summaries, rollups: `post_load`) side by side and index what those fill. Then
one short transaction swaps the staged tables for public's and records the load: readers see the old
data until that commit and the new data after it, never a mix, and are never kept waiting by the
load; a bad record anywhere (or a killed loader) leaves public's tables as they were.

Memory stays bounded by a block of records and the id sets the cross-file checks need (about 1 GB
at a million patients).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from semantic import AsOf, Catalog, default_catalog
from service.db.migrate import upgrade
from service.db.urls import redact
from service.seed.batches import checked_batches
from service.seed.crew import Crew
from service.seed.frozen_copy import copy_frozen
from service.seed.manifest import read_manifest
from service.seed.materialized import staged_ddl
from service.seed.post_load import Recorded, Statement, Step, data_as_of, rebuilt_tables, record_load, steps
from service.seed.progress import LoadProgress, load_progress
from service.seed.records import KINDS, RecordKind, Row
from service.seed.staging import SCHEMA, Stage, discard, lock_loads, open_stage, stage_connection, swap
from service.seed.validate import Issue, LoadError, References

__all__ = ["LoadError", "LoadSummary", "load_directory", "load_directory_async"]

log = logging.getLogger(__name__)

Batches = Iterator[tuple[list[Row], int]]  # checked rows, with how far into the file they reach

LOADED_TABLES = tuple(kind.table for kind in KINDS)
# Connections building indexes and summaries: one at a time while the files are read (reading takes a
# core of its own), two once every row is in (the machines have two cores).
CREW_SIZE = 2
CREW_WHILE_READING = 1
_LOCK_TIMEOUT = "30s"
# Per-connection memory for the server's index builds and for the summaries' sorts and hashes.
_MAINTENANCE_WORK_MEM = "256MB"
_WORK_MEM = "256MB"
_SETTINGS = {
    "application_name": "medspa seed load", "statement_timeout": "0", "lock_timeout": "0",
    "maintenance_work_mem": _MAINTENANCE_WORK_MEM, "work_mem": _WORK_MEM, "hash_mem_multiplier": "2",
    # a killed loader's server sessions stop within a second instead of finishing their index builds
    "client_connection_check_interval": "1000",
    # the crew's connections are the parallelism; parallel workers would only take the reader's core
    "max_parallel_maintenance_workers": "0", "max_parallel_workers_per_gather": "0",
}


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
    """Load the six JSON files in `directory` into the database at `url`, all at once or not at all.

    Refuses a database that already holds data unless `replace`, which swaps it out atomically.
    Raises LoadError (nothing changed) for a missing file, a malformed or invalid record, or a
    reference to a record that does not exist.
    """
    started = time.perf_counter()
    paths = _export_files(directory)
    manifest = read_manifest(directory)  # before anything changes: a bad manifest refuses the load
    post = steps()
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, url)
    laps: dict[str, float] = {"migrate": time.perf_counter() - started}
    conn = await _connect(url)
    try:
        if not await lock_loads(conn, _LOCK_TIMEOUT):
            raise LoadError(f"another load of this database is running (waited {_LOCK_TIMEOUT}); try again later")
        if not replace:
            await _refuse_data(conn)
        catalog = default_catalog()
        # each pre-aggregation's typed table is made afresh from the catalog's DDL, swapped in with the rest
        stage = await open_stage(conn, (*LOADED_TABLES, *rebuilt_tables(catalog)), staged_ddl(catalog))
        await stage_connection(conn)
        try:
            with load_progress(progress) as tracker, _no_cyclic_gc():
                mark = time.perf_counter()
                row_counts, as_of, recorded = await _build(url, conn, stage, paths, post, tracker, manifest)
                mark = _lap(laps, "copy, index and summarise", mark)
                version = await _swap(conn, stage, replace, directory.resolve(), as_of, row_counts, recorded)
                mark = _lap(laps, "swap", mark)
        except BaseException:
            with suppress(Exception):
                await asyncio.shield(discard(conn))
            raise
        await _mark_visible(conn, _walked_tables(catalog))  # the load has landed: this only speeds reads
        _lap(laps, "vacuum", mark)
    finally:
        await conn.close()
    log.info("loaded %s as data version %d: %s", directory, version, row_counts)
    return LoadSummary(row_counts, time.perf_counter() - started, version, laps)


# --- steps --------------------------------------------------------------------------------------


def _walked_tables(catalog: Catalog) -> tuple[str, ...]:
    """The rebuilt tables read by index-only walks (entity summaries, bridges): vacuumed once swapped in."""
    return tuple(t for m in catalog.materializations.values() if m.kind in ("summary", "bridge")
                 for t in m.tables(catalog))


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
        return await asyncpg.connect(url, server_settings=_SETTINGS)
    except (OSError, asyncpg.PostgresError) as err:
        raise LoadError(f"could not connect to {redact(url)}: {err}") from None


async def _refuse_data(conn: asyncpg.Connection) -> None:
    counts = await conn.fetchrow(
        "SELECT " + ", ".join(f"(SELECT count(*) FROM public.{table}) AS {table}" for table in LOADED_TABLES)
    )
    present = {table: counts[table] for table in ("patients", *LOADED_TABLES) if counts[table]}
    if present:
        held = ", ".join(f"{rows:,} {table}" for table, rows in present.items())
        raise LoadError(f"database already has data ({held}); use --replace to swap it out")


async def _build(
    url: str, conn: asyncpg.Connection, stage: Stage, paths: dict[str, Path], post: Sequence[Step],
    tracker: LoadProgress, manifest: AsOf | None = None,
) -> tuple[dict[str, int], AsOf | None, Recorded]:
    """Fill the stage: COPY every file, index it, run the post-load steps and index what they fill."""
    crew = Crew([await _crew_member(url) for _ in range(CREW_SIZE)], limit=CREW_WHILE_READING)
    try:
        row_counts = await _copy_all(conn, stage, paths, crew, tracker)
        crew.set_limit(CREW_SIZE)
        as_of = manifest or await data_as_of(conn)
        recorded: Recorded = {}
        with tracker.step("summaries and indexes"):
            filled_by = {table: step.name for step in post for table in step.tables}
            for step in post:
                _step_jobs(crew, stage, step, as_of, recorded, filled_by)
            await crew.finish()
    except BaseException:
        await crew.cancel()
        raise
    finally:
        await crew.close()
    return row_counts, as_of, recorded


async def _mark_visible(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    """VACUUM the swapped-in tables that index-only scans read: their rows come from INSERTs, so until a
    vacuum marks their pages all-visible an index-only walk reads the heap for every entry (the patient
    table by lifetime spend at row 500,000 of a million: 447 ms instead of 66 ms; its count of the patients
    who had a service: 340 ms instead of 60). Only once the swap has committed: while other load
    transactions were open, the new rows were not yet visible to all."""
    for table in tables:  # names from the validated catalog, never from input
        await conn.execute(f'VACUUM (ANALYZE false) public."{table}"')


async def _crew_member(url: str) -> asyncpg.Connection:
    member = await _connect(url)
    await stage_connection(member)
    return member


async def _copy_all(
    conn: asyncpg.Connection, stage: Stage, paths: dict[str, Path], crew: Crew, tracker: LoadProgress
) -> dict[str, int]:
    """COPY the files in order; the crew indexes each table while the next file is read and copied."""
    references = References()
    row_counts: dict[str, int] = {}
    for kind in KINDS:
        bar = tracker.file(kind.file, paths[kind.file].stat().st_size)
        batches = checked_batches(kind, paths[kind.file], references, bar)
        async with conn.transaction():
            for statement in stage[kind.table].create:
                await conn.execute(statement)
            row_counts[kind.table] = await _copy(conn, kind, batches)
        crew.check()
        crew.done(f"copy {kind.table}")
        bar.status("indexing")
        _index_jobs(crew, stage, kind.table, after=f"copy {kind.table}")
        crew.on(f"built {kind.table}", bar.done)
    return row_counts


def _index_jobs(crew: Crew, stage: Stage, table: str, *, after: str) -> None:
    """A filled table's statistics, keys, indexes and foreign keys, as crew jobs (milestone `built <table>`)."""
    staged = stage[table]
    # statistics and keys are urgent: the post-load steps wait for them
    crew.add(f"analyze {table}", _statements(f"ANALYZE {SCHEMA}.{table}"), after=(after,), urgent=True)
    crew.add(f"keys {table}", _statements(*staged.keys), after=(after,), urgent=True)
    names = [f"analyze {table}", f"keys {table}"]
    for number, statement in enumerate(staged.indexes):
        names.append(f"index {table} {number}")
        crew.add(names[-1], _statements(statement), after=(after,))
    if staged.foreign_keys:
        names.append(f"foreign keys {table}")
        crew.add(names[-1], _statements(*staged.foreign_keys),
                 after=(f"keys {table}", *(f"keys {other}" for other in sorted(staged.references))))
    crew.add(f"built {table}", None, after=names)


def _statements(
    *statements: str | tuple[str, tuple[object, ...]], transaction: bool = False
) -> Callable[[asyncpg.Connection], Awaitable[None]]:
    """A crew job running `statements` (SQL, or SQL with parameters) in order, in one transaction if asked."""

    async def run(member: asyncpg.Connection) -> None:
        for statement in statements:
            sql, params = (statement, ()) if isinstance(statement, str) else statement
            try:
                await member.execute(sql, *params)
            except asyncpg.PostgresError as err:  # the checks before COPY should make this impossible
                raise LoadError(f"building the new tables failed: {_refusal(err)} ({sql[:200]})") from None

    async def job(member: asyncpg.Connection) -> None:
        if transaction:
            async with member.transaction():
                await run(member)
        else:
            await run(member)

    return job


def _step_jobs(
    crew: Crew, stage: Stage, step: Step, as_of: AsOf | None, recorded: Recorded, filled_by: dict[str, str]
) -> None:
    """A post-load step as crew jobs: its tables created, then filled (milestone `step.name`), then indexed.

    Each statement runs once what it reads has its rows, statistics and keys (ADD PRIMARY KEY would
    lock it out). A lone statement runs in the transaction that creates the tables (so that it skips
    WAL); several run side by side once the tables exist.
    """
    statements = step.statements(as_of) if as_of is not None else []
    if as_of is not None:
        recorded.update(step.records())
    creates = [statement for table in step.tables for statement in stage[table].create]

    def ready(statement: Statement) -> list[str]:
        reads = sorted(statement.reads - set(step.tables))
        return [*(filled_by[table] for table in reads if table in filled_by),
                *(f"{what} {table}" for table in reads if table in stage.tables for what in ("keys", "analyze"))]

    if len(statements) == 1:
        [only] = statements
        crew.add(step.name, _statements(*creates, (only.sql, only.params), transaction=True),
                 after=ready(only), urgent=True)
    else:
        crew.add(f"{step.name} tables", _statements(*creates, transaction=True), urgent=True)
        parts = [f"{step.name} tables"]
        for number, statement in enumerate(statements, start=1):
            parts.append(f"{step.name} {number}")
            crew.add(parts[-1], _statements((statement.sql, statement.params)),
                     after=(f"{step.name} tables", *ready(statement)), urgent=True)
        crew.add(step.name, None, after=parts)
    for table in step.tables:
        _index_jobs(crew, stage, table, after=step.name)


async def _copy(conn: asyncpg.Connection, kind: RecordKind, batches: Batches) -> int:
    """COPY the batches' rows into the kind's staged table in one statement; returns the row count."""
    try:
        result = await copy_frozen(conn, SCHEMA, kind.table, kind.columns, _rows(batches))
    except asyncpg.PostgresError as err:
        raise _database_error(kind, err) from None
    rows = int(result.rsplit(" ", 1)[-1])  # "COPY 4000"
    log.info("copied %s: %d rows", kind.file, rows)
    return rows


async def _rows(batches: Batches) -> AsyncIterator[Row]:
    """The batches' rows, letting the event loop run between batches (the crew's statements finish meanwhile)."""
    for rows, _ in batches:
        for row in rows:
            yield row
        await asyncio.sleep(0)


async def _swap(
    conn: asyncpg.Connection, stage: Stage, replace: bool, source_dir: Path, as_of: AsOf | None,
    row_counts: dict[str, int], recorded: Recorded,
) -> int:
    """The one transaction readers notice: public's tables give way to the staged ones; the load is recorded."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        try:
            public = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                                      "tablename = ANY($1::text[])", list(stage.tables))  # new ones are not yet
            names = ", ".join(f'public."{row["tablename"]}"' for row in public)
            await conn.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
        except asyncpg.LockNotAvailableError:
            raise LoadError(
                f"the tables stayed in use for {_LOCK_TIMEOUT} (a long query?); try again"
            ) from None
        if not replace:
            await _refuse_data(conn)
        try:
            await swap(conn, stage)
        except asyncpg.PostgresError as err:
            raise LoadError(f"swapping in the new tables failed: {_refusal(err)}") from None
        return await record_load(conn, source_dir, as_of, row_counts, recorded)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived records are no cycles: the cyclic collector would only walk them, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
