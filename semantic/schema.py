"""What the catalog may reference in the database: its tables and each column's semantic type.

The semantic layer does not know the ORM: the application hands it these facts (`service/schema_facts.py` reads
them from `models.py`, the one source of the schema) with `use_schema`, and the catalog is validated against
them, so a typo in a column name is a catalog issue at load time, not a SQL error at query time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ColumnType = str  # string | number | integer | boolean | date | time


@dataclass(frozen=True, eq=False)
class Schema:
    """Tables -> columns -> semantic type (compared and hashed by identity: one per application)."""

    tables: Mapping[str, Mapping[str, ColumnType]] = field(default_factory=lambda: MappingProxyType({}))

    def table_names(self) -> list[str]:
        return sorted(self.tables)

    def column_names(self, table: str) -> list[str]:
        return sorted(self.tables.get(table, {}))

    def column_type(self, table: str, column: str) -> ColumnType | None:
        return self.tables.get(table, {}).get(column)


_current: list[Schema] = []


def use_schema(schema: Schema) -> None:
    """The database schema catalogs are loaded against from now on (the application calls it once)."""
    _current[:] = [schema]


def current_schema() -> Schema:
    """The schema `use_schema` set; a catalog cannot be checked without one."""
    if not _current:
        raise RuntimeError("no database schema registered: call semantic.use_schema(...) first "
                           "(service/schema_facts.py does it for the application)")
    return _current[0]
