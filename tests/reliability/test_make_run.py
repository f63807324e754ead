"""`make run` (scripts/run.sh) with one of its parts killed: it says which part stopped, stops everything else it
started (the UI's server, the API's workers, the embedded database), and the next `make run` starts cleanly;
a run that was itself killed leaves parts behind that the next run stops.

Runs the real stack (the UI's production server included) on free ports, an embedded server in a temporary
folder and a small generated data set: it needs the UI's production build, which `make test` makes before
pytest (`make ui-check`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.seed.generator import generate
from tests.conftest import REPO_ROOT, _free_port

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from ui_build import ui_build_is_stale

pytestmark = pytest.mark.skipif(ui_build_is_stale(), reason="needs the UI's production build (make ui-check)")


@dataclass
class Run:
    process: subprocess.Popen[bytes]
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")


@dataclass
class Stack:
    env: dict[str, str]
    root: Path
    ports: tuple[int, int, int]  # API, UI, database

    def start(self, name: str) -> Run:
        output = self.root / f"{name}.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(["bash", str(REPO_ROOT / "scripts" / "run.sh")], env=self.env, stdout=sink,
                                       stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO_ROOT)
        run = Run(process, output)
        deadline = time.monotonic() + 120
        while "is running" not in run.text():
            assert process.poll() is None, run.text()[-3000:]
            assert time.monotonic() < deadline, run.text()[-3000:]
            time.sleep(0.3)
        return run

    def parts(self) -> dict[str, int]:
        """The process groups the running `make run` started (its .data/run.pids)."""
        lines = (self.root / "data" / "run.pids").read_text().split("\n")
        return {name: int(pid) for pid, name in (line.split() for line in lines if line.strip())}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _gone(stack: Stack, groups: list[int], seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while any(_group_alive(g) for g in groups) or any(_port_open(p) for p in stack.ports):
        assert time.monotonic() < deadline, (
            f"still running: groups {[g for g in groups if _group_alive(g)]}, "
            f"ports {[p for p in stack.ports if _port_open(p)]}")
        time.sleep(0.2)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    generate(tmp_path / "seed", patients=150, seed=21)
    ports = (_free_port(), _free_port(), _free_port())
    env = {**os.environ, "API_PORT": str(ports[0]), "UI_PORT": str(ports[1]), "EMBEDDED_PG_PORT": str(ports[2]),
           "DATA_DIR": str(tmp_path / "data"), "SEED_DIR": str(tmp_path / "seed"), "API_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    made = Stack(env, tmp_path, ports)
    yield made
    pids = tmp_path / "data" / "run.pids"  # whatever a failed test left running
    if pids.exists():
        for line in pids.read_text().split("\n"):
            if line.strip():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(int(line.split()[0]), signal.SIGKILL)
    subprocess.run([str(REPO_ROOT / ".venv/bin/medspa"), "db", "stop"], env=env, capture_output=True, check=False)


def test_a_killed_api_stops_everything_and_the_next_run_starts_cleanly(stack: Stack) -> None:
    first = stack.start("first")
    parts = stack.parts()
    assert set(parts) == {"API", "UI"}
    os.kill(parts["API"], signal.SIGKILL)  # (a supervisor's workers would be in its group: they go too)
    assert first.process.wait(timeout=60) != 0, first.text()[-2000:]
    assert "the API stopped (exit status 137): stopping everything" in first.text(), first.text()[-2000:]
    _gone(stack, list(parts.values()))  # the UI, the API's workers and the database: nothing listens

    second = stack.start("second")  # same ports, same data folder: no EADDRINUSE, no stale lock
    second_parts = stack.parts()
    os.killpg(second.process.pid, signal.SIGKILL)  # `make run` itself dies, too suddenly to stop anything
    second.process.wait(timeout=10)
    assert all(_group_alive(g) for g in second_parts.values())  # left behind, as a killed run leaves them

    third = stack.start("third")
    assert "left running by an earlier run" in third.text(), third.text()[-2000:]
    third_parts = stack.parts()
    third.process.send_signal(signal.SIGTERM)  # Ctrl-C's path: stop everything
    assert third.process.wait(timeout=60) != 0, third.text()[-2000:]
    assert "stopped." in third.text()
    _gone(stack, [*second_parts.values(), *third_parts.values()])
