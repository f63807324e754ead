"""What the catalog may reference in the database: tables and column types from `models.py`.

The catalog is validated against the ORM metadata (the one source of the schema), so a typo in
a column name is a catalog issue at load time, not a SQL error at query time.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, Text
from sqlalchemy.sql.type_api import TypeEngine

from models import Base


def _semantic_type(sql_type: TypeEngine[object]) -> str:
    if isinstance(sql_type, Boolean):
        return "boolean"
    if isinstance(sql_type, DateTime):
        return "time"
    if isinstance(sql_type, Date):
        return "date"
    if isinstance(sql_type, Integer):
        return "integer"
    if isinstance(sql_type, Float | Numeric):
        return "number"
    if isinstance(sql_type, String | Text):
        return "string"
    return "string"


@lru_cache(maxsize=1)
def _columns() -> dict[str, dict[str, str]]:
    return {
        name: {column.name: _semantic_type(column.type) for column in table.columns}
        for name, table in Base.metadata.tables.items()
    }


def table_names() -> list[str]:
    return sorted(_columns())


def column_names(table: str) -> list[str]:
    return sorted(_columns().get(table, {}))


def column_type(table: str, column: str) -> str | None:
    return _columns().get(table, {}).get(column)
