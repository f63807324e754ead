"""Health checks and a cached query under attack: p50/p99 of `GET /api/health` and of a cached `POST /api/query`,
idle, during a flood of sign-ins with random usernames, and during 20 clients sending the heaviest query the
limits allow (issue 16; targets: health p99 < 100 ms, cached p99 < 200 ms during both).

    .venv/bin/python bench/stress.py                 # writes bench/results/stress.md
    .venv/bin/python bench/stress.py --seconds 10 --out /tmp/stress.md

A real `medspa api` (its default workers: one per core) over a throwaway database with the client's export (or
a generated one of the same size). The probes run in processes of their own, one request at a time every
`--every` ms on a kept-alive connection (bench.bench_query.LeanClient), so the load generators' CPU does not
count as the API's latency. The load:
- **sign-in flood**: `--flood` clients, closed loop, each attempt a random username and password from a random
  address (sent as the UI's proxy sends it, with the shared PROXY_SECRET), so every attempt costs an argon2
  verification and no per-address limit stops it; the per-username and per-address rules never trigger.
- **heavy queries**: `--heavy` clients, closed loop, each sending every measure by week over 12 months with
  previous-year comparison and 2,000 filter values in 30 filters (the limits' maxima), values fresh per request,
  so neither the compiled-statement cache nor the result cache ever answers.
Not a test: nothing asserts; `make bench-stress` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.bench_query import (  # noqa: E402
    LeanClient,
    api_process,
    load_export,
    percentile,
    postgres_server,
    scratch_database,
)

DEFAULT_DATA = REPO.parent / "shared" / "seed_data"
DEFAULT_OUT = REPO / "bench" / "results" / "stress.md"
SECRET = uuid.uuid4().hex
CACHED = {"measures": ["revenue", "visit_count", "new_patient_count"], "time": {"grain": "month",
                                                                               "range": "last_12_months"}}


def heaviest(rng: random.Random, measures: list[str]) -> dict[str, Any]:
    """The largest query semantic/planner/limits.py lets through, with values no earlier request had."""
    from semantic import QUERY_LIMITS as limits

    tag = rng.getrandbits(48)
    extra = limits.MAX_FILTERS - 2
    per_list = (limits.MAX_VALUES - extra) // 2
    filters = [{"field": "patient.source", "op": "not_in", "values": [f"s{tag}-{i}" for i in range(per_list)]},
               {"field": "patient.gender", "op": "not_in", "values": [f"g{tag}-{i}" for i in range(per_list)]}]
    filters += [{"field": "patient.source", "op": "not_equals", "value": f"n{tag}-{i}"} for i in range(extra)]
    return {"measures": measures[:limits.MAX_MEMBERS], "filters": filters,
            "time": {"grain": "week", "range": "last_12_months", "compare": "previous_year"}}


# --- probes (each in a process of its own) --------------------------------------------------------------------


def _probe(base: str, headers: dict[str, str], query: dict[str, Any] | None, path: str, seconds: float,
           every: float, out: Any) -> None:
    async def run() -> list[float]:
        samples: list[float] = []
        async with LeanClient(base, headers) as client:
            request = client.request_bytes(query, path)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                started = time.perf_counter()
                status, _ = await client.send(request)
                took = (time.perf_counter() - started) * 1000
                samples.append(took if status == 200 else -took)  # a failed probe counts, marked negative
                await asyncio.sleep(every / 1000)
        return samples

    out.send(asyncio.run(run()))


def probes(base: str, key: str, seconds: float, every: float) -> Callable[[], dict[str, list[float]]]:
    """Start the two probes; the returned function waits for them and gives their samples (ms)."""
    started: dict[str, tuple[multiprocessing.Process, Any]] = {}
    auth = {"Authorization": f"Bearer {key}"}
    for name, query, path, headers in (("health", None, "/api/health", {}), ("cached", CACHED, "/api/query", auth)):
        receive, send = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.Process(target=_probe, args=(base, headers, query, path, seconds, every, send))
        process.start()
        started[name] = (process, receive)

    def collect() -> dict[str, list[float]]:
        out = {name: receive.recv() for name, (_, receive) in started.items()}
        for process, _ in started.values():
            process.join()
        return out

    return collect


# --- load ----------------------------------------------------------------------------------------------------


async def _closed_loop(base: str, clients: int, seconds: float,
                       make: Callable[[random.Random], tuple[bytes, LeanClient]]) -> tuple[Counter[int], list[float]]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def one(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline:
            request, client = make(rng)
            async with client:
                started = time.perf_counter()
                status, _ = await client.send(request)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] += 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    return statuses, latencies


def sign_in_flood(base: str) -> Callable[[random.Random], tuple[bytes, LeanClient]]:
    def make(rng: random.Random) -> tuple[bytes, LeanClient]:
        address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        client = LeanClient(base, {"X-Forwarded-For": address, "X-Medspa-Proxy": SECRET})
        body = {"username": f"u{rng.getrandbits(40):x}", "password": f"p{rng.getrandbits(40):x}"}
        return client.request_bytes(body, "/api/auth/login"), client

    return make


def heavy_queries(base: str, key: str, measures: list[str]) -> Callable[[random.Random], tuple[bytes, LeanClient]]:
    def make(rng: random.Random) -> tuple[bytes, LeanClient]:
        client = LeanClient(base, {"Authorization": f"Bearer {key}"})
        return client.request_bytes(heaviest(rng, measures)), client

    return make


def phase(base: str, key: str, seconds: float, every: float,
          load: Coroutine[Any, Any, tuple[Counter[int], list[float]]] | None) -> dict[str, Any]:
    collect = probes(base, key, seconds, every)
    background = asyncio.run(load) if load is not None else None
    samples = collect()
    return {"samples": samples, "background": background}


# --- report --------------------------------------------------------------------------------------------------


def _figures(samples: list[float]) -> tuple[str, str, str, int]:
    ok = [s for s in samples if s >= 0]
    failed = len(samples) - len(ok)
    if not ok:
        return "-", "-", "-", failed
    return (f"{percentile(ok, 50):.1f}", f"{percentile(ok, 99):.1f}", f"{max(ok):.1f}", failed)


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace, workers: str, seconds: float) -> str:
    load = os.getloadavg()
    extra = f" (API environment: {', '.join(args.api_env)})" if args.api_env else ""
    lines = [
        "# Stress: health and a cached query under a sign-in flood and heavy queries",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node()} ({os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end), `medspa api` with {workers} worker(s), the "
        f"client's export{extra}. Each phase {seconds:g} s; probes one request every {args.every:g} ms each, in "
        "their own processes. Targets during the loads: health p99 < 100 ms, cached query p99 < 200 ms.",
        "",
        "| phase | health p50 | health p99 | health max | cached p50 | cached p99 | cached max | probes failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        health, cached = _figures(result["samples"]["health"]), _figures(result["samples"]["cached"])
        failed = health[3] + cached[3]
        lines.append(f"| {name} | {health[0]} | {health[1]} | {health[2]} | {cached[0]} | {cached[1]} | "
                     f"{cached[2]} | {failed} |")
    lines += ["", "Milliseconds. The loads themselves:", "",
              "| phase | clients | requests | per second | statuses | p50 ms | p99 ms |",
              "|---|---:|---:|---:|---|---:|---:|"]
    for name, result in results.items():
        background = result["background"]
        if background is None:
            continue
        statuses, latencies = background
        clients = args.flood if "sign-in" in name else args.heavy
        lines.append(f"| {name} | {clients} | {sum(statuses.values())} | {sum(statuses.values()) / seconds:.1f} | "
                     f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} | "
                     f"{percentile(latencies, 50):.0f} | {percentile(latencies, 99):.0f} |")
    lines += ["", "Sign-in attempts answer 401 (each after an argon2 check in the hashing lane) or 503 `server_busy` "
              "when that lane's queue is full; heavy queries 200, or 503 `server_busy` past a worker's query slots "
              "and queue (service/db/slots.py, service/offload.py). Health and sign-in have connections of their "
              "own (`priority_pool_size`).", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--server-url", help="a PostgreSQL server's postgres database (default: a throwaway one)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--every", type=float, default=20.0, help="ms between a probe's requests")
    parser.add_argument("--flood", type=int, default=16, help="sign-in clients")
    parser.add_argument("--heavy", type=int, default=20, help="heavy query clients")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--api-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the API, e.g. PYTHONPATH=/path/to/another/checkout to measure "
                        "its code under the same loads")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    from semantic import default_catalog
    from service.settings import default_workers

    measures = [m.name for m in default_catalog().all_measures()]
    work = Path(tempfile.mkdtemp(prefix="medspa-stress-"))
    data = args.data
    try:
        if not (data / "patient.json").exists():
            from service.seed.generator import generate

            data = work / "seed"
            generate(data, patients=4000, seed=42, anchor=dt.date(2025, 11, 26))
        with postgres_server(args.server_url) as server, scratch_database(server) as url:
            key = load_export(url, data)
            env = {"PROXY_SECRET": SECRET, **dict(item.split("=", 1) for item in args.api_env)}
            with api_process(url, env=env, workers=args.workers, log=work / "api.log") as (base, _):
                # warm: the cached query's answer, and one heavy query (the compiled catalog, the rollups' pages)
                warm = probes(base, key, 1.0, 50)
                warm()
                asyncio.run(_closed_loop(base, 1, 0.1, heavy_queries(base, key, measures)))
                results = {
                    "idle": phase(base, key, args.seconds, args.every, None),
                    f"sign-in flood ({args.flood} clients)": phase(
                        base, key, args.seconds, args.every,
                        _closed_loop(base, args.flood, args.seconds, sign_in_flood(base))),
                    f"heavy queries ({args.heavy} clients)": phase(
                        base, key, args.seconds, args.every,
                        _closed_loop(base, args.heavy, args.seconds, heavy_queries(base, key, measures))),
                }
        text = report(results, args, str(args.workers or default_workers()), args.seconds)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(text)
        return 0
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)


if __name__ == "__main__":
    raise SystemExit(main())
