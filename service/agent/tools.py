"""The five agent tools over the query contract's endpoints, shared by MCP and `/api/ask`.

Every call is checked in order: the tool exists, no PII member is mentioned (agent scope), the
arguments fit the catalog-generated schema; only then does it reach the engine, whose own errors
come back unchanged. A call never raises: it returns a result or the contract's `{"error": ...}`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.agent.catalog import AgentCatalog
from service.agent.errors import ToolError
from service.agent.explain import describe_query
from service.agent.inprocess import InProcessApi
from service.agent.schemas import DEFAULT_QUERY_LIMIT, ToolSpec, tool_specs, validate_arguments
from service.agent.scope import check_scope

# Which count answers "how many of each value" for a dimension, by the dimension's entity.
_COUNT_FOR_ENTITY = {
    "patient": "patient_count", "appointment": "appointment_count", "service": "service_line_count",
    "provider": "service_line_count", "service_line": "service_line_count", "payment": "payment_count",
}


class CatalogCache:
    """`GET /api/catalog`, kept for `ttl` seconds (as_of moves only when data is loaded)."""

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._value: AgentCatalog | None = None
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def get(self, api: InProcessApi) -> AgentCatalog:
        async with self._lock:
            if self._value is None or time.monotonic() - self._fetched > self.ttl:
                reply = await api.get("/api/catalog")
                if not reply.ok:
                    raise ToolError.from_body(reply.status, reply.body)
                self._value = AgentCatalog.from_api(reply.body)
                self._fetched = time.monotonic()
            return self._value


@dataclass(frozen=True)
class ToolOutcome:
    ok: bool
    payload: dict[str, Any]  # the tool's result, or {"error": {...}}


class AgentTools:
    """The tools, acting through `api` (whose principal should have the agent role)."""

    def __init__(self, api: InProcessApi, cache: CatalogCache | None = None) -> None:
        self.api = api
        self.cache = cache or CatalogCache()

    async def catalog(self) -> AgentCatalog:
        return await self.cache.get(self.api)

    async def specs(self) -> list[ToolSpec]:
        return tool_specs(await self.catalog())

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> ToolOutcome:
        try:
            return ToolOutcome(True, await self._call(name, dict(arguments or {})))
        except ToolError as err:
            return ToolOutcome(False, err.body())

    async def _call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        catalog = await self.catalog()
        specs = {s.name: s for s in tool_specs(catalog)}
        spec = specs.get(name)
        if spec is None:
            raise ToolError("unknown_tool", f"no tool named '{name}'", suggestions=sorted(specs))
        check_scope(name, arguments, catalog)
        validate_arguments(spec, arguments, catalog)
        if name == "list_metrics":
            return self._list_metrics(catalog)
        if name == "describe_member":
            return self._describe(catalog, str(arguments["name"]))
        if name == "search_dimension_values":
            return await self._dimension_values(catalog, arguments)
        if name == "query":
            return await self._query(arguments)
        return await self._explain(catalog, arguments)

    # --- the tools -------------------------------------------------------------------------------

    @staticmethod
    def _list_metrics(catalog: AgentCatalog) -> dict[str, Any]:
        """The catalog, compact enough for a model's context: what each member means and how it combines."""
        group_dims = catalog.group_dimensions()

        def keep(entry: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
            return {k: entry[k] for k in keys if entry.get(k) not in (None, [], {}, "", False)}

        measures = []
        for name, entry in catalog.measures.items():
            item = keep(entry, ("name", "label", "description", "unit", "synonyms", "default_time_dimension"))
            groupable = catalog.groupable_by(name)
            if groupable is not None:
                item["not_groupable_by"] = [d for d in group_dims if d not in groupable]
            measures.append(item)
        dimensions = [
            keep(entry, ("name", "label", "description", "type", "kind", "unit", "synonyms", "filter_only", "span",
                         *(("grains",) if catalog.is_time(entry["name"]) else ())))
            for entry in catalog.dimensions.values()
        ]
        return {
            "as_of": catalog.as_of,
            "conventions": {
                "as_of": "The date the data treats as today; relative ranges (last_month, ...) resolve against it.",
                "units": "Money is integer cents (divide by 100 for dollars); rates are fractions (0.08 = 8%); "
                         "hours are decimals.",
                "grouping": "A measure can be grouped and filtered by every dimension except those in its "
                            "not_groupable_by list (describe_member gives the full list).",
                "time": "Bucket and restrict time with `time` (dimension, grain, range); the bucket comes back "
                        "in column `time`. A measure without time.dimension uses its default_time_dimension.",
            },
            "measures": measures,
            "dimensions": dimensions,
            **{k: v for k, v in catalog.extra.items() if k in ("grains", "ranges", "compare", "max_limit")},
        }

    @staticmethod
    def _describe(catalog: AgentCatalog, name: str) -> dict[str, Any]:
        entry = {k: v for k, v in (catalog.entry(name) or {}).items() if k not in ("pii", "ops", "entity")}
        if name in catalog.measures:
            entry["kind"] = entry.get("kind", "measure")
        else:
            entry["kind"] = entry.get("kind", "time" if catalog.is_time(name) else "dimension")
            entry["measures_grouped_by_it"] = sorted(
                m for m in catalog.measures if name in (catalog.groupable_by(m) or []))
        entry["as_of"] = catalog.as_of
        return entry

    @staticmethod
    def _count_measure(catalog: AgentCatalog, dimension: str) -> str:
        preferred = _COUNT_FOR_ENTITY.get(dimension.split(".", 1)[0])
        candidates = [preferred] if preferred else []
        candidates += sorted(m for m, e in catalog.measures.items() if e.get("unit") == "count")
        for measure in candidates:
            if measure in catalog.measures:
                groupable = catalog.groupable_by(measure)
                if groupable is None or dimension in groupable:
                    return measure
        raise ToolError("invalid_grouping", f"no count measure can be grouped by '{dimension}'", path="dimension")

    async def _dimension_values(self, catalog: AgentCatalog, arguments: dict[str, Any]) -> dict[str, Any]:
        dimension = str(arguments["dimension"])
        measure = self._count_measure(catalog, dimension)
        query: dict[str, Any] = {
            "measures": [measure], "dimensions": [dimension],
            "order": [{"field": measure, "dir": "desc"}, {"field": dimension, "dir": "asc"}],
            "limit": int(arguments.get("limit", 20)),
        }
        if arguments.get("contains"):
            query["filters"] = [{"field": dimension, "op": "contains", "value": str(arguments["contains"])}]
        reply = await self.api.post("/api/query", query)
        if not reply.ok:
            raise ToolError.from_body(reply.status, reply.body)
        body = reply.body
        return {
            "dimension": dimension,
            "count_measure": measure,
            "count_label": catalog.label(measure),
            "values": [{"value": row.get(dimension), "count": row.get(measure)} for row in body.get("rows", [])],
            "total_values": body.get("total_rows"),
            "as_of": (body.get("meta") or {}).get("as_of", catalog.as_of),
        }

    async def _query(self, arguments: dict[str, Any]) -> dict[str, Any]:
        query = {"limit": DEFAULT_QUERY_LIMIT, **arguments}
        reply = await self.api.post("/api/query", query)
        if not reply.ok:
            raise ToolError.from_body(reply.status, reply.body)
        result: dict[str, Any] = reply.body
        return result

    async def _explain(self, catalog: AgentCatalog, arguments: dict[str, Any]) -> dict[str, Any]:
        reply = await self.api.post("/api/query/sql", arguments)
        if not reply.ok:
            raise ToolError.from_body(reply.status, reply.body)
        body = reply.body if isinstance(reply.body, dict) else {"sql": reply.body}
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        return {
            "sql": body.get("sql"),
            "params": body.get("params", body.get("parameters")),
            "explanation": describe_query(arguments, catalog, meta),
            "meta": meta or None,
        }
