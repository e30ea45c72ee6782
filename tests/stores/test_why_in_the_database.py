"""Why a member is covered or not, on the Bolt store, is worked out from the member's
neighbourhood read in the database (graph/cypher_why.py), never the part of its committee; it
must answer exactly as ``why`` on the view of the member's committee and those below it does
(graph/reach.py): random committee trees, rosters with liaisons across committees, days and
callers' scopes; and a hand case with its chains, reasons and organisations written out."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.cypher_why import CypherWhy
from liaison_graph.graph.reach import why as view_why
from liaison_graph.graph.view import open_view, subtree
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json
from tests.stores.test_reach_in_the_database import CIDS, DAYS, PROPERTY, loaded, rosters, span

pytestmark = pytest.mark.bolt


@contextmanager
def no_part(store):
    """The store refuses to read a committee's part while the block runs."""
    def refuse(*args, **kwargs):
        raise AssertionError("why read a committee's part")

    store.subgraph = refuse
    try:
        yield
    finally:
        del store.subgraph


@st.composite
def chained(draw):
    """A roster of reach's test, with more members in office throughout and more party
    members, paths of liaisons from member to member laid over it (the chains), members
    outside the party sitting in a branch another member liaises with, and the members at
    the paths' ends and in those branches, each asked about."""
    roster = draw(rosters())
    members = {m["id"]: m for m in roster["members"]}
    for m in members.values():
        if draw(st.booleans()):
            m.pop("start_date", None)
            m.pop("end_date", None)
        if draw(st.integers(0, 2)) == 0:
            m["affiliation"] = "中共党员"
    ends = []
    for j in range(draw(st.integers(1, 3))):
        size = min(draw(st.sampled_from([5, 4, 3, 2])), len(members))  # the longest chain first
        path = draw(st.lists(st.sampled_from(sorted(members)), min_size=size, max_size=size, unique=True))
        if draw(st.integers(0, 3)):  # from a party member to one outside the party: the path may cover its end
            members[path[-2]]["affiliation"], members[path[-1]]["affiliation"] = "中共党员", "群众"
        for a in path:  # its members mostly in office throughout
            if draw(st.integers(0, 3)):
                members[a].pop("start_date", None)
                members[a].pop("end_date", None)
        for a, b in zip(path, path[1:]):
            dates = draw(span()) if draw(st.integers(0, 3)) == 0 else {}
            roster.setdefault("liaisons", []).append({"from_id": a, "to": b, "mechanism": f"链{j}", **dates})
        ends.append(path[-1])
    orgs = [o["id"] for o in roster.get("party_orgs", [])]
    for j in range(draw(st.integers(0, 2)) if orgs else 0):  # one outside the party sits in a branch
        member, source = draw(st.lists(st.sampled_from(sorted(members)), min_size=2, max_size=2, unique=True))
        org = draw(st.sampled_from(orgs))  # of any committee: liaisons into it may come from anywhere
        members[member].update(affiliation="群众", party_org_ids=org)
        roster.setdefault("liaisons", []).append({"from_id": source, "target_kind": "党组织", "to": org,
                                                  "mechanism": f"支部{j}"})
        ends.append(member)
    return roster, ends


@given(chains=chained(), data=st.data())
@PROPERTY
def test_why_from_the_neighbourhood_is_the_views(bolt_server, tmp_path, chains, data):
    roster, ends = chains
    with loaded(tmp_path, roster) as store:
        committees = store.committees()
        engine = CypherWhy()
        members = [m["id"] for m in roster["members"]]
        for member in [*dict.fromkeys(ends), *data.draw(st.lists(st.sampled_from(members), min_size=1, max_size=2))]:
            day = dt.date.fromisoformat(data.draw(st.sampled_from(DAYS)))
            caller = data.draw(st.sampled_from([None, *CIDS]))
            scope = None if caller is None else subtree(committees, caller)
            home = store.node_props("Member", [member])[member]["committee_id"]
            expected = view_why(open_view(store, day, home), member, scope=scope)
            with no_part(store):
                got = engine.why(store, member, day, subtree(committees, home), committees, scope)
            assert got == expected, (member, day, caller)


LIAISONS = {  # a chain of three liaisons into 甲零 reaching across to 乙县, and what does not cover
    "committees": [{"id": "C1", "name": "甲县政协", "level": "县"}, {"id": "C2", "name": "乙县政协", "level": "县"}],
    "party_orgs": [{"id": "O1", "name": "甲县支部", "kind": "党支部", "committee_id": "C1", "start_date": "2023-01-01"},
                   {"id": "O2", "name": "临时支部", "kind": "临时党支部", "committee_id": "C2",
                    "start_date": "2024-01-01", "end_date": "2024-12-31"},
                   {"id": "O3", "name": "乙县支部", "kind": "党支部", "committee_id": "C2", "start_date": "2023-01-01"}],
    "members": [
        {"id": "M0", "name": "甲零", "affiliation": "民盟", "committee_id": "C1", "sector": "经济界"},
        {"id": "M1", "name": "甲一", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界",
         "party_org_ids": "O1;O2"},
        {"id": "M2", "name": "乙二", "affiliation": "群众", "committee_id": "C2", "sector": "教育界"},
        {"id": "M3", "name": "甲三", "affiliation": "群众", "committee_id": "C1", "sector": "教育界"},
        {"id": "M4", "name": "甲四", "affiliation": "群众", "committee_id": "C1", "sector": "教育界"},
        {"id": "M5", "name": "乙五", "affiliation": "群众", "committee_id": "C2", "sector": "教育界"},
        {"id": "M6", "name": "甲六", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界"},
        {"id": "M7", "name": "甲七", "affiliation": "无党派人士", "committee_id": "C1", "sector": "经济界",
         "party_org_ids": "O3"},
        {"id": "M8", "name": "甲八", "affiliation": "群众", "committee_id": "C1", "sector": "教育界"},
        {"id": "M9", "name": "乙九", "affiliation": "中共党员", "committee_id": "C2", "sector": "经济界",
         "party_org_ids": "O2"},
    ],
    "liaisons": [
        {"from_id": "M1", "to": "M0"},  # covers 甲零
        {"from_id": "M2", "to": "M1"},  # 乙县 into 甲县: 甲县's part holds it
        {"from_id": "M3", "to": "M2"},  # from 甲县 to 乙县: held, the chain's third liaison
        {"from_id": "M4", "to": "M3"},  # a fourth step: past the chains' depth
        {"from_id": "M5", "to": "M2"},  # within 乙县: not 甲县's part, not in a chain
        {"from_id": "M6", "to": "M0", "end_date": "2024-12-31"},  # ended: a reason
        {"from_id": "M8", "to": "M7"},  # not a party member: a reason
        {"from_id": "M6", "target_kind": "界别", "to": "经济界"},  # into 甲七's sector: noted
        {"from_id": "M9", "target_kind": "党组织", "to": "O3"},  # 乙县 into 乙县's branch, where 甲七 sits: noted
    ],
}


def person(i: str, name: str, committee: str, cpc: bool) -> dict:
    return {"id": i, "name": name, "committee_id": committee, "cpc": cpc, "position": "member",
            "party_group_role": None}


def test_why_by_hand(bolt_server, tmp_path):
    """On 2025-01-01: 甲零 is covered by 甲一, whose chain runs back through 乙二 to 甲三 (甲四's
    liaison is a fourth step, 乙五's lies within 乙县), and 甲六's ended liaison is a reason;
    甲七 is not covered (甲八 is no party member), 乙九's liaison with 乙县's branch, where 甲七
    sits, and 甲六's with 经济界 are noted; 甲一
    sits in 甲县's branch, and 乙县's temporary branch has expired; so has 乙九's, who sits in
    no other. The verb answers the same, and none of it reads a committee's part."""
    store = open_backend("bolt", tmp_path)
    try:
        load_files([write_json(tmp_path / "r.json", LIAISONS)], store)
        day, tree = dt.date(2025, 1, 1), subtree(store.committees(), "C1")

        def ask(member: str, scope=None) -> dict:
            with no_part(store):
                got = CypherWhy().why(store, member, day, tree if member != "M9" else {"C2"}, store.committees(),
                                      scope)
            home = "C2" if member == "M9" else "C1"
            assert got == view_why(open_view(store, day, home), member, scope=scope)
            return got

        m0 = ask("M0")
        assert (m0["covered"], m0["rule"]) == (True, "non-party-without-liaison")
        assert m0["chains"] == [[person("M3", "甲三", "C1", False), person("M2", "乙二", "C2", False),
                                 person("M1", "甲一", "C1", True), person("M0", "甲零", "C1", False)]]
        assert m0["reasons"] == ["联系已于 2024-12-31 结束"]
        seen_from_c1 = ask("M0", frozenset({"C1"}))["chains"]  # 乙二 as a caller of 甲县 sees them
        assert seen_from_c1[0][1] == {"id": "M2", "name": "乙二", "committee_id": "C2"}
        m7 = ask("M7")
        assert (m7["covered"], m7["chains"]) == (False, [])
        assert m7["reasons"] == ["联系人甲八（M8）不是中共党员",
                                 "另有乙九（M9）联系其所在党组织「乙县支部」，但不是对本人的联系",
                                 "另有甲六（M6）联系其所在界别「经济界」，但不是对本人的联系"]
        m1 = ask("M1")
        assert (m1["covered"], m1["rule"]) == (True, "party-member-unorganised")
        assert [o["id"] for o in m1["organisations"]] == ["O1"]
        assert m1["reasons"] == ["临时党支部「临时支部」已于 2024-12-31 撤销"]
        m9 = ask("M9")
        assert (m9["covered"], m9["reasons"]) == (False, ["临时党支部「临时支部」已于 2024-12-31 撤销"])
        with no_part(store):
            assert questions.why(store, Scope(), "M0", day) == m0  # the verb takes the neighbourhood
    finally:
        store.close()
