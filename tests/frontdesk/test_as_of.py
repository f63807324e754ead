"""The data's as_of: a generator's manifest (a moment) wins over the latest payment's date, `AS_OF` overrides
both (`now` follows the clock), a bad manifest refuses the load; ranges ahead of as_of and partial periods."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from semantic.asof import AsOf
from semantic.planner.timerange import partial_buckets, resolve_range
from service.seed.manifest import read_manifest
from service.seed.validate import LoadError
from service.services.as_of import configured_as_of
from service.settings import Settings
from tests.conftest import TEST_PASSWORD, ensure_user
from tests.generated import ANCHOR

D = dt.date.fromisoformat


def test_the_generator_writes_its_anchor_moment(generated_folder: Path, generated_url: str) -> None:
    assert json.loads((generated_folder / "manifest.json").read_text()) == {"as_of": f"{ANCHOR}T00:00"}
    assert read_manifest(generated_folder) == AsOf(ANCHOR, dt.time(0, 0))


@pytest.mark.parametrize("text", ['{"as_of": "26/11/2025"}', '{"when": "2025-11-26"}', "not json", "[1]"])
def test_a_bad_manifest_refuses_the_load(tmp_path: Path, text: str) -> None:
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(LoadError, match=r"manifest\.json"):
        read_manifest(tmp_path)


def test_a_date_manifest_counts_its_whole_day(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"as_of": "2025-11-26"}')
    moment = read_manifest(tmp_path)
    assert moment == AsOf(D("2025-11-26")) and moment.end == dt.datetime(2025, 11, 27)
    assert AsOf.parse("2025-11-26T09:30").end == dt.datetime(2025, 11, 26, 9, 30, 0, 1)


def test_as_of_setting_now_and_fixed() -> None:
    clock = dt.datetime(2026, 12, 6, 14, 37, 21)
    assert configured_as_of(Settings(as_of="now"), clock) == AsOf(D("2026-12-06"), dt.time(14, 37))
    assert configured_as_of(Settings(as_of="2025-06-30")) == AsOf(D("2025-06-30"))
    assert configured_as_of(Settings(as_of="2025-06-30T08:15")) == AsOf(D("2025-06-30"), dt.time(8, 15))
    assert configured_as_of(Settings()) is None
    with pytest.raises(ValueError):
        Settings(as_of="yesterday")


def test_as_of_now_answers_against_the_clock(generated_url: str) -> None:
    from service.app import create_app

    username = ensure_user(generated_url, "manager")
    app = create_app(Settings(database_url=generated_url, as_of="now"), url=generated_url)
    with TestClient(app) as client:
        signed = client.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
        assert signed.status_code == 200, signed.text
        meta = client.post("/api/query", json={"measures": ["visit_count"]}).json()["meta"]
        now = dt.datetime.now()
        assert meta["as_of"][:10] == now.date().isoformat() and len(meta["as_of"]) == 16


def test_the_client_export_keeps_the_latest_payment_date(client_api: Any) -> None:
    assert client_api.get("/api/catalog").json()["as_of"] == "2025-11-26"


@pytest.mark.parametrize(("name", "start", "end"), [
    ("tomorrow", "2025-11-27", "2025-11-28"),
    ("next_7_days", "2025-11-27", "2025-12-04"),
    ("next_30_days", "2025-11-27", "2025-12-27"),
    ("next_90_days", "2025-11-27", "2026-02-25"),
    ("next_month", "2025-12-01", "2026-01-01"),
])
def test_ranges_ahead_of_as_of(name: str, start: str, end: str) -> None:
    window = resolve_range(name, D("2025-11-26"))
    assert (window.start, window.end) == (D(start), D(end))


@pytest.mark.parametrize(("name", "grain", "partial"), [
    ("this_month", "month", ["2025-11-01"]),
    ("this_month", "week", ["2025-10-27", "2025-11-24"]),
    ("last_month", "month", []),
    ("last_month", "week", ["2025-09-29", "2025-10-27"]),
    ("last_30_days", "month", ["2025-10-01", "2025-11-01"]),
    ("last_12_months", "month", ["2024-11-01", "2025-11-01"]),
    ("last_year", "quarter", []),
    ("all_time", "month", ["2025-11-01"]),
    ("next_month", "month", []),
    ("today", "day", []),
])
def test_partial_buckets(name: str, grain: str, partial: list[str]) -> None:
    assert [d.isoformat() for d in partial_buckets(resolve_range(name, D("2025-11-26")), grain)] == partial


def test_meta_partial_periods(client_api: Any) -> None:
    def meta(time: dict[str, Any]) -> dict[str, Any]:
        response = client_api.post("/api/query", json={"measures": ["revenue"], "time": time})
        assert response.status_code == 200, response.text
        return response.json()["meta"]  # type: ignore[no-any-return]

    assert meta({"range": "this_month", "grain": "month"})["partial_periods"] == ["2025-11-01"]
    assert meta({"range": "last_90_days", "grain": "week", "compare": "previous_period"})["partial_periods"] == [
        "2025-08-25", "2025-11-24"]
    assert meta({"range": "last_month", "grain": "month"})["partial_periods"] == []
    assert meta({"range": "this_month"})["partial_periods"] == []  # no buckets
    upcoming = client_api.post("/api/query", json={"measures": ["upcoming_appointment_count"],
                                                   "time": {"range": "next_30_days", "grain": "week"}}).json()
    assert upcoming["meta"]["range"] == {"start": "2025-11-27", "end": "2025-12-27"}
    assert sum(r["upcoming_appointment_count"] for r in upcoming["rows"]) > 0
