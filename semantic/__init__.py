"""The semantic layer: `metrics.yaml` (catalog) -> validated members; a query -> plan -> SQL.

The small public surface:

    from semantic import Context, Query, compile_query, default_catalog
    compiled = compile_query(Query(measures=["revenue"]), default_catalog(), Context(as_of=date(2025, 11, 26)))

See semantic/README.md for the design and the definitions the contract leaves open.
"""

from __future__ import annotations

from semantic.catalog import Catalog, default_catalog, load_catalog
from semantic.compile import Compiled, compile_query
from semantic.errors import CatalogError, Issue, QueryError
from semantic.planner.nodes import Context
from semantic.query import Query

__all__ = ["Catalog", "CatalogError", "Compiled", "Context", "Issue", "Query", "QueryError", "compile_query",
           "default_catalog", "load_catalog"]
