"""The graph read from the Bolt store: a committee's part or the whole (``Store.subgraph``,
as ``graph/sqlite_parts.py`` reads it from the file) and the whole store's dump.

Each function takes ``run`` from the store: ``run(name, params, **names)`` runs a named
query of ``cypher/`` in the one managed read transaction of the answer and hands over its
records as they come (the store's storage alone reads ``cypher/``)."""

from __future__ import annotations

from collections.abc import Callable, Collection

import networkx as nx
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import PART_INCOMING, by_kind, complete_part, put_edge, put_node

Run = Callable  # run(name, params, **names) -> the records of one query


def add_records(G: nx.MultiDiGraph, kinds, records, ends=None) -> None:
    """Nodes (labels, props) and edges (rel, ends, props; an end's properties where the
    graph may not hold it yet) read by a query, into ``G``; edges only to ``ends`` when
    given."""
    for r in records:
        if "rel" not in r.keys():
            kind = next(label for label in r["labels"] if label in kinds)
            put_node(G, (kind, r["props"]["id"]), kind, r["props"])
            continue
        src = (next(label for label in r["src_labels"] if label in kinds), r["src"])
        dst = (next(label for label in r["dst_labels"] if label in kinds), r["dst"])
        if ends is not None and dst not in ends:
            continue
        for node, props in ((src, r.get("src_props")), (dst, r.get("dst_props"))):
            if node not in G and props is not None:
                put_node(G, node, node[0], props)
        props = dict(r["props"])
        key = props.pop("key", "")
        put_edge(G, src, dst, (r["rel"], key), r["rel"], props)


def part(run: Run, committee_ids: Collection[str] | None) -> nx.MultiDiGraph:
    """The committees' part (the whole graph when ``None``), kind by kind through each kind's
    committee index, completed as ``graph/parts.py`` says."""
    kinds = model().nodes
    G = nx.MultiDiGraph()

    def read(name: str, params: dict, ends=None, **names) -> None:
        add_records(G, kinds, run(name, params, **names), ends)

    def part_edges(name: str, nodes, rels, ends=None) -> None:
        for kind, ids in by_kind(nodes).items():
            read(name, {"ids": ids, "rels": list(rels)}, ends, kind=kind)

    if committee_ids is None:
        read("dump_nodes", {"kinds": sorted(kinds)})
        read("dump_edges", {"kinds": sorted(kinds)})
        return G
    scope = {"committee_ids": sorted(committee_ids)}
    for kind in sorted(kinds):
        read("subgraph_kind_nodes", scope, kind=kind)
    inside = set(G.nodes)
    for kind in sorted(kinds):
        read("subgraph_kind_edges", scope, kind=kind)
    targets = sorted({t for rel in PART_INCOMING for t in model().edges[rel].targets})
    for kind in targets:
        read("subgraph_kind_incoming", {**scope, "rels": list(PART_INCOMING)}, kind=kind)
    complete_part(G, inside, lambda nodes, rels: part_edges("part_edges_reaching", nodes, rels),
                  lambda nodes, rels, ends: part_edges("part_edges_leaving", nodes, rels, ends))
    return G


def dump(run: Run) -> dict:
    """Every node and edge with its properties, keyed as ``Store.dump`` says."""
    kinds = model().nodes
    nodes = {}
    for r in run("dump_nodes", {"kinds": sorted(kinds)}):
        kind = next(label for label in r["labels"] if label in kinds)
        nodes[(kind, r["props"]["id"])] = r["props"]
    edges = {}
    for r in run("dump_edges", {"kinds": sorted(kinds)}):
        props = dict(r["props"])
        key = props.pop("key", "")
        src = next(label for label in r["src_labels"] if label in kinds)
        dst = next(label for label in r["dst_labels"] if label in kinds)
        edges[(r["rel"], src, r["src"], dst, r["dst"], key)] = props
    return {"nodes": nodes, "edges": edges}
