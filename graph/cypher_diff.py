"""The diff between two days on the Bolt store, computed in the database: the two flagship gap
lists of each day are the Cypher gap queries over the committees asked about
(``graph/projections.py: CypherGaps``); only for the members whose coverage changed is
anything more read — their liaisons in, their memberships out, and the far ends of these —
and the reason is worked out on that small graph by ``graph/reach.py``'s own words
(``diff``), never on the committee's whole part.

A changed member belongs to the committees asked about, so every edge the reasons read
(liaisons reaching the member, the member's memberships) is one the committees' part holds
whatever its far end (``graph/parts.py``). ``tests/stores/test_diff_in_the_database.py``
holds the answer equal to the diff on the part's two views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import networkx as nx
from liaison_graph.graph.bolt_parts import add_records
from liaison_graph.graph.flagship import FORMS, RULES
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP, bulk, put_node
from liaison_graph.graph.policy import LIAISON
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.reach import diff
from liaison_graph.graph.view import View


class CypherDiff(Projection):
    """The Bolt store's answer to the diff (nothing kept)."""

    name = "diff"

    def diff(self, store, day_from: dt.date, day_to: dt.date, part: Collection[str] | None,
             committees: dict[str, dict]) -> list[dict]:
        """As ``graph/reach.py: diff`` on the views of the committees ``part`` (None: all) on
        the two days."""
        ids = sorted(part) if part is not None else sorted(committees)
        days = (day_from.isoformat(), day_to.isoformat())
        lists = {}
        for rule in RULES:
            form = FORMS[rule]
            for day in days:
                lists[(rule, day)] = store.read(form.query, {"day": day, "committee_ids": ids, **form.params},
                                                **form.names)
        changed = set()
        for rule in RULES:
            before, after = ({i["id"] for i in lists[(rule, day)]} for day in days)
            changed |= before ^ after
        G = _around(store, sorted(changed))
        views = [View(G, day, part, committees) for day in days]
        return diff(*views, lambda view, rule: lists[(rule, view.day)])


def _around(store, ids: list[str]) -> nx.MultiDiGraph:
    """These members, the liaisons reaching them and their memberships, with the far ends."""
    G = nx.MultiDiGraph()
    if not ids:
        return G
    kinds = model().nodes
    with bulk():
        for nid, props in store.node_props("Member", ids).items():
            put_node(G, ("Member", nid), "Member", props)
        add_records(G, kinds, store.read("part_edges_reaching", {"ids": ids, "rels": [LIAISON]}, kind="Member"))
        add_records(G, kinds, store.read("part_edges_leaving", {"ids": ids, "rels": sorted(MEMBERSHIP)},
                                         kind="Member"))
    return G
