"""The typed tables of the catalog's pre-aggregations, as the loader stages them.

A pre-aggregation stores its rows in a table of its own (`preagg_<name>`), typed from its declaration: the
semantic layer renders its DDL. Each load makes the table afresh in its staging schema from that DDL (never
`LIKE` public's, which may be missing or of an older shape) and swaps it in with the rest, all or nothing
(service/seed/staging.py): a failed load leaves public as it was, and a catalog that no longer declares a
pre-aggregation loses its table at the next load.
"""

from __future__ import annotations

from sqlglot import exp

from semantic import Catalog
from service.seed.staging import DEFINED_PREFIX, SCHEMA


def staged_ddl(catalog: Catalog) -> dict[str, list[str]]:
    """Each pre-aggregation table's DDL (CREATE TABLE, then its indexes), naming the staging schema's copy."""
    out: dict[str, list[str]] = {}
    for materialization in catalog.materializations.values():
        ddl = list(materialization.create(catalog))
        if not ddl:
            continue
        [table] = materialization.tables(catalog)
        assert table.startswith(DEFINED_PREFIX), table
        out[table] = [_staged(node).sql(dialect="postgres") for node in ddl]
    return out


def _staged(node: exp.Expr) -> exp.Expr:
    def qualify(part: exp.Expr) -> exp.Expr:
        if isinstance(part, exp.Table) and part.name.startswith(DEFINED_PREFIX):
            part.set("db", exp.to_identifier(SCHEMA))
        return part

    return node.copy().transform(qualify, copy=False)
