"""A bounded load test on 127.0.0.1: a real `medspa api` over a throwaway database with the client's export,
N signed-in users for D seconds, half of them on the analytics dashboard and half on the patient table.

    .venv/bin/python bench/load_test.py                       # 60 s, 50 users, writes bench/results/load.md
    .venv/bin/python bench/load_test.py --duration 20 --users 10 --out /tmp/load.md

Each user is closed-loop (the next request leaves when the previous answer is in, no think time), with its
own session, so the figures are the throughput and latencies of one API process at that concurrency.
- dashboard users load the dashboard's queries (KPI row with compare, trends, sources, services, providers,
  demand heatmap, payments, cohort retention) over a range picked per page load;
- patient-table users page, sort and filter the table (a page of rows plus the seven view counts), search by
  name, load the filter chips' values, and open a patient's record.
Errors are any non-2xx answer or failed request; the run fails (exit 1) when there is one.
Not a pytest test; `make load-test` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.bench_query import _free_port, api_process  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "seed_data"
DEFAULT_OUT = REPO / "bench" / "results" / "load.md"
PASSWORD = "load-test-password-1"
USERS = {"manager": "load_manager", "front_desk": "load_front_desk"}

# --- the workload ------------------------------------------------------------------------------------

RANGES = ["last_30_days", "last_90_days", "last_12_months", "this_year", "last_quarter"]
KPI = ["revenue", "visit_count", "new_patient_count", "average_ticket", "returning_patient_rate",
       "cancellation_rate"]


def dashboard_page(rng: random.Random) -> list[dict[str, Any]]:
    """The analytics dashboard's queries for one page load (components/analytics/*)."""
    r = rng.choice(RANGES)
    grain = "week" if r in ("last_30_days", "last_90_days") else "month"
    time_ = {"range": r}
    return [
        {"measures": KPI, "time": {**time_, "compare": "previous_period"}},
        {"measures": KPI, "time": {**time_, "grain": grain}},
        {"measures": ["revenue"], "time": {**time_, "grain": grain, "compare": "previous_year"}},
        {"measures": ["new_patient_count"], "dimensions": ["patient.source"], "time": {**time_, "grain": grain}},
        {"measures": ["new_patient_count", "revenue_per_patient", "returning_patient_rate"],
         "dimensions": ["patient.source"], "time": time_, "order": [{"field": "new_patient_count", "dir": "desc"}]},
        {"measures": ["line_revenue", "service_line_count"], "dimensions": ["service.name"], "time": time_,
         "order": [{"field": "line_revenue", "dir": "desc"}]},
        {"measures": ["cancellation_rate"], "dimensions": ["service.name"], "time": time_,
         "order": [{"field": "cancellation_rate", "dir": "desc"}]},
        {"measures": ["line_revenue", "booked_hours", "revenue_per_booked_hour"], "dimensions": ["provider.name"],
         "time": time_, "order": [{"field": "line_revenue", "dir": "desc"}]},
        {"measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
         "time": time_, "limit": 1000},
        {"measures": ["revenue", "payment_count"], "dimensions": ["payment.method"], "time": time_,
         "order": [{"field": "revenue", "dir": "desc"}]},
        {"measures": ["failed_payment_count", "pending_payment_count", "unpaid_visit_count"], "time": time_},
        {"measures": ["new_patient_count"], "dimensions": ["patient.first_visit_month"], "limit": 1000},
        {"measures": ["retained_patient_count"],
         "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"], "limit": 5000},
    ]


PATIENT_COLUMNS = ["patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.age",
                   "patient.phone", "patient.next_appointment_at", "patient.next_appointment_service",
                   "patient.next_appointment_provider", "patient.next_appointment_status", "patient.last_visit_at",
                   "patient.last_visit_service", "patient.visit_count", "patient.lifetime_spend",
                   "patient.unpaid_visit_count", "patient.source", "patient.first_visit_at", "patient.created_at"]
SORTS = [["patient.last_name", "patient.first_name"], ["patient.phone"], ["patient.next_appointment_at"],
         ["patient.last_visit_at"], ["patient.visit_count"], ["patient.lifetime_spend"],
         ["patient.unpaid_visit_count"], ["patient.source"], ["patient.first_visit_at"]]


def _views(as_of: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The patient table's quick views (components/patients/query.ts), resolved against as_of."""
    day = dt.timedelta(days=1)

    def on(name: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        return [{"field": name, "op": "gte", "value": start.isoformat()},
                {"field": name, "op": "lt", "value": end.isoformat()}]

    return {
        "all": [],
        "today": on("patient.last_visit_at", as_of, as_of + day),
        "next7": on("patient.next_appointment_at", as_of + day, as_of + 8 * day),
        "new": on("patient.first_visit_at", as_of.replace(day=1), as_of + day),
        "lapsed": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
        "never": [{"field": "patient.first_visit_at", "op": "is_null"},
                  {"field": "patient.next_appointment_at", "op": "is_null"}],
        "unpaid": [{"field": "patient.unpaid_visit_count", "op": "gt", "value": 0}],
    }


@dataclass
class Workload:
    as_of: dt.date
    names: list[str]  # last names to search for
    services: list[str]
    views: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def table_page(self, rng: random.Random, search: str | None) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
        """(kind, the page's list query, the seven view-count queries) for one table interaction."""
        view = rng.choice(list(self.views))
        chips: list[dict[str, Any]] = []
        if rng.random() < 0.3:
            chips.append({"field": "patient.source", "op": "in", "values": rng.sample(
                ["instagram", "google", "tiktok", "website", "phone", "in_person"], 2)})
        if rng.random() < 0.15:
            chips.append({"field": "service.name", "op": "in", "values": [rng.choice(self.services)]})
        found = [{"field": "patient.search", "op": "search", "value": search}] if search else []
        sort = rng.choice(SORTS)
        direction = rng.choice(["asc", "desc"])
        page = {"dimensions": PATIENT_COLUMNS, "filters": [*self.views[view], *chips, *found],
                "order": [{"field": f, "dir": direction} for f in sort], "limit": 50,
                "offset": 50 * rng.choice([0, 0, 0, 1, 2, 5, 10, 20])}
        counts = [{"dimensions": ["patient.id"], "filters": [*filters, *chips, *found], "limit": 0}
                  for filters in self.views.values()]
        return ("patient search" if search else "patient page"), page, counts


# --- measuring ---------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Stats:
    started: float = 0.0
    stopping: float = 0.0
    api_cpu: float | None = None  # the API process's CPU use over the measured window, in cores
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    measuring: bool = False

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        if not self.measuring:
            return
        self.latencies[kind].append(seconds * 1000)
        if error:
            self.errors[f"{kind}: {error}"] += 1


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def timed(client: httpx.AsyncClient, stats: Stats, kind: str, method: str, path: str,
                body: Any = None) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        stats.record(kind, time.perf_counter() - started, type(exc).__name__)
        return None
    error = None if response.is_success else f"HTTP {response.status_code}"
    stats.record(kind, time.perf_counter() - started, error)
    return response


async def sign_in(base: str, role: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30.0, limits=httpx.Limits(max_connections=2))
    response = await client.post("/api/auth/login", json={"username": USERS[role], "password": PASSWORD})
    response.raise_for_status()
    return client


async def dashboard_user(client: httpx.AsyncClient, stats: Stats, seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    await timed(client, stats, "catalog", "GET", "/api/catalog")
    while time.monotonic() < deadline:
        for query in dashboard_page(rng):
            if time.monotonic() >= deadline:
                return
            await timed(client, stats, "dashboard query", "POST", "/api/query", query)


async def table_user(client: httpx.AsyncClient, stats: Stats, work: Workload, seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    await timed(client, stats, "catalog", "GET", "/api/catalog")
    while time.monotonic() < deadline:
        if rng.random() < 0.1:
            for dimension in ("service.name", "provider.name"):
                await timed(client, stats, "chip values", "POST", "/api/query", {
                    "dimensions": [dimension], "order": [{"field": dimension, "dir": "asc"}], "limit": 1000})
        search = rng.choice(work.names)[: rng.randint(3, 6)] if rng.random() < 0.3 else None
        kind, page, counts = work.table_page(rng, search)
        response = await timed(client, stats, kind, "POST", "/api/query", page)
        for count in counts:
            if time.monotonic() >= deadline:
                return
            await timed(client, stats, "patient view counts", "POST", "/api/query", count)
        rows = response.json().get("rows", []) if response is not None and response.is_success else []
        if rows:
            patient = rng.choice(rows)["patient.id"]
            await timed(client, stats, "patient record", "GET", f"/api/patients/{patient}")


async def run_load(base: str, work: Workload, users: int, duration: float, warmup: float, api_pid: int) -> Stats:
    stats = Stats()
    cpu_at_start: list[float | None] = []
    roles = ["manager" if i % 2 == 0 else "front_desk" for i in range(users)]
    clients = [await sign_in(base, role) for role in roles]
    start = time.monotonic()
    deadline = start + warmup + duration

    async def measure_window() -> None:
        await asyncio.sleep(warmup)
        stats.measuring, stats.started = True, time.monotonic()
        cpu_at_start.append(cpu_seconds(api_pid))

    tasks = [asyncio.create_task(measure_window())]
    for i, (role, client) in enumerate(zip(roles, clients, strict=True)):
        if role == "manager":
            tasks.append(asyncio.create_task(dashboard_user(client, stats, 1000 + i, deadline)))
        else:
            tasks.append(asyncio.create_task(table_user(client, stats, work, 2000 + i, deadline)))
    await asyncio.gather(*tasks)
    stats.stopping = time.monotonic()
    cpu_now = cpu_seconds(api_pid)
    if cpu_at_start and cpu_at_start[0] is not None and cpu_now is not None:
        stats.api_cpu = (cpu_now - cpu_at_start[0]) / (stats.stopping - stats.started)
    for client in clients:
        await client.aclose()
    return stats


# --- environment -------------------------------------------------------------------------------------


async def _sql(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def database(server_url: str | None, data: Path) -> Iterator[str]:
    """A new database holding the export (on `server_url`, else on a throwaway embedded server)."""
    from service.db.embedded import EmbeddedServer
    from service.seed.loader import load_directory

    root = Path(tempfile.mkdtemp(prefix="medspa-load-"))
    server = None
    if server_url is None:
        server = EmbeddedServer(pgdata=root / "pg", port=_free_port())
        server.start()
        server_url = server.url("postgres")
    name = f"medspa_load_{uuid.uuid4().hex[:10]}"
    asyncio.run(_sql(server_url, f'CREATE DATABASE "{name}"'))
    url = f"{server_url.rsplit('/', 1)[0]}/{name}"
    try:
        load_directory(data, url, replace=False, progress=False)
        yield url
    finally:
        with contextlib.suppress(Exception):
            asyncio.run(_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def prepare(url: str) -> Workload:
    from service.auth.store import add_user

    conn = await asyncpg.connect(url)
    try:
        for role, username in USERS.items():
            await add_user(conn, username, PASSWORD, role)
        as_of = await conn.fetchval("SELECT max(date)::date FROM payments")
        names = [r[0] for r in await conn.fetch("SELECT DISTINCT last_name FROM patients ORDER BY 1")]
        services = [r[0] for r in await conn.fetch("SELECT name FROM services ORDER BY 1")]
    finally:
        await conn.close()
    work = Workload(as_of=as_of, names=names, services=services)
    work.views = _views(as_of)
    return work




def server_log_summary(log: Path) -> dict[str, int]:
    """Counts from the API's own log: requests by status class, and error lines."""
    out: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            out["non-JSON lines"] += 1 if line.strip() and "Uvicorn running" not in line else 0
            continue
        if entry.get("msg") == "request":
            out[f"{str(entry.get('status', 0))[0]}xx"] += 1
        elif entry.get("level") in ("ERROR", "WARNING", "CRITICAL"):
            out[f"{entry['level']} {entry.get('msg')}"] += 1
    return dict(out)


# --- report ------------------------------------------------------------------------------------------


def render(stats: Stats, args: argparse.Namespace, server: dict[str, int], setup_s: float) -> str:
    window = stats.stopping - stats.started
    everything = [x for samples in stats.latencies.values() for x in samples]
    total_errors = sum(stats.errors.values())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Load test",
        "",
        f"{dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()} ({platform.machine()}, "
        f"{os.cpu_count()} CPUs), Python {platform.python_version()}, load average after the run {load:.1f}. "
        f"`.venv/bin/python bench/load_test.py --duration {args.duration:g} --users {args.users} "
        f"--warmup {args.warmup:g}`.",
        "",
        f"One `medspa api` process (uvicorn, 1 worker) on 127.0.0.1 over a throwaway embedded PostgreSQL with the "
        f"client's export (setup {setup_s:.0f} s). {args.users} users, each with its own session and connection, "
        f"closed-loop without think time: {(args.users + 1) // 2} on the analytics dashboard "
        f"(its 13 queries per page load, over a range picked per load), {args.users // 2} on the patient table "
        "(a page of 50 rows with a random view, sort, chips and offset, then the 7 view counts; 30% of the "
        "time a name search; 10% the filter chips' values; then one patient's record). "
        f"{args.warmup:g} s of warm-up are not counted. The load generator shares the machine's CPUs with "
        "the API and the database.",
        "",
        f"**{len(everything)} requests in {window:.1f} s = {len(everything) / window:.1f} requests/s; "
        f"errors: {total_errors}.**"
        + (f" The API process used {stats.api_cpu:.2f} CPU cores over the window (one worker: at most 1)."
           if stats.api_cpu is not None else ""),
        "",
        "| requests | count | share | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = sorted(stats.latencies.items(), key=lambda kv: -len(kv[1]))
    for kind, samples in [("all", everything), *rows]:
        lines.append(f"| {kind} | {len(samples)} | {100 * len(samples) / max(1, len(everything)):.0f}% | "
                     f"{percentile(samples, 0.5):.1f} | {percentile(samples, 0.95):.1f} | "
                     f"{percentile(samples, 0.99):.1f} | {max(samples):.1f} |")
    lines += ["", "Errors (non-2xx answers or failed requests):", ""]
    lines += [f"- {name}: {count}" for name, count in stats.errors.most_common()] or ["- none"]
    lines += ["", "The API's own log over the whole run (warm-up and sign-ins included):", ""]
    lines += [f"- {name}: {count}" for name, count in sorted(server.items())] or ["- (empty)"]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring (default 5)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the client's export")
    parser.add_argument("--server-url", default=None,
                        help="a PostgreSQL server's postgres database to create the throwaway database on "
                             "(default: a throwaway embedded server)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the Markdown report")
    args = parser.parse_args(argv)
    if args.users < 2 or args.duration <= 0:
        parser.error("need at least 2 users and a positive duration")
    if not (args.data / "patient.json").exists():
        parser.error(f"no export at {args.data}")

    started = time.monotonic()
    with database(args.server_url, args.data) as url, tempfile.TemporaryDirectory() as tmp:
        work = asyncio.run(prepare(url))
        log = Path(tmp) / "api.log"
        with api_process(url, log=log) as (base, process):
            setup_s = time.monotonic() - started
            print(f"API at {base}; {args.users} users for {args.warmup:g}+{args.duration:g} s ...", flush=True)
            stats = asyncio.run(run_load(base, work, args.users, args.duration, args.warmup, process.pid))
        server = server_log_summary(log)
    report = render(stats, args, server, setup_s)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)
    return 1 if stats.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
