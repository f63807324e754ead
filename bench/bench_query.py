"""Query benchmark on the client's export: compile time, `/api/query` latency, overhead over raw SQL.

    .venv/bin/python bench/bench_query.py [--server-url URL] [--data DIR] [--runs 50] [--out FILE]

Starts a throwaway PostgreSQL (or uses `--server-url`, a server's `postgres` database, to create a
scratch database on), loads the export with the project's loader, starts the API with uvicorn in
a subprocess, and measures, for each of the dashboard's queries:

- compile: the semantic layer's query -> SQL time, in process (target p50 < 2 ms);
- api: end-to-end `POST /api/query` over real HTTP with keep-alive, result cache off (target p50 < 20 ms);
- sql: the same SQL (`POST /api/query/sql`) run directly with asyncpg on one connection;
- ratio: api p50 / sql p50 (target <= 1.3);
- cached: the same request with the result cache on (what a dashboard reload costs);
- throughput: requests/s with 16 concurrent keep-alive clients cycling through the queries, cache on
  (a raw-socket client, so the figure is the server's, not the client library's; target >= 300).

Prints a table and writes it to `bench/results/query.md`. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO.parent / "shared" / "seed_data"
DEFAULT_OUT = REPO / "bench" / "results" / "query.md"

# The dashboard's queries (Analytics page and KPI row), as the UI sends them.
DASHBOARD: list[tuple[str, dict[str, Any]]] = [
    ("revenue trend by month", {
        "measures": ["revenue"], "time": {"grain": "month", "range": "last_12_months"},
        "order": [{"field": "time", "dir": "asc"}]}),
    ("new patients by source", {
        "measures": ["new_patient_count"], "dimensions": ["patient.source"],
        "time": {"range": "last_12_months"}, "order": [{"field": "new_patient_count", "dir": "desc"}]}),
    ("line revenue by service", {
        "measures": ["line_revenue"], "dimensions": ["service.name"], "time": {"range": "last_12_months"},
        "order": [{"field": "line_revenue", "dir": "desc"}]}),
    ("provider booked hours", {
        "measures": ["booked_hours"], "dimensions": ["provider.name"], "time": {"range": "last_90_days"},
        "order": [{"field": "booked_hours", "dir": "desc"}]}),
    ("weekday x hour visits", {
        "measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
        "time": {"range": "last_90_days"}}),
    ("payment method mix", {
        "measures": ["revenue", "payment_count"], "dimensions": ["payment.method"],
        "time": {"range": "last_12_months"}}),
    ("KPI row with compare", {
        "measures": ["revenue", "visit_count", "new_patient_count", "average_ticket"],
        "time": {"range": "last_30_days", "compare": "previous_period"}}),
]

TARGET_COMPILE_P50_MS = 2.0
TARGET_API_P50_MS = 20.0
TARGET_RATIO = 1.3
TARGET_RPS = 300.0
CONCURRENCY = 16


# --- statistics ---------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Row:
    name: str
    compile_p50: float | None = None
    compile_p95: float | None = None
    api_p50: float | None = None
    api_p95: float | None = None
    server_p50: float | None = None  # meta.duration_ms as the API reports it
    cached_p50: float | None = None  # the same request, result cache on
    sql_p50: float | None = None
    sql_p95: float | None = None
    rows: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.api_p50 is None or not self.sql_p50:
            return None
        return self.api_p50 / self.sql_p50


# --- environment: database, data, API server ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def postgres_server(server_url: str | None) -> Iterator[str]:
    """URL of a server's `postgres` database: the given one, or a throwaway embedded server."""
    if server_url:
        yield server_url
        return
    from service.db.embedded import EmbeddedServer

    root = Path(tempfile.mkdtemp(prefix="medspa-bench-pg-"))
    server = EmbeddedServer(pgdata=root / "pg", port=_free_port())
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    name = f"medspa_bench_{uuid.uuid4().hex[:10]}"
    base = server_url.rsplit("/", 1)[0]

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def load_export(url: str, data: Path) -> str:
    """Load the export with the project's loader; returns a manager's API key for the server."""
    from service.auth.store import create_api_key
    from service.seed.loader import load_directory

    load_directory(data, url, replace=False, progress=False)

    async def key() -> str:
        conn = await asyncpg.connect(url)
        try:
            return await create_api_key(conn, "bench", role="manager")
        finally:
            await conn.close()

    return asyncio.run(key())


@contextlib.contextmanager
def api_process(url: str, *, env: dict[str, str] | None = None, log: Path | None = None,
                start_seconds: float = 60, workers: int | None = None
                ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`medspa api` on 127.0.0.1 (a free port) over `url`, once healthy; yields (base URL, process).

    Extra environment in `env`; the server's output goes to `log` (discarded without one); `workers`
    processes (default: the server's own default, `service.settings.default_workers`). The one way the
    benchmarks start an API, so each measures the same server.
    """
    port = _free_port()
    command = [str(REPO / ".venv" / "bin" / "medspa"), "api", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    sink = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "DATABASE_URL": url, **(env or {})},
                               stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start" + (f"; see {log}" if log else ""))
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            sink.close()  # type: ignore[union-attr]


@contextlib.contextmanager
def api_server(url: str, *, result_cache: bool = True) -> Iterator[str]:
    """The API over `url` (see `api_process`), result cache on or off; yields its base URL."""
    with api_process(url, env={"MEDSPA_RESULT_CACHE": "1" if result_cache else "0"}) as (base, _):
        yield base


# --- measurements -------------------------------------------------------------------------------


def time_calls(call: Callable[[], Any], runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


AS_OF = dt.date(2025, 11, 26)  # the export's as_of (date of its latest payment)


def compiler(state: Any = None) -> Callable[..., Any]:
    """`compile(query_dict, use_cache=...)` -> the engine's Compiled (sql, params), as the API does it: for the
    database's `state` (`service.services.query.DataState`: its as_of, summaries and materializations) when given."""
    from semantic import Context, Query, compile_query, default_catalog

    catalog = default_catalog()
    context = (Context(as_of=AS_OF, summary_as_of=AS_OF) if state is None or state.moment is None else
               Context.at(state.moment, state.summary_moment, built_from=state.built_from))

    def compile_one(query: dict[str, Any], use_cache: bool = False) -> Any:
        return compile_query(Query.model_validate(query), catalog, context, use_cache=use_cache)

    return compile_one


def bench_compile(rows: dict[str, Row], runs: int) -> str:
    """Uncached compile (validate the body, plan, render, print SQL); the engine also caches compiles."""
    compile_one = compiler()
    cached = []
    for name, query in DASHBOARD:
        samples = time_calls(lambda query=query: compile_one(query), runs * 4, warmup=20)
        rows[name].compile_p50 = percentile(samples, 50)
        rows[name].compile_p95 = percentile(samples, 95)
        cached += time_calls(lambda query=query: compile_one(query, use_cache=True), runs, warmup=1)
    return (f"compile: semantic.compile.compile_query(use_cache=False) incl. Query.model_validate; "
            f"with its LRU cache hit, p50 {percentile(cached, 50):.3f} ms")


async def _measure_pair(base: str, key: str, url: str, rows: dict[str, Row], runs: int) -> float:
    """Per query, alternate one `/api/query` call and one direct execution of its SQL, so that both
    see the same machine load; returns the p50 of `GET /api/health` (HTTP + auth-free floor)."""
    from service.services.query import data_state

    conn = await asyncpg.connect(url)
    try:
        compile_one = compiler(await data_state(conn))  # the statements the API runs (materializations, summaries)
        async with LeanClient(base, {"Authorization": f"Bearer {key}"}) as client:
            health = []
            request = client.request_bytes(None, "/api/health")
            for _ in range(runs):
                started = time.perf_counter()
                status, _ = await client.send(request)
                health.append((time.perf_counter() - started) * 1000)
                assert status == 200, status
            for name, query in DASHBOARD:
                compiled = compile_one(query)
                request = client.request_bytes(query)
                api, sql, server = [], [], []
                for i in range(runs + 5):
                    started = time.perf_counter()
                    status, raw = await client.send(request)
                    elapsed_api = (time.perf_counter() - started) * 1000
                    if status != 200:
                        raise RuntimeError(f"{name}: HTTP {status}: {raw[:200]!r}")
                    body = json.loads(raw)
                    started = time.perf_counter()
                    records = await conn.fetch(compiled.sql, *compiled.params)
                    elapsed_sql = (time.perf_counter() - started) * 1000
                    if len(records) != len(body["rows"]):
                        rows[name].note = f"row counts differ: api {len(body['rows'])}, sql {len(records)}"
                    if i >= 5:  # the first five are warm-up
                        api.append(elapsed_api)
                        sql.append(elapsed_sql)
                        server.append(float(body["meta"].get("duration_ms") or 0))
                row = rows[name]
                row.rows = len(body["rows"])
                row.api_p50, row.api_p95 = percentile(api, 50), percentile(api, 95)
                row.sql_p50, row.sql_p95 = percentile(sql, 50), percentile(sql, 95)
                row.server_p50 = percentile(server, 50)
            return percentile(health, 50)
    finally:
        await conn.close()


def bench_api_and_sql(base: str, key: str, url: str, rows: dict[str, Row], runs: int) -> str:
    health = asyncio.run(_measure_pair(base, key, url, rows, runs))
    return f"GET /api/health p50 {health:.2f} ms (HTTP round trip + one database round trip)"


async def _measure_cached(base: str, key: str, rows: dict[str, Row], runs: int) -> None:
    async with LeanClient(base, {"Authorization": f"Bearer {key}"}) as client:
        for name, query in DASHBOARD:
            request = client.request_bytes(query)
            samples = []
            for i in range(runs + 5):
                started = time.perf_counter()
                status, _ = await client.send(request)
                assert status == 200, status
                if i >= 5:
                    samples.append((time.perf_counter() - started) * 1000)
            rows[name].cached_p50 = percentile(samples, 50)


def bench_cached(base: str, key: str, rows: dict[str, Row], runs: int) -> None:
    asyncio.run(_measure_cached(base, key, rows, runs))


# --- a lean HTTP/1.1 client: the client library's own cost must not be what is measured ------------------


def _request_bytes(base: str, headers: dict[str, str], query: dict[str, Any] | None, path: str = "/api/query"
                   ) -> bytes:
    """One request's bytes: POST `query` as JSON to `path`, or GET `path` when `query` is None."""
    body = b"" if query is None else json.dumps(query).encode()
    lines = [f"{'GET' if query is None else 'POST'} {path} HTTP/1.1", f"Host: {base.split('//', 1)[1]}",
             *(["Content-Type: application/json", f"Content-Length: {len(body)}"] if query is not None else []),
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """Send one request on a kept-alive connection and read its answer; returns (status, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
    body = await reader.readexactly(length)
    return int(lines[0].split(" ", 2)[1]), body


class LeanClient:
    """One keep-alive HTTP/1.1 connection over asyncio streams, for latency figures.

    httpx spends about 0.8 ms of CPU per request on this machine (measured: `GET /api/health` 1.9 ms with
    httpx, 0.9 ms with this client, same server), more than many of the queries themselves take: with it
    the client, not the API, would be most of "the API's overhead". A browser's HTTP stack is native code."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base, self.headers = base, headers
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def __aenter__(self) -> LeanClient:
        host, port = self.base.split("//", 1)[1].split(":")
        self._streams = await asyncio.open_connection(host, int(port))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._streams is not None:
            self._streams[1].close()

    def request_bytes(self, query: dict[str, Any] | None, path: str = "/api/query") -> bytes:
        return _request_bytes(self.base, self.headers, query, path)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send prepared request bytes (`request_bytes`); (status, body)."""
        assert self._streams is not None, "use `async with`"
        return await _exchange(*self._streams, request)


async def throughput(base: str, headers: dict[str, str], queries: list[dict[str, Any]], seconds: float,
                     concurrency: int = CONCURRENCY) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors): `concurrency` keep-alive clients cycling through `queries` for
    `seconds`, after a second of warm-up. Raw HTTP/1.1 over asyncio streams: an httpx client spends a few ms
    of CPU per request, so on a small machine it, not the server, would set the figure."""
    requests = [_request_bytes(base, headers, query) for query in queries]
    host, port = base.split("//", 1)[1].split(":")
    latencies: list[float] = []
    errors = 0

    async def client(offset: int, stop: float) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            i = offset
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status, _ = await _exchange(reader, writer, requests[i % len(requests)])
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status != 200
                i += 1
        finally:
            writer.close()

    await asyncio.gather(*(client(n, time.perf_counter() + 1.0) for n in range(concurrency)))  # warm-up
    latencies.clear()
    errors = 0
    started = time.perf_counter()
    await asyncio.gather(*(client(n, started + seconds) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, percentile(latencies, 50), percentile(latencies, 99), errors


def bench_throughput(base: str, key: str, seconds: float, workers: int | None) -> str:
    queries = [query for _, query in DASHBOARD]
    rps, p50, p99, errors = asyncio.run(throughput(base, {"Authorization": f"Bearer {key}"}, queries, seconds))
    verdict = "meets" if rps >= TARGET_RPS and not errors else "misses"
    processes = f"{workers} API worker(s)" if workers else "the API's default workers"
    return (f"throughput, cache on, {CONCURRENCY} concurrent clients, {processes}: {rps:.0f} requests/s "
            f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} errors); target >= {TARGET_RPS:.0f}: {verdict}")


# --- report -------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render(rows: list[Row], runs: int, notes: list[str]) -> str:
    header = ("| query | compile p50 | compile p95 | api p50 | api p95 | server p50 | sql p50 | sql p95 "
              "| api/sql | cached p50 | rows |")
    lines = [
        "# Query benchmark",
        "",
        f"{dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs), Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; client's export; {runs} runs "
        "per query after 5 warm-up runs (compile: 4x as many). Times in ms.",
        "",
        "- compile: `semantic.compile.compile_query` in process, cache bypassed (validate, plan, render, print).",
        "- api: `POST /api/query` through real HTTP (uvicorn, keep-alive, API key) as the client sees it, with",
        "  the result cache off; server: the response's `meta.duration_ms`; cached: the same with the cache on.",
        "- sql: the same SQL and parameters straight through asyncpg, alternated call by call with the api",
        "  measurement so both see the same machine load; api/sql is the ratio of the p50s.",
        "",
        f"Targets: compile p50 < {TARGET_COMPILE_P50_MS} ms, api p50 < {TARGET_API_P50_MS} ms, "
        f"api/sql <= {TARGET_RATIO}.",
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        count = "-" if r.rows is None else str(r.rows)
        lines.append(
            f"| {r.name} | {_ms(r.compile_p50)} | {_ms(r.compile_p95)} | {_ms(r.api_p50)} | {_ms(r.api_p95)} "
            f"| {_ms(r.server_p50)} | {_ms(r.sql_p50)} | {_ms(r.sql_p95)} | {ratio} | {_ms(r.cached_p50)} | {count} |"
        )
    compile_all = [r.compile_p50 for r in rows if r.compile_p50 is not None]
    api_all = [r.api_p50 for r in rows if r.api_p50 is not None]
    ratios = [r.ratio for r in rows if r.ratio is not None]
    lines += ["", "Summary:"]
    if compile_all:
        worst = max(compile_all)
        lines.append(f"- compile p50, worst query: {worst:.3f} ms "
                     f"({'meets' if worst < TARGET_COMPILE_P50_MS else 'misses'} the target)")
    if api_all:
        worst = max(api_all)
        lines.append(f"- api p50, worst query: {worst:.2f} ms, median over queries {statistics.median(api_all):.2f} ms "
                     f"({'meets' if worst < TARGET_API_P50_MS else 'misses'} the target)")
    if ratios:
        worst = max(ratios)
        lines.append(f"- api/sql, worst query: {worst:.2f} "
                     f"({'meets' if worst <= TARGET_RATIO else 'misses'} the target)")
    lines += [f"- {note}" for note in notes]
    lines += [f"- {r.name}: {r.note}" for r in rows if r.note]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--server-url", help="a PostgreSQL server's `postgres` database to make a scratch db on")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the export folder (six JSON files)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of the throughput run")
    parser.add_argument("--workers", type=int, default=None, help="API worker processes (default: the server's)")
    args = parser.parse_args(argv)
    if not (args.data / "patient.json").exists():
        print(f"no export at {args.data}", file=sys.stderr)
        return 2

    rows = {name: Row(name) for name, _ in DASHBOARD}
    notes = [bench_compile(rows, args.runs)]
    with postgres_server(args.server_url) as server, scratch_database(server) as url:
        started = time.perf_counter()
        key = load_export(url, args.data)
        notes.append(f"setup: export loaded in {time.perf_counter() - started:.1f} s")
        with api_server(url, result_cache=False) as base:
            notes.append(bench_api_and_sql(base, key, url, rows, args.runs))
        with api_process(url, workers=args.workers) as (base, _):
            bench_cached(base, key, rows, args.runs)
            notes.append(bench_throughput(base, key, args.seconds, args.workers))
    report = render(list(rows.values()), args.runs, notes)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(f"written to {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
