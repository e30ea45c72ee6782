"""One day's view of a subgraph: who is current, who liaises with whom, who sits where.

Every question beyond the two flagship gaps (policies, effective coverage, reach, why,
diff, diagnostics) runs on a :class:`View`, built from ``Store.subgraph`` — so it is the
same code, with the same answers, on every store. On the Bolt store some are answered from
what the database computes instead (reach, the diff, the network figures' slice:
``graph/cypher_*.py``), each held equal to its answer on a view. Days are ISO strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet

import networkx as nx
from liaison_graph.graph.errors import CommitteeNotFound, MemberNotFound
from liaison_graph.graph.parts import MEMBERSHIP, bulk, gap_item, holds
from liaison_graph.graph.policy import (
    CONTACT,
    DEFAULT_POSITION,
    KIND_CODES,
    LIAISON,
    MASSES,
    TERMED,
)
from liaison_graph.graph.requirement import REVIEW
from liaison_graph.graph.store import Store


def children_of(committees: dict[str, dict]) -> dict[str, list[str]]:
    """Committee id -> the committees one level below it."""
    children: dict[str, list[str]] = {}
    for cid, props in committees.items():
        if props.get("parent_id"):
            children.setdefault(props["parent_id"], []).append(cid)
    return children


def _below(children: dict[str, list[str]], root: str) -> set[str]:
    out, stack = set(), [root]
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.add(cid)
            stack.extend(children.get(cid, []))
    return out


def _subtree(committees: dict[str, dict], root: str) -> set[str]:
    """A committee and every committee below it, worked out afresh from the table: the
    reference the kept scopes of ``subtree`` must equal."""
    return _below(children_of(committees), root)


# The committee table the scopes were last worked out from, its children, and each
# committee's scope as asked: (table, children, {root: scope}). The table is held, so its id
# is never another's while it is kept; a new table replaces the whole entry at once.
_kept: tuple[dict, dict[str, list[str]], dict[str, frozenset[str]]] | None = None


def subtree(committees: dict[str, dict], root: str) -> frozenset[str]:
    """A committee and every committee below it (never to be changed by the caller). Kept
    for as long as the table it comes from: a store hands out the same table (one dict)
    until the committees change (``Store.committees``), so the tree is worked out once per
    table and each committee's scope once; a store that builds a new table on every call
    gets its scopes worked out afresh."""
    global _kept
    kept = _kept
    if kept is None or kept[0] is not committees:
        kept = _kept = (committees, children_of(committees), {})
    scopes = kept[2]
    found = scopes.get(root)
    if found is None:
        found = scopes[root] = frozenset(_below(kept[1], root))
    return found


def home_committee(store: Store, node_id: str) -> str:
    """The committee a member or a party organisation belongs to."""
    for kind in ("Member", "PartyOrg"):
        props = store.node_props(kind, [node_id]).get(node_id)
        if props:
            return props["committee_id"]
    raise MemberNotFound(f"找不到编号为「{node_id}」的委员或党组织", id=node_id)


OWN, TREE = "own", "tree"  # the model's `span` vocabulary: the committee alone, or with those below it


def scope_of(store: Store, committee_id: str | None,
             span: str = TREE) -> tuple[frozenset[str] | None, dict[str, dict]]:
    """The committee ids a query covers (``None``: all; never to be changed by the caller)
    and the committee table: a committee and every committee below it, or (``span`` own)
    the committee alone."""
    committees = store.committees()
    if committee_id is None:
        return None, committees
    if committee_id not in committees:
        raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
    return (frozenset((committee_id,)) if span == OWN else subtree(committees, committee_id)), committees


def open_view(store: Store, day: dt.date, committee_id: str | None = None, span: str = TREE) -> View:
    scope, committees = scope_of(store, committee_id, span)
    G = store.subgraph(scope)
    return View(G, day.isoformat(), scope, committees)


class View:
    """Indexes of one day, built in one pass over the subgraph; every lookup after that is
    a dictionary read."""

    def __init__(self, G: nx.MultiDiGraph, day: str, scope: AbstractSet[str] | None, committees: dict[str, dict]):
        self.G, self.day, self.scope, self.committees = G, day, scope, committees
        self._extra: dict = {}
        with bulk():
            self._index(G, day)

    def extended(self, nodes: dict, liaisons: list[tuple], memberships: list[tuple]) -> View:
        """A what-if view: this day's indexes plus new nodes ``{node: data}``, liaisons
        ``(src, dst, edge)`` and memberships ``(member, edge_kind, container)`` that hold
        today; the graph and this view are left as they are."""
        new = object.__new__(View)
        new.__dict__.update(self.__dict__)
        new._extra = {**self._extra, **nodes}
        new._current = {**self._current, **dict.fromkeys(nodes, True)}
        new._selected = {}
        new._live_by_kind = {k: list(v) for k, v in self._live_by_kind.items()}
        new._by_kind = {k: list(v) for k, v in self._by_kind.items()}
        for node, data in nodes.items():
            new._live_by_kind.setdefault(node[0], []).append((node, data))
            if new.in_scope(data):
                new._by_kind.setdefault(node[0], []).append((node, data))
        for items in new._by_kind.values():
            items.sort(key=lambda pair: pair[0])
        new._in, new._out = dict(self._in), dict(self._out)
        for src, dst, edge in liaisons:
            new._in[dst] = [*new._in.get(dst, ()), (src, edge)]
            new._out[src] = [*new._out.get(src, ()), (dst, edge)]
        new._containers, new._occupants = dict(self._containers), dict(self._occupants)
        for member, kind, container in memberships:
            held = {k: list(v) for k, v in new._containers.get(member, {}).items()}
            held.setdefault(kind, []).append(container)
            held.setdefault(None, []).append(container)
            new._containers[member] = held
            new._occupants[container] = [*new._occupants.get(container, ()), member]
        return new

    def _index(self, G: nx.MultiDiGraph, day: str) -> None:
        self._current: dict = {}
        self._by_kind: dict[str, list] = {}
        self._live_by_kind: dict[str, list] = {}
        self._selected: dict = {}
        for node, data in G.nodes(data=True):
            kind = data.get("node_kind")
            live = kind is not None and (holds(data, day) if kind in TERMED else True)
            self._current[node] = live
            if live:
                self._live_by_kind.setdefault(kind, []).append((node, data))
            if live and self.in_scope(data):
                self._by_kind.setdefault(kind, []).append((node, data))
        for items in self._by_kind.values():
            items.sort(key=lambda pair: pair[0])
        self._in: dict = {}
        self._out: dict = {}
        self._containers: dict = {}
        self._occupants: dict = {}
        self._contacts: dict = {}
        self._ledger: dict = {}
        self._masses: dict = {}
        current = self._current
        contacts, ledger = self._contacts, self._ledger
        for src, neighbours in G.adjacency():
            for dst, keyed in neighbours.items():
                for edge in keyed.values():
                    kind = edge["edge_kind"]
                    if kind == CONTACT:
                        date = edge["date"]
                        if date <= day and REVIEW not in edge:  # one waiting for the office counts nowhere
                            pair = (src, dst) if src <= dst else (dst, src)
                            if date > contacts.get(pair, ""):
                                contacts[pair] = date
                            ledger.setdefault(pair, []).append((date, edge.get("mode")))
                        continue
                    if kind == MASSES:
                        if edge["date"] <= day and REVIEW not in edge:
                            people = self._masses.setdefault(src, {})
                            people.setdefault(edge["person"], []).append((edge["date"], edge.get("mode")))
                        continue
                    start, end = edge.get("start_date"), edge.get("end_date")
                    if (start is not None and start > day) or (end is not None and end < day):
                        continue
                    if kind == LIAISON:
                        if current.get(src):
                            self._in.setdefault(dst, []).append((src, edge))
                        if current.get(dst):
                            self._out.setdefault(src, []).append((dst, edge))
                    elif kind in MEMBERSHIP:
                        if current.get(dst):
                            held = self._containers.setdefault(src, {})
                            held.setdefault(kind, []).append(dst)
                            held.setdefault(None, []).append(dst)
                        if src[0] == "Member" and current.get(src):
                            self._occupants.setdefault(dst, []).append(src)

    # --- nodes ---------------------------------------------------------------------
    def in_scope(self, data: dict) -> bool:
        return self.scope is None or data.get("committee_id") in self.scope

    def nodes(self, kind: str) -> list[tuple]:
        """Nodes of one kind in scope, sorted (members and organisations only while they hold)."""
        return self._by_kind.get(kind, [])

    def current(self, node) -> bool:
        return self._current.get(node, False)

    def selected(self, select) -> frozenset:
        """Every current node, in scope or not, that a policy's selection matches; worked
        out once per selection and kept for the life of the view."""
        found = self._selected.get(select)
        if found is None:
            found = frozenset(n for n, data in self._live_by_kind.get(select.node_kind, ()) if select.test(data))
            self._selected[select] = found
        return found

    def data(self, node) -> dict:
        return self._extra.get(node) or self.G.nodes[node]

    def item(self, node) -> dict:
        """The JSON shape of a node (``node_item``)."""
        data = self.data(node)
        return node_item(node[0], data if "id" in data else {**data, "id": node[1]})

    # --- edges ---------------------------------------------------------------------
    def liaisons_in(self, node) -> list[tuple]:
        """(source, edge) of liaisons into ``node`` that hold today from a current source."""
        return self._in.get(node, [])

    def liaisons_out(self, node) -> list[tuple]:
        """(target, edge) of liaisons from ``node`` that hold today to a current target."""
        return self._out.get(node, [])

    def containers(self, member, edge_kind: str | None = None) -> list:
        """What a member sits in today (sectors, groups, organisations that hold, …)."""
        return self._containers.get(member, {}).get(edge_kind, [])

    def occupants(self, container) -> list:
        """Current members sitting in a sector, group, organisation, …"""
        return self._occupants.get(container, [])

    def last_contact(self, a, b) -> str | None:
        """The latest contact between two members on or before today, either direction."""
        return self._contacts.get((a, b) if a <= b else (b, a))

    # --- member facts --------------------------------------------------------------
    def contacts(self, a, b) -> list[tuple[str, str | None]]:
        """Every contact between two members on or before today, either direction, as
        (day, mode)."""
        return self._ledger.get((a, b) if a <= b else (b, a), [])

    def masses(self, member) -> dict[str, list[tuple[str, str | None]]]:
        """A member's fixed contacts among the masses of their sector on or before today:
        each person (by name) with their contacts as (day, mode)."""
        return self._masses.get(member, {})

    def former_pairs(self) -> frozenset:
        """(person, person) of every liaison between two members that ended before today, a
        member record's person its ``person_id`` or itself (``graph/persons.py``): the pairs
        an office chose before, which a new term keeps where both people stay."""
        found = self.__dict__.get("_former")
        if found is None:
            person = {n: d.get("person_id") or n[1] for n, d in self.G.nodes(data=True) if n[0] == "Member"}
            found = self._former = frozenset(
                (person[a], person[b]) for a, b, e in self.G.edges(data=True)
                if e.get("edge_kind") == LIAISON and a in person and b in person and (e.get("end_date") or self.day) < self.day)
        return found

    def is_cpc(self, node) -> bool:
        return bool(self.G.nodes[node].get("cpc"))

    def position(self, node) -> str:
        return self.G.nodes[node].get("position") or DEFAULT_POSITION


def node_item(kind: str, data: dict) -> dict:
    """The JSON shape of a node of ``kind`` with these properties: a member as in the gap
    contract, others by kind."""
    if kind == "Member":
        return gap_item(data)
    return {"id": data["id"], "kind": KIND_CODES[kind], "name": data.get("name"), "committee_id": data.get("committee_id")}


def beside(data: dict, scope, whole: dict | None = None) -> dict:
    """A member as a caller whose committees are ``scope`` (None: all) sees it beside one of
    its own, in a liaison or a contact: ``whole`` (by default all its properties) when it is
    in the scope; from another committee only its id, name and committee."""
    if scope is None or data.get("committee_id") in scope:
        return data if whole is None else whole
    return {"id": data.get("id"), "name": data.get("name"), "committee_id": data.get("committee_id")}


def involves(view: View, scope, *nodes) -> bool:
    """A record (a liaison, a contact, a membership) between ``nodes`` is the caller's when
    one of them lies in its scope (None: all); a record among others' nodes is not shown."""
    return scope is None or any(view.data(n).get("committee_id") in scope for n in nodes)
