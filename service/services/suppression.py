"""The agent scope's small-group suppression, as the service meets it: the tally a statement returns beside its
page, the refusal of a query that describes fewer than k patients in all, and the words a client reads.

The SQL (semantic/render/suppression.py) has already hidden every value with 1 to k-1 contributing patients and
dropped the rows left with nothing to show; here the page's records are split from the tally, and when no value
anywhere had k contributors the patients the query describes in all are counted (`Compiled.audience_sql`): 1 to
k-1 of them is `too_few_patients`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from semantic import POPULATION_SKETCH, TOO_FEW_PATIENTS, Compiled, QueryError

WARNING = "small_groups_suppressed"


@dataclass(frozen=True)
class Tally:
    dropped: int = 0  # rows left out: every value in them suppressed
    hidden: int = 0  # values shown as null in the rows kept
    most: int = 0  # the most contributing patients behind any one value

    def warnings(self, k: int) -> list[str]:
        if not self.dropped and not self.hidden:
            return []
        parts = []
        if self.dropped:
            parts.append(f"{self.dropped} row{'s' if self.dropped != 1 else ''} left out")
        if self.hidden:
            parts.append(f"{self.hidden} value{'s' if self.hidden != 1 else ''} shown as null")
        return [f"{WARNING}: {' and '.join(parts)}: each described fewer than {k} patients. Group by coarser "
                "dimensions or widen the range to see them."]


def split_page(compiled: Compiled, records: Sequence[asyncpg.Record]) -> tuple[list[asyncpg.Record], Tally]:
    """The page's records (without the tally-only record of an empty page) and the tally they carry."""
    width = len(compiled.columns)
    if not records:
        return [], Tally()
    first = records[0]
    tally = Tally(int(first[width + 1]), int(first[width + 2]), int(first[width + 3]))
    return [r for r in records if r[width] is not None], tally


@dataclass(frozen=True)
class Population:
    """The patients an agent's query describes: how many, and the smallest of their keyed hashes (a sketch)."""

    n: int
    sketch: tuple[int, ...]

    def as_json(self) -> dict[str, object]:
        return {"n": self.n, "sketch": list(self.sketch)}

    @classmethod
    def from_json(cls, raw: object) -> Population | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("n"), int) or not isinstance(raw.get("sketch"), list):
            return None
        return cls(raw["n"], tuple(sorted(int(h) for h in raw["sketch"])))


def refuse_too_few(population: Population, k: int) -> None:
    """`too_few_patients` when the query's filters and range describe fewer than k patients, none included (an
    answer of 0 next to a refusal would tell which filters rule the few out)."""
    if population.n < k:
        raise too_few(k)


# One message for both refusals (fewer than k in all, or k apart from one of the key's recent queries): two texts
# would tell an attacker which of the two a probe hit.
TOO_FEW = ("this query describes too few patients, on its own or beside this key's queries of the last hour (fewer "
           "than {k}, or fewer than {k} apart from the patients of one of them); an agent receives figures about "
           "groups of at least {k} patients. Widen the range, drop a filter or ask about a larger group.")


def too_few(k: int) -> QueryError:
    return QueryError(TOO_FEW_PATIENTS, TOO_FEW.format(k=k), "filters", [])


def differ_by_few(a: Population, b: Population, k: int) -> bool:
    """Whether two populations differ by 1 to k-1 patients: the difference of their answers would describe those
    few. Exact when both sketches hold the whole population; else decided on the hashes both sketches hold (every
    hash up to the smaller of their largest): identical there and sizes 1 to k-1 apart, or a few apart there
    whose estimate over the whole is under k."""
    if a.n <= POPULATION_SKETCH and b.n <= POPULATION_SKETCH:
        return 1 <= len(set(a.sketch) ^ set(b.sketch)) < k
    if not a.sketch or not b.sketch:
        return False
    bound = min(a.sketch[-1], b.sketch[-1])
    low_a = {h for h in a.sketch if h <= bound}
    low_b = {h for h in b.sketch if h <= bound}
    apart = abs(a.n - b.n)
    different = len(low_a ^ low_b)
    if different == 0:
        return 1 <= apart < k
    window = len(low_a | low_b)
    estimate = different * max(a.n, b.n) / window
    return apart < k and estimate < k
