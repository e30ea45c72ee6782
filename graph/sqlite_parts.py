"""Reading the embedded store's file into networkx: the whole graph, or one committee's
part (what ``Store.subgraph`` promises) — read through the committee indexes, or cut from
the whole graph when that is already in memory."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection

import networkx as nx
from liaison_graph.graph.parts import PART_INCOMING, bulk, by_kind, complete_part, put_edge, put_node
from liaison_graph.graph.sqlite_lists import CHUNK, chunks, sql_list, where


def add_edges(G: nx.MultiDiGraph, rows) -> None:
    for src_kind, src, kind, dst_kind, dst, key, props in rows:
        put_edge(G, (src_kind, src), (dst_kind, dst), (kind, key), kind, json.loads(props))


def whole_graph(db: sqlite3.Connection) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    with bulk():
        for kind, nid, props in db.execute("SELECT kind, id, props FROM nodes"):
            put_node(G, (kind, nid), kind, json.loads(props))
        add_edges(G, db.execute("SELECT * FROM edges"))
    return G


def cut_part(G: nx.MultiDiGraph, committee_ids: Collection[str]) -> nx.MultiDiGraph:
    """The same part as ``read_part``, cut from the whole graph already in memory."""
    H = nx.MultiDiGraph()
    inside = {n for n, d in G.nodes(data=True) if d.get("committee_id") in committee_ids}

    def take(edges, kinds=None, ends=None) -> None:
        for src, dst, key, data in edges:
            if (kinds is None or data["edge_kind"] in kinds) and (ends is None or dst in ends):
                for node in (src, dst):
                    if node not in H:
                        H.add_nodes_from([(node, G.nodes[node])])  # the data as a dict: any stored name is safe
                H.add_edges_from([(src, dst, key, data)])

    H.add_nodes_from((n, G.nodes[n]) for n in inside)
    for n in inside:
        take(G.out_edges(n, keys=True, data=True))
        take(G.in_edges(n, keys=True, data=True), PART_INCOMING)
    complete_part(H, inside,
                  lambda nodes, kinds: [take(G.in_edges(n, keys=True, data=True), kinds) for n in nodes],
                  lambda nodes, kinds, ends: [take(G.out_edges(n, keys=True, data=True), kinds, ends) for n in nodes])
    return H


def read_part(db: sqlite3.Connection, committee_ids: Collection[str],
              node_props: Callable[[str, set], dict]) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    inside = set()

    def read(end: str, nodes, kinds, ends=None) -> None:  # edges of ``kinds`` whose ``end`` is one of ``nodes``
        for kind, ids in by_kind(nodes).items():
            for clause, params in where("edges", f"{end}_kind", end, kind, ids):
                rows = db.execute(f"SELECT * FROM {clause} AND kind IN {sql_list(kinds)}", params)
                add_edges(G, (row for row in rows if ends is None or row[3:5] in ends))

    with bulk():
        for chunk in chunks(set(committee_ids), CHUNK // 2):  # the chunk is bound twice below
            marks = ",".join("?" * len(chunk))
            for kind, nid, props in db.execute(
                f"SELECT kind, id, props FROM nodes WHERE committee_id IN ({marks})", chunk
            ):
                put_node(G, (kind, nid), kind, json.loads(props))
                inside.add((kind, nid))
            # CROSS JOIN keeps SQLite's join order: from the committees' nodes to their
            # edges through an index. Left to choose, it scanned every liaison and contact
            # of the store and probed each against the committees (35 s for a province
            # of the nation).
            add_edges(G, db.execute(
                f"SELECT e.* FROM nodes n CROSS JOIN edges e ON e.src_kind = n.kind AND e.src = n.id "
                f"WHERE n.committee_id IN ({marks})", chunk))
            add_edges(G, db.execute(  # liaisons, contacts and memberships from other committees
                f"SELECT e.* FROM nodes n CROSS JOIN edges e ON e.dst_kind = n.kind AND e.dst = n.id "
                f"AND e.kind IN {sql_list(PART_INCOMING)} CROSS JOIN nodes s ON s.kind = e.src_kind "
                f"AND s.id = e.src WHERE n.committee_id IN ({marks}) AND s.committee_id NOT IN ({marks})",
                (*chunk, *chunk)))
        complete_part(G, inside, lambda nodes, kinds: read("dst", nodes, kinds),
                      lambda nodes, kinds, ends: read("src", nodes, kinds, ends))
        _fill_far_ends(G, node_props)
    return G


def _fill_far_ends(G: nx.MultiDiGraph, node_props) -> None:
    missing: dict[str, set[str]] = {}
    for node, data in G.nodes(data=True):
        if "node_kind" not in data:
            missing.setdefault(node[0], set()).add(node[1])
    for kind, ids in missing.items():
        for nid, props in node_props(kind, ids).items():
            put_node(G, (kind, nid), kind, props)
