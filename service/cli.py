"""The `medspa` command: database lifecycle, migrations, seed data, the API, queries."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import asyncpg
import typer

from service.settings import get_settings

T = TypeVar("T")

app = typer.Typer(help="Beauty Med Spa analytics.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database: embedded by default, any server via DATABASE_URL.", no_args_is_help=True)
seed_app = typer.Typer(help="Generate and load seed data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


# --- database ---------------------------------------------------------------------------------


@db_app.command("start")
def db_start() -> None:
    """Start the embedded server (no-op with DATABASE_URL) and print the URL."""
    from service.db.resolve import database_url

    typer.echo(database_url())


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server."""
    from service.db.embedded import server_for

    settings = get_settings()
    if settings.database_url:
        typer.echo("DATABASE_URL is set: that server is not ours to stop.")
        return
    stopped = server_for(settings.data_dir, settings.embedded_pg_port).stop()
    typer.echo("stopped" if stopped else "not running")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL in force (without starting anything)."""
    from service.db.resolve import database_url

    typer.echo(database_url(start=False))


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (Alembic, from models.py)."""
    from service.db.migrate import upgrade
    from service.db.resolve import database_url

    upgrade(database_url())
    typer.echo("schema up to date")


# --- seed data --------------------------------------------------------------------------------


@seed_app.command("generate")
def seed_generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the six JSON files into.")],
    patients: Annotated[int, typer.Option(help="How many patients.")] = 4000,
    seed: Annotated[int, typer.Option(help="Random seed: same arguments, same bytes.")] = 42,
    anchor: Annotated[str | None, typer.Option(help="'Today' of the data (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Write a realistic, deterministic data set in the client's six-file format."""
    import time

    from service.seed.generator import generate

    anchor_date = dt.date.fromisoformat(anchor) if anchor else None
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate(out, patients=patients, seed=seed, anchor=anchor_date)
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{kind} {count:,}" for kind, count in counts.items())
    typer.echo(f"wrote {out}: {summary} in {elapsed:.1f}s")


@seed_app.command("load")
def seed_load(
    directory: Annotated[Path, typer.Option("--dir", help="Folder with the six JSON files.")],
    replace: Annotated[bool, typer.Option("--replace", help="Swap out existing data atomically.")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only into an empty database; otherwise do nothing.")
    ] = False,
) -> None:
    """Validate every record and load all of it in one transaction, or nothing."""
    from service.db.resolve import database_url
    from service.db.status import database_has_data
    from service.seed.loader import LoadError, load_directory

    url = database_url()
    if if_empty and database_has_data(url):
        typer.echo("database already has data: not loading (use --replace to swap it out)")
        return
    try:
        summary = load_directory(directory, url, replace=replace, progress=sys.stderr.isatty())
    except LoadError as err:
        raise _fail(str(err)) from None
    typer.echo(summary.render())


# --- accounts ---------------------------------------------------------------------------------

users_app = typer.Typer(help="Staff accounts for the dashboard.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for programs (the AI agent).", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")

DEMO_USERS = (("manager", "manager", "manager-demo-pass"), ("frontdesk", "front_desk", "frontdesk-demo-pass"))


def _with_connection(action: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `await action(conn)` in a transaction on the database in force (migrated first)."""
    import asyncio

    from service.db.migrate import upgrade
    from service.db.resolve import database_url

    url = database_url()
    upgrade(url)

    async def run() -> T:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                return await action(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help="front_desk or manager.")] = "front_desk",
) -> None:
    """Add a staff user; the password is read from standard input."""
    from service.auth.store import AccountError, add_user

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        _with_connection(lambda conn: add_user(conn, name, password, role))
    except AccountError as err:
        raise _fail(str(err)) from None
    typer.echo(f"user '{name}' added with role {role}")


@users_app.command("demo")
def users_demo() -> None:
    """Create the demo users if there are no users yet, and print their credentials."""
    from service.auth.store import add_user

    async def create(conn: asyncpg.Connection) -> bool:
        if await conn.fetchval("SELECT count(*) FROM users"):
            return False
        for username, role, password in DEMO_USERS:
            await add_user(conn, username, password, role)
        return True

    if _with_connection(create):
        typer.echo("demo users created:")
        for username, role, password in DEMO_USERS:
            typer.echo(f"  {username:<10} / {password:<20} ({role})")
    else:
        typer.echo("users exist already: no demo users created")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="What the key is for.")] = "agent",
    role: Annotated[str, typer.Option(help="agent (default), front_desk or manager.")] = "agent",
) -> None:
    """Create an API key (sent as `Authorization: Bearer <key>`); it is shown only once."""
    from service.auth.store import AccountError, create_api_key

    try:
        key = _with_connection(lambda conn: create_api_key(conn, name, role))
    except AccountError as err:
        raise _fail(str(err)) from None
    typer.echo(key)


# --- serving and querying ---------------------------------------------------------------------


@app.command("api")
def api(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Worker processes (default: API_WORKERS, else one per CPU core, at most 4).")] = None,
) -> None:
    """Serve the API alone (uvicorn), in one or more worker processes."""
    import os
    import shutil
    import tempfile

    import uvicorn

    from service.settings import default_workers

    settings = get_settings()
    count = workers or settings.api_workers or default_workers()
    host, port = host or settings.api_host, port or settings.api_port
    if count == 1:
        from service.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
        return
    from service.db.resolve import database_url

    # Each worker builds its own app from the environment (this process only supervises them): resolve
    # (and start) the database once here, and give the workers one file to count sign-in attempts in
    # (service/auth/rate_limit.py).
    shared = Path(tempfile.mkdtemp(prefix="medspa-api-"))
    os.environ["DATABASE_URL"] = database_url(settings)
    os.environ["LOGIN_LIMITER_FILE"] = str(shared / "login-attempts.sqlite")
    try:
        uvicorn.run("service.app:create_app", factory=True, workers=count, host=host, port=port,
                    log_level="warning", access_log=False)  # the app logs each request itself
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@app.command("mcp")
def mcp() -> None:
    """Serve the MCP tools over stdio for Claude Desktop and other MCP clients (acts as the agent role)."""
    from service.agent.stdio import run_stdio

    run_stdio(get_settings())


@app.command("openapi")
def openapi(out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None) -> None:
    """Print the OpenAPI document (the source of the UI's TypeScript types)."""
    from service.app import create_app

    document = json.dumps(create_app(get_settings()).openapi(), indent=2, sort_keys=False) + "\n"
    if out:
        out.write_text(document)
    else:
        typer.echo(document, nl=False)


# --- semantic query (owned by the semantic layer) ----------------------------------------------


@app.command("query")
def query(
    body: Annotated[str, typer.Argument(help="The query as JSON (see docs/query-api.md); `-` reads stdin.")],
    sql: Annotated[bool, typer.Option("--sql", help="Print the SQL it would run instead (POST /api/query/sql).")]
    = False,
    dialect: Annotated[str, typer.Option(help="SQL dialect for --sql: postgres or duckdb.")] = "postgres",
) -> None:
    """Run a semantic query and print exactly the API's response body; exit 1 when it is refused."""
    import asyncio

    from service.services.query_cli import post_in_process

    text = sys.stdin.read() if body == "-" else body
    path, params = ("/api/query/sql", {"dialect": dialect}) if sql else ("/api/query", None)
    status, response = asyncio.run(post_in_process(get_settings(), path, text, params))
    typer.echo(response)
    if status != 200:
        raise typer.Exit(code=1)


# --- end of semantic query ----------------------------------------------------------------------


@app.command("ask")
def ask(
    question: Annotated[str, typer.Argument(help="A question in plain words, e.g. \"revenue by source last month\".")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's response body (POST /api/ask).")] = False,
) -> None:
    """Ask a question as the local manager: the built-in parser answers unless a language model is configured."""
    import asyncio

    from service.ask.cli_output import render
    from service.services.query_cli import post_in_process

    status, response = asyncio.run(post_in_process(get_settings(), "/api/ask", json.dumps({"question": question})))
    typer.echo(response if as_json or status != 200 else render(json.loads(response)))
    if status != 200:
        raise typer.Exit(code=1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
