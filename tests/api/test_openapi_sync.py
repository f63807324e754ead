"""The UI's TypeScript types come from `dashboard-ui/openapi.json`: it must be the API's current document."""

from __future__ import annotations

import json

from service.app import create_app
from service.settings import Settings
from tests.conftest import REPO_ROOT


def test_the_ui_openapi_document_is_current() -> None:
    committed = json.loads((REPO_ROOT / "dashboard-ui" / "openapi.json").read_text())
    current = json.loads(json.dumps(create_app(Settings()).openapi()))
    assert committed == current, "the API changed: run `make openapi` and commit dashboard-ui/openapi.json"
