"""Typed settings, read once from the environment (and `.env`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="Any PostgreSQL server; without it an embedded server is used."
    )
    data_dir: Path = Field(default=REPO_ROOT / ".data", description="Where the embedded server keeps its files.")
    embedded_pg_port: int = Field(default=54329, description="TCP port of the embedded server on 127.0.0.1.")
    metrics_file: Path = Field(default=REPO_ROOT / "metrics.yaml")
    as_of: str | None = Field(
        default=None, pattern=r"^(?i:now|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2})?)$",
        description="Overrides the data's as_of: a date (YYYY-MM-DD), a moment (YYYY-MM-DDTHH:MM) or `now` (the "
                    "clinic's local time, for a live deployment).")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int | None = Field(
        default=None, ge=1, le=64,
        description="uvicorn worker processes for `medspa api` (unset: `default_workers()`).",
    )
    login_limiter_file: Path | None = Field(
        default=None, description="Set by `medspa api` for its workers: the file they share sign-in attempts in.",
    )
    ui_port: int = 3000
    statement_timeout_ms: int = 15_000
    pool_size: int = 10
    result_cache: bool = Field(
        default=True, validation_alias=AliasChoices("medspa_result_cache", "result_cache"),
        description="Cache query results per data version (MEDSPA_RESULT_CACHE=0 turns it off, e.g. to benchmark).",
    )
    session_idle_minutes: int = Field(default=15, description="Signed-in sessions end after this much idle time.")
    session_max_hours: int = Field(default=12, ge=1, description="...and this long after sign-in, however active.")
    session_cookie_secure: bool = Field(default=False, description="Set behind HTTPS.")
    login_attempts_per_minute: int = 5
    export_page_rows: int = Field(default=10_000, ge=1, le=10_000,
                                  description="Rows fetched per page by POST /api/patients/export (the engine's cap).")
    ui_origin: str = Field(default="http://127.0.0.1:3000", description="The only origin CORS allows.")
    agent_min_group_size: int = Field(
        default=11, ge=2, description="The agent scope's k: a measure with 1 to k-1 contributing patients is "
        "suppressed, and a query selecting 1 to k-1 patients in all is refused (docs/security.md).")
    agent_rate_limit: int = Field(default=600, ge=1, description="Queries per hour one agent key may run.")


MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One API worker per CPU core, at most MAX_DEFAULT_WORKERS: the database shares the cores, and
    past a few workers each one mostly waits on it."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


@lru_cache
def get_settings() -> Settings:
    return Settings()
