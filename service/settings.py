"""Typed settings, read once from the environment (and `.env`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
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
        default=None, description="The file the workers of `medspa api` share sign-in attempts and known devices "
        "in (kept across restarts when set; else `medspa api` makes one per run).",
    )
    ui_port: int = 3000
    statement_timeout_ms: int = 15_000
    pool_size: int = Field(default=10, ge=1, description="Pooled connections per API worker (kept open).")
    pool_overflow: int = Field(default=20, ge=0, description="...and how many more it may open under load.")
    priority_pool_size: int = Field(
        default=2, ge=1, description="Connections per worker held back for /api/health and sign-in, which "
        "heavy queries cannot take.")
    query_slots: int = Field(default=3, ge=1, description="Uncached queries a worker runs on the database at once.")
    query_queue: int = Field(default=10, ge=0, description="...and how many more may wait (then 503 server_busy).")
    compile_budget_ms: int = Field(default=2_000, ge=50,
                                   description="CPU time one query's compilation may take (else limit_exceeded).")
    compile_process_at_startup: bool = Field(
        default=False, description="Start the process large queries compile in when the app starts (`medspa api` "
        "sets it; in-process uses such as `medspa query` start it only if a large query comes).")
    reader_temp_file_limit: str = Field(
        default="1GB", pattern=r"^(-1|[0-9]+ ?(kB|MB|GB|TB)?)$",
        description="PostgreSQL temp_file_limit for the read path (the reader role): disk one query may spill to.")
    header_timeout_s: float = Field(default=10.0, gt=0,
                                    description="A client must send a request's headers within this (slowloris).")
    body_timeout_s: float = Field(default=15.0, gt=0,
                                  description="...and its body within this; else 408 (the connection is closed).")
    trusted_proxies: str = Field(
        default="", description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For "
        "is believed (none by default: the client address is the socket's).")
    proxy_secret: SecretStr | None = Field(
        default=None, description="Shared with the UI server (`make run` makes one per run): a request carrying "
        "it in X-Medspa-Proxy has its client address in X-Forwarded-For (set by the UI, one address).")
    result_cache: bool = Field(
        default=True, validation_alias=AliasChoices("medspa_result_cache", "result_cache"),
        description="Cache query results per data version (MEDSPA_RESULT_CACHE=0 turns it off, e.g. to benchmark).",
    )
    session_idle_minutes: int = Field(default=15, description="Signed-in sessions end after this much idle time.")
    session_max_hours: int = Field(default=12, ge=1, description="...and this long after sign-in, however active.")
    session_cookie_secure: bool = Field(
        default=False, description="Secure cookies (sent over HTTPS only): on behind TLS, as docker-compose.yml "
        "runs it; off for `make run` over plain HTTP on 127.0.0.1, where a browser would drop them.")
    login_attempts_per_minute: int = Field(
        default=5, ge=1, description="Failed sign-ins a minute per client address and username "
        "(service/auth/rate_limit.py has the per-address and per-username rules).")
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
