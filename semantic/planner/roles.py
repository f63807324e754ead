"""What each scope may use, in one place: the planner refuses the rest, the catalog lists only the rest.

- `manager`: everything.
- `agent` (API keys, LLM tools): no `pii` member anywhere, no patient-by-patient listing (planner.py).
- `front_desk`: the patient table and records, no business analytics. Only dimension-only queries over
  patient-grain members (`patient.*`, including per-patient attributes such as lifetime_spend), filtered
  on `patient.*` and on `service.name`/`provider.name` (patients who had that service/provider), ordered
  and paged. Also the value lists of `service.name`/`provider.name` alone (the table's filter chips).
  No measures, no `having`, no appointment/payment-grain members: anything else is `forbidden_member`
  naming the member.
"""

from __future__ import annotations

from semantic.catalog import Catalog
from semantic.errors import FORBIDDEN_MEMBER, QueryError
from semantic.planner.nodes import Scope
from semantic.query import Query

FRONT_DESK_ENTITY = "patient"
# Usable by the front desk as filters on a patient listing, and listed alone as a value list.
FRONT_DESK_LOOKUPS = ("service.name", "provider.name")


def _front_desk_member(catalog: Catalog, name: str) -> bool:
    dimension = catalog.dimensions.get(name)
    return dimension is not None and dimension.entity == FRONT_DESK_ENTITY


def _forbidden(name: str, path: str, why: str) -> QueryError:
    return QueryError(FORBIDDEN_MEMBER, f"{name!r} {why}; the front_desk role may list and search patients "
                      "(patient.* members) only", path, [])


def _known(catalog: Catalog, name: str) -> bool:
    return name in catalog.dimensions or catalog.measure(name) is not None


def check_front_desk(query: Query, catalog: Catalog) -> None:
    """Raise `forbidden_member` for the first member the front desk may not use (unknown names are left
    to the planner, which answers `unknown_member` with suggestions)."""
    for i, name in enumerate(query.measures):
        raise _forbidden(name, f"measures[{i}]", "is a measure (business analytics)")
    for i, having in enumerate(query.having):
        raise _forbidden(having.field, f"having[{i}].field", "is a measure (business analytics)")
    lookup = len(query.dimensions) == 1 and query.dimensions[0] in FRONT_DESK_LOOKUPS
    for i, name in enumerate(query.dimensions):
        if not lookup and _known(catalog, name) and not _front_desk_member(catalog, name):
            raise _forbidden(name, f"dimensions[{i}]", "is not a patient attribute")
    if query.time is not None and query.time.dimension is not None:
        name = query.time.dimension
        if _known(catalog, name) and not _front_desk_member(catalog, name):
            raise _forbidden(name, "time.dimension", "is not a patient attribute")
    for i, raw in enumerate(query.filters):
        if lookup:  # a value list is filtered on its own member only (never by patient)
            allowed = raw.field == query.dimensions[0]
        else:
            allowed = _front_desk_member(catalog, raw.field) or raw.field in FRONT_DESK_LOOKUPS
        if _known(catalog, raw.field) and not allowed:
            raise _forbidden(raw.field, f"filters[{i}].field", "may not filter this listing")
    for i, order in enumerate(query.order):
        selected = lookup and order.field == query.dimensions[0]
        if _known(catalog, order.field) and not selected and not _front_desk_member(catalog, order.field):
            raise _forbidden(order.field, f"order[{i}].field", "is not a patient attribute")


def hidden_members(catalog: Catalog, scope: Scope) -> set[str]:
    """Measures and dimensions `scope` may not use at all (left out of the catalog it is shown)."""
    if scope == "agent":
        return {d.name for d in catalog.dimensions.values() if d.pii}
    if scope == "front_desk":
        measures = {m.name for m in catalog.all_measures()}
        return measures | {d.name for d in catalog.dimensions.values()
                           if d.entity != FRONT_DESK_ENTITY and d.name not in FRONT_DESK_LOOKUPS}
    return set()
