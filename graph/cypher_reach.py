"""Reach on the Bolt store, computed in the database: each step of the walk is one query for
the whole frontier, and what comes back is only what the step reaches — never the part of
the graph the walk runs in, however large the committee (a top committee's part is the
whole store).

The answer is ``graph/reach.py``'s on the view of the start's committee and those below it
(what the other stores answer), so the queries hold the edges that committee's part holds
(``graph/parts.py``): every edge of a node of the part; from outside it, the liaisons into
the part or into a group or organisation outside it where one of its nodes sits, and the
memberships of the members outside who have such a liaison. ``tests/stores/test_reach_in_the_database.py``
holds the two equal on random rosters, committee trees, days, scopes and hops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from liaison_graph.graph.errors import MemberNotFound
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, holds
from liaison_graph.graph.policy import KIND_CODES, LIAISON, TERMED
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.reach import SECTOR

_KINDS = frozenset(model().nodes)


class CypherReach(Projection):
    """The Bolt store's answer to reach (nothing kept)."""

    name = "reach"

    def reach(self, store, node_id: str, hops: int, day: dt.date, tree: Collection[str],
              scope: Collection[str] | None) -> list[dict]:
        """As ``graph/reach.py: reach`` on the view of the committees ``tree`` (the start's
        committee and those below it) on ``day``, for a caller whose committees are ``scope``
        (None: all)."""
        return _Walk(store, day.isoformat(), frozenset(tree), scope).run(node_id, hops)


class _Walk:
    def __init__(self, store, day: str, tree: frozenset[str], scope):
        self.store, self.day, self.tree, self.scope = store, day, tree, scope
        self.names: dict[tuple[str, str], tuple[str | None, str | None]] = {}  # node -> (name, committee)
        self.params = {"day": day, "tree": sorted(tree), "memberships": sorted(MEMBERSHIP), "termed": list(TERMED)}
        self.coverers: dict[str, bool] = {}  # a member outside the part -> whether it liaises with it

    def involves(self, *nodes) -> bool:
        return self.scope is None or any(self.names[n][1] in self.scope for n in nodes)

    def inside(self, node) -> bool:
        return self.names[node][1] in self.tree

    def run(self, node_id: str, hops: int) -> list[dict]:
        start = self.start(node_id)
        distance: dict = {}
        frontier: list = []
        if start[0] == "Member":
            if not holds(self._start, self.day):
                return []
            frontier = [start]
        else:
            for member in self.occupants([start]).get(start, ()):
                if self.involves(member, start) and member not in distance:
                    distance[member] = 0
                    frontier.append(member)
        d = 0
        while frontier and d < hops:
            nxt = []

            def arrive(node, at=d + 1):
                if node != start and node not in distance:
                    distance[node] = at
                    if node[0] == "Member":
                        nxt.append(node)

            steps = self.liaisons(frontier)
            targets = [t for _, t in steps if t[0] != "Member"]
            occupants = self.occupants(targets)
            for member, target in steps:
                if not self.involves(member, target):
                    continue
                arrive(target)
                for occupant in occupants.get(target, ()):
                    if self.involves(occupant, target):
                        arrive(occupant)
            frontier, d = nxt, d + 1
        members = [n for n in distance if n[0] == "Member"] + ([start] if start[0] == "Member" else [])
        sectors = self.sectors(members)
        for member in members:
            at = distance.get(member, 0)
            for sector in sectors.get(member, ()):
                if self.involves(member, sector) and (sector not in distance or distance[sector] > at):
                    distance[sector] = at
        items = [{"id": n[1], "kind": KIND_CODES[n[0]], "name": self.names[n][0], "distance": at}
                 for n, at in distance.items()]
        return sorted(items, key=lambda i: (i["distance"], i["kind"], i["id"]))

    # --- what each step reads --------------------------------------------------------
    def start(self, node_id: str):
        for kind in ("Member", "PartyOrg"):
            props = self.store.node_props(kind, [node_id]).get(node_id)
            if props is not None:
                node = (kind, node_id)
                self.names[node] = (props.get("name"), props.get("committee_id"))
                self._start = props
                return node
        raise MemberNotFound(f"找不到编号为「{node_id}」的委员或党组织", id=node_id)


    def _seen(self, kind: str, r: dict):
        node = (kind, r["id"])
        self.names[node] = (r.get("name"), r.get("committee_id"))
        return node

    def liaisons(self, members: list) -> list[tuple]:
        """(member, target) of the liaisons the part holds from these members on the day."""
        rows = self.store.read("reach_liaisons", {**self.params, "ids": sorted(m[1] for m in members)}, rel=LIAISON)
        out = []
        for r in rows:
            kind = next(label for label in r["labels"] if label in _KINDS)
            out.append((("Member", r["src"]), self._seen(kind, r)))
        return sorted(out)

    def occupants(self, containers: list) -> dict:
        """Container -> the current members the part holds sitting in it on the day."""
        found: dict = {}
        by_kind: dict[str, set[str]] = {}
        for kind, cid in containers:
            by_kind.setdefault(kind, set()).add(cid)
        for kind, ids in sorted(by_kind.items()):
            for r in self.store.read("reach_occupants", {**self.params, "ids": sorted(ids)}, kind=kind):
                found.setdefault((kind, r["container"]), []).append(self._seen("Member", r))
        self._coverers([o for c, members in found.items() if not self.inside(c) for o in members])
        return {c: sorted(o for o in members if self.inside(c) or self.inside(o) or self.coverers[o[1]])
                for c, members in found.items()}

    def sectors(self, members: list) -> dict:
        """Member -> the sectors the part holds it sitting in on the day."""
        sector, found = model().membership()[SECTOR], {}
        rows = self.store.read("reach_containers", {**self.params, "ids": sorted(m[1] for m in members)},
                               kind=sector, rel=SECTOR)
        for r in rows:
            found.setdefault(("Member", r["member"]), []).append(self._seen(sector, r))
        self._coverers([m for m, sectors in found.items() if not self.inside(m)])
        return {m: sorted(s for s in sectors if self.inside(m) or self.inside(s) or self.coverers[m[1]])
                for m, sectors in found.items()}

    def _coverers(self, members: list) -> None:
        """Learn which of these members outside the part liaise with it."""
        asked = sorted({m[1] for m in members if not self.inside(m)} - set(self.coverers))
        if not asked:
            return
        found = {r["id"] for r in self.store.read("reach_outside_coverers", {**self.params, "ids": asked}, rel=LIAISON)}
        self.coverers.update({m: m in found for m in asked})
