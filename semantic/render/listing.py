"""A listing (dimensions, no measures: the patient table) as a page statement and a count statement.

Listings are counted by a separate statement: a window count would make the database build every row before the
LIMIT, where the page alone can walk an index and stop early. A listing of the root's rows pages its keys first
(only what the order and the filters read, the root's summary joined as whole, so an index on the order serves
even a deep offset), then builds the shown columns for those rows alone; its count reads what the filters need
and nothing else. After a keyset cursor (`after`, semantic/keyset.py) the keys are the rows past the cursor's
values, found by one index seek per way a row can follow it (`_seek`) instead of an offset.
"""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from semantic.keyset import CursorValue, key_order
from semantic.planner.nodes import ListPlan, OrderNode, Planned, Value
from semantic.render.aggregate import AggregateRenderer
from semantic.render.dialects import cast
from semantic.render.paging import TOTAL, final_page
from semantic.render.predicates import bridged_rows, conditions, split_filters
from semantic.render.scope import Instance, Scope
from semantic.render.search import search_rank
from semantic.render.sqlbuild import alias, all_of, and_, col, is_null, or_, ordered, select, subquery, union, wrap


class ListingRenderer(AggregateRenderer):
    """Renders a `ListPlan`: its page and its count."""

    def list_plan(self, plan: ListPlan, planned: Planned) -> tuple[exp.Expr, list[str], tuple[int, ...] | None]:
        """The page, its result columns and, for a listing of root rows, where each key-order value is in a
        result record (what `next_cursor` is made of, semantic/keyset.py)."""
        visible = [c.name for c in planned.columns]
        aliases = [f"c{i}" for i in range(len(visible))]
        if not plan.distinct:
            tree, positions = self._keyed_page(plan, visible)
            return tree, aliases, positions
        inner = self._list_rows(plan, hidden=True)
        names = {"time": "time", **{d: f"d{i}" for i, d in enumerate(plan.dimensions)},
                 **{h: f"h{i}" for i, h in enumerate(plan.hidden_order)}}
        final = final_page(self.rc, inner, visible, names, None, plan.order, plan.limit, plan.offset, total=False)
        return final, aliases, None

    def list_count(self, plan: ListPlan) -> exp.Expr:
        """SELECT count(*) over the listing's rows (no order, no page).

        Rows of the root (a key is shown) are counted from the root and what the filters need alone.
        """
        count = [alias(exp.Count(this=exp.Star()), TOTAL)]
        if plan.distinct:
            return select(count, subquery(self._list_rows(plan, hidden=False), "r"))
        scope = Scope(self.rc, plan.root, whole_summary=True)
        filters = [*plan.filters, *self.time_filters(plan.time)]
        direct, groups = split_filters(scope, scope.root, filters)
        if not direct and len(groups) == 1:  # filtered only below one join ("patients who had Botox")
            [((prefix, edge), items)] = groups.items()
            bridge = dict(plan.bridges).get(edge) if not prefix else None
            if bridge is not None:  # the distinct keys of one range of the bridge (each a root row)
                name = self.rc.alias("bridge")
                distinct = exp.Count(this=exp.Distinct(expressions=[col(name, "key")]))
                return bridged_rows(self.rc, bridge, edge, items, [alias(distinct, TOTAL)], None, name)
        where = conditions(scope, scope.root, filters, dict(plan.bridges))
        from_, joins = scope.finish()
        return scope.rebase(select(count, from_, joins, where=and_(where)))

    def _list_value(self, scope: Scope, root: Instance, plan: ListPlan, name: str) -> exp.Expr:
        """A listing's column: the time bucket or a dimension, from the root row."""
        if name == "time":
            assert plan.time is not None
            return self.bucket(scope, root, plan.time)
        if self.catalog.dimensions[name].search is not None:  # ordered by how well the search matches
            return search_rank(scope, root, self.catalog.dimensions[name], plan.filters)
        return scope.dim_at(root, name)

    def _page_keys(self, plan: ListPlan) -> exp.Select:
        """The page's root keys (k) and order values (o0, o1 ...), ordered and paged: only what the order
        and the filters read, so an index can serve a deep offset without building the shown columns.
        After a cursor: the rows past its values instead of an offset (`_seek`); before one (or, with none, the
        listing's last page), the rows just before it, walked in the reversed order (`backward`)."""
        scope = Scope(self.rc, plan.root, whole_summary=True)
        root = scope.root
        order_nodes = key_order(plan, self.catalog)
        values = [self._list_value(scope, root, plan, o.column) for o in order_nodes]
        columns: list[exp.Expr] = [alias(root.key, "k"), *(alias(v, f"o{i}") for i, v in enumerate(values))]
        where = conditions(scope, root, [*plan.filters, *self.time_filters(plan.time)], dict(plan.bridges))
        from_, joins = scope.finish()
        keys = select(columns, from_, joins, where=and_(where))
        seeks = plan.after is not None or plan.backward
        if any(f.op == "search" for f in plan.filters):
            # Find the matches first, then sort them: walking an index in the page's order and testing each
            # row reads the whole table when a search matches few rows late in that order (or none), and
            # search words follow the name order. OFFSET 0 keeps PostgreSQL from merging the subquery.
            keys.set("offset", exp.Offset(expression=exp.Literal.number(0)))
            matched = self.rc.alias("matched")
            names = ["k", *(f"o{i}" for i in range(len(values)))]
            keys = select([col(matched, n) for n in names], subquery(scope.rebase(keys), matched))
            values = [col(matched, f"o{i}") for i in range(len(values))]
            if plan.after is not None:  # the matches past (or before) the cursor: few, no index to seek
                keys.set("where", exp.Where(this=or_(self._beyond(values, order_nodes, plan))))
        elif plan.after is not None:
            rebased = scope.rebase(self._seek(keys, values, order_nodes, plan))
            assert isinstance(rebased, exp.Select)
            return rebased
        keys.set("order", exp.Order(expressions=_walk(values, order_nodes, plan.backward)))
        keys.set("limit", exp.Limit(expression=self.rc.params.add(plan.limit)))
        if not seeks:
            keys.set("offset", exp.Offset(expression=self.rc.params.add(plan.offset)))
        rebased = scope.rebase(keys)
        assert isinstance(rebased, exp.Select)
        return rebased

    def _seek(self, keys: exp.Select, values: list[exp.Expr], nodes: tuple[OrderNode, ...],
              plan: ListPlan) -> exp.Select:
        """The first `limit` rows past the cursor in the walk's order: UNION ALL of one branch per condition of
        `_beyond`, each ordered and limited on its own. Each branch is equalities on a prefix of the order and
        one range (or IS NULL / IS NOT NULL) on the next column, which an index on the order seeks to; a single
        OR of them would walk the index from its start (and a bound on the leading column alone would scan its
        ties: 43% of patients share lifetime_spend 0)."""
        branches: list[exp.Expr] = []
        for condition in self._beyond(values, nodes, plan):
            branch = keys.copy()
            where = branch.args.get("where")
            branch.set("where", exp.Where(this=and_([*([where.this] if where is not None else []), condition])))
            branch.set("order", exp.Order(expressions=_walk(values, nodes, plan.backward)))
            branch.set("limit", exp.Limit(expression=self.rc.params.add(plan.limit)))
            branches.append(branch)
        if len(branches) == 1:
            only = branches[0]
            assert isinstance(only, exp.Select)
            return only
        seek = self.rc.alias("after")
        names = ["k", *(f"o{i}" for i in range(len(values)))]
        branches_ = union([exp.Subquery(this=b) for b in branches])
        out = select([col(seek, n) for n in names], subquery(branches_, seek))
        out.set("order", exp.Order(expressions=_walk([col(seek, f"o{i}") for i in range(len(values))], nodes,
                                                     plan.backward)))
        out.set("limit", exp.Limit(expression=self.rc.params.add(plan.limit)))
        return out

    def _beyond(self, values: list[exp.Expr], nodes: tuple[OrderNode, ...], plan: ListPlan) -> list[exp.Expr]:
        """Disjoint conditions that together hold the rows after the cursor's (or, walking backward, before it),
        nearest first: for each column i from the last (the key) to the first, the columns before it equal to
        the cursor's and column i past its value. Nulls sort last both ways: after a value come greater (or,
        descending, smaller) values, then nulls; before it only non-null smaller (greater) ones, and before a
        null every value."""
        cursor = plan.after
        assert cursor is not None
        out: list[exp.Expr] = []
        last = len(nodes) - 1
        for i in range(last, -1, -1):
            bound = cursor[i]
            same = [self._same(values[j], cursor[j]) for j in range(i)]
            if plan.backward:
                if bound is None:
                    out.append(all_of([*same, exp.Not(this=is_null(values[i].copy()))]))
                    continue
                before = exp.GT if nodes[i].desc else exp.LT
                out.append(all_of([*same, before(this=wrap(values[i].copy()), expression=self._cursor_value(bound))]))
                continue
            if bound is None:
                continue
            past = exp.LT if nodes[i].desc else exp.GT
            beyond = past(this=wrap(values[i].copy()), expression=self._cursor_value(bound))
            out.append(all_of([*same, beyond]))
            if i < last:  # the key is never null
                out.append(all_of([*(s.copy() for s in same), is_null(values[i].copy())]))
        return out

    def _same(self, value: exp.Expr, bound: CursorValue) -> exp.Expr:
        if bound is None:
            return is_null(value.copy())
        return exp.EQ(this=wrap(value.copy()), expression=self._cursor_value(bound))

    def _cursor_value(self, value: Value | Decimal) -> exp.Expr:
        """A cursor value as a typed parameter (a decimal travels as text, cast to decimal: exact)."""
        if isinstance(value, Decimal):
            return cast(self.rc.params.add(str(value)), "decimal")
        return self.rc.params.add(value)

    def _keyed_page(self, plan: ListPlan, visible: list[str]) -> tuple[exp.Expr, tuple[int, ...]]:
        """A page of root rows: its keys first (`_page_keys`), then the shown columns of those rows alone.
        Also where each key-order value is in a record: a shown column, else one added after them."""
        scope = Scope(self.rc, plan.root, whole_summary=True)
        root = scope.root
        keys = self._page_keys(plan)
        page = self.rc.alias("page")
        on = exp.EQ(this=root.key, expression=col(page, "k"))
        columns = [alias(self._list_value(scope, root, plan, name), f"c{i}") for i, name in enumerate(visible)]
        order_nodes = key_order(plan, self.catalog)
        positions: list[int] = []
        for i, node in enumerate(order_nodes):
            if node.column in visible:
                positions.append(visible.index(node.column))
            else:
                positions.append(len(columns))
                columns.append(alias(col(page, f"o{i}"), f"o{i}"))
        from_, joins = scope.finish()
        final = select(columns, subquery(keys, page), [exp.Join(this=from_, on=on), *joins])
        final.set("order", exp.Order(expressions=[ordered(col(page, f"o{i}"), o.desc)
                                                  for i, o in enumerate(order_nodes)]))
        return scope.rebase(final), tuple(positions)

    def _list_rows(self, plan: ListPlan, hidden: bool) -> exp.Select:
        scope = Scope(self.rc, plan.root)
        root = scope.root
        columns: list[exp.Expr] = [alias(scope.dim_at(root, d), f"d{i}") for i, d in enumerate(plan.dimensions)]
        if plan.time is not None and plan.time.grain is not None:
            columns.append(alias(self.bucket(scope, root, plan.time), "time"))
        if hidden:
            columns += [alias(scope.dim_at(root, h), f"h{i}") for i, h in enumerate(plan.hidden_order)]
        where = conditions(scope, root, [*plan.filters, *self.time_filters(plan.time)], dict(plan.bridges))
        from_, joins = scope.finish()
        return select(columns, from_, joins, where=and_(where), distinct=plan.distinct)


def _walk(values: list[exp.Expr], nodes: tuple[OrderNode, ...], backward: bool) -> list[exp.Ordered]:
    """The order keys are taken in: the listing's (nulls last), or reversed (the last rows first, nulls first)."""
    if backward:
        return [exp.Ordered(this=v.copy(), desc=not o.desc, nulls_first=True) for v, o in zip(values, nodes,
                                                                                          strict=True)]
    return [ordered(v.copy(), o.desc) for v, o in zip(values, nodes, strict=True)]
