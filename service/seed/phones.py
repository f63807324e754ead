"""US phone numbers in the ~20 inconsistent formats of the client's export.

The front desk typed numbers however the patient said them, so the export mixes dashes, dots,
parentheses, bare digits, +1 and 001 prefixes and extensions. Generated data keeps that mess so
that search and normalisation code meets it.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

from service.seed.vocab import LOCAL_AREA_CODES

# {0} area code, {1} exchange, {2} line number, {3} extension.
_BASES = ("{0}-{1}-{2:04d}", "({0}){1}-{2:04d}", "{0}.{1}.{2:04d}", "+1-{0}-{1}-{2:04d}", "001-{0}-{1}-{2:04d}")
_EXTENSIONS = ("x{3:03d}", "x{3:04d}", "x{3:05d}")
_EXTENSION_LIMITS = {"x{3:03d}": 1000, "x{3:04d}": 10_000, "x{3:05d}": 100_000}

# (template, weight, extension modulus or 0): the plain local formats are the most common.
_FORMATS: tuple[tuple[str, int, int], ...] = (
    ("{0}-{1}-{2:04d}", 2, 0),
    ("({0}){1}-{2:04d}", 2, 0),
    ("{0}.{1}.{2:04d}", 2, 0),
    ("{0}{1}{2:04d}", 2, 0),
    ("+1-{0}-{1}-{2:04d}", 1, 0),
    ("001-{0}-{1}-{2:04d}", 1, 0),
    *((base + ext, 1, _EXTENSION_LIMITS[ext]) for base in _BASES for ext in _EXTENSIONS),
)
_CUMULATIVE = tuple(accumulate(weight for _, weight, _ in _FORMATS))
_TOTAL = _CUMULATIVE[-1]

FORMAT_COUNT = len(_FORMATS)


def phone_number(rng: random.Random, local_share: float = 0.8) -> str:
    """A random US number in one of the export's formats, mostly with a local area code."""
    rand = rng.random
    template, _, ext_limit = _FORMATS[bisect(_CUMULATIVE, rand() * _TOTAL)]
    if rand() < local_share:
        area = LOCAL_AREA_CODES[int(rand() * len(LOCAL_AREA_CODES))]
    else:
        area = 200 + int(rand() * 800)
        if area % 100 == 11:
            area += 1
    exchange = 200 + int(rand() * 800)
    if exchange % 100 == 11:  # N11 codes (411, 911) are never exchanges
        exchange += 1
    line = int(rand() * 10_000)
    extension = int(rand() * ext_limit) if ext_limit else 0
    return template.format(area, exchange, line, extension)
