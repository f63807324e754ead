"""One concept for every pre-computed relation: a materialization.

A materialization is declared in the catalog (`materializations:` in metrics.yaml, or an entity's summary
table), validated when the catalog loads, built by every data load (`refresh`: INSERT ... SELECT statements
generated from the same definitions a query compiles), matched by the physical planner against what a query
asks (`serves`: per measure, or per group of filters), and read by the renderer instead of the rows (`read`).

Whether any materialization may be read at all is decided in one place (`semantic/materialize/registry.py`
`available`): built from this catalog, for this as_of, on PostgreSQL, and allowed by the query's context.
Kinds: `pre_aggregation` (counts and sums per day and dimension values, a typed table each), `chain` (distinct
counts as counts of rows), `bridge` (filters through one-to-many joins as pairs of keys), `summary` (an
entity's per-row facts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sqlglot import exp

from semantic.asof import AsOf
from semantic.planner.nodes import Aggregate, FilterNode

if TYPE_CHECKING:  # the interface names the renderer's context; only implementations import the renderer
    from semantic.catalog.catalog import Catalog
    from semantic.catalog.graph import Edge, Path
    from semantic.render.context import RenderContext
    from semantic.render.dialects import Dialect


@dataclass(frozen=True)
class Problem:
    """A validation problem of a declaration: what is wrong, how to fix it, where (keys under the declaration)."""

    message: str
    fix: str
    at: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Statement:
    """A refresh statement: its tree (an INSERT) and bound values."""

    tree: exp.Expr
    params: tuple[object, ...]


@dataclass(frozen=True)
class AggregateRequest:
    """What the physical planner asks of an aggregate source: one measure of `aggregate` (and its earlier
    period `previous`, compared), with the patients behind each value counted when `contributors`."""

    aggregate: Aggregate
    previous: Aggregate | None
    measure: str

    @property
    def contributors(self) -> bool:
        return self.aggregate.contributors


@dataclass(frozen=True)
class Materialization:
    """A declared materialization. Subclasses say what they store, how to build it, what they serve, and how
    to read it; the defaults serve nothing."""

    name: str
    description: str
    line: int

    kind: ClassVar[str] = ""
    depends_on_as_of: ClassVar[bool] = True  # built for the data's as_of (a bridge's pairs are not)

    # --- declaration ----------------------------------------------------------------------------------

    def validate(self, catalog: Catalog) -> Iterator[Problem]:
        """The declaration's problems (none: it may be built and read)."""
        return iter(())

    def tables(self, catalog: Catalog) -> tuple[str, ...]:
        """The tables a load fills for it (empty before; swapped in with the rows)."""
        return ()

    def create(self, catalog: Catalog) -> Sequence[exp.Expr]:
        """DDL of tables of its own (typed to its declaration), if it has any; shared tables come from models.py."""
        return ()

    def refresh(self, catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect) -> list[Statement]:
        """The statements filling its tables from the loaded rows, as of `as_of`."""
        return []

    # --- physical planning ------------------------------------------------------------------------------

    def cost(self) -> tuple[int, ...]:
        """Smaller reads first when several serve a request."""
        return (0,)

    def serves(self, catalog: Catalog, request: AggregateRequest) -> bool:
        """Whether it gives exactly the rows' answer for the request's measure (and its contributors)."""
        return False

    def serves_filters(self, catalog: Catalog, edge: Edge,
                       items: Sequence[tuple[FilterNode, Path]]) -> tuple[tuple[FilterNode, Path], ...] | None:
        """For filters sharing one EXISTS below `edge` (each with its path after it): each filter with its path
        from what it stores, when it answers them exactly; else None."""
        return None

    # --- rendering --------------------------------------------------------------------------------------

    def read(self, rc: RenderContext, agg: Aggregate, previous: Aggregate | None) -> exp.Select:
        """`agg` (and its earlier period `previous` as `<measure>__prev`) from what it stores, with the columns
        the rows' aggregate has: d0, d1 ..., time, then each measure (and `<measure>__n` when counted)."""
        raise NotImplementedError(f"{self.kind} {self.name} serves no aggregate")
