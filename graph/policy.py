"""Liaison systems as data: a policy is a list of rules, each saying who must be covered,
by whom, and through which edge.

A rule::

    - id: party-member-to-non-party          # unique within the policy
      label: 党员委员联系党外委员                 # what people read
      covers: {kind: member, cpc: false}      # the population
      by: {kind: member, cpc: true}           # who may cover it
      through: [liaison]                      # which edges count
      capacity: {min: 1, max: 5}              # optional: items each coverer should cover
      affinity: activity_group                # optional: preferred shared attribute
      contact: {modes: [谈心谈话], per: 每季度}   # optional: what makes a liaison effective

Selectors (``covers`` and ``by``) take ``kind`` (member, sector, special_committee,
activity_group, party_org, studio) and, for members, ``cpc``, ``standing`` (the standing
committee: chair, vice-chairs, secretary-general, standing members), ``chair_council``
(chair, vice-chairs, secretary-general), ``party_group`` (holds a party-group role),
``positions``; for organisations ``party_org_kinds``, for studios and stations
``studio_kinds`` (codes, labels or aliases of their table's kind: ``[联络站]``).

``through`` takes:

- ``liaison``: a liaison holding on the day, from a current coverer straight to the item;
- ``via_sector``, ``via_special_committee``, ``via_activity_group``, ``via_party_org``:
  a liaison from a coverer to a sector (…) the member item sits in;
- ``membership``: the item sits in the coverer (a member in a party organisation that
  holds on the day) or the coverer sits in the item (a member in a sector, a studio);
- ``masses``: a member item keeps contacts with the masses of their sector (the
  masses_contacts table): covered when it has ``contact.people`` fixed contacts (people,
  by name) on record by the day, effective when each of that many meets the requirement.
  Alone in its rule, which covers and is held by members (the member covers itself).

What makes a rule's liaison effective (``contact``, ``mechanisms``, ``affinity_required``)
is ``graph/requirement.py``. A rule may also say ``gap_label`` (what its uncovered members are called, as a gap list's
title) and ``short_label`` (its name in a narrow column). A policy's ``headline`` maps the
report's headline entries to rule ids (``party_org: party-member-unorganised``). Its
``sectors_expected_without_cpc`` says which sectors the report's list of sectors without a
CPC member leaves out: ``party`` (the default: the sectors of the democratic parties and of
无党派人士, named as the model's affiliation vocabulary names them), ``none`` (leave none
out), or a list of sector names, in which ``party`` stands for those. Its
``temporary_branch_kinds`` (default: the activity kinds model.yaml marks ``branch``) names
the activities whose party members a temporary branch should hold, however short.
Built-in policies ship in ``graph/policies/``; a file of the same shape can be passed. The
built-in ``two-coverages`` (两个全覆盖) declares the two flagship rules: the default policy,
the report's headline and the gap lists (``graph.flagship``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from liaison_graph.graph.errors import InputError, UnknownRule, Where
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.policy_doc import Doc
from liaison_graph.graph import requirement
from liaison_graph.graph.requirement import ANY, Requirement

if TYPE_CHECKING:
    from liaison_graph.graph.view import View

_M = model()
CODE_KINDS = _M.node_codes  # code -> node kind
KIND_CODES = _M.kind_codes()  # node kind -> its code
# The edge of a liaison and of a contact: the rows of the liaisons and the contacts tables.
LIAISON, CONTACT, MASSES = (_M.edge_tables()[table] for table in ("liaisons", "contacts", "masses_contacts"))
# The node kinds whose nodes hold only between their start and end dates (a member's term, an
# organisation's life): "current" in a rule; a node of another kind holds whenever it is there.
TERMED = tuple(n.name for n in _M.nodes.values() if n.term)  # kinds whose nodes hold for a term
STANDING = _M.marked("position", "standing")
CHAIR_COUNCIL = _M.marked("position", "chair_council")
DEFAULT_POSITION = _M.tables["members"].columns["position"].default
# The ways of `through` (see above): liaison; via_<code> for each kind a liaison may point at
# and a member sits in (sector, …, party organisation), with the membership edge into it;
# membership.
MASSES_WAY = "masses"  # members' own contacts with the masses of their sector (``Rule.masses``)
THROUGH = {
    "liaison": None,
    **{f"via_{_M.kind_codes()[kind]}": edge for edge, kind in _M.membership().items() if kind in _M.target_nodes.values()},
    "membership": None,
    MASSES_WAY: None,
}
AFFINITY = _M.groupings()  # code of a grouping -> the membership edge into it
# The members' and studios' column a report may break down by (a row per committee and
# township): no node, so no membership into it.
TOWNSHIP = "township"
# What a report breaks down by: each grouping of members, then the committee, then the township.
BREAKDOWNS = {**AFFINITY, _M.kind_codes()["Committee"]: None, TOWNSHIP: None}
# The node kinds a selection may choose by their kind (their table's `kind` column), each
# under its key <code>_kinds, with that column's vocabulary.
BY_KIND = ("party_org", "studio")
KIND_SELECTORS = {code: f"{code}_kinds" for code in BY_KIND}
KIND_ENUMS = {code: _M.enums[_M.tables[_M.nodes[_M.node_codes[code]].table].columns["kind"].enum] for code in BY_KIND}
KINDED = tuple(_M.node_codes[code] for code in BY_KIND)  # node kinds whose `kind` a selection reads
SELECT_KEYS = {"kind", "cpc", "standing", "chair_council", "party_group", "positions", *KIND_SELECTORS.values()}
RULE_KEYS = {"id", "label", "covers", "by", "through", "capacity", "affinity", "description", "gap_label", "short_label",
             "contact", "mechanisms", "affinity_required"}
POLICY_KEYS = {"name", "label", "aliases", "description", "source", "window_days", "rules", "headline",
               "sectors_expected_without_cpc", "temporary_branch_kinds"}
ACTIVITY_KINDS = _M.enums["activity_kind"]
BRANCH_KINDS = tuple(sorted(ACTIVITY_KINDS.marked("branch")))  # activities expecting a temporary branch, by default
PARTY_SECTORS, NO_SECTORS = "party", "none"  # sectors_expected_without_cpc: the parties' own sectors; none
POSITIONS = set(_M.enums["position"].labels)
FLAGSHIP = "two-coverages"  # the built-in policy that declares the two flagship rules


@dataclass(frozen=True)
class Select:
    kind: str
    cpc: bool | None = None
    standing: bool | None = None
    chair_council: bool | None = None
    party_group: bool | None = None
    positions: tuple[str, ...] | None = None
    party_org_kinds: tuple[str, ...] | None = None
    studio_kinds: tuple[str, ...] | None = None

    @property
    def node_kind(self) -> str:
        return CODE_KINDS[self.kind]

    @property
    def kinds(self) -> tuple[str, ...] | None:
        """The kinds (their table's `kind`) it chooses a node of its kind by (None: any)."""
        return getattr(self, KIND_SELECTORS[self.kind]) or None if self.kind in KIND_SELECTORS else None

    def test(self, data: dict) -> bool:
        """Whether a current node of this selection's kind, with these properties, is chosen."""
        if self.kind == "member":
            if self.cpc is not None and bool(data.get("cpc")) != self.cpc:
                return False
            if self.party_group is not None and bool(data.get("party_group_role")) != self.party_group:
                return False
            position = data.get("position") or DEFAULT_POSITION
            if self.standing is not None and (position in STANDING) != self.standing:
                return False
            if self.chair_council is not None and (position in CHAIR_COUNCIL) != self.chair_council:
                return False
            if self.positions and position not in self.positions:
                return False
        if self.kinds and data.get("kind") not in self.kinds:
            return False
        return True


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    covers: Select
    by: Select
    through: tuple[str, ...]
    capacity: tuple[int | None, int | None] | None = None
    affinity: str | None = None
    description: str | None = None
    requirement: Requirement | None = None  # what makes its liaisons effective (graph/requirement.py)
    # Names alone (not compared: a rule of a file that repeats a flagship rule is that rule).
    gap_label: str | None = field(default=None, compare=False)  # what its uncovered members are called
    short_label: str | None = field(default=None, compare=False)  # its name in a narrow column

    @property
    def masses(self) -> bool:
        """Whether it counts members' contacts with the masses of their sector (``masses``)."""
        return self.through == (MASSES_WAY,)

    @property
    def needs(self) -> Requirement:
        """Its contact requirement; without one, a contact of any mode within the window."""
        return self.requirement or ANY

    def covering(self, view: View, item) -> Iterator[tuple]:
        """(coverer, liaison edge or None) pairs that cover ``item`` on the view's day, one by one."""
        eligible = view.selected(self.by)
        for way in self.through:
            if way == MASSES_WAY:
                if item in eligible and len(view.masses(item)) >= self.needs.people:
                    yield item, None
            elif way == "liaison":
                yield from ((src, e) for src, e in view.liaisons_in(item) if src in eligible)
            elif way == "membership":
                if item[0] == "Member":
                    yield from ((c, None) for c in view.containers(item) if c in eligible)
                yield from ((m, None) for m in view.occupants(item) if m in eligible)
            elif item[0] == "Member":
                for container in view.containers(item, THROUGH[way]):
                    yield from ((src, e) for src, e in view.liaisons_in(container) if src in eligible)

    def coverers(self, view: View, item) -> list[tuple]:
        """Every (coverer, liaison edge or None) pair that covers ``item`` on the view's day."""
        return list(self.covering(view, item))

    def covered(self, view: View, item) -> bool:
        """Whether anything covers ``item`` on the view's day (the first coverer found will do)."""
        return next(self.covering(view, item), None) is not None


@dataclass(frozen=True)
class Policy:
    name: str
    label: str
    rules: tuple[Rule, ...]
    aliases: tuple[str, ...] = ()
    description: str | None = None
    source: str | None = None
    window_days: int = 180
    headline: tuple[tuple[str, str], ...] = ()  # (headline entry, rule id), as the policy gives them
    # sectors where no CPC member is expected: names, PARTY_SECTORS for the parties' own (see above)
    sectors_expected_without_cpc: tuple[str, ...] = (PARTY_SECTORS,)
    temporary_branch_kinds: tuple[str, ...] = BRANCH_KINDS

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


# --- parsing, with the line at fault (graph/policy_doc.py) ---------------------------------
def parse_policy(text: str, filename: str) -> Policy:
    doc = Doc(filename)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Where(filename, row=mark.line + 1 if mark else None)
        raise InputError(where, f"不是有效的 YAML：{getattr(exc, 'problem', None) or exc}") from None
    top = doc.mapping(root, "政策文件", POLICY_KEYS)
    for required in ("name", "rules"):
        if required not in top:
            raise doc.fail(root, f"政策文件缺少「{required}」")
    name = doc.scalar(top["name"], "name")
    rules_node = top["rules"]
    if not isinstance(rules_node, yaml.SequenceNode) or not rules_node.value:
        raise doc.fail(rules_node, "「rules」应是至少一条规则的列表")
    rules, seen = [], set()
    for node in rules_node.value:
        rule = _parse_rule(doc, node)
        if rule.id in seen:
            raise doc.fail(node, f"规则编号「{rule.id}」重复")
        seen.add(rule.id)
        rules.append(rule)
    aliases = doc.names(top["aliases"], "aliases", {a.value for a in top["aliases"].value}) if "aliases" in top else ()
    headline = _parse_headline(doc, top["headline"], seen) if "headline" in top else ()
    return Policy(
        name=name,
        label=doc.scalar(top["label"], "label") if "label" in top else name,
        rules=tuple(rules),
        aliases=aliases,
        description=doc.scalar(top["description"], "description") if "description" in top else None,
        source=doc.scalar(top["source"], "source") if "source" in top else None,
        window_days=doc.integer(top["window_days"], "window_days") if "window_days" in top else 180,
        headline=headline,
        sectors_expected_without_cpc=_parse_sectors(doc, top["sectors_expected_without_cpc"])
        if "sectors_expected_without_cpc" in top else (PARTY_SECTORS,),
        temporary_branch_kinds=tuple(requirement.word(doc, n, ACTIVITY_KINDS, "temporary_branch_kinds") for n in
                                     doc.items(top["temporary_branch_kinds"])) if "temporary_branch_kinds" in top else BRANCH_KINDS,
    )


def _parse_sectors(doc: Doc, node) -> tuple[str, ...]:
    """``party``, ``none`` or a list of sector names (``party`` among them standing for those)."""
    what = "sectors_expected_without_cpc"
    wrong = f"「{what}」应是 {PARTY_SECTORS}（民主党派和无党派人士的界别）、{NO_SECTORS}（都列出）或界别名称的列表"
    if isinstance(node, yaml.ScalarNode) and node.value in (PARTY_SECTORS, NO_SECTORS):
        return (PARTY_SECTORS,) if node.value == PARTY_SECTORS else ()
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise doc.fail(node, wrong + (f"，而不是「{node.value}」" if isinstance(node, yaml.ScalarNode) else ""))
    return tuple(doc.scalar(item, what) for item in node.value)


def _parse_headline(doc: Doc, node, rule_ids: set[str]) -> tuple[tuple[str, str], ...]:
    """The headline's entries: each names a rule of the policy by its id."""
    if not isinstance(node, yaml.MappingNode):
        raise doc.fail(node, "「headline」应是键值表")
    out = {}
    for key, value in node.value:
        name = doc.scalar(key, "headline")
        if name in out:
            raise doc.fail(key, f"「headline」中的「{name}」重复")
        out[name] = doc.names(value, f"headline.{name}", rule_ids)[0] if isinstance(value, yaml.ScalarNode) \
            else doc.scalar(value, f"headline.{name}")
    return tuple(out.items())


def _parse_rule(doc: Doc, node) -> Rule:
    spec = doc.mapping(node, "规则", RULE_KEYS)
    for required in ("id", "covers", "by", "through"):
        if required not in spec:
            raise doc.fail(node, f"规则缺少「{required}」")
    rule_id = doc.scalar(spec["id"], "id")
    covers, by = _parse_select(doc, spec["covers"], "covers"), _parse_select(doc, spec["by"], "by")
    through = doc.names(spec["through"], "through", set(THROUGH))
    if covers.kind != "member" and any(w.startswith("via_") for w in through):
        raise doc.fail(spec["through"], f"「through」的 via_… 只适用于 covers 为 member 的规则（规则「{rule_id}」）")
    masses = MASSES_WAY in through
    if masses and (through != (MASSES_WAY,) or covers.kind != "member" or by.kind != "member"):
        raise doc.fail(spec["through"], f"「through: [masses]」须单独使用，covers 和 by 都应是 member（规则「{rule_id}」）")
    capacity = None
    if "capacity" in spec:
        cap = doc.mapping(spec["capacity"], "capacity", {"min", "max"})
        low = doc.integer(cap["min"], "capacity.min") if "min" in cap else None
        high = doc.integer(cap["max"], "capacity.max") if "max" in cap else None
        if low is not None and high is not None and high < low:
            raise doc.fail(spec["capacity"], f"capacity 的 max（{high}）小于 min（{low}）")
        capacity = (low, high)
    affinity = doc.names(spec["affinity"], "affinity", set(AFFINITY))[0] if "affinity" in spec else None
    return Rule(
        id=rule_id,
        label=doc.scalar(spec["label"], "label") if "label" in spec else rule_id,
        covers=covers,
        by=by,
        through=through,
        capacity=capacity,
        affinity=affinity,
        description=doc.scalar(spec["description"], "description") if "description" in spec else None,
        requirement=requirement.parse(doc, spec, rule_id, affinity is not None, masses),
        gap_label=doc.scalar(spec["gap_label"], "gap_label") if "gap_label" in spec else None,
        short_label=doc.scalar(spec["short_label"], "short_label") if "short_label" in spec else None,
    )


def _parse_select(doc: Doc, node, what: str) -> Select:
    spec = doc.mapping(node, what, SELECT_KEYS)
    if "kind" not in spec:
        raise doc.fail(node, f"「{what}」缺少「kind」")
    kind = doc.names(spec["kind"], f"{what}.kind", set(CODE_KINDS) - {"committee"})[0]
    values = {"kind": kind}
    for flag in ("cpc", "standing", "chair_council", "party_group"):
        if flag in spec:
            if kind != "member":
                raise doc.fail(spec[flag], f"「{what}.{flag}」只适用于 kind: member")
            values[flag] = doc.boolean(spec[flag], f"{what}.{flag}")
    if "positions" in spec:
        values["positions"] = doc.names(spec["positions"], f"{what}.positions", POSITIONS)
    for code, key in KIND_SELECTORS.items():
        if key in spec:
            if kind != code:
                raise doc.fail(spec[key], f"「{what}.{key}」只适用于 kind: {code}")
            values[key] = tuple(dict.fromkeys(requirement.word(doc, item, KIND_ENUMS[code], f"{what}.{key}")
                                              for item in doc.items(spec[key])))
    return Select(**values)


# --- the built-in policies --------------------------------------------------------------
@cache
def _builtin_file(filename: str) -> Policy:
    entry = resources.files("liaison_graph.graph").joinpath("policies", filename)
    return parse_policy(entry.read_text(encoding="utf-8"), filename)


@cache
def builtin() -> dict[str, Policy]:
    policies = {}
    for entry in sorted(resources.files("liaison_graph.graph").joinpath("policies").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            policy = _builtin_file(entry.name)
            policies[policy.name] = policy
    return policies


def flagship() -> Policy:
    """两个全覆盖: the two flagship rules (the default policy, the report's headline, the gap
    lists), read from their own file alone."""
    return _builtin_file(f"{FLAGSHIP}.yaml")


def _builtin_named(name: str) -> Policy | None:
    wanted = fold(name)
    for policy in builtin().values():
        if wanted in {fold(policy.name), fold(policy.label), *map(fold, policy.aliases)}:
            return policy
    return None


def builtin_policy(name: str | None) -> Policy:
    """A built-in policy by name, Chinese label or alias (never a file: for the API)."""
    found = flagship() if name is None else _builtin_named(name)
    if found is None:
        names = "、".join(f"{p.name}（{p.label}）" for p in builtin().values())
        raise UnknownRule(f"没有名为「{name}」的政策；内置政策有：{names}", field="policy", value=name)
    return found


def find_policy(name_or_file: str | None) -> Policy:
    """A built-in policy by name, Chinese label or alias, or a policy file."""
    if name_or_file is None:
        return flagship()
    found = _builtin_named(name_or_file)
    if found is not None:
        return found
    path = Path(name_or_file)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError(Where(path.name), "政策文件不存在或不是普通文件")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(Where(path.name), "政策文件不是 UTF-8 文本") from None
        return parse_policy(text, path.name)
    names = "、".join(f"{p.name}（{p.label}）" for p in builtin().values())
    raise UnknownRule(f"没有名为「{name_or_file}」的政策；内置政策有：{names}；也可以给出 .yaml 政策文件", policy=name_or_file)
