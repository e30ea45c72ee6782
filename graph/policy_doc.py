"""A policy file's YAML as the policy parser reads it (``graph/policy.py``; a rule's contact
requirement, ``graph/requirement.py``): mappings with their allowed keys, values, flags,
whole numbers and names from a list, each fault naming the file and the line at fault."""

from __future__ import annotations

import yaml
from liaison_graph.graph.errors import InputError, Where


class Doc:
    def __init__(self, filename: str):
        self.filename = filename

    def fail(self, node, message: str) -> InputError:
        line = node.start_mark.line + 1 if node is not None else None
        return InputError(Where(self.filename, row=line), message)

    def mapping(self, node, what: str, allowed: set[str]) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what}应是键值表")
        out = {}
        for key, value in node.value:
            name = key.value
            if name not in allowed:
                raise self.fail(key, f"{what}中有未知的键「{name}」（可用：{'、'.join(sorted(allowed))}）")
            out[name] = value
        return out

    def scalar(self, node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            raise self.fail(node, f"「{what}」应是一个值")
        return node.value

    def boolean(self, node, what: str) -> bool:
        value = self.scalar(node, what).lower()
        if value in ("true", "yes", "是"):
            return True
        if value in ("false", "no", "否"):
            return False
        raise self.fail(node, f"「{what}」应是 true 或 false，而不是「{node.value}」")

    def integer(self, node, what: str) -> int:
        value = self.scalar(node, what)
        if not value.isdigit():
            raise self.fail(node, f"「{what}」应是非负整数，而不是「{value}」")
        return int(value)

    def items(self, node) -> list:
        """A list's items, or a single value as a list of one."""
        return node.value if isinstance(node, yaml.SequenceNode) else [node]

    def names(self, node, what: str, allowed: set[str]) -> tuple[str, ...]:
        out = []
        for item in self.items(node):
            value = self.scalar(item, what)
            if value not in allowed:
                raise self.fail(item, f"「{what}」不认识「{value}」（可用：{'、'.join(sorted(allowed))}）")
            out.append(value)
        return tuple(out)
