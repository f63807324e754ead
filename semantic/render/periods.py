"""An aggregate's time range and buckets, and a comparison's two periods computed in one scan.

The same split serves the entity's rows, a rollup's days and a chain's rows: rows of the current
period are those from its start on; the previous period's are bucketed after shifting their time
forward (`TimeSlice.shift`), so both land in the current buckets; one window covers both periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from semantic.planner.nodes import TimeSlice
from semantic.render.sqlbuild import or_, wrap

Param = Callable[[dt.date], exp.Expr]  # a bound as a parameter typed for the moment it is compared with
Bucket = Callable[[TimeSlice], exp.Expr]  # the row's bucket under a slice's grain and shift


@dataclass(frozen=True)
class Period:
    suffix: str  # "" (current) or "__prev": appended to each measure's column
    rows: exp.Expr | None  # which rows belong to it (None: every row in the window)
    time: TimeSlice


@dataclass(frozen=True)
class Periods:
    periods: tuple[Period, ...]
    window: exp.Expr | None  # the rows of every period (None: no range)
    bucket: exp.Expr | None  # the time key (None: no grain)


def span(moment: exp.Expr, start: dt.date | None, end: dt.date, param: Param) -> exp.Expr:
    """start <= moment < end (no lower bound without a start: all time up to the end)."""
    lower = exp.GTE(this=wrap(moment.copy()), expression=param(start)) if start is not None else None
    upper = exp.LT(this=wrap(moment.copy()), expression=param(end))
    if lower is None:
        return upper
    return exp.And(this=lower, expression=upper)


def split(moment: exp.Expr, time: TimeSlice, previous: TimeSlice | None, param: Param, bucket: Bucket) -> Periods:
    """The periods of an aggregate sliced by `time`, with `previous` (a disjoint earlier period) if compared."""
    if previous is None:
        window = span(moment, time.window.start, time.window.end, param) if time.window is not None else None
        return Periods((Period("", None, time),), window, bucket(time) if time.grain is not None else None)
    now, before = time.window, previous.window
    assert now is not None and now.start is not None and before is not None
    in_current = exp.GTE(this=wrap(moment.copy()), expression=param(now.start))
    key = None
    if time.grain is not None:
        key = exp.Case(ifs=[exp.If(this=in_current.copy(), true=bucket(time))], default=bucket(previous))
    spans = [(before.start, now.end)] if before.end == now.start else [(before.start, before.end),
                                                                       (now.start, now.end)]
    window = or_([span(moment, start, end, param) for start, end in spans])
    periods = (Period("", in_current, time),
               Period("__prev", exp.Not(this=exp.Paren(this=in_current.copy())), previous))
    return Periods(periods, window, key)
