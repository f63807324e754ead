"""The semantic layer's errors: each carries enough structure for an API to map it without parsing text.

`QueryError` is a refused query (the contract's codes); `CatalogError` is a catalog that does not
validate, carrying every issue at once (MetricFlow style) rather than the first one found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# The contract's error codes (query-api.md, "Errors"), plus the two for malformed input and one for a bad
# keyset cursor (`after`, semantic/keyset.py). `invalid_as_of`: an as_of that is no date or lies outside the
# dates a query may name (semantic/planner/limits.py).
UNKNOWN_MEMBER = "unknown_member"
INVALID_GROUPING = "invalid_grouping"
INVALID_FILTER = "invalid_filter"
INVALID_RANGE = "invalid_range"
INVALID_AS_OF = "invalid_as_of"
INVALID_ORDER = "invalid_order"
INVALID_QUERY = "invalid_query"
LIMIT_EXCEEDED = "limit_exceeded"
FORBIDDEN_MEMBER = "forbidden_member"
INVALID_CURSOR = "invalid_cursor"
INVALID_AS_OF = "invalid_as_of"  # an as_of that is neither a date nor a moment (semantic/asof.py)
# the agent scope (contract additions, section 1)
AGGREGATE_REQUIRED = "aggregate_required"
FORBIDDEN_GRAIN = "forbidden_grain"
FORBIDDEN_AGGREGATE = "forbidden_aggregate"
FORBIDDEN_OPTION = "forbidden_option"
TOO_FEW_PATIENTS = "too_few_patients"


class SemanticError(Exception):
    """Base class of everything the semantic layer raises on purpose."""


@dataclass
class QueryError(SemanticError):
    """A query the engine refuses: `code` is one of the contract's codes, `path` points into the query."""

    code: str
    message: str
    path: str | None = None
    suggestions: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[QueryError], tuple[str, str, str | None, tuple[str, ...]]]:
        """Picklable as itself (a large query is compiled in another process and its refusal sent back)."""
        return QueryError, (self.code, self.message, self.path, tuple(self.suggestions))

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "path": self.path,
                "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class Issue:
    """One problem in the catalog: which member, where it is written, what is wrong and how to fix it."""

    rule: str
    member: str
    message: str
    fix: str = ""
    file: str = ""
    line: int = 0

    def render(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}[{self.rule}] {self.member}: {self.message}.{fix}"


class CatalogError(SemanticError):
    """The catalog does not validate; `issues` holds every problem found, in file order."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(sorted(issues, key=lambda i: (i.file, i.line, i.member, i.rule)))
        lines = "\n".join(f"  {issue.render()}" for issue in self.issues)
        super().__init__(f"the catalog has {len(self.issues)} issue(s):\n{lines}")
