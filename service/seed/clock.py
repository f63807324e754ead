"""A minute-resolution timeline around the anchor date, with fast timestamp formatting.

The generator does its date arithmetic on plain integers (minutes since the timeline's first
day) and formats them through lookup tables: millions of rows make `datetime` objects and
`isoformat()` calls the slowest part of the run otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta

MINUTES_PER_DAY = 1440


class Clock:
    """Days and minutes counted from `first_day`; `anchor_day` is the day index of the anchor."""

    def __init__(self, anchor: date, days_before: int, days_after: int) -> None:
        self.first_day = anchor - timedelta(days=days_before)
        self.anchor_day = days_before
        self.last_day = days_before + days_after
        self._days = tuple(
            (self.first_day + timedelta(days=i)).isoformat() for i in range(self.last_day + 1)
        )
        self._weekdays = tuple((self.first_day + timedelta(days=i)).weekday() for i in range(self.last_day + 1))
        self._times = tuple(f"T{m // 60:02d}:{m % 60:02d}:00" for m in range(MINUTES_PER_DAY))

    def weekday(self, day: int) -> int:
        """Monday is 0, as in `date.weekday()`."""
        return self._weekdays[day]

    def day_text(self, day: int) -> str:
        return self._days[day]

    def minute_text(self, minute: int) -> str:
        """"YYYY-MM-DDTHH:MM:SS" for a minute on the timeline."""
        day, in_day = divmod(minute, MINUTES_PER_DAY)
        return self._days[day] + self._times[in_day]

    def micro_text(self, second: int, micro: int) -> str:
        """"YYYY-MM-DDTHH:MM:SS.ffffff" for a second on the timeline plus microseconds."""
        day, in_day = divmod(second, 86_400)
        hours, rest = divmod(in_day, 3600)
        return f"{self._days[day]}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{micro:06d}"
