"""The digest (graph/digest.py, api/verbs/digest.py) by hand on every store: two digests a
week apart, the second from the first's cursor — a liaison coming due, then overdue; a
liaison ended, its member a new gap with the reason; a temporary branch about to end; an
activity with no branch — and an item acknowledged with a note."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison_graph.api.verbs import digest as digesting
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument
from liaison_graph.loaders import load_files
from tests.conftest import write_json


def m(mid, affiliation, **more):
    return {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": "经济界",
            "activity_group": "G1", **more}


ROSTER = {
    "committees": [{"id": "T", "name": "试验县政协", "level": "县"}],
    "party_orgs": [
        {"id": "PG", "name": "县政协党组", "kind": "党组", "committee_id": "T"},
        {"id": "TB", "name": "调研临时党支部", "kind": "临时党支部", "committee_id": "T", "start_date": "2025-06-01",
         "end_date": "2025-07-10"},
    ],
    "members": [m("P", "中共党员", party_org_ids="PG"), m("Q", "中共党员", party_org_ids="PG"),
                m("R", "中共党员", party_org_ids="PG"), m("X", "民盟"), m("W", "民建")],
    "liaisons": [{"from_id": "Q", "to": "X", "mechanism": "结对子"},
                 {"from_id": "Q", "to": "W", "mechanism": "结对子", "end_date": "2025-06-30"}],
    "contacts": [{"from_id": "Q", "to_id": "X", "date": "2025-03-31", "mode": "走访"}],
    "activities": [{"id": "ACT", "name": "专题视察", "committee_id": "T", "kind": "视察", "start_date": "2025-07-01",
                    "end_date": "2025-07-08", "member_ids": "P、Q、R"}],
}


@pytest.fixture
def loaded(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    return store


def asked(store, day: str, since=None) -> dict:
    return digesting.digest(store, WHOLE, PolicyAsked("fuxing"), dt.date.fromisoformat(day), since=since)


def listed(result: dict) -> list[tuple]:
    return [(i["kind"], i["key"], i["text"]) for i in result["items"]]


def test_two_digests_a_week_apart_by_hand(loaded):
    first = asked(loaded, "2025-06-26")
    assert (first["since"], first["cursor"]) == ("2025-06-19", "2025-06-26")  # a week back without a cursor
    assert listed(first) == [
        ("coming_due", "due:party-member-to-non-party-of-own-group:Q:X:2025-06-30", "委员Q → 委员X：应在 2025-06-30 前联系"),
        ("branch_expiring", "branch:TB:2025-07-10", "调研临时党支部 将于 2025-07-10 到期"),
        ("activity_without_branch", "activity:ACT", "专题视察（2025-07-01 至 2025-07-08，党员 3 名）尚无临时党支部"),
    ]  # W: a liaison since no contact would count (never contacted: overdue since long before the week)
    done = digesting.ack(loaded, WHOLE, "activity:ACT", "已报党组，拟建临时党支部")
    assert done["ack"]["note"] == "已报党组，拟建临时党支部" and done["ack"]["by"] == "cli"
    second = asked(loaded, "2025-07-03", since=first["cursor"])
    assert second["since"] == "2025-06-26"
    assert listed(second) == [
        ("new_gap", "gap:non-party-without-liaison:W", "委员W：联系已结束"),
        ("became_overdue", "due:party-member-to-non-party-of-own-group:Q:X:2025-06-30", "委员Q → 委员X：已逾期 3 天"),
        ("branch_expiring", "branch:TB:2025-07-10", "调研临时党支部 将于 2025-07-10 到期"),
        ("activity_without_branch", "activity:ACT", "专题视察（2025-07-01 至 2025-07-08，党员 3 名）尚无临时党支部"),
    ]
    assert [i["key"] for i in second["items"] if i["ack"]] == ["activity:ACT"] and second["open"] == 3
    assert second["counts"] == {"new_gap": 1, "became_overdue": 1, "coming_due": 0, "branch_expiring": 1,
                                "activity_without_branch": 1}
    # a digest from the day it is for lists only what is still ahead
    again = asked(loaded, "2025-07-03", since="2025-07-03")
    assert [i["kind"] for i in again["items"]] == ["branch_expiring", "activity_without_branch"]


def test_a_cursor_that_is_no_day_or_later_than_the_digest_is_refused(loaded):
    before = loaded.dump()
    for cursor, words in (("上周", "游标"), ("2025-08-01", "晚于")):
        with pytest.raises(BadArgument) as caught:
            asked(loaded, "2025-07-03", since=cursor)
        assert words in caught.value.message and caught.value.details["field"] == "since"
    with pytest.raises(BadArgument):
        digesting.ack(loaded, WHOLE, "x", "很长" * 300)
    assert loaded.dump() == before
