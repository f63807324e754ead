"""`medspa api --workers 2`: several processes, one set of rules. A session signed out (or gone idle) is
refused by every worker on the very next request, sign-in attempts are counted across workers, and each
worker's queries run as the reader role it checked at its own startup."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.auth.store import add_user
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.conftest import REPO_ROOT, _free_port
from tests.security.conftest import run_db

PASSWORD = "workers-test-pass"
QUERY = {"measures": ["revenue"], "time": {"range": "all_time"}}


def _worker_pids(supervisor: int) -> list[int]:
    """The uvicorn workers: the supervisor's children started by multiprocessing's spawn."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(pid) for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


@pytest.fixture(scope="module")
def two_workers(make_database) -> Iterator[tuple[str, str, int, Path]]:  # type: ignore[no-untyped-def]
    url: str = make_database()
    with tempfile.TemporaryDirectory(prefix="medspa-workers-") as tmp:
        generate(Path(tmp) / "seed", patients=60, seed=11)
        load_directory(Path(tmp) / "seed", url, replace=False, progress=False)
        run_db(url, lambda conn: add_user(conn, "two_workers", PASSWORD, "manager"))
        run_db(url, lambda conn: add_user(conn, "two_workers_locked", PASSWORD, "manager"))
        port, log = _free_port(), Path(tmp) / "api.log"
        env = {**os.environ, "DATABASE_URL": url}
        env.pop("API_WORKERS", None)
        with log.open("wb") as sink:
            api = subprocess.Popen([str(REPO_ROOT / ".venv/bin/medspa"), "api", "--workers", "2", "--port", str(port)],
                                   env=env, stdout=sink, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while len(_worker_pids(api.pid)) < 2 or not _healthy(base):
                    assert api.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                    time.sleep(0.2)
                yield base, url, api.pid, log
            finally:
                api.terminate()
                api.wait(timeout=20)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _fresh(base: str, method: str, path: str, cookies: dict[str, str] | None = None,
           **kwargs: object) -> httpx.Response:
    """One request on a connection of its own (so the kernel may hand it to either worker)."""
    with httpx.Client(base_url=base, timeout=10, cookies=cookies) as client:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]


def _served_by(log: Path, route: str, status: int, since: int) -> set[int]:
    """The processes that logged answering `route` with `status`, from byte `since` of the log on."""
    pids = set()
    with log.open("rb") as file:
        file.seek(since)
        text = file.read().decode(errors="replace")
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("msg") == "request" and entry.get("route") == route and entry.get("status") == status:
            pids.add(int(entry["pid"]))
    return pids


def _errors(log: Path, since: int) -> str:
    """The server's error lines (tracebacks included) logged from byte `since` on: why an answer was a 500."""
    with log.open("rb") as file:
        file.seek(since)
        lines = file.read().decode(errors="replace").splitlines()
    return "\n".join(line for line in lines if '"level": "INFO"' not in line)[-4000:]


def _until_both_workers_answered(log: Path, route: str, status: int, call: Callable[[], httpx.Response],
                                 workers: list[int]) -> int:
    """Send `call` (8 at a time, on fresh connections) until both workers have answered it; each answer
    must be `status`. Returns how many were sent."""
    sent, since = 0, log.stat().st_size
    with ThreadPoolExecutor(8) as pool:
        while not set(workers) <= _served_by(log, route, status, since):
            assert sent < 400, f"only {_served_by(log, route, status, since)} of {workers} answered"
            for response in pool.map(lambda _: call(), range(8)):
                assert response.status_code == status, (response.text, _errors(log, since))
            sent += 8
            time.sleep(0.05)  # the access log line is written after the answer
    return sent


def test_two_worker_processes_serve(two_workers: tuple[str, str, int, Path]) -> None:
    base, _, supervisor, log = two_workers
    workers = _worker_pids(supervisor)
    assert len(workers) == 2
    key = {"Authorization": "Bearer none"}
    assert _fresh(base, "GET", "/api/auth/me", headers=key).status_code == 401
    # both have checked the reader role and answer queries with it
    cookie = _sign_in(base)
    _until_both_workers_answered(log, "/api/query", 200,
                                 lambda: _fresh(base, "POST", "/api/query", json=QUERY, cookies=cookie), workers)


def _sign_in(base: str) -> dict[str, str]:
    response = _fresh(base, "POST", "/api/auth/login", json={"username": "two_workers", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"medspa_session": response.cookies["medspa_session"]}


def test_a_signed_out_session_is_refused_by_every_worker(two_workers: tuple[str, str, int, Path]) -> None:
    base, _, supervisor, log = two_workers
    cookie = _sign_in(base)
    assert _fresh(base, "GET", "/api/auth/me", cookies=cookie).status_code == 200
    assert _fresh(base, "POST", "/api/auth/logout", cookies=cookie).status_code == 204
    sent = _until_both_workers_answered(log, "/api/auth/me", 401,
                                        lambda: _fresh(base, "GET", "/api/auth/me", cookies=cookie),
                                        _worker_pids(supervisor))
    assert sent >= 8


def test_an_idle_session_is_refused_by_every_worker(two_workers: tuple[str, str, int, Path]) -> None:
    base, url, supervisor, log = two_workers
    cookie = _sign_in(base)
    assert _fresh(base, "POST", "/api/query", json=QUERY, cookies=cookie).status_code == 200

    async def idle(conn: asyncpg.Connection) -> None:
        await conn.execute("UPDATE user_sessions SET last_seen_at = now() - interval '16 minutes' "
                           "WHERE ended_at IS NULL")

    run_db(url, idle)
    _until_both_workers_answered(log, "/api/query", 401,
                                 lambda: _fresh(base, "POST", "/api/query", json=QUERY, cookies=cookie),
                                 _worker_pids(supervisor))


def test_sign_in_attempts_are_counted_across_workers(two_workers: tuple[str, str, int, Path]) -> None:
    base, _, _, _ = two_workers
    attempts = [(i, {"username": "two_workers_locked", "password": f"wrong-{i}"}) for i in range(6)]
    with ThreadPoolExecutor(3) as pool:  # in parallel, on fresh connections: both workers take some
        first = list(pool.map(lambda a: _fresh(base, "POST", "/api/auth/login", json=a[1]).status_code,
                              attempts[:5]))
    assert first == [401] * 5
    assert _fresh(base, "POST", "/api/auth/login", json=attempts[5][1]).status_code == 429
    right = _fresh(base, "POST", "/api/auth/login", json={"username": "two_workers_locked", "password": PASSWORD})
    assert right.status_code == 429 and right.json()["error"]["code"] == "rate_limited"
