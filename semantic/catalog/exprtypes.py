"""Types of catalog expressions, and every problem found while working them out.

Types: string, integer, number, boolean, date, time (a timestamp), and `null` for a bare null literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic.catalog import expr as E
from semantic.catalog.catalog import Catalog, suggest
from semantic.catalog.graph import path_fans_out

NUMERIC = ("integer", "number")
TEMPORAL = ("date", "time")


def family(t: str) -> str:
    if t in NUMERIC:
        return "numeric"
    if t in TEMPORAL:
        return "temporal"
    return t


def compatible(a: str, b: str) -> bool:
    return a == "null" or b == "null" or family(a) == family(b)


@dataclass
class TypeCheck:
    """Infers types in one catalog; `problems` collects (message, fix) pairs instead of raising."""

    catalog: Catalog
    problems: list[tuple[str, str]] = field(default_factory=list)
    _visiting: set[str] = field(default_factory=set)
    _dim_types: dict[str, str] = field(default_factory=dict)

    def problem(self, message: str, fix: str = "") -> str:
        self.problems.append((message, fix))
        return "null"

    def dimension_type(self, name: str) -> str:
        """Inferred type of a dimension's expression (declared type if it has none).

        Problems inside the referenced dimension are its own (reported when it is checked), so they
        are not collected here; a reference cycle yields `null` (the cycle rule reports it).
        """
        if name in self._dim_types:
            return self._dim_types[name]
        dimension = self.catalog.dimensions[name]
        if dimension.expr is None or name in self._visiting:
            return dimension.type if dimension.expr is None else "null"
        self._visiting.add(name)
        saved, self.problems = self.problems, []
        try:
            inferred = self.infer(dimension.expr, dimension.entity)
        finally:
            self.problems = saved
            self._visiting.discard(name)
        self._dim_types[name] = inferred
        return inferred

    def infer(self, node: E.Expr, entity: str) -> str:
        if isinstance(node, E.Col):
            found = self.catalog.column_type(entity, node.name)
            if found is None:
                table = self.catalog.entities[entity].table
                close = suggest(node.name, self.catalog.schema.column_names(table))
                return self.problem(f"table {table!r} has no column {node.name!r}",
                                    f"did you mean {', '.join(repr(c) for c in close)}?" if close else
                                    f"use one of {', '.join(self.catalog.schema.column_names(table))}")
            return found
        if isinstance(node, E.Dim):
            resolved = self.catalog.resolve_dim_ref(entity, node.name)
            if isinstance(resolved, str):
                return self.problem(resolved, "name an existing dimension as `entity.name`")
            if path_fans_out(resolved.path):
                return self.problem(f"{node.name!r} is reached from {entity!r} through a one-to-many join, so a row "
                                    "has many values", "aggregate it with `rollup` or `pick` instead")
            return self.dimension_type(resolved.dimension.name)
        if isinstance(node, E.Lit):
            value = node.value
            if value is None:
                return "null"
            if isinstance(value, bool):
                return "boolean"
            if isinstance(value, int):
                return "integer"
            if isinstance(value, float):
                return "number"
            return "string"
        if isinstance(node, E.AsOf):
            return "date" if node.kind == "date" else "time"
        if isinstance(node, E.MeasureRef):
            return self.problem(f"measure {node.name!r} cannot be used inside a dimension or measure expression",
                                "use measures only in derived_measures formulas")
        if isinstance(node, E.Call):
            return self._call(node, entity)
        if isinstance(node, E.InList):
            self.infer(node.of, entity)
            return "boolean"
        if isinstance(node, E.DatePart):
            self._expect(node.of, entity, TEMPORAL, "date_part")
            return "integer"
        if isinstance(node, E.Trunc):
            self._expect(node.of, entity, TEMPORAL, "trunc")
            return "date"
        if isinstance(node, E.Diff):
            self._expect(node.start, entity, TEMPORAL, f"{node.unit}_between")
            self._expect(node.end, entity, TEMPORAL, f"{node.unit}_between")
            return "number" if node.unit == "hours" else "integer"
        if isinstance(node, E.AddDays):
            return self._expect(node.of, entity, TEMPORAL, "add_days")
        if isinstance(node, E.Bands):
            self._expect(node.of, entity, NUMERIC, "bands")
            return "string"
        if isinstance(node, E.Rollup | E.Pick):
            return self._child_aggregate(node, entity)
        if isinstance(node, E.Window):
            if node.where is not None:
                self._expect(node.where, entity, ("boolean",), "window.where")
            for part in node.partition_by:
                self.infer(part, entity)
            for key in node.order_by:
                self.infer(key.expr, entity)
            return self.infer(node.of, entity)
        if isinstance(node, E.Allocate):
            self._expect(node.total, entity, ("integer",), "allocate.total")
            self._expect(node.weight, entity, NUMERIC, "allocate.weight")
            self.infer(node.group, entity)
            self.infer(node.tiebreak, entity)
            return "integer"
        return self.problem(f"unsupported expression {node!r}")

    def _expect(self, node: E.Expr, entity: str, allowed: tuple[str, ...], where: str) -> str:
        found = self.infer(node, entity)
        if found != "null" and found not in allowed:
            self.problem(f"{where} expects {' or '.join(allowed)}, got {found}")
        return found

    def _call(self, node: E.Call, entity: str) -> str:
        types = [self.infer(arg, entity) for arg in node.args]
        op = node.op
        if op in E.COMPARISONS:
            if not compatible(types[0], types[1]):
                self.problem(f"{op} compares {types[0]} with {types[1]}")
            return "boolean"
        if op in E.LOGICAL or op == "not":
            for t in types:
                if t not in ("boolean", "null"):
                    self.problem(f"{op} expects booleans, got {t}")
            return "boolean"
        if op in ("is_null", "not_null"):
            return "boolean"
        if op in E.ARITHMETIC:
            for t in types:
                if t not in (*NUMERIC, "null"):
                    self.problem(f"{op} expects numbers, got {t}")
            return "integer" if op != "div" and all(t == "integer" for t in types) else "number"
        if op == "concat":
            return "string"
        if op == "greatest":
            for t in types:
                if t not in (*NUMERIC, "null"):
                    self.problem(f"greatest expects numbers, got {t}")
            return "integer" if all(t in ("integer", "null") for t in types) else "number"
        if op == E.CONDITIONAL:
            if types[0] not in ("boolean", "null"):
                self.problem(f"if expects a boolean condition first, got {types[0]}")
            if not compatible(types[1], types[2]):
                self.problem(f"if gives {types[1]} or {types[2]}: both branches need one type")
            return types[1] if types[1] != "null" else types[2]
        if op == "coalesce":
            known = [t for t in types if t != "null"]
            for t in known[1:]:
                if not compatible(known[0], t):
                    self.problem(f"coalesce mixes {known[0]} and {t}")
            return known[0] if known else "null"
        return self.problem(f"unknown operator {op!r}")

    def _child_aggregate(self, node: E.Rollup | E.Pick, entity: str) -> str:
        kind = "rollup" if isinstance(node, E.Rollup) else "pick"
        edge = self.catalog.graph.edge(entity, node.via)
        if edge is None:
            close = [e.dst for e in self.catalog.graph.adjacency.get(entity, []) if e.fan_out]
            return self.problem(f"{kind} via {node.via!r}: no direct join from {entity!r} to {node.via!r}",
                                f"use one of {', '.join(close)}" if close else "declare the join")
        child = node.via
        if node.where is not None:
            self._expect(node.where, child, ("boolean",), f"{kind}.where")
        if isinstance(node, E.Pick):
            for key in node.order_by:
                self.infer(key.expr, child)
            return self.infer(node.of, child)
        if node.agg == "count":
            if node.of is not None:
                self.infer(node.of, child)
            return "integer"
        assert node.of is not None
        of_type = self.infer(node.of, child)
        if node.agg == "sum" and of_type not in (*NUMERIC, "null"):
            self.problem(f"rollup sum over {of_type}")
        if node.agg == "bool_or":
            if of_type not in ("boolean", "null"):
                self.problem(f"rollup bool_or over {of_type}")
            return "boolean"
        return of_type
