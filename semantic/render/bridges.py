"""Filters through one-to-many joins, answered from a bridge (table `bridge_rows`) when one covers them.

"Patients who had Botox" is an EXISTS over the patient's appointments and their service lines. A page of
the patient table walks its order and tests a few patients; its `total_rows` tests every patient: at a
million patients that joins 430,000 Botox lines to 1.5 million appointments (1.4 s). A bridge (`bridges:`
in metrics.yaml) stores, once per load, each distinct (source key, target key) pair the joins link: a
patient and a service they had. A filter on the target's attributes is then a range of the bridge's
primary key (bridge, target, key) joined to the target's rows.

A bridge answers a group of filters (the filters that share one EXISTS, so must hold on one row) exactly
when it is built from this catalog (the load records the fingerprint, like the rollups'), every filter's
join path from the group's entity runs through the bridge's path and then only many-to-one joins (so
"one row" is one target row), and every filter is false on NULL: a line without a service, which the
EXISTS would test and the bridge does not hold, could match neither. A count of the listing's root rows
filtered by such a group alone counts the distinct keys in that range (every key is a root row: the
bridge is built through inner joins from the root's table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from semantic.catalog import Catalog
from semantic.catalog.graph import Edge, Path, down_then_up, path_fans_out
from semantic.catalog.models import Bridge
from semantic.planner.nodes import Context, FilterNode
from semantic.render.dialects import Dialect, cast
from semantic.render.params import Params
from semantic.render.scope import RenderContext, Scope, and_, col, ident, not_null, select

TABLE = "bridge_rows"
_NO_DATE = dt.date(2000, 1, 1)  # the pairs depend on no as_of: the context only needs one
# ops whose condition is false (or NULL) when the value is NULL: `ne`, `not_in` and `is_null` match rows
# without a target, which only the EXISTS over the joined rows can find
NULL_REJECTING = frozenset({"eq", "in", "contains", "starts_with", "gt", "ge", "lt", "le", "between", "not_null",
                            "search"})


@dataclass(frozen=True)
class Bridged:
    """A group of filters a bridge answers: each filter with its join path from the bridge's target."""

    bridge: Bridge
    items: tuple[tuple[FilterNode, Path], ...]


def find_bridge(rc: RenderContext, edge: Edge, items: Sequence[tuple[FilterNode, Path]]) -> Bridged | None:
    """The bridge answering the filters that share one EXISTS below `edge` (each with its path after `edge`)."""
    catalog = rc.catalog
    if rc.ctx.rollups_catalog != catalog.fingerprint or rc.dialect.name != "postgres":
        return None
    for bridge in catalog.bridges.values():
        through = catalog.graph.path(bridge.source, bridge.target)
        if bridge.source != edge.src or not through or through[0] != edge:
            continue
        tails: list[tuple[FilterNode, Path]] = []
        for node, rest in items:
            path = (edge, *rest)
            tail = path[len(through):]
            if path[:len(through)] != through or path_fans_out(tail) or node.op not in NULL_REJECTING:
                break
            tails.append((node, tail))
        else:
            return Bridged(bridge, tuple(tails))
    return None


def bridge_refresh(catalog: Catalog, name: str, dialect: Dialect) -> tuple[exp.Expr, tuple[object, ...]]:
    """INSERT INTO bridge_rows: every distinct (source key, target key) pair the bridge's joins link.

    Rooted at the last entity the one-to-many joins reach (the service line): the source (patient) and
    the target (service) are each a row reached from it through many-to-one joins, both joined, so every
    key stored is a row of its table."""
    bridge = catalog.bridges[name]
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
    return exp.Insert(this=target_table, expression=pairs), tuple(params.values)


def from_bridge(rc: RenderContext, bridged: Bridged, conditions: Sequence[exp.Expr], columns: Sequence[exp.Expr],
                key: exp.Expr | None, alias: str, scope: Scope) -> exp.Select:
    """SELECT `columns` FROM the bridge's rows joined to their target rows (`scope`, rooted at the target, in
    which `conditions` were rendered), for the source row `key` if given."""
    where: list[exp.Expr] = [exp.EQ(this=col(alias, "bridge"), expression=exp.Literal.string(bridged.bridge.name))]
    if key is not None:
        where.append(exp.EQ(this=col(alias, "key"), expression=cast(key, "text")))
    on = exp.EQ(this=col(alias, "target"), expression=cast(scope.root.key, "text"))
    from_, joins = scope.finish()
    return select(list(columns), exp.Table(this=ident(TABLE), alias=exp.TableAlias(this=ident(alias))),
                  [exp.Join(this=from_, on=on), *joins], where=and_([*where, *conditions]))

