"""Which database to use: `DATABASE_URL` when set, otherwise the embedded server (started on demand)."""

from __future__ import annotations

from service.db.embedded import server_for
from service.db.urls import to_plain_url
from service.settings import Settings, get_settings


def database_url(settings: Settings | None = None, *, start: bool = True) -> str:
    """The plain `postgresql://` URL of the database in force, starting the embedded server if needed."""
    settings = settings or get_settings()
    if settings.database_url:
        return to_plain_url(settings.database_url)
    server = server_for(settings.data_dir, settings.embedded_pg_port)
    return server.start() if start else server.url()
