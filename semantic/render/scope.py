"""Entity rows as SQL: a FROM clause rooted at one entity, joined out as dimensions need, and catalog
expressions rendered against it.

A `Scope` is one FROM clause under construction. Reaching another entity adds a LEFT JOIN (many-to-one,
or one-to-many where the planner allowed a fan-out). Rollups, picks, windows and allocations become
subqueries LEFT JOINed on the entity's key; several rollups over the same child share one grouped
subquery. Per-entity facts kept in a summary table (patient_summary) are read from it when the
query's as_of is the summary's, else computed inline from the same definition.

A scope may take its root's summary as whole (`whole_summary`): the refresh inserts one row per root
row, rollups already holding their defaults, so the summary is an INNER JOIN read without COALESCE
(an index on a summary column can then order the rows), and when nothing but the key is read from the
root's own table, the summary alone is the FROM clause (see `Scope.rebase`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from semantic.catalog import expr as E
from semantic.catalog.graph import Edge, Path
from semantic.catalog.models import Dimension
from semantic.planner.timerange import Shift
from semantic.render.context import RenderContext, Shared
from semantic.render.dialects import cast, ratio
from semantic.render.params import literal
from semantic.render.sqlbuild import and_, col, is_null, left_join, not_null, or_, table, wrap


@dataclass
class _SubJoin:
    """One instance's join to a shared computation (a CTE keyed by `k`, columns c0, c1, ...)."""

    alias: str
    shared: Shared

    def column(self, node: E.Expr) -> exp.Column:
        return col(self.alias, f"c{self.shared.index(node)}")


class Instance:
    """One occurrence of an entity's table in a FROM clause.

    Reached many-to-one through a foreign key, an instance stays virtual (not joined) while only its
    key is used: `appointment.id` from a service line is the line's `appointment_id`.
    """

    def __init__(self, scope: Scope, entity: str, alias: str, parent: tuple[Instance, Edge] | None = None) -> None:
        self.scope = scope
        self.entity = entity
        self.alias = alias
        self.parent = parent
        self.joined = parent is None or parent[1].fan_out  # only a many-to-one hop can stay virtual
        self.cache: dict[str, exp.Expr] = {}
        self.children: dict[Edge, Instance] = {}
        self.subjoins: dict[object, _SubJoin] = {}
        self.summary_alias: str | None = None
        self.used: set[str] = set()  # columns read from this instance's own table

    def column(self, name: str) -> exp.Column:
        if not self.joined and self.parent is not None:
            parent, edge = self.parent
            if name == edge.dst_column:
                return parent.column(edge.src_column)
        self.joined = True
        self.used.add(name)
        return col(self.alias, name)

    @property
    def key(self) -> exp.Column:
        return self.column(self.scope.rc.catalog.entities[self.entity].primary_key)


class Scope:
    """A FROM clause rooted at `entity`; `finish()` returns the root table and its joins."""

    def __init__(self, rc: RenderContext, entity: str, whole_summary: bool = False) -> None:
        self.rc = rc
        self.catalog = rc.catalog
        self.root = Instance(self, entity, rc.alias(entity))
        self.whole_summary = whole_summary
        self._joins: list[tuple[str, Instance, object]] = []  # (kind, instance, payload) in creation order
        self._rebased: tuple[str, str, str, str] | None = None  # root alias, key -> summary alias, key

    def _whole(self, inst: Instance) -> bool:
        """The instance's summary has a row for it, rollups with their defaults applied (the refresh
        inserts one row per root row): only the root's, and only where the scope was told so."""
        return self.whole_summary and inst is self.root

    # --- navigation ------------------------------------------------------------------------------

    def navigate(self, start: Instance, path: Path) -> Instance:
        current = start
        for edge in path:
            child = current.children.get(edge)
            if child is None:
                child = Instance(self, edge.dst, self.rc.alias(edge.dst), (current, edge))
                current.children[edge] = child
                self._joins.append(("table", child, (current, edge)))
            current = child
        return current

    def has_path(self, start: Instance, path: Path) -> bool:
        current = start
        for edge in path:
            if edge not in current.children:
                return False
            current = current.children[edge]
        return True

    # --- dimensions and expressions --------------------------------------------------------------

    def dim(self, inst: Instance, dimension: Dimension) -> exp.Expr:
        cached = inst.cache.get(dimension.name)
        if cached is not None:
            return cached.copy()
        entity = self.catalog.entities[inst.entity]
        if dimension.materialized and entity.summary_table and self.rc.ctx.use_summaries:
            if inst.summary_alias is None:
                inst.summary_alias = self.rc.alias(f"{inst.alias}_summary")
                self._joins.append(("summary", inst, entity))
            node: exp.Expr = col(inst.summary_alias, dimension.materialized)
            default = dimension.expr.default if isinstance(dimension.expr, E.Rollup) else None
            if default is not None and not self._whole(inst):  # a LEFT JOIN may find no summary row
                node = exp.Coalesce(this=node, expressions=[literal(default)])
        else:
            assert dimension.expr is not None, f"{dimension.name} has no expression"
            node = self.eval(inst, dimension.expr)
        inst.cache[dimension.name] = node
        return node.copy()

    def dim_at(self, inst: Instance, name: str) -> exp.Expr:
        """A dimension reached from `inst` along the catalog's join path (the planner checked fan-out)."""
        dimension = self.catalog.dimensions[name]
        path = self.catalog.graph.path(inst.entity, dimension.entity)
        assert path is not None
        return self.dim(self.navigate(inst, path), dimension)

    def eval(self, inst: Instance, node: E.Expr) -> exp.Expr:
        if isinstance(node, E.Col):
            return inst.column(node.name)
        if isinstance(node, E.Dim):
            resolved = self.catalog.resolve_dim_ref(inst.entity, node.name)
            assert not isinstance(resolved, str), resolved
            return self.dim(self.navigate(inst, resolved.path), resolved.dimension)
        if isinstance(node, E.Lit):
            return literal(node.value)
        if isinstance(node, E.AsOf):
            if node.kind == "date":
                return self.rc.params.add(self.rc.ctx.as_of)
            return self.rc.params.add(self.rc.ctx.moment.end)  # after the whole day, or just after the moment
        if isinstance(node, E.Call):
            return self._call(inst, node)
        if isinstance(node, E.InList):
            return exp.In(this=self.eval(inst, node.of), expressions=[literal(v) for v in node.values])
        if isinstance(node, E.DatePart):
            return cast(exp.Extract(this=exp.var(node.part.upper()), expression=self.eval(inst, node.of)), "int")
        if isinstance(node, E.Trunc):
            return truncate(self.eval(inst, node.of), node.grain)
        if isinstance(node, E.Diff):
            return self._diff(node.unit, self.eval(inst, node.start), self.eval(inst, node.end))
        if isinstance(node, E.AddDays):
            interval = exp.Interval(this=exp.Literal.string(str(node.days)), unit=exp.var("DAY"))
            return exp.Add(this=wrap(self.eval(inst, node.of)), expression=interval)
        if isinstance(node, E.Bands):
            return self._bands(inst, node)
        if isinstance(node, E.Rollup):
            column: exp.Expr = self._subjoin(inst, ("rollup", node.via)).column(node)
            if node.default is not None:
                column = exp.Coalesce(this=column, expressions=[literal(node.default)])
            return column
        if isinstance(node, E.Pick):
            return self._subjoin(inst, ("pick", node.via, node.where, node.order_by)).column(node)
        if isinstance(node, E.Window):
            return self._subjoin(inst, ("window", node.where, node.partition_by, node.order_by)).column(node)
        if isinstance(node, E.Allocate):
            return self._subjoin(inst, ("allocate", node)).column(node)
        raise TypeError(f"cannot render {node!r}")

    def _call(self, inst: Instance, node: E.Call) -> exp.Expr:
        args = [self.eval(inst, a) for a in node.args]
        op = node.op
        binary: dict[str, type[exp.Binary]] = {
            "eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "le": exp.LTE, "gt": exp.GT, "ge": exp.GTE,
            "add": exp.Add, "sub": exp.Sub, "mul": exp.Mul,
        }
        if op in binary:
            return binary[op](this=wrap(args[0]), expression=wrap(args[1]))
        if op == "div":
            return ratio(args[0], args[1])
        if op == "and":
            result = and_(args)
            assert result is not None
            return result
        if op == "or":
            return or_(args)
        if op == "not":
            return exp.Not(this=wrap(args[0]))
        if op == "is_null":
            return is_null(args[0])
        if op == "not_null":
            return not_null(args[0])
        if op == "concat":
            concat = args[0]
            for arg in args[1:]:
                concat = exp.DPipe(this=wrap(concat), expression=wrap(arg))
            return concat
        if op == "coalesce":
            return exp.Coalesce(this=args[0], expressions=args[1:])
        if op == "greatest":
            return exp.Greatest(this=args[0], expressions=args[1:])
        if op == E.CONDITIONAL:
            return exp.Case(ifs=[exp.If(this=args[0], true=args[1])], default=args[2])
        raise TypeError(f"unknown operator {op}")

    def _diff(self, unit: str, start: exp.Expr, end: exp.Expr) -> exp.Expr:
        def part(name: str, node: exp.Expr) -> exp.Expr:
            return exp.Extract(this=exp.var(name), expression=node.copy())

        if unit == "days":
            return exp.Sub(this=cast(end, "date"), expression=cast(start, "date"))
        if unit == "hours":
            seconds = cast(part("EPOCH", exp.Paren(this=exp.Sub(this=end, expression=start))), "double")
            return exp.Div(this=seconds, expression=exp.Literal.number(3600), typed=True)
        if unit == "months":
            def index(node: exp.Expr) -> exp.Expr:
                return exp.Add(this=exp.Mul(this=part("YEAR", node), expression=exp.Literal.number(12)),
                               expression=part("MONTH", node))
            return cast(exp.Paren(this=exp.Sub(this=index(end), expression=exp.Paren(this=index(start)))), "int")
        # whole years: the year difference, minus one if the anniversary has not come yet, i.e. the difference of
        # the two days written as numbers yyyymmdd, in units of 10000. date_part (a float in PostgreSQL) rather than
        # EXTRACT (numeric since PostgreSQL 14): three calls per row instead of six numeric ones, about twice as
        # fast over a million patients (an average age reads every one)
        def yyyymmdd(node: exp.Expr) -> exp.Expr:
            def of(name: str) -> exp.Expr:
                return exp.Anonymous(this="date_part", expressions=[exp.Literal.string(name), node.copy()])

            return exp.Paren(this=exp.Add(
                this=exp.Add(this=exp.Mul(this=of("year"), expression=exp.Literal.number(10000)),
                             expression=exp.Mul(this=of("month"), expression=exp.Literal.number(100))),
                expression=of("day")))

        days = exp.Paren(this=exp.Sub(this=yyyymmdd(end), expression=yyyymmdd(start)))
        return cast(exp.Floor(this=exp.Div(this=days, expression=exp.Literal.number(10000.0), typed=False)), "int")

    def _bands(self, inst: Instance, node: E.Bands) -> exp.Expr:
        value = self.eval(inst, node.of)
        value = wrap(value)
        ifs = [exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null())]
        for edge, label in zip(node.edges, node.labels, strict=False):
            number = int(edge) if float(edge).is_integer() else edge
            ifs.append(exp.If(this=exp.LT(this=value.copy(), expression=exp.Literal.number(number)),
                              true=exp.Literal.string(label)))
        return exp.Case(ifs=ifs, default=exp.Literal.string(node.labels[-1]))

    def _subjoin(self, inst: Instance, key: tuple[object, ...]) -> _SubJoin:
        found = inst.subjoins.get(key)
        if found is None:
            found = _SubJoin(self.rc.alias(f"{inst.alias}_{key[0]}"), self.rc.shared_for(inst.entity, key))
            inst.subjoins[key] = found
            self._joins.append(("sub", inst, found))
        return found

    # --- building --------------------------------------------------------------------------------

    def finish(self) -> tuple[exp.Table, list[exp.Join]]:
        """The root table and every join, in dependency order (call after rendering everything).

        With a whole summary joined and only the key read from the root's table, the summary is the
        root table instead (pass what was built from this scope through `rebase`).
        """
        root_entity = self.catalog.entities[self.root.entity]
        # deepest first: a joined instance needs its parent's foreign key column, which may join the parent
        for kind, inst, payload in reversed(self._joins):
            if kind == "table" and inst.joined:
                parent, edge = cast_pair(payload)
                parent.column(edge.src_column)
            elif kind == "sub":
                self._subjoin_key(inst, payload)  # type: ignore[arg-type]
            elif kind == "summary":
                _ = inst.key
        summary_alias = self.root.summary_alias
        rooted = (self._whole(self.root) and summary_alias is not None
                  and self.root.used <= {root_entity.primary_key})
        joins: list[exp.Join] = []
        for kind, inst, payload in list(self._joins):
            if kind == "table":
                if not inst.joined:
                    continue
                parent, edge = cast_pair(payload)
                target = self.catalog.entities[inst.entity]
                on = exp.EQ(this=col(inst.alias, edge.dst_column), expression=parent.column(edge.src_column))
                joins.append(left_join(table(target.table, inst.alias), on))
            elif kind == "summary":
                if rooted and inst is self.root:
                    continue
                entity = payload
                assert inst.summary_alias is not None
                on = exp.EQ(this=col(inst.summary_alias, entity.summary_key),  # type: ignore[attr-defined]
                            expression=inst.key)
                summary = table(entity.summary_table, inst.summary_alias)  # type: ignore[attr-defined]
                joins.append(exp.Join(this=summary, on=on) if self._whole(inst) else left_join(summary, on))
            else:
                sub: _SubJoin = payload  # type: ignore[assignment]
                joins.append(self._build_subjoin(inst, sub))
        if rooted:
            assert summary_alias is not None and root_entity.summary_table and root_entity.summary_key
            self._rebased = (self.root.alias, root_entity.primary_key, summary_alias, root_entity.summary_key)
            return table(root_entity.summary_table, summary_alias), joins
        return table(root_entity.table, self.root.alias), joins

    def rebase(self, tree: exp.Expr) -> exp.Expr:
        """`tree` (built from this scope) reading the root's key from its summary when `finish` made the
        summary the root table; else `tree` unchanged."""
        if self._rebased is None:
            return tree
        alias, key, summary_alias, summary_key = self._rebased

        def swap(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and node.table == alias and node.name == key:
                return col(summary_alias, summary_key)
            return node

        return tree.transform(swap, copy=False)

    def _subjoin_key(self, inst: Instance, sub: _SubJoin) -> exp.Expr:
        """The instance's column a subquery joins on (a rollup's or pick's join column, else the key)."""
        first = sub.shared.items[0]
        if isinstance(first, E.Rollup | E.Pick):
            edge = self.catalog.graph.edge(inst.entity, first.via)
            assert edge is not None
            return inst.column(edge.src_column)
        return inst.key

    def _build_subjoin(self, inst: Instance, sub: _SubJoin) -> exp.Join:
        on = exp.EQ(this=col(sub.alias, "k"), expression=self._subjoin_key(inst, sub))
        return left_join(table(sub.shared.name, sub.alias), on)


def cast_pair(payload: object) -> tuple[Instance, Edge]:
    assert isinstance(payload, tuple)
    parent, edge = payload
    assert isinstance(parent, Instance) and isinstance(edge, Edge)
    return parent, edge


def truncate(node: exp.Expr, grain: str) -> exp.Expr:
    """The bucket start (a date) of a date or timestamp; week = ISO week starting Monday."""
    stamp = cast(node, "timestamp")
    return cast(exp.TimestampTrunc(this=stamp, unit=exp.var(grain.upper())), "date")


def shifted_bucket(node: exp.Expr, grain: str, shift: Shift | None) -> exp.Expr:
    """The bucket of a time moved forward by `shift` (a previous period's rows in the current buckets)."""
    if shift is not None and (shift.months or shift.days):
        unit, amount = ("MONTH", shift.months) if shift.months else ("DAY", shift.days)
        node = exp.Add(this=cast(node, "timestamp"),
                       expression=exp.Interval(this=exp.Literal.string(str(amount)), unit=exp.var(unit)))
    return truncate(node, grain)


