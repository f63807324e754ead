"""Entity summaries: an entity's per-row facts stored for the data's as_of (`patient_summary`: visit count,
lifetime spend, first and last visit...), declared by the entity's `summary_table` and its dimensions'
`materialized: <column>`.

A load fills the summary with every materialized dimension computed inline from the same definition a query
for any other as_of compiles, so the two cannot disagree. The renderer reads a materialized dimension from the
summary when the query's as_of is the summaries' (`Scope.dim`), else computes it inline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from sqlglot import exp

from semantic.asof import AsOf, as_moment
from semantic.catalog.catalog import Catalog
from semantic.materialize.base import Materialization, Statement
from semantic.planner.nodes import Context
from semantic.render.context import RenderContext
from semantic.render.dialects import Dialect, cast
from semantic.render.params import Params
from semantic.render.scope import Scope
from semantic.render.sqlbuild import alias, ident, select, with_ctes
from semantic.render.subjoins import shared_ctes


@dataclass(frozen=True)
class EntitySummary(Materialization):
    entity: str

    kind: ClassVar[str] = "summary"

    def tables(self, catalog: Catalog) -> tuple[str, ...]:
        table = catalog.entities[self.entity].summary_table
        return (table,) if table is not None else ()

    def refresh(self, catalog: Catalog, as_of: dt.date | AsOf, dialect: Dialect) -> list[Statement]:
        """INSERT INTO <summary table> SELECT key, as_of, as_of_time, <every materialized dimension computed inline>
        (as_of_time: the moment's time of day when as_of is a moment, semantic/asof.py)."""
        entity = catalog.entities[self.entity]
        assert entity.summary_table is not None and entity.summary_key is not None
        params = Params(text_type=dialect.text_type)
        moment = as_moment(as_of)
        rc = RenderContext(catalog, Context.at(moment), dialect, params)
        scope = Scope(rc, self.entity)
        root = scope.root
        names = [entity.summary_key, "as_of", "as_of_time"]
        time_of_day = exp.Literal.string(moment.time.isoformat()) if moment.time else exp.Null()
        columns: list[exp.Expr] = [root.key, params.add(moment.day), cast(time_of_day, "time")]
        for dimension in catalog.dimensions.values():
            if dimension.entity == self.entity and dimension.materialized:
                names.append(dimension.materialized)
                columns.append(alias(scope.dim(root, dimension), dimension.materialized))
        from_, joins = scope.finish()
        target = exp.Schema(this=exp.Table(this=ident(entity.summary_table)), expressions=[ident(n) for n in names])
        insert = exp.Insert(this=target, expression=select(columns, from_, joins))
        return [Statement(with_ctes(insert, shared_ctes(rc)), tuple(params.values))]
