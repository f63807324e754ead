"""Bridges: filters through one-to-many joins answered from distinct pairs of keys (table `bridge_rows`).

"Patients who had Botox" is an EXISTS over the patient's appointments and their service lines. A page of the
patient table walks its order and tests a few patients; its `total_rows` tests every patient: at a million
patients that joins 430,000 Botox lines to 1.5 million appointments (1.4 s). A bridge stores, once per load, each
distinct (source key, target key) pair the joins link: a patient and a service they had. A filter on the
target's attributes is then a range of the bridge's primary key (bridge, target, key) joined to the target's rows.

A bridge answers a group of filters (the filters that share one EXISTS, so must hold on one row) exactly when
every filter's join path from the group's entity runs through the bridge's path and then only many-to-one joins
(so "one row" is one target row), and every filter is false on NULL: a line without a service, which the EXISTS
would test and the bridge does not hold, could match neither. A count of the listing's root rows filtered by such
a group alone counts the distinct keys in that range (every key is a root row: the bridge is built through inner
joins from the root's table). Its pairs do not depend on the as_of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlglot import exp

from semantic.asof import AsOf
from semantic.catalog.catalog import Catalog, did_you_mean
from semantic.catalog.graph import Edge, Path, describe, down_then_up, path_fans_out
from semantic.materialize.base import Materialization, Problem, Statement
from semantic.planner.nodes import Context, FilterNode
from semantic.render.context import RenderContext
from semantic.render.dialects import Dialect, cast
from semantic.render.params import Params
from semantic.render.scope import Scope
from semantic.render.sqlbuild import and_, col, ident, not_null, select

TABLE = "bridge_rows"
_NO_DATE = dt.date(2000, 1, 1)  # the pairs depend on no as_of: the context only needs one
# ops whose condition is false (or NULL) when the value is NULL: `ne`, `not_in` and `is_null` match rows
# without a target, which only the EXISTS over the joined rows can find
NULL_REJECTING = frozenset({"eq", "in", "contains", "starts_with", "gt", "ge", "lt", "le", "between", "not_null",
                            "search"})


@dataclass(frozen=True)
class Bridge(Materialization):
    source: str  # the entity whose rows a listing counts (patient)
    target: str  # the entity reached through one-to-many joins (service: through visits and lines)

    kind: ClassVar[str] = "bridge"
    depends_on_as_of: ClassVar[bool] = False

    def validate(self, catalog: Catalog) -> Iterator[Problem]:
        """It links an entity to one reached through one-to-many joins, then many-to-one ones (patient -<
        appointment -< service line -> service)."""
        unknown = [(field, name) for field, name in (("from", self.source), ("to", self.target))
                   if name not in catalog.entities]
        for field, name in unknown:
            yield Problem(f"unknown entity {name!r}", did_you_mean(name, list(catalog.entities)), (field,))
        if unknown:
            return
        path = catalog.graph.path(self.source, self.target)
        if path is None:
            yield Problem(f"{self.target!r} cannot be reached from {self.source!r}", "declare the joins between them")
        elif not path_fans_out(path):
            yield Problem(f"{describe(path)} has no one-to-many join",
                          "remove it: a filter through many-to-one joins is a plain join, not an EXISTS")
        elif down_then_up(path) is None:
            yield Problem(f"{describe(path)} goes up a many-to-one join, then down again",
                          "bridge to an entity reached by one-to-many joins, then many-to-one ones")

    def tables(self, catalog: Catalog) -> tuple[str, ...]:
        return (TABLE,)

    def serves_filters(self, catalog: Catalog, edge: Edge,
                       items: Sequence[tuple[FilterNode, Path]]) -> tuple[tuple[FilterNode, Path], ...] | None:
        through = catalog.graph.path(self.source, self.target)
        if self.source != edge.src or not through or through[0] != edge:
            return None
        tails: list[tuple[FilterNode, Path]] = []
        for node, rest in items:
            path = (edge, *rest)
            tail = path[len(through):]
            if path[:len(through)] != through or path_fans_out(tail) or node.op not in NULL_REJECTING:
                return None
            tails.append((node, tail))
        return tuple(tails)

    def refresh(self, catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect) -> list[Statement]:
        """INSERT INTO bridge_rows: every distinct (source key, target key) pair the bridge's joins link.

        Rooted at the last entity the one-to-many joins reach (the service line): the source (patient) and
        the target (service) are each a row reached from it through many-to-one joins, both joined, so every
        key stored is a row of its table."""
        bridge = self
        path = catalog.graph.path(bridge.source, bridge.target)
        assert path is not None
        split = down_then_up(path)
        assert split is not None, "validated: one-to-many joins, then many-to-one ones"
        down, up = split
        params = Params(text_type=dialect.text_type)
        rc = RenderContext(catalog, Context(as_of=_NO_DATE), dialect, params)
        scope = Scope(rc, down[-1].dst)
        back = tuple(catalog.graph.foreign_key(edge.dst, edge.dst_column) for edge in reversed(down))
        assert all(back), "a one-to-many edge is a declared many-to-one join read backwards"
        source = scope.navigate(scope.root, back)  # type: ignore[arg-type]
        target = scope.navigate(scope.root, up)
        keys: list[exp.Expr] = []
        for inst in (target, source):  # joined, so that a dangling foreign key links nothing
            inst.joined = True
            keys.append(inst.key)
        from_, joins = scope.finish()
        pairs = select([exp.Literal.string(bridge.name), *(cast(key.copy(), "text") for key in keys)], from_, joins,
                       where=and_(not_null(key.copy()) for key in keys))
        pairs.set("distinct", exp.Distinct())
        target_table = exp.Schema(this=exp.Table(this=ident(TABLE)),
                                  expressions=[ident(n) for n in ("bridge", "target", "key")])
        return [Statement(exp.Insert(this=target_table, expression=pairs), tuple(params.values))]


def from_bridge(rc: RenderContext, bridge: Bridge, conditions: Sequence[exp.Expr], columns: Sequence[exp.Expr],
                key: exp.Expr | None, alias: str, scope: Scope) -> exp.Select:
    """SELECT `columns` FROM the bridge's rows joined to their target rows (`scope`, rooted at the target, in
    which `conditions` were rendered), for the source row `key` if given."""
    where: list[exp.Expr] = [exp.EQ(this=col(alias, "bridge"), expression=exp.Literal.string(bridge.name))]
    if key is not None:
        where.append(exp.EQ(this=col(alias, "key"), expression=cast(key, "text")))
    on = exp.EQ(this=col(alias, "target"), expression=cast(scope.root.key, "text"))
    from_, joins = scope.finish()
    return select(list(columns), exp.Table(this=ident(TABLE), alias=exp.TableAlias(this=ident(alias))),
                  [exp.Join(this=from_, on=on), *joins], where=and_([*where, *conditions]))

