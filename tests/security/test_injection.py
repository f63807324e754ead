"""Hostile text everywhere a query takes text: filter values, search text, member names, order fields, ranges.

Every answer is a structured 4xx or a correct (usually empty) result, never a 5xx, and the data is the
same afterwards (row counts and checksums of every data table, the list of tables, the roles)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from tests.security.conftest import Callers, run_db

CORPUS: list[str] = [
    "'", "''", '"', "`", "\\", "\\'", "%", "_", "%_%", "$1", "$$", "$tag$", ";",
    "' OR '1'='1", "' OR 1=1 --", "1; SELECT 1", "'; DROP TABLE patients; --", "\"; DROP TABLE patients; --",
    "x'); DELETE FROM payments; --", "-- comment", "/* comment */", "*/ SELECT 1 /*", "' UNION SELECT password_hash "
    "FROM users --", "'; SET ROLE postgres; --", "'; COPY patients TO '/tmp/x'; --", "'||pg_sleep(5)||'",
    "NULL", "null", "true", "0x41", "1e309", "-0", "９９",  # full-width digits
    "\u202egnp.exe", "مرحبا بالعالم", "שלום", "Zoë Ñúñez", "李小龍", "💉👩‍⚕️✨", "a\u200bb", "e\u0301",
    "\x00", "a\x00b", "\r\n", "\t", "\x1b[31m", "\ud800",  # NUL, control chars, a lone surrogate
    "A" * 100_000, "'" * 100_000, "é" * 50_000,
]
IDS = [repr(s[:12]) + (f"..({len(s)})" if len(s) > 12 else "") for s in CORPUS]
BASE: dict[str, Any] = {"dimensions": ["patient.source"], "limit": 5}  # a listing that is not audited
IDS_ONLY: dict[str, Any] = {"dimensions": ["patient.id"], "limit": 5}


def _with(base: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    return {**(base or BASE), **parts}


# Where a text goes: a function from the text to a query body.
PLACES: dict[str, Callable[[str], dict[str, Any]]] = {
    "equals value": lambda s: _with(filters=[{"field": "patient.last_name", "op": "equals", "value": s}]),
    "in values": lambda s: _with(filters=[{"field": "patient.source", "op": "in", "values": [s, "google"]}]),
    "contains value": lambda s: _with(filters=[{"field": "patient.email", "op": "contains", "value": s}]),
    "starts_with value": lambda s: _with(filters=[{"field": "patient.phone", "op": "starts_with", "value": s}]),
    "number filter value": lambda s: _with(filters=[{"field": "patient.age", "op": "gt", "value": s}]),
    "date filter value": lambda s: _with(filters=[{"field": "patient.created_at", "op": "gte", "value": s}]),
    "service filter": lambda s: _with(filters=[{"field": "service.name", "op": "equals", "value": s}]),
    "search text": lambda s: _with(filters=[{"field": "patient.search", "op": "search", "value": s}]),
    "dimension name": lambda s: {"dimensions": [s]},
    "measure name": lambda s: {"measures": [s]},
    "filter field": lambda s: _with(filters=[{"field": s, "op": "equals", "value": "x"}]),
    "filter op": lambda s: _with(filters=[{"field": "patient.name", "op": s, "value": "x"}]),
    "order field": lambda s: _with(order=[{"field": s, "dir": "asc"}]),
    "order dir": lambda s: _with(order=[{"field": "patient.name", "dir": s}]),
    "time range": lambda s: {"measures": ["revenue"], "time": {"range": s}},
    "as_of": lambda s: {"measures": ["revenue"], "as_of": s},
}

# Where the front desk's own scope check reads the text too.
FRONT_DESK_PLACES = ("equals value", "search text", "filter field", "order field", "dimension name")

DATA_TABLES = ("patients", "providers", "services", "appointments", "appointment_services", "payments",
               "patient_summary", "data_loads", "users", "api_keys")


def fingerprint(url: str) -> dict[str, Any]:
    async def take(conn: asyncpg.Connection) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for table in DATA_TABLES:
            out[table] = tuple(await conn.fetchrow(
                f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
                f"FROM {table} t"))
        out["tables"] = [r[0] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        out["roles"] = [r[0] for r in await conn.fetch("SELECT rolname FROM pg_roles ORDER BY 1")]
        return out

    result: dict[str, Any] = run_db(url, take)
    return result


@pytest.fixture(scope="module")
def before(callers: Callers) -> dict[str, Any]:
    return fingerprint(callers.url)


def _check(response: Any, place: str, text: str) -> None:
    assert response.status_code < 500, f"{place} {text[:40]!r}: {response.status_code} {response.text[:300]}"
    body = response.json()
    if response.status_code >= 400:
        error = body["error"]
        assert error["code"] and error["message"], body
        assert "Traceback" not in response.text and "asyncpg" not in response.text
    else:
        assert isinstance(body["rows"], list) and body["total_rows"] >= len(body["rows"])


@pytest.mark.parametrize("text", CORPUS, ids=IDS)
def test_hostile_text_gets_a_structured_answer(callers: Callers, before: dict[str, Any], text: str) -> None:
    started = time.monotonic()
    for place, build in PLACES.items():
        body = json.dumps(build(text))  # lone surrogates go as \\ud800 escapes, as a browser would send them
        for role in ("manager", "front_desk") if place in FRONT_DESK_PLACES else ("manager",):
            response = callers.call(role, "POST", "/api/query", content=body,
                                    headers={"content-type": "application/json"})
            _check(response, place, text)
    assert time.monotonic() - started < 30, "one text must not tie the server up"


def test_the_text_finds_only_what_it_says(callers: Callers) -> None:
    """Quotes and wildcards are values, not syntax: they match literally."""
    for text in ("' OR '1'='1", "%", "_", "%_%", "\\"):
        rows = callers.call("manager", "POST", "/api/query", json=_with(
            IDS_ONLY, filters=[{"field": "patient.last_name", "op": "equals", "value": text}])).json()["rows"]
        assert rows == []
    patient = callers.patient
    exact = callers.call("manager", "POST", "/api/query", json=_with(
        IDS_ONLY, filters=[{"field": "patient.last_name", "op": "equals", "value": patient.last_name}])).json()["rows"]
    assert patient.id in {r["patient.id"] for r in exact}
    wildcard = callers.call("manager", "POST", "/api/query", json=_with(
        filters=[{"field": "patient.email", "op": "contains", "value": "%"}])).json()
    assert wildcard["total_rows"] == 0  # '%' is a character here, not "anything"


def test_the_data_is_unchanged_afterwards(callers: Callers, before: dict[str, Any]) -> None:
    # runs after the corpus (same module, file order)
    assert fingerprint(callers.url) == before
