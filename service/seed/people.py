"""Names, emails and postal addresses for generated patients and providers.

Everything is built from the ASCII word lists in `vocab.py`, so the results never need JSON
escaping. Like the client's export, names and emails may repeat across patients, and about a
third of emails have nothing to do with the patient's name (a partner's or an old address).
"""

from __future__ import annotations

import random

from service.seed.vocab import (
    CITY_PREFIXES,
    CITY_SUFFIXES,
    EMAIL_DOMAINS,
    FEMALE_FIRST,
    LAST,
    MALE_FIRST,
    MILITARY,
    STATES,
    STREET_SUFFIXES,
)

_ANY_FIRST = FEMALE_FIRST + MALE_FIRST
_OWN_NAME_EMAIL_SHARE = 0.7
_MILITARY_SHARE = 0.015
_SECONDARY_UNIT_SHARE = 0.25


def _pick(rng: random.Random, words: tuple[str, ...]) -> str:
    return words[int(rng.random() * len(words))]


def first_name(rng: random.Random, gender: str) -> str:
    """A first name matching the gender; "other" draws from both lists."""
    if gender == "female":
        return _pick(rng, FEMALE_FIRST)
    if gender == "male":
        return _pick(rng, MALE_FIRST)
    return _pick(rng, _ANY_FIRST)


def last_name(rng: random.Random) -> str:
    return _pick(rng, LAST)


def email(rng: random.Random, first: str, last: str) -> str:
    """A lowercase address at an example domain, usually derived from the person's name."""
    rand = rng.random
    if rand() >= _OWN_NAME_EMAIL_SHARE:
        first, last = _pick(rng, _ANY_FIRST), _pick(rng, LAST)
    f, la = first.lower(), last.lower()
    pattern = int(rand() * 7)
    if pattern == 0:
        user = f + la
    elif pattern == 1:
        user = la + f
    elif pattern == 2:
        user = f[0] + la
    elif pattern == 3:
        user = f"{f}{int(rand() * 100):02d}"
    elif pattern == 4:
        user = f"{f}.{la}"
    elif pattern == 5:
        user = f"{f}{la}{int(rand() * 100):02d}"
    else:
        user = la + f[0]
    return f"{user}@{EMAIL_DOMAINS[int(rand() * len(EMAIL_DOMAINS))]}"


def _city(rng: random.Random) -> str:
    base = _pick(rng, _ANY_FIRST if rng.random() < 0.5 else LAST) + _pick(rng, CITY_SUFFIXES)
    if rng.random() < 0.25:
        return f"{_pick(rng, CITY_PREFIXES)} {base}"
    return base


def address(rng: random.Random) -> str:
    """A one-line US postal address; a few are military (APO/FPO/DPO) like in the export."""
    rand = rng.random
    if rand() < _MILITARY_SHARE:
        kind, region = MILITARY[int(rand() * len(MILITARY))]
        zip_code = int(rand() * 100_000)
        if rand() < 0.5:
            return f"Unit {1000 + int(rand() * 9000)} Box {1000 + int(rand() * 9000)}, {kind} {region} {zip_code:05d}"
        ship = "USNS" if rand() < 0.5 else "USNV"
        return f"{ship} {_pick(rng, LAST)}, {kind} {region} {zip_code:05d}"
    number = 1 + int(rand() ** 2 * 99_999)
    street = _pick(rng, _ANY_FIRST if rand() < 0.4 else LAST)
    line = f"{number} {street} {_pick(rng, STREET_SUFFIXES)}"
    if rand() < _SECONDARY_UNIT_SHARE:
        unit = "Apt." if rand() < 0.7 else "Suite"
        line = f"{line} {unit} {1 + int(rand() * 999)}"
    state, zip_low, zip_high = STATES[int(rand() * len(STATES))]
    zip_code = (zip_low + int(rand() * (zip_high - zip_low + 1))) * 100 + int(rand() * 100)
    return f"{line}, {_city(rng)}, {state} {zip_code:05d}"
