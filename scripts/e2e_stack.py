"""Browser end-to-end tests against a real stack: throwaway PostgreSQL, the API, the production UI.

Loads the client's export when ../shared is present (else a generated data set), builds the UI
for the API's port, starts both, runs `npm run test:e2e`, and tears everything down.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UI = REPO / "dashboard-ui"
BIN = REPO / ".venv" / "bin"
CLIENT_EXPORT = REPO.parent / "shared" / "seed_data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f}s")


def run_sql(url: str, statement: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def main() -> int:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "scripts"))
    from ui_build import build, ui_build_is_stale

    from service.db.embedded import EmbeddedServer

    root = Path(tempfile.mkdtemp(prefix="medspa-e2e-"))
    server: EmbeddedServer | None = None
    processes: list[subprocess.Popen[bytes]] = []
    try:
        external = os.environ.get("TEST_DATABASE_URL")
        if external:
            base_url = external
        else:
            server = EmbeddedServer(pgdata=root / "pg", port=free_port())
            server.start()
            base_url = server.url("postgres")
        db_name = f"medspa_e2e_{os.getpid()}"
        run_sql(base_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        run_sql(base_url, f'CREATE DATABASE "{db_name}"')
        url = base_url.rsplit("/", 1)[0] + f"/{db_name}"
        # no language model, whatever the environment says: Ask answers with its built-in parser
        env = {**os.environ, "DATABASE_URL": url, "NEXT_TELEMETRY_DISABLED": "1", "LLM_BASE_URL": ""}

        data_dir = CLIENT_EXPORT
        if (data_dir / "patient.json").exists():
            # The export has no manifest (its as_of is its latest payment's date, Nov 26, 2025, with every visit
            # paid). The browser tests run it as of a moment past its end instead, AS_OF for the API only: the
            # bookings since are then visits nobody paid for yet (money owed), and Dec 14 is half past, half to
            # come (the day schedule's next arrival). Every figure the tests check is the API's own answer.
            env.setdefault("AS_OF", os.environ.get("E2E_AS_OF", "2025-12-14T12:00"))
        else:
            data_dir = root / "seed"
            subprocess.run([BIN / "medspa", "seed", "generate", "--out", data_dir, "--anchor", "2025-11-26"],
                           check=True, env=env)
        subprocess.run([BIN / "medspa", "seed", "load", "--dir", data_dir], check=True, env=env)
        # manager / manager-demo-pass and frontdesk / frontdesk-demo-pass, as `make run` creates them
        subprocess.run([BIN / "medspa", "users", "demo"], check=True, env=env, stdout=subprocess.DEVNULL)

        api_port, ui_port = free_port(), free_port()
        env["API_PORT"] = str(api_port)  # read at run time by the UI's middleware proxy
        env["UI_PORT"] = str(ui_port)
        env["PROXY_SECRET"] = secrets.token_hex(32)  # as `make run`: the API believes the UI's client address
        if ui_build_is_stale() and build() != 0:  # prints each step as it goes
            raise SystemExit("e2e: the UI build failed")
        # each in its own process group: the API leaves children (its workers) that stopping the parent
        # alone would orphan
        processes.append(subprocess.Popen([BIN / "medspa", "api", "--port", str(api_port)], env=env,
                                          start_new_session=True))
        processes.append(subprocess.Popen(["node", "server.mjs"], cwd=UI, env=env, stdout=subprocess.DEVNULL,
                                          start_new_session=True))  # the UI's server, as `make run` starts it
        wait_for(f"http://127.0.0.1:{api_port}/api/health")
        wait_for(f"http://127.0.0.1:{ui_port}/")
        test_env = {**env, "E2E_BASE_URL": f"http://127.0.0.1:{ui_port}",
                    "E2E_API_URL": f"http://127.0.0.1:{api_port}"}
        if os.environ.get("E2E_HOLD"):  # for debugging: keep the stack up instead of running the tests
            print(f"e2e stack up: UI {test_env['E2E_BASE_URL']}  API {test_env['E2E_API_URL']}", flush=True)
            while True:
                time.sleep(3600)
        return subprocess.run(["npm", "run", "--silent", "test:e2e"], cwd=UI, env=test_env).returncode
    finally:
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
            _signal_group(process, signal.SIGKILL)  # whatever of its group outlived the parent
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the process's whole group (it leads one: `start_new_session`); gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


if __name__ == "__main__":
    raise SystemExit(main())
