"""Is the UI's production build older than its sources? And, with `--build`, make one showing its progress.

    python scripts/ui_build.py            exit 0 when a build is needed (stale or missing), 1 otherwise
    python scripts/ui_build.py --build    build when needed, printing each step of `next build` as it starts
                                          and a line every 15 s meanwhile (a first build takes minutes)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "dashboard-ui"
UI_SOURCES = ("app", "components", "lib", "middleware.ts", "next.config.mjs", "package-lock.json",
              "tailwind.config.ts")
HEARTBEAT_S = 15
# `next build`'s own lines worth passing on (the rest is its route table)
STEPS = ("Creating an optimized production build", "Compiled", "Linting", "Checking validity of types",
         "Collecting page data", "Generating static pages", "Finalizing page optimization",
         "Collecting build traces", "Failed to compile", "Error", "error")


def ui_build_is_stale() -> bool:
    """True when there is no production build or a UI source changed after it was made."""
    build_id = UI / ".next" / "BUILD_ID"
    if not build_id.exists():
        return True
    built = build_id.stat().st_mtime
    for name in UI_SOURCES:
        path = UI / name
        files = [path] if path.is_file() else list(path.rglob("*")) if path.is_dir() else []
        if any(f.stat().st_mtime > built for f in files if f.is_file()):
            return True
    return False


def build(out: object = sys.stdout) -> int:
    """`npm run build` in dashboard-ui, its steps and a heartbeat printed as it goes; returns its exit code."""
    started = time.monotonic()
    last_step = ["starting"]

    def say(text: str) -> None:
        print(f"  [ui build {time.monotonic() - started:5.0f} s] {text}", file=out, flush=True)  # type: ignore[call-overload]

    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(HEARTBEAT_S):
            say(f"still building ({last_step[0]})...")

    say("building the dashboard (a first build takes a few minutes)")
    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    process = subprocess.Popen(["npm", "run", "--silent", "build"], cwd=UI, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"})
    tail: list[str] = []
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.strip()
        tail = [*tail[-40:], line]
        step = line.lstrip("✓○●ƒ▲⚠ ").strip()
        if step and any(step.startswith(s) or s in step for s in STEPS):
            last_step[0] = step.split("(")[0].rstrip(". ").lower() or last_step[0]
            say(step)
    code = process.wait()
    done.set()
    if code != 0:
        say("failed; its last lines:")
        for line in tail:
            print(f"    {line}", file=out)  # type: ignore[call-overload]
    else:
        say("done")
    return code


if __name__ == "__main__":
    if "--build" in sys.argv[1:]:
        sys.exit(build() if ui_build_is_stale() else 0)
    sys.exit(0 if ui_build_is_stale() else 1)
