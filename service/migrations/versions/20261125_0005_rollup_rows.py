"""rollup rows

Pre-aggregated measures per day (the catalog's `rollups:`), rebuilt after the summaries at every load
(service/seed/post_load.py); the query path's reader role may read them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rollup_rows',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('rollup', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('d0', sa.Text(), nullable=True),
    sa.Column('d1', sa.Text(), nullable=True),
    sa.Column('d2', sa.Text(), nullable=True),
    sa.Column('d3', sa.Text(), nullable=True),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Numeric(), nullable=True),
    sa.Column('rows', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_rows'))
    )
    op.create_index('ix_rollup_rows_rollup_day', 'rollup_rows', ['rollup', 'day'], unique=False)
    op.add_column('data_loads', sa.Column('rollups_catalog', sa.String(length=64), nullable=True))
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                GRANT SELECT ON rollup_rows TO medspa_reader;
            END IF;
        END $$;
    """)


def downgrade() -> None:
    op.drop_column('data_loads', 'rollups_catalog')
    op.drop_index('ix_rollup_rows_rollup_day', table_name='rollup_rows')
    op.drop_table('rollup_rows')
