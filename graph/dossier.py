"""A member's file (履职档案) for a year or a term, on the graph of the member's committee:
who they are; the organisations, groups and temporary branches they sat in; the liaisons
they held and received, each with its contacts in the period and, for those holding at its
end, its state under the policy's rules (``graph/due.py``: met, due or overdue); the
contacts they made and received, by mode; their contacts with the masses of their sector;
the activities they were listed for and their attendance; and the days they were a gap of
a rule of the policy, and which.

The period is a calendar year (cut at the day asked, for this year) or the member's term
(from its start, or the first day anything of theirs is dated, to its end or the day). The
gaps are worked out by evaluating each rule on every day something that touches the member
starts or ends within the period — the member's term, their edges, the terms of what they
reach, the liaisons into the groups they sit in, a contact with one of the masses — and
holding between two such days. The
activities are those of the member's own committee (their rows list their participants).
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
from liaison_graph.graph import days
from liaison_graph.graph.attendance import INVOLVES
from liaison_graph.graph.due import due_list
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, holds
from liaison_graph.graph.policy import CONTACT, LIAISON, MASSES, TERMED, Policy
from liaison_graph.graph.requirement import REVIEW
from liaison_graph.graph.view import KIND_CODES, View

_M = model()
YEAR, TERM = "year", "term"
ORG_KINDS = _M.enums["party_org_kind"]
TEMPORARY = ORG_KINDS.the("temporary")
STATUS = _M.enums["attendance"]
MODES = _M.enums["contact_mode"]
WORST = ("overdue", "due", "met")  # a liaison's state under several rules: the first of these it has


def period(data: dict, edges: list[tuple], kind: str, year: int | None, day: str) -> tuple[str, str]:
    """The first and last day of a dossier: a calendar year up to ``day``, or the member's
    term up to ``day``."""
    if kind == YEAR:
        y = str(year or day[:4])
        return f"{y}-01-01", min(f"{y}-12-31", day)
    dated = [d for _, _, e in edges for d in (e.get("start_date"), e.get("date")) if d]
    start = data.get("start_date") or min(dated, default=day)
    return min(start, day), min(data.get("end_date") or day, day)


def _overlaps(edge: dict, first: str, last: str) -> bool:
    return (edge.get("start_date") or "") <= last and (edge.get("end_date") or "9999-12-31") >= first


def _span(edge: dict) -> dict:
    return {"start_date": edge.get("start_date"), "end_date": edge.get("end_date")}


def dossier(G: nx.MultiDiGraph, member: tuple, policy: Policy, committees: dict[str, dict], day: str, kind: str = YEAR,
            year: int | None = None, kept: dict | None = None) -> dict:
    """The file of ``member`` (a node of ``G``, the part of the member's committee, which holds
    every liaison and contact of the member's, from other committees too); ``kept``: the
    views and due lists worked out for other members' files of the same graph, by day. The
    views take every node of the part, so that a liaison held by a member of another
    committee has its state too."""
    kept = {} if kept is None else kept

    def view_on(on: str) -> View:
        if on not in kept:
            kept[on] = View(G, on, None, committees)
        return kept[on]

    data = G.nodes[member]
    out_edges = list(G.out_edges(member, data=True))
    in_edges = list(G.in_edges(member, data=True))
    first, last = period(data, out_edges + in_edges, kind, year, day)
    view = view_on(last)
    if ("due", last) not in kept:
        states: dict[tuple, list] = {}  # (holder id, item id) -> their rows
        for holder in due_list(view, policy)["holders"]:
            for row in holder["items"]:
                states.setdefault((holder["id"], row["to_id"]), []).append(row)
                if row["contact_id"]:
                    states.setdefault((holder["id"], row["contact_id"]), []).append(row)
        kept[("due", last)] = states
    states = kept[("due", last)]

    def name(node) -> str | None:
        return G.nodes[node].get("name") if node in G else None

    def contacts_with(other) -> list[dict]:
        return [c for c in contacts if c["with_id"] == other[1]]

    contacts, orgs, held, received, masses, activities = [], [], [], [], [], []
    for src, dst, e in out_edges + in_edges:
        kind_of = e["edge_kind"]
        if kind_of == CONTACT and first <= e.get("date", "") <= last and REVIEW not in e:
            made = src == member
            other = dst if made else src
            contacts.append({"date": e["date"], "direction": "made" if made else "received", "with_id": other[1],
                             "with_name": name(other), "mode": e.get("mode"), "mode_label": MODES.label(e.get("mode")),
                             "summary": e.get("summary")})
        elif kind_of == MASSES and first <= e.get("date", "") <= last and REVIEW not in e:
            masses.append({"date": e["date"], "person": e.get("person"), "unit": e.get("unit"), "mode": e.get("mode"),
                           "mode_label": MODES.label(e.get("mode")), "summary": e.get("summary")})
        elif kind_of == INVOLVES and dst == member:
            a = G.nodes[src]
            if first <= (a.get("start_date") or "") <= last:
                status = e.get("attendance") or next(iter(STATUS.labels))
                activities.append({"id": src[1], "name": a.get("name"), "kind": a.get("kind"),
                                   "kind_label": _M.enums["activity_kind"].label(a.get("kind")),
                                   "start_date": a.get("start_date"), "end_date": a.get("end_date"),
                                   "attendance": status, "attendance_label": STATUS.label(status)})
        elif kind_of in MEMBERSHIP and src == member and _overlaps(e, first, last):
            org = G.nodes[dst]
            orgs.append({"id": org.get("id", dst[1]), "kind": KIND_CODES[dst[0]], "name": org.get("name"),
                         "edge_label": _M.edges[kind_of].label, "org_kind": org.get("kind") if dst[0] == "PartyOrg" else None,
                         "temporary": dst[0] == "PartyOrg" and org.get("kind") == TEMPORARY,
                         **_span(e), "org_start_date": org.get("start_date"), "org_end_date": org.get("end_date")})
    contacts.sort(key=lambda c: (c["date"], c["with_id"]))
    for src, dst, e in out_edges + in_edges:
        if e["edge_kind"] != LIAISON or not _overlaps(e, first, last):
            continue
        mine = src == member
        other = dst if mine else src
        holding = view.current(other) and holds(e, last)
        rows = states.get((member[1], other[1]) if mine else (other[1], member[1]), []) if holding else []
        entry = {"with_id": other[1], "with_kind": KIND_CODES[other[0]], "with_name": name(other),
                 "with_committee_id": G.nodes[other].get("committee_id") if other in G else None, "mechanism": e.get("mechanism"),
                 **_span(e), "holding": holding, "contacts": len(contacts_with(other)),
                 "state": next((s for s in WORST if any(r["state"] == s for r in rows)), None),
                 "rules": sorted({r["rule_label"] for r in rows}),
                 "last_contact": max((r["last_contact"] for r in rows if r["last_contact"]), default=None)}
        (held if mine else received).append(entry)
    for rows in (held, received):
        rows.sort(key=lambda r: (r["start_date"] or "", r["with_kind"], r["with_id"]))
    orgs.sort(key=lambda r: (r["start_date"] or "", r["kind"], r["id"]))
    activities.sort(key=lambda a: (a["start_date"] or "", a["id"]))
    masses.sort(key=lambda c: (c["date"], c["person"] or ""))
    return {"member": {**view.item(member), "committee_name": committees.get(data.get("committee_id"), {}).get("name"),
                       **{k: data.get(k) for k in ("affiliation", "cpc", "position", "party_group_role", "start_date",
                                                   "end_date", "gender", "studio", "township", "person_id")}},
            "period": {"kind": kind, "from": first, "to": last}, "policy": policy.name, "policy_label": policy.label,
            "organisations": orgs, "liaisons_held": held, "liaisons_received": received,
            "contacts": contacts, "contacts_by_mode": _by_mode(contacts),
            "masses_contacts": masses, "masses_people": len({c["person"] for c in masses}),
            "activities": activities, "attendance": dict(Counter(a["attendance"] for a in activities)),
            "gaps": gap_spans(G, member, policy, view_on, first, last)}


def _by_mode(contacts: list[dict]) -> list[dict]:
    """Contacts made and received, by mode (in the mode's order; no mode last)."""
    counts = Counter((c["mode"], c["direction"]) for c in contacts)
    order = {code: i for i, code in enumerate(MODES.labels)}
    modes = sorted({m for m, _ in counts}, key=lambda m: (m is None, order.get(m, len(order)), m or ""))
    return [{"mode": m, "mode_label": MODES.label(m) or "未注明", "made": counts[(m, "made")],
             "received": counts[(m, "received")]} for m in modes]


def change_days(G: nx.MultiDiGraph, member: tuple, first: str, last: str) -> list[str]:
    """The days within the period on which something touching the member starts or ends
    (the first day of the period among them): what a rule's answer for the member may change on."""
    touched = {member}
    edges = list(G.out_edges(member, data=True)) + list(G.in_edges(member, data=True))
    for src, dst, e in list(edges):
        touched |= {src, dst}
        if e["edge_kind"] in MEMBERSHIP and src == member:
            edges += [x for x in G.in_edges(dst, data=True) if x[2]["edge_kind"] == LIAISON]
            touched |= {x[0] for x in G.in_edges(dst, data=True) if x[2]["edge_kind"] == LIAISON}
    found = {first}  # and each day a member's count of people among the masses may grow
    found |= {e["date"] for _, _, e in edges if e["edge_kind"] == MASSES and first < e.get("date", "") <= last}
    for d in [e for _, _, e in edges] + [G.nodes[n] for n in touched if G.nodes[n].get("node_kind") in TERMED]:
        if d.get("start_date") and first < d["start_date"] <= last:
            found.add(d["start_date"])
        if d.get("end_date") and first <= d["end_date"] < last:
            found.add(days.shifted(d["end_date"], 1))
    return sorted(found)


def gap_spans(G: nx.MultiDiGraph, member: tuple, policy: Policy, view_on, first: str, last: str) -> list[dict]:
    """The spans of the period in which the member was a gap of a rule of the policy (in its
    population, covered by nothing), each with the rule; ``view_on(day)`` the graph's view of a day."""
    turns = change_days(G, member, first, last)
    spans: list[dict] = []
    open_: dict[str, dict] = {}
    for k, day in enumerate(turns):
        view = view_on(day)
        end = days.shifted(turns[k + 1], -1) if k + 1 < len(turns) else last
        for rule in policy.rules:
            gap = view.current(member) and member in view.selected(rule.covers) and not rule.covered(view, member)
            if gap and rule.id in open_:
                open_[rule.id]["to"] = end
            elif gap:
                open_[rule.id] = {"rule": rule.id, "label": rule.gap_label or f"未覆盖：{rule.label}", "from": day, "to": end}
                spans.append(open_[rule.id])
            else:
                open_.pop(rule.id, None)
    for span in spans:
        span["days"] = days.between(span["from"], span["to"]) + 1
    return spans
