"""as_of moment, money owed, the schedule's audit action, search closeness

A data set's as_of may be a moment (its manifest's, semantic/asof.py): the load records its time of day
and the summaries are stamped with it; `data_state()` (migration 0012) returns both times too. The summaries also carry what is owed: appointment.amount_due and
patient.balance_due (metrics.yaml). The front desk's day (GET /api/schedule) is audited as `view_schedule`. A
search's close spellings (semantic/render/search.py, pg_trgm's `<%`) need a word similarity of 0.62, not the
default 0.6: a misspelt short word then no longer matches every patient sharing the other word ("chloe yag" is
Chloe Yang, not every Chloe), and the trigram index returns tens of rows instead of thousands.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 03:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD_SIMILARITY = "0.62"
_STAMPED = ('data_loads', 'patient_summary', 'appointment_summary', 'service_line_summary')
_ACTIONS = ('view_patient', 'search_patients', 'list_patients', 'export_patients', 'login', 'logout', 'login_failed',
            'agent_query')


def _actions_check(actions: tuple[str, ...]) -> None:
    op.drop_constraint(op.f('ck_audit_events_action'), 'audit_events', type_='check')
    op.create_check_constraint(op.f('ck_audit_events_action'), 'audit_events',
                               "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")")


def upgrade() -> None:
    for table in _STAMPED:
        op.add_column(table, sa.Column('as_of_time', sa.Time(), nullable=True))
    # The summaries are rebuilt by every load. Those of an earlier load lack the new columns' values: emptied,
    # queries compute every per-patient fact inline (same numbers, slower) until the next load rebuilds them.
    op.execute('TRUNCATE patient_summary, appointment_summary, service_line_summary')
    op.add_column('patient_summary', sa.Column('balance_due', sa.BigInteger(), nullable=False))
    op.add_column('appointment_summary', sa.Column('amount_due', sa.BigInteger(), nullable=True))
    _actions_check((*_ACTIONS, 'view_schedule'))
    _word_similarity(f"SET pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}")
    _data_state(moments=True)


def _data_state(moments: bool) -> None:
    """data_state() with (or, downgraded, without) the as_of times: its row type changes, so drop and create."""
    times = ", as_of_time time, summary_as_of_time time" if moments else ""
    selected = ", latest.as_of_time, summary.as_of_time" if moments else ""
    op.execute("DROP FUNCTION data_state()")
    op.execute(f"""
        CREATE FUNCTION data_state()
        RETURNS TABLE (version bigint, as_of date, built_from varchar, summary_as_of date{times})
        LANGUAGE sql STABLE AS $$
            SELECT latest.version, latest.as_of, latest.built_from, summary.as_of{selected}
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (SELECT d.version, d.as_of, d.built_from{", d.as_of_time" if moments else ""}
                               FROM data_loads AS d ORDER BY d.version DESC LIMIT 1) AS latest ON true
            LEFT JOIN LATERAL (SELECT s.as_of{", s.as_of_time" if moments else ""} FROM patient_summary AS s
                               LIMIT 1) AS summary ON true
        $$
    """)
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                GRANT EXECUTE ON FUNCTION data_state() TO medspa_reader;
            END IF;
        END $$;
    """)


def _word_similarity(setting: str) -> None:
    """The database's default for new sessions; a role that may not alter the database keeps pg_trgm's 0.6
    (search still works, with looser close spellings)."""
    op.execute(f"""
        DO $$
        BEGIN
            EXECUTE format('ALTER DATABASE %I {setting}', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm.word_similarity_threshold left at its default: %', SQLERRM;
        END $$;
    """)


def downgrade() -> None:
    _data_state(moments=False)
    _word_similarity("RESET pg_trgm.word_similarity_threshold")
    op.execute("DELETE FROM audit_events WHERE action = 'view_schedule'")
    _actions_check(_ACTIONS)
    op.drop_column('appointment_summary', 'amount_due')
    op.drop_column('patient_summary', 'balance_due')
    for table in _STAMPED:
        op.drop_column(table, 'as_of_time')
