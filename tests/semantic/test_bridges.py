"""Bridges (`kind: bridge` in metrics.yaml, table bridge_rows): validated when the catalog loads, read only when they
answer a group of filters exactly, and then counting the same rows as the EXISTS over the joined rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from semantic import CatalogError, Compiled, Query, build_catalog, compile_query, default_catalog
from tests.generated import generated_database
from tests.semantic.routed import LATEST_LOAD, compile_routed, routed_context
from tests.semantic.test_catalog_validation import BASE

# --- validation ------------------------------------------------------------------------------------


def _issues(text: str) -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogError) as caught:
        build_catalog(text, "test.yaml")
    return [(i.rule, i.member, i.message + " | " + i.fix) for i in caught.value.issues]


def test_a_well_formed_bridge_loads():
    text = BASE + "materializations:\n  patient_payments:\n    kind: bridge\n    from: patient\n    to: payment\n"
    bridge = build_catalog(text, "test.yaml").materializations["patient_payments"]
    assert (bridge.source, bridge.target, bridge.line) == ("patient", "payment", BASE.count("\n") + 2)
    default = default_catalog().materializations["patient_services"]
    assert (default.source, default.target) == ("patient", "service")


@pytest.mark.parametrize(("bridges", "expected"), [
    ("  b:\n    kind: bridge\n    from: patients\n    to: service\n",
     "unknown entity 'patients' | did you mean 'patient'"),
    ("  b:\n    kind: bridge\n    from: patient\n    to: servce\n",
     "unknown entity 'servce' | did you mean 'service'"),
    ("  b:\n    kind: bridge\n    from: appointment\n    to: patient\n",
     "appointment -> patient has no one-to-many join | remove it: a filter through many-to-one joins is a plain join"),
    ("  b:\n    kind: bridge\n    from: service_line\n    to: payment\n",
     "service_line -> appointment -< payment goes up a many-to-one join, then down again"),
    ("  b:\n    kind: bridge\n    from: patient\n    to: service\n",
     "repeats bridge 'patient_services' (patient to service)"),
])
def test_bridge_mistakes_are_reported_with_a_fix(bridges: str, expected: str):
    text = Path(default_catalog().file).read_text() + bridges
    found = _issues(text)
    assert any(rule == "bridge" and member == "b" and expected in message for rule, member, message in found), found


# --- when a bridge is read -------------------------------------------------------------------------

PATIENTS: dict[str, Any] = {"dimensions": ["patient.id", "patient.name"],
                            "order": [{"field": "patient.last_name", "dir": "asc"}], "limit": 50}


def _listing(*filters: dict[str, Any]) -> dict[str, Any]:
    return {**PATIENTS, "filters": list(filters)}


BOTOX = {"field": "service.name", "op": "in", "values": ["Botox Injection"]}


def test_a_count_filtered_by_service_alone_counts_the_bridge_keys():
    compiled = compile_routed(_listing(BOTOX))
    assert compiled.count_sql is not None
    assert "COUNT(DISTINCT" in compiled.count_sql and "bridge_rows" in compiled.count_sql
    assert '"appointments"' not in compiled.count_sql and '"patients"' not in compiled.count_sql
    # the page walks its order and tests each patient: one probe of the bridge's key instead of its visits
    assert "bridge_rows" in compiled.sql and '"appointment_services"' not in compiled.sql


def test_with_other_filters_the_count_tests_each_patient_against_the_bridge():
    compiled = compile_routed(_listing(BOTOX, {"field": "patient.source", "op": "equals", "value": "instagram"}))
    assert compiled.count_sql is not None
    assert "EXISTS" in compiled.count_sql and "bridge_rows" in compiled.count_sql
    assert '"appointments"' not in compiled.count_sql


def test_bridges_are_read_only_when_built_for_this_catalog_and_in_postgres():
    assert "bridge_rows" not in (compile_routed(_listing(BOTOX), routed_context(built="another")).count_sql or "")
    duck = compile_query(Query.model_validate(_listing(BOTOX)), default_catalog(), routed_context(), "duckdb",
                         use_cache=False)
    assert duck.count_sql is not None and "bridge_rows" not in duck.count_sql


@pytest.mark.parametrize("filters", [
    [{"field": "service.name", "op": "not_in", "values": ["Botox Injection"]}],  # true on a line without service
    [{"field": "service.name", "op": "is_null", "match": "any"}],  # (without match: refused, a finer entity)
    [BOTOX, {"field": "provider.name", "op": "contains", "value": "a"}],  # one line: a service and a provider
    [BOTOX, {"field": "appointment.status", "op": "equals", "value": "completed"}],
])
def test_filters_a_bridge_cannot_answer_read_the_rows(filters: list[dict[str, Any]]):
    compiled = compile_routed(_listing(*filters))
    assert compiled.count_sql is not None and "bridge_rows" not in compiled.count_sql


# --- same counts -----------------------------------------------------------------------------------

SAME: list[tuple[list[dict[str, Any]], bool]] = [  # filters, read from the bridge
    ([BOTOX], True),
    ([{"field": "service.name", "op": "in", "values": ["Botox Injection", "Chemical Peel", "HydraFacial"]}], True),
    ([{"field": "service.name", "op": "equals", "value": "No such service"}], True),
    ([{"field": "service.name", "op": "contains", "value": "fill"}], True),
    ([{"field": "service.price", "op": "gte", "value": 30000}], True),
    ([BOTOX, {"field": "patient.source", "op": "in", "values": ["instagram", "google"]}], True),
    ([BOTOX, {"field": "patient.search", "op": "search", "value": "a"}], True),
    ([BOTOX, {"field": "patient.lifetime_spend", "op": "gt", "value": 100000}], True),
    ([{"field": "service.name", "op": "not_in", "values": ["Botox Injection"]}], False),
    ([BOTOX, {"field": "provider.name", "op": "contains", "value": "a"}], False),
]


async def _same_counts(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        state = await conn.fetchrow(LATEST_LOAD)
        assert state["built_from"] == default_catalog().fingerprint
        fast_ctx = routed_context(state["as_of"], state["as_of"], time=state["as_of_time"])
        slow_ctx = routed_context(state["as_of"], state["as_of"], built="not this catalog",
                                  time=state["as_of_time"])
        nonzero = 0
        for filters, bridged in SAME:
            body = _listing(*filters)
            fast, slow = compile_routed(body, fast_ctx), compile_routed(body, slow_ctx)
            assert fast.count_sql is not None and slow.count_sql is not None
            assert ("bridge_rows" in fast.count_sql) == ("bridge_rows" in fast.sql) == bridged, filters
            assert "bridge_rows" not in slow.count_sql + slow.sql, filters
            got, want = await _count(conn, fast), await _count(conn, slow)
            assert got == want, (filters, got, want)
            page = [tuple(r) for r in await conn.fetch(fast.sql, *fast.params)]
            assert page == [tuple(r) for r in await conn.fetch(slow.sql, *slow.params)], filters
            assert len(page) == min(got, PATIENTS["limit"]), filters
            nonzero += got > 0
        return nonzero
    finally:
        await conn.close()


async def _count(conn: asyncpg.Connection, compiled: Compiled) -> int:
    assert compiled.count_sql is not None
    total: int = await conn.fetchval(compiled.count_sql, *compiled.count_params)
    return total


def test_bridges_count_the_rows_of_the_joins(client_db_url: str):
    """On the client's export as loaded (bridges built by the load)."""
    assert asyncio.run(_same_counts(client_db_url)) >= len(SAME) - 2


def test_bridges_count_the_rows_of_the_joins_on_generated_data(make_database, tmp_path: Path):
    """On generated data (no client export needed), loaded by the real loader."""
    url = generated_database(make_database, tmp_path / "data", patients=500, seed=9)
    assert asyncio.run(_same_counts(url)) >= len(SAME) - 2
