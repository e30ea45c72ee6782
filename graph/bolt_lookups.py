"""The Bolt store's lists (``graph/lookups.py``), through the queries ``cypher/list_*.cypher``
and the committee-part queries (``part_edges_leaving``, ``part_edges_reaching``).

Each function takes ``read`` from the store: ``read(name, params, **names)`` runs a named
query of ``cypher/`` in a managed read transaction and gives its records as dicts (the
store's storage alone reads ``cypher/``). A list of nodes is filtered, sorted, counted and
cut to its page by the server in one statement, starting from each committee in the
kind's committee index. A list of liaisons takes a few statements (finding them, then the
page's properties and names); a liaison that a write elsewhere removes between them is
left off its page."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from liaison_graph.graph.lookups import (IN_SECTOR, LIAISON, LIAISON_SOURCE, LIAISON_TARGETS, SECTOR, LiaisonEnds,
                                         LiaisonFilter, LiaisonRow, NodeFilter, liaison_page)
from liaison_graph.graph.model import model

Read = Callable  # read(name, params, **names) -> list[dict]: one query in a managed read transaction


def _kind(labels: Iterable[str]) -> str:
    return next(label for label in labels if label in model().nodes)


def list_nodes(read: Read, kind: str, committee_ids: Collection[str], where: NodeFilter | None = None,
               limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
    params = {"committee_ids": sorted(set(committee_ids)), **(where or NodeFilter()).params(),
              "limit": limit, "offset": offset}
    found = read("list_nodes", params, kind=kind)
    return (found[0]["total"], found[0]["items"]) if found else (0, [])


def sector_counts(read: Read, sector_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    found = read("list_sector_counts", {"ids": sorted(set(sector_ids))}, dst=SECTOR, rel=IN_SECTOR)
    return {r["id"]: (r["members"], r["cpc_members"]) for r in found}


def _ends(r: dict) -> LiaisonEnds:
    return LiaisonEnds(r["src"], _kind(r["dst_labels"]), r["dst"], r["key"] if r["key"] is not None else "",
                       r["start_date"], r["end_date"])


def _found(read: Read, scope: set[str], where: LiaisonFilter | None) -> set[LiaisonEnds]:
    """The liaisons with either end in the committees ``scope`` (around one node, or of one
    target kind, when ``where`` asks)."""
    target = where.target if where is not None else None
    if where is not None and where.member_id is not None:
        around = {"id": where.member_id}
        rows = read("list_liaisons_leaving_node", around, src=LIAISON_SOURCE, rel=LIAISON)
        for kind in LIAISON_TARGETS:
            rows += read("list_liaisons_reaching_node", around, dst=kind, rel=LIAISON)
        return {_ends(r) for r in rows if r["src_committee"] in scope or r["dst_committee"] in scope}
    inside = {"committee_ids": sorted(scope)}
    found = {e for e in map(_ends, read("list_liaisons_leaving_committees", inside, src=LIAISON_SOURCE, rel=LIAISON))
             if target is None or e.dst_kind == target}
    # Every member belongs to a committee of the store: those outside the scope are the
    # members of the other committees. Their liaisons into the scope are found from
    # whichever side has fewer committees.
    outside = {r["props"]["id"] for r in read("committees", {})} - scope
    if len(scope) <= len(outside):
        for kind in (LIAISON_TARGETS if target is None else (target,)):
            found |= {_ends(r) for r in read("list_liaisons_reaching_committees", inside, dst=kind, rel=LIAISON)
                      if r["src_committee"] not in scope}
    elif outside:
        rows = read("list_liaisons_leaving_committees", {"committee_ids": sorted(outside)}, src=LIAISON_SOURCE,
                    rel=LIAISON)
        found |= {e for r, e in ((r, _ends(r)) for r in rows)
                  if r["dst_committee"] in scope and (target is None or e.dst_kind == target)}
    return found


def list_liaisons(read: Read, committee_ids: Collection[str], where: LiaisonFilter | None = None,
                  limit: int = 100, offset: int = 0) -> tuple[int, list[LiaisonRow]]:
    total, page = liaison_page(_found(read, set(committee_ids), where), where, limit, offset)
    by_kind: dict[str, list[dict]] = {}
    for e in page:
        by_kind.setdefault(e.dst_kind, []).append({"src": e.src, "dst": e.dst, "key": e.key})
    rows = {}
    for kind, wanted in by_kind.items():
        for r in read("list_liaison_rows", {"rows": wanted}, src=LIAISON_SOURCE, dst=kind, rel=LIAISON):
            props = dict(r["props"])
            props.pop("key", None)
            rows[(r["src"], kind, r["dst"], r["key"] if r["key"] is not None else "")] = (props, r["src_name"],
                                                                                        r["dst_name"])
    return total, [LiaisonRow(*identity, *rows[identity]) for identity in (e[:4] for e in page) if identity in rows]


def edges_around(read: Read, kind: str, node_id: str, leaving: Collection[str],
                 reaching: Collection[str]) -> tuple[list[tuple], dict[tuple[str, str], dict]]:
    edges, far = {}, {}  # an edge from the node to itself is read both ways: once here
    for name, rels, end in (("part_edges_leaving", leaving, "dst"), ("part_edges_reaching", reaching, "src")):
        if not rels:
            continue
        for r in read(name, {"ids": [node_id], "rels": sorted(rels)}, kind=kind):
            props = dict(r["props"])
            key = props.pop("key", "")
            src, dst = (_kind(r["src_labels"]), r["src"]), (_kind(r["dst_labels"]), r["dst"])
            edges[(r["rel"], *src, *dst, key)] = props
            node = src if end == "src" else dst
            if node != (kind, node_id) and r[f"{end}_props"] is not None:
                far[node] = r[f"{end}_props"]
    return [(*identity, props) for identity, props in sorted(edges.items(), key=lambda item: item[0])], far
