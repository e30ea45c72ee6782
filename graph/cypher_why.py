"""Why a member is covered or not, on the Bolt store, from the member's neighbourhood alone:
the member, its memberships with what it sits in, the liaisons into it and into what it sits
in, and, for the chains, the liaisons into their sources a step at a time up to the chains'
depth — never the part of the member's committee (a top committee's part is the whole store).

What is read is put into a graph of the shape ``Store.subgraph`` gives, and the answer is
``graph/reach.py``'s ``why`` on a view of it, so the words and the rule are written once. The
view must then hold, for every node ``why`` looks at, exactly the edges the part of the
member's committee and those below it holds there (``graph/parts.py``): the member's own
edges (it is a node of the part); every liaison into what it sits in (a node of the part, or
a group or organisation outside it where the member sits); into a chain's member, those the
part holds — all when it is a node of the part, else those from a node of the part
(``cypher/why_liaisons_into.cypher``). ``tests/stores/test_why_in_the_database.py`` holds
the answer equal to ``why`` on the view of the part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import networkx as nx
from liaison_graph.graph.bolt_parts import add_records
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, bulk, by_kind, holds, put_node
from liaison_graph.graph.policy import LIAISON, TERMED
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.reach import why
from liaison_graph.graph.view import View


class CypherWhy(Projection):
    """The Bolt store's answer to why (nothing kept)."""

    name = "why"

    def why(self, store, member_id: str, day: dt.date, tree: Collection[str], committees: dict[str, dict],
            scope: Collection[str] | None, depth: int = 3) -> dict:
        """As ``graph/reach.py: why`` on the view of the committees ``tree`` (the member's
        committee and those below it) on ``day``, for a caller whose committees are ``scope``
        (None: all)."""
        at = day.isoformat()
        G = around(store, member_id, at, frozenset(tree), depth)
        return why(View(G, at, frozenset(tree), committees), member_id, depth, scope)


def _current(G: nx.MultiDiGraph, node, day: str) -> bool:
    """As ``View.current``: a node of a termed kind holds between its dates, any other always."""
    data = G.nodes[node]
    return node[0] not in TERMED or holds(data, day)


def around(store, member_id: str, day: str, tree: frozenset[str], depth: int) -> nx.MultiDiGraph:
    """The member's neighbourhood on ``day`` as the part of the committees ``tree`` holds it:
    what ``why`` to ``depth`` looks at, and nothing of the part beyond."""
    kinds = model().nodes
    G = nx.MultiDiGraph()
    member = ("Member", member_id)
    params = {"tree": sorted(tree), "memberships": sorted(MEMBERSHIP)}

    def liaisons_into(nodes) -> None:
        for kind, ids in by_kind(nodes).items():
            add_records(G, kinds, store.read("why_liaisons_into", {**params, "ids": ids}, kind=kind, rel=LIAISON))

    with bulk():
        props = store.node_props("Member", [member_id]).get(member_id)
        if props is None:  # why refuses it, in its own words
            return G
        put_node(G, member, "Member", props)
        if not holds(props, day):  # not in office: why says so, and reads nothing more
            return G
        add_records(G, kinds, store.read("part_edges_leaving", {"ids": [member_id], "rels": sorted(MEMBERSHIP)},
                                         kind="Member"))
        liaisons_into({dst for _, dst, edge in G.out_edges(member, data=True)
                       if holds(edge, day) and _current(G, dst, day)})  # what it sits in today
        frontier, seen = {member}, {member}
        for _ in range(max(depth, 1)):  # the member's liaisons in, then a step of the chains each
            liaisons_into(frontier)
            frontier = {src for node in frontier for src, _, edge in G.in_edges(node, data=True)
                        if edge["edge_kind"] == LIAISON and src[0] == "Member" and holds(edge, day)
                        and _current(G, src, day)} - seen
            seen |= frontier
    return G
