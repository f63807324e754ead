"""The database goes away under load: the API answers 503 with a retryable code (never a 500, never
a hang past the timeout) and recovers by itself within 5 s of the database coming back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.auth.store import add_user
from service.db.embedded import EmbeddedServer
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.conftest import REPO_ROOT, _free_port

PASSWORD = "outage-test-pass"
REQUEST_TIMEOUT = 8.0


def _wait_healthy(base: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not healthy within {seconds}s")


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    root = Path(tempfile.mkdtemp(prefix="medspa-outage-"))
    server = EmbeddedServer(pgdata=root / "pg", port=_free_port())
    url = server.start()
    generate(root / "seed", patients=200, seed=7)
    load_directory(root / "seed", url, replace=False, progress=False)

    async def setup() -> str:
        conn = await asyncpg.connect(url)
        try:
            await add_user(conn, "outage", PASSWORD, "manager")
            return str(await conn.fetchval("SELECT id FROM patients ORDER BY id LIMIT 1"))
        finally:
            await conn.close()

    patient_id = asyncio.run(setup())
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url}
    api = subprocess.Popen([str(REPO_ROOT / ".venv/bin/medspa"), "api", "--port", str(port)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, 30)
        yield server, base, patient_id
    finally:
        api.terminate()
        api.wait(timeout=10)
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_database_outage_gives_retryable_503_and_recovers(stack) -> None:  # type: ignore[no-untyped-def]
    server, base, patient_id = stack
    client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT)
    assert client.post("/api/auth/login", json={"username": "outage", "password": PASSWORD}).status_code == 200
    cookies = dict(client.cookies)

    results: list[tuple[float, int, str | None, float]] = []  # (when, status, error code, seconds)
    stop = threading.Event()

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, cookies=cookies) as c:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    response = c.get(f"/api/patients/{patient_id}")
                    code = None
                    if response.status_code != 200:
                        error = response.json()["error"]
                        code = error["code"] if error.get("retryable") is True else f"not retryable: {error}"
                        if response.headers.get("retry-after") != "1":
                            code = "no Retry-After header"
                    results.append((started, response.status_code, code, time.monotonic() - started))
                except httpx.HTTPError as err:  # a hang past the client timeout lands here
                    results.append((started, 0, type(err).__name__, time.monotonic() - started))
                time.sleep(0.02)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        server.stop()
        down_at = time.monotonic()
        time.sleep(3.0)
        restart_at = time.monotonic()
        server.start()
        up_at = time.monotonic()
        recovered_after = None
        # a fresh client: the signed-in one's idle keep-alive connection may have timed out meanwhile
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, cookies=cookies) as probe:
            while time.monotonic() - up_at < 10:
                with contextlib.suppress(httpx.HTTPError):
                    if probe.get(f"/api/patients/{patient_id}").status_code == 200:
                        recovered_after = time.monotonic() - up_at
                        break
                time.sleep(0.1)
    finally:  # whatever failed above, the load threads end (else they keep the test process alive)
        stop.set()
        for thread in threads:
            thread.join()

    statuses = {status for _, status, _, _ in results}
    during = [r for r in results if down_at + 0.5 < r[0] and r[0] + r[3] < restart_at]
    assert results and during, "the load produced no requests during the outage"
    assert statuses <= {200, 503}, f"unexpected statuses: {statuses}"
    assert all(code in ("database_unavailable", "query_timeout") for _, status, code, _ in results if status == 503)
    assert {status for _, status, _, _ in during} == {503}
    assert max(seconds for *_, seconds in results) < REQUEST_TIMEOUT
    assert recovered_after is not None and recovered_after < 5.0, f"recovered after {recovered_after}"
    # the 503 says it may be retried, and how soon
    response = client.get("/api/health")
    assert response.status_code == 200
