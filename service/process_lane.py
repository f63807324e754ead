"""Large query compilations in a child process of each API worker, at a lower CPU priority.

Compiling a query of many measures and hundreds of filter values is pure Python for hundreds of milliseconds.
In a thread of the worker it would hold the worker's GIL (its event loop then waits up to a switch interval at
every step of every other request) and compete for the CPU at the loop's priority: 20 clients sending such
queries took health checks from 5 ms to most of a second on 2 cores. In a child process it shares nothing with
the loop, and at nice 10 the scheduler serves the loop (and PostgreSQL) first.

`ProcessLane.run(fn, *args)` runs the picklable module-level `fn(*args)` in the child: at most `processes` at
once, at most `queue` more waiting (then the retryable 503 `server_busy`), with a CPU budget (the child's
ITIMER_PROF: process CPU time, not wall time) past which the job is interrupted and `OverBudget` raised. A child
that dies is replaced at the next call (that call gets `server_busy`); a child whose worker is gone exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from service.errors_http import ApiError
from service.offload import OverBudget

T = TypeVar("T")


class _Interrupt(BaseException):
    """Raised in the child by its CPU timer (a BaseException: no `except Exception` in the job eats it)."""


def _on_timer(_signum: int, _frame: object) -> None:
    raise _Interrupt


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)  # the API worker is gone: nobody will ask for anything again


def _child_init(nice: int, warm: Callable[[], object] | None) -> None:
    with contextlib.suppress(OSError):
        os.nice(nice)
    # Ctrl-C and SIGTERM to the process group are the worker's to handle: it shuts the pool down as it stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, _on_timer)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if warm is not None:
        warm()


class ChildError(RuntimeError):
    """An exception the child raised that could not be sent back as itself (it does not pickle)."""


def _in_child(lane: str, budget: float | None, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    try:
        if budget:
            signal.setitimer(signal.ITIMER_PROF, budget)
        return fn(*args)
    except _Interrupt:
        raise OverBudget(lane, budget or 0.0) from None
    except Exception as exc:
        try:  # one that does not come back whole would break the pool in the parent: send its type instead
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise ChildError(f"{type(exc).__name__} in {lane}") from None
        raise
    finally:
        try:
            signal.setitimer(signal.ITIMER_PROF, 0)
        except _Interrupt:  # the timer went off as the job ended
            signal.setitimer(signal.ITIMER_PROF, 0)


class ProcessLane:
    def __init__(self, name: str, processes: int, queue: int, budget: float | None = None, nice: int = 10,
                 warm: Callable[[], object] | None = None) -> None:
        self.name, self.processes, self.queue, self.budget, self.nice, self.warm = (
            name, processes, queue, budget, nice, warm)
        self._pool: ProcessPoolExecutor | None = None
        self._owner = 0  # the process the pool belongs to (a fork of the worker must not reuse it)
        self._lock = threading.Lock()
        self._in_flight = 0

    def start(self) -> None:
        """Start the child now (the app's startup does: the first large query then does not wait for it)."""
        self._executor().submit(int)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or self._owner != os.getpid():
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_child_init, initargs=(self.nice, self.warm))
                self._owner = os.getpid()
            return self._pool

    async def run(self, fn: Callable[..., T], *args: Any, budget: float | None = None) -> T:
        with self._lock:
            if self._in_flight >= self.processes + self.queue:
                raise ApiError(503, "server_busy", f"the server is busy ({self.name}); retry in a moment",
                               retryable=True)
            self._in_flight += 1
        try:
            future = self._executor().submit(_in_child, self.name, budget or self.budget, fn, args)
            return await asyncio.wrap_future(future)
        except _Interrupt:
            raise OverBudget(self.name, budget or self.budget or 0.0) from None
        except BrokenProcessPool:
            self.reset()
            raise ApiError(503, "server_busy", f"the server is busy ({self.name}); retry in a moment",
                           retryable=True) from None
        finally:
            with self._lock:
                self._in_flight -= 1

    def reset(self, *, wait: bool = False) -> None:
        """Drop the pool (its child died, or the app stops: `wait` for the child to exit); the next call starts
        another."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)
