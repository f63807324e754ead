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

from semantic.compile import Compiled
from semantic.errors import TOO_FEW_PATIENTS, QueryError

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


async def refuse_too_few(conn: asyncpg.Connection, compiled: Compiled, tally: Tally) -> None:
    """`too_few_patients` when the query's filters and range describe 1 to k-1 patients in all, or would with
    one of its filters left out (else an answer of 0 would tell that the left-out filter rules out those few:
    a yes/no question about them).

    Asked only when no single value had k contributors (else the whole, and each larger set, has at least k)."""
    k = compiled.min_group_size
    if compiled.audience_sql is None or tally.most >= k:
        return
    if tally.most == 0 and compiled.audience_filters == 0:
        return  # no patient behind anything, and no filter to leave out: true zeros
    counts = await conn.fetchrow(compiled.audience_sql, *compiled.audience_params)
    assert counts is not None
    patients, *without = (int(n) for n in counts)
    if 1 <= patients < k:
        raise QueryError(TOO_FEW_PATIENTS, f"these filters and this range describe fewer than {k} patients in all; "
                         "an agent receives figures about groups of at least that many. Widen the range or drop "
                         "a filter.", "filters", [])
    for index, count in enumerate(without):
        if 1 <= count < k:
            raise QueryError(TOO_FEW_PATIENTS, f"the other filters select fewer than {k} patients, so this one "
                             "would answer a question about those few; widen them", f"filters[{index}]", [])
