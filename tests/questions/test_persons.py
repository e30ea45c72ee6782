"""One person across terms and committees (graph/persons.py, api/verbs/persons.py) by hand on
every store: records that share a person id are one person, counted once; records that may
be one person are proposed (same name, gender and sector; the same committee or one below
the other) unless two person ids keep them apart; linking and separating them, and a
member's file naming the person's other records."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison_graph.api.verbs import dossier, persons
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument, Conflict
from liaison_graph.loaders import load_files
from tests.conftest import write_json

DAY = dt.date(2025, 6, 30)


def m(mid, name, committee, gender="男", sector="经济界", **more):
    return {"id": mid, "name": name, "gender": gender, "affiliation": "民盟", "committee_id": committee, "sector": sector,
            **more}


ROSTER = {
    "committees": [{"id": "S", "name": "试验市政协", "level": "市"},
                   {"id": "T", "name": "甲县政协", "level": "县", "parent_id": "S"},
                   {"id": "U", "name": "乙县政协", "level": "县", "parent_id": "S"}],
    "members": [m("S1", "张三", "S"), m("T1", "张 三", "T"), m("U1", "张三", "U"),  # a city, and two counties below it
                m("T2", "李四", "T", "女", "教育界", end_date="2024-12-31"),  # the last term, and the new one
                m("T3", "李四", "T", "女", "教育界", start_date="2025-01-01"),
                m("T4", "王五", "T", person_id="P9"), m("S2", "王五", "S", person_id="P8"),  # kept apart
                m("T5", "赵六", "T"), m("S3", "赵六", "S", "女"),  # not the same gender
                m("T6", "钱七", "T", person_id="P1"), m("S4", "钱七", "S", person_id="P1")],  # one person already
}


@pytest.fixture
def loaded(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    return store


def groups(store) -> list[list[str]]:
    return [[r["id"] for r in g["records"]] for g in persons.matches(store, WHOLE, DAY)["matches"]]


def test_people_and_proposals_by_hand(loaded):
    found = persons.persons(loaded, WHOLE, DAY)
    assert (found["members"], found["people"]) == (10, 9)  # T2's term is over; 钱七 counted once
    assert [(c["key"], c["members"], c["people"]) for c in found["by_committee"]] == [("S", 4, 4), ("T", 5, 5), ("U", 1, 1)]
    assert [(p["person_id"], [r["id"] for r in p["records"]]) for p in found["persons"]] == [("P1", ["S4", "T6"])]
    assert groups(loaded) == [["S1", "T1", "U1"], ["T2", "T3"]]
    reasons = {g["records"][0]["id"]: g["reason"] for g in persons.matches(loaded, WHOLE, DAY)["matches"]}
    assert reasons["T2"].endswith("同一政协的不同任期") and reasons["S1"].endswith("上下级政协")
    # a county alone: its own records only
    assert [[r["id"] for r in g["records"]] for g in persons.matches(loaded, WHOLE, DAY, "T")["matches"]] == [["T2", "T3"]]


def test_linking_and_separating(loaded):
    persons.link(loaded, WHOLE, ["T3", "T2"])
    persons.link(loaded, WHOLE, ["S1", "T1", "U1"])
    props = loaded.node_props("Member", ["S1", "T1", "U1", "T2", "T3"])
    assert {k: v["person_id"] for k, v in props.items()} == {"S1": "S1", "T1": "S1", "U1": "S1", "T2": "T2", "T3": "T2"}
    assert groups(loaded) == []
    found = persons.persons(loaded, WHOLE, DAY)
    assert found["people"] == 7 and [p["person_id"] for p in found["persons"]] == ["S1", "T2", "P1"]  # by name
    assert [p["current_records"] for p in found["persons"]] == [3, 1, 2]
    # the county member's file names the city's record, not the other county's (not above or below it)
    file = dossier.dossier(loaded, WHOLE, "T1", PolicyAsked(), DAY)
    assert [r["id"] for r in file["other_records"]] == ["S1"]
    persons.separate(loaded, WHOLE, ["S1", "U1"])
    props = loaded.node_props("Member", ["S1", "T1", "U1"])
    assert {k: v["person_id"] for k, v in props.items()} == {"S1": "S1", "T1": "S1", "U1": "U1"}
    assert groups(loaded) == []  # apart now: two person ids
    assert [a["action"] for a in loaded.audit()][-3:] == ["person.link", "person.link", "person.separate"]


def test_what_cannot_be_one_person_is_refused_and_changes_nothing(loaded):
    before = loaded.dump()
    with pytest.raises(Conflict, match="P8、P9"):
        persons.link(loaded, WHOLE, ["T4", "S2"])
    with pytest.raises(BadArgument, match="至少两条"):
        persons.link(loaded, WHOLE, ["T4", "T4"])
    assert loaded.dump() == before
