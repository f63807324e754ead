"""How many uncached queries one API worker runs on the database at once, and how many may wait.

A query that misses the result cache takes a slot for its read (service/auth/db_role.py
`reader_transaction`); past `size` running and `queue` waiting, one more is refused at once with the
retryable 503 `server_busy`. So a flood of heavy queries queues in the worker instead of filling the
connection pool, and session checks and cached answers (which need a pooled connection but no slot) keep
being served. The slots belong to the engine (one per app, made in its lifespan).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from service.errors_http import ApiError


class QuerySlots:
    def __init__(self, size: int, queue: int) -> None:
        self.size, self.queue = size, queue
        self._free = asyncio.Semaphore(size)
        self.waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._free.locked() and self.waiting >= self.queue:
            raise ApiError(503, "server_busy", "the server is running as many queries as it can; retry in a moment",
                           retryable=True)
        self.waiting += 1
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()


_SLOTS: weakref.WeakKeyDictionary[Engine, QuerySlots] = weakref.WeakKeyDictionary()


def attach_slots(engine: AsyncEngine, size: int, queue: int) -> None:
    _SLOTS[engine.sync_engine] = QuerySlots(size, queue)


def slots_for(engine: AsyncEngine) -> QuerySlots | None:
    return _SLOTS.get(engine.sync_engine)
