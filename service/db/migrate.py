"""Run Alembic migrations programmatically (`medspa migrate`, the loader, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from service.settings import REPO_ROOT


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "service" / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the latest)."""
    command.upgrade(alembic_config(url), revision)
