"""The UI's /api proxy (dashboard-ui/middleware.ts, lib/api-proxy.ts, served by server.mjs): it forwards the
browser's real address to the API with the shared secret (never one the browser wrote), and while the API is
down it answers 503 `api_unavailable` in the contract's shape, logging one line per outage instead of a stack
per request, until the API is back.

Needs the UI's production build, which `make test` makes before pytest (`make ui-check`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from service.auth.store import add_user
from service.seed.generator import generate
from service.seed.loader import load_directory
from tests.conftest import REPO_ROOT, _free_port
from tests.security.conftest import run_db

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from ui_build import ui_build_is_stale

pytestmark = pytest.mark.skipif(ui_build_is_stale(), reason="needs the UI's production build (make ui-check)")

PASSWORD = "proxy-test-pass"


@dataclass
class Stack:
    ui: str
    api_port: int
    env: dict[str, str]
    url: str
    ui_log: Path
    api: subprocess.Popen[bytes] | None = None

    def start_api(self) -> None:
        self.api = subprocess.Popen([str(REPO_ROOT / ".venv/bin/medspa"), "api", "--workers", "1", "--port",
                                     str(self.api_port)], env=self.env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        _wait(f"http://127.0.0.1:{self.api_port}/api/health")

    def stop_api(self) -> None:
        assert self.api is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.api.pid, signal.SIGKILL)
        self.api.wait(timeout=10)


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def stack(make_database) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    url: str = make_database()
    with tempfile.TemporaryDirectory(prefix="medspa-proxy-") as tmp:
        generate(Path(tmp) / "seed", patients=40, seed=17)
        load_directory(Path(tmp) / "seed", url, replace=False, progress=False)
        run_db(url, lambda c: add_user(c, "proxy_manager", PASSWORD, "manager"))
        api_port, ui_port = _free_port(), _free_port()
        env = {**os.environ, "DATABASE_URL": url, "API_PORT": str(api_port), "UI_PORT": str(ui_port),
               "PROXY_SECRET": "proxy-test-secret", "NEXT_TELEMETRY_DISABLED": "1"}
        ui_log = Path(tmp) / "ui.log"
        made = Stack(f"http://127.0.0.1:{ui_port}", api_port, env, url, ui_log)
        made.start_api()
        with ui_log.open("wb") as sink:
            ui = subprocess.Popen(["node", "server.mjs"], cwd=REPO_ROOT / "dashboard-ui", env=env, stdout=sink,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait(f"{made.ui}/login")
            yield made
        finally:
            for process in (ui, made.api):
                if process is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def test_the_browser_address_reaches_the_api_and_a_forged_one_does_not(stack: Stack) -> None:
    # a browser on 127.0.0.7 (any loopback address reaches the UI) claiming to be elsewhere
    with httpx.Client(base_url=stack.ui, transport=httpx.HTTPTransport(local_address="127.0.0.7"), timeout=10) as c:
        forged = {"x-forwarded-for": "6.6.6.6", "x-medspa-proxy": "guess", "x-medspa-peer": "guess"}
        response = c.post("/api/auth/login", json={"username": "proxy_manager", "password": PASSWORD}, headers=forged)
        assert response.status_code == 200, response.text
        assert {"medspa_session", "medspa_device"} <= set(response.cookies.keys())  # both cookies came through
        events = c.get("/api/audit", params={"action": "login"}).json()["events"]
    assert events[0]["client_addr"] == "127.0.0.7"  # the UI's own connection to the API comes from 127.0.0.1


def test_an_api_outage_is_a_503_in_our_shape_logged_once(stack: Stack) -> None:
    stack.stop_api()
    try:
        for path in ("/api/health", "/api/query", "/api/auth/me", "/openapi.json") * 5:
            response = httpx.request("POST" if path == "/api/query" else "GET", f"{stack.ui}{path}", json=None,
                                     timeout=10)
            assert response.status_code == 503, (path, response.status_code, response.text[:200])
            error = response.json()["error"]
            assert error["code"] == "api_unavailable" and error["retryable"] is True
            assert set(error) >= {"code", "message", "path", "suggestions"}
            assert response.headers["retry-after"] == "1"
    finally:
        stack.start_api()
    assert httpx.get(f"{stack.ui}/api/health", timeout=10).status_code == 200
    log = stack.ui_log.read_text()
    assert log.count("api_unavailable:") == 1 and log.count("api_available:") == 1, log
    assert "Error:" not in log and "    at " not in log  # no stack traces
