"""How far party work reaches, why a member is covered or not, what changed between two
days, and the shape of the liaison network — all on a :class:`~graph.view.View`."""

from __future__ import annotations

from collections import Counter, deque

import networkx as nx
from liaison_graph.graph.coverage import uncovered
from liaison_graph.graph.errors import MemberNotFound
from liaison_graph.graph.flagship import RULES, check_rule
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, gap_item, holds
from liaison_graph.graph.policy import AFFINITY, LIAISON, Rule, flagship
from liaison_graph.graph.view import KIND_CODES, View, beside, involves

TEMPORARY = model().the("party_org_kind", "temporary")  # the kind of a temporary branch
SECTOR = AFFINITY["sector"]  # the membership edge of a member's sector


def find_start(view: View, node_id: str):
    for kind in ("Member", "PartyOrg"):
        if (kind, node_id) in view.G and "node_kind" in view.G.nodes[(kind, node_id)]:
            return (kind, node_id)
    raise MemberNotFound(f"找不到编号为「{node_id}」的委员或党组织", id=node_id)


def reach(view: View, node_id: str, hops: int, scope=None) -> list[dict]:
    """Everything party work reaches from a member or an organisation within ``hops``
    liaison steps on the view's day, with the distance of each.

    A liaison to a member reaches that member; a liaison to a sector, special committee,
    activity group or organisation reaches it and, in the same step, its current members.
    Liaisons are followed only from current members. Every reached member's sector is
    reached too, at the member's distance: members reach the masses of their sector
    (委员联系界别群众).

    With ``scope`` (a caller's committees), only liaisons and memberships that involve a
    node of the scope are followed: a liaison of its own reaches a member or a sector of
    another committee, but not whom that member liaises with or where it sits.
    """
    start = find_start(view, node_id)
    distance: dict = {}
    queue: deque = deque()

    def arrive(node, d):
        if node == start or node in distance:
            return
        distance[node] = d
        if node[0] == "Member":
            queue.append(node)

    if start[0] == "Member":
        if not view.current(start):
            return []
        queue.append(start)
        dist_of = {start: 0}
    else:
        dist_of = {}
        for member in view.occupants(start):
            if involves(view, scope, member, start):
                arrive(member, 0)
    while queue:
        member = queue.popleft()
        d = distance.get(member, dist_of.get(member, 0))
        if d >= hops:
            continue
        for target, _ in view.liaisons_out(member):
            if not involves(view, scope, member, target):
                continue
            arrive(target, d + 1)
            if target[0] != "Member":
                for occupant in view.occupants(target):
                    if involves(view, scope, occupant, target):
                        arrive(occupant, d + 1)
    for member in [n for n in distance if n[0] == "Member"] + ([start] if start[0] == "Member" else []):
        d = distance.get(member, 0)
        for sector in view.containers(member, SECTOR):
            if not involves(view, scope, member, sector):
                continue
            if sector not in distance or distance[sector] > d:
                distance[sector] = d
    items = [{"id": n[1], "kind": KIND_CODES[n[0]], "name": view.data(n).get("name"), "distance": d}
             for n, d in distance.items()]
    return sorted(items, key=lambda i: (i["distance"], i["kind"], i["id"]))


# --- why ---------------------------------------------------------------------------------
def _person(view: View, node, scope=None) -> dict:
    data = view.data(node)
    return beside(data, scope, {"id": node[1], "name": data.get("name"), "committee_id": data.get("committee_id"),
                                "cpc": bool(data.get("cpc")), "position": data.get("position"),
                                "party_group_role": data.get("party_group_role")})


def _rule_of(data: dict) -> Rule:
    """The flagship rule whose population a current member belongs to (its ``covers``)."""
    return next(rule for rule in flagship().rules if rule.covers.test(data))


def _unlike(select) -> str:
    """What a member lacks to be one of a rule's coverers (the flagship rules select them
    by party alone: graph/flagship.py)."""
    cpc = model().label("affiliation", "cpc")
    return f"不是{cpc}" if select.cpc else f"是{cpc}"


def _liaison_problem(view: View, rule: Rule, src, edge, scope=None) -> str | None:
    """Why a liaison into a member does not cover them today (it is not among the rule's
    coverers), or None if no reason is seen."""
    day = view.day
    if edge.get("start_date") and edge["start_date"] > day:
        return f"联系自 {edge['start_date']} 起才开始"
    if edge.get("end_date") and edge["end_date"] < day:
        return f"联系已于 {edge['end_date']} 结束"
    data = view.data(src)
    if src[0] == "Member" and not involves(view, scope, src) and src not in view.selected(rule.by):
        return f"联系人{data.get('name')}（{src[1]}，其他政协的委员）当日不能覆盖该委员"
    if src[0] == "Member" and not holds(data, day):
        return f"联系人{data.get('name')}（{src[1]}）当日不在任"
    if src[0] == "Member" and not rule.by.test(data):
        return f"联系人{data.get('name')}（{src[1]}）{_unlike(rule.by)}"
    return None


def why(view: View, member_id: str, depth: int = 3, scope=None) -> dict:
    """Why a member is covered or not: the flagship rule the member falls under, evaluated
    by the policy engine (``Rule.coverers``), with what covers them and why what might
    does not. With ``scope`` (a caller's committees), a member of another committee in a
    chain shows only its id, name and committee, and liaisons among others' members are
    not followed."""
    node = ("Member", member_id)
    if node not in view.G or "node_kind" not in view.G.nodes[node]:
        raise MemberNotFound(f"找不到编号为「{member_id}」的委员", member_id=member_id)
    data = view.data(node)
    out = {"id": member_id, "name": data.get("name"), "as_of": view.day, "cpc": bool(data.get("cpc")),
           "covered": False, "chains": [], "organisations": [], "reasons": []}
    if not holds(data, view.day):
        when = data.get("end_date") if data.get("end_date") and data["end_date"] < view.day else data.get("start_date")
        out["reasons"].append(f"该委员当日不在任（任期{'止于' if when == data.get('end_date') else '始于'} {when}），不计入覆盖")
        out["rule"] = None
        return out
    rule = _rule_of(data)
    out["rule"] = rule.id
    found = rule.coverers(view, node)
    out["covered"] = bool(found)
    for way in rule.through:  # one way for a flagship rule (graph/flagship.py refuses more)
        _EXPLAIN[way](view, rule, node, found, out, depth, scope)
    return out


def _explain_membership(view: View, rule: Rule, node, found: list, out: dict, depth: int, scope) -> None:
    """The organisations (of the rule's coverer kind) a member sits in: those that cover
    them today, and why the others do not."""
    covering = {coverer for coverer, edge in found if edge is None}
    kind = rule.by.node_kind
    into = next(edge for edge, target in MEMBERSHIP.items() if target == kind)
    for _, org, edge in sorted(view.G.out_edges(node, data=True), key=lambda e: e[1]):
        if edge["edge_kind"] != into:
            continue
        o = view.data(org)
        entry = {"id": org[1], "name": o.get("name"), "kind": o.get("kind"),
                 "start_date": o.get("start_date"), "end_date": o.get("end_date")}
        if org in covering:
            out["organisations"].append(entry)
        elif o.get("end_date") and o["end_date"] < view.day:
            what = model().label("party_org_kind", o["kind"]) if o.get("kind") == TEMPORARY \
                else model().nodes[kind].label
            out["reasons"].append(f"{what}「{o.get('name')}」已于 {o['end_date']} 撤销")
        elif o.get("start_date") and o["start_date"] > view.day:
            out["reasons"].append(f"{model().nodes[kind].label}「{o.get('name')}」自 {o.get('start_date')} 起才成立")
    if not out["covered"] and not out["reasons"]:
        out["reasons"].append(f"未编入本政协的任何{model().nodes[kind].label}")


def _explain_liaison(view: View, rule: Rule, node, found: list, out: dict, depth: int, scope) -> None:
    """The chains of liaisons that cover a member today, and why the other liaisons into
    them, or into what they sit in, do not."""
    covering = {id(edge) for _, edge in found if edge is not None}
    chains = []
    incoming = [(src, e) for src, _, e in view.G.in_edges(node, data=True) if e["edge_kind"] == LIAISON]
    for src, edge in sorted(incoming, key=lambda p: (p[0], p[1].get("start_date") or "", p[1].get("mechanism") or "")):
        if id(edge) not in covering:
            problem = _liaison_problem(view, rule, src, edge, scope)
            if problem and problem not in out["reasons"]:
                out["reasons"].append(problem)
            continue
        chains.extend(_chains_into(view, src, depth - 1, {node, src}, scope))
    unique = {tuple(p["id"] for p in chain): chain for chain in chains}
    out["chains"] = [[*unique[k], _person(view, node, scope)] for k in sorted(unique)]
    if not out["covered"] and not out["reasons"]:
        out["reasons"].append("没有任何委员联系该委员")
    if not out["covered"]:
        for container in sorted(set(view.containers(node))):
            for src, edge in sorted(view.liaisons_in(container), key=lambda p: (p[0], p[1].get("mechanism") or "")):
                if not involves(view, scope, src, container):
                    continue
                c = view.data(container)
                note = (
                    f"另有{view.data(src).get('name')}（{src[1]}）联系其所在{_container_label(container)}「{c.get('name')}」，"
                    "但不是对本人的联系")
                if note not in out["reasons"]:
                    out["reasons"].append(note)


_EXPLAIN = {"membership": _explain_membership, "liaison": _explain_liaison}


def _container_label(node) -> str:
    return model().nodes[node[0]].label if node[0] in MEMBERSHIP.values() else ""


def _chains_into(view: View, node, depth: int, seen: set, scope=None) -> list[list[dict]]:
    """Chains of current liaisons ending at ``node``, longest first up to ``depth`` more steps."""
    above = sorted({src for src, _ in view.liaisons_in(node)
                    if src[0] == "Member" and src not in seen and involves(view, scope, src, node)})
    if depth <= 0 or not above:
        return [[_person(view, node, scope)]]
    chains = []
    for src in above:
        for chain in _chains_into(view, src, depth - 1, seen | {src}, scope):
            chains.append([*chain, _person(view, node, scope)])
    return chains


# --- diff --------------------------------------------------------------------------------
def diff(before: View, after: View, rule_gaps) -> list[dict]:
    """Members who gained or lost coverage between two days, with the reason.

    ``rule_gaps(view, rule)`` gives the uncovered members of a flagship rule on a view.
    """
    out = []
    for rule in RULES:
        then = {i["id"]: i for i in rule_gaps(before, rule)}
        now = {i["id"]: i for i in rule_gaps(after, rule)}
        for mid in sorted(now.keys() - then.keys()):
            out.append({**now[mid], "rule": rule, "change": "lost", "reason": _lost_reason(before, after, rule, mid)})
        for mid in sorted(then.keys() - now.keys()):
            out.append({**then[mid], "rule": rule, "change": "gained", "reason": _gained_reason(before, after, rule, mid)})
    return sorted(out, key=lambda r: (r["rule"], r["change"], r["committee_id"], r["id"]))


REASONS = {
    "new_member": "新任委员，尚未覆盖",
    "liaison_ended": "联系已结束",
    "liaison_member_left": "联系人已不在任",
    "branch_expired": "临时党支部到期撤销",
    "org_ended": "所在党组织已撤销",
    "term_ended": "委员任期结束，不再计入",
    "liaison_started": "新建立了党员委员联系",
    "joined_org": "编入了党组织",
    "other": "数据变更",
}


def _lost_reason(before: View, after: View, rule: str, mid: str) -> str:
    """Why a member the rule's coverers covered before is a gap after: the first coverer
    (in the policy engine's order) that no longer covers, and how."""
    node = ("Member", mid)
    if not holds(before.data(node), before.day):
        return "new_member"
    for coverer, edge in flagship().rule(rule).coverers(before, node):
        if edge is None:  # the member sat in it
            if not holds(after.data(coverer), after.day):
                return "branch_expired" if after.data(coverer).get("kind") == TEMPORARY else "org_ended"
            continue
        if not holds(edge, after.day):
            return "liaison_ended"
        if not after.current(coverer):
            return "liaison_member_left"
    return "other"


def _gained_reason(before: View, after: View, rule: str, mid: str) -> str:
    """How a gap before is covered after: by sitting in a coverer, or by a liaison."""
    node = ("Member", mid)
    if not holds(after.data(node), after.day):
        return "term_ended"
    found = flagship().rule(rule).coverers(after, node)
    if any(edge is None for _, edge in found):
        return "joined_org"
    return "liaison_started" if found else "other"


def view_gaps(view: View, rule: str) -> list[dict]:
    """A flagship rule on a view, evaluated by the policy engine (the same answer as
    ``Store.gaps`` for its scope)."""
    found = uncovered(view, flagship().rule(check_rule(rule)))
    return sorted((gap_item(view.data(node)) for node in found), key=lambda i: (i["committee_id"], i["id"]))


# --- diagnostics -------------------------------------------------------------------------
SAMPLED_OVER = 300  # members in one connected part past which its betweenness is estimated


def _betweenness(H: nx.Graph) -> dict:
    """For every member: its normalised betweenness, worked out part by part (a shortest
    path never leaves its connected part) and scaled as for the whole network; the share of
    the shortest paths between two other members of its part that pass through it; the
    size of its part; the pairs of other members its shortest paths join (the betweenness
    as a count: a pair joined by several shortest paths counts for the share through it). Liaisons mostly stay within a county, so the parts are small and the
    figures exact; networkx on the whole network instead visits every member from each
    source (a province's 18,000 members: 35 ms a source). A part past SAMPLED_OVER members
    is estimated from that many sampled sources, so no network costs more than twice what
    sampling it whole did."""
    n = len(H)
    if n <= 2:
        return {}
    scale = 2 / ((n - 1) * (n - 2))
    out = dict.fromkeys(H, (0.0, 0.0, 1, 0.0))  # a part of two or fewer: no one stands between others
    for part in nx.connected_components(H):
        size = len(part)
        if size > 2:
            k = SAMPLED_OVER if size > SAMPLED_OVER else None
            pairs = (size - 1) * (size - 2) / 2  # pairs of the others in the part
            for node, value in nx.betweenness_centrality(H.subgraph(part), k=k, normalized=False, seed=1).items():
                out[node] = (value * scale, min(value / pairs, 1.0), size, value)
    return out


def network(view: View, top: int = 10) -> dict:
    """Liaison load per person, brokers, isolated members and the sector × sector matrix.

    A broker's ``betweenness`` is networkx's, normalised over the whole network (tiny where
    the network is many parts). What a person reads: ``paths_through``, how many pairs of
    other members of its connected part (``part_members`` members who reach one another
    through liaisons) its shortest liaison paths join, and ``path_share``, the share of all
    such pairs that is."""
    members = dict(view.nodes("Member"))
    H = nx.Graph()
    H.add_nodes_from(members)
    load = Counter()
    matrix: Counter = Counter()
    for member in members:
        for target, _ in view.liaisons_out(member):
            load[member] += 1
            if target[0] == "Member" and target in members:
                H.add_edge(member, target)
                for a in view.containers(member, SECTOR):
                    for b in view.containers(target, SECTOR):
                        matrix[(view.data(a)["name"], view.data(b)["name"])] += 1
    betweenness = _betweenness(H)
    sectors = sorted({s for pair in matrix for s in pair})
    return {
        "as_of": view.day,
        "members": len(members),
        "liaisons": sum(load.values()),
        "load": [{**gap_item(members[m]), "liaisons": n} for m, n in sorted(load.items(), key=lambda x: (-x[1], x[0]))[:top]],
        "cpc_without_liaison": [gap_item(d) for m, d in sorted(members.items()) if d.get("cpc") and not load[m]],
        "brokers": [{**gap_item(members[m]), "betweenness": round(b, 4), "paths_through": round(through, 1),
                     "path_share": round(share, 4), "part_members": size}
                    for m, (b, share, size, through) in sorted(betweenness.items(), key=lambda x: (-x[1][0], x[0]))[:top]
                    if b > 0],
        "isolated": [gap_item(members[m]) for m in sorted(H.nodes) if H.degree(m) == 0 and not load[m]
                     and not any(True for _ in view.liaisons_in(m))],
        "sector_matrix": {"sectors": sectors,
                          "counts": [[matrix[(a, b)] for b in sectors] for a in sectors]},
    }
