"""Sliding-window limiters for sign-in attempts (per client address and username).

`RateLimiter` keeps its hits in memory: right for one API process. With several uvicorn workers each
process would count only the attempts it happened to receive (N workers, N times the attempts), so
`SharedRateLimiter` keeps them in a small SQLite file that all the workers of one `medspa api` share.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from pathlib import Path


class RateLimiter:
    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, key: str, *, now: float | None = None) -> float:
        """Seconds to wait before `key` may try again (0 when it may try now)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        if not hits:
            return 0.0
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.attempts:
            return 0.0
        return max(0.0, hits[0] + self.window - now)

    def hit(self, key: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._hits.setdefault(key, deque()).append(now)
        if len(self._hits) > 10_000:  # bound memory under a spray of keys
            self._hits.pop(next(iter(self._hits)))

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)


class SharedRateLimiter:
    """`RateLimiter`'s rules over hits stored in the SQLite file at `path`, shared by processes on one machine.

    Times are wall-clock seconds (processes share no monotonic clock). Sign-ins are rare and each one
    verifies an argon2 hash, so these sub-millisecond blocking calls do not matter to the event loop."""

    def __init__(self, attempts: int, window_seconds: float, path: Path) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = OFF")  # a lost hit after a crash is harmless
            self._db.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)")
            self._db.execute("CREATE INDEX IF NOT EXISTS hits_key ON hits (key, at)")

    def retry_after(self, key: str, *, now: float | None = None) -> float:
        """Seconds to wait before `key` may try again (0 when it may try now)."""
        now = time.time() if now is None else now
        with self._lock:
            count, oldest = self._db.execute(
                "SELECT count(*), min(at) FROM hits WHERE key = ? AND at > ?", (key, now - self.window)
            ).fetchone()
        if count < self.attempts:
            return 0.0
        return max(0.0, float(oldest) + self.window - now)

    def hit(self, key: str, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("INSERT INTO hits (key, at) VALUES (?, ?)", (key, now))
            self._db.execute("DELETE FROM hits WHERE at <= ?", (now - self.window,))  # bound the file

    def reset(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM hits WHERE key = ?", (key,))
