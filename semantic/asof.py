"""as_of, the data's "now": a date (its whole day counts as before) or a moment (a date and a time of day).

A generated data set is anchored at a moment (its `manifest.json`, written by the generator), and a live
deployment may follow the clock (`AS_OF=now`): then a visit is an appointment that started at or before the
moment, and the rest of that day is upcoming. The client's export has no manifest: its as_of is a date (the
latest payment's), and every definition reads as the contract has always said. Relative ranges resolve
against the date either way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$")
_ONE_TICK = dt.timedelta(microseconds=1)  # PostgreSQL's timestamp resolution


@dataclass(frozen=True, order=True)
class AsOf:
    """`day`, and `time` for a moment (None: the whole day counts as before)."""

    day: dt.date
    time: dt.time | None = None

    @property
    def end(self) -> dt.datetime:
        """The exclusive bound of "before now": just after the moment, or midnight after the day."""
        if self.time is None:
            return dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time())
        return dt.datetime.combine(self.day, self.time) + _ONE_TICK

    def isoformat(self) -> str:
        """"YYYY-MM-DD" for a date, "YYYY-MM-DDTHH:MM" for a moment (the contract's two forms)."""
        if self.time is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()}T{self.time.hour:02d}:{self.time.minute:02d}"

    def __str__(self) -> str:
        return self.isoformat()

    @classmethod
    def parse(cls, text: str) -> AsOf:
        """"YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"; raises ValueError naming both forms."""
        text = text.strip()
        moment = _MOMENT.match(text)
        try:
            if moment is not None:
                return cls(dt.date.fromisoformat(moment[1]), dt.time(int(moment[2]), int(moment[3])))
            return cls(dt.date.fromisoformat(text))
        except ValueError:
            pass
        raise ValueError(f"as_of is a date (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM), got {text!r}")

    @classmethod
    def now(cls, clock: dt.datetime | None = None) -> AsOf:
        """The clinic's local time to the minute (the server's local time: it runs in the clinic's zone)."""
        moment = clock or dt.datetime.now()
        return cls(moment.date(), dt.time(moment.hour, moment.minute))


def as_moment(value: dt.date | AsOf) -> AsOf:
    """A date (the whole day) or an AsOf, as an AsOf."""
    return value if isinstance(value, AsOf) else AsOf(value)
