"""The post-load steps: what each statement reads decides when the loader may run it."""

from __future__ import annotations

import datetime as dt

from service.seed.loader import LOADED_TABLES
from service.seed.post_load import rebuilt_tables, steps

AS_OF = dt.date(2025, 11, 26)


def test_every_statement_names_what_it_reads_and_not_what_it_fills() -> None:
    filled = set(rebuilt_tables())
    for step in steps():
        statements = step.statements(AS_OF)
        assert statements, step.name
        for statement in statements:
            assert statement.sql.startswith("INSERT INTO")
            # as_of is a parameter of every statement but a bridge's (its pairs do not depend on it)
            assert bool(statement.params) != statement.sql.startswith('INSERT INTO "bridge_rows"'), statement.sql[:80]
            assert statement.reads, statement.sql[:80]
            assert statement.reads <= set(LOADED_TABLES) | filled, statement.reads
            assert not statement.reads & set(step.tables), (step.name, statement.reads)


def test_summaries_read_the_loaded_rows_and_some_rollups_read_the_summaries() -> None:
    by_name = {step.name: step for step in steps()}
    assert set(by_name) >= {"summary patient_summary", "summary appointment_summary", "rollups"}
    [patient_summary] = by_name["summary patient_summary"].statements(AS_OF)
    assert patient_summary.reads >= {"patients", "appointments", "appointment_services", "payments"}
    rollup_reads = [statement.reads for statement in by_name["rollups"].statements(AS_OF)]
    assert any("appointment_summary" in reads for reads in rollup_reads)
    assert any(not reads & {"patient_summary"} for reads in rollup_reads)  # these need not wait for it
    assert rebuilt_tables()[-3:] == ("rollup_rows", "chain_rows", "bridge_rows")
