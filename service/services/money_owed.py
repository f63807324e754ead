"""What a visit still owes, for the views that read one patient's or one day's rows straight from the tables.

The catalog's `appointment.amount_due` (metrics.yaml) is the definition; this is the same arithmetic over rows
already fetched, so the record and the schedule need no query per appointment. tests/api/test_schedule.py
checks both against the engine's numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Owed:
    list_amount: int  # the list prices of the appointment's lines, cents
    paid_amount: int  # its paid payments, cents (pending and failed ones pay nothing)
    amount_due: int | None  # a visit's list amount minus paid, never below 0; None for non-visits


def owed(list_prices: Iterable[int], payments: Iterable[tuple[int, str]], is_visit: bool) -> Owed:
    """`payments` as (amount, status) pairs; only `paid` ones count."""
    listed = sum(list_prices)
    paid = sum(amount for amount, status in payments if status == "paid")
    return Owed(listed, paid, max(listed - paid, 0) if is_visit else None)
