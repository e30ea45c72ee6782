"""The member's file (graph/dossier.py, api/verbs/dossier.py) by hand on every store: a
year and a term; the organisations and the temporary branch; liaisons held and received,
one ended in the year and one begun (held by a member of the committee above), with their
contacts and state; contacts by mode; the
masses; activities and attendance; and the spans in which the member was a gap, which
begin and end inside the period."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison_graph.api.verbs import dossier as verbs
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument, NotFound
from liaison_graph.loaders import load_files
from tests.conftest import write_json

DAY = dt.date(2025, 9, 30)


def m(mid, affiliation, **more):
    return {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": "经济界",
            "start_date": "2023-01-01", **more}


ROSTER = {
    "committees": [{"id": "S", "name": "试验市政协", "level": "市"},
                   {"id": "T", "name": "试验县政协", "level": "县", "parent_id": "S"}],
    "party_orgs": [
        {"id": "TO", "name": "第一党支部", "kind": "党支部", "committee_id": "T", "end_date": "2025-04-30"},
        {"id": "TO2", "name": "市政协机关党支部", "kind": "党支部", "committee_id": "S"},
        {"id": "TB", "name": "全会临时党支部", "kind": "临时党支部", "committee_id": "T", "start_date": "2025-01-09",
         "end_date": "2025-01-12"}],
    "members": [m("P", "中共党员", position="常委", party_org_ids="TO、TB"), {**m("Q", "中共党员", party_org_ids="TO2"), "committee_id": "S"},
                m("X", "民盟")],
    "liaisons": [{"from_id": "P", "to": "X", "start_date": "2024-01-01", "end_date": "2025-06-30", "mechanism": "结对子"},
                 {"from_id": "Q", "to": "X", "start_date": "2025-08-01"}],
    "contacts": [{"from_id": "P", "to_id": "X", "date": "2024-12-01", "mode": "走访"},  # last year
                 {"from_id": "P", "to_id": "X", "date": "2025-02-10", "mode": "谈心谈话"},
                 {"from_id": "X", "to_id": "P", "date": "2025-05-05", "mode": "走访"},
                 {"from_id": "Q", "to_id": "X", "date": "2025-08-15", "mode": "电话"}],
    "masses_contacts": [{"from_id": "X", "person": "张群", "unit": "社区", "date": "2025-03-01", "mode": "走访"}],
    "activities": [{"id": "A1", "name": "全体会议", "committee_id": "T", "kind": "全体会议", "start_date": "2025-01-10",
                    "end_date": "2025-01-12", "attended_ids": "P", "absent_ids": "X"},
                   {"id": "A2", "name": "视察", "committee_id": "T", "kind": "视察", "start_date": "2024-05-01",
                    "end_date": "2024-05-01", "attended_ids": "P"}],
}


@pytest.fixture
def loaded(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    return store


def test_a_party_members_year_by_hand(loaded):
    d = verbs.dossier(loaded, WHOLE, "P", PolicyAsked(), DAY)
    assert d["period"] == {"kind": "year", "from": "2025-01-01", "to": "2025-09-30"}
    assert (d["member"]["name"], d["member"]["committee_name"], d["member"]["position"]) == ("委员P", "试验县政协", "standing")
    orgs = {o["id"]: o for o in d["organisations"]}
    assert orgs.keys() == {"TO", "TB", "T:经济界"}
    assert orgs["TB"]["temporary"] and not orgs["TO"]["temporary"] and orgs["TO"]["org_end_date"] == "2025-04-30"
    # the liaison to X ended in June: two contacts in the year, either way; no state, as it no longer holds
    assert [(h["with_id"], h["holding"], h["contacts"], h["state"], h["mechanism"]) for h in d["liaisons_held"]] == [
        ("X", False, 2, None, "结对子")]
    assert d["liaisons_received"] == []
    assert [(c["date"], c["direction"], c["with_id"], c["mode"]) for c in d["contacts"]] == [
        ("2025-02-10", "made", "X", "talk"), ("2025-05-05", "received", "X", "visit")]
    assert [(m["mode"], m["made"], m["received"]) for m in d["contacts_by_mode"]] == [("talk", 1, 0), ("visit", 0, 1)]
    assert [(a["id"], a["attendance"]) for a in d["activities"]] == [("A1", "attended")]  # A2 was last year
    assert d["attendance"] == {"attended": 1}
    # organised until the branch ended on 30 April; a gap from 1 May to the day
    assert [(g["rule"], g["from"], g["to"], g["days"]) for g in d["gaps"]] == [
        ("party-member-unorganised", "2025-05-01", "2025-09-30", 153)]
    assert d["gaps"][0]["label"] == "未编入党组织的党员委员"


def test_a_non_party_members_year_and_term_by_hand(loaded):
    d = verbs.dossier(loaded, WHOLE, "委员X", PolicyAsked(), DAY)  # by name
    # Q, a member of the city above, holds a liaison to X: its state is worked out all the same
    received = [(r["with_id"], r["holding"], r["contacts"], r["state"], r["last_contact"]) for r in d["liaisons_received"]]
    assert received == [("P", False, 2, None, None), ("Q", True, 1, "met", "2025-08-15")]
    assert [(g["rule"], g["from"], g["to"], g["days"]) for g in d["gaps"]] == [
        ("non-party-without-liaison", "2025-07-01", "2025-07-31", 31)]
    assert (d["masses_people"], [c["person"] for c in d["masses_contacts"]]) == (1, ["张群"])
    assert [(a["id"], a["attendance"]) for a in d["activities"]] == [("A1", "absent")]
    term = verbs.dossier(loaded, WHOLE, "X", PolicyAsked(), DAY, term=True)
    assert term["period"] == {"kind": "term", "from": "2023-01-01", "to": "2025-09-30"}
    assert [(g["from"], g["to"]) for g in term["gaps"]] == [("2023-01-01", "2023-12-31"), ("2025-07-01", "2025-07-31")]
    assert len(term["contacts"]) == 4 and term["contacts"][0]["date"] == "2024-12-01"
    last_year = verbs.dossier(loaded, WHOLE, "X", PolicyAsked(), DAY, year=2024)
    assert (last_year["period"]["to"], last_year["gaps"], [a["id"] for a in last_year["activities"]]) == ("2024-12-31", [], [])


def test_a_committees_files_one_for_each_current_member(loaded):
    files = verbs.dossiers(loaded, WHOLE, "试验县政协", PolicyAsked(), DAY)
    assert [f["member"]["id"] for f in files] == ["P", "X"]  # the county's own, not the city's Q
    assert files[0] == verbs.dossier(loaded, WHOLE, "P", PolicyAsked(), DAY)  # the same file, shared days or not


def test_a_wrong_question_is_refused_naming_what(loaded):
    with pytest.raises(BadArgument, match="year 与 term"):
        verbs.dossier(loaded, WHOLE, "P", PolicyAsked(), DAY, term=True, year=2025)
    with pytest.raises(BadArgument, match="年份"):
        verbs.dossier(loaded, WHOLE, "P", PolicyAsked(), DAY, year=2030)
    with pytest.raises(NotFound):
        verbs.dossier(loaded, WHOLE, "Z", PolicyAsked(), DAY)
    with pytest.raises(BadArgument, match="committee_id"):
        verbs.dossiers(loaded, WHOLE, None, PolicyAsked(), DAY)
