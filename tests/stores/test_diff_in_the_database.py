"""The diff between two days on the Bolt store is computed in the database (graph/cypher_diff.py):
the gap lists by the Cypher gap queries, the reasons on the changed members' own edges. It
must answer exactly as the diff on the part's two views does (graph/reach.py), for random
committee trees, rosters, pairs of days and committees asked about."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.cypher_diff import CypherDiff
from liaison_graph.graph.reach import diff, view_gaps
from liaison_graph.graph.view import View, scope_of
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json
from tests.stores.test_reach_in_the_database import CIDS, DAYS, PROPERTY, loaded, rosters

pytestmark = pytest.mark.bolt


def on_the_part(store, day_from: str, day_to: str, root: str | None) -> list[dict]:
    part, committees = scope_of(store, root)
    G = store.subgraph(part)
    return diff(View(G, day_from, part, committees), View(G, day_to, part, committees), view_gaps)


@given(roster=rosters(), data=st.data())
@PROPERTY
def test_the_diff_computed_in_the_database_is_the_parts(bolt_server, tmp_path, roster, data):
    with loaded(tmp_path, roster) as store:
        for _ in range(2):
            day_from, day_to = sorted(data.draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2, unique=True)))
            root = data.draw(st.sampled_from([None, *CIDS]))
            part, committees = scope_of(store, root)
            got = CypherDiff().diff(store, dt.date.fromisoformat(day_from), dt.date.fromisoformat(day_to), part,
                                    committees)
            assert got == on_the_part(store, day_from, day_to, root), (day_from, day_to, root)


CHANGES = {  # 甲一 loses the liaison that covered them, 甲二 gains one, 甲三's branch expires
    "committees": [{"id": "C1", "name": "甲县政协", "level": "县"}, {"id": "C2", "name": "乙县政协", "level": "县"}],
    "party_orgs": [{"id": "O1", "name": "临时支部", "kind": "临时党支部", "committee_id": "C1",
                    "start_date": "2024-01-01", "end_date": "2024-12-31"}],
    "members": [{"id": "M0", "name": "乙零", "affiliation": "中共党员", "committee_id": "C2", "sector": "经济界"},
                {"id": "M1", "name": "甲一", "affiliation": "群众", "committee_id": "C1", "sector": "经济界"},
                {"id": "M2", "name": "甲二", "affiliation": "民盟", "committee_id": "C1", "sector": "经济界"},
                {"id": "M3", "name": "甲三", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界",
                 "party_org_ids": "O1"}],
    "liaisons": [{"from_id": "M0", "to": "M1", "end_date": "2024-12-31"},
                 {"from_id": "M0", "to": "M2", "start_date": "2025-01-01"}],
}


def test_the_diff_by_hand_through_the_verb(bolt_server, tmp_path):
    """甲县 from 2024-06-30 to 2025-06-30: 甲一 lost their liaison (from 乙县's 乙零), 甲二
    gained one, 甲三's temporary branch expired; the verb answers as the embedded store."""
    store = open_backend("bolt", tmp_path)
    embedded = open_backend("embedded", tmp_path)
    try:
        for s in (store, embedded):
            load_files([write_json(tmp_path / "r.json", CHANGES)], s)
        asked = [questions.diff(s, Scope(), dt.date(2024, 6, 30), dt.date(2025, 6, 30), "C1") for s in (store, embedded)]
        assert asked[0] == asked[1]
        assert [(i["name"], i["change"], i["reason"]) for i in asked[0]["items"]] == [  # by rule, change, member
            ("甲二", "gained", "liaison_started"), ("甲一", "lost", "liaison_ended"), ("甲三", "lost", "branch_expired")]
    finally:
        store.close()
        embedded.close()
