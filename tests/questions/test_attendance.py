"""Activities and attendance (graph/attendance.py) by hand on every store: this year's
activities only, participants by attendance among CPC members, the others and the standing
committee, sums by committee and activity group, and who took part in none — an activity
with no attendance recorded counts its listed participants as taking part."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import InputError
from liaison_graph.loaders import load_files
from tests.conftest import write_json


def m(mid, affiliation, group, **more):
    return {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": "经济界",
            "activity_group": group, **more}


def act(aid, kind, start, end, **people):
    return {"id": aid, "name": f"活动{aid}", "committee_id": "T", "kind": kind, "start_date": start, "end_date": end,
            **people}


ROSTER = {
    "committees": [{"id": "T", "name": "试验县政协", "level": "县"}],
    "party_orgs": [{"id": "TB", "name": "视察临时党支部", "kind": "临时党支部", "committee_id": "T",
                    "start_date": "2025-06-01", "end_date": "2025-07-31"}],
    "members": [m("P", "中共党员", "G1", position="常委", party_org_ids="TB"), m("Q", "中共党员", "G1"),
                m("X", "民盟", "G1", position="常委"),
                m("W", "民建", "G2"), m("Z", "群众", "G2")],
    "activities": [act("A1", "全体会议", "2025-01-10", "2025-01-12", attended_ids="P、X", excused_ids="Q", absent_ids="W"),
                   act("A2", "视察", "2025-03-01", "2025-03-01", member_ids="P、W"),  # nothing recorded yet
                   act("A3", "培训", "2024-12-01", "2024-12-03", attended_ids="Z"),  # last year
                   act("A4", "调研", "2025-08-01", "2025-08-02", member_ids="Z"),  # after the day
                   act("A5", "视察", "2025-07-01", "2025-07-02", member_ids="P、Q、X"),  # TB holds P, not Q
                   act("A6", "主题党日", "2025-07-01", "2025-07-01", member_ids="Q")],  # a kind that expects none
}


def tally(invited=0, attended=0, excused=0, absent=0) -> dict:
    recorded = attended + excused + absent
    return {"invited": invited, "attended": attended, "excused": excused, "absent": absent,
            "rate": round(attended / recorded, 4) if recorded else None}


def test_attendance_by_hand(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    r = questions.attendance(store, WHOLE, dt.date(2025, 6, 30))
    assert r["year_start"] == "2025-01-01"
    assert [(a["id"], a["kind"], a["cpc"], a["non_cpc"], a["standing"]) for a in r["activities"]] == [
        ("A1", "plenary", tally(attended=1, excused=1), tally(attended=1, absent=1), tally(attended=2)),
        ("A2", "inspection", tally(invited=1), tally(invited=1), tally(invited=1))]
    assert r["by_committee"] == [{"key": "T", "name": "试验县政协", "cpc": tally(invited=1, attended=1, excused=1),
                                  "non_cpc": tally(invited=1, attended=1, absent=1),
                                  "standing": tally(invited=1, attended=2)}]
    assert [(g["id"], g["cpc"], g["non_cpc"]) for g in r["by_group"]] == [
        ("T:G1", tally(invited=1, attended=1, excused=1), tally(attended=1)),
        ("T:G2", tally(), tally(invited=1, absent=1))]
    # Q was excused, Z took part last year only; W was listed for A2, of which nothing is recorded
    assert [i["id"] for i in r["members_without_activity"]] == ["Q", "Z"]
    # the activities not over that expect a temporary branch: the party members none holds
    assert [(g["activity_id"], [i["id"] for i in g["members"]]) for g in r["outside_branch"]] == [("A5", ["Q"])]


# The sample as above with a member gone before the day who was there at A1 (counted in the
# activity's own figures, in no sum), and a township committee below with its member at A1.
GONE = {**ROSTER, "committees": [*ROSTER["committees"], {"id": "U", "name": "试验乡政协", "level": "县", "parent_id": "T"}],
        "members": [*ROSTER["members"], m("E", "民建", "G2", end_date="2025-03-31"),
                    {**m("U1", "群众", None), "committee_id": "U"}],
        "activities": [act("A1", "全体会议", "2025-01-10", "2025-01-12", attended_ids="P、X、E、U1", excused_ids="Q",
                           absent_ids="W"), *ROSTER["activities"][1:]]}


def test_the_coverage_report_counts_this_years_participation(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", GONE)], store)
    day = dt.date(2025, 6, 30)
    section = questions.coverage(store, WHOLE, PolicyAsked(), day)["attendance"]
    assert (section["year_start"], section["activities"], section["members"]) == ("2025-01-01", 2, 6)
    assert section["total"] == {"cpc": tally(invited=1, attended=1, excused=1),
                                "non_cpc": tally(invited=1, attended=2, absent=1), "standing": tally(invited=1, attended=2)}
    assert section["by_committee"] == [
        {"key": "T", "name": "试验县政协", "cpc": tally(invited=1, attended=1, excused=1),
         "non_cpc": tally(invited=1, attended=1, absent=1), "standing": tally(invited=1, attended=2)},
        {"key": "U", "name": "试验乡政协", "cpc": tally(), "non_cpc": tally(attended=1), "standing": tally()}]
    assert [(g["id"], g["name"], g["cpc"], g["non_cpc"]) for g in section["by_group"]] == [
        ("T:G1", "G1", tally(invited=1, attended=1, excused=1), tally(attended=1)),
        ("T:G2", "G2", tally(), tally(invited=1, absent=1))]
    assert [i["id"] for i in section["members_without_activity"]] == ["Q", "Z"]
    # E was there, and is counted with the activity, not among the members of the day
    a1 = questions.attendance(store, WHOLE, day)["activities"][0]
    assert (a1["id"], a1["non_cpc"]) == ("A1", tally(attended=3, absent=1))
    # the township alone: the county's activities are not its own; its member took part in none of them
    alone = questions.coverage(store, WHOLE, PolicyAsked(), day, "U")["attendance"]
    assert (alone["activities"], alone["members"], alone["total"]["non_cpc"]) == (0, 1, tally())
    assert [i["id"] for i in alone["members_without_activity"]] == ["U1"]
    # next year nothing is counted yet, and every current member took part in nothing
    later = questions.coverage(store, WHOLE, PolicyAsked(), dt.date(2026, 1, 1))["attendance"]
    assert (later["activities"], len(later["members_without_activity"]), later["by_group"]) == (0, 6, [])


def test_a_member_recorded_there_and_away_is_refused_naming_the_column(store, tmp_path):
    bad = {**ROSTER, "activities": [act("A1", "全会", "2025-01-10", "2025-01-12", attended_ids="P", absent_ids="P")]}
    with pytest.raises(InputError) as caught:
        load_files([write_json(tmp_path / "bad.json", bad)], store)
    text = str(caught.value)
    assert "absent_ids" in text or "缺席委员" in text
    assert "已记为出席" in text and "缺席" in text
    assert store.stats()["members"] == 0
