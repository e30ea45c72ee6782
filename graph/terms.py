"""换届: a committee's term closed in one write, and the new term's people set against the
closed term's.

Closing on a day ends, for the committee alone (not those below it), everything of its term
still running after that day: each member's seat, each liaison held by one of its members
or reaching one of its members or groups (from other committees too), each dated
membership of its members, and each party organisation of a kind set up for one term
(model.yaml: party_org_kind, marked ``term``: the temporary branches, the special
committees' sub party groups). What ends gets the day as its end; what started after the
day is left as it is. The write is one batch (``closing``); its audit record keeps the
closing coverage (``api/verbs/terms.py``).

Opening compares people (``graph/persons.py``): the closed term's are those whose records
held on its last day, the new term's those of the roster's records of the committee. Who
stayed, came and left, and the records that may be a stayer not yet linked (``matches``).
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
from liaison_graph.graph import persons
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, holds
from liaison_graph.graph.policy import LIAISON

_M = model()
TERM_KINDS = _M.enums["party_org_kind"].marked("term")  # organisations set up for one term
OPEN_END = "9999-12-31"


def running(props: dict, day: str) -> bool:
    """Whether something dated holds on the day after ``day`` (it started by then and has
    not ended by ``day``)."""
    return (props.get("start_date") or "") <= day and (props.get("end_date") or OPEN_END) > day


def _props(data: dict, *drop: str) -> dict:
    return {k: v for k, v in data.items() if k not in drop}


def closing(G: nx.MultiDiGraph, committee_id: str, day: str) -> tuple[Batch, dict[str, int]]:
    """What closing the committee's term on ``day`` writes, and how many of each kind it ends
    (``G``: the committee's own part)."""
    batch, ended = Batch(), Counter()
    own = {n for n, d in G.nodes(data=True) if d.get("committee_id") == committee_id}
    for node in sorted(own):
        data = G.nodes[node]
        kind = data.get("node_kind")
        if kind == "Member" and running(data, day) or kind == "PartyOrg" and data.get("kind") in TERM_KINDS \
                and running(data, day):
            batch.add_node(kind, node[1], {**_props(data, "node_kind"), "end_date": day})
            ended[kind] += 1
    for src, dst, (kind, key), data in G.edges(keys=True, data=True):
        members_own = src in own and src[0] == "Member"
        if kind == LIAISON and (members_own or dst in own) or kind in MEMBERSHIP and members_own \
                and (data.get("start_date") or data.get("end_date")):
            if running(data, day):
                batch.add_edge(kind, src[0], src[1], dst[0], dst[1], key, {**_props(data, "edge_kind"), "end_date": day})
                ended[kind] += 1
    return batch, dict(ended)


def still_running(G: nx.MultiDiGraph, committee_id: str, day: str) -> list[tuple]:
    """What of the committee's term runs past ``day`` that ``closing`` would end: empty once
    the term is closed."""
    batch, _ = closing(G, committee_id, day)
    return [(kind, nid) for kind, nodes in batch.nodes.items() for nid in nodes] + \
        [(e.kind, e.src, e.dst, e.key) for e in batch.edges]


def turnover(closed: list[dict], new: list[dict], committees: dict[str, dict], day: str) -> dict:
    """Who stayed, came and left between the closed term's records (those that held on its
    last day ``day``) and the new term's, by person; and the records of the two that may be
    one person not yet linked."""
    old = [r for r in closed if holds(r, day)]
    before = {persons.person_of(r): r for r in old}
    kept = {r["id"]: persons.person_of(r) for r in old}  # a record loaded again under its id: the same person
    after = {r.get("person_id") or kept.get(r["id"], r["id"]): r for r in new}

    def listed(keys, side) -> list[dict]:
        return sorted((persons.record_item(side[k], committees, day) for k in keys), key=lambda r: r["id"])

    olds, news = {r["id"] for r in old}, {r["id"] for r in new}
    proposed = [m for m in persons.matches([*old, *(r for r in new if r["id"] not in olds)], committees, day)
                if {r["id"] for r in m["records"]} & olds and {r["id"] for r in m["records"]} & (news - olds)]
    return {"stayed": listed(before.keys() & after.keys(), after), "came": listed(after.keys() - before.keys(), after),
            "left": listed(before.keys() - after.keys(), before), "proposed": proposed}
