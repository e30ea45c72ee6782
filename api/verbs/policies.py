"""Which liaison system a question is asked under, and the list of the built-in ones.

A caller names a built-in policy (by name, Chinese name or alias; none: 两个全覆盖) or sends
a policy document of its own, limited in size: the command line reads it from a ``--policy``
file, the HTTP API takes it in a request's ``policy_document``. Both come here, so both
accept the same policies and refuse the same faults with the same line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from liaison_graph.graph.errors import BadArgument, TooLarge
from liaison_graph.graph.policy import Policy, builtin, builtin_policy, parse_policy

POLICY_DOCUMENT_MAX = 64 * 1024  # characters of a policy document (the built-in ones are under 4,000)
DOCUMENT_FIELD = "policy_document"


@dataclass(frozen=True)
class PolicyAsked:
    """The policy a caller asks for: a built-in's name, or a document of its own."""

    name: str | None = None
    document: str | None = None
    source: str = DOCUMENT_FIELD  # what a fault in the document names: the file's name, or the request's field


def choose(asked: PolicyAsked) -> Policy:
    if asked.document is None:
        return builtin_policy(asked.name)
    if asked.name is not None:
        raise BadArgument("policy 与 policy_document 只能给出一个：内置政策的名称，或一份政策文件", field="policy",
                          value=asked.name)
    if len(asked.document) > POLICY_DOCUMENT_MAX:
        raise TooLarge(f"政策文件过大：{asked.source}（上限 {POLICY_DOCUMENT_MAX // 1024} K 个字符）",
                       field=DOCUMENT_FIELD, value=asked.source)
    return parse_policy(asked.document, asked.source)


class RuleInfo(TypedDict):
    id: str
    label: str
    through: list[str]
    capacity: dict | None
    affinity: str | None


class PolicyInfo(TypedDict):
    name: str
    label: str
    aliases: list[str]
    source: str | None
    window_days: int
    rules: list[RuleInfo]


def policies() -> list[PolicyInfo]:
    """The built-in liaison systems and their rules (the same for every caller)."""
    return [{"name": p.name, "label": p.label, "aliases": list(p.aliases), "source": p.source,
             "window_days": p.window_days,
             "rules": [{"id": r.id, "label": r.label, "through": list(r.through),
                        "capacity": None if r.capacity is None else {"min": r.capacity[0], "max": r.capacity[1]},
                        "affinity": r.affinity} for r in p.rules]}
            for p in builtin().values()]
