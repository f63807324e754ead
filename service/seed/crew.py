"""A few connections of the load's own that run its server-side work side by side.

Each job runs once the jobs it names in `after` are done, on whichever connection is free first; of
the jobs waiting for a connection, urgent ones (on the way to the end of the load) go first, then
those that became ready earlier. The loader adds jobs as it goes (a table's index
builds once its COPY has committed) and marks milestones of its own with `done`, so the server
builds one table's indexes while the next file is read and copied.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress

import asyncpg

log = logging.getLogger(__name__)

Job = Callable[[asyncpg.Connection], Awaitable[None]]  # None: a milestone that needs no connection


class Crew:
    def __init__(self, connections: Sequence[asyncpg.Connection], limit: int | None = None) -> None:
        self._connections = list(connections)
        self._idle = list(connections)
        self._busy = 0
        self._limit = len(connections) if limit is None else limit  # connections working at once
        self._waiting: list[tuple[int, int, asyncio.Future[asyncpg.Connection]]] = []  # a heap
        self._order = itertools.count()
        self._milestones: dict[str, asyncio.Future[None]] = {}
        self._running: list[asyncio.Task[None]] = []
        self.seconds: dict[str, float] = {}  # per job, for tuning
        self._failure: BaseException | None = None

    def set_limit(self, limit: int) -> None:
        """How many connections may work at once from now on (at most as many as the crew has)."""
        self._limit = limit
        self._dispatch()

    def add(self, name: str, job: Job | None, after: Iterable[str] = (), *, urgent: bool = False) -> None:
        """Run `job` on a free connection once every milestone in `after` is reached; reaching `name`."""
        task = asyncio.create_task(self._run(name, job, tuple(after), 0 if urgent else 1), name=name)
        self._running.append(task)

    def done(self, name: str) -> None:
        """Mark a milestone the loader reached itself (a table copied)."""
        self._milestone(name).set_result(None)

    def on(self, name: str, callback: Callable[[], None]) -> None:
        """Call `callback` when milestone `name` is reached (not if its job fails)."""

        def call(future: asyncio.Future[None]) -> None:
            if not future.cancelled() and future.exception() is None:
                callback()

        self._milestone(name).add_done_callback(call)

    def check(self) -> None:
        """Raise the first failure of a job so far, if any (the loader need not read on in vain)."""
        if self._failure is not None:
            raise self._failure

    async def finish(self) -> None:
        """Wait for every job; the first failure is raised (and the other jobs cancelled)."""
        try:
            await asyncio.gather(*self._running)
        except BaseException:
            await self.cancel()
            raise

    async def cancel(self) -> None:
        """Stop every job (their statements are cancelled on the server) and wait until they are stopped."""
        for task in self._running:
            task.cancel()
        for task in self._running:
            with suppress(BaseException):
                await task
        for future in self._milestones.values():
            if not future.done():
                future.cancel()

    async def close(self) -> None:
        for conn in self._connections:
            with suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)
            if not conn.is_closed():
                conn.terminate()

    def _milestone(self, name: str) -> asyncio.Future[None]:
        if name not in self._milestones:
            self._milestones[name] = asyncio.get_running_loop().create_future()
        return self._milestones[name]

    async def _acquire(self, rank: int) -> asyncpg.Connection:
        turn: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._order), turn))
        self._dispatch()
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release(turn.result())
            raise

    def _release(self, conn: asyncpg.Connection) -> None:
        self._idle.append(conn)
        self._busy -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand free connections to the first waiters, within the limit."""
        while self._waiting and self._idle and self._busy < self._limit:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                self._busy += 1
                turn.set_result(self._idle.pop())

    async def _run(self, name: str, job: Job | None, after: tuple[str, ...], rank: int) -> None:
        milestone = self._milestone(name)
        try:
            for other in after:
                await asyncio.shield(self._milestone(other))
            if job is None:
                milestone.set_result(None)
                return
            conn = await self._acquire(rank)
            started = time.perf_counter()
            try:
                await job(conn)
            finally:
                self._release(conn)
            self.seconds[name] = time.perf_counter() - started
            log.debug("%.2f s: %s", self.seconds[name], name)
        except BaseException as err:
            if not milestone.done():
                if isinstance(err, asyncio.CancelledError):
                    milestone.cancel()
                else:
                    self._failure = self._failure or err
                    milestone.set_exception(err)
                    milestone.exception()  # retrieved: the failure is raised by finish()
            raise
        milestone.set_result(None)
