"""The two flagship rules, as the ``two-coverages`` policy declares them, in the forms the
other parts ask for: their ids and gap-list titles, whom each applies to, and the check of
a rule id a caller gives. Nothing here defines a rule; it reads the policy."""

from __future__ import annotations

from liaison_graph.graph.errors import ModelError, UnknownRule
from liaison_graph.graph.policy import flagship


def _flagship_rules() -> tuple[dict[str, str], dict[str, bool]]:
    """id -> the title of its gap list, id -> whether it applies to CPC members (its
    ``covers.cpc``). By id, so the order of the policy's rules changes nothing."""
    rules = sorted(flagship().rules, key=lambda r: r.id)
    if sorted(r.covers.cpc for r in rules) != [False, True] or not all(r.gap_label for r in rules):
        raise ModelError("two-coverages: one rule must cover CPC members, the other the rest, each with a gap_label")
    return {r.id: r.gap_label for r in rules}, {r.id: r.covers.cpc for r in rules}


RULES, RULE_CPC = _flagship_rules()  # the flagship rules: id -> gap list title; id -> applies to CPC members
RULE_FOR = {cpc: rule for rule, cpc in RULE_CPC.items()}  # True: the rule of the CPC members; False: of the rest


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise UnknownRule(f"未知的规则「{rule}」（可用：{'、'.join(RULES)}）", rule=rule)
    return rule
