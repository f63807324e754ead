"""Tool input schemas generated from the catalog: every member field is an `enum` of agent-visible names.

A client that validates arguments (or a model constrained by the schema) cannot send an invented
member; the server validates again with the same schema before running anything. The same
schemas are served as OpenAI and Anthropic function definitions (`GET /api/catalog/tools`).
No top-level `anyOf`/`oneOf`: some providers refuse them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from semantic import ADHOC_PATTERN, CALCULATION_OPS, MATCHES
from service.agent.catalog import (
    COMPARE,
    FILTER_OPS,
    GRAINS,
    HAVING_OPS,
    MAX_LIMIT,
    NAMED_RANGES,
    AgentCatalog,
)
from service.agent.errors import ToolError

TOOL_NAMES = ("list_metrics", "describe_member", "search_dimension_values", "query", "explain_query")
DEFAULT_QUERY_LIMIT = 200
SCALAR: dict[str, Any] = {"type": ["string", "number", "integer", "boolean"]}


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]


def _enum(names: list[str], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": names, "description": description}


def _measure(names: list[str], description: str) -> dict[str, Any]:
    """A catalog measure (enum) or an ad hoc aggregate (pattern): avg(patient.age), count_distinct(appointment.id)."""
    return {"type": "string", "description": description,
            "anyOf": [{"enum": names}, {"pattern": ADHOC_PATTERN}]}


def query_schema(catalog: AgentCatalog) -> dict[str, Any]:
    """The contract's query, with member fields restricted to agent-visible names."""
    measures = sorted(catalog.measures)
    time_dims = catalog.time_dimensions()
    return {
        "type": "object",
        "properties": {
            "measures": {"type": "array", "uniqueItems": True,
                         "description": "Aggregates to compute (at least one: an agent receives aggregates): "
                                        "measures of list_metrics, or ad hoc aggregates over a number dimension "
                                        "(avg(D), sum(D), median(D), p25(D)..p75(D)) or count_distinct(E.id).",
                         "items": _measure(measures, "A measure (see list_metrics) or an ad hoc aggregate.")},
            "dimensions": {"type": "array", "uniqueItems": True,
                           "description": "Group by these. A group of fewer than the minimum number of patients "
                                          "is left out (meta.suppressed_rows).",
                           "items": _enum(catalog.group_dimensions(), "A dimension the measures can be grouped by.")},
            "time": {
                "type": "object",
                "additionalProperties": False,
                "description": "Time bucketing and range. Omitted: all time, no bucketing.",
                "properties": {
                    "dimension": _enum(time_dims, "Time dimension to bucket and range on; omitted: each "
                                       "measure's own default time dimension."),
                    "grain": {"type": "string", "enum": list(GRAINS),
                              "description": "Bucket size; the bucket start comes back in column `time`."},
                    "range": {
                        "description": "A named range relative to as_of, or [start, end) as two ISO dates.",
                        "anyOf": [
                            {"type": "string", "enum": list(NAMED_RANGES)},
                            {"type": "array", "items": {"type": "string", "format": "date"},
                             "minItems": 2, "maxItems": 2},
                        ],
                    },
                    "compare": {"type": "string", "enum": list(COMPARE),
                                "description": "Adds <measure>.previous, .change and .change_pct columns."},
                },
            },
            "filters": {
                "type": "array",
                "description": "Conditions on dimensions (WHERE). `values` for every op (`value` for one).",
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["field", "op"],
                    "properties": {
                        "field": _enum(catalog.filter_fields(), "A dimension."),
                        "op": {"type": "string", "enum": list(FILTER_OPS)},
                        "value": SCALAR,
                        "values": {"type": "array", "items": SCALAR},
                        "match": {"type": "string", "enum": list(MATCHES),
                                  "description": "Through a finer entity: any (default), none (no related row "
                                                 "matches: patients who never booked = appointment.id is_not_null "
                                                 "match none), all."},
                    },
                },
            },
            "having": {
                "type": "array",
                "description": "Conditions on measures (HAVING).",
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["field", "op"],
                    "properties": {
                        "field": _measure(measures, "A measure of this query."),
                        "op": {"type": "string", "enum": list(HAVING_OPS)},
                        "value": {"type": "number"},
                        "values": {"type": "array", "items": {"type": "number"}},
                    },
                },
            },
            "order": {
                "type": "array",
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["field"],
                    "properties": {
                        "field": {"type": "string", "description": "A column of the result (a measure, "
                                  "dimension, `time`, compare column or calculation)."},
                        "dir": {"type": "string", "enum": ["asc", "desc"]},
                    },
                },
            },
            "calculations": {
                "type": "array",
                "description": "Columns computed on the aggregated rows: share_of_total (within: optional), "
                               "running_total, change, change_pct (along time), rank (1 = largest), ratio (of: "
                               "[numerator, denominator]).",
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["name", "op", "of"],
                    "properties": {
                        "name": {"type": "string"},
                        "op": {"type": "string", "enum": list(CALCULATION_OPS)},
                        "of": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                        "within": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "top": {
                "type": "object", "additionalProperties": False, "required": ["n", "by"],
                "description": "Keep the n largest rows by a measure or calculation, per group of `within`.",
                "properties": {"n": {"type": "integer", "minimum": 1}, "by": {"type": "string"},
                               "within": {"type": "array", "items": {"type": "string"}}},
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                      "description": f"Rows to return (default {DEFAULT_QUERY_LIMIT} here); total_rows is always "
                                     "given."},
            "offset": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    }


def tool_specs(catalog: AgentCatalog) -> list[ToolSpec]:
    """The five tools, with schemas enumerating this catalog's agent-visible members."""
    as_of = catalog.as_of or "the date of the latest payment"
    query = query_schema(catalog)
    value_dims = [d for d in catalog.group_dimensions() if not catalog.is_time(d)]
    return [
        ToolSpec(
            "list_metrics", "List metrics",
            "List every measure and dimension you may use: names, labels, descriptions, synonyms, units "
            "(money is integer cents, rates are fractions), which dimensions each measure can be grouped by, "
            f"the data's date span per time dimension, and as_of ({as_of}): the date the data treats as today.",
            {"type": "object", "properties": {}, "additionalProperties": False},
        ),
        ToolSpec(
            "describe_member", "Describe a member",
            "Everything about one measure or dimension: definition, unit, grains, synonyms, and what it groups with.",
            {"type": "object", "additionalProperties": False, "required": ["name"],
             "properties": {"name": _enum(catalog.member_names(), "A measure or dimension name.")}},
        ),
        ToolSpec(
            "search_dimension_values", "Search dimension values",
            "The most frequent values of a dimension with their counts (e.g. service names, acquisition "
            "sources): use it to find the exact spelling before filtering.",
            {"type": "object", "additionalProperties": False, "required": ["dimension"],
             "properties": {
                 "dimension": _enum(value_dims, "A dimension."),
                 "contains": {"type": "string", "description": "Only values containing this text."},
                 "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
             }},
        ),
        ToolSpec(
            "query", "Run a query",
            "Compute measures, optionally grouped by dimensions, bucketed by time, filtered and sorted. Returns "
            "rows, column metadata (labels, units) and meta.range, the resolved [start, end) time range. "
            f"Relative ranges resolve against as_of ({as_of}). Money is integer cents; rates are fractions.",
            query,
        ),
        ToolSpec(
            "explain_query", "Explain a query",
            "Without running it: the SQL a query would run and a plain-English account of what it computes "
            "(measures and their definitions, grouping, time range, filters).",
            query,
        ),
    ]


def function_definitions(catalog: AgentCatalog) -> dict[str, list[dict[str, Any]]]:
    """The tools as OpenAI (`tools=[{"type": "function", ...}]`) and Anthropic (`input_schema`) definitions."""
    specs = tool_specs(catalog)
    return {
        "openai": [{"type": "function", "function": {"name": s.name, "description": s.description,
                                                     "parameters": s.input_schema}} for s in specs],
        "anthropic": [{"name": s.name, "description": s.description, "input_schema": s.input_schema}
                      for s in specs],
    }


# --- validation -----------------------------------------------------------------------------------

_KIND_BY_FIELD = {
    "measures": "measure", "dimensions": "dimension", "time": "time dimension", "filters": "filter field",
    "having": "measure", "order": "order field", "name": "member", "dimension": "dimension",
}


def _path(error: ValidationError) -> str | None:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


@lru_cache(maxsize=16)
def _validator_for(schema_key: str) -> Draft202012Validator:
    import json

    return Draft202012Validator(json.loads(schema_key), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _member_choice(error: ValidationError) -> ValidationError:
    """A measure that is neither a catalog name nor an ad hoc aggregate: answer as for the catalog's enum."""
    if error.validator == "anyOf":
        for sub in error.context or ():
            if sub.validator == "enum":
                return sub
    if error.validator == "pattern" and error.parent is not None:
        return _member_choice(error.parent)
    return error


def validate_arguments(spec: ToolSpec, arguments: Mapping[str, Any], catalog: AgentCatalog) -> None:
    """Raise a ToolError (contract codes where one fits) when `arguments` break the tool's schema."""
    import json

    validator = _validator_for(json.dumps(spec.input_schema, sort_keys=True))
    error = best_match(validator.iter_errors(dict(arguments)))
    if error is None:
        return
    error = _member_choice(error)
    path = _path(error)
    head = error.absolute_path[0] if error.absolute_path else None
    is_member_enum = error.validator == "enum" and isinstance(error.instance, str) and (
        head in _KIND_BY_FIELD and (head != "time" or path == "time.dimension")
        and not str(path).endswith((".op", ".dir", ".grain", ".compare")))
    if is_member_enum:
        kind = _KIND_BY_FIELD[str(head)]
        allowed = [str(v) for v in error.validator_value]
        raise ToolError("unknown_member", f"unknown {kind} '{error.instance}'", path=path,
                        suggestions=catalog.suggest(error.instance, allowed))
    if head == "time" and path and path.startswith("time.range"):
        code = "invalid_range"
    elif head in ("filters", "having"):
        code = "invalid_filter"
    elif head == "limit" and error.validator == "maximum":
        code = "limit_exceeded"
    else:
        code = "invalid_arguments"
    message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
    raise ToolError(code, f"{spec.name}: {message}", path=path)
