"""Golden SQL: the exact statements for a few queries whose shape matters (UPDATE_GOLDEN=1 rewrites them).

- revenue by source: one aggregate at the payment grain, joined many-to-one to patients, never to lines.
- visits filtered by a service: EXISTS over the appointment's lines, the count stays a plain COUNT(*).
- the patient table: patient_summary joined for its as_of, ordered with the key as tie-breaker, paged.
- ad hoc aggregates: one aggregate at the patient grain (the summary's age), a percentile WITHIN GROUP, cents.
- calculations and top: windows over the output level, one level per calculation, then ROW_NUMBER per month.
- match: none as NOT EXISTS, all as EXISTS a related line AND NOT EXISTS one that does not match.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from semantic import default_catalog
from semantic.compile import compile_query
from semantic.planner.nodes import Context
from semantic.query import Query

GOLDEN = Path(__file__).parent / "golden"
AS_OF = dt.date(2025, 11, 26)

CASES: dict[str, dict[str, Any]] = {
    "revenue_by_source": {"measures": ["revenue"], "dimensions": ["patient.source"]},
    "visits_with_botox": {"measures": ["visit_count"],
                          "filters": [{"field": "service.name", "op": "equals", "value": "Botox Injection"}]},
    "patient_table": {"dimensions": ["patient.id", "patient.name", "patient.lifetime_spend"],
                      "order": [{"field": "patient.lifetime_spend", "dir": "desc"}], "limit": 50, "offset": 100},
    "average_age_by_source": {"measures": ["avg(patient.age)", "p25(patient.lifetime_spend)"],
                              "dimensions": ["patient.source"]},
    "revenue_share_by_source_monthly": {
        "measures": ["revenue"], "dimensions": ["patient.source"],
        "time": {"grain": "month", "range": "last_12_months"},
        "calculations": [{"name": "share", "op": "share_of_total", "of": "revenue", "within": ["time"]},
                         {"name": "running", "op": "running_total", "of": "revenue"}],
        "top": {"n": 3, "by": "revenue", "within": ["time"]}},
    "patients_never_cancelled_only_botox": {
        "measures": ["patient_count"],
        "filters": [{"field": "appointment.status", "op": "equals", "value": "cancelled", "match": "none"},
                    {"field": "service.name", "op": "equals", "value": "Botox Injection", "match": "all"}]},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_sql(name):
    compiled = compile_query(Query.model_validate(CASES[name]), default_catalog(),
                             Context(as_of=AS_OF, summary_as_of=AS_OF), pretty=True, use_cache=False)
    text = f"-- params: {list(compiled.params)!r}\n{compiled.sql}\n"
    if compiled.count_sql is not None:  # listings count their rows in a second statement
        text += f"\n-- count, params: {list(compiled.count_params)!r}\n{compiled.count_sql}\n"
    path = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"{name}: SQL changed; review it and rerun with UPDATE_GOLDEN=1"
