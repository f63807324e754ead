"""The semantic layer: `metrics.yaml` (catalog) -> validated members; a query -> plan -> SQL.

This module is the layer's whole public surface: the service and every other client import from `semantic`
only, never from its submodules (checked by tests/semantic/test_architecture.py).

    from semantic import Context, Query, compile_query, default_catalog, use_schema
    use_schema(schema)  # the database's tables and column types, once (service/schema_facts.py)
    compiled = compile_query(Query(measures=["revenue"]), default_catalog(), Context(as_of=date(2025, 11, 26)))
    rows = await conn.fetch(compiled.sql, *compiled.params)

See semantic/README.md for the flow, the modules and the definitions the contract leaves open.
"""

from __future__ import annotations

from semantic.asof import AsOf
from semantic.catalog import Catalog, Dimension, Measure, did_you_mean, suggest
from semantic.catalog.facts import (
    Role,
    band_labels,
    band_of,
    counted_rows,
    dimension_role,
    names_things,
    unfilterable_by,
)
from semantic.compile import Compiled, compile_query
from semantic.compile import cached as cached_compile
from semantic.compile import remember as remember_compiled
from semantic.errors import (
    INVALID_AS_OF,
    INVALID_QUERY,
    INVALID_RANGE,
    LIMIT_EXCEEDED,
    TOO_FEW_PATIENTS,
    CatalogError,
    Issue,
    QueryError,
    SemanticError,
)
from semantic.loading import build_catalog, default_catalog, load_catalog
from semantic.materialize.registry import refresh as refresh_statements
from semantic.materialize.registry import tables as materialized_tables
from semantic.planner import limits as QUERY_LIMITS
from semantic.planner.filters import ALLOWED as FILTER_OPS_BY_TYPE
from semantic.planner.limits import values_of
from semantic.planner.nodes import ColumnInfo, Context, Scope, Value
from semantic.planner.privacy import EXISTENCE_OPS, agent_grains, agent_groupable
from semantic.planner.roles import hidden_members
from semantic.planner.timerange import COMPARES, RELATIVE_RANGES, DateRange, add_months
from semantic.query import (
    ADHOC_PATTERN,
    CALCULATION_OPS,
    DEFAULT_LIMIT,
    FILTER_OPS,
    GRAIN_NAMES,
    HAVING_OPS,
    MATCHES,
    MAX_LIMIT,
    Calculation,
    Filter,
    Having,
    OrderBy,
    Query,
    TimeSpec,
    Top,
)
from semantic.render.dialects import DIALECTS, dialect
from semantic.render.params import json_value
from semantic.render.statement import render_spans
from semantic.render.suppression import SKETCH as POPULATION_SKETCH
from semantic.schema import Schema, current_schema, use_schema

__all__ = [
    "ADHOC_PATTERN",
    "CALCULATION_OPS",
    "COMPARES",
    "DEFAULT_LIMIT",
    "DIALECTS",
    "EXISTENCE_OPS",
    "FILTER_OPS",
    "FILTER_OPS_BY_TYPE",
    "GRAIN_NAMES",
    "HAVING_OPS",
    "INVALID_AS_OF",
    "INVALID_QUERY",
    "INVALID_RANGE",
    "LIMIT_EXCEEDED",
    "MATCHES",
    "MAX_LIMIT",
    "POPULATION_SKETCH",
    "QUERY_LIMITS",
    "RELATIVE_RANGES",
    "TOO_FEW_PATIENTS",
    "AsOf",
    "Calculation",
    "Catalog",
    "CatalogError",
    "ColumnInfo",
    "Compiled",
    "Context",
    "DateRange",
    "Dimension",
    "Filter",
    "Having",
    "Issue",
    "Measure",
    "OrderBy",
    "Query",
    "QueryError",
    "Role",
    "Schema",
    "Scope",
    "SemanticError",
    "TimeSpec",
    "Top",
    "Value",
    "add_months",
    "agent_grains",
    "agent_groupable",
    "annotations",
    "band_labels",
    "band_of",
    "build_catalog",
    "cached_compile",
    "compile_query",
    "counted_rows",
    "current_schema",
    "default_catalog",
    "dialect",
    "did_you_mean",
    "dimension_role",
    "hidden_members",
    "json_value",
    "load_catalog",
    "materialized_tables",
    "names_things",
    "refresh_statements",
    "remember_compiled",
    "render_spans",
    "suggest",
    "unfilterable_by",
    "use_schema",
    "values_of",
]
