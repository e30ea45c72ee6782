"""The two flagship rules, as the ``two-coverages`` policy declares them, in the forms the
other parts ask for: their ids and gap-list titles, whom each applies to, the check of a
rule id a caller gives, and each rule's fast form (:class:`Form`) — what the gap index's
SQL (``graph/gapindex.py``) and the Bolt store's gap queries (``cypher/gap_by_*.cypher``)
follow. Nothing here defines a rule; it reads the policy, and refuses at import a rule the
fast forms cannot follow (the product does not start with it)."""

from __future__ import annotations

from dataclasses import dataclass

from liaison_graph.graph.errors import ModelError, UnknownRule
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import KIND_SELECTORS, LIAISON, Policy, Rule, Select, flagship

# A membership `through` follows the membership edge into the coverer's kind.
_INTO = {kind: edge for edge, kind in model().membership().items()}
_MEMBER_SELECTORS = ("standing", "chair_council", "party_group", "positions")


def _flagship_rules(policy: Policy | None = None) -> tuple[dict[str, str], dict[str, bool]]:
    """id -> the title of its gap list, id -> whether it applies to CPC members (its
    ``covers.cpc``). By id, so the order of the policy's rules changes nothing."""
    rules = sorted((policy or flagship()).rules, key=lambda r: r.id)
    if sorted(r.covers.cpc for r in rules) != [False, True] or not all(r.gap_label for r in rules):
        raise ModelError("两个全覆盖（two-coverages）的规则应一条覆盖中共党员委员、一条覆盖其余委员（covers.cpc），"
                         "且各有 gap_label")
    return {r.id: r.gap_label for r in rules}, {r.id: r.covers.cpc for r in rules}


RULES, RULE_CPC = _flagship_rules()  # the flagship rules: id -> gap list title; id -> applies to CPC members
RULE_FOR = {cpc: rule for rule, cpc in RULE_CPC.items()}  # True: the rule of the CPC members; False: of the rest


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise UnknownRule(f"未知的规则「{rule}」（可用：{'、'.join(RULES)}）", rule=rule)
    return rule


def rule_named(name: str) -> str:
    """A flagship rule's id from its id or any of its Chinese names (label, gap list title,
    short label); an unknown name is refused with every accepted name."""
    names = {r.id: (r.id, r.label, r.gap_label, r.short_label) for r in flagship().rules if r.id in RULES}
    wanted = name.strip()
    for rule, known in names.items():
        if wanted in {n for n in known if n}:
            return rule
    accepted = "；".join("、".join(n for n in known if n) for _, known in sorted(names.items()))
    raise UnknownRule(f"未知的规则「{name}」（可用：{accepted}）", field="rule", value=name)


# --- the fast forms -------------------------------------------------------------------------
@dataclass(frozen=True)
class Form:
    """A flagship rule as its fast forms follow it: the current nodes of ``kind`` whose
    ``cpc`` is ``cpc``, each covered on a day when an edge of kind ``edge`` that holds on
    the day joins it to a current coverer of kind ``by`` — a liaison from the coverer
    (``way`` liaison; a member coverer's ``cpc`` one of ``by_cpc``) or the item sitting in
    the coverer (``way`` membership)."""

    rule: str
    kind: str
    cpc: bool
    way: str
    edge: str
    by: str
    by_cpc: tuple[bool, ...] = (False, True)

    @property
    def query(self) -> str:
        """The Bolt store's query of the rule's gaps (``cypher/<query>.cypher``)."""
        return f"gap_by_{self.way}"

    @property
    def names(self) -> dict[str, str]:
        """The model's names the query's placeholders take: ``src`` -[``rel``]-> ``dst``."""
        if self.way == "liaison":
            return {"src": self.by, "rel": self.edge, "dst": self.kind}
        return {"src": self.kind, "rel": self.edge, "dst": self.by}

    @property
    def params(self) -> dict:
        """The values the query takes besides the day and the committees."""
        return {"cpc": self.cpc, "by_cpc": list(self.by_cpc)}


def _refuse(rule: Rule, what: str) -> ModelError:
    return ModelError(f"两个全覆盖的规则「{rule.id}」{what}：缺口索引和图数据库的缺口查询无法按此计算，"
                      "请修改 graph/policies/two-coverages.yaml", rule=rule.id)


def _only(rule: Rule, select: Select, what: str, allowed: tuple[str, ...]) -> None:
    for name in ("cpc", *_MEMBER_SELECTORS, *KIND_SELECTORS.values()):
        if name not in allowed and getattr(select, name) not in (None, ()):
            raise _refuse(rule, f"的 {what} 使用了 {name}（只支持 {'、'.join(allowed) or 'kind'}）")


def form(rule: Rule) -> Form:
    """The fast form of a flagship rule, or ModelError naming what the fast forms cannot follow."""
    covers, by = rule.covers, rule.by
    if covers.kind != "member" or covers.cpc is None:
        raise _refuse(rule, "不是按 cpc 选出的委员（covers 应为 {kind: member, cpc: …}）")
    _only(rule, covers, "covers", ("cpc",))
    if len(rule.through) != 1 or rule.through[0] not in ("liaison", "membership"):
        raise _refuse(rule, f"的 through 为 {list(rule.through)}（只支持 liaison 或 membership 之一）")
    way = rule.through[0]
    if way == "liaison":
        if by.kind != "member":
            raise _refuse(rule, "按 liaison 覆盖，但联系人不是委员（by.kind 应为 member）")
        _only(rule, by, "by", ("cpc",))
        by_cpc = (False, True) if by.cpc is None else (by.cpc,)
        return Form(rule.id, covers.node_kind, covers.cpc, way, LIAISON, by.node_kind, by_cpc)
    if by.node_kind not in _INTO:
        raise _refuse(rule, f"按 membership 覆盖，但委员不能编入 {by.kind}")
    _only(rule, by, "by", ())
    return Form(rule.id, covers.node_kind, covers.cpc, way, _INTO[by.node_kind], by.node_kind)


def forms(policy: Policy) -> dict[str, Form]:
    """rule id -> its fast form, for every rule of a flagship policy."""
    found = {rule.id: form(rule) for rule in policy.rules}
    if len({f.kind for f in found.values()}) != 1:
        raise ModelError("两个全覆盖的规则应覆盖同一类对象")
    return found


FORMS = forms(flagship())  # rule id -> what the gap index and the Bolt gap queries follow for it
