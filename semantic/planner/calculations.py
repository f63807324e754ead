"""`calculations` and `top` of a measure query, checked and planned (contract additions, section 2).

A calculation is a new column computed on the aggregated rows: `share_of_total` (of the whole result, or within
groups of `within`), `running_total` and `change` / `change_pct` along `time` (each series of the other dimensions
on its own), `rank` (1 = largest, `within` optional) and `ratio` (`of`: [numerator, denominator]). Its `of` names a
measure column of the query (compare columns included) or an earlier calculation. `top` keeps the n largest rows
by a measure or calculation per group of `within`. Rendering is semantic/render/calculations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from semantic.catalog import suggest
from semantic.errors import INVALID_QUERY, LIMIT_EXCEEDED, QueryError
from semantic.planner.nodes import CalculationNode, ColumnInfo, TopNode
from semantic.query import CALCULATION_OPS, MAX_CALCULATIONS, MAX_LIMIT, Calculation, Top

ALONG_TIME = ("running_total", "change", "change_pct")  # need a time grain; per series of the other dimensions
WITHIN = ("share_of_total", "rank")


def plan_calculations(raw: Sequence[Calculation], keys: list[str], measures: dict[str, ColumnInfo],
                      has_time: bool) -> tuple[list[CalculationNode], list[ColumnInfo]]:
    """The query's calculations, each checked against the columns before it; with their columns' descriptions.

    `keys`: "time" (with a grain) and the dimensions; `measures`: the measure columns shown, by name."""
    if len(raw) > MAX_CALCULATIONS:
        raise QueryError(LIMIT_EXCEEDED, f"{len(raw)} calculations; at most {MAX_CALCULATIONS}", "calculations",
                         [str(MAX_CALCULATIONS)])
    known = dict(measures)
    nodes: list[CalculationNode] = []
    columns: list[ColumnInfo] = []
    dimensions = tuple(k for k in keys if k != "time")
    for index, calc in enumerate(raw):
        path = f"calculations[{index}]"
        name = calc.name.strip()
        if not name or len(name) > 64:
            raise QueryError(INVALID_QUERY, "a calculation needs a name of 1 to 64 characters", f"{path}.name", [])
        if name in known or name in keys:
            raise QueryError(INVALID_QUERY, f"{name!r} is already a column of this query; give the calculation "
                             "another name", f"{path}.name", [f"{name}_{calc.op}"])
        if calc.op not in CALCULATION_OPS:
            raise QueryError(INVALID_QUERY, f"unknown calculation op {calc.op!r}; use one of "
                             f"{', '.join(CALCULATION_OPS)}", f"{path}.op",
                             suggest(calc.op, CALCULATION_OPS) or list(CALCULATION_OPS))
        of = _of(calc, known, path)
        if calc.op in ALONG_TIME:
            if not has_time:
                raise QueryError(INVALID_QUERY, f"{calc.op} runs along time buckets: give the query a time grain",
                                 "time.grain", ["month", "week", "day"])
            if calc.within is not None:
                raise QueryError(INVALID_QUERY, f"{calc.op} runs along time within each series of the other "
                                 "dimensions; `within` does not apply", f"{path}.within", [])
            within = dimensions
        elif calc.op == "ratio":
            if calc.within is not None:
                raise QueryError(INVALID_QUERY, "ratio is computed row by row; `within` does not apply",
                                 f"{path}.within", [])
            within = ()
        else:
            within = _within(calc.within or [], keys, f"{path}.within")
        node = CalculationNode(name, calc.op, of, within)
        column = _column(node, [known[o] for o in of])
        nodes.append(node)
        columns.append(column)
        known[name] = column
    return nodes, columns


def plan_top(raw: Top | None, keys: list[str], columns: dict[str, ColumnInfo]) -> TopNode | None:
    """`top` checked: n from 1, `by` a measure or calculation column, `within` key columns."""
    if raw is None:
        return None
    if raw.n < 1:
        raise QueryError(INVALID_QUERY, f"top.n is the rows kept per group: 1 or more, got {raw.n}", "top.n", ["10"])
    if raw.n > MAX_LIMIT:
        raise QueryError(LIMIT_EXCEEDED, f"top.n {raw.n} is above the maximum of {MAX_LIMIT}", "top.n",
                         [str(MAX_LIMIT)])
    if raw.by not in columns:
        raise QueryError(INVALID_QUERY, f"top ranks by a measure or calculation of this query, not {raw.by!r}",
                         "top.by", suggest(raw.by, list(columns)) or list(columns)[:5])
    return TopNode(raw.n, raw.by, _within(raw.within, keys, "top.within"))


def _of(calc: Calculation, known: dict[str, ColumnInfo], path: str) -> tuple[str, ...]:
    wanted = 2 if calc.op == "ratio" else 1
    names = [calc.of] if isinstance(calc.of, str) else list(calc.of)
    if len(names) != wanted:
        shape = "[numerator, denominator]" if wanted == 2 else "one column name"
        raise QueryError(INVALID_QUERY, f"{calc.op} takes `of`: {shape}", f"{path}.of", [])
    for name in names:
        if name not in known:
            raise QueryError(INVALID_QUERY, f"{name!r} is not a measure column of this query (nor an earlier "
                             "calculation); add it to `measures` or compute from one of the query's",
                             f"{path}.of", suggest(name, list(known)) or list(known)[:5])
    return tuple(names)


def _within(names: list[str], keys: list[str], path: str) -> tuple[str, ...]:
    for index, name in enumerate(names):
        if name not in keys:
            why = "the query has no time grain" if name == "time" else "it is not a dimension of this query"
            raise QueryError(INVALID_QUERY, f"within groups rows by the query's dimensions or `time`; {name!r}: "
                             f"{why}", f"{path}[{index}]", suggest(name, keys) or keys[:5])
        if name in names[:index]:
            raise QueryError(INVALID_QUERY, f"{name!r} is listed twice", f"{path}[{index}]", [])
    return tuple(names)


def _column(node: CalculationNode, of: list[ColumnInfo]) -> ColumnInfo:
    first = of[0]
    if node.op == "share_of_total":
        return ColumnInfo(node.name, "measure", "number", f"{first.label} (share of total)", "ratio", "percent")
    if node.op == "change_pct":
        return ColumnInfo(node.name, "measure", "number", f"{first.label} (change % on the previous bucket)",
                          "ratio", "percent")
    if node.op == "rank":
        return ColumnInfo(node.name, "measure", "integer", f"{first.label} (rank)", None, "integer")
    if node.op == "ratio":
        same = first.unit is not None and first.unit == of[1].unit
        return ColumnInfo(node.name, "measure", "number", f"{first.label} / {of[1].label}",
                          "ratio" if same else None, "percent" if same else "decimal")
    words = "running total" if node.op == "running_total" else "change on the previous bucket"
    return ColumnInfo(node.name, "measure", first.type, f"{first.label} ({words})", first.unit, first.format)
