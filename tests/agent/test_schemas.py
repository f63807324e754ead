"""Tool schemas generated from the catalog: agent-visible enums, and what validation answers (no database)."""

from __future__ import annotations

import jsonschema
import pytest

from service.agent.catalog import AgentCatalog
from service.agent.errors import ToolError
from service.agent.explain import describe_query
from service.agent.schemas import TOOL_NAMES, function_definitions, tool_specs, validate_arguments
from service.agent.scope import check_scope
from tests.agent.support import FAKE_CATALOG

CATALOG = AgentCatalog.from_api(FAKE_CATALOG)
SPECS = {s.name: s for s in tool_specs(CATALOG)}


def test_the_five_tools_have_valid_json_schemas() -> None:
    assert tuple(SPECS) == TOOL_NAMES
    for spec in SPECS.values():
        jsonschema.Draft202012Validator.check_schema(spec.input_schema)
        assert spec.input_schema["type"] == "object"
        assert not {"anyOf", "oneOf", "allOf"} & spec.input_schema.keys()  # providers refuse them at the top


def test_member_fields_enumerate_agent_visible_names_only() -> None:
    props = SPECS["query"].input_schema["properties"]
    catalog_measures, adhoc = props["measures"]["items"]["anyOf"]  # or an ad hoc aggregate: avg(patient.age)
    assert catalog_measures["enum"] == ["cancellation_rate", "line_revenue", "patient_count", "revenue"]
    assert "count_distinct" in adhoc["pattern"]
    dims = props["dimensions"]["items"]["enum"]
    assert "patient.source" in dims and "service.name" in dims
    assert not {"patient.id", "patient.name", "patient.search"} & set(dims)
    assert "appointment.start_at" in dims  # as in the engine; bucketing goes in `time`
    assert props["time"]["properties"]["dimension"]["enum"] == ["appointment.start_at", "payment.paid_at"]
    assert "patient.name" not in props["filters"]["items"]["properties"]["field"]["enum"]
    assert "patient.name" not in SPECS["describe_member"].input_schema["properties"]["name"]["enum"]
    # groupable_by lists lose their PII members too
    assert CATALOG.groupable_by("revenue") == ["patient.source", "patient.gender", "payment.method"]


@pytest.mark.parametrize(("arguments", "code", "path", "suggestion"), [
    ({"measures": ["revnue"]}, "unknown_member", "measures[0]", "revenue"),
    ({"measures": ["sales"]}, "unknown_member", "measures[0]", "revenue"),  # a synonym
    ({"measures": ["revenue"], "dimensions": ["source"]}, "unknown_member", "dimensions[0]", "patient.source"),
    ({"measures": ["revenue"], "filters": [{"field": "patient.sorce", "op": "equals", "value": "x"}]},
     "unknown_member", "filters[0].field", "patient.source"),
    ({"measures": ["revenue"], "time": {"range": "last_week"}}, "invalid_range", "time.range", None),
    ({"measures": ["revenue"], "filters": [{"field": "patient.source", "op": "like", "value": "x"}]},
     "invalid_filter", "filters[0].op", None),
    ({"measures": ["revenue"], "limit": 50_000}, "limit_exceeded", "limit", None),
    ({"measures": ["revenue"], "colour": "red"}, "invalid_arguments", None, None),
])
def test_invalid_arguments_get_contract_errors(arguments, code, path, suggestion) -> None:
    with pytest.raises(ToolError) as caught:
        validate_arguments(SPECS["query"], arguments, CATALOG)
    assert caught.value.code == code
    assert caught.value.path == path
    if suggestion:
        assert suggestion in caught.value.suggestions


@pytest.mark.parametrize(("tool", "arguments", "path"), [
    ("query", {"measures": ["revenue"], "dimensions": ["patient.name"]}, "dimensions[0]"),
    ("query", {"dimensions": ["patient.id", "patient.source"]}, "dimensions[0]"),  # patient-by-patient listing
    ("query", {"measures": ["revenue"], "filters": [{"field": "patient.email", "op": "equals", "value": "a@b"}]},
     "filters[0].field"),  # hidden by the contract even when the catalog leaves it out
    ("query", {"measures": ["revenue"], "filters": [{"field": "patient.search", "op": "search", "value": "ann"}]},
     "filters[0].field"),
    ("explain_query", {"measures": ["revenue"], "order": [{"field": "patient.name"}]}, "order[0].field"),
    ("describe_member", {"name": "patient.phone"}, "name"),
    ("search_dimension_values", {"dimension": "patient.name"}, "dimension"),
])
def test_pii_is_forbidden_wherever_it_appears(tool, arguments, path) -> None:
    with pytest.raises(ToolError) as caught:
        check_scope(tool, arguments, CATALOG)
    assert caught.value.code == "forbidden_member"
    assert caught.value.path == path


def test_function_definitions_for_openai_and_anthropic() -> None:
    definitions = function_definitions(CATALOG)
    assert [d["function"]["name"] for d in definitions["openai"]] == list(TOOL_NAMES)
    assert all(d["type"] == "function" and d["function"]["parameters"]["type"] == "object"
               for d in definitions["openai"])
    assert [d["name"] for d in definitions["anthropic"]] == list(TOOL_NAMES)
    assert definitions["anthropic"][3]["input_schema"] == SPECS["query"].input_schema


def test_explanation_names_measures_grouping_range_and_filters() -> None:
    text = describe_query(
        {"measures": ["revenue"], "dimensions": ["patient.source"], "time": {"grain": "month", "range": "last_month"},
         "filters": [{"field": "service.name", "op": "in", "values": ["Botox Injection"]}]},
        CATALOG, {"as_of": "2025-11-26", "range": {"start": "2025-10-01", "end": "2025-11-01"}},
    )
    assert "Revenue (`revenue`) [cents]: Sum of paid payments' amounts" in text
    assert "Grouped by Acquisition source (`patient.source`)" in text
    assert "Bucketed by month" in text and "revenue on payment.paid_at" in text
    assert "last_month, relative to as_of 2025-11-26 = [2025-10-01, 2025-11-01)" in text
    assert "Service (`service.name`) is one of 'Botox Injection'" in text
