"""Keyset pagination of listings: the request's `after` cursor and the response's `meta.next_cursor`.

A listing of root rows (its key, e.g. `patient.id`, among the dimensions) is ordered by its order columns
up to the key, which breaks every tie. A cursor holds the last row's values of those columns plus a
fingerprint of the plan it came from (everything but limit, offset and the cursor, with the as_of): the
next page is the rows after those values in that order, which an index can seek to however deep the page.

The cursor is opaque to clients (base64url of JSON) but not secret: it is checked, not signed. A cursor
that does not decode, or decodes to values that do not fit the order's columns, or comes from another
query is refused with `invalid_cursor` (400) before any SQL runs; values are bound as typed parameters.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from semantic.asof import AsOf
from semantic.catalog import Catalog
from semantic.catalog.expr import Col
from semantic.errors import INVALID_CURSOR, INVALID_QUERY, QueryError
from semantic.planner.nodes import Context, ListPlan, OrderNode, Value
from semantic.query import CURSOR_PATTERN, LAST_PAGE, MAX_CURSOR_CHARS

CursorValue = Value | Decimal | None
_VERSION = 1
_BIGINT = 2**63
_DECIMAL_EXPONENT = 1000  # far inside PostgreSQL numeric's range
_RESTART = "drop the cursor to start again from the first page"


# --- which columns, which query -----------------------------------------------------------------


def key_order(plan: ListPlan, catalog: Catalog) -> tuple[OrderNode, ...]:
    """The listing's order up to its first unique column, the root's key: no later column breaks a tie."""
    key = Col(catalog.entities[plan.root].primary_key)
    for index, node in enumerate(plan.order):
        dimension = catalog.dimensions.get(node.column)
        if dimension is not None and dimension.entity == plan.root and dimension.expr == key:
            return plan.order[:index + 1]
    return plan.order


def key_types(plan: ListPlan, catalog: Catalog) -> tuple[str, ...]:
    """The catalog type of each key-order column (the time bucket is a date)."""
    return tuple("date" if o.column == "time" else "number" if catalog.dimensions[o.column].search is not None
                 else catalog.dimensions[o.column].type for o in key_order(plan, catalog))


def fingerprint(plan: ListPlan, as_of: AsOf) -> str:
    """Identifies the listing a cursor belongs to: its plan without page and cursor, and its as_of."""
    normalised = replace(plan, limit=0, offset=0, after=None, backward=False)
    return hashlib.sha256(repr((normalised, as_of)).encode()).hexdigest()[:16]


# --- values <-> JSON ----------------------------------------------------------------------------------


def _to_json(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    raise TypeError(f"a listing's order value of type {type(value).__name__} cannot go into a cursor")


def _tagged(raw: dict[str, object]) -> CursorValue:
    if len(raw) != 1:
        raise ValueError("one tag")
    (tag, text), = raw.items()
    if not isinstance(text, str):
        raise ValueError("tagged text")
    if tag == "n":
        number = Decimal(text)
        if not number.is_finite() or abs(number.adjusted()) > _DECIMAL_EXPONENT:
            raise ValueError("a decimal PostgreSQL holds")
        return number
    if tag == "t":
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            raise ValueError("naive")
        return moment
    if tag == "d":
        return dt.date.fromisoformat(text)
    raise ValueError("tag")


def _from_json(raw: object) -> CursorValue:
    if isinstance(raw, dict):
        return _tagged(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and not -_BIGINT <= raw < _BIGINT:
        raise ValueError("bigint")
    if isinstance(raw, str) and ("\x00" in raw or not raw.isascii()):
        raw.encode()  # a lone surrogate (JSON "\ud800") is no text a database takes: UnicodeEncodeError
        if "\x00" in raw:
            raise ValueError("nul")  # PostgreSQL text cannot hold it
    if raw is None or isinstance(raw, bool | int | float | str):
        return raw
    raise ValueError("scalar")


_FITS: dict[str, Callable[[CursorValue], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int | Decimal) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float | Decimal) and not isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date),
    "time": lambda v: isinstance(v, dt.date),
}


# --- the cursor ---------------------------------------------------------------------------------------


def encode(fingerprint_: str, values: Sequence[object]) -> str:
    text = json.dumps([_VERSION, fingerprint_, [_to_json(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _malformed(why: str, field: str = "after") -> QueryError:
    return QueryError(INVALID_CURSOR, f"`{field}` is not a cursor this API issued ({why}): pass a response's "
                      f"meta.next_cursor (as `after`) or meta.prev_cursor (as `before`) unchanged, or {_RESTART}",
                      field, [])


def decode(cursor: str, fingerprint_: str, types: Sequence[str], field: str = "after") -> tuple[CursorValue, ...]:
    """The cursor's typed values, checked against the listing's fingerprint and its key-order types."""
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not re.fullmatch(CURSOR_PATTERN, cursor):
        raise _malformed(f"expected up to {MAX_CURSOR_CHARS} characters of A-Z, a-z, 0-9, - and _", field)
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # bad base64, UTF-8 or JSON; JSON nested too deep
        raise _malformed("it does not decode", field) from None
    if not (isinstance(raw, list) and len(raw) == 3 and raw[0] == _VERSION and isinstance(raw[1], str)
            and isinstance(raw[2], list)):
        raise _malformed("unexpected content", field)
    if raw[1] != fingerprint_:
        raise QueryError(INVALID_CURSOR, "this cursor belongs to another query (its filters, order, columns, time "
                         "or as_of differ): a cursor continues only the query that returned it, with any limit; "
                         f"send that query again, or {_RESTART}", field, [])
    if len(raw[2]) != len(types):
        raise _malformed("wrong number of values", field)
    try:
        values = tuple(_from_json(v) for v in raw[2])
    except (ValueError, InvalidOperation):
        raise _malformed("a value does not decode", field) from None
    for index, (value, kind) in enumerate(zip(values, types, strict=True)):
        if value is None and index == len(values) - 1:
            raise _malformed("the key is null", field)
        if value is not None and not _FITS.get(kind, _FITS["string"])(value):
            raise _malformed(f"value {index} is not a {kind}", field)
    return values


def refuse_measures(field: str = "after") -> QueryError:
    return QueryError(INVALID_QUERY, f"`{field}` pages a listing of rows (dimensions only, with a key such as "
                      "patient.id); this query has measures: page it with `offset`", field, [])


def resume(plan: ListPlan, cursor: str, catalog: Catalog, ctx: Context, backward: bool = False) -> ListPlan:
    """`plan` continued after the cursor (or, `backward`, before it; `LAST_PAGE`: the last page); refuses a
    listing a cursor cannot resume."""
    field = "before" if backward else "after"
    if plan.offset:
        raise QueryError(INVALID_QUERY, f"`{field}` pages from the cursor's row: leave `offset` at 0 (or drop "
                         f"`{field}` and page by offset)", "offset", ["0"])
    if plan.distinct:
        root = catalog.entities[plan.root]
        keys = [d.name for d in catalog.dimensions.values()
                if d.entity == plan.root and d.expr == Col(root.primary_key)]
        raise QueryError(INVALID_QUERY, f"`{field}` pages a listing of {plan.root} rows, which needs the key "
                         f"among the dimensions ({', '.join(keys)}); this query lists distinct values: page it "
                         "with `offset`, or add the key", field, keys)
    if backward and cursor == LAST_PAGE:
        return replace(plan, backward=True)
    values = decode(cursor, fingerprint(plan, ctx.moment), key_types(plan, catalog), field)
    return replace(plan, after=values, backward=backward)


# --- the cursors of a page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyset:
    """How a compiled listing of root rows makes its `next_cursor` and `prev_cursor`."""

    fingerprint: str
    positions: tuple[int, ...]  # the key-order values' columns in a result record
    resumed: bool  # the page starts at a cursor or the end (so its position in the listing is unknown)
    backward: bool = False  # the page is the rows before a cursor (or the last page)
    from_cursor: bool = False  # backward from a cursor, not from the end (so rows follow the page)

    def _cursor(self, record: Sequence[object]) -> str:
        return encode(self.fingerprint, [record[i] for i in self.positions])

    def next_cursor(self, records: Sequence[Sequence[object]], limit: int) -> str | None:
        """The cursor after the page's last row, when rows may follow it: a full page forward, any page that
        ends before a cursor's row."""
        if limit <= 0 or not records:
            return None
        if self.backward:
            return self._cursor(records[-1]) if self.from_cursor else None
        return self._cursor(records[-1]) if len(records) >= limit else None

    def prev_cursor(self, records: Sequence[Sequence[object]], limit: int, offset: int) -> str | None:
        """The cursor before the page's first row, when rows may precede it: a full page backward, any page that
        starts after a cursor or an offset."""
        if limit <= 0 or not records:
            return None
        if self.backward:
            return self._cursor(records[0]) if len(records) >= limit else None
        return self._cursor(records[0]) if self.resumed or offset > 0 else None
