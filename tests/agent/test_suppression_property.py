"""Property: an agent never receives a measure value that 1 to k-1 patients contribute to.

Random valid agent queries (fixed seed) over measures, groupings, time buckets, ranges and filters run on the
client's export with an agent key; every value returned is checked against an independent count of the
patients behind it: the contract oracle (tests/contract/oracle.py, plain Python over the JSON files, no SQL,
no catalog) groups the same facts and counts their patients. The reverse is checked too: a value whose every
part has k or more patients (or none) is shown, and the rows left out are exactly the groups whose every
value is suppressed (`meta.suppressed_rows`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.agent.support import as_agent
from tests.contract.oracle import UNDER_18, Export, LineLevel, Model, fact_patient

K = 11
SEED = 15
QUERIES = 70


@dataclass(frozen=True)
class Part:
    """One base measure behind a shown measure: its facts, which of them count, and the patients' minimum."""

    facts: str
    time: str | None
    keep: Callable[[Any], bool] = lambda fact: True


def _cancelled(fact: Any) -> bool:
    return bool(fact.status == "cancelled")


PAID = Part("paid_payments", "payment.paid_at")
PARTS: dict[str, list[Part]] = {
    "revenue": [PAID], "payment_count": [PAID], "average_ticket": [PAID], "revenue_per_patient": [PAID],
    "line_revenue": [Part("line_shares", "appointment.start_at")],
    "appointment_count": [Part("appointments", "appointment.start_at")],
    "cancellation_rate": [Part("appointments", "appointment.start_at", _cancelled),
                          Part("appointments", "appointment.start_at")],
    "visit_count": [Part("visits", "appointment.start_at")],
    "active_patient_count": [Part("visits", "appointment.start_at")],
    "unpaid_visit_count": [Part("unpaid_visits", "appointment.start_at")],
    "service_line_count": [Part("lines", "appointment.start_at")],
    "booked_hours": [Part("booked_lines", "appointment.start_at")],
    "patient_count": [Part("patients", "patient.created_at")],
    "new_patient_count": [Part("first_visits", "patient.first_visit_at")],
}
DIMENSIONS = ["patient.source", "patient.gender", "patient.age_band", "appointment.status", "payment.method",
              "appointment.day_of_week", "service.name", "provider.name"]
SOURCES = ["instagram", "google", "website", "tiktok", "phone", "in_person"]


def _engine_value(dimension: str, value: Any) -> Any:
    return "under 18" if dimension == "patient.age_band" and value == UNDER_18 else value


def _random_query(rng: random.Random, as_of: dt.date) -> tuple[dict[str, Any], tuple[dt.date, dt.date] | None,
                                                                str | None]:
    measures = rng.sample(sorted(PARTS), rng.choice([1, 1, 2]))
    dims = rng.sample(DIMENSIONS, rng.choice([0, 1, 1, 2]))
    query: dict[str, Any] = {"measures": measures, "dimensions": dims, "limit": 10_000}
    window: tuple[dt.date, dt.date] | None = None
    grain = rng.choice([None, None, "month", "week", "quarter"])
    if grain is not None or rng.random() < 0.6:
        days = rng.choice([30, 90, 180, 365])
        end = as_of + dt.timedelta(days=1) - dt.timedelta(days=rng.choice([0, 0, 40]))
        window = (end - dt.timedelta(days=days), end)
        query["time"] = {"range": [window[0].isoformat(), window[1].isoformat()]}
        if grain is not None:
            query["time"]["grain"] = grain
    if rng.random() < 0.3:
        query["filters"] = [{"field": "patient.source", "op": "equals", "value": rng.choice(SOURCES)}]
    return query, window, grain


def _patients_by_group(model: Model, part: Part, query: dict[str, Any], window: tuple[dt.date, dt.date] | None,
                       grain: str | None) -> dict[tuple[Any, ...], set[str]]:
    """The distinct patients behind each group's value of one part, as the oracle groups the facts."""
    wanted = (query.get("filters") or [{}])[0].get("value")

    def where(get: Callable[[str], Any]) -> bool:
        return wanted is None or get("patient.source") == wanted

    groups = model.groups(part.facts, query["dimensions"], grain=grain, time_range=window,
                          time_dimension=part.time, where=where)
    out: dict[tuple[Any, ...], set[str]] = {}
    for key, facts in groups.items():
        patients = {fact_patient(f).id for f in facts if part.keep(f)}
        named = tuple(_engine_value(d, v) for d, v in zip(query["dimensions"], key, strict=False))
        bucket = key[len(query["dimensions"]):]
        out[(*named, *(b.isoformat() for b in bucket))] = patients
    return out


def _suppressed(counts: list[int]) -> bool:
    return any(1 <= n < K for n in counts)


@pytest.fixture(scope="module")
def model(client_export_dir: Any) -> Model:
    return Model(Export.read(client_export_dir))


def test_no_value_reaches_an_agent_with_fewer_than_k_patients(client_api: TestClient, agent_key: str,
                                                               model: Model) -> None:
    rng = random.Random(SEED)
    answered = values_checked = hidden = dropped = 0
    for _ in range(QUERIES):
        query, window, grain = _random_query(rng, model.as_of)
        response = as_agent(client_api, agent_key, "POST", "/api/query", json=query)
        body = response.json()
        if response.status_code == 400:
            assert body["error"]["code"] in ("invalid_grouping", "invalid_filter", "too_few_patients"), (query, body)
            continue
        assert response.status_code == 200, (query, body)
        try:
            parts = {m: [_patients_by_group(model, p, query, window, grain) for p in PARTS[m]]
                     for m in query["measures"]}
        except LineLevel:  # the oracle has no value of this dimension for these facts (the engine refused, or
            continue       # groups them a way the oracle does not model): nothing to compare
        answered += 1
        keys = [*query["dimensions"], *(["time"] if grain else [])]
        for row in body["rows"]:
            key = tuple(row[k] for k in keys)
            for measure in query["measures"]:
                counts = [len(groups.get(key, ())) for groups in parts[measure]]
                if row[measure] is not None:
                    values_checked += 1
                    assert not _suppressed(counts), (query, row, measure, counts)
                elif _suppressed(counts):
                    hidden += 1
                else:  # null without suppression: only a ratio over nothing
                    assert measure in ("cancellation_rate", "average_ticket", "revenue_per_patient"), (query, row)
        # the rows left out are exactly the groups whose every value is suppressed
        groups = {key for groups_of in parts.values() for groups in groups_of for key in groups}
        all_hidden = {key for key in groups
                      if all(_suppressed([len(g.get(key, ())) for g in parts[m]]) for m in query["measures"])}
        shown = {tuple(row[k] for k in keys) for row in body["rows"]}
        assert not all_hidden & shown, query
        assert body["meta"]["suppressed_rows"] == len(all_hidden), (query, body["meta"], len(all_hidden))
        dropped += len(all_hidden)
    assert answered >= QUERIES // 2 and values_checked > 500 and hidden > 3 and dropped > 100, (
        answered, values_checked, hidden, dropped)
