"""The oracle's reading of the query language's additions (contract additions, section 2), in plain Python.

Like oracle.py (whose records and `Model` it uses) it shares nothing with the engine: no SQL, no catalog. It
reads the contract's words:
- `values` for every op: a single-value op takes [v]; equals with several values is in, not_equals not_in.
- ad hoc aggregates `avg(D)`, `sum(D)`, `min(D)`, `max(D)`, `median(D)`, `pNN(D)` over one value per row of D's
  entity (rows without a value left out; percentiles interpolated, as a median is; averages, medians and
  percentiles of money rounded to the cent), and `count_distinct(E.id)`;
- `match` for a filter through a finer entity: any, none (no related row matches, none at all included), all
  (at least one, every one matches);
- calculations on the aggregated rows (after gap filling: every bucket of each series, sums 0, others null) and
  `top` (the n largest per group).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from tests.contract.oracle import Model, bucket

CALL = re.compile(r"^(avg|sum|min|max|median|p[0-9]+|count_distinct)\((\w+)\.(\w+)\)$")
MONEY = {"patient.lifetime_spend", "service_line.list_price", "payment.amount", "appointment.paid_amount"}
ENTITY_TIME = {"patient": "patient.created_at", "appointment": "appointment.start_at",
               "service_line": "appointment.start_at", "payment": "payment.paid_at"}
LINE_LEVEL = ("service", "provider", "service_line")


# --- filters -----------------------------------------------------------------------------------------

def _op(op: str, values: list[Any]) -> Callable[[Any], bool]:
    if op == "equals" and len(values) > 1:
        op = "in"
    if op == "not_equals" and len(values) > 1:
        op = "not_in"
    one = values[0] if values else None
    ops: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: v == one,
        "not_equals": lambda v: v != one,
        "in": lambda v: v in values,
        "not_in": lambda v: v not in values,
        "gt": lambda v: v is not None and v > one,
        "gte": lambda v: v is not None and v >= one,
        "lt": lambda v: v is not None and v < one,
        "lte": lambda v: v is not None and v <= one,
        "between": lambda v: v is not None and values[0] <= v <= values[1],
        "is_null": lambda v: v is None,
        "is_not_null": lambda v: v is not None,
    }
    return ops[op]


def _values(spec: Mapping[str, Any]) -> list[Any]:
    if "values" in spec:
        return list(spec["values"])
    return [] if spec.get("value") is None else [spec["value"]]


def passes(model: Model, fact: Any, filters: Sequence[Mapping[str, Any]]) -> bool:
    """Whether one fact passes every filter: through a finer entity (`Model.related`), `match` counts the related
    rows that match; else the fact's own value is tested (match none: it does not match)."""
    for spec in filters:
        test = _op(spec["op"], _values(spec))
        name = spec["field"]
        entity = name.partition(".")[0]
        match = spec.get("match", "any")
        related = model.related(fact, entity)
        if related is None:
            hit = test(model.dimension(fact, name))
            ok = not hit if match == "none" else hit
        else:
            hits = [test(model.dimension(row, name)) for row in related]
            ok = (any(hits) if match == "any" else not any(hits) if match == "none"
                  else bool(hits) and all(hits))
        if not ok:
            return False
    return True


# --- ad hoc aggregates ---------------------------------------------------------------------------------

def _percentile(values: list[Any], p: Fraction) -> Fraction | None:
    """Linear interpolation between the closest ranks (PERCENTILE_CONT): position p * (n - 1)."""
    if not values:
        return None
    ordered = sorted(Fraction(v) for v in values)
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _cent(value: Fraction | None) -> int | None:
    """Whole cents, halves away from zero."""
    if value is None:
        return None
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


def aggregate(function: str, values: list[Any], money: bool) -> Any:
    present = [v for v in values if v is not None]
    if function == "sum":
        return sum(present) if present else None
    if function in ("min", "max"):
        return (min if function == "min" else max)(present) if present else None
    if function == "avg":
        result = Fraction(sum(present), len(present)) if present else None
    elif function == "median":
        result = _percentile(present, Fraction(1, 2))
    else:
        result = _percentile(present, Fraction(int(function[1:]), 100))
    return _cent(result) if money else result


def adhoc(model: Model, name: str, dimensions: Sequence[str], *, grain: str | None = None,
          time_range: tuple[dt.date, dt.date] | None = None, time_dimension: str | None = None,
          filters: Sequence[Mapping[str, Any]] = ()) -> dict[tuple[Any, ...], Any]:
    """{group: value} of an ad hoc aggregate, over the groups that have at least one row of its entity."""
    found = CALL.match(name)
    assert found, name
    function, entity, attribute = found.groups()
    dimension = f"{entity}.{attribute}"
    rows = model.rows(entity)
    if function == "count_distinct" and any(d.partition(".")[0] in LINE_LEVEL for d in dimensions) \
            and entity in ("appointment", "patient"):
        rows = model.rows("service_line")  # grouped by a line's value: each line stands for its appointment

        def ident(fact: Any) -> str:
            return str(fact.appointment.id if entity == "appointment" else fact.appointment.patient.id)
    else:
        def ident(fact: Any) -> str:
            return str(getattr(fact, "id", None) or id(fact))  # a line has no id of its own: itself

    groups = model.groups("patients", dimensions, grain=grain, time_range=time_range,
                          time_dimension=time_dimension or ENTITY_TIME[entity], rows=rows,
                          keep=lambda fact: passes(model, fact, filters))
    out: dict[tuple[Any, ...], Any] = {}
    for key, facts in groups.items():
        if function == "count_distinct":
            out[key] = len({ident(f) for f in facts})
        else:
            out[key] = aggregate(function, [model.dimension(f, dimension) for f in facts], dimension in MONEY)
    return out


# --- the aggregated rows: gap filling, calculations, top ------------------------------------------------

def table(results: Mapping[str, Mapping[tuple[Any, ...], Any]], dimensions: Sequence[str], grain: str | None,
          time_range: tuple[dt.date, dt.date] | None, additive: set[str]) -> list[dict[str, Any]]:
    """Rows keyed by column name from per-measure {group: value} (groups as `Model.compute` keys them), every
    bucket of every series present when there is a grain: sums and counts 0, other measures null."""
    keys: set[tuple[Any, ...]] = set()
    for values in results.values():
        keys |= set(values)
    if grain is not None:
        series = {k[:-1] for k in keys}
        buckets = [k[-1] for k in keys]
        if time_range is not None:
            first, last = bucket(time_range[0], grain), bucket(time_range[1] - dt.timedelta(days=1), grain)
        elif buckets:
            first, last = min(buckets), max(buckets)
        every: list[dt.date] = []
        if keys or time_range is not None:
            day = first
            while day <= last:
                every.append(day)
                day = _next(day, grain)
        if not dimensions:
            series = {()}
        keys = {(*s, b) for s in series for b in every}
    rows = []
    for key in sorted(keys, key=repr):
        row: dict[str, Any] = dict(zip(dimensions, key[:len(dimensions)], strict=True))
        if grain is not None:
            row["time"] = key[-1]
        for measure, values in results.items():
            row[measure] = values.get(key, 0 if measure in additive else None)
        rows.append(row)
    return rows


def _next(day: dt.date, grain: str) -> dt.date:
    if grain in ("day", "week"):
        return day + dt.timedelta(days=1 if grain == "day" else 7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _ratio(a: Any, b: Any) -> Fraction | None:
    if a is None or b is None or b == 0:
        return None
    return Fraction(a) / Fraction(b)


def calculate(rows: list[dict[str, Any]], calculations: Sequence[Mapping[str, Any]],
              dimensions: Sequence[str]) -> None:
    """Add each calculation's column to `rows` (in place), in order."""
    for calc in calculations:
        name, op, of = calc["name"], calc["op"], calc["of"]
        if op == "ratio":
            for row in rows:
                row[name] = _ratio(row[of[0]], row[of[1]])
            continue
        within = list(calc.get("within") or []) if op in ("share_of_total", "rank") else list(dimensions)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[tuple(row[w] for w in within)].append(row)
        for members in groups.values():
            values = [r[of] for r in members if r[of] is not None]
            if op == "share_of_total":
                total = sum(values)
                for row in members:
                    row[name] = _ratio(row[of], total)
            elif op == "rank":
                for row in members:
                    row[name] = None if row[of] is None else 1 + sum(1 for v in values if v > row[of])
            else:
                previous: Any = None
                running: Any = None
                for index, row in enumerate(sorted(members, key=lambda r: r["time"])):
                    value = row[of]
                    if op == "running_total":
                        if value is not None:
                            running = value if running is None else running + value
                        row[name] = running
                    elif op == "change":
                        row[name] = None if index == 0 or value is None or previous is None else value - previous
                    else:
                        row[name] = (None if index == 0 or value is None or previous is None
                                     else _ratio(value - previous, previous))
                    previous = value


def top(rows: list[dict[str, Any]], spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The n rows with the largest `by` (nulls last) in each group of `within`."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[w] for w in spec.get("within", []))].append(row)
    kept = []
    for members in groups.values():
        ranked = sorted(members, key=lambda r: (r[spec["by"]] is None, -(r[spec["by"]] or 0)))
        kept += ranked[:spec["n"]]
    return kept
