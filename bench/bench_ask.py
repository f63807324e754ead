"""Ask's question parser: parse time per question over the corpus (tests/ask/corpus.yaml), in process.

    .venv/bin/python bench/bench_ask.py [--runs 20] [--data DIR] [--out FILE]

The lexicon is built from the catalog and the dimension values of the client's export (`--data`, default
../shared/seed_data; else the repo's seed_data/, else data generated for the run), read straight from its
JSON files the way the value index holds them. Each phrasing is parsed `--runs` times; reported:

- parse: `service.ask.parser.parse` alone (target p95 < 20 ms);
- declined + suggestions: for the questions it declines, parse plus the suggestions (each of them parsed
  again to check it answers), what `/api/ask` does for them;
- lexicon: building the lexicon with the values (once per data version in the API).

Prints a table and writes it to `bench/results/ask.md`. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from semantic import band_labels, default_catalog  # noqa: E402
from service.ask.lexicon import build_lexicon, with_values  # noqa: E402
from service.ask.parser import parse  # noqa: E402
from service.ask.suggest import suggestions  # noqa: E402

CORPUS = REPO / "tests" / "ask" / "corpus.yaml"
DEFAULT_DATA = REPO.parent / "shared" / "seed_data"
DEFAULT_OUT = REPO / "bench" / "results" / "ask.md"


def export_values(data: Path) -> dict[str, tuple[str, ...]]:
    """The indexed dimensions' values from an export's JSON files (what values.read_values finds once loaded)."""

    def load(name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads((data / f"{name}.json").read_text())
        return rows

    def distinct(rows: list[dict[str, Any]], key: str) -> tuple[str, ...]:
        return tuple(sorted({str(r[key]) for r in rows if r.get(key)}))

    patients, appointments, payments = load("patient"), load("appointment"), load("payment")
    return {
        "patient.source": distinct(patients, "source"), "patient.gender": distinct(patients, "gender"),
        "appointment.status": distinct(appointments, "status"),
        "service.name": distinct(load("service"), "name"),
        "provider.name": tuple(sorted(f"{p['first_name']} {p['last_name']}" for p in load("provider"))),
        "payment.method": distinct(payments, "method"), "payment.status": distinct(payments, "status"),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args, _ = parser.parse_known_args(argv)
    data = next((d for d in (args.data, REPO / "seed_data") if (d / "patient.json").exists()), None)
    scratch = None
    if data is None:
        scratch = tempfile.TemporaryDirectory(prefix="bench-ask-")
        data = Path(scratch.name)
        subprocess.run([REPO / ".venv" / "bin" / "medspa", "seed", "generate", "--out", data], check=True,
                       stdout=subprocess.DEVNULL)
    corpus = yaml.safe_load(CORPUS.read_text())
    as_of = dt.date.fromisoformat(corpus["as_of"])
    questions = [(text, intent["query"] is None) for intent in corpus["intents"] for text in intent["phrasings"]]

    catalog = default_catalog()
    started = time.perf_counter()
    values = {**export_values(data), **band_labels(catalog)}
    if scratch is not None:
        scratch.cleanup()
    lexicon = with_values(build_lexicon(catalog, "manager"), values)
    lexicon.speller()
    lexicon.bags()
    build_ms = (time.perf_counter() - started) * 1000

    for text, _ in questions:  # warm up
        parse(text, lexicon, as_of)
    gc.collect()
    parse_ms: list[float] = []
    declined_ms: list[float] = []
    for _ in range(args.runs):
        for text, _declined in questions:
            t0 = time.perf_counter()
            result = parse(text, lexicon, as_of)
            t1 = time.perf_counter()
            parse_ms.append((t1 - t0) * 1000)
            if result.status != "ok":
                suggestions(result, lexicon, as_of)
                declined_ms.append((time.perf_counter() - t0) * 1000)

    def row(name: str, values_ms: list[float]) -> str:
        return (f"| {name} | {len(values_ms)} | {statistics.median(values_ms):.2f} | {percentile(values_ms, 95):.2f} | "
                f"{percentile(values_ms, 99):.2f} | {max(values_ms):.2f} |")

    lines = [
        "# Ask: question parser benchmark",
        "",
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {len(questions)} corpus phrasings x "
        f"{args.runs} runs; values from `{data}`.",
        "",
        "| what | samples | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        row("parse", parse_ms),
        row("declined: parse + suggestions", declined_ms),
        "",
        f"Lexicon with values built in {build_ms:.1f} ms (once per data version in the API). Target: parse p95 "
        "< 20 ms.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
