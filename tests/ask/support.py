"""The parser's inputs for tests that need no database: the catalog's lexicon plus the values of the
client's export (as `values.py` reads them from a loaded database; tests/ask/test_values.py checks that)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from semantic import band_labels, default_catalog
from service.ask.lexicon import Lexicon, cached_lexicon, with_values

CORPUS = Path(__file__).with_name("corpus.yaml")

# the non-sensitive values of the client's export (../shared/seed_data), as the value index holds them
CLIENT_VALUES: dict[str, tuple[str, ...]] = {
    "patient.source": ("google", "in_person", "instagram", "phone", "tiktok", "website"),
    "patient.gender": ("female", "male", "other"),
    "appointment.status": ("cancelled", "confirmed", "pending"),
    "service.name": ("Body Contouring", "Botox Injection", "Chemical Peel", "CoolSculpting", "Dermal Filler",
                     "Facial Treatment", "HydraFacial", "Laser Hair Removal", "Microneedling", "RF Skin Tightening"),
    "provider.name": ("Ann Atkins", "Anthony Freeman", "Barry Snyder", "Colleen Johns", "Kim Dixon", "Laura Foster",
                      "Lauren Johnston", "Marcus Knox", "Monique Jones", "Richard Paul"),
    "payment.method": ("cash", "check", "credit_card", "debit_card"),
    "payment.status": ("paid",),
}


@lru_cache(maxsize=4)
def client_lexicon(scope: str = "manager") -> Lexicon:
    catalog = default_catalog()
    return with_values(cached_lexicon(catalog, scope), {**CLIENT_VALUES, **band_labels(catalog)})  # type: ignore[arg-type]


def load_corpus() -> tuple[dt.date, list[dict[str, Any]]]:
    data = yaml.safe_load(CORPUS.read_text())
    return dt.date.fromisoformat(data["as_of"]), data["intents"]
