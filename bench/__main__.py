"""`python -m bench` (`make bench`): every `bench/bench_*.py` in turn, each writing `bench/results/`.

Arguments go to each benchmark's `main()`, e.g. `python -m bench --runs 20`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main() -> int:
    status = 0
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        print(f"== {path.name}", flush=True)
        status = module.main(sys.argv[1:]) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
