"""The house rules of the code, checked on every run (issue 17): the semantic layer stands on its own.

- No import cycles among semantic's modules, counting imports inside functions (an import hidden in a function
  is still a dependency); only `if TYPE_CHECKING:` imports (annotations) are left out.
- `semantic/` imports neither `models.py` nor `service/`, and does no database I/O.
- Everything outside `semantic/` (the service, benchmarks, scripts) imports `semantic` itself, its public API
  (semantic/__init__.py), never a submodule.
- No module of `semantic/` is much over 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 420


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import of the file, in functions too, except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for n in ast.walk(node)} - {id(node.test)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from semantic.catalog import expr` imports a module; else a name of one
                yield f"{node.module}.{alias.name}", node.lineno


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (REPO / folder).rglob("*.py") if "migrations/versions" not in str(p))


def _graph() -> dict[str, set[str]]:
    """Module -> the modules it imports: `from a.b import c` depends on `a.b.c` when that is a module, else on
    `a.b` (its package's names); a package's `__init__` is only a dependency of what imports names from it."""
    modules = {_module(p): p for p in _files("semantic")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, _ in _imports(path):
            target = imported
            if target not in modules:
                target = imported.rpartition(".")[0]  # `a.b.name` -> the module or package `a.b`
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_semantic_has_no_import_cycles() -> None:
    graph = _graph()
    # the facade (semantic/__init__.py) imports the modules; none of them imports it
    assert not [name for name, targets in graph.items() if "semantic" in targets and name != "semantic"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_semantic_stands_on_its_own() -> None:
    for path in _files("semantic"):
        for target, line in _imports(path):
            top = target.split(".")[0]  # (a name of a module counts as its module here)
            assert top not in ("models", "service", "asyncpg", "sqlalchemy", "psycopg"), (
                f"{path.relative_to(REPO)}:{line} imports {target}")


def test_clients_use_the_public_api_only() -> None:
    for folder in ("service", "bench", "scripts", "evals"):
        for path in _files(folder):
            for target, line in _imports(path):
                if target.startswith("semantic."):
                    stem = target.rpartition(".")[0]
                    assert stem == "semantic" and not (REPO / "semantic" / target.split(".")[1]).exists(), (
                        f"{path.relative_to(REPO)}:{line} imports {target}: use `from semantic import ...`")


def test_semantic_modules_stay_small() -> None:
    sizes = {str(p.relative_to(REPO)): len(p.read_text().splitlines()) for p in _files("semantic")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
