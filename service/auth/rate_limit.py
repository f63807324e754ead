"""A small in-memory sliding-window limiter for sign-in attempts (per client address and username)."""

from __future__ import annotations

import time
from collections import deque


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
