"""Helpers shared by the contract tests: run a query over HTTP, and compare its rows with the oracle."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from tests.contract.oracle import AGE_BANDS, UNDER_18, Model

# How each measure is compared: exact integers (cents, counts), ratios to 1e-9, hours to 1e-6.
EXACT_INT = {
    "revenue", "payment_count", "appointment_count", "visit_count", "service_line_count", "patient_count",
    "new_patient_count", "active_patient_count", "unpaid_visit_count",
}
RATIOS = {"average_ticket", "cancellation_rate", "revenue_per_patient", "returning_patient_rate"}
# Money ratios: the exact quotient, or (money being integer cents in responses) that quotient
# rounded to a whole cent.
MONEY_RATIOS = {"average_ticket", "revenue_per_patient"}
HOURS = {"booked_hours"}
# line_revenue is exact on the client's export (every payment equals its list prices); the edge
# fixture checks its rounding separately.
EXACT_NUMBER = {"line_revenue"}

TIME_DIMENSIONS = {
    "patient.created_at", "patient.first_visit_at", "patient.last_visit_at", "patient.next_appointment_at",
    "appointment.start_at", "appointment.created_at", "payment.paid_at",
}


def post(client: Any, query: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/query", json=query)
    try:
        body = response.json()
    except ValueError:
        body = {"<not json>": response.text[:500]}
    return response.status_code, body


def run(client: Any, query: Mapping[str, Any]) -> dict[str, Any]:
    """POST the query; it must succeed. Returns the response body."""
    status, body = post(client, query)
    assert status == 200, f"query {query} -> HTTP {status}: {body}"
    assert isinstance(body.get("rows"), list), body
    return body


def parse_moment(value: Any) -> Any:
    """A time value from JSON ('2025-03-01', '2025-03-01T10:00:00') as date/datetime; None stays None."""
    if value is None:
        return None
    text = str(value)
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def same_moment(got: Any, expected: dt.datetime | dt.date | None) -> bool:
    if expected is None or got is None:
        return got is None and expected is None
    moment = parse_moment(got)
    if isinstance(expected, dt.datetime) and not isinstance(moment, dt.datetime):
        return False
    return bool(moment == expected)


def normalise_dimension(name: str, value: Any) -> Any:
    if name == "patient.age_band" and value not in AGE_BANDS:
        return UNDER_18
    if name in TIME_DIMENSIONS or name == "patient.date_of_birth":
        return parse_moment(value)
    return value


def row_key(row: Mapping[str, Any], dimensions: Sequence[str], grain: str | None) -> tuple[Any, ...]:
    key = tuple(normalise_dimension(d, row[d]) for d in dimensions)
    if grain is not None:
        key = (*key, dt.date.fromisoformat(str(row["time"])[:10]))
    return key


def values_equal(measure: str, got: Any, expected: Any) -> bool:
    if expected is None:
        return got is None
    if got is None or isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    if measure in EXACT_INT:
        return isinstance(got, int) and got == expected
    if measure in EXACT_NUMBER:
        return Fraction(got) == Fraction(expected)
    if measure in HOURS:
        return abs(got - float(expected)) <= 1e-6
    if measure in MONEY_RATIOS and isinstance(got, int):
        return abs(Fraction(got) - Fraction(expected)) <= Fraction(1, 2)
    return math.isclose(got, float(expected), rel_tol=1e-9, abs_tol=1e-9)


def is_empty(value: Any) -> bool:
    return value is None or value == 0


def compare_rows(
    body: Mapping[str, Any],
    measure: str,
    dimensions: Sequence[str],
    grain: str | None,
    expected: Mapping[tuple[Any, ...], Any],
) -> list[str]:
    """Differences between the response's `measure` column and the expected {key: value}.

    Every expected group must come back with its value; a group the oracle does not have may come
    back only empty (0 or null), as SQL engines differ on whether to list empty groups.
    """
    problems = []
    got: dict[tuple[Any, ...], Any] = {}
    for row in body["rows"]:
        key = row_key(row, dimensions, grain)
        if key in got and not (is_empty(got[key]) or is_empty(row.get(measure))):
            problems.append(f"group {key} returned twice")
        if key not in got or is_empty(got[key]):
            got[key] = row.get(measure)
    for key, value in expected.items():
        if key not in got:
            problems.append(f"{measure}{list(key)}: missing (expected {_show(value)})")
        elif not values_equal(measure, got[key], value):
            problems.append(f"{measure}{list(key)}: got {got[key]!r}, expected {_show(value)}")
    for key, value in got.items():
        if key not in expected and not is_empty(value):
            problems.append(f"{measure}{list(key)}: got {value!r}, expected no such group (or 0/null)")
    return problems


def _show(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value} = {float(value)!r}"
    return repr(value)


# --- the oracle's reading of a query ----------------------------------------------------------

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda v, a: v == a,
    "not_equals": lambda v, a: v != a,
    "in": lambda v, a: v in a,
    "not_in": lambda v, a: v not in a,
    "gt": lambda v, a: v is not None and v > a,
    "gte": lambda v, a: v is not None and v >= a,
    "lt": lambda v, a: v is not None and v < a,
    "lte": lambda v, a: v is not None and v <= a,
    "is_null": lambda v, a: v is None,
    "is_not_null": lambda v, a: v is not None,
}


def oracle_where(filters: Sequence[Mapping[str, Any]]) -> Callable[[Callable[[str], Any]], bool] | None:
    if not filters:
        return None

    def where(get: Callable[[str], Any]) -> bool:
        for f in filters:
            argument = f.get("values", f.get("value"))
            if not _OPS[f["op"]](get(f["field"]), argument):
                return False
        return True

    return where


def resolved_range(query: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The query's time range: its own `[start, end)` or, for a named range, the one echoed in meta."""
    time = query.get("time") or {}
    spec = time.get("range")
    if spec is None:
        return None
    if isinstance(spec, list):
        return dt.date.fromisoformat(spec[0]), dt.date.fromisoformat(spec[1])
    echoed = (body.get("meta") or {}).get("range")
    assert echoed, f"a named range must be echoed in meta.range: {body.get('meta')}"
    return dt.date.fromisoformat(echoed["start"][:10]), dt.date.fromisoformat(echoed["end"][:10])


def expected_for(model: Model, query: Mapping[str, Any], measure: str, body: Mapping[str, Any]) -> dict:
    time = query.get("time") or {}
    return model.compute(
        measure,
        query.get("dimensions", []),
        grain=time.get("grain"),
        time_range=resolved_range(query, body),
        time_dimension=time.get("dimension"),
        where=oracle_where(query.get("filters", [])),
    )


def check_against_oracle(
    client: Any, models: Callable[[dt.date | None], Model], query: Mapping[str, Any], *, refusable: bool = False
) -> None:
    """Run `query` and compare every measure column with the oracle's computation of it.

    `models(as_of)` gives the oracle's model at the query's as_of (None: the data's own).
    `refusable`: the contract lets the engine refuse this split (`invalid_grouping`) instead.
    """
    if refusable:
        status, body = post(client, query)
        if status == 400 and body.get("error", {}).get("code") == "invalid_grouping":
            return
    body = run(client, query)
    model = models(dt.date.fromisoformat(query["as_of"]) if "as_of" in query else None)
    grain = (query.get("time") or {}).get("grain")
    problems = []
    for measure in query["measures"]:
        expected = expected_for(model, query, measure, body)
        problems += compare_rows(body, measure, query.get("dimensions", []), grain, expected)
    assert not problems, f"query {query}\n  " + "\n  ".join(problems[:25])
