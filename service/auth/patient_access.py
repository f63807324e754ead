"""Which semantic queries are patient access, for the audit trail.

- A query filtering with the `search` op on `patient.search` is `search_patients` (the search text is never
  stored: only who, when, from where and how many rows came back).
- A dimension-only query returning identifying patient members (`patient.id`, `patient.name`, any other
  `pii` patient dimension) is `list_patients`, with the number of rows returned.
- Count-only queries (`limit: 0`: the table's view counts, the as_of probe) return no patient rows and are
  not audited. Exports are audited by their own endpoint (`export_patients`).
"""

from __future__ import annotations

from semantic import Catalog, Query

SEARCH_FIELD = "patient.search"


def is_search(query: Query) -> bool:
    return any(f.field == SEARCH_FIELD and f.op == "search" for f in query.filters)


def lists_patients(query: Query, catalog: Catalog) -> bool:
    """A dimension-only query with an identifying patient member among its columns."""
    if query.measures:
        return False
    for name in query.dimensions:
        dimension = catalog.dimensions.get(name)
        if dimension is not None and dimension.entity == "patient" and dimension.pii:
            return True
    return False


def query_audit_action(query: Query, catalog: Catalog) -> str | None:
    """The audit action for an answered query, or None when it shows no patient's data."""
    if query.limit == 0:
        return None
    if is_search(query):
        return "search_patients"
    if lists_patients(query, catalog):
        return "list_patients"
    return None

