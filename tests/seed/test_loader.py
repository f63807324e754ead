"""The loader: the client's export loads exactly; any bad input is refused whole, with a message
naming file, record and field, and the database keeps what it had."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from semantic import default_catalog
from service.seed.generator import generate
from service.seed.loader import LoadError, load_directory
from service.seed.records import KINDS
from tests.generated import generated_database

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTED_COUNTS = {
    "providers": 10, "services": 10, "patients": 4000,
    "appointments": 6000, "appointment_services": 8398, "payments": 5311,
}
TABLES = (*EXPECTED_COUNTS, "patient_summary", "data_loads")


# --- helpers ------------------------------------------------------------------------------------


def db_state(url: str) -> dict[str, Any]:
    """Row counts of every table the loader touches, and a checksum of the payments."""

    async def fetch() -> dict[str, Any]:
        conn = await asyncpg.connect(url)
        try:
            state: dict[str, Any] = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
            state["payments_md5"] = await conn.fetchval(
                "SELECT md5(coalesce(string_agg(id || patient_id || amount || status, ',' ORDER BY id), ''))"
                " FROM payments"
            )
            return state
        finally:
            await conn.close()

    return asyncio.run(fetch())


# Everything about public's relations that a load must leave as the migrations made it (the loader builds
# new tables in a staging schema and swaps them in): indexes, constraints, columns with their defaults,
# grants, owners, options, sequences, triggers, comments, and which schemas exist.
SCHEMA_OBJECTS = """
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
UNION ALL SELECT 'constraint', conrelid::regclass::text || '.' || conname,
  pg_get_constraintdef(oid) || ' valid=' || convalidated || ' deferrable=' || condeferrable
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL SELECT 'column', c.relname || '.' || a.attname,
  concat_ws(' ', format_type(a.atttypid, a.atttypmod), a.attnum, a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
            a.attgenerated::text, a.attidentity::text, a.attcollation, a.attstattarget, a.attstorage::text)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT 'relation', relname,
  concat_ws(' ', relkind::text, relacl::text, pg_get_userbyid(relowner), reloptions::text, relpersistence::text,
            relrowsecurity, relreplident::text)
  FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v', 'm')
UNION ALL SELECT 'sequence', s.seqrelid::regclass::text,
  concat_ws(' ', s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
            (SELECT refobjid::regclass::text || '.' || refobjsubid FROM pg_depend
             WHERE objid = s.seqrelid AND deptype IN ('a', 'i') AND refclassid = 'pg_class'::regclass))
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'public'::regnamespace
UNION ALL SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL SELECT 'comment', objoid::regclass::text || '.' || objsubid, description FROM pg_description
  WHERE classoid = 'pg_class'::regclass
    AND objoid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
UNION ALL SELECT 'schema', nspname, '' FROM pg_namespace
  WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
"""


def schema_objects(url: str) -> set[tuple[str, str, str]]:
    """Every definition in SCHEMA_OBJECTS, as (kind, name, definition)."""

    async def fetch() -> set[tuple[str, str, str]]:
        conn = await asyncpg.connect(url)
        try:
            return {tuple(row) for row in await conn.fetch(SCHEMA_OBJECTS)}  # type: ignore[misc]
        finally:
            await conn.close()

    return asyncio.run(fetch())


def export_copy(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        shutil.copy(source / kind.file, target / kind.file)
    return target


def rewrite(directory: Path, file: str, change: Callable[[list[dict[str, Any]]], object]) -> None:
    path = directory / file
    records = json.loads(path.read_text())
    change(records)
    path.write_text(json.dumps(records, indent=2))


def load_error(directory: Path, url: str, **kwargs: Any) -> str:
    with pytest.raises(LoadError) as caught:
        load_directory(directory, url, **kwargs)
    return str(caught.value)


# --- the client's export ------------------------------------------------------------------------


def test_client_export_loads_every_record(client_db_url: str) -> None:
    state = db_state(client_db_url)
    assert {table: state[table] for table in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert state["patient_summary"] == 4000
    assert state["data_loads"] == 1

    async def load_row() -> asyncpg.Record:
        conn = await asyncpg.connect(client_db_url)
        try:
            return await conn.fetchrow("SELECT as_of, row_counts FROM data_loads")
        finally:
            await conn.close()

    row = asyncio.run(load_row())
    assert row["as_of"] == dt.date(2025, 11, 26)
    assert json.loads(row["row_counts"]) == EXPECTED_COUNTS


def test_values_arrive_typed_and_generated_columns_are_computed(client_db_url: str) -> None:
    async def fetch() -> asyncpg.Record:
        conn = await asyncpg.connect(client_db_url)
        try:
            return await conn.fetchrow(
                "SELECT date_of_birth, created_date, search_text, phone_digits FROM patients"
                " WHERE id = 'pat_61c231a75f08503f'"
            )
        finally:
            await conn.close()

    row = asyncio.run(fetch())
    assert row["date_of_birth"] == dt.date(1971, 9, 17)
    assert row["created_date"] == dt.datetime(2025, 10, 26, 18, 37, 46, 229580)
    assert row["search_text"] == "betty smith tylerwalker@example.org"
    assert row["phone_digits"] == "9096449872"


def test_load_leaves_the_schema_as_migrated(client_db_url: str, fresh_db_url: str) -> None:
    # The loader builds new tables in a staging schema, with keys, indexes, grants and sequences it
    # restates from the catalog, and swaps them in: nothing of it may show.
    loaded, fresh = schema_objects(client_db_url), schema_objects(fresh_db_url)
    assert {kind for kind, _, _ in fresh} >= {"index", "constraint", "column", "relation", "sequence", "schema"}
    assert any(kind == "relation" and name == "patients" and "medspa_reader=r/" in value
               for kind, name, value in fresh)  # the reader role's grant is among what is compared
    # the pre-aggregations' tables are the load's own (typed from the catalog, made at each load): the rest is
    # exactly as migrated
    own = {o for o in loaded if "preagg_" in o[1]}
    assert loaded - own == fresh
    tables = {name: value for kind, name, value in own if kind == "relation"}
    assert set(tables) == {f"preagg_{m.name}" for m in default_catalog().materializations.values()
                           if m.kind == "pre_aggregation"}
    assert all("medspa_reader=r/" in value for value in tables.values())
    columns = {name for kind, name, _ in own if kind == "column"}
    assert {"preagg_payments_daily.day", "preagg_payments_daily.patient.source",
            "preagg_payments_daily.revenue", "preagg_payments_daily.revenue__rows"} <= columns


def test_rows_arrive_frozen(client_db_url: str) -> None:
    # COPY FREEZE: later reads need not set hint bits on (and, with checksums, WAL-log) every page again
    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(client_db_url)
        try:
            return await conn.fetch(
                "SELECT relname, relpages, relallfrozen FROM pg_class WHERE relname = ANY($1::text[])",
                list(EXPECTED_COUNTS),
            )
        finally:
            await conn.close()

    pages = {row["relname"]: (row["relpages"], row["relallfrozen"]) for row in asyncio.run(fetch())}
    assert set(pages) == set(EXPECTED_COUNTS)
    for table in ("patients", "appointments", "appointment_services", "payments"):
        total, frozen = pages[table]
        assert total > 10 and frozen > total / 2, (table, pages[table])


def test_summaries_and_bridges_arrive_all_visible(make_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Their rows come from INSERTs; the load vacuums them once swapped in, so an index-only walk of the
    # patient table (by lifetime spend, a deep page; its count by service) need not read the heap.
    url = generated_database(make_database, tmp_path / "data", patients=400, seed=3)
    vacuumed = ["patient_summary", "appointment_summary", "service_line_summary", "bridge_rows"]

    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch("SELECT relname, relpages, relallvisible FROM pg_class"
                                    " WHERE relname = ANY($1::text[]) AND relkind = 'r'", vacuumed)
        finally:
            await conn.close()

    pages = {row["relname"]: (row["relpages"], row["relallvisible"]) for row in asyncio.run(fetch())}
    assert set(pages) == {"patient_summary", "appointment_summary", "service_line_summary", "bridge_rows"}
    for table, (total, visible) in pages.items():
        assert total > 0 and visible == total, (table, total, visible)


@pytest.fixture(scope="module")
def loaded_url(make_database, client_export_dir: Path) -> str:
    """A database of this module's own holding the client's export; tests may try to replace it."""
    url: str = make_database()
    load_directory(client_export_dir, url)
    return url


def test_second_load_without_replace_is_refused(loaded_url: str, client_export_dir: Path) -> None:
    before = db_state(loaded_url)
    message = load_error(client_export_dir, loaded_url)
    assert message == "database already has data (4,000 patients, 10 providers, 10 services, 6,000 appointments, " \
                      "8,398 appointment_services, 5,311 payments); use --replace to swap it out"
    assert db_state(loaded_url) == before


def test_replace_swaps_the_data_and_records_a_new_version(loaded_url: str, client_export_dir: Path) -> None:
    before = db_state(loaded_url)
    summary = load_directory(client_export_dir, loaded_url, replace=True)
    after = db_state(loaded_url)
    assert summary.row_counts == EXPECTED_COUNTS
    assert {t: after[t] for t in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert after["payments_md5"] == before["payments_md5"]
    assert after["data_loads"] == before["data_loads"] + 1
    assert summary.version == after["data_loads"]
    rendered = summary.render()
    assert "patients" in rendered and "4,000" in rendered and "loaded in" in rendered


def test_progress_goes_to_stderr(loaded_url: str, client_export_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_directory(client_export_dir, loaded_url, replace=True, progress=True)

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "payment.json" in captured.err and "5,311" in captured.err and "summaries" in captured.err


# --- bad input ----------------------------------------------------------------------------------


def _set(file_index: int, field: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        records[file_index][field] = value
    return change


def _drop(file_index: int, field: str) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        del records[file_index][field]
    return change


def _copy_id(from_index: int, to_index: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        records[to_index]["id"] = records[from_index]["id"]
    return change


def _same_appointment(from_index: int, to_index: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        for field in ("appointment_id", "patient_id"):
            records[to_index][field] = records[from_index][field]
    return change


def _other_patient(index: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        records[index]["patient_id"] = next(
            r["patient_id"] for r in records if r["patient_id"] != records[index]["patient_id"]
        )
    return change


def _end_before_start(index: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        records[index]["end"] = records[index]["start"]
    return change


# (case, file, change, the message's beginning (file, record and field), a phrase of its reason)
BAD_RECORDS = [
    ("missing field", "patient.json", _drop(5, "email"),
     "patient.json, record 5 (id pat_", "field 'email': missing"),
    ("extra field", "provider.json", _set(2, "nickname", "Doc"),
     "provider.json, record 2 (id prv_", "field 'nickname': not a field of provider.json records"),
    ("unknown enum value", "appointment.json", _set(3, "status", "done"),
     "appointment.json, record 3 (id apt_", "field 'status': Input should be 'pending', 'confirmed' or "
                                            "'cancelled' (got 'done')"),
    ("negative amount", "payment.json", _set(7, "amount", -1),
     "payment.json, record 7 (id pay_", "field 'amount': Input should be greater than or equal to 0 (got -1)"),
    ("fractional amount", "payment.json", _set(8, "amount", 12.5),
     "payment.json, record 8 (id pay_", "field 'amount': Input should be a valid integer"),
    ("amount as text", "payment.json", _set(9, "amount", "100"),
     "payment.json, record 9 (id pay_", "field 'amount': Input should be a valid integer"),
    ("zero duration", "service.json", _set(1, "duration", 0),
     "service.json, record 1 (id svc_", "field 'duration': Input should be greater than 0"),
    ("duplicate id", "patient.json", _copy_id(2, 10),
     "patient.json, record 10 (id pat_", "field 'id': duplicate id"),
    ("duplicate service name", "service.json", lambda rs: rs[4].update(name=rs[0]["name"]),
     "service.json, record 4 (id svc_", "field 'name': duplicate service name"),
    ("wrong id prefix", "patient.json", _set(11, "id", "pt_123"),
     "patient.json, record 11 (id pt_123): field 'id'", "expected an id like 'pat_…'"),
    ("datetime with an offset", "appointment.json", _set(4, "created_date", "2025-03-17T11:15:00+02:00"),
     "appointment.json, record 4 (id apt_", "field 'created_date': expected a naive ISO datetime"),
    ("datetime as a number", "appointment.json", _set(4, "created_date", 1742210100),
     "appointment.json, record 4 (id apt_", "field 'created_date': expected a naive ISO datetime"),
    ("impossible date", "appointment.json", _set(4, "created_date", "2025-02-30T10:00:00"),
     "appointment.json, record 4 (id apt_", "field 'created_date': expected a naive ISO datetime"),
    ("birth date with a time", "patient.json", _set(6, "date_of_birth", "1971-09-17T08:00:00"),
     "patient.json, record 6 (id pat_", "field 'date_of_birth': expected a date written as 'YYYY-MM-DDT00:00:00'"),
    ("object where text is expected", "patient.json", _set(7, "address", {"street": "1 Main St", "city": "X"}),
     "patient.json, record 7 (id pat_", "field 'address': Input should be a valid string"),
    ("null text", "patient.json", _set(6, "last_name", None),
     "patient.json, record 6 (id pat_", "field 'last_name': Input should be a valid string"),
    ("record not an object", "appointment.json", lambda rs: rs.__setitem__(12, ["apt_x"]),
     "appointment.json, record 12: expected a JSON object, got an array", ""),
    ("line ends before it starts", "appointment_service.json", _end_before_start(20),
     "appointment_service.json, record 20 (appointment apt_", "field 'end': must be after 'start'"),
    ("appointment of a missing patient", "appointment.json", _set(30, "patient_id", "pat_missing"),
     "appointment.json, record 30 (id apt_", "field 'patient_id': no patient 'pat_missing' in patient.json"),
    ("line of a missing appointment", "appointment_service.json", _set(40, "appointment_id", "apt_missing"),
     "appointment_service.json, record 40 (appointment apt_missing)",
     "field 'appointment_id': no appointment 'apt_missing' in appointment.json"),
    ("line of a missing provider", "appointment_service.json", _set(41, "provider_id", "prv_missing"),
     "appointment_service.json, record 41 (appointment apt_", "field 'provider_id': no provider 'prv_missing'"),
    ("payment of a missing patient", "payment.json", _set(17, "patient_id", "pat_x"),
     "payment.json, record 17 (id pay_", "field 'patient_id': no patient 'pat_x' in patient.json"),
    ("payment of a missing service", "payment.json", _set(18, "service_id", "svc_x"),
     "payment.json, record 18 (id pay_", "field 'service_id': no service 'svc_x' in service.json"),
    ("payment by another patient than the appointment's", "payment.json", _other_patient(19),
     "payment.json, record 19 (id pay_", "is not the patient of appointment"),
    ("second payment for an appointment", "payment.json", _same_appointment(0, 21),
     "payment.json, record 21 (id pay_", "already has a payment (at most one per appointment)"),
]


@pytest.mark.parametrize(
    ("file", "change", "where", "reason"),
    [case[1:] for case in BAD_RECORDS],
    ids=[case[0] for case in BAD_RECORDS],
)
def test_a_bad_record_is_refused_and_the_data_kept(
    loaded_url: str, client_export_dir: Path, tmp_path: Path,
    file: str, change: Callable[[list[dict[str, Any]]], object], where: str, reason: str,
) -> None:
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, file, change)

    message = load_error(bad, loaded_url, replace=True)

    first = message.splitlines()[0]
    assert first.startswith(where), message
    assert reason in first, message
    assert db_state(loaded_url) == before


def test_malformed_json_names_the_record_being_read(loaded_url: str, client_export_dir: Path, tmp_path: Path) -> None:
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    records = json.loads((bad / "appointment.json").read_text())
    text = json.dumps(records[:3], indent=2)[:-2] + ",\n  {\"id\": \"apt_1\", \"status\": }\n]"
    (bad / "appointment.json").write_text(text)

    message = load_error(bad, loaded_url, replace=True)

    assert message.startswith("appointment.json, record 3: malformed JSON: parse error"), message
    assert "\n" not in message  # yajl's quote of the surrounding text (maybe personal data) is left out
    assert db_state(loaded_url) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"patients": []}', "expected a JSON array of records"),
        ("", "expected a JSON array of records"),
        ("[]  trailing", "malformed JSON: parse error: trailing garbage"),
        ('[{"id": "pat_1"', "malformed JSON: parse error: premature EOF"),
    ],
)
def test_a_file_that_is_not_an_array_of_records(
    loaded_url: str, client_export_dir: Path, tmp_path: Path, content: str, reason: str
) -> None:
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    (bad / "patient.json").write_text(content)

    message = load_error(bad, loaded_url, replace=True)

    assert message.startswith("patient.json"), message
    assert reason in message, message
    assert db_state(loaded_url) == before


def test_a_missing_file_is_named(loaded_url: str, client_export_dir: Path, tmp_path: Path) -> None:
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    (bad / "service.json").unlink()

    assert load_error(bad, loaded_url, replace=True) == f"service.json: file not found in {bad}"
    assert db_state(loaded_url) == before


def test_a_missing_folder_is_named_before_touching_the_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    message = load_error(missing, "postgresql://nobody@127.0.0.1:1/none")
    assert message.startswith(f"{missing}: no such folder"), message


def test_several_problems_of_one_file_are_reported_in_order(
    loaded_url: str, client_export_dir: Path, tmp_path: Path
) -> None:
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "payment.json", lambda rs: (rs[5000].update(amount=-5), rs[40].update(method="bitcoin"),
                                             rs[41].update(patient_id="pat_gone")))

    lines = load_error(bad, loaded_url, replace=True).splitlines()

    assert [line.split(":")[0] for line in lines] == [
        "payment.json, record 40 (id " + json.loads((bad / "payment.json").read_text())[40]["id"] + ")",
        "payment.json, record 41 (id " + json.loads((bad / "payment.json").read_text())[41]["id"] + ")",
        "payment.json, record 5000 (id " + json.loads((bad / "payment.json").read_text())[5000]["id"] + ")",
    ]
    assert "'method'" in lines[0] and "pat_gone" in lines[1] and "'amount'" in lines[2]


def test_what_only_the_database_refuses_is_reported_without_the_row(
    loaded_url: str, client_export_dir: Path, tmp_path: Path
) -> None:
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "patient.json", _set(8, "address", "12 Main St\u0000secret"))  # text may not hold NUL

    message = load_error(bad, loaded_url, replace=True)

    assert message.startswith("patient.json, record 8: field 'address': the database refused it: "), message
    assert "secret" not in message
    assert db_state(loaded_url) == before


def test_personal_data_is_not_echoed(loaded_url: str, client_export_dir: Path, tmp_path: Path) -> None:
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "patient.json", _set(0, "phone", "5" * 60 + "-secret"))

    message = load_error(bad, loaded_url, replace=True)

    assert "field 'phone'" in message and "secret" not in message


# --- all or nothing -----------------------------------------------------------------------------


def test_an_error_in_the_last_record_of_the_last_file_leaves_an_empty_database_empty(
    fresh_db_url: str, client_export_dir: Path, tmp_path: Path
) -> None:
    schema = schema_objects(fresh_db_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "payment.json", _set(-1, "appointment_id", "apt_missing"))

    message = load_error(bad, fresh_db_url)

    assert message.startswith("payment.json, record 5310 (id pay_"), message
    state = db_state(fresh_db_url)
    assert all(state[table] == 0 for table in TABLES), state
    assert schema_objects(fresh_db_url) == schema  # and the staging schema is gone


def _with_a_job_after(monkeypatch: pytest.MonkeyPatch, table: str, job: Any) -> None:
    """Make the load's crew run `job` (on one of its connections) once `table` is copied."""
    from service.seed import loader

    real_index_jobs = loader._index_jobs

    def index_jobs(crew, stage, name, *, after):  # type: ignore[no-untyped-def]
        if name == table:
            crew.add("extra", job, after=(after,))
        real_index_jobs(crew, stage, name, after=after)

    monkeypatch.setattr(loader, "_index_jobs", index_jobs)


def test_an_error_found_while_the_server_indexes_the_previous_table(
    loaded_url: str, client_export_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def busy(member: asyncpg.Connection) -> None:  # the crew is busy while appointment.json is read
        await member.execute("SELECT pg_sleep(0.5)")

    _with_a_job_after(monkeypatch, "patients", busy)
    before = db_state(loaded_url)
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "appointment.json", _set(0, "status", "done"))

    message = load_error(bad, loaded_url, replace=True)

    assert message.startswith("appointment.json, record 0 (id apt_"), message
    assert db_state(loaded_url) == before


def test_a_failure_on_the_server_side_leaves_the_data_and_no_stage(
    loaded_url: str, client_export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.seed import loader

    async def fails(member: asyncpg.Connection) -> None:
        await loader._statements("SELECT 1 / 0")(member)

    _with_a_job_after(monkeypatch, "appointments", fails)
    before, schema = db_state(loaded_url), schema_objects(loaded_url)

    message = load_error(client_export_dir, loaded_url, replace=True)

    assert message.startswith("building the new tables failed: division by zero"), message
    assert db_state(loaded_url) == before
    assert schema_objects(loaded_url) == schema  # the staging schema is gone too


def test_readers_keep_the_old_data_until_the_load_commits(
    make_database, client_export_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url: str = make_database()
    small = tmp_path / "small"
    generate(small, patients=50, seed=3)
    load_directory(small, url)
    seen: list[int] = []

    async def read(member: asyncpg.Connection) -> None:
        reader = await asyncpg.connect(url, server_settings={"lock_timeout": "2s"})
        try:  # not blocked by the load, and not shown its rows
            seen.append(await reader.fetchval("SELECT count(*) FROM patients"))
        finally:
            await reader.close()

    _with_a_job_after(monkeypatch, "payments", read)
    load_directory(client_export_dir, url, replace=True)

    assert seen == [50]
    assert db_state(url)["patients"] == 4000


def test_a_second_load_at_the_same_time_is_refused(
    loaded_url: str, client_export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.seed import loader, staging

    monkeypatch.setattr(loader, "_LOCK_TIMEOUT", "200ms")
    before = db_state(loaded_url)

    async def hold_the_load_lock() -> str:
        holder = await asyncpg.connect(loaded_url)
        try:
            await holder.execute("SELECT pg_advisory_lock($1)", staging._LOCK_KEY)
            with pytest.raises(LoadError) as caught:
                await loader.load_directory_async(client_export_dir, loaded_url, replace=True)
            return str(caught.value)
        finally:
            await holder.close()

    assert asyncio.run(hold_the_load_lock()).startswith("another load of this database is running")
    assert db_state(loaded_url) == before


# --- the command --------------------------------------------------------------------------------


def test_the_command_exits_non_zero_with_the_message_on_stderr(
    loaded_url: str, client_export_dir: Path, tmp_path: Path
) -> None:
    bad = export_copy(client_export_dir, tmp_path / "export")
    rewrite(bad, "payment.json", _set(17, "patient_id", "pat_x"))
    medspa = REPO_ROOT / ".venv" / "bin" / "medspa"
    command = [str(medspa)] if medspa.exists() else [str(shutil.which("medspa"))]

    result = subprocess.run(
        [*command, "seed", "load", "--dir", str(bad), "--replace"],
        env={**os.environ, "DATABASE_URL": loaded_url}, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode != 0
    assert "error: payment.json, record 17 (id pay_" in result.stderr
    assert "no patient 'pat_x' in patient.json" in result.stderr
    assert "Traceback" not in result.stderr
