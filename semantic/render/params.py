"""Values in SQL: bound parameters (`$1` with a cast naming its type) or, for reading, inlined literals.

User values never become SQL text by concatenation: either a placeholder, or a sqlglot literal
node that sqlglot quotes. Equal values of equal type share one placeholder.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic.planner.nodes import Value
from semantic.render.dialects import datatype

SQL_TYPES = {"date": "date", "datetime": "timestamp", "str": "text", "int": "bigint", "float": "double",
             "bool": "boolean"}


def sql_type_of(value: Value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double"
    return "text"


class Params:
    """Collects the values of one statement, in placeholder order."""

    def __init__(self, inline: bool = False, text_type: str = "text") -> None:
        self.inline = inline
        self.text_type = text_type
        self.values: list[Value] = []
        self._index: dict[tuple[str, object], int] = {}

    def add(self, value: Value) -> exp.Expr:
        sql_type = sql_type_of(value)
        if sql_type == "text":
            sql_type = self.text_type
        if self.inline:
            return self._literal(value, sql_type)
        key = (sql_type, value)
        if key not in self._index:
            self.values.append(value)
            self._index[key] = len(self.values)
        placeholder = exp.Parameter(this=exp.Literal.number(self._index[key]))
        return exp.Cast(this=placeholder, to=datatype(sql_type))

    @staticmethod
    def _literal(value: Value, sql_type: str) -> exp.Expr:
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        if isinstance(value, dt.datetime):
            return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=datatype("timestamp"))
        if isinstance(value, dt.date):
            return exp.Cast(this=exp.Literal.string(value.isoformat()), to=datatype("date"))
        if isinstance(value, int | float):
            return exp.Literal.number(value)
        return exp.Literal.string(value)


def literal(value: object) -> exp.Expr:
    """A catalog constant (not user input) as a SQL literal."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def json_value(value: Value) -> object:
    """A parameter as JSON (for the /api/query/sql response)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
