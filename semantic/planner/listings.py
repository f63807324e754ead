"""Dimensions without measures -> a `ListPlan`: distinct rows from the finest entity every dimension hangs off
(the patient table lists patients), ordered and paged."""

from __future__ import annotations

from semantic.catalog import Dimension
from semantic.catalog.expr import Col
from semantic.catalog.graph import path_fans_out
from semantic.errors import (
    FORBIDDEN_MEMBER,
    INVALID_GROUPING,
    INVALID_QUERY,
    INVALID_RANGE,
    QueryError,
)
from semantic.keyset import resume
from semantic.planner.nodes import (
    ColumnInfo,
    FilterNode,
    ListPlan,
    OrderNode,
    Planned,
    TimeSlice,
)
from semantic.planner.resolve import Resolver, TimeAsked
from semantic.planner.search_order import by_relevance


class ListPlanner(Resolver):
    def list_plan(self, dims: list[Dimension], time: TimeAsked, filters: list[tuple[FilterNode, str]],
                  limit: int, offset: int) -> Planned:
        if (time.grain or time.window) and time.dimension is None:
            raise QueryError(INVALID_RANGE, "without measures, time needs a `dimension` to bucket or range on",
                             "time.dimension", [])
        referenced = [d.entity for d in dims]
        if time.grain and time.dimension is not None:
            referenced.append(time.dimension.entity)
        root = self._root(referenced)
        for node, fpath in filters:
            self._check_match(root, node, fpath)
        if self.ctx.scope == "agent" and root == "patient":
            raise QueryError(FORBIDDEN_MEMBER, "the agent role may not list patients one by one; count them with "
                             "patient_count grouped by these dimensions", "dimensions", ["patient_count"])
        entity = self.catalog.entities[root]
        pk_dims = [d.name for d in dims if d.entity == root and d.expr == Col(entity.primary_key)]
        distinct = not pk_dims
        extra: dict[str, Dimension] = {}
        if not distinct:
            for dimension in self.catalog.dimensions.values():
                reach = self.catalog.graph.path(root, dimension.entity)
                if reach is not None and not path_fans_out(reach) and not dimension.filter_only:
                    extra[dimension.name] = dimension
        keys = (["time"] if time.grain else []) + [d.name for d in dims]
        default = [OrderNode(k, False) for k in keys]
        order = self._order(keys, default, pk_dims if not distinct else keys, extra)
        hidden = tuple(o.column for o in order if o.column not in keys)
        for column in hidden:
            self._forbid_pii(self.catalog.dimensions[column], "order")
        slice_ = (TimeSlice(time.dimension.name, time.grain, time.window)
                  if time.dimension is not None and (time.grain or time.window) else None)
        columns: list[ColumnInfo] = []
        if time.grain is not None and time.dimension is not None:
            columns.append(ColumnInfo("time", "time", "date", f"{time.dimension.label} ({time.grain})"))
        columns += [self._dim_column(d) for d in dims]
        plan = ListPlan(root, tuple(d.name for d in dims), slice_, tuple(n for n, _ in filters), distinct, hidden,
                        tuple(order), limit, offset)
        plan = by_relevance(plan, self.query, self.catalog)  # a search without an order: best matches first
        if self.query.after is not None and self.query.before is not None:
            raise QueryError(INVALID_QUERY, "give `after` (the next page) or `before` (the previous one), not both",
                             "before", [])
        if self.query.after is not None:
            plan = resume(plan, self.query.after, self.catalog, self.ctx)
        elif self.query.before is not None:
            plan = resume(plan, self.query.before, self.catalog, self.ctx, backward=True)
        return Planned(plan, tuple(columns), time.window, None, tuple(self.warnings))

    def _root(self, referenced: list[str]) -> str:
        """The entity every referenced entity hangs off many-to-one (the listing's grain)."""
        graph = self.catalog.graph
        best: tuple[int, int, str] | None = None
        for candidate in self.catalog.entities:
            total = 0
            for target in referenced:
                path = graph.path(candidate, target)
                if path is None or path_fans_out(path):
                    break
                total += len(path)
            else:
                rank = (0 if candidate in referenced else 1, total, candidate)
                if best is None or rank[:2] < best[:2]:
                    best = rank
        if best is None:
            raise QueryError(INVALID_GROUPING, "these dimensions do not share a grain (no entity has one value of "
                             "each); add a measure to count their combinations", "dimensions",
                             ["appointment_count", "patient_count"])
        return best[2]
