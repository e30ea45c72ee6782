"""The network figures on the Bolt store from what they read, not from the committee's whole
part: the members of the committees current on the day, the liaisons holding that leave or
reach them, and their sectors — asked of the database already cut to the day — then
``graph/reach.py: network`` on a view of that slice (its betweenness runs in Python on the
liaisons between the committees' members, as the figures need).

Every edge read has a member of the committees at one end, so the committees' part holds
it (``graph/parts.py``). ``tests/stores/test_network_in_the_database.py`` holds the figures
equal to those on the part's view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import networkx as nx
from liaison_graph.graph.bolt_parts import add_records
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.policy import LIAISON, TERMED
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.reach import SECTOR
from liaison_graph.graph.view import View


class CypherNetwork(Projection):
    """The Bolt store's slice for the network figures (nothing kept)."""

    name = "network"

    def view(self, store, day: dt.date, part: Collection[str] | None, committees: dict[str, dict]) -> View:
        """A view of the committees ``part`` (None: all) on ``day`` holding what
        ``graph/reach.py: network`` reads: their current members, the liaisons holding
        from and to them, and the members' sectors."""
        kinds = model().nodes
        params = {"day": day.isoformat(), "committee_ids": sorted(part) if part is not None else sorted(committees),
                  "termed": list(TERMED)}
        G = nx.MultiDiGraph()
        with bulk():
            add_records(G, kinds, store.read("network_members", params))
            add_records(G, kinds, store.read("network_leaving", params, rel=LIAISON))
            add_records(G, kinds, store.read("network_reaching", params, rel=LIAISON))
            add_records(G, kinds, store.read("network_leaving", params, rel=SECTOR))
        return View(G, day.isoformat(), part, committees)
