"""bridge rows

Each (source, target) pair a bridge of the catalog links (a patient and a service they had), rebuilt
with the rollups at every load (service/seed/post_load.py); the query path's reader role may read them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bridge_rows',
    sa.Column('bridge', sa.String(length=64), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('bridge', 'target', 'key', name=op.f('pk_bridge_rows'))
    )
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                GRANT SELECT ON bridge_rows TO medspa_reader;
            END IF;
        END $$;
    """)


def downgrade() -> None:
    op.drop_table('bridge_rows')
