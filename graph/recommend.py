"""Recommended pairings (结对子) that close the gaps: an assignment solved as min-cost flow.

For every rule of a policy that a member covers through a liaison, the uncovered targets
of each committee are paired with eligible sources of the same committee so that

1. as many targets as possible are covered (a maximum flow),
2. the affinity cost is minimal — the two people liaised before (a pair of the last term
   kept: 0), same activity group 1, same sector 2, same special committee 3, same township
   4, anything else 5 (a sector, special committee or group as the target: 1 when the
   source sits in it, else 5),
3. and, among those, the load is spread: a source's k-th new liaison costs its current
   load plus k - 1, so the busiest sources are asked last,

without any source going over the rule's capacity bound (its existing liaisons count).
Targets left over are listed with the reason and the smallest change that would cover
them. Beside the pairings: a temporary branch for every activity longer than five days
with three or more party members who share no temporary branch for it.
"""

from __future__ import annotations

from collections.abc import Collection

from dataclasses import dataclass

import networkx as nx
from liaison_graph.graph import days
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP
from liaison_graph.graph.policy import AFFINITY, CODE_KINDS, KIND_CODES, LIAISON, Policy, Rule, Select
from liaison_graph.graph.view import View

# The groupings a pair may share, the closest first (the model's membership edges into them).
AFFINITY_ORDER = tuple(AFFINITY[code] for code in ("activity_group", "sector", "special_committee"))
IN_PARTY_ORG = next(edge for edge, kind in MEMBERSHIP.items() if kind == CODE_KINDS["party_org"])
(ATTENDS,) = model().row_edges(CODE_KINDS["activity"])  # an activity's participants (its row's member_ids)
OTHER = 5
KEPT = 0  # a pair of the last term whose two people both stay
TEMP_BRANCH_DAYS = 5
AWAY = ("excused", "absent")  # participants not there (model.yaml: attendance)
TEMP_BRANCH_MIN_CPC = 3
# Party organisation kinds (model.yaml marks): where no one is enrolled by a recommendation
# (the leading party groups, a temporary branch), the temporary branch, the party group it
# is set up under, and what to set up where a committee has nowhere to enrol a party member.
_ORG_KINDS = model().enums["party_org_kind"]
NOT_ENROLLING = _ORG_KINDS.marked("leading") | _ORG_KINDS.marked("temporary")
TEMPORARY = _ORG_KINDS.the("temporary")
HEAD = _ORG_KINDS.the("head")
SUGGESTED = _ORG_KINDS.the("suggested")


# --- the assignment, as a pure function --------------------------------------------------
@dataclass(frozen=True)
class Solution:
    pairs: dict  # target -> source
    covered: int
    affinity: int  # total affinity cost of the pairs
    fairness: int  # sum over sources of load, load + 1, … for each new liaison


def assign(targets: list, cost: dict, room: dict, load: dict) -> Solution:
    """Pair targets with sources. ``cost[(source, target)]`` lists the eligible pairs and
    their affinity cost; ``room[source]`` is how many more liaisons the source may take
    (None: no bound); ``load[source]`` its current number."""
    sources = sorted({s for s, _ in cost}, key=str)
    n = len(targets)
    if not cost:
        return Solution({}, 0, 0, 0)
    top_load = max([load.get(s, 0) for s in sources] + [0])
    weight = n * (top_load + n) + 1  # one step of affinity outweighs any spread of load
    bypass = n * (OTHER * weight + top_load + n) + 1  # leaving a target uncovered outweighs everything
    # Every target takes one unit from the source: through a liaison if it can, else over the
    # bypass, whose cost makes the least-cost flow the largest real one (a maximum flow).
    G = nx.MultiDiGraph()
    G.add_node("source", demand=-n)
    G.add_node("sink", demand=n)
    for s in sources:
        slots = n if room.get(s) is None else min(n, room[s])
        for k in range(slots):  # the k-th new liaison of a source costs its load plus k
            G.add_edge("source", ("from", s), capacity=1, weight=load.get(s, 0) + k)
    for (s, t), c in cost.items():
        G.add_edge(("from", s), ("to", t), capacity=1, weight=c * weight)
    for t in targets:
        G.add_edge(("to", t), "sink", capacity=1, weight=0)
        G.add_edge("source", ("to", t), capacity=1, weight=bypass)
    _, flow = nx.network_simplex(G)
    pairs = {}
    for s in sources:
        for node, keyed in flow.get(("from", s), {}).items():
            if any(keyed.values()):
                pairs[node[1]] = s
    return score(pairs, cost, load)


def score(pairs: dict, cost: dict, load: dict) -> Solution:
    per_source: dict = {}
    for t, s in pairs.items():
        per_source[s] = per_source.get(s, 0) + 1
    fairness = sum(sum(load.get(s, 0) + k for k in range(count)) for s, count in per_source.items())
    return Solution(dict(pairs), len(pairs), sum(cost[(s, t)] for t, s in pairs.items()), fairness)


# --- building the instance from a view ----------------------------------------------------
def recommendable(rule: Rule) -> bool:
    return "liaison" in rule.through and rule.by.kind == "member"


def placeable(rule: Rule) -> bool:
    """A rule a party organisation covers by membership (party members in an organisation)."""
    return "membership" in rule.through and rule.by.kind == "party_org" and rule.covers.kind == "member"


def recommend_placement(view: View, rule: Rule) -> tuple[list[dict], list[dict]]:
    """For each uncovered party member, the organisation of their committee that holds the
    most of their activity group (else sector) — no bound applies, so each member's best
    choice is the optimum."""
    eligible = view.selected(rule.by)
    items, leftovers = [], []
    for t in _uncovered(view, rule):
        cid = view.data(t).get("committee_id")
        orgs = [o for o, d in view.nodes("PartyOrg") if o in eligible and d.get("committee_id") == cid
                and d.get("kind") not in NOT_ENROLLING]
        if not orgs:
            leftovers.append({"rule": rule.id, "id": t[1], "name": view.data(t).get("name"), "kind": "member",
                              "committee_id": cid, "reason": "no_eligible_source",
                              "reason_label": "本政协没有可编入的党组织", "fix": {"add_source": _ORG_KINDS.label(SUGGESTED)},
                              "fix_label": "在本政协设立党支部或党小组"})
            continue

        def rank(org):
            members = set(view.occupants(org))
            for cost, kind in enumerate(AFFINITY_ORDER[:2], start=1):
                mine = set(view.containers(t, kind))
                shared = sum(1 for m in members if mine & set(view.containers(m, kind)))
                if shared:
                    return (cost, -shared, org[1])
            return (OTHER, len(members), org[1])

        best = min(orgs, key=rank)
        items.append({"rule": rule.id, "kind": "membership", "from_id": best[1], "from_name": view.data(best).get("name"),
                      "to_id": t[1], "to_name": view.data(t).get("name"), "target_kind": "member", "committee_id": cid,
                      "cost": rank(best)[0], "load_before": len(view.occupants(best))})
    return items, leftovers


def affinity_cost(view: View, source, target) -> int:
    if target[0] == source[0] == "Member" and (view.data(source).get("person_id") or source[1],
                                               view.data(target).get("person_id") or target[1]) in view.former_pairs():
        return KEPT
    if target[0] != "Member":
        return 1 if target in view.containers(source) else OTHER
    for rank, kind in enumerate(AFFINITY_ORDER, start=1):
        if set(view.containers(source, kind)) & set(view.containers(target, kind)):
            return rank
    township = view.data(source).get("township")
    return 4 if township and township == view.data(target).get("township") else OTHER


def _uncovered(view: View, rule: Rule) -> list:
    chosen = view.selected(rule.covers)
    return [n for n, _ in view.nodes(rule.covers.node_kind) if n in chosen and not rule.coverers(view, n)]


def _loads(view: View, rule: Rule, sources: list) -> dict:
    covered = view.selected(rule.covers)
    return {s: sum(1 for t, _ in view.liaisons_out(s) if t in covered) for s in sources}


def describe(select: Select) -> str:
    """A selection in words, for '增加一名……'."""
    parts = []
    if select.chair_council:
        parts.append("主席会议成员")
    if select.party_group:
        parts.append(model().label("party_group_role", "member"))
    if select.standing:
        parts.append(model().label("position", "standing"))
    if select.cpc is True:
        parts.append(model().label("affiliation", "cpc"))
    elif select.cpc is False:
        parts.append("党外")
    return "".join(parts) + "委员" if parts else "委员"


def recommend_rule(view: View, rule: Rule) -> tuple[list[dict], list[dict]]:
    """Proposals and leftovers for one rule, committee by committee."""
    eligible = view.selected(rule.by)
    items, leftovers = [], []
    by_committee: dict = {}
    for t in _uncovered(view, rule):
        by_committee.setdefault(view.data(t).get("committee_id"), []).append(t)
    sources_of: dict = {}
    for n, d in view.nodes("Member"):
        if n in eligible:
            sources_of.setdefault(d.get("committee_id"), []).append(n)
    high = rule.capacity[1] if rule.capacity else None
    for cid in sorted(by_committee, key=lambda c: c or ""):
        targets = by_committee[cid]
        sources = sorted(sources_of.get(cid, []))
        load = _loads(view, rule, sources)
        room = {s: None if high is None else max(0, high - load[s]) for s in sources}
        cost = {(s, t): affinity_cost(view, s, t) for t in targets for s in sources if s != t}
        solution = assign(targets, cost, room, load)
        for t in sorted(solution.pairs, key=lambda n: n[1]):
            s = solution.pairs[t]
            items.append({"rule": rule.id, "kind": "liaison", "from_id": s[1], "from_name": view.data(s).get("name"),
                          "to_id": t[1], "to_name": view.data(t).get("name"), "target_kind": KIND_CODES[t[0]],
                          "committee_id": cid, "cost": cost[(s, t)], "load_before": load[s]})
        for t in sorted(set(targets) - set(solution.pairs), key=lambda n: n[1]):
            leftovers.append(_why_left(view, rule, t, targets, cost, room, load, sources))
    return items, leftovers


def _why_left(view, rule, t, targets, cost, room, load, sources) -> dict:
    base = {"rule": rule.id, "id": t[1], "name": view.data(t).get("name"), "kind": KIND_CODES[t[0]],
            "committee_id": view.data(t).get("committee_id")}
    if not any((s, t) in cost for s in sources):
        return {**base, "reason": "no_eligible_source", "reason_label": "本政协没有符合条件的联系人",
                "fix": {"add_source": describe(rule.by)}, "fix_label": f"在本政协增加一名{describe(rule.by)}"}
    # every eligible source is full: the smallest raise of the bound that covers this target
    high = rule.capacity[1]
    for extra in range(1, len(targets) + 1):
        wider = {s: max(0, high + extra - load[s]) for s in sources}
        if t in assign(targets, cost, wider, load).pairs:
            break
    return {**base, "reason": "all_sources_full", "reason_label": f"符合条件的联系人都已达到上限 {high} 名",
            "fix": {"raise_max_to": high + extra}, "fix_label": f"把每人联系上限从 {high} 提高到 {high + extra}"}


# --- temporary branches for activities -------------------------------------------------------
def may_take_branch(activity: dict, day: str, kinds: Collection[str]) -> bool:
    """An activity a temporary branch may be proposed for on ``day``: not over yet, and of a
    kind that expects one however short (``kinds``: a policy's ``temporary_branch_kinds``;
    a three-day plenary), or of any kind longer than five days."""
    start, end = activity.get("start_date"), activity.get("end_date")
    return bool(start and end) and end >= day and (
        activity.get("kind") in kinds or days.between(start, end) + 1 > TEMP_BRANCH_DAYS)


def temporary_branches(view: View, kinds: Collection[str]) -> list[dict]:
    """Activities a temporary branch may be proposed for (``may_take_branch``) with three or
    more current party members who are not all in one temporary branch that spans it; those
    excused or absent are not counted."""
    out = []
    for node, data in view.nodes("Activity"):
        start, end = data.get("start_date"), data.get("end_date")
        if not may_take_branch(data, view.day, kinds):
            continue
        length = days.between(start, end) + 1
        cpc = sorted({m for _, m, e in view.G.out_edges(node, data=True)
                      if e.get("edge_kind") == ATTENDS and e.get("attendance") not in AWAY and view.current(m)
                      and view.data(m).get("cpc")})
        if len(cpc) < TEMP_BRANCH_MIN_CPC:
            continue
        if any(_spans(view, o, start, end) and all(_member_of(view, m, o) for m in cpc)
               for o in _temporary_orgs(view, data.get("committee_id"))):
            continue
        out.append({"rule": "temporary-branch", "activity_id": node[1], "activity_name": data.get("name"),
                    "committee_id": data.get("committee_id"), "start_date": start, "end_date": end, "days": length,
                    "party_org_id": f"{node[1]}-LS", "party_org_name": f"{data.get('name')}{_ORG_KINDS.label(TEMPORARY)}",
                    "member_ids": [m[1] for m in cpc]})
    return out


def outside_branch(view: View, kinds: Collection[str]) -> list[dict]:
    """The gap of activities and temporary branches: for each activity a temporary branch may
    be proposed for (``may_take_branch``), its current party members, not excused or absent,
    whom no temporary branch of its committee spanning it holds."""
    out = []
    for node, data in view.nodes("Activity"):
        start, end = data.get("start_date"), data.get("end_date")
        if not may_take_branch(data, view.day, kinds):
            continue
        orgs = [o for o in _temporary_orgs(view, data.get("committee_id")) if _spans(view, o, start, end)]
        left = sorted(m for _, m, e in view.G.out_edges(node, data=True)
                      if e.get("edge_kind") == ATTENDS and e.get("attendance") not in AWAY and view.current(m)
                      and view.data(m).get("cpc") and not any(_member_of(view, m, o) for o in orgs))
        if left:
            out.append({"activity_id": node[1], "activity_name": data.get("name"), "committee_id": data.get("committee_id"),
                        "start_date": start, "end_date": end, "members": [view.item(m) for m in left]})
    return out


def _temporary_orgs(view: View, committee_id: str | None) -> list:
    return [n for n, d in view.G.nodes(data=True)
            if n[0] == "PartyOrg" and d.get("kind") == TEMPORARY and d.get("committee_id") == committee_id]


def _member_of(view: View, member, org) -> bool:
    return any(e.get("edge_kind") == IN_PARTY_ORG for e in (view.G.get_edge_data(member, org) or {}).values())


def _spans(view: View, org, start: str, end: str) -> bool:
    d = view.data(org)
    return (d.get("start_date") or "") <= start and (d.get("end_date") or "9999") >= end


# --- the proposals of a view ------------------------------------------------------------------
def skipped_rules(policy: Policy) -> list[dict]:
    """The rules no proposal can close (covered neither through a member's liaison nor by
    enrolment in a party organisation)."""
    return [{"rule": rule.id, "label": rule.label, "reason": "该规则不通过委员联系或编入党组织覆盖，不作推荐"}
            for rule in policy.rules if not (recommendable(rule) or placeable(rule))]


def proposals(view: View, policy: Policy) -> tuple[list[dict], list[dict]]:
    """The pairings and placements for the uncovered of the view's committees, and what is
    left uncovered, rule by rule."""
    items, uncoverable = [], []
    for rule in policy.rules:
        if recommendable(rule):
            got, left = recommend_rule(view, rule)
        elif placeable(rule):
            got, left = recommend_placement(view, rule)
        else:
            continue
        items += got
        uncoverable += left
    return items, uncoverable


# --- what-if and acceptance -------------------------------------------------------------------
def accept_rows(view: View, result: dict, policy: Policy) -> dict[str, list[dict]]:
    """The proposals as roster rows (liaisons starting on the day; temporary branches and
    their members), to go through the loaders like any other rows."""
    labels = {r.id: r.label for r in policy.rules}
    liaisons, seen = [], set()
    orgs, members = [], {}

    def member_row(mid):
        return members.setdefault(mid, {k: v for k, v in view.data(("Member", mid)).items()
                                        if k not in ("cpc", "node_kind")})

    for item in result["items"]:
        if item.get("kind") == "membership":
            row = member_row(item["to_id"])
            row["party_org_ids"] = list(dict.fromkeys([*(row.get("party_org_ids") or []), item["from_id"]]))
            continue
        pair = (item["from_id"], item["target_kind"], item["to_id"])
        if pair in seen:  # one liaison serves every rule it satisfies
            continue
        seen.add(pair)
        liaisons.append({"from_id": item["from_id"], "target_kind": item["target_kind"], "to": item["to_id"],
                         "mechanism": labels[item["rule"]], "start_date": view.day, "备注": "按推荐结对"})
    for branch in result["temporary_branches"]:
        leader = next((n[1] for n, d in view.G.nodes(data=True) if n[0] == "PartyOrg" and d.get("kind") == HEAD
                       and d.get("committee_id") == branch["committee_id"]), None)
        orgs.append({"id": branch["party_org_id"], "name": branch["party_org_name"], "kind": TEMPORARY,
                     "committee_id": branch["committee_id"], "parent_id": leader, "start_date": branch["start_date"],
                     "end_date": branch["end_date"], "备注": f"按活动「{branch['activity_name']}」设立（推荐）"})
        for mid in branch["member_ids"]:
            row = member_row(mid)
            row["party_org_ids"] = list(dict.fromkeys([*(row.get("party_org_ids") or []), branch["party_org_id"]]))
    rows = {"party_orgs": orgs, "members": list(members.values()), "liaisons": liaisons}
    return {k: v for k, v in rows.items() if v}


def scenario(view: View, result: dict, policy: Policy, sources: dict | None = None) -> View:
    """The view with the proposals applied (the store and the graph are not touched);
    ``sources``: the data of proposals' sources the view may not hold (a pairing made on
    another committees' part)."""
    labels = {r.id: r.label for r in policy.rules}
    liaisons, memberships = [], []
    nodes = {node: data for node, data in (sources or {}).items() if node not in view.G}
    for item in result["items"]:
        if item.get("kind") == "membership":
            memberships.append((("Member", item["to_id"]), IN_PARTY_ORG, ("PartyOrg", item["from_id"])))
        else:
            edge = {"edge_kind": LIAISON, "mechanism": labels[item["rule"]], "start_date": view.day,
                    "target_kind": item["target_kind"]}
            liaisons.append((("Member", item["from_id"]), (CODE_KINDS[item["target_kind"]], item["to_id"]), edge))
    for branch in result["temporary_branches"]:
        org = ("PartyOrg", branch["party_org_id"])
        nodes[org] = {"node_kind": "PartyOrg", "id": branch["party_org_id"], "name": branch["party_org_name"],
                      "kind": TEMPORARY, "committee_id": branch["committee_id"],
                      "start_date": branch["start_date"], "end_date": branch["end_date"]}
        if branch["start_date"] <= view.day <= branch["end_date"]:
            memberships += [(("Member", m), IN_PARTY_ORG, org) for m in branch["member_ids"]]
    return view.extended(nodes, liaisons, memberships)
