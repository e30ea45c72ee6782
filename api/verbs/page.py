"""The web page's own question: one committee's liaison network in one answer (members,
liaisons among them, gap marks, the values its filters offer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.flagship import RULES
from liaison_graph.graph.model import model
from liaison_graph.graph.natural import natural
from liaison_graph.graph.reach import view_gaps
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import DEFAULT_POSITION, OWN, open_view

DEMOCRATIC = model().marked("affiliation", "democratic")  # the democratic parties (model.yaml)
CONTACT_MODES = model().enums["contact_mode"]  # what the page's contact form offers


def party_of(member: dict) -> str:
    affiliation = set(member.get("affiliation") or [])
    if member.get("cpc"):
        return "cpc"
    return "democratic" if affiliation & DEMOCRATIC else "non_party"


def page_network(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, span: str = OWN, *,
                 lock: Lock = NO_LOCK) -> dict[str, Any]:
    """The members of one committee (the one asked for, else the caller's) — alone, or
    (``span`` tree) with every committee below it — each with its party, groups, committee
    and the flagship gap it is in, and the liaisons among them."""
    cid = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        view = open_view(store, day, cid, span)
    shown = view.scope if view.scope is not None else set(view.committees)
    gaps = {rule: {i["id"] for i in view_gaps(view, rule) if i["committee_id"] in shown} for rule in RULES}
    nodes, ids = [], set()
    for node, data in view.nodes("Member"):
        if data.get("committee_id") not in shown:
            continue
        ids.add(node)
        gap = next((rule for rule, members in gaps.items() if node[1] in members), None)
        nodes.append({"id": node[1], "name": data.get("name"), "sector": data.get("sector"),
                      "committee_id": data.get("committee_id"),
                      "committee_name": view.committees.get(data.get("committee_id"), {}).get("name"),
                      "activity_group": data.get("activity_group"),
                      "special_committees": data.get("special_committees") or [],
                      "position": data.get("position") or DEFAULT_POSITION, "party": party_of(data), "gap": gap})
    edges = []
    for node in sorted(ids):
        for target, edge in view.liaisons_out(node):
            if target in ids:
                edges.append({"from": node[1], "to": target[1], "mechanism": edge.get("mechanism")})
    committee = view.committees.get(cid, {})

    def options(key):
        values = set()
        for n in nodes:
            v = n[key]
            values.update(v if isinstance(v, list) else [v] if v else [])
        return sorted(values, key=natural)

    return {"committee_id": cid, "committee_name": committee.get("name"), "as_of": day.isoformat(), "span": span,
            "committees": len(shown), "nodes": nodes, "edges": edges, "sectors": options("sector"),
            "activity_groups": options("activity_group"), "special_committees": options("special_committees"),
            "gap_counts": {rule: len(m) for rule, m in gaps.items()},
            "contact_modes": list(CONTACT_MODES.labels.values())}
