"""What the agent scope costs: the Analytics page's queries as a manager and as an agent, at 1x and 1M.

    .venv/bin/python bench/bench_agent.py [--scales 1x,1m] [--runs 20] [--work DIR] [--server-url URL]

For each scale, in a throwaway database (generated data as `bench_scale.py` makes it, reusing `--work DIR`'s
`data-<scale>` when present): one `medspa api` (result cache off), a manager key and an agent key, and each
dashboard query (the ones an agent may send: the lapsed list is a listing) alternately as one and the other.
The agent's answer costs more: contributors counted per measure, the population statement (its patients'
count and hash sketch, compared with the key's last hour on the audit trail), an audit row, and rows read
where a manager's query reads a pre-aggregation (a pre-aggregation's sums cannot say how many distinct
patients are behind a group; chains and entity summaries can, and serve both). The agent key's rate limit is
raised for the run. Writes `bench/results/agent.md`. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_query import LeanClient, api_process, percentile, postgres_server, scratch_database  # noqa: E402
from bench.bench_scale import (  # noqa: E402
    ANCHOR,
    MEDSPA,
    SCALES,
    STATEMENT_TIMEOUT_MS,
    dashboard_queries,
    machine,
    timed_run,
)

DEFAULT_OUT = REPO / "bench" / "results" / "agent.md"


@dataclass
class Pair:
    name: str
    query: dict[str, Any]
    manager: list[float] = field(default_factory=list)
    agent: list[float] = field(default_factory=list)
    suppressed: int | None = None
    note: str = ""


async def _keys(url: str) -> tuple[str, str, dt.date]:
    from service.auth.store import create_api_key

    conn = await asyncpg.connect(url)
    try:
        manager = await create_api_key(conn, "bench-manager", role="manager")
        agent = await create_api_key(conn, "bench-agent", role="agent")
        as_of = await conn.fetchval("SELECT as_of FROM data_loads ORDER BY version DESC LIMIT 1")
        return manager, agent, as_of
    finally:
        await conn.close()


async def _measure(base: str, manager_key: str, agent_key: str, pairs: list[Pair], runs: int) -> None:
    async with LeanClient(base, {"Authorization": f"Bearer {manager_key}"}) as manager, \
            LeanClient(base, {"Authorization": f"Bearer {agent_key}"}) as agent:
        for pair in pairs:
            as_manager, as_agent = manager.request_bytes(pair.query), agent.request_bytes(pair.query)
            for i in range(runs + 2):  # two warm-up rounds
                for client, request, samples in ((manager, as_manager, pair.manager), (agent, as_agent, pair.agent)):
                    started = time.perf_counter()
                    status, body = await client.send(request)
                    elapsed = (time.perf_counter() - started) * 1000
                    if status != 200:
                        pair.note = f"{'agent' if client is agent else 'manager'}: HTTP {status}: " \
                                    f"{json.loads(body).get('error', {}).get('code')}"
                        break
                    if client is agent:
                        pair.suppressed = json.loads(body)["meta"].get("suppressed_rows")
                    if i >= 2:
                        samples.append(elapsed)
                if pair.note:
                    break
            print(f"  {pair.name}: manager p50 {_ms(pair.manager, 50)}, agent p50 {_ms(pair.agent, 50)} ms "
                  f"{pair.note}", flush=True)


def _ms(samples: list[float], q: float) -> str:
    return f"{percentile(samples, q):.1f}" if samples else "-"


def run_scale(scale: str, server: str, work: Path, runs: int, database: str | None = None,
              log: Path | None = None) -> tuple[str, float | None, list[Pair]]:
    """Generate and load `scale` into a scratch database of `server` (or use `database`, already loaded), then
    measure."""
    if database is not None:
        return scale, None, _measure_on(database, runs, log)
    data = work / f"data-{scale}"
    if not (data / "patient.json").exists():
        print(f"[{scale}] generating", flush=True)
        timed_run([MEDSPA, "seed", "generate", "--out", str(data), "--patients", str(SCALES[scale]),
                   "--anchor", ANCHOR])
    with scratch_database(server) as url:
        print(f"[{scale}] loading", flush=True)
        load = timed_run([MEDSPA, "seed", "load", "--dir", str(data)], env={"DATABASE_URL": url})
        return scale, load.seconds, _measure_on(url, runs, log)


def _measure_on(url: str, runs: int, log: Path | None) -> list[Pair]:
    manager_key, agent_key, as_of = asyncio.run(_keys(url))
    pairs = [Pair(name, query) for name, query in dashboard_queries(as_of) if query.get("measures")]
    env = {"MEDSPA_RESULT_CACHE": "0", "STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
           "AGENT_RATE_LIMIT": "1000000"}
    with api_process(url, env=env, start_seconds=120, log=log) as (base, _):
        asyncio.run(_measure(base, manager_key, agent_key, pairs, runs))
    return pairs


def render(reports: list[tuple[str, float | None, list[Pair]]], runs: int, command: str) -> str:
    lines = ["# The agent scope's cost: the same queries as a manager and as an agent", "",
             f"`{command}` on {machine()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {runs} runs per query "
             "and role, alternating, result cache off, over HTTP with an API key.", ""]
    for scale, load_seconds, pairs in reports:
        load = f"; load {load_seconds:.1f} s" if load_seconds is not None else ""
        lines += [f"## {scale} ({SCALES[scale]:,} patients{load})", "",
                  "| query | manager p50 | manager p95 | agent p50 | agent p95 | agent/manager p50 | "
                  "rows suppressed |", "|---|---:|---:|---:|---:|---:|---:|"]
        for p in pairs:
            ratio = (f"{percentile(p.agent, 50) / percentile(p.manager, 50):.1f}x"
                     if p.agent and p.manager else "-")
            suppressed = "-" if p.suppressed is None else str(p.suppressed)
            lines.append(f"| {p.name}{' (' + p.note + ')' if p.note else ''} | {_ms(p.manager, 50)} | "
                         f"{_ms(p.manager, 95)} | {_ms(p.agent, 50)} | {_ms(p.agent, 95)} | {ratio} | {suppressed} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1x")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--work", type=Path, default=None, help="keep generated data here (reused next time)")
    parser.add_argument("--server-url", default=None)
    parser.add_argument("--database-url", default=None, help="a database already loaded at the (one) scale given")
    parser.add_argument("--log", type=Path, default=None, help="the API server's output goes here")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    command = "python bench/bench_agent.py " + " ".join(argv if argv is not None else sys.argv[1:])
    reports = []
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        with postgres_server(args.server_url) as server:
            for scale in args.scales.split(","):
                reports.append(run_scale(scale, server, work, args.runs, args.database_url, args.log))
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(render(reports, args.runs, command.strip()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
