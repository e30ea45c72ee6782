"""One day's view of a subgraph: who is current, who liaises with whom, who sits where.

Every question beyond the two flagship gaps (policies, effective coverage, reach, why,
diff, diagnostics) runs on a :class:`View`, built from ``Store.subgraph`` — so it is the
same code, with the same answers, on every store. Days are ISO strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import networkx as nx

from graph.errors import CommitteeNotFound
from graph.store import Store, gap_item, holds

# Membership edges: a member (source) sits in the target.
MEMBERSHIP = {
    "IN_SECTOR": "Sector",
    "ON_SPECIAL_COMMITTEE": "SpecialCommittee",
    "IN_ACTIVITY_GROUP": "ActivityGroup",
    "IN_PARTY_ORG": "PartyOrg",
    "AT_STUDIO": "Studio",
}
KIND_CODES = {
    "Member": "member",
    "Sector": "sector",
    "SpecialCommittee": "special_committee",
    "ActivityGroup": "activity_group",
    "PartyOrg": "party_org",
    "Studio": "studio",
    "Committee": "committee",
}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}
STANDING = {"chair", "vice_chair", "secretary_general", "standing"}
CHAIR_COUNCIL = {"chair", "vice_chair", "secretary_general"}


def subtree(committees: dict[str, dict], root: str) -> set[str]:
    """A committee and every committee below it."""
    children: dict[str, list[str]] = {}
    for cid, props in committees.items():
        if props.get("parent_id"):
            children.setdefault(props["parent_id"], []).append(cid)
    out, stack = set(), [root]
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.add(cid)
            stack.extend(children.get(cid, []))
    return out


def scope_of(store: Store, committee_id: str | None) -> tuple[set[str] | None, dict[str, dict]]:
    """The committee ids a query covers (``None``: all) and the committee table."""
    committees = store.committees()
    if committee_id is None:
        return None, committees
    if committee_id not in committees:
        raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
    return subtree(committees, committee_id), committees


def open_view(store: Store, day: dt.date, committee_id: str | None = None) -> View:
    scope, committees = scope_of(store, committee_id)
    return View(store.subgraph(scope), day.isoformat(), scope, committees)


class View:
    def __init__(self, G: nx.MultiDiGraph, day: str, scope: set[str] | None, committees: dict[str, dict]):
        self.G, self.day, self.scope, self.committees = G, day, scope, committees

    # --- nodes ---------------------------------------------------------------------
    def in_scope(self, data: dict) -> bool:
        return self.scope is None or data.get("committee_id") in self.scope

    def nodes(self, kind: str) -> Iterator[tuple]:
        """Nodes of one kind in scope (members and organisations only while they hold)."""
        for node, data in self.G.nodes(data=True):
            if data.get("node_kind") == kind and self.in_scope(data) and self.current(node):
                yield node, data

    def current(self, node) -> bool:
        data = self.G.nodes[node]
        if data.get("node_kind") in ("Member", "PartyOrg"):
            return holds(data, self.day)
        return "node_kind" in data

    def data(self, node) -> dict:
        return self.G.nodes[node]

    def item(self, node) -> dict:
        """The JSON shape of a node: a member as in the gap contract, others by kind."""
        data = self.G.nodes[node]
        if node[0] == "Member":
            return gap_item(data)
        return {"id": node[1], "kind": KIND_CODES[node[0]], "name": data.get("name"), "committee_id": data.get("committee_id")}

    # --- edges ---------------------------------------------------------------------
    def liaisons_in(self, node) -> Iterator[tuple]:
        """(source, edge) of liaisons into ``node`` that hold today from a current source."""
        for src, _, edge in self.G.in_edges(node, data=True):
            if edge["edge_kind"] == "LIAISES_WITH" and holds(edge, self.day) and self.current(src):
                yield src, edge

    def liaisons_out(self, node) -> Iterator[tuple]:
        for _, dst, edge in self.G.out_edges(node, data=True):
            if edge["edge_kind"] == "LIAISES_WITH" and holds(edge, self.day) and self.current(dst):
                yield dst, edge

    def containers(self, member, edge_kind: str | None = None) -> Iterator:
        """What a member sits in today (sectors, groups, organisations that hold, …)."""
        for _, dst, edge in self.G.out_edges(member, data=True):
            kind = edge["edge_kind"]
            if kind in MEMBERSHIP and (edge_kind is None or kind == edge_kind) and holds(edge, self.day) and self.current(dst):
                yield dst

    def occupants(self, container) -> Iterator:
        """Current members sitting in a sector, group, organisation, …"""
        for src, _, edge in self.G.in_edges(container, data=True):
            if edge["edge_kind"] in MEMBERSHIP and holds(edge, self.day) and src[0] == "Member" and self.current(src):
                yield src

    def last_contact(self, a, b) -> str | None:
        """The latest contact between two members on or before today, either direction."""
        latest = None
        for u, v in ((a, b), (b, a)):
            if not self.G.has_node(u) or not self.G.has_node(v):
                continue
            for edge in (self.G.get_edge_data(u, v) or {}).values():
                if edge["edge_kind"] == "CONTACTED" and edge["date"] <= self.day and (latest is None or edge["date"] > latest):
                    latest = edge["date"]
        return latest

    # --- member facts --------------------------------------------------------------
    def is_cpc(self, node) -> bool:
        return bool(self.G.nodes[node].get("cpc"))

    def position(self, node) -> str:
        return self.G.nodes[node].get("position") or "member"
