"""The catalog's small expression language: structured YAML, never SQL text.

A member's `expr` is a tree of one-key mappings, e.g.
``{ne: [{dim: status}, {lit: cancelled}]}`` or ``{rollup: {via: service_line, agg: min, of: {col: start}}}``.
Parsing turns it into frozen nodes; the renderer turns nodes into sqlglot trees. Nothing here is
ever handed to a SQL parser, so catalog text cannot inject SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Scalar = str | int | float | bool | None

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ARITHMETIC = ("add", "sub", "mul", "div")
LOGICAL = ("and", "or")
UNARY = ("not", "is_null", "not_null")
VARIADIC = ("concat", "coalesce", "greatest")
CONDITIONAL = "if"  # {if: [condition, then, else]}
DATE_PARTS = ("isodow", "hour", "year", "month", "day")
TRUNC_GRAINS = ("day", "week", "month", "quarter", "year")
ROLLUP_AGGS = ("count", "sum", "min", "max", "bool_or")
DIFFS = ("years_between", "months_between", "days_between", "hours_between")


@dataclass(frozen=True)
class Col:
    """A column of the entity's own table."""

    name: str


@dataclass(frozen=True)
class Dim:
    """Another dimension: `start_at` (same entity) or `service.name` (reached through many-to-one joins)."""

    name: str


@dataclass(frozen=True)
class Lit:
    value: Scalar


@dataclass(frozen=True)
class AsOf:
    """The query's as_of: `date` is the day itself, `end` the exclusive bound of "before now", a timestamp: the
    midnight after a date as_of, or just after a moment's time (semantic/asof.py)."""

    kind: Literal["date", "end"]


@dataclass(frozen=True)
class MeasureRef:
    """A measure inside a derived measure's formula."""

    name: str


@dataclass(frozen=True)
class Call:
    """An operator over arguments: comparisons, and/or/not, arithmetic, concat, coalesce, null tests."""

    op: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class InList:
    of: Expr
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class DatePart:
    part: str
    of: Expr


@dataclass(frozen=True)
class Trunc:
    grain: str
    of: Expr


@dataclass(frozen=True)
class Diff:
    """Whole years, calendar months or whole days (by date), or fractional hours between two times."""

    unit: str
    start: Expr
    end: Expr


@dataclass(frozen=True)
class AddDays:
    of: Expr
    days: int


@dataclass(frozen=True)
class Bands:
    """`labels[i]` when `edges[i-1] <= of < edges[i]`; len(labels) == len(edges) + 1."""

    of: Expr
    edges: tuple[float, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class OrderKey:
    expr: Expr
    desc: bool = False


@dataclass(frozen=True)
class Rollup:
    """An aggregate over the rows of a child entity joined one-to-many (`via`), per row of this entity."""

    via: str
    agg: str
    of: Expr | None
    where: Expr | None
    default: Scalar


@dataclass(frozen=True)
class Pick:
    """The value of `of` on the first child row (by `order_by`) that satisfies `where`."""

    via: str
    of: Expr
    where: Expr | None
    order_by: tuple[OrderKey, ...]


@dataclass(frozen=True)
class Window:
    """lag/lead of `of` among this entity's rows that satisfy `where`, per `partition_by`, by `order_by`."""

    fn: str
    of: Expr
    partition_by: tuple[Expr, ...]
    order_by: tuple[OrderKey, ...]
    where: Expr | None


@dataclass(frozen=True)
class Allocate:
    """Split integer `total` (one value per `group`) over the group's rows by `weight`, exactly.

    Largest remainder: each row gets floor(total * w / W); the leftover units go one each to the
    rows with the largest remainders (ties by `tiebreak`), so the parts always sum to the total.
    """

    total: Expr
    weight: Expr
    group: Expr
    tiebreak: Expr


Expr = (Col | Dim | Lit | AsOf | MeasureRef | Call | InList | DatePart | Trunc | Diff | AddDays | Bands | Rollup | Pick
        | Window | Allocate)


class ExprSyntaxError(ValueError):
    """The YAML does not spell an expression; the message says what was expected."""


def children(expr: Expr) -> Iterator[Expr]:
    """Sub-expressions evaluated in the *same* row context (not inside rollups/picks/windows)."""
    if isinstance(expr, Call):
        yield from expr.args
    elif isinstance(expr, InList | DatePart | Trunc | AddDays | Bands):
        yield expr.of
    elif isinstance(expr, Diff):
        yield expr.start
        yield expr.end


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the same row context, depth first."""
    yield expr
    for child in children(expr):
        yield from walk(child)


def deep_walk(expr: Expr, entity: str) -> Iterator[tuple[Expr, str]]:
    """Every node with the entity whose row it is evaluated on (rollups and picks switch to `via`)."""
    yield expr, entity
    if isinstance(expr, Rollup):
        for sub in (expr.of, expr.where):
            if sub is not None:
                yield from deep_walk(sub, expr.via)
    elif isinstance(expr, Pick):
        for sub in (expr.of, expr.where, *(k.expr for k in expr.order_by)):
            if sub is not None:
                yield from deep_walk(sub, expr.via)
    elif isinstance(expr, Window):
        for sub in (expr.of, expr.where, *expr.partition_by, *(k.expr for k in expr.order_by)):
            if sub is not None:
                yield from deep_walk(sub, entity)
    elif isinstance(expr, Allocate):
        for sub in (expr.total, expr.weight, expr.group, expr.tiebreak):
            yield from deep_walk(sub, entity)
    else:
        for child in children(expr):
            yield from deep_walk(child, entity)


def _list(raw: Any, what: str) -> list[Any]:
    if not isinstance(raw, list):
        raise ExprSyntaxError(f"{what} expects a list, got {type(raw).__name__}")
    return raw


def _map(raw: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ExprSyntaxError(f"{what} expects a mapping with keys {', '.join(required)}")
    missing = [k for k in required if k not in raw]
    unknown = [k for k in raw if k not in required + optional]
    if missing:
        raise ExprSyntaxError(f"{what} is missing {', '.join(missing)}")
    if unknown:
        raise ExprSyntaxError(f"{what} does not take {', '.join(map(str, unknown))} "
                              f"(allowed: {', '.join(required + optional)})")
    return raw


def _name(raw: Any, what: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise ExprSyntaxError(f"{what} expects a name, got {raw!r}")
    return raw


def _scalar(raw: Any, what: str) -> Scalar:
    if raw is not None and not isinstance(raw, str | int | float | bool):
        raise ExprSyntaxError(f"{what} expects a scalar value, got {type(raw).__name__}")
    return raw  # type: ignore[no-any-return,unused-ignore]


def _order(raw: Any) -> tuple[OrderKey, ...]:
    keys = []
    for item in _list(raw, "order_by"):
        if isinstance(item, dict) and set(item) <= {"expr", "desc"} and "expr" in item:
            keys.append(OrderKey(parse_expr(item["expr"]), bool(item.get("desc", False))))
        else:
            keys.append(OrderKey(parse_expr(item)))
    return tuple(keys)


def _opt(raw: dict[str, Any], key: str) -> Expr | None:
    return parse_expr(raw[key]) if raw.get(key) is not None else None


def _parse_rollup(body: Any) -> Expr:
    m = _map(body, "rollup", ("via", "agg"), ("of", "where", "default"))
    if m["agg"] not in ROLLUP_AGGS:
        raise ExprSyntaxError(f"rollup agg must be one of {', '.join(ROLLUP_AGGS)}, got {m['agg']!r}")
    if m["agg"] != "count" and m.get("of") is None:
        raise ExprSyntaxError(f"rollup agg {m['agg']} needs `of`")
    return Rollup(_name(m["via"], "rollup.via"), m["agg"], _opt(m, "of"), _opt(m, "where"),
                  _scalar(m.get("default"), "rollup.default"))


def _parse_pick(body: Any) -> Expr:
    m = _map(body, "pick", ("via", "of", "order_by"), ("where",))
    return Pick(_name(m["via"], "pick.via"), parse_expr(m["of"]), _opt(m, "where"), _order(m["order_by"]))


def _parse_window(body: Any) -> Expr:
    m = _map(body, "window", ("fn", "of", "order_by"), ("partition_by", "where"))
    if m["fn"] not in ("lag", "lead"):
        raise ExprSyntaxError(f"window fn must be lag or lead, got {m['fn']!r}")
    parts = tuple(parse_expr(p) for p in _list(m.get("partition_by", []), "partition_by"))
    return Window(m["fn"], parse_expr(m["of"]), parts, _order(m["order_by"]), _opt(m, "where"))


def _parse_allocate(body: Any) -> Expr:
    m = _map(body, "allocate", ("total", "weight", "group", "tiebreak"))
    return Allocate(parse_expr(m["total"]), parse_expr(m["weight"]), parse_expr(m["group"]),
                    parse_expr(m["tiebreak"]))


def _parse_bands(body: Any) -> Expr:
    m = _map(body, "bands", ("of", "edges", "labels"))
    edges = _list(m["edges"], "bands.edges")
    labels = _list(m["labels"], "bands.labels")
    if not all(isinstance(e, int | float) and not isinstance(e, bool) for e in edges):
        raise ExprSyntaxError("bands.edges must be numbers")
    if list(edges) != sorted(edges):
        raise ExprSyntaxError("bands.edges must be ascending")
    if len(labels) != len(edges) + 1 or not all(isinstance(x, str) for x in labels):
        raise ExprSyntaxError("bands.labels must be len(edges) + 1 strings (below the first edge, ..., from the last)")
    return Bands(parse_expr(m["of"]), tuple(float(e) for e in edges), tuple(labels))


def _parse_diff(unit: str) -> Callable[[Any], Expr]:
    def parse(body: Any) -> Expr:
        m = _map(body, unit, ("from", "to"))
        return Diff(unit.removesuffix("_between"), parse_expr(m["from"]), parse_expr(m["to"]))

    return parse


def _parse_date_part(body: Any) -> Expr:
    m = _map(body, "date_part", ("part", "of"))
    if m["part"] not in DATE_PARTS:
        raise ExprSyntaxError(f"date_part part must be one of {', '.join(DATE_PARTS)}, got {m['part']!r}")
    return DatePart(m["part"], parse_expr(m["of"]))


def _parse_trunc(body: Any) -> Expr:
    m = _map(body, "trunc", ("grain", "of"))
    if m["grain"] not in TRUNC_GRAINS:
        raise ExprSyntaxError(f"trunc grain must be one of {', '.join(TRUNC_GRAINS)}, got {m['grain']!r}")
    return Trunc(m["grain"], parse_expr(m["of"]))


def _parse_in(body: Any) -> Expr:
    m = _map(body, "in", ("of", "values"))
    return InList(parse_expr(m["of"]), tuple(_scalar(v, "in.values") for v in _list(m["values"], "in.values")))


def _parse_add_days(body: Any) -> Expr:
    m = _map(body, "add_days", ("of", "days"))
    if not isinstance(m["days"], int) or isinstance(m["days"], bool):
        raise ExprSyntaxError("add_days.days must be an integer")
    return AddDays(parse_expr(m["of"]), m["days"])


def _parse_as_of(body: Any) -> Expr:
    if body not in ("date", "end"):
        raise ExprSyntaxError(f"as_of must be `date` or `end`, got {body!r}")
    return AsOf(body)


def _parse_call(op: str, arity: int | None) -> Callable[[Any], Expr]:
    def parse(body: Any) -> Expr:
        raw = [body] if arity == 1 else _list(body, op)
        if arity is not None and len(raw) != arity:
            raise ExprSyntaxError(f"{op} takes {arity} argument(s), got {len(raw)}")
        if arity is None and len(raw) < 2:
            raise ExprSyntaxError(f"{op} takes at least two arguments")
        return Call(op, tuple(parse_expr(a) for a in raw))

    return parse


_PARSERS: dict[str, Callable[[Any], Expr]] = {
    "col": lambda b: Col(_name(b, "col")),
    "dim": lambda b: Dim(_name(b, "dim")),
    "lit": lambda b: Lit(_scalar(b, "lit")),
    "measure": lambda b: MeasureRef(_name(b, "measure")),
    "as_of": _parse_as_of,
    "in": _parse_in,
    "date_part": _parse_date_part,
    "trunc": _parse_trunc,
    "add_days": _parse_add_days,
    "bands": _parse_bands,
    "rollup": _parse_rollup,
    "pick": _parse_pick,
    "window": _parse_window,
    "allocate": _parse_allocate,
    **{op: _parse_call(op, 2) for op in COMPARISONS + ARITHMETIC},
    **{op: _parse_call(op, None) for op in LOGICAL + VARIADIC},
    **{op: _parse_call(op, 1) for op in UNARY},
    CONDITIONAL: _parse_call(CONDITIONAL, 3),
    **{unit: _parse_diff(unit) for unit in DIFFS},
}

EXPRESSION_KEYS = tuple(_PARSERS)


def parse_expr(raw: Any) -> Expr:
    """YAML value -> expression node; raises `ExprSyntaxError` naming what was expected."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ExprSyntaxError(f"an expression is a mapping with exactly one key among {', '.join(EXPRESSION_KEYS)}; "
                              f"got {raw!r}")
    (key, body), = raw.items()
    parser = _PARSERS.get(key)
    if parser is None:
        import difflib

        aliases = {"equals": "eq", "not_equals": "ne", "gte": "ge", "lte": "le", "column": "col", "dimension": "dim",
                   "literal": "lit", "value": "lit", "count": "rollup", "sum": "rollup", "min": "rollup",
                   "max": "rollup", "first": "pick", "lag": "window", "lead": "window"}
        close = [aliases[key]] if key in aliases else difflib.get_close_matches(str(key), EXPRESSION_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ExprSyntaxError(f"unknown expression {key!r}{hint}")
    return parser(body)
