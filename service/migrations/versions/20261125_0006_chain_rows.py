"""chain rows

Each row a chained distinct count counts, with the times of its value's previous such rows (the
catalog's `chains:`), rebuilt with the rollups at every load (service/seed/post_load.py); the query
path's reader role may read them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chain_rows',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('chain', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('prev1', sa.DateTime(), nullable=True),
    sa.Column('prev2', sa.DateTime(), nullable=True),
    sa.Column('d0', sa.Text(), nullable=True),
    sa.Column('d1', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_rows'))
    )
    op.create_index('ix_chain_rows_chain_at', 'chain_rows', ['chain', 'at'], unique=False,
                    postgresql_using='brin', postgresql_with={'pages_per_range': 32})
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                GRANT SELECT ON chain_rows TO medspa_reader;
            END IF;
        END $$;
    """)


def downgrade() -> None:
    op.drop_index('ix_chain_rows_chain_at', table_name='chain_rows')
    op.drop_table('chain_rows')
