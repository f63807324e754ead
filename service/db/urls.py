"""Database URL spelling: users give plain `postgresql://`, SQLAlchemy wants a driver name."""

from __future__ import annotations

from sqlalchemy.engine import make_url


def to_async_url(url: str) -> str:
    """`postgresql://...` (or `postgres://`) -> `postgresql+asyncpg://...`."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def to_plain_url(url: str) -> str:
    """Any SQLAlchemy PostgreSQL URL -> the libpq/asyncpg spelling `postgresql://...`."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
