"""Fixtures of the contract tests: the oracle over the client's export, at any as_of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import duckdb
import pytest

from tests.contract.duck import copy_postgres_to_duckdb
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


@pytest.fixture(scope="session")
def duck(client_db_url: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The loaded client export copied into an in-process DuckDB (tests/contract/duck.py). Do not write to it."""
    connection = duckdb.connect()
    copy_postgres_to_duckdb(client_db_url, connection)
    yield connection
    connection.close()
