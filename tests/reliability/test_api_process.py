"""`medspa api --workers 2` as it runs in production: forwarded headers from 127.0.0.1 are not believed, slow
clients are timed out (slowloris), a flood of sign-ins queues without holding up health checks, and killing
the supervisor leaves nothing serving. One API process for the module; the supervisor test comes last."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from service.auth.store import add_user
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.conftest import REPO_ROOT, _free_port
from tests.security.conftest import run_db

PASSWORD = "process-test-pass"
TIMEOUT_S = 1.0  # HEADER_TIMEOUT_S and BODY_TIMEOUT_S for this API


@dataclass
class Api:
    base: str
    port: int
    url: str
    supervisor: subprocess.Popen[bytes]
    log: Path


def _workers(supervisor: int) -> list[int]:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (workers, their compile processes)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _alive(pid: int) -> bool:
    try:
        return b"State:\tZ" not in Path(f"/proc/{pid}/status").read_bytes()
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def api(make_database) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    url: str = make_database()
    with tempfile.TemporaryDirectory(prefix="medspa-process-") as tmp:
        generate(Path(tmp) / "seed", patients=60, seed=13)
        load_directory(Path(tmp) / "seed", url, replace=False, progress=False)
        run_db(url, lambda conn: add_user(conn, "process_manager", PASSWORD, "manager"))
        port, log = _free_port(), Path(tmp) / "api.log"
        env = {**os.environ, "DATABASE_URL": url, "HEADER_TIMEOUT_S": str(TIMEOUT_S),
               "BODY_TIMEOUT_S": str(TIMEOUT_S)}
        env.pop("API_WORKERS", None)
        with log.open("wb") as sink:
            supervisor = subprocess.Popen([str(REPO_ROOT / ".venv/bin/medspa"), "api", "--workers", "2", "--port",
                                           str(port)], env=env, stdout=sink, stderr=subprocess.STDOUT,
                                          start_new_session=True)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while len(_workers(supervisor.pid)) < 2 or not _healthy(base):
                    assert supervisor.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                    time.sleep(0.2)
                yield Api(base, port, url, supervisor, log)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(supervisor.pid, signal.SIGKILL)
                supervisor.wait(timeout=10)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_forwarded_headers_from_localhost_are_not_believed(api: Api) -> None:
    codes = []
    for i in range(7):  # fresh connections: both workers take some
        response = httpx.post(f"{api.base}/api/auth/login", json={"username": "process_manager", "password": f"no{i}"},
                              headers={"x-forwarded-for": f"6.6.6.{i}", "x-real-ip": f"7.7.7.{i}"}, timeout=10)
        codes.append(response.status_code)
    assert codes == [401] * 5 + [429] * 2  # the limit held: the rotated address was not taken as the client's
    addresses = run_db(api.url, lambda c: c.fetch("SELECT DISTINCT client_addr FROM audit_events"))
    assert {r[0] for r in addresses} <= {"127.0.0.1"}


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    chunks = []
    try:
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def test_a_connection_that_sends_nothing_is_closed(api: Api) -> None:
    with socket.create_connection(("127.0.0.1", api.port)) as sock:
        started = time.monotonic()
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < TIMEOUT_S + 2


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off(api: Api) -> None:
    head = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", api.port)) as sock:
        started = time.monotonic()
        try:
            for byte in head:
                sock.send(bytes([byte]))
                time.sleep(0.2)  # five bytes a second: the whole head would take 12 s
        except OSError:  # the server closed the connection
            pass
        elapsed = time.monotonic() - started
        answer = _read_all(sock)
    assert elapsed < TIMEOUT_S + 2 and answer.startswith(b"HTTP/1.1 408"), (elapsed, answer[:80])


def test_a_body_sent_a_byte_at_a_time_is_cut_off(api: Api) -> None:
    with socket.create_connection(("127.0.0.1", api.port)) as sock:
        sock.send(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 60\r\n\r\n")
        started = time.monotonic()
        try:
            for _ in range(60):
                sock.send(b" ")
                time.sleep(0.2)
        except OSError:
            pass
        elapsed = time.monotonic() - started
        answer = _read_all(sock)
    assert elapsed < TIMEOUT_S + 2, elapsed
    assert answer.startswith(b"HTTP/1.1 408") and b'"code":"request_timeout"' in answer, answer[:300]


def test_a_flood_of_sign_ins_queues_while_health_checks_answer(api: Api) -> None:
    stop = threading.Event()
    latencies: list[float] = []

    def probe() -> None:
        with httpx.Client(base_url=api.base, timeout=10) as client:
            while not stop.is_set():
                started = time.monotonic()
                assert client.get("/api/health").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)

    def sign_in(i: int) -> int:
        with httpx.Client(base_url=api.base, timeout=30) as client:
            return client.post("/api/auth/login", json={"username": f"nobody-{i}", "password": "x"}).status_code

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with ThreadPoolExecutor(8) as pool:  # every attempt verifies an argon2 hash (a dummy one: no such user)
            codes = list(pool.map(sign_in, range(16)))
    finally:
        stop.set()
        prober.join()
    assert set(codes) <= {401, 429, 503}
    assert codes.count(401) >= 10
    assert len(latencies) >= 5
    assert max(latencies) < 1.0 and statistics.median(latencies) < 0.25, sorted(latencies)[-5:]


def test_killing_the_supervisor_leaves_nothing_serving(api: Api) -> None:
    assert len(_workers(api.supervisor.pid)) == 2 and _healthy(api.base)
    workers = _descendants(api.supervisor.pid)  # the workers and what they started (compile processes)
    os.kill(api.supervisor.pid, signal.SIGKILL)
    api.supervisor.wait(timeout=5)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers still running: {[p for p in workers if _alive(p)]}"
        time.sleep(0.1)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api.base}/api/health", timeout=2)
