"""The value index the parser matches words against: the business's vocabulary, never personal data."""

from __future__ import annotations

import asyncio

from semantic import band_labels, default_catalog
from service.ask import values
from service.ask.lexicon import value_dimensions
from service.services.query import data_state
from service.settings import Settings
from tests.ask.support import CLIENT_VALUES


def test_only_the_business_vocabulary_is_indexed() -> None:
    catalog = default_catalog()
    indexed = value_dimensions(catalog)
    assert set(indexed) == set(CLIENT_VALUES)
    for name in indexed:
        dimension = catalog.dimensions[name]
        assert not dimension.pii and not name.endswith(".id") and dimension.type == "string"
    bands = band_labels(catalog)
    assert bands["patient.age_band"] == ("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
    shown = [label for labels in bands.values() for label in labels]
    assert len(shown) == len(set(shown)), "a band label names one band of one dimension"
    assert not [label for label in shown if label.replace(",", "").replace("$", "").isdigit()], "no bare numbers"


def test_the_index_read_from_the_database_is_the_corpus_one_and_is_kept_per_data_version(client_db_url: str) -> None:
    from service.app import create_app

    settings = Settings(database_url=client_db_url)
    app = create_app(settings, url=client_db_url)

    async def run() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        async with app.router.lifespan_context(app):
            engine = app.state.engine
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                state = await data_state(raw.driver_connection)  # type: ignore[arg-type]
            first = await values.value_index(engine, settings, default_catalog(), state)
            again = await values.value_index(engine, settings, default_catalog(), state)
            assert again is first  # cached for this data version
            return first, again

    index, _ = asyncio.run(run())
    expected = {**CLIENT_VALUES, **band_labels(default_catalog())}
    assert {k: tuple(sorted(v)) for k, v in index.items()} == {k: tuple(sorted(v)) for k, v in expected.items()}
