"""Sign-in attempts are counted across all of `medspa api`'s workers (SharedRateLimiter, one SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.app import _login_limiter
from service.auth.rate_limit import RateLimiter, SharedRateLimiter, SignInLimiter
from service.settings import Settings


def test_the_shared_window_slides_like_the_in_memory_one(tmp_path: Path) -> None:
    shared = SharedRateLimiter(attempts=2, window_seconds=60, path=tmp_path / "hits.sqlite")
    memory = RateLimiter(attempts=2, window_seconds=60)
    for limiter in (shared, memory):
        limiter.hit("k", now=0)
        assert limiter.retry_after("k", now=5) == 0
        limiter.hit("k", now=10)
        assert limiter.retry_after("k", now=20) == pytest.approx(40)
        assert limiter.retry_after("other", now=20) == 0
        assert limiter.retry_after("k", now=61) == 0


def test_workers_share_one_count(tmp_path: Path) -> None:
    path = tmp_path / "hits.sqlite"
    first, second = (SharedRateLimiter(attempts=3, window_seconds=60, path=path) for _ in range(2))
    first.hit("10.0.0.1|maria", now=100)
    second.hit("10.0.0.1|maria", now=101)
    assert first.retry_after("10.0.0.1|maria", now=102) == 0
    first.hit("10.0.0.1|maria", now=102)
    assert second.retry_after("10.0.0.1|maria", now=103) == pytest.approx(57)
    second.reset("10.0.0.1|maria")  # a successful sign-in on one worker clears the count on all
    assert first.retry_after("10.0.0.1|maria", now=103) == 0


def test_old_hits_are_dropped_from_the_file(tmp_path: Path) -> None:
    limiter = SharedRateLimiter(attempts=5, window_seconds=60, path=tmp_path / "hits.sqlite")
    for i in range(50):
        limiter.hit(f"client-{i}", now=float(i))
    limiter.hit("late", now=1000)
    assert limiter._db.execute("SELECT count(*) FROM hits").fetchone()[0] == 1


def test_the_app_uses_the_shared_file_when_told_to(tmp_path: Path) -> None:
    memory = _login_limiter(Settings(login_limiter_file=None))
    assert isinstance(memory, SignInLimiter) and isinstance(memory.pair, RateLimiter)
    shared = _login_limiter(Settings(login_limiter_file=tmp_path / "hits.sqlite"))
    assert isinstance(shared.pair, SharedRateLimiter) and shared.pair.attempts == Settings().login_attempts_per_minute
    assert all(isinstance(c, SharedRateLimiter) for c in (shared.address, shared.user, shared.devices))
