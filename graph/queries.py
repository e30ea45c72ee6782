"""The flagship gap questions as functions over a networkx graph.

The graph is a ``MultiDiGraph`` whose nodes are ``(kind, id)`` tuples carrying their
properties (and ``node_kind``), and whose edges carry ``edge_kind`` and their properties, as the
embedded store builds it. Days are ISO strings ``YYYY-MM-DD`` (they order as dates).
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from graph.store import check_rule, gap_item, holds


def members(G: nx.MultiDiGraph, day: str, committee_id: str | None = None) -> Iterator[tuple]:
    """Members whose term holds on ``day`` (of one committee, or all)."""
    for node, data in G.nodes(data=True):
        if data.get("node_kind") != "Member" or not holds(data, day):
            continue
        if committee_id is None or data["committee_id"] == committee_id:
            yield node, data


def has_party_liaison(G: nx.MultiDiGraph, node, day: str) -> bool:
    """Whether a liaison holding on ``day`` reaches ``node`` from a current CPC member."""
    for src, _, edge in G.in_edges(node, data=True):
        if edge["edge_kind"] != "LIAISES_WITH" or not holds(edge, day):
            continue
        source = G.nodes[src]
        if source.get("node_kind") == "Member" and source.get("cpc") and holds(source, day):
            return True
    return False


def in_party_org(G: nx.MultiDiGraph, node, day: str) -> bool:
    """Whether ``node`` belongs, on ``day``, to a party organisation that holds then."""
    for _, dst, edge in G.out_edges(node, data=True):
        if edge["edge_kind"] == "IN_PARTY_ORG" and holds(edge, day) and holds(G.nodes[dst], day):
            return True
    return False


def non_party_without_liaison(G: nx.MultiDiGraph, day: str, committee_id: str | None = None) -> list[dict]:
    return [
        gap_item(data)
        for node, data in members(G, day, committee_id)
        if not data.get("cpc") and not has_party_liaison(G, node, day)
    ]


def party_member_unorganised(G: nx.MultiDiGraph, day: str, committee_id: str | None = None) -> list[dict]:
    return [
        gap_item(data)
        for node, data in members(G, day, committee_id)
        if data.get("cpc") and not in_party_org(G, node, day)
    ]


GAP_FUNCTIONS = {
    "non-party-without-liaison": non_party_without_liaison,
    "party-member-unorganised": party_member_unorganised,
}


def gaps(G: nx.MultiDiGraph, rule: str, day: str, committee_id: str | None = None) -> list[dict]:
    items = GAP_FUNCTIONS[check_rule(rule)](G, day, committee_id)
    return sorted(items, key=lambda item: (item["committee_id"], item["id"]))
