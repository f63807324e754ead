"""docker-compose.yml, checked for its structure (this machine runs no Docker engine): only the UI is published,
the API connects as the least-privilege role the owner's setup makes, secure cookies are on, secrets come from
the environment, and every service runs the commands this repository has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.conftest import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    return {k: str(v) for k, v in env.items()} if isinstance(env, dict) else dict(e.split("=", 1) for e in env)


def test_the_ui_is_the_only_published_port(compose: dict[str, Any]) -> None:
    published = {name: s["ports"] for name, s in compose["services"].items() if s.get("ports")}
    assert published == {"ui": ["3000:3000"]}
    assert compose["services"]["api"].get("expose") == ["8000"]


def test_the_api_connects_as_the_app_role_and_setup_as_the_owner(compose: dict[str, Any]) -> None:
    services = compose["services"]
    owner = _env(services["db"])["POSTGRES_USER"]
    setup_url = make_url(_env(services["setup"])["DATABASE_URL"].replace("${", "").replace("}", ""))
    api_url = make_url(_env(services["api"])["DATABASE_URL"].replace("${", "").replace("}", ""))
    assert setup_url.username == owner  # migrations, loads and the role itself: as the owner
    assert api_url.username == "medspa_app" != owner
    command = services["setup"]["command"]
    assert "medspa migrate" in command and "medspa db app-role medspa_app" in command
    assert command.index("medspa migrate") < command.index("db app-role")  # the reader role exists first
    depends = services["api"]["depends_on"]
    assert depends == {"setup": {"condition": "service_completed_successfully"}}
    assert "migrate" not in services["api"]["command"]


def test_secure_cookies_are_on_behind_tls_and_the_note_says_so(compose: dict[str, Any]) -> None:
    assert _env(compose["services"]["api"])["SESSION_COOKIE_SECURE"] == "true"
    text = COMPOSE.read_text()
    assert "TLS" in text and "make run" in text  # why, and where they stay off


def test_secrets_come_from_the_environment_and_are_required(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    for name in ("POSTGRES_PASSWORD", "APP_DB_PASSWORD", "PROXY_SECRET"):
        assert re.search(rf"\$\{{{name}:\?[^}}]+\}}", text), f"{name} is not required from the environment"
    env = {name: _env(s) for name, s in compose["services"].items()}
    assert env["api"]["PROXY_SECRET"] == env["ui"]["PROXY_SECRET"]  # the UI's proxy and the API share it
    assert "medspa:medspa@" not in text  # no password written into the file


def test_services_run_what_the_repository_has(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "node server.mjs" in services["ui"]["command"]
    assert (REPO_ROOT / "dashboard-ui" / "server.mjs").exists()
    assert _env(services["ui"])["API_HOST"] == "api"
    api = services["api"]["command"]
    assert "medspa api" in api and "--host 0.0.0.0" in api
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (REPO_ROOT / Path(source)).exists(), f"{name} mounts {source}, which is not here"
            else:
                assert source in compose["volumes"], f"{name} uses volume {source}, not declared"


def test_the_app_role_command_exists() -> None:
    from typer.testing import CliRunner

    from service.cli import app

    result = CliRunner().invoke(app, ["db", "app-role", "--help"])
    assert result.exit_code == 0 and "least-privilege" in result.output
