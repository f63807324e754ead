"""A generated data set (its manifest anchors as_of at a moment; it has pending and failed payments), loaded once
for this folder's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import signed_in_client
from tests.generated import generated_database


@pytest.fixture(scope="session")
def generated_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("frontdesk-seed")


@pytest.fixture(scope="session")
def generated_url(make_database: Callable[[], str], generated_folder: Path) -> str:
    return generated_database(make_database, generated_folder, patients=800, seed=5)


@pytest.fixture(scope="session")
def manager(generated_url: str) -> Iterator[TestClient]:
    with signed_in_client(generated_url) as client:
        yield client


@pytest.fixture(scope="session")
def front_desk(generated_url: str) -> Iterator[TestClient]:
    with signed_in_client(generated_url, "front_desk") as client:
        yield client
