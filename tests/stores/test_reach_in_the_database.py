"""Reach on the Bolt store is walked in the database (graph/cypher_reach.py), step by step; it
must answer exactly as the walk on the view of the start's committee does (graph/reach.py),
the reference every store shares: random committee trees, members, groups, organisations and
liaisons across committees, days, callers' scopes and hops."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.graph.cypher_reach import CypherReach
from liaison_graph.graph.reach import reach as view_reach
from liaison_graph.graph.view import open_view, subtree
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json

pytestmark = pytest.mark.bolt
DAYS = ["2023-01-01", "2024-06-30", "2025-01-01", "2025-12-31"]
CPC = ["中共党员", "民盟", "无党派人士", "群众"]
SECTORS = ["经济界", "教育界"]
GROUPS = ["第一活动组", "第二活动组"]
SPECIALS = ["提案委", "经济委"]
# C0 above C1 and C2, C1 above C3; C4 beside them all
COMMITTEES = [{"id": "C0", "name": "市政协", "level": "市"},
              {"id": "C1", "name": "甲县政协", "level": "县", "parent_id": "C0"},
              {"id": "C2", "name": "乙县政协", "level": "县", "parent_id": "C0"},
              {"id": "C3", "name": "某镇政协联络组", "level": "县", "parent_id": "C1"},
              {"id": "C4", "name": "丙县政协", "level": "县"}]
CIDS = [c["id"] for c in COMMITTEES]
days = st.sampled_from([None, *DAYS])
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@contextmanager
def loaded(tmp_path, roster: dict):
    """A Bolt store on the test server holding ``roster`` alone."""
    store = open_backend("bolt", tmp_path)
    try:
        load_files([write_json(tmp_path / "r.json", roster)], store)
        yield store
    finally:
        store.close()


@st.composite
def span(draw):
    start, end = draw(days), draw(days)
    if start and end and end < start:
        start, end = end, start
    return {k: v for k, v in (("start_date", start), ("end_date", end)) if v}


@st.composite
def rosters(draw):
    orgs = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["党支部", "临时党支部"]))
        ends = kind == "临时党支部" or draw(st.booleans())  # a temporary branch always has its end
        orgs.append({"id": f"O{i}", "name": f"支部{i}", "kind": kind, "committee_id": draw(st.sampled_from(CIDS)),
                     "start_date": "2023-01-01", **({"end_date": draw(st.sampled_from(DAYS))} if ends else {})})
    members = []
    for i in range(draw(st.integers(2, 14))):
        row = {"id": f"M{i}", "name": f"委员{i}", "affiliation": draw(st.sampled_from(CPC)),
               "committee_id": draw(st.sampled_from(CIDS)), "sector": draw(st.sampled_from(SECTORS)),
               **draw(span())}
        if draw(st.booleans()):
            row["activity_group"] = draw(st.sampled_from(GROUPS))
        if draw(st.booleans()):
            row["special_committees"] = draw(st.sampled_from(SPECIALS))
        if orgs and draw(st.booleans()):
            row["party_org_ids"] = draw(st.sampled_from([o["id"] for o in orgs]))
        members.append(row)
    by_id = {m["id"]: m for m in members}
    liaisons = []
    for j in range(draw(st.integers(0, 16))):
        source = draw(st.sampled_from(sorted(by_id)))
        kind = draw(st.sampled_from(["委员", "委员", "界别", "委员活动组", "专委会", "党组织"]))
        if kind == "委员":
            target = draw(st.sampled_from(sorted(by_id)))
            if target == source:
                continue
        elif kind in ("界别", "委员活动组", "专委会"):  # a group of the source's committee, named by a member's row
            column = {"界别": "sector", "委员活动组": "activity_group", "专委会": "special_committees"}[kind]
            named = sorted({m[column] for m in members if column in m
                            and m["committee_id"] == by_id[source]["committee_id"]})
            if not named:
                continue
            target = draw(st.sampled_from(named))
        else:
            if not orgs:
                continue
            target = draw(st.sampled_from([o["id"] for o in orgs]))
        liaisons.append({"from_id": source, "target_kind": kind, "to": target, "mechanism": f"机制{j}", **draw(span())})
    roster = {"committees": COMMITTEES, "party_orgs": orgs, "members": members, "liaisons": liaisons}
    return {k: v for k, v in roster.items() if v}


@given(roster=rosters(), data=st.data())
@PROPERTY
def test_reach_walked_in_the_database_is_the_views(bolt_server, tmp_path, roster, data):
    with loaded(tmp_path, roster) as store:
        committees = store.committees()
        starts = [m["id"] for m in roster["members"]] + [o["id"] for o in roster.get("party_orgs", [])]
        engine = CypherReach()
        for start in data.draw(st.lists(st.sampled_from(starts), min_size=1, max_size=4, unique=True)):
            day = dt.date.fromisoformat(data.draw(st.sampled_from(DAYS)))
            hops = data.draw(st.integers(1, 3))
            caller = data.draw(st.sampled_from([None, *CIDS]))
            scope = None if caller is None else subtree(committees, caller)
            props = store.node_props("Member", [start]).get(start) or store.node_props("PartyOrg", [start])[start]
            home = props["committee_id"]
            expected = view_reach(open_view(store, day, home), start, hops, scope)
            got = engine.reach(store, start, hops, day, subtree(committees, home), scope)
            assert got == expected, (start, day, hops, caller)


BORDER = {  # 甲县's 甲二 liaises with 乙县's branch, where 甲一 (甲县), 乙一 and 乙二 (乙县) sit
    "committees": [{"id": "C1", "name": "甲县政协", "level": "县"}, {"id": "C2", "name": "乙县政协", "level": "县"}],
    "party_orgs": [{"id": "O0", "name": "乙县支部", "kind": "党支部", "committee_id": "C2"}],
    "members": [{"id": "M1", "name": "甲一", "affiliation": "中共党员", "committee_id": "C1", "party_org_ids": "O0",
                 "sector": "经济界"},
                {"id": "M2", "name": "乙一", "affiliation": "中共党员", "committee_id": "C2", "party_org_ids": "O0",
                 "sector": "经济界"},
                {"id": "M3", "name": "甲二", "affiliation": "群众", "committee_id": "C1", "sector": "教育界"},
                {"id": "M4", "name": "乙二", "affiliation": "中共党员", "committee_id": "C2", "party_org_ids": "O0",
                 "sector": "经济界"}],
    "liaisons": [{"from_id": "M3", "target_kind": "党组织", "to": "O0"},
                 {"from_id": "M4", "to": "M3", "end_date": "2024-12-31"}],  # ended, yet 乙二 liaises with 甲县
}


def test_reach_across_the_border_by_hand(bolt_server, tmp_path):
    """From 甲二: 乙县's branch, and 甲一 who sits in it, one step away; so is 乙二, whose
    (ended) liaison with 甲二 puts their memberships in 甲县's part; 乙一, who sits in it too,
    is not in that part (not a member of it, no liaison with it) and is not reached; each
    reached member's sector at the member's distance (乙二's, 乙县's 经济界, too), 甲二's own at 0."""
    store = open_backend("bolt", tmp_path)
    try:
        load_files([write_json(tmp_path / "r.json", BORDER)], store)
        day = dt.date(2025, 1, 1)
        committees = store.committees()
        got = CypherReach().reach(store, "M3", 2, day, subtree(committees, "C1"), None)
        sectors = {(s["committee_id"], s["name"]): s["id"] for s in store.list_nodes("Sector", ["C1", "C2"])[1]}
        assert [(i["name"], i["distance"]) for i in got] == [("教育界", 0), ("甲一", 1), ("乙二", 1), ("乙县支部", 1), ("经济界", 1), ("经济界", 1)]
        assert {i["id"] for i in got if i["kind"] == "sector"} == {  # 乙二's own, as a member of the part's
            sectors[("C1", "教育界")], sectors[("C1", "经济界")], sectors[("C2", "经济界")]}
        assert got == view_reach(open_view(store, day, "C1"), "M3", 2, None)
    finally:
        store.close()
