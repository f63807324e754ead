"""YAML -> plain Python values plus the line of every key, so catalog messages can say file:line.

PyYAML silently keeps the last of two equal keys; a catalog must not, so duplicates are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line(self, *path: str | int) -> int:
        """The line of the deepest known prefix of `path` (1-based; 0 if unknown)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 0


def load_yaml_with_lines(text: str) -> LocatedYaml:
    """Parse one YAML document; raises `yaml.YAMLError` on syntax errors."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        result = LocatedYaml(None)
        if node is not None:
            result.data = _convert(node, (), loader, result)
            result.lines[()] = node.start_mark.line + 1
        return result
    finally:
        loader.dispose()


def _convert(node: yaml.Node, path: Path_, loader: yaml.SafeLoader, out: LocatedYaml) -> Any:
    if isinstance(node, yaml.MappingNode):
        value: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_path = (*path, key)
            line = key_node.start_mark.line + 1
            if key in value:
                out.duplicates.append((key_path, line))
                continue
            out.lines[key_path] = line
            value[key] = _convert(value_node, key_path, loader, out)
        return value
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            out.lines[(*path, index)] = item.start_mark.line + 1
            items.append(_convert(item, (*path, index), loader, out))
        return items
    return loader.construct_object(node, deep=True)
