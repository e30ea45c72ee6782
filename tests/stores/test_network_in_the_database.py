"""The network figures on the Bolt store read only their slice from the database
(graph/cypher_network.py) and must equal the figures on the committee's whole part (graph/reach.py),
for random committee trees, rosters, days and committees."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison_graph.graph.cypher_network import CypherNetwork
from liaison_graph.graph.reach import network
from liaison_graph.graph.view import open_view, scope_of
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json
from tests.stores.test_reach_in_the_database import CIDS, DAYS, PROPERTY, loaded, rosters

pytestmark = pytest.mark.bolt


@given(roster=rosters(), data=st.data())
@PROPERTY
def test_the_network_figures_from_their_slice_are_the_parts(bolt_server, tmp_path, roster, data):
    with loaded(tmp_path, roster) as store:
        for _ in range(2):
            day = dt.date.fromisoformat(data.draw(st.sampled_from(DAYS)))
            root = data.draw(st.sampled_from([None, *CIDS]))
            top = data.draw(st.sampled_from([1, 3, 10]))
            sliced = CypherNetwork().view(store, day, *scope_of(store, root))
            assert network(sliced, top) == network(open_view(store, day, root), top), (day, root, top)


TRIANGLE = {  # 甲一 liaises with 甲二 and 甲三 (both 教育界), 甲二 with 甲三; 甲四 alone; 乙一 (乙县) with 甲四 until 2024
    "committees": [{"id": "C1", "name": "甲县政协", "level": "县"}, {"id": "C2", "name": "乙县政协", "level": "县"}],
    "members": [{"id": "M1", "name": "甲一", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界"},
                {"id": "M2", "name": "甲二", "affiliation": "中共党员", "committee_id": "C1", "sector": "教育界"},
                {"id": "M3", "name": "甲三", "affiliation": "民盟", "committee_id": "C1", "sector": "教育界"},
                {"id": "M4", "name": "甲四", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界"},
                {"id": "M5", "name": "乙一", "affiliation": "中共党员", "committee_id": "C2", "sector": "经济界"}],
    "liaisons": [{"from_id": "M1", "to": "M2"}, {"from_id": "M1", "to": "M3"}, {"from_id": "M2", "to": "M3"},
                 {"from_id": "M5", "to": "M4", "end_date": "2024-12-31"}],
}


def test_the_network_by_hand(bolt_server, tmp_path):
    store = open_backend("bolt", tmp_path)
    try:
        load_files([write_json(tmp_path / "r.json", TRIANGLE)], store)
        for day, isolated in ((dt.date(2024, 6, 30), []), (dt.date(2025, 6, 30), ["甲四"])):
            got = network(CypherNetwork().view(store, day, *scope_of(store, "C1")))
            assert got["members"] == 4 and got["liaisons"] == 3
            assert [(m["name"], m["liaisons"]) for m in got["load"]] == [("甲一", 2), ("甲二", 1)]
            assert [m["name"] for m in got["cpc_without_liaison"]] == ["甲四"]
            assert [m["name"] for m in got["isolated"]] == isolated  # 乙一's liaison counts while it holds
            assert got["sector_matrix"] == {"sectors": ["教育界", "经济界"], "counts": [[1, 0], [2, 0]]}  # from row to column
    finally:
        store.close()
