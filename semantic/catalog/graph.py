"""The join graph between entities: shortest join paths and whether a path fans out.

A declared join is child -> parent (many_to_one) or one_to_one; the graph adds the reverse edge,
which fans out (one parent row, many child rows) unless the join is one_to_one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from semantic.catalog.models import Join


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    src_column: str
    dst_column: str
    fan_out: bool  # one src row meets many dst rows

    def __str__(self) -> str:
        arrow = "-<" if self.fan_out else "->"
        return f"{self.src}{arrow}{self.dst}"


Path = tuple[Edge, ...]


def path_fans_out(path: Path) -> bool:
    return any(edge.fan_out for edge in path)


def down_then_up(path: Path) -> tuple[Path, Path] | None:
    """`path` as its one-to-many edges then its many-to-one ones (patient -< appointment -< line -> service),
    or None if a one-to-many edge comes after a many-to-one one."""
    down = 0
    while down < len(path) and path[down].fan_out:
        down += 1
    up = path[down:]
    return None if path_fans_out(up) else (path[:down], up)


def describe(path: Path) -> str:
    if not path:
        return "(same entity)"
    return " ".join([path[0].src, *(f"{'-<' if e.fan_out else '->'} {e.dst}" for e in path)])


class JoinGraph:
    """All-pairs shortest join paths, computed once per catalog (tens of entities at most)."""

    def __init__(self, entities: Iterable[str], joins: Iterable[Join]) -> None:
        self.entities = tuple(entities)
        self.adjacency: dict[str, list[Edge]] = {name: [] for name in self.entities}
        for join in joins:
            if join.child not in self.adjacency or join.parent not in self.adjacency:
                continue
            one_to_one = join.cardinality == "one_to_one"
            self.adjacency[join.child].append(Edge(join.child, join.parent, join.column, join.to_column, False))
            self.adjacency[join.parent].append(Edge(join.parent, join.child, join.to_column, join.column,
                                                    not one_to_one))
        self._paths: dict[tuple[str, str], Path] = {}
        self.ambiguous: dict[tuple[str, str], tuple[Path, Path]] = {}
        for source in self.entities:
            self._search(source)

    def _search(self, source: str) -> None:
        """BFS from `source`, keeping one shortest path per target and noting a second one of equal length."""
        best: dict[str, Path] = {source: ()}
        queue: deque[str] = deque([source])
        while queue:
            here = queue.popleft()
            for edge in self.adjacency[here]:
                candidate = (*best[here], edge)
                known = best.get(edge.dst)
                if known is None:
                    best[edge.dst] = candidate
                    queue.append(edge.dst)
                elif len(known) == len(candidate) and known != candidate and edge.dst != source:
                    self.ambiguous.setdefault((source, edge.dst), (known, candidate))
        for target, path in best.items():
            self._paths[(source, target)] = path

    def path(self, source: str, target: str) -> Path | None:
        """The shortest join path from `source` to `target` (() for the same entity, None if unconnected)."""
        return self._paths.get((source, target))

    def foreign_key(self, source: str, column: str) -> Edge | None:
        """The many-to-one join `source.column` follows (`appointment.patient_id` -> patient), if any."""
        return next((e for e in self.adjacency.get(source, ()) if e.src_column == column and not e.fan_out), None)

    def edge(self, source: str, target: str) -> Edge | None:
        """The direct edge between two entities, if there is exactly one."""
        edges = [e for e in self.adjacency.get(source, ()) if e.dst == target]
        return edges[0] if len(edges) == 1 else None
