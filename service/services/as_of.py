"""Which as_of a query runs with: the request's, else the configured one (`AS_OF`: a date, a moment or `now`),
else the data's own (its manifest's moment, else the latest payment's date), else today."""

from __future__ import annotations

import datetime as dt

from semantic import INVALID_AS_OF, AsOf, QueryError
from service.settings import Settings


def configured_as_of(settings: Settings, clock: dt.datetime | None = None) -> AsOf | None:
    """`AS_OF` as an AsOf: `now` is the clinic's local time when asked (the server runs in its zone)."""
    if settings.as_of is None:
        return None
    if settings.as_of.strip().lower() == "now":
        return AsOf.now(clock)
    return AsOf.parse(settings.as_of)


def resolve(requested: str | None, settings: Settings, data_as_of: AsOf | None) -> tuple[AsOf, list[str]]:
    """Per request, else configured, else the data's own, else today (an empty database, with a warning)."""
    if requested is not None:
        try:
            return AsOf.parse(requested), []
        except ValueError as err:
            raise QueryError(INVALID_AS_OF, str(err), "as_of", ["2025-11-26", "2025-11-26T14:30"]) from None
    configured = configured_as_of(settings)
    if configured is not None:
        return configured, []
    if data_as_of is not None:
        return data_as_of, []
    return AsOf(dt.date.today()), ["the database holds no data: as_of is today's date"]
