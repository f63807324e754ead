"""The seed generator: the client's six-file format, valid references, realistic shape, determinism."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from service.seed import vocab
from service.seed.generator import generate

ANCHOR = date(2025, 11, 26)
KINDS = ("patient", "provider", "service", "appointment", "appointment_service", "payment")

# Key order of every record kind, exactly as in the client's export.
KEYS = {
    "patient": ("id", "first_name", "last_name", "date_of_birth", "gender", "source", "address", "phone",
                "email", "created_date"),
    "provider": ("id", "first_name", "last_name", "email", "phone", "created_date"),
    "service": ("id", "name", "description", "price", "duration", "created_date"),
    "appointment": ("id", "patient_id", "status", "created_date"),
    "appointment_service": ("appointment_id", "service_id", "provider_id", "start", "end"),
    "payment": ("id", "patient_id", "amount", "date", "method", "status", "provider_id", "appointment_id",
                "service_id", "created_date"),
}
ID_PREFIX = {"patient": "pat_", "provider": "prv_", "service": "svc_", "appointment": "apt_", "payment": "pay_"}
SECONDS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"
MICROS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$"
# (kind, field, pattern) for every formatted text field.
FORMATS = [
    ("patient", "date_of_birth", r"^\d{4}-\d{2}-\d{2}T00:00:00$"),
    ("patient", "created_date", MICROS),
    ("patient", "email", r"^[a-z.0-9]+@example\.(com|org|net)$"),
    ("provider", "created_date", MICROS),
    ("service", "created_date", MICROS),
    ("appointment", "created_date", SECONDS),
    ("appointment_service", "start", SECONDS),
    ("appointment_service", "end", SECONDS),
    ("payment", "date", SECONDS),
    ("payment", "created_date", SECONDS),
]
ENUMS = [
    ("patient", "gender", {"female", "male", "other"}),
    ("patient", "source", {"instagram", "google", "tiktok", "website", "phone", "in_person"}),
    ("appointment", "status", {"pending", "confirmed", "cancelled"}),
    ("payment", "method", {"cash", "credit_card", "debit_card", "check"}),
    ("payment", "status", {"paid", "pending", "failed"}),
]


def _load(out: Path) -> dict[str, list[dict[str, Any]]]:
    return {kind: json.loads((out / f"{kind}.json").read_text(encoding="utf-8")) for kind in KINDS}


def _digests(out: Path) -> dict[str, str]:
    return {kind: hashlib.sha256((out / f"{kind}.json").read_bytes()).hexdigest() for kind in KINDS}


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, list[dict[str, Any]]]]:
    """2,000 patients: enough rows for the realism bands to be stable."""
    out = tmp_path_factory.mktemp("export")
    counts = generate(out, patients=2000, seed=42, anchor=ANCHOR)
    return out, counts, _load(out)


@pytest.fixture(scope="module")
def rows(export: tuple[Path, dict[str, int], dict[str, list[dict[str, Any]]]]) -> dict[str, list[dict[str, Any]]]:
    return export[2]


@pytest.fixture(scope="module")
def lines_by_appointment(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in rows["appointment_service"]:
        lines[line["appointment_id"]].append(line)
    return lines


# --- format ---------------------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", patients=300, seed=7, anchor=ANCHOR)
    second = generate(tmp_path / "b", patients=300, seed=7, anchor=ANCHOR)
    assert first == second
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_another_seed_gives_other_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", patients=300, seed=7, anchor=ANCHOR)
    generate(tmp_path / "b", patients=300, seed=8, anchor=ANCHOR)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert all(a[kind] != b[kind] for kind in KINDS)


def test_files_are_pretty_printed_like_the_export(export: Any) -> None:
    out, counts, rows = export
    for kind in KINDS:
        raw = (out / f"{kind}.json").read_text(encoding="utf-8")
        assert raw == json.dumps(rows[kind], indent=2), kind
        assert counts[kind] == len(rows[kind]) > 0
    assert sorted(counts) == sorted(KINDS)
    assert not list(out.glob(".*")), "no partial files left behind"


@pytest.mark.parametrize("kind", KINDS)
def test_records_have_the_export_keys_in_order(rows: dict[str, list[dict[str, Any]]], kind: str) -> None:
    assert {tuple(record) for record in rows[kind]} == {KEYS[kind]}


@pytest.mark.parametrize(("kind", "field", "pattern"), FORMATS)
def test_text_fields_are_formatted_like_the_export(rows: Any, kind: str, field: str, pattern: str) -> None:
    bad = [r[field] for r in rows[kind] if not re.match(pattern, r[field])]
    assert not bad, bad[:5]


@pytest.mark.parametrize(("kind", "field", "allowed"), ENUMS)
def test_enumerations_use_the_export_values(rows: Any, kind: str, field: str, allowed: set[str]) -> None:
    assert {r[field] for r in rows[kind]} <= allowed


@pytest.mark.parametrize("kind", sorted(ID_PREFIX))
def test_ids_are_unique_prefixed_hex(rows: Any, kind: str) -> None:
    ids = [r["id"] for r in rows[kind]]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(ID_PREFIX[kind] + "[0-9a-f]{16}", i) for i in ids)


def test_vocabulary_never_needs_json_escaping() -> None:
    words = [*vocab.FEMALE_FIRST, *vocab.MALE_FIRST, *vocab.LAST, *vocab.STREET_SUFFIXES, *vocab.CITY_PREFIXES,
             *vocab.CITY_SUFFIXES, *vocab.EMAIL_DOMAINS]
    assert all(word.isascii() and json.dumps(word) == f'"{word}"' for word in words)


def test_phone_numbers_come_in_many_formats(rows: Any) -> None:
    shapes = Counter(re.sub(r"\d", "9", p["phone"]) for p in rows["patient"])
    assert len(shapes) >= 18
    assert {"(999)999-9999", "999.999.9999", "9999999999", "999-999-9999"} <= set(shapes)
    assert any(p["phone"].startswith("001-") for p in rows["patient"]) and any("x" in s for s in shapes)


# --- invariants the loader enforces ----------------------------------------------------------------


def test_every_reference_points_to_an_existing_row(rows: Any) -> None:
    ids = {kind: {r["id"] for r in rows[kind]} for kind in ID_PREFIX}
    assert {a["patient_id"] for a in rows["appointment"]} <= ids["patient"]
    lines = rows["appointment_service"]
    assert {line["appointment_id"] for line in lines} == ids["appointment"], "every appointment has lines"
    assert {line["service_id"] for line in lines} <= ids["service"]
    assert {line["provider_id"] for line in lines} <= ids["provider"]
    for kind, field in (("patient", "patient_id"), ("appointment", "appointment_id"),
                        ("service", "service_id"), ("provider", "provider_id")):
        assert {p[field] for p in rows["payment"]} <= ids[kind], field


def test_amounts_durations_and_times_are_sane(rows: Any) -> None:
    duration = {s["id"]: s["duration"] for s in rows["service"]}
    assert all(s["price"] > 0 and s["duration"] > 0 for s in rows["service"])
    assert all(p["amount"] >= 0 for p in rows["payment"])
    for line in rows["appointment_service"]:
        start, end = _dt(line["start"]), _dt(line["end"])
        assert end - start == timedelta(minutes=duration[line["service_id"]])


def test_payments_match_their_appointment(rows: Any, lines_by_appointment: Any) -> None:
    patient_of = {a["id"]: a["patient_id"] for a in rows["appointment"]}
    status_of = {a["id"]: a["status"] for a in rows["appointment"]}
    price = {s["id"]: s["price"] for s in rows["service"]}
    paid_for = Counter(p["appointment_id"] for p in rows["payment"])
    assert max(paid_for.values()) == 1, "at most one payment per appointment"
    for payment in rows["payment"]:
        lines = lines_by_appointment[payment["appointment_id"]]
        primary = min(lines, key=lambda line: line["start"])
        assert primary is lines[0], "the primary line comes first"
        assert payment["patient_id"] == patient_of[payment["appointment_id"]]
        assert (payment["service_id"], payment["provider_id"]) == (primary["service_id"], primary["provider_id"])
        assert payment["amount"] == sum(price[line["service_id"]] for line in lines)
        assert status_of[payment["appointment_id"]] != "cancelled"
        assert payment["date"] >= max(line["end"] for line in lines)
        assert payment["date"][:10] == max(line["end"] for line in lines)[:10], "paid on the day"
        assert payment["created_date"] <= payment["date"]


# --- the timeline -----------------------------------------------------------------------------------


def test_nothing_is_created_after_the_anchor(rows: Any) -> None:
    now = ANCHOR.isoformat()
    for kind in KINDS:
        assert all(r["created_date"] < now for r in rows[kind] if "created_date" in r), kind
    assert all(p["date"] < now for p in rows["payment"])


def test_lines_span_a_year_of_history_and_sixty_days_ahead(rows: Any) -> None:
    starts = sorted(line["start"] for line in rows["appointment_service"])
    assert starts[0] >= (ANCHOR - timedelta(days=400)).isoformat()
    assert starts[0] < (ANCHOR - timedelta(days=300)).isoformat()
    assert starts[-1] < (ANCHOR + timedelta(days=61)).isoformat()
    assert starts[-1] >= (ANCHOR + timedelta(days=40)).isoformat()


def test_bookings_ahead_are_open_and_unpaid(rows: Any, lines_by_appointment: Any) -> None:
    now = ANCHOR.isoformat()
    ahead = [a for a in rows["appointment"] if lines_by_appointment[a["id"]][0]["start"] >= now]
    assert len(ahead) > 0.03 * len(rows["appointment"])
    assert {a["status"] for a in ahead} == {"pending", "confirmed"}
    assert not {a["id"] for a in ahead} & {p["appointment_id"] for p in rows["payment"]}


def test_appointments_are_booked_before_they_start(rows: Any, lines_by_appointment: Any) -> None:
    for appointment in rows["appointment"]:
        start = lines_by_appointment[appointment["id"]][0]["start"]
        assert appointment["created_date"] < start


def test_lines_are_in_clinic_hours_on_quarter_hours(lines_by_appointment: Any) -> None:
    for lines in lines_by_appointment.values():
        for line, following in pairwise(lines):
            gap = _dt(following["start"]) - _dt(line["end"])
            assert gap in (timedelta(0), timedelta(minutes=15)), "back to back or a 15-minute gap"
        for line in lines:
            start, end = _dt(line["start"]), _dt(line["end"])
            assert start.minute % 15 == 0 and start.second == 0
            assert start.hour >= 9 and (end.hour, end.minute) <= (19, 0) and start.date() == end.date()


def test_patients_are_adults(rows: Any) -> None:
    ages = [(ANCHOR - date.fromisoformat(p["date_of_birth"][:10])).days / 365.25 for p in rows["patient"]]
    assert min(ages) >= 18 and max(ages) <= 76
    assert 35 <= sorted(ages)[len(ages) // 2] <= 45


# --- realism ----------------------------------------------------------------------------------------


def test_realism_figures_are_in_band(rows: Any, lines_by_appointment: Any) -> None:
    appointments, patients = rows["appointment"], rows["patient"]
    cancelled = sum(a["status"] == "cancelled" for a in appointments) / len(appointments)
    multi_line = sum(len(v) > 1 for v in lines_by_appointment.values()) / len(appointments)
    booked = {a["patient_id"] for a in appointments}
    never_booked = 1 - len(booked) / len(patients)
    assert 0.05 <= cancelled <= 0.11
    assert 0.25 <= multi_line <= 0.40
    assert 0.30 <= never_booked <= 0.45
    assert max(len(v) for v in lines_by_appointment.values()) == 3


def test_payments_exercise_failed_pending_and_unpaid(rows: Any, lines_by_appointment: Any) -> None:
    statuses = Counter(p["status"] for p in rows["payment"])
    assert statuses["failed"] > 0 and statuses["pending"] > 0
    assert statuses["paid"] > 0.9 * len(rows["payment"])
    now = ANCHOR.isoformat()
    paid = {p["appointment_id"] for p in rows["payment"]}
    past_visits = [a for a in rows["appointment"]
                   if a["status"] != "cancelled" and lines_by_appointment[a["id"]][0]["start"] < now]
    unpaid = sum(a["id"] not in paid for a in past_visits)
    assert 0 < unpaid < 0.06 * len(past_visits)
    assert Counter(p["method"] for p in rows["payment"]).most_common(1)[0][0] == "credit_card"


def test_mixes_of_people_look_like_a_med_spa(rows: Any) -> None:
    patients = rows["patient"]
    gender = Counter(p["gender"] for p in patients)
    assert 0.62 <= gender["female"] / len(patients) <= 0.78 and gender["other"] > 0
    source = Counter(p["source"] for p in patients)
    assert source.most_common(1)[0][0] == "instagram" and len(source) == 6


def test_the_business_grows_and_patients_return(rows: Any, lines_by_appointment: Any) -> None:
    first_start = {a: v[0]["start"] for a, v in lines_by_appointment.items()}
    quarter_one = (ANCHOR - timedelta(days=365)).isoformat(), (ANCHOR - timedelta(days=274)).isoformat()
    quarter_four = (ANCHOR - timedelta(days=91)).isoformat(), ANCHOR.isoformat()
    early = sum(quarter_one[0] <= s < quarter_one[1] for s in first_start.values())
    late = sum(quarter_four[0] <= s < quarter_four[1] for s in first_start.values())
    assert late > 2 * early
    visits = Counter(a["patient_id"] for a in rows["appointment"] if a["status"] != "cancelled")
    returning = sum(n >= 2 for n in visits.values()) / len(visits)
    assert 0.4 <= returning <= 0.75
    weekdays = Counter(_dt(s).weekday() for s in first_start.values())
    assert weekdays[6] < 0.3 * weekdays[4], "few Sunday appointments"


def test_repeat_botox_visits_come_about_every_three_months(rows: Any, lines_by_appointment: Any) -> None:
    botox = next(s["id"] for s in rows["service"] if s["name"] == "Botox Injection")
    visits: dict[str, list[datetime]] = defaultdict(list)
    patient_of = {a["id"]: a["patient_id"] for a in rows["appointment"] if a["status"] != "cancelled"}
    for appointment_id, lines in lines_by_appointment.items():
        if appointment_id in patient_of and lines[0]["service_id"] == botox:
            visits[patient_of[appointment_id]].append(_dt(lines[0]["start"]))
    gaps = sorted((b - a).days for v in visits.values() for a, b in pairwise(sorted(v)))
    assert len(gaps) > 50
    assert 70 <= gaps[len(gaps) // 2] <= 115


# --- arguments --------------------------------------------------------------------------------------


def test_zero_patients_still_write_the_catalog(tmp_path: Path) -> None:
    counts = generate(tmp_path, patients=0, seed=1, anchor=ANCHOR)
    assert counts == {"patient": 0, "provider": 10, "service": 10, "appointment": 0,
                      "appointment_service": 0, "payment": 0}
    assert (tmp_path / "payment.json").read_text() == "[]"


def test_progress_reports_growing_counts_per_file(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    counts = generate(tmp_path, patients=2500, seed=1, anchor=ANCHOR, progress=lambda k, n: seen.append((k, n)))
    last = {kind: n for kind, n in seen}
    assert last == counts
    patient_steps = [n for kind, n in seen if kind == "patient"]
    assert patient_steps == sorted(patient_steps) and len(patient_steps) >= 3


def test_the_anchor_defaults_to_today(tmp_path: Path) -> None:
    generate(tmp_path, patients=50, seed=1)
    today = date.today().isoformat()
    starts = [line["start"] for line in _load(tmp_path)["appointment_service"]]
    assert max(p["created_date"] for p in _load(tmp_path)["patient"]) < today
    assert min(starts) >= (date.today() - timedelta(days=400)).isoformat()


def test_the_anchor_moves_the_whole_timeline(tmp_path: Path) -> None:
    generate(tmp_path / "a", patients=200, seed=3, anchor=date(2024, 3, 1))
    generate(tmp_path / "b", patients=200, seed=3, anchor=date(2024, 6, 1))
    a, b = _load(tmp_path / "a"), _load(tmp_path / "b")
    assert max(p["created_date"] for p in a["patient"]) < "2024-03-01"
    assert max(line["start"] for line in a["appointment_service"]) < "2024-05-01"
    assert max(line["start"] for line in b["appointment_service"]) >= "2024-06-01"
    assert min(line["start"] for line in b["appointment_service"]) >= "2023-05-01"


@pytest.mark.parametrize("patients", [-1, 10**12])
def test_impossible_patient_counts_are_refused(tmp_path: Path, patients: int) -> None:
    with pytest.raises(ValueError, match="patients must be between"):
        generate(tmp_path, patients=patients, seed=1, anchor=ANCHOR)
