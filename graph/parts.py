"""A store's graph in networkx, whichever store reads it: how a stored node or edge is put
into the graph, what a committee's part holds beyond its own nodes, and the small facts
every question reads off stored properties (a range holding on a day, a gap's item, a
cycle in the committee tree)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import networkx as nx

from liaison_graph.graph.model import model


@contextmanager
def bulk() -> Iterator[None]:
    """Build a large acyclic structure (a graph, a day's indexes) without the cycle
    collector: it would rescan the whole graph over and over while nothing it could free
    is being made, which costs about half the build time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def put_node(G: nx.MultiDiGraph, node, kind: str, props) -> None:
    """Put a node with its stored properties into a graph. The properties are attached as a
    dict, never handed over as keyword arguments, so no stored name (``node_for_adding``,
    ``key``, …) can clash with the graph library's parameters; the kind the store knows
    stands over any stored property of its name."""
    G.add_node(node, node_kind=kind)
    data = G.nodes[node]
    data.update(props)
    data["node_kind"] = kind


def put_edge(G: nx.MultiDiGraph, src, dst, key, kind: str, props) -> None:
    """Put an edge with its stored properties into a graph, as ``put_node`` a node."""
    G.add_edge(src, dst, key, edge_kind=kind)
    data = G.edges[src, dst, key]
    data.update(props)
    data["edge_kind"] = kind


def committee_cycle(parents: dict[str, str | None], starts: Iterable[str] | None = None) -> list[str] | None:
    """A cycle of committees met walking up through ``parents`` (committee -> its parent) from
    each of ``starts`` (every committee when None), as the committees passed and the first
    one again; None when every walk ends at a root."""
    done: set[str] = set()  # committees whose walk up ends at a root
    for start in sorted(parents if starts is None else starts):
        path, node = [], start
        while node is not None and node not in done:
            if node in path:
                return path[path.index(node):] + [node]
            path.append(node)
            node = parents.get(node)
        done.update(path)
    return None


def holds(props: dict, day: str) -> bool:
    """A date range holds on ``day`` when start <= day <= end; a missing bound is open."""
    start, end = props.get("start_date"), props.get("end_date")
    return (start is None or start <= day) and (end is None or day <= end)


def gap_item(props: dict) -> dict:
    return {
        "id": props["id"],
        "name": props["name"],
        "committee_id": props["committee_id"],
        "sector": props["sector"],
    }


# Membership edges: a member (source) sits in the target.
MEMBERSHIP = model().membership()
# Edges a committee's part holds from outside it too: the rows of their own tables (liaisons,
# contacts, which may cross committees) and the memberships.
PART_INCOMING = (*model().edge_tables().values(), *MEMBERSHIP)


def _part_containers(G: nx.MultiDiGraph, inside: set) -> set:
    """The sectors, groups and organisations outside a committee's part where its members
    sit: a liaison into one of them covers those members."""
    adj = G.adj
    return {dst for src in inside for dst, keyed in adj[src].items()
            if dst not in inside and any(edge["edge_kind"] in MEMBERSHIP for edge in keyed.values())}


def _part_people(G: nx.MultiDiGraph, inside: set) -> tuple[set, set]:
    """The members outside a committee's part who liaise with it (their own memberships
    decide affinity), and those who sit in one of its sectors, groups or organisations
    (their contacts with such a liaison make it effective)."""
    coverers, occupants = set(), set()
    adj = G.adj
    for src in G:
        if src not in inside:
            for keyed in adj[src].values():
                for edge in keyed.values():
                    if edge["edge_kind"] == "LIAISES_WITH":
                        coverers.add(src)
                    elif edge["edge_kind"] in MEMBERSHIP:
                        occupants.add(src)
    return coverers, occupants


def complete_part(G: nx.MultiDiGraph, inside: set, reaching, leaving) -> None:
    """The rest of a committee's part (``G``: its nodes ``inside``, every edge leaving them
    and every PART_INCOMING edge reaching them), whichever store reads it: the liaisons into
    the containers outside where its members sit; then the memberships of the members
    outside who liaise with it, and the contacts among those and the members outside who
    sit in it. ``reaching(nodes, kinds)`` adds the edges of those kinds reaching the nodes,
    ``leaving(nodes, kinds, ends)`` those leaving them (to ``ends`` only, unless None),
    each with its far end."""
    reaching(_part_containers(G, inside), ("LIAISES_WITH",))
    coverers, occupants = _part_people(G, inside)
    leaving(coverers, tuple(MEMBERSHIP), None)
    people = coverers | occupants
    leaving(people, ("CONTACTED",), people)


def by_kind(nodes) -> dict[str, list[str]]:
    """(kind, id) nodes as kind -> sorted ids."""
    out: dict[str, list[str]] = {}
    for kind, nid in sorted(nodes):
        out.setdefault(kind, []).append(nid)
    return out
