"""Sign-in limits: failures counted per client address and username, per address, and per username across
addresses, with a backoff no attacker can turn into a permanent lock-out.

`SignInLimiter` holds three rules over sliding windows of failed attempts:
- **address and username**: `pair_attempts` failures a minute (a typo-prone user waits a minute);
- **address**: `address_attempts` failures in 10 minutes, whatever the usernames (a spray of random or
  guessed usernames from one address stops there);
- **username, from any address**: past `user_threshold` failures in 15 minutes, each further attempt waits
  2, 4, 8 ... seconds after the latest failure, at most 15 minutes. Attempts refused while waiting are not
  failures, so an attacker cannot ratchet the wait up, and failures age out of the window, so it always
  ends. The user's own browsers are exempt: a successful sign-in gives the browser a device cookie (a random
  token, remembered as a hash for 180 days), and attempts carrying a remembered token for that username skip
  this rule (they keep the two rules above). An attacker spraying one username from many addresses slows
  every *new* browser for that username, never the ones the user has signed in from.

Client addresses are the real ones (service/client_address.py trusts forwarded headers only from configured
proxies). The windows live in memory for one API process (`Window`), or in a small SQLite file that the
workers of one `medspa api` share (`SharedWindow`), so N workers do not allow N times the attempts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Counter(Protocol):
    """Hits per key within a sliding window."""

    window: float

    def recent(self, key: str, *, now: float | None = None) -> tuple[int, float | None, float | None]:
        """(hits within the window, the oldest one's time, the newest one's time)."""

    def hit(self, key: str, *, now: float | None = None) -> None: ...

    def reset(self, key: str) -> None: ...


class RateLimiter:
    """A sliding window in memory (one process): at most `attempts` hits per `window_seconds` per key."""

    MAX_KEYS = 10_000  # bounds memory under a spray of keys (the oldest key is dropped)

    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def recent(self, key: str, *, now: float | None = None) -> tuple[int, float | None, float | None]:
        now = time.time() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return 0, None, None
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            return (len(hits), hits[0], hits[-1]) if hits else (0, None, None)

    def retry_after(self, key: str, *, now: float | None = None) -> float:
        """Seconds to wait before `key` may try again (0 when it may try now)."""
        now = time.time() if now is None else now
        count, oldest, _ = self.recent(key, now=now)
        if count < self.attempts or oldest is None:
            return 0.0
        return max(0.0, oldest + self.window - now)

    def hit(self, key: str, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._hits.setdefault(key, deque()).append(now)
            if len(self._hits) > self.MAX_KEYS:
                self._hits.pop(next(iter(self._hits)))

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class SharedRateLimiter:
    """`RateLimiter`'s rules over hits stored in table `table` of the SQLite file at `path`, shared by the
    processes of one machine. Times are wall-clock seconds (processes share no monotonic clock). Each call
    is a sub-millisecond local write or read; sign-ins are rare, so blocking the event loop for one is fine."""

    def __init__(self, attempts: int, window_seconds: float, path: Path, table: str = "hits") -> None:
        if not table.isidentifier():
            raise ValueError(f"table name {table!r}")
        self.attempts = attempts
        self.window = window_seconds
        self.table = table
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = OFF")  # a lost hit after a crash is harmless
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT NOT NULL, at REAL NOT NULL)")
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {table}_key ON {table} (key, at)")

    def recent(self, key: str, *, now: float | None = None) -> tuple[int, float | None, float | None]:
        now = time.time() if now is None else now
        with self._lock:
            count, oldest, newest = self._db.execute(
                f"SELECT count(*), min(at), max(at) FROM {self.table} WHERE key = ? AND at > ?",
                (key, now - self.window)).fetchone()
        return int(count), oldest, newest

    def retry_after(self, key: str, *, now: float | None = None) -> float:
        """Seconds to wait before `key` may try again (0 when it may try now)."""
        now = time.time() if now is None else now
        count, oldest, _ = self.recent(key, now=now)
        if count < self.attempts or oldest is None:
            return 0.0
        return max(0.0, float(oldest) + self.window - now)

    def hit(self, key: str, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute(f"INSERT INTO {self.table} (key, at) VALUES (?, ?)", (key, now))
            self._db.execute(f"DELETE FROM {self.table} WHERE at <= ?", (now - self.window,))  # bound the file

    def reset(self, key: str) -> None:
        with self._lock:
            self._db.execute(f"DELETE FROM {self.table} WHERE key = ?", (key,))


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in attempt must wait, and for how long."""

    seconds: float
    rule: str  # "address_and_username" | "address" | "username"


class SignInLimiter:
    """The three rules of this module's docstring over four counters (failures by pair, by address, by
    username; remembered devices)."""

    PAIR_ATTEMPTS, PAIR_WINDOW = 5, 60.0
    ADDRESS_ATTEMPTS, ADDRESS_WINDOW = 30, 600.0
    USER_THRESHOLD, USER_WINDOW = 10, 900.0  # the backoff's cap is the window: it always ends
    DEVICE_DAYS = 180

    def __init__(self, pair: Counter, address: Counter, user: Counter, devices: Counter) -> None:
        self.pair, self.address, self.user, self.devices = pair, address, user, devices

    @classmethod
    def in_memory(cls, pair_attempts: int = PAIR_ATTEMPTS) -> SignInLimiter:
        return cls(RateLimiter(pair_attempts, cls.PAIR_WINDOW), RateLimiter(cls.ADDRESS_ATTEMPTS, cls.ADDRESS_WINDOW),
                   RateLimiter(cls.USER_THRESHOLD, cls.USER_WINDOW),
                   RateLimiter(1, cls.DEVICE_DAYS * 86400.0))

    @classmethod
    def shared(cls, path: Path, pair_attempts: int = PAIR_ATTEMPTS) -> SignInLimiter:
        return cls(SharedRateLimiter(pair_attempts, cls.PAIR_WINDOW, path, "pair_failures"),
                   SharedRateLimiter(cls.ADDRESS_ATTEMPTS, cls.ADDRESS_WINDOW, path, "address_failures"),
                   SharedRateLimiter(cls.USER_THRESHOLD, cls.USER_WINDOW, path, "user_failures"),
                   SharedRateLimiter(1, cls.DEVICE_DAYS * 86400.0, path, "devices"))

    def refusal(self, address: str, username: str, device: str | None = None, *,
                now: float | None = None) -> Refusal | None:
        """None when the attempt may go ahead; else how long to wait and which rule says so. `device`: the
        hash of the device cookie's token, if the request carried one."""
        now = time.time() if now is None else now
        wait = _window_wait(self.pair, self.PAIR_ATTEMPTS, _pair(address, username), now)
        if wait > 0:
            return Refusal(wait, "address_and_username")
        wait = _window_wait(self.address, self.ADDRESS_ATTEMPTS, address, now)
        if wait > 0:
            return Refusal(wait, "address")
        if device is not None and self.known_device(username, device, now=now):
            return None
        failures, _, latest = self.user.recent(username, now=now)
        if failures >= self.USER_THRESHOLD and latest is not None:
            backoff = min(self.USER_WINDOW, 2.0 ** (failures - self.USER_THRESHOLD + 1))
            wait = latest + backoff - now
            if wait > 0:
                return Refusal(wait, "username")
        return None

    def failed(self, address: str, username: str, *, now: float | None = None) -> None:
        for counter, key in ((self.pair, _pair(address, username)), (self.address, address), (self.user, username)):
            counter.hit(key, now=now)

    def succeeded(self, address: str, username: str, device: str, *, now: float | None = None) -> None:
        """The pair's count starts again, and the device (its token's hash) is remembered for the username."""
        self.pair.reset(_pair(address, username))
        self.devices.reset(_device(username, device))
        self.devices.hit(_device(username, device), now=now)

    def known_device(self, username: str, device: str, *, now: float | None = None) -> bool:
        return self.devices.recent(_device(username, device), now=now)[0] > 0


def _window_wait(counter: Counter, attempts: int, key: str, now: float) -> float:
    count, oldest, _ = counter.recent(key, now=now)
    if count < attempts or oldest is None:
        return 0.0
    return max(0.0, oldest + counter.window - now)


def _pair(address: str, username: str) -> str:
    return f"{address}|{username}"


def _device(username: str, device: str) -> str:
    return f"{username}|{device}"
