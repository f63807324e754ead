"""Per-statement rendering state: the catalog, the query's context, the dialect, bound values, unique aliases,
and the per-row computations (rollups, picks, windows, allocations) shared by every part of one statement.

The shared computations are registered here as they are asked for and built at the end
(`semantic/render/subjoins.py` `shared_ctes`), once each, as CTEs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from semantic.catalog import expr as E
from semantic.catalog.catalog import Catalog
from semantic.planner.nodes import Context
from semantic.render.dialects import Dialect
from semantic.render.params import Params


@dataclass
class Shared:
    """A per-row computation (rollup, pick, window, allocation) of one entity, computed once per statement.

    Every instance that needs it joins the same CTE on its key; `items` are its columns c0, c1, ...
    in the order first asked for, gathered across the whole statement.
    """

    kind: str
    entity: str  # the entity whose rows the CTE is keyed by (the parent of a rollup/pick)
    name: str
    items: list[E.Expr] = field(default_factory=list)
    body: exp.Select | None = None
    built_items: int = 0
    deps: set[str] = field(default_factory=set)

    def index(self, node: E.Expr) -> int:
        if node not in self.items:
            self.items.append(node)
        return self.items.index(node)


@dataclass
class RenderContext:
    """Per-statement state: catalog, as_of, dialect, parameters, unique aliases and shared CTEs."""

    catalog: Catalog
    ctx: Context
    dialect: Dialect
    params: Params
    _aliases: dict[str, int] = field(default_factory=dict)
    shared: dict[tuple[object, ...], Shared] = field(default_factory=dict)
    building: list[Shared] = field(default_factory=list)

    def alias(self, base: str) -> str:
        count = self._aliases.get(base, 0) + 1
        self._aliases[base] = count
        return base if count == 1 else f"{base}_{count}"

    def shared_for(self, entity: str, key: tuple[object, ...]) -> Shared:
        full = (entity, *key)
        found = self.shared.get(full)
        if found is None:
            found = self.shared[full] = Shared(str(key[0]), entity, self.alias(f"{entity}__{key[0]}"))
        if self.building:
            self.building[-1].deps.add(found.name)
        return found
