"""CPU-bound work off the event loop: password hashing and small query compilations run in small thread pools
(`Lane`s), so the loop keeps answering health checks, cached queries and sign-ins while they run. (Large
compilations, which would hold the GIL for hundreds of milliseconds, run in a process: service/process_lane.py.)

A lane runs at most `threads` jobs at once and lets at most `queue` more wait; one past that is refused at
once with the retryable 503 `server_busy` (a flood queues, briefly, instead of piling up for minutes).
argon2 releases the GIL while it hashes; a small compilation holds it for a few milliseconds, and the
interpreter hands it to the loop's thread every switch interval (5 ms) anyway.

A lane may give each job a CPU budget: a job still running after `budget` seconds of its own thread's CPU
time (not wall time: a busy machine does not make a query "too complex") is interrupted by an exception
raised in its thread at its next bytecode, and its caller gets `OverBudget`. Only pure-Python work can be
interrupted that way, which is what query compilation is (planning and sqlglot rendering).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from service.errors_http import ApiError

T = TypeVar("T")

_WATCH_EVERY = 0.05  # seconds between two looks at the running jobs' CPU clocks (less for a smaller budget)


class OverBudget(Exception):
    """A job ran past its lane's CPU budget and was interrupted (picklable: a process lane raises it too)."""

    def __init__(self, lane: str, budget: float) -> None:
        super().__init__(lane, budget)
        self.lane = lane
        self.budget = budget

    def __str__(self) -> str:
        return f"{self.lane} took over {self.budget:g} s of CPU"


class _Interrupt(BaseException):
    """Raised inside a job's thread by the watchdog (a BaseException: no `except Exception` in the job eats it)."""


def _raise_in_thread(ident: int, exc: type[BaseException] | None) -> None:
    """Schedule `exc` to be raised in thread `ident` at its next bytecode (None: cancel a scheduled one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


def _lower_priority(nice: int) -> None:
    """This thread (and the threads it starts, such as argon2's lanes) at nice `nice` (Linux: per thread)."""
    if nice and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


@dataclass(eq=False)
class _Ticket:
    budget: float
    ident: int = 0
    clock: int = 0
    started_cpu: float = 0.0
    fired: bool = False


@dataclass
class Lane:
    """A few threads for one kind of CPU work, a bounded queue, and optionally a CPU budget per job."""

    name: str
    threads: int
    queue: int
    budget: float | None = None  # seconds of the job thread's CPU time (a call may give its own)
    nice: int = 0  # the lane's threads' CPU priority (Linux schedules threads one by one): higher yields more
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _in_flight: int = field(default=0, init=False)
    _running: set[_Ticket] = field(default_factory=set, init=False, repr=False)
    _wake: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _watchdog: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def in_flight(self) -> int:
        """Jobs running or waiting."""
        return self._in_flight

    async def run(self, job: Callable[[], T], *, budget: float | None = None) -> T:
        """`job()` in one of the lane's threads; 503 `server_busy` when its queue is full, `OverBudget` when the
        job ran past `budget` (else the lane's) seconds of CPU."""
        with self._lock:
            if self._in_flight >= self.threads + self.queue:
                raise ApiError(503, "server_busy", f"the server is busy ({self.name}); retry in a moment",
                               retryable=True)
            self._in_flight += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix=f"medspa-{self.name}",
                                                    initializer=_lower_priority, initargs=(self.nice,))
            executor = self._executor
        try:
            return await asyncio.wrap_future(executor.submit(self._job, job, budget or self.budget))
        finally:
            with self._lock:
                self._in_flight -= 1

    def _job(self, job: Callable[[], T], budget: float | None) -> T:
        ticket = _Ticket(budget or 0.0)
        try:
            if budget is not None:
                self._start(ticket)
            return job()
        except _Interrupt:
            raise OverBudget(self.name, ticket.budget) from None
        finally:
            if budget is not None:
                self._settle(ticket)

    def _start(self, ticket: _Ticket) -> None:
        ticket.ident = threading.get_ident()
        ticket.clock = time.pthread_getcpuclockid(ticket.ident)
        ticket.started_cpu = time.clock_gettime(ticket.clock)
        with self._lock:
            self._running.add(ticket)
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, name=f"medspa-{self.name}-budget", daemon=True)
                self._watchdog.start()
        self._wake.set()

    def _settle(self, ticket: _Ticket) -> None:
        """Take the job off the watch; an interrupt scheduled as it finished lands here and is dropped."""
        while True:
            try:
                with self._lock:
                    self._running.discard(ticket)
                    if ticket.fired:
                        _raise_in_thread(ticket.ident, None)
                return
            except _Interrupt:
                continue

    def _watch(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                every = min([_WATCH_EVERY, *(ticket.budget / 5 for ticket in self._running)])
            time.sleep(every)
            with self._lock:
                for ticket in self._running:
                    if not ticket.fired and time.clock_gettime(ticket.clock) - ticket.started_cpu > ticket.budget:
                        ticket.fired = True
                        _raise_in_thread(ticket.ident, _Interrupt)
                if not self._running:
                    self._wake.clear()


# One set per process (each uvicorn worker has its own). Small compilations: two threads, with a CPU budget per
# job (Settings.compile_budget_ms, given by the caller); hashing: one thread (argon2 already computes its four
# lanes in threads of its own) at a lower priority, so a flood of sign-ins yields the CPU to everything else.
COMPILE = Lane("compile", threads=2, queue=10, budget=2.0)
HASHING = Lane("hashing", threads=1, queue=16, nice=10)
