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
            # as_of is a parameter of every summary's and chain's statement; a bridge's pairs do not depend on it
            if statement.sql.startswith(('INSERT INTO "patient_summary"', 'INSERT INTO "chain_rows"')):
                assert statement.params, statement.sql[:80]
            if statement.sql.startswith('INSERT INTO "bridge_rows"'):
                assert not statement.params, statement.sql[:80]
            assert statement.reads, statement.sql[:80]
            assert statement.reads <= set(LOADED_TABLES) | filled, statement.reads
            assert not statement.reads & set(step.tables), (step.name, statement.reads)


def test_summaries_read_the_loaded_rows_and_some_materializations_read_the_summaries() -> None:
    by_name = {step.name: step for step in steps()}
    assert set(by_name) >= {"summary patient_summary", "summary appointment_summary", "materializations"}
    [patient_summary] = by_name["summary patient_summary"].statements(AS_OF)
    assert patient_summary.reads >= {"patients", "appointments", "appointment_services", "payments"}
    reads = [statement.reads for statement in by_name["materializations"].statements(AS_OF)]
    assert any("appointment_summary" in read for read in reads)
    assert any(not read & {"patient_summary"} for read in reads)  # these need not wait for it
    tables = rebuilt_tables()
    assert {"preagg_payments_daily", "preagg_cohort_retention", "chain_rows", "bridge_rows"} <= set(tables)
    assert {"patient_summary", "appointment_summary", "service_line_summary"} <= set(tables)
