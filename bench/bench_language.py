"""The query language's additions at scale: ad hoc aggregates, calculations, top and match (issue 18).

    .venv/bin/python bench/bench_language.py [--scales 1x,10x,1m] [--runs 30] [--work DIR] [--server-url URL]
    .venv/bin/python bench/bench_language.py --scales 1m --database-url URL   # a database loaded already

For each scale (1x: 4,000 patients, 10x: 40,000, 1m: 1,000,000), in a throwaway database: the generator's data
(`medspa seed generate --anchor 2025-11-26`, reused from `--work` when there) loaded with `medspa seed load`,
then each query below through real HTTP to a `medspa api` subprocess with the result cache off (a manager's
session), alternated call by call with the engine's compiled SQL run directly with asyncpg (the floor).
Target: p95 under 500 ms at a million patients for the typical new queries (average age by source, share of
revenue by source per month).

Writes `bench/results/language.md`. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_query import LeanClient, percentile, postgres_server, scratch_database  # noqa: E402
from bench.bench_scale import (  # noqa: E402
    ANCHOR,
    MEDSPA,
    PASSWORD,
    USER,
    Timed,
    machine,
    medspa_api,
    session_cookie,
    timed_run,
)

SCALES = {"1x": 4_000, "10x": 40_000, "1m": 1_000_000}
TARGET_P95_MS = 500.0
MONTHS = {"grain": "month", "range": "last_12_months"}
QUERIES: list[tuple[str, bool, dict[str, Any]]] = [  # (name, one of the typical queries, query)
    ("average age by source", True, {"measures": ["avg(patient.age)"], "dimensions": ["patient.source"]}),
    ("share of revenue by source per month", True, {
        "measures": ["revenue"], "dimensions": ["patient.source"], "time": MONTHS,
        "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]}]}),
    ("median and p75 lifetime spend by source", False, {
        "measures": ["median(patient.lifetime_spend)", "p75(patient.lifetime_spend)"],
        "dimensions": ["patient.source"]}),
    ("patients who never booked, by source", False, {
        "measures": ["patient_count"], "dimensions": ["patient.source"],
        "filters": [{"field": "appointment.id", "op": "is_not_null", "match": "none"}]}),
    ("top 3 services per month by line revenue", False, {
        "measures": ["line_revenue"], "dimensions": ["service.name"], "time": MONTHS,
        "top": {"n": 3, "by": "line_revenue", "within": ["time"]}}),
    ("appointments per provider (count_distinct), 90 days", False, {
        "measures": ["count_distinct(appointment.id)"], "dimensions": ["provider.name"],
        "time": {"range": "last_90_days"}}),
    ("visits by week: running total, change %", False, {
        "measures": ["visit_count"], "time": {"grain": "week", "range": "last_90_days"},
        "calculations": [{"name": "running", "op": "running_total", "of": "visit_count"},
                         {"name": "growth", "op": "change_pct", "of": "visit_count"}]}),
]


@dataclass
class Measured:
    name: str
    typical: bool
    query: dict[str, Any]
    api: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    rows: int = 0
    note: str = ""

    def p(self, which: str, q: float) -> float | None:
        samples: list[float] = getattr(self, which)
        return percentile(samples, q) if samples else None


@dataclass
class Report:
    scale: str
    patients: int
    load: Timed | None = None
    counts: dict[str, int] = field(default_factory=dict)
    results: list[Measured] = field(default_factory=list)


async def _facts(url: str) -> tuple[dt.date, dt.date | None, str | None, dict[str, int]]:
    """The data's as_of, its summaries' as_of and the catalog its materializations were built from (as the API
    compiles for this database), the bench's manager user, and the row counts."""
    from service.auth.store import add_user
    from service.services.query import data_state

    conn = await asyncpg.connect(url)
    try:
        state = await data_state(conn)
        assert state.as_of is not None
        if not await conn.fetchval("SELECT 1 FROM users WHERE username = $1", USER):
            await add_user(conn, USER, PASSWORD, "manager")
        counts = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
                  for t in ("patients", "appointments", "appointment_services", "payments")}
        return state.as_of, state.summary_as_of, state.built_from, counts
    finally:
        await conn.close()


def _compile(query: dict[str, Any], as_of: dt.date, summary_as_of: dt.date | None, built_from: str | None) -> Any:
    from semantic import Context, Query, compile_query, default_catalog

    return compile_query(Query.model_validate(query), default_catalog(),
                         Context(as_of=as_of, summary_as_of=summary_as_of, scope="manager", built_from=built_from))


async def _measure(base: str, url: str, results: list[Measured], compiled: list[Any], runs: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        cookie = await session_cookie(base)
        for r, statement in zip(results, compiled, strict=True):
            for i in range(runs + 2):  # two warm-up calls
                # a connection of its own per call, opened before the clock starts: the server closes one kept
                # idle while a slow statement runs on the floor's side (uvicorn's keep-alive timeout)
                async with LeanClient(base, cookie) as client:
                    request = client.request_bytes(r.query)
                    started = time.perf_counter()
                    status, body = await client.send(request)
                    api = (time.perf_counter() - started) * 1000
                if status != 200:
                    r.note = f"HTTP {status}: {body[:200].decode(errors='replace')}"
                    break
                started = time.perf_counter()
                await conn.fetch(statement.sql, *statement.params)
                sql = (time.perf_counter() - started) * 1000
                if i >= 2:
                    r.api.append(api)
                    r.sql.append(sql)
                r.rows = len(json.loads(body)["rows"])
            print(f"  {r.name}: api p50 {r.p('api', 50) or 0:.1f} ms, p95 {r.p('api', 95) or 0:.1f} ms, "
                  f"sql p50 {r.p('sql', 50) or 0:.1f} ms {r.note}", flush=True)
    finally:
        await conn.close()


def run_scale(scale: str, server: str, work: Path, runs: int) -> Report:
    report = Report(scale, SCALES[scale])
    data = work / f"data-{scale}"
    if not (data / "patient.json").exists():
        print(f"[{scale}] generating {report.patients:,} patients", flush=True)
        timed_run([MEDSPA, "seed", "generate", "--out", str(data), "--patients", str(report.patients),
                   "--anchor", ANCHOR])
    with scratch_database(server) as url:
        print(f"[{scale}] loading", flush=True)
        report.load = timed_run([MEDSPA, "seed", "load", "--dir", str(data)], env={"DATABASE_URL": url})
        measure(report, url, runs)
    return report


def measure(report: Report, url: str, runs: int) -> None:
    """Every query of QUERIES on the database at `url` (loaded already)."""
    as_of, summary_as_of, built_from, report.counts = asyncio.run(_facts(url))
    report.results = [Measured(name, typical, query) for name, typical, query in QUERIES]
    compiled = [_compile(r.query, as_of, summary_as_of, built_from) for r in report.results]
    with medspa_api(url, result_cache=False) as base:
        print(f"[{report.scale}] {runs} runs per query, result cache off", flush=True)
        asyncio.run(_measure(base, url, report.results, compiled, runs))


def render(reports: list[Report], command: str) -> str:
    lines = ["# The query language's additions at scale", "",
             f"Generated by `{command}` ({dt.datetime.now().isoformat(timespec='seconds')}).", "",
             f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f} (the machine is shared: "
             "figures from a busy machine are only indicative).", "",
             "api: `POST /api/query` over HTTP, result cache off, a manager's session; sql: the engine's compiled "
             "statement run directly with asyncpg (the floor), alternated call by call. Target: p95 < "
             f"{TARGET_P95_MS:.0f} ms at a million patients for the issue's typical queries (marked *).", ""]
    for rep in reports:
        counts = ", ".join(f"{k} {v:,}" for k, v in rep.counts.items())
        load = f"; loaded in {rep.load.seconds:.1f} s" if rep.load else ""
        lines += [f"## {rep.scale}: {rep.patients:,} patients", "", f"Rows: {counts}{load}.", "",
                  "| query | runs | api p50 | api p95 | sql p50 | sql p95 | rows |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rep.results:
            name = f"{r.name} *" if r.typical else r.name
            if r.note:
                name += f" ({r.note})"
            lines.append(f"| {name} | {len(r.api)} | {r.p('api', 50) or 0:.1f} | {r.p('api', 95) or 0:.1f} "
                         f"| {r.p('sql', 50) or 0:.1f} | {r.p('sql', 95) or 0:.1f} | {r.rows} |")
        worst = max((r for r in rep.results if r.typical), key=lambda r: r.p("api", 95) or 0)
        lines += ["", f"Worst typical query: {worst.name}, p95 {worst.p('api', 95) or 0:.1f} ms"
                  + (f" (target < {TARGET_P95_MS:.0f} ms: "
                     f"{'meets' if (worst.p('api', 95) or 0) < TARGET_P95_MS else 'misses'})"
                     if rep.scale == "1m" else "") + ".", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", default="1x,10x", help="comma-separated: 1x, 10x, 1m")
    parser.add_argument("--runs", type=int, default=30, help="measured runs per query")
    parser.add_argument("--server-url", help="a PostgreSQL server's `postgres` database to make scratch dbs on")
    parser.add_argument("--work", type=Path, help="where generated data goes (kept; reused when present)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "language.md")
    parser.add_argument("--database-url", help="measure a database loaded already (its scale: the one of --scales)")
    args, _ = parser.parse_known_args(argv)
    scales = [s.strip().lower() for s in args.scales.split(",") if s.strip() in SCALES]
    command = ("python bench/bench_language.py " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    if args.database_url:
        report = Report(scales[0], SCALES[scales[0]])
        measure(report, args.database_url, args.runs)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render([report], command))
        print(args.out.read_text())
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="medspa-bench-language-"))
    work.mkdir(parents=True, exist_ok=True)
    reports: list[Report] = []
    try:
        with postgres_server(args.server_url) as server:
            for scale in scales:
                reports.append(run_scale(scale, server, work, args.runs))
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(render(reports, command))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
