"""one materialization concept: pre-aggregations in typed tables of their own

The pre-aggregations (formerly "rollups") now each store their rows in a table typed from their declaration
(`preagg_<name>`, made by the loader from the catalog: service/seed/materialized.py), so the shared text-typed
`rollup_rows` goes. `data_loads.rollups_catalog` becomes `built_from`: the fingerprint of the catalog every
materialization of that load was built from. A database loaded before this migration has no pre-aggregation
tables until its next load; until then queries read the rows (same answers).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table('rollup_rows')
    # the stored relations were built by the old engine: none is read until the next load records its catalog
    op.alter_column('data_loads', 'rollups_catalog', new_column_name='built_from')
    op.execute("UPDATE data_loads SET built_from = NULL")


def downgrade() -> None:
    op.alter_column('data_loads', 'built_from', new_column_name='rollups_catalog')
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
