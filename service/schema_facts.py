"""The database schema as the semantic layer needs it (tables and column types), read from `models.py`.

`models.py` is the one source of the schema: Alembic migrations are generated from it, and the catalog is
validated against the facts registered here (`semantic.use_schema`), so the semantic layer never imports the ORM.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, MetaData, Numeric
from sqlalchemy.sql.type_api import TypeEngine

from semantic import Schema, use_schema


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
    return "string"


def schema_of(metadata: MetaData) -> Schema:
    return Schema({name: {column.name: _semantic_type(column.type) for column in table.columns}
                   for name, table in metadata.tables.items()})


def register() -> Schema:
    """Register models.py's schema with the semantic layer (idempotent)."""
    from models import Base

    schema = schema_of(Base.metadata)
    use_schema(schema)
    return schema
