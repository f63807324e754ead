"""Is the UI's production build older than its sources? (`make run` and the browser tests ask.)"""

from __future__ import annotations

import sys
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "dashboard-ui"
UI_SOURCES = ("app", "components", "lib", "middleware.ts", "next.config.mjs", "package-lock.json",
              "tailwind.config.ts")


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



if __name__ == "__main__":
    sys.exit(0 if ui_build_is_stale() else 1)
