"""data_state(): the data's state as one row, for every request's first statement

The latest load (version, as_of, the catalog its materializations were built from) and the summaries' as_of,
as a SQL function: the caller's session or API key check reads it in the same statement (one round trip), a
fixed statement rather than two SQL texts pasted together. A function (its body a string, resolved when it
runs) rather than a view: a view would hold on to `patient_summary`, which every load replaces.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION data_state()
        RETURNS TABLE (version bigint, as_of date, built_from varchar, summary_as_of date)
        LANGUAGE sql STABLE AS $$
            SELECT latest.version, latest.as_of, latest.built_from,
                   (SELECT s.as_of FROM patient_summary AS s LIMIT 1)
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (SELECT d.version, d.as_of, d.built_from FROM data_loads AS d
                               ORDER BY d.version DESC LIMIT 1) AS latest ON true
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


def downgrade() -> None:
    op.execute("DROP FUNCTION data_state()")
