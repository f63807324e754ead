"""The agent's view of `GET /api/catalog`: agent-visible members only, plus lookups for the tools.

Built from the catalog response (never from metrics.yaml directly), so the agent sees exactly what
the API serves. PII members are hidden whatever the API sends; the contract's fixed PII list is
hidden too, in case a catalog served to the agent role already leaves them out (so that asking for
one is still answered `forbidden_member`, not `unknown_member`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CONTRACT_PII = frozenset({
    "patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.email",
    "patient.phone", "patient.address", "patient.date_of_birth", "patient.search",
})
GRAINS = ("day", "week", "month", "quarter", "year")
NAMED_RANGES = (
    "today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "last_12_months", "this_month",
    "last_month", "this_quarter", "last_quarter", "this_year", "last_year", "all_time",
)
COMPARE = ("previous_period", "previous_year")
COMPARE_SUFFIXES = ("previous", "change", "change_pct")
FILTER_OPS = (
    "equals", "not_equals", "in", "not_in", "contains", "starts_with", "gt", "gte", "lt", "lte", "between",
    "is_null", "is_not_null", "search",
)
HAVING_OPS = ("equals", "not_equals", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_null", "is_not_null")
MAX_LIMIT = 10_000


def _entries(body: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key) or []
    if isinstance(value, Mapping):  # tolerate {"name": {...}} as well as [{"name": ...}]
        return [{"name": name, **entry} for name, entry in value.items()]
    return [dict(entry) for entry in value if isinstance(entry, Mapping) and "name" in entry]


@dataclass(frozen=True)
class AgentCatalog:
    """Agent-visible measures and dimensions (catalog entries as served), the as_of, the hidden names."""

    measures: dict[str, dict[str, Any]]
    dimensions: dict[str, dict[str, Any]]
    hidden: frozenset[str]
    as_of: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> AgentCatalog:
        measures = {e["name"]: e for e in _entries(body, "measures")}
        dimensions = {e["name"]: e for e in _entries(body, "dimensions")}
        hidden = set(CONTRACT_PII)
        hidden |= {n for n, e in {**measures, **dimensions}.items() if e.get("pii")}
        visible_dims = {n: e for n, e in dimensions.items() if n not in hidden}
        visible_measures: dict[str, dict[str, Any]] = {}
        for name, entry in measures.items():
            if name in hidden:
                continue
            groupable = entry.get("groupable_by")
            if isinstance(groupable, list):
                entry = {**entry, "groupable_by": [d for d in groupable if d in visible_dims]}
            visible_measures[name] = entry
        extra = {k: v for k, v in body.items() if k not in ("measures", "dimensions", "as_of")}
        as_of = body.get("as_of")
        return cls(visible_measures, visible_dims, frozenset(hidden), str(as_of) if as_of else None, extra)

    # --- member sets the tool schemas enumerate ---------------------------------------------------

    def is_time(self, name: str) -> bool:
        entry = self.dimensions.get(name, {})
        return entry.get("kind") == "time" or (entry.get("type") == "time" and "kind" not in entry)

    def group_dimensions(self) -> list[str]:
        """Dimensions a query may list in `dimensions` (all but filter-only ones; bucketing goes in `time`)."""
        return sorted(n for n, e in self.dimensions.items() if not e.get("filter_only"))

    def time_dimensions(self) -> list[str]:
        return sorted(n for n in self.dimensions if self.is_time(n))

    def filter_fields(self) -> list[str]:
        return sorted(self.dimensions)

    def order_fields(self) -> list[str]:
        measures = sorted(self.measures)
        compared = [f"{m}.{suffix}" for m in measures for suffix in COMPARE_SUFFIXES]
        return [*measures, *self.group_dimensions(), "time", *compared]

    def member_names(self) -> list[str]:
        return sorted([*self.measures, *self.dimensions])

    def groupable_by(self, measure: str) -> list[str] | None:
        """The dimensions `measure` may be split by, or None when the catalog does not say."""
        value = self.measures.get(measure, {}).get("groupable_by")
        return list(value) if isinstance(value, list) else None

    def entry(self, name: str) -> dict[str, Any] | None:
        return self.measures.get(name) or self.dimensions.get(name)

    def label(self, name: str) -> str:
        entry = self.entry(name) or {}
        return str(entry.get("label") or name)

    # --- help for wrong names ----------------------------------------------------------------------

    def suggest(self, name: str, among: Iterable[str] | None = None, n: int = 3) -> list[str]:
        """Close names, and members whose synonyms match (so 'sales' suggests revenue)."""
        pool = sorted(among) if among is not None else self.member_names()
        wanted = name.strip().lower()
        by_synonym = [
            member for member in pool
            if wanted in (str(s).lower() for s in (self.entry(member) or {}).get("synonyms") or [])
            or wanted == self.label(member).lower()
        ]
        close = difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
        if not close and "." not in name:  # 'source' -> 'patient.source'
            close = [m for m in pool if m.rsplit(".", 1)[-1] == wanted][:n]
        return list(dict.fromkeys([*by_synonym, *close]))[:n]
