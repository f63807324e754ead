"""agent queries on the audit trail

Every query an agent (a language model's API key, /mcp, the model path of /api/ask) runs is recorded whole:
the query as sent (`detail`, with the error code when it was refused) and how many rows small-group
suppression left out (`suppressed_rows`), beside the rows returned (`row_count`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = ("view_patient", "search_patients", "list_patients", "export_patients", "login", "logout",
               "login_failed")
NEW_ACTIONS = (*OLD_ACTIONS, "agent_query")


def _check(actions: tuple[str, ...]) -> str:
    return "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"


def upgrade() -> None:
    op.add_column('audit_events', sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('audit_events', sa.Column('suppressed_rows', sa.Integer(), nullable=True))
    op.drop_constraint(op.f('ck_audit_events_action'), 'audit_events', type_='check')
    op.create_check_constraint(op.f('ck_audit_events_action'), 'audit_events', _check(NEW_ACTIONS))
    # an agent key's queries of the last hour, read before each of its queries (the differencing check)
    op.create_index('ix_audit_events_actor_at', 'audit_events', ['actor', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_events_actor_at', table_name='audit_events')
    # the trail is append-only: agent rows stay, so the older check holds for new rows only (NOT VALID)
    op.drop_constraint(op.f('ck_audit_events_action'), 'audit_events', type_='check')
    op.execute(f"ALTER TABLE audit_events ADD CONSTRAINT ck_audit_events_action CHECK ({_check(OLD_ACTIONS)}) "
               "NOT VALID")
    op.drop_column('audit_events', 'suppressed_rows')
    op.drop_column('audit_events', 'detail')
