"""A listing with a search and no order of its own comes best match first (the contract's search order).

The order is the search dimension itself, descending (rendered as `search_rank`, semantic/render/search.py),
then the entity's name (last, first) when it has one, then its key: ties read alphabetically and every page
is stable, so keyset cursors and offsets work as for any order.
"""

from __future__ import annotations

from dataclasses import replace

from semantic.catalog import Catalog
from semantic.catalog.expr import Col
from semantic.planner.nodes import ListPlan, OrderNode
from semantic.query import Query

_NAME_PARTS = ("last_name", "first_name")


def by_relevance(plan: ListPlan, query: Query, catalog: Catalog) -> ListPlan:
    """`plan` ordered by how well its search matches, when it lists root rows by a search and no order."""
    if plan.distinct or query.order:
        return plan
    search = next((f for f in plan.filters if f.op == "search"), None)
    if search is None or catalog.dimensions[search.dimension].entity != plan.root:
        return plan
    entity = catalog.entities[plan.root]
    names = [f"{plan.root}.{part}" for part in _NAME_PARTS if f"{plan.root}.{part}" in catalog.dimensions]
    key = next(d.name for d in catalog.dimensions.values()
               if d.entity == plan.root and d.expr == Col(entity.primary_key))
    order = (OrderNode(search.dimension, True), *(OrderNode(n, False) for n in names), OrderNode(key, False))
    hidden = tuple(o.column for o in order if o.column not in plan.dimensions and o.column != search.dimension)
    return replace(plan, order=order, hidden_order=hidden)
