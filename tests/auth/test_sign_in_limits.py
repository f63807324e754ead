"""Sign-in limits (service/auth/rate_limit.py): per address and username, per address whatever the usernames,
and per username from any address with a backoff that ends by itself and never locks out a browser the user
has signed in from. Table-driven over the in-memory and the shared (SQLite) counters alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from service.auth.rate_limit import SignInLimiter

Make = Callable[[], SignInLimiter]


@pytest.fixture(params=["memory", "shared"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Make:
    if request.param == "memory":
        return SignInLimiter.in_memory
    return lambda: SignInLimiter.shared(tmp_path / "limits.sqlite")


def test_a_spray_of_usernames_from_one_address_stops_there(make: Make) -> None:
    limiter = make()
    for i in range(SignInLimiter.ADDRESS_ATTEMPTS):
        assert limiter.refusal("10.0.0.1", f"user{i}", now=100 + i) is None
        limiter.failed("10.0.0.1", f"user{i}", now=100 + i)
    refusal = limiter.refusal("10.0.0.1", "someone-new", now=140)
    assert refusal is not None and refusal.rule == "address"
    assert refusal.seconds == pytest.approx(100 + SignInLimiter.ADDRESS_WINDOW - 140)
    assert limiter.refusal("10.0.0.2", "someone-new", now=140) is None  # other addresses are not affected
    assert limiter.refusal("10.0.0.1", "someone-new", now=100 + SignInLimiter.ADDRESS_WINDOW + 30) is None


def test_one_username_from_many_addresses_backs_off_and_the_wait_grows(make: Make) -> None:
    limiter = make()
    now = 1000.0
    waits = []
    for i in range(SignInLimiter.USER_THRESHOLD + 6):
        refusal = limiter.refusal(f"10.1.{i}.1", "maria", now=now)
        if refusal is not None:
            assert refusal.rule == "username"
            waits.append(round(refusal.seconds))
            now += refusal.seconds  # an attacker waits exactly as long as told
            assert limiter.refusal(f"10.1.{i}.1", "maria", now=now) is None
        limiter.failed(f"10.1.{i}.1", "maria", now=now)
        now += 0.001
    assert waits == [2, 4, 8, 16, 32, 64]  # doubling after the threshold
    assert limiter.refusal("10.2.0.1", "somebody-else", now=now) is None  # other usernames are not affected


def test_refused_attempts_do_not_ratchet_the_wait(make: Make) -> None:
    limiter = make()
    for i in range(SignInLimiter.USER_THRESHOLD + 1):
        limiter.failed(f"10.3.{i}.1", "maria", now=0)
    first = limiter.refusal("10.4.0.1", "maria", now=1)
    assert first is not None
    for i in range(100):  # attempts while told to wait are turned away, and are not failures
        assert limiter.refusal(f"10.5.{i}.1", "maria", now=1.001 + i / 1000) is not None
    later = limiter.refusal("10.4.0.1", "maria", now=1.2)
    assert later is not None and later.seconds < first.seconds


def test_the_backoff_is_capped_and_ends_by_itself(make: Make) -> None:
    limiter = make()
    for i in range(60):  # far past the threshold
        limiter.failed(f"10.6.{i}.1", "maria", now=float(i))
    refusal = limiter.refusal("10.7.0.1", "maria", now=60)
    assert refusal is not None and refusal.seconds <= SignInLimiter.USER_WINDOW
    # the failures age out of the window: the username is free again without anyone doing anything
    assert limiter.refusal("10.7.0.1", "maria", now=59 + SignInLimiter.USER_WINDOW + 1) is None


def test_a_browser_the_user_signed_in_from_is_never_locked_out_by_the_username_rule(make: Make) -> None:
    limiter = make()
    limiter.succeeded("192.0.2.10", "maria", "device-hash-1", now=0)
    for i in range(200):  # an attacker spraying maria's username from everywhere
        limiter.failed(f"10.8.{i // 250}.{i % 250}", "maria", now=10 + i)
    assert limiter.refusal("198.51.100.1", "maria", now=300) is not None  # a new browser waits
    assert limiter.refusal("198.51.100.1", "maria", "device-hash-1", now=300) is None  # hers does not
    assert limiter.refusal("198.51.100.1", "maria", "a-forged-hash", now=300) is not None
    assert not limiter.known_device("someone-else", "device-hash-1", now=300)  # a device is per username


def test_a_device_is_not_exempt_from_the_address_rules(make: Make) -> None:
    limiter = make()
    limiter.succeeded("192.0.2.10", "maria", "device-hash-1", now=0)
    for _ in range(SignInLimiter.PAIR_ATTEMPTS):
        limiter.failed("192.0.2.66", "maria", now=1)
    refusal = limiter.refusal("192.0.2.66", "maria", "device-hash-1", now=2)
    assert refusal is not None and refusal.rule == "address_and_username"


def test_a_success_clears_its_pair_only(make: Make) -> None:
    limiter = make()
    for _ in range(SignInLimiter.PAIR_ATTEMPTS - 1):
        limiter.failed("192.0.2.1", "maria", now=1)
    limiter.succeeded("192.0.2.1", "maria", "d", now=2)
    for _ in range(SignInLimiter.PAIR_ATTEMPTS - 1):
        limiter.failed("192.0.2.1", "maria", now=3)
    assert limiter.refusal("192.0.2.1", "maria", now=4) is None


def test_the_shared_counters_are_seen_by_every_worker(tmp_path: Path) -> None:
    first, second = (SignInLimiter.shared(tmp_path / "limits.sqlite") for _ in range(2))
    for i in range(SignInLimiter.ADDRESS_ATTEMPTS):
        (first if i % 2 else second).failed("10.9.0.1", f"u{i}", now=5)
    assert first.refusal("10.9.0.1", "x", now=6) is not None and second.refusal("10.9.0.1", "x", now=6) is not None
    first.succeeded("10.9.0.2", "maria", "dev", now=7)
    assert second.known_device("maria", "dev", now=8)
