"""the reader role may set temp_file_limit

The read path sets `temp_file_limit` in each of its transactions, as `medspa_reader` (service/auth/db_role.py),
so one query cannot fill the server's disk with temporary files. The setting is a superuser's; PostgreSQL 15
and later can grant it to a role. A server that refuses the grant (older, or a managed one without superuser
rights) keeps working without the limit, and the API warns at startup.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        DO $$
        BEGIN
            IF current_setting('server_version_num')::int >= 150000
               AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                EXECUTE 'GRANT SET ON PARAMETER temp_file_limit TO medspa_reader';
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'cannot grant SET ON PARAMETER temp_file_limit to medspa_reader: queries run without it';
        END $$;
    """)


def downgrade() -> None:
    op.execute("""
        DO $$
        BEGIN
            IF current_setting('server_version_num')::int >= 150000
               AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medspa_reader') THEN
                EXECUTE 'REVOKE SET ON PARAMETER temp_file_limit FROM medspa_reader';
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END $$;
    """)
