"""Fixtures of the contract tests: the oracle over the client's export, at any as_of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.contract.oracle import Export, Model


@pytest.fixture(scope="session")
def client_export(client_export_dir: Path) -> Export:
    return Export.read(client_export_dir)


@pytest.fixture(scope="session")
def models(client_export: Export) -> Callable[[dt.date | None], Model]:
    """`models(as_of)`: the oracle's model of the client's export at as_of (None: the data's own)."""

    @cache
    def at(as_of: dt.date | None) -> Model:
        return Model(client_export, as_of)

    return at
