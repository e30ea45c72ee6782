"""The recommendation on the Bolt store counts each rule's coverage in the database and works
out its proposals on a few committees' part at a time (graph/cypher_recommend.py,
graph/recommend_parts.py). It must answer exactly as the embedded store does on the view of
the whole part — the proposals, what is left uncovered and why, the temporary branches,
the what-if, and the rows an acceptance writes — for random rosters with activities, random
policies, days and committees asked about, whatever number of committees is read at once."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
import pytest

from liaison_graph.graph import cypher_recommend, recommend_parts
from liaison_graph.graph.policy import builtin, parse_policy
from liaison_graph.graph.reports import store_recommendation
from liaison_graph.loaders import load_files
from tests.conftest import ONE_EACH, open_backend, write_json
from tests.questions.test_columnar import policies, rich_rosters
from tests.questions.test_properties import PROBE_DAYS
from tests.stores.test_reach_in_the_database import PROPERTY, loaded

pytestmark = pytest.mark.bolt


@st.composite
def rosters_with_activities(draw):
    """Rich rosters with activities of three to nine days around the probed days, whose
    participants come from any committee (often everyone)."""
    roster = draw(rich_rosters())
    committees = [c["id"] for c in roster["committees"]]
    if draw(st.booleans()):  # three party members for all time, in any committees
        roster["members"] = [*roster["members"], *({"id": f"Q{i}", "name": f"党员{i}", "affiliation": "中共党员",
                                                   "committee_id": draw(st.sampled_from(committees)), "sector": "中共"}
                                                  for i in range(3))]
    ids = [m["id"] for m in roster["members"]]
    activities = []
    for i in range(draw(st.integers(0, 3))):
        start = dt.date.fromisoformat(draw(st.sampled_from(PROBE_DAYS))) - dt.timedelta(days=draw(st.integers(0, 4)))
        end = start + dt.timedelta(days=draw(st.integers(2, 8)))
        everyone = draw(st.booleans())  # often all: three current party members, a temporary branch
        present = ids if everyone else draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
        activities.append({"id": f"A{i}", "name": f"活动{i}", "committee_id": draw(st.sampled_from(committees)),
                           "kind": "培训", "start_date": start.isoformat(), "end_date": end.isoformat(),
                           "member_ids": "、".join(present)})
    return {**roster, "activities": activities} if activities else roster


def written(rows: dict) -> dict:
    """An acceptance's rows, in an order that does not matter."""
    return {"party_orgs": sorted(rows.get("party_orgs", []), key=lambda r: r["id"]),
            "members": {r["id"]: {**r, "party_org_ids": sorted(r.get("party_org_ids") or [])}
                        for r in rows.get("members", [])},
            "liaisons": sorted(rows.get("liaisons", []), key=lambda r: (r["from_id"], r["target_kind"], r["to"]))}


@given(roster=rosters_with_activities(), policy=st.one_of(policies(), st.sampled_from(list(builtin().values()))),
       data=st.data())
@PROPERTY
def test_the_recommendation_by_parts_is_the_embedded_stores(bolt_server, tmp_path, monkeypatch, roster, policy, data):
    monkeypatch.setattr(recommend_parts, "PART_COMMITTEES", data.draw(st.sampled_from([1, 2, 16])))
    with tempfile.TemporaryDirectory() as fresh, loaded(tmp_path, roster) as store:
        embedded = open_backend("embedded", Path(fresh))
        try:
            load_files([write_json(Path(fresh) / "r.json", roster)], embedded)
            starts = [a["start_date"] for a in roster.get("activities", [])]
            for day in sorted({*data.draw(st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=2)), *starts}):
                root = data.draw(st.sampled_from([None, *sorted(store.committees())]))
                asked = (dt.date.fromisoformat(day), policy, root)
                got, want = store_recommendation(store, *asked), store_recommendation(embedded, *asked)
                assert got.result == want.result, (day, root)
                assert (got.names, written(got.rows)) == (want.names, written(want.rows)), (day, root)
        finally:
            embedded.close()


CITY = {  # 市政协 and four counties: only 甲县 and 丙县 leave a non-party member without a liaison
    "committees": [{"id": "C0", "name": "市政协", "level": "市"},
                   *({"id": f"C{i}", "name": f"{n}县政协", "level": "县", "parent_id": "C0"}
                     for i, n in enumerate("甲乙丙丁", start=1))],
    "members": [row for i in range(5) for row in (
        {"id": f"P{i}", "name": f"党员{i}", "affiliation": "中共党员", "committee_id": f"C{i}", "sector": "中共"},
        {"id": f"N{i}", "name": f"党外{i}", "affiliation": "民盟", "committee_id": f"C{i}", "sector": "民盟"})],
    "liaisons": [{"from_id": f"P{i}", "to": f"N{i}", "start_date": "2024-01-01"} for i in (0, 2, 4)],
    "activities": [{"id": "A1", "name": "丁县集中学习", "committee_id": "C4", "kind": "培训", "start_date": "2024-09-01",
                    "end_date": "2024-09-07", "member_ids": "P4、P0、P2"}],  # a week, three party members: a branch
}


def test_only_the_committees_with_something_to_propose_are_read_a_few_at_a_time(bolt_server, tmp_path, monkeypatch):
    """甲县 and 丙县 have an uncovered non-party member, 丁县 a week's activity of three party
    members from three committees: those three parts are read, one at a time, never the city's
    whole tree; the answer is the embedded store's."""
    read: list[list[str]] = []
    real = cypher_recommend.part
    monkeypatch.setattr(cypher_recommend, "part", lambda run, ids: read.append(list(ids)) or real(run, ids))
    monkeypatch.setattr(recommend_parts, "PART_COMMITTEES", 1)
    policy = parse_policy(ONE_EACH, "one-each.yaml")
    day = dt.date(2024, 9, 2)
    with tempfile.TemporaryDirectory() as fresh, loaded(tmp_path, CITY) as store:
        got = store_recommendation(store, day, policy)
        with open_backend("embedded", Path(fresh)) as embedded:
            load_files([write_json(Path(fresh) / "r.json", CITY)], embedded)
            assert got.result == store_recommendation(embedded, day, policy).result
    assert read == [["C4"], ["C1"], ["C3"], ["C4"]]  # the activities' committee, then the parts with proposals
    assert [(i["from_id"], i["to_id"]) for i in got.result["items"]] == [("P1", "N1"), ("P3", "N3")]
    (branch,) = got.result["temporary_branches"]
    assert (branch["activity_id"], branch["member_ids"]) == ("A1", ["P0", "P2", "P4"])
    assert got.names == {"P0": "党员0", "P2": "党员2", "P4": "党员4"}
    assert got.result["what_if"][0]["before"]["covered"] == 3 and got.result["what_if"][0]["after"]["covered"] == 5


ACROSS = {  # 乙县's branch holds a member of 甲县; a pairing with the branch covers that member too
    "committees": [{"id": "C1", "name": "甲县政协", "level": "县"}, {"id": "C2", "name": "乙县政协", "level": "县"}],
    "party_orgs": [{"id": "O2", "name": "乙县机关党支部", "kind": "党支部", "committee_id": "C2"}],
    "members": [{"id": "M1", "name": "甲县党员", "affiliation": "中共党员", "committee_id": "C1", "sector": "中共",
                 "party_org_ids": "O2"},
                {"id": "P2", "name": "乙县党员", "affiliation": "中共党员", "committee_id": "C2", "sector": "中共"}],
}
BRANCH_LIAISON = """
name: branch-liaison
rules:
  - id: org
    label: 党员委员联系党支部
    covers: {kind: party_org}
    by: {kind: member, cpc: true}
    through: [liaison]
  - id: via-org
    label: 党员委员经所在支部联系
    covers: {kind: member, cpc: true}
    by: {kind: member, cpc: true}
    through: [via_party_org]
"""


def test_a_part_read_before_the_pairing_that_covers_its_member_is_counted_again(bolt_server, tmp_path, monkeypatch):
    """甲县's part is worked out first; 乙县's proposes 乙县党员 → 乙县机关党支部, which covers
    甲县党员 (sitting in that branch) under the second rule: the what-if counts it."""
    monkeypatch.setattr(recommend_parts, "PART_COMMITTEES", 1)
    policy = parse_policy(BRANCH_LIAISON, "branch-liaison.yaml")
    with tempfile.TemporaryDirectory() as fresh, loaded(tmp_path, ACROSS) as store:
        got = store_recommendation(store, dt.date(2025, 1, 1), policy).result
        with open_backend("embedded", Path(fresh)) as embedded:
            load_files([write_json(Path(fresh) / "r.json", ACROSS)], embedded)
            assert got == store_recommendation(embedded, dt.date(2025, 1, 1), policy).result
    assert [(i["from_id"], i["to_id"]) for i in got["items"]] == [("P2", "O2")]
    assert {w["rule"]: (w["before"]["covered"], w["after"]["covered"], w["after"]["total"]) for w in got["what_if"]} \
        == {"org": (0, 1, 1), "via-org": (0, 1, 2)}
