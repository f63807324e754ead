"""Workers that do not outlive their supervisor.

`medspa api --workers N` runs a uvicorn supervisor and N worker processes sharing the listening socket. If
the supervisor is killed (SIGKILL, an OOM kill), its workers would go on serving with nobody to restart or
stop them. So each worker asks the kernel for SIGTERM when its parent dies (Linux `PR_SET_PDEATHSIG`), and,
wherever that is not available or the parent died before it was asked, checks once a second that its parent
is still the supervisor that started it (`os.getppid()`); either way it shuts down as on Ctrl-C, and exits
outright if that takes longer than `EXIT_AFTER` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading

SUPERVISOR_ENV = "MEDSPA_SUPERVISOR_PID"  # set by `medspa api` for its workers
EXIT_AFTER = 10.0
_PR_SET_PDEATHSIG = 1

logger = logging.getLogger("medspa.supervision")


def supervisor_pid() -> int | None:
    """The supervisor this process is a worker of (None when it is not a worker)."""
    value = os.environ.get(SUPERVISOR_ENV, "")
    return int(value) if value.isdigit() and int(value) != os.getpid() else None


def _ask_for_sigterm_on_parent_death() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _stop(reason: str) -> None:
    logger.warning("stopping worker", extra={"fields": {"reason": reason}})
    timer = threading.Timer(EXIT_AFTER, lambda: os._exit(1))  # a shutdown stuck on a request ends anyway
    timer.daemon = True
    timer.start()
    os.kill(os.getpid(), signal.SIGTERM)


async def watch_supervisor(expected: int, every: float = 1.0) -> None:
    """Run until the parent is no longer `expected`, then stop this worker."""
    _ask_for_sigterm_on_parent_death()
    while os.getppid() == expected:
        await asyncio.sleep(every)
    _stop("supervisor gone")


def start_watch() -> asyncio.Task[None] | None:
    """In a worker of `medspa api`: the watch as a task of the running loop (the app's lifespan owns it)."""
    expected = supervisor_pid()
    if expected is None:
        return None
    return asyncio.get_running_loop().create_task(watch_supervisor(expected))
