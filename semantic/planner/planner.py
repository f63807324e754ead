"""Query -> logical plan: check every name, op, value and grouping against the catalog (resolve.py), then decide
what to compute: measures by dimensions (measures.py) or a listing of rows (listings.py). No SQL here; which
source serves each part is physical planning (physical.py).
"""

from __future__ import annotations

from semantic.catalog import Catalog
from semantic.errors import (
    INVALID_FILTER,
    INVALID_GROUPING,
    INVALID_QUERY,
    QueryError,
)
from semantic.keyset import refuse_measures
from semantic.planner import privacy
from semantic.planner.listings import ListPlanner
from semantic.planner.measures import MeasurePlanner
from semantic.planner.nodes import (
    Context,
    Planned,
)
from semantic.planner.roles import check_front_desk
from semantic.query import Query


class _Planner(MeasurePlanner, ListPlanner):
    def run(self) -> Planned:
        q = self.query
        if self.ctx.scope == "front_desk":
            check_front_desk(q, self.catalog)
        if not q.measures and not q.dimensions:
            raise QueryError(INVALID_QUERY, "a query needs at least one measure or dimension", "measures",
                             ["revenue", "patient_count"])
        measures = [self.measure(n, f"measures[{i}]") for i, n in enumerate(q.measures)]
        dims = [self.dimension(n, f"dimensions[{i}]") for i, n in enumerate(q.dimensions)]
        if self.agent:  # after naming any personal member asked for: that refusal says more
            privacy.check_agent_query(q.as_of is not None, bool(q.measures))
        for kind, names in (("measures", q.measures), ("dimensions", q.dimensions)):
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise QueryError(INVALID_QUERY, f"{name!r} is listed twice", f"{kind}[{i}]", [])
        for i, dimension in enumerate(dims):
            if dimension.filter_only:
                raise QueryError(INVALID_GROUPING, f"{dimension.name!r} can only be filtered on (op `search`)",
                                 f"dimensions[{i}]", [])
            if self.agent:
                privacy.check_group(dimension, f"dimensions[{i}]")
        time = self.time(bool(measures))
        filters = self.filters()
        limit, offset = self.limit()
        if measures:
            if q.after is not None or q.before is not None:
                raise refuse_measures("after" if q.after is not None else "before")
            return self.measure_plan(measures, dims, time, filters, limit, offset)
        if q.having:
            raise QueryError(INVALID_FILTER, "having filters measures; this query has none", "having[0]", [])
        if q.calculations or q.top is not None:
            raise QueryError(INVALID_QUERY, "calculations and top work on measures; this query has none",
                             "calculations" if q.calculations else "top", ["patient_count"])
        return self.list_plan(dims, time, filters, limit, offset)


def plan_query(query: Query, catalog: Catalog, ctx: Context) -> Planned:
    """Validate `query` against `catalog` and plan it; raises `QueryError` (contract codes) when refused."""
    return _Planner(query, catalog, ctx).run()
