"""Recommended pairings: the solver against brute force, the bounds, the reasons for what
cannot be covered, temporary branches, what-if and acceptance (CLI, API)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.api.cli import main
from liaison_graph.graph import fastpaths
from liaison_graph.graph.policy import builtin, parse_policy
from liaison_graph.graph.recommend import assign, score
from liaison_graph.graph.reports import store_recommendation
from liaison_graph.graph.view import open_view, scope_of
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate
from liaison_graph.loaders.sample import SAMPLE
from tests.conftest import ONE_EACH, write_json
from tests.questions.test_columnar import policies
from tests.questions.test_properties import PROBE_DAYS
from tests.stores.test_recommend_in_the_database import rosters_with_activities

DAY = dt.date(2026, 11, 1)


# --- the solver against brute force ------------------------------------------------------------
def brute_force(targets, cost, room, load):
    options = [[None] + sorted({s for s, t2 in cost if t2 == t}) for t in targets]
    best = None
    for choice in itertools.product(*options):
        used = Counter(s for s in choice if s is not None)
        if any(room.get(s) is not None and n > room[s] for s, n in used.items()):
            continue
        sol = score({t: s for t, s in zip(targets, choice, strict=True) if s is not None}, cost, load)
        key = (-sol.covered, sol.affinity, sol.fairness)
        if best is None or key < best:
            best = key
    return best


@pytest.mark.parametrize("seed", range(300))
def test_the_solver_finds_the_brute_force_optimum(seed):
    rnd = random.Random(seed)
    targets = [f"t{i}" for i in range(rnd.randint(1, 5))]
    sources = [f"s{i}" for i in range(rnd.randint(1, 4))]
    cost = {(s, t): rnd.randint(1, 5) for s in sources for t in targets if rnd.random() < 0.7}
    room = {s: rnd.choice([None, 0, 1, 1, 2, 3]) for s in sources}
    load = {s: rnd.randint(0, 3) for s in sources}
    got = assign(targets, cost, room, load)
    assert (-got.covered, got.affinity, got.fairness) == brute_force(targets, cost, room, load)
    used = Counter(got.pairs.values())
    assert all(room[s] is None or n <= room[s] for s, n in used.items())
    assert all((s, t) in cost for t, s in got.pairs.items())


# --- on rosters ------------------------------------------------------------------------------------
@pytest.fixture
def city(store, tmp_path):
    generate("city", 1, tmp_path / "city", "csv")
    load_files(sorted((tmp_path / "city").glob("*.csv")), store)
    return store


def test_every_proposal_respects_the_policy_on_both_stores(city):
    view = open_view(city, DAY)
    policy = builtin()["pairing"]  # 1–3 non-party members per party member, same sector preferred
    rule = policy.rules[0]
    found = store_recommendation(city, DAY, policy)  # on the Bolt store: a few committees' part at a time
    result = found.result
    assert result["items"], "the generated city has uncovered non-party members"
    eligible, covers = view.selected(rule.by), view.selected(rule.covers)
    added = Counter(i["from_id"] for i in result["items"])
    for item in result["items"]:
        source, target = ("Member", item["from_id"]), ("Member", item["to_id"])
        assert source in eligible and target in covers and not rule.coverers(view, target)
        assert view.data(source)["committee_id"] == view.data(target)["committee_id"] == item["committee_id"]
        assert item["load_before"] + added[item["from_id"]] <= rule.capacity[1]
    assert len({i["to_id"] for i in result["items"]}) == len(result["items"])  # one source per target
    after = {w["rule"]: w["after"] for w in result["what_if"]}
    uncoverable = len(result["uncoverable"])
    assert after["pairing"]["total"] - after["pairing"]["covered"] == uncoverable


TINY = {
    "committees": [{"id": "T", "name": "测试县政协"}, {"id": "U", "name": "无党员县政协"}],
    "party_orgs": [{"id": "PG", "name": "党组", "kind": "党组", "committee_id": "T"},
                   {"id": "BR", "name": "机关党支部", "kind": "党支部", "committee_id": "T", "parent_id": "PG"}],
    "members": [
        {"id": "A", "name": "甲", "affiliation": "中共党员", "committee_id": "T", "sector": "中共", "activity_group": "一组",
         "party_org_ids": "BR"},
        {"id": "B", "name": "乙", "affiliation": "中共党员", "committee_id": "T", "sector": "经济界", "activity_group": "二组"},
        {"id": "N1", "name": "丙", "affiliation": "民盟", "committee_id": "T", "sector": "民盟", "activity_group": "一组"},
        {"id": "N2", "name": "丁", "affiliation": "民建", "committee_id": "T", "sector": "经济界", "activity_group": "三组"},
        {"id": "N3", "name": "戊", "affiliation": "无党派人士", "committee_id": "T", "sector": "无党派人士",
         "township": "东镇"},
        {"id": "C", "name": "己", "affiliation": "中共党员", "committee_id": "T", "sector": "中共", "township": "东镇",
         "party_org_ids": "BR"},
        {"id": "X", "name": "庚", "affiliation": "民革", "committee_id": "U", "sector": "民革"},
    ],
    "activities": [
        {"id": "ACT1", "name": "委员培训班", "committee_id": "T", "kind": "培训", "start_date": "2026-11-10",
         "end_date": "2026-11-16", "member_ids": "A、B、C、N1"},
        {"id": "ACT2", "name": "三日视察", "committee_id": "T", "kind": "视察", "start_date": "2026-11-10",
         "end_date": "2026-11-12", "member_ids": "A、B、C"},
        {"id": "ACT3", "name": "两名党员的调研", "committee_id": "T", "kind": "调研", "start_date": "2026-11-10",
         "end_date": "2026-11-30", "member_ids": "A、C、N1"},
    ],
}


def test_hand_made_roster_affinity_reasons_and_temporary_branch(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", TINY)], store)
    result = store_recommendation(store, DAY, parse_policy(ONE_EACH, "one-each.yaml")).result
    pairs = {i["to_id"]: (i["from_id"], i["cost"]) for i in result["items"]}
    # three sources, each at most one: N1 with A (same group, 1), N2 with B (same sector, 2), N3 with C (township, 4)
    assert pairs == {"N1": ("A", 1), "N2": ("B", 2), "N3": ("C", 4)}
    # X's committee has no party member at all
    (left,) = result["uncoverable"]
    assert (left["id"], left["reason"], left["fix"]) == ("X", "no_eligible_source", {"add_source": "中共党员委员"})
    # one source fewer: someone is left over because every source is full; raising the bound by one fixes it
    tight = json.loads(json.dumps(TINY))
    tight["members"] = [m for m in tight["members"] if m["id"] != "C"]
    tight["activities"] = []
    store.clear()
    load_files([write_json(tmp_path / "t2.json", tight)], store)
    result = store_recommendation(store, DAY, parse_policy(ONE_EACH, "one-each.yaml")).result
    full = [u for u in result["uncoverable"] if u["reason"] == "all_sources_full"]
    assert len(full) == 1 and full[0]["fix"] == {"raise_max_to": 2} and full[0]["id"] == "N3"


def test_a_temporary_branch_for_an_activity_of_its_kinds_or_a_long_one_with_three_party_members(store, tmp_path):
    more = {"activities": [  # a three-day theme party day; a two-day plenary C is excused from
        {"id": "ACT4", "name": "主题党日", "committee_id": "T", "kind": "主题党日", "start_date": "2026-11-10",
         "end_date": "2026-11-12", "member_ids": "A、B、C"},
        {"id": "ACT5", "name": "全体会议", "committee_id": "T", "kind": "全体会议", "start_date": "2026-11-10",
         "end_date": "2026-11-11", "member_ids": "A、B", "excused_ids": "C", "attended_ids": "N1"}]}
    load_files([write_json(tmp_path / "t.json", TINY), write_json(tmp_path / "more.json", more)], store)
    branches = store_recommendation(store, DAY, builtin()["two-coverages"]).result["temporary_branches"]
    # ACT1 is seven days, ACT2 a three-day inspection (a kind that expects a branch however short);
    # ACT3 has two party members, ACT4 is of a kind that expects none, ACT5 two party members there
    assert [(b["activity_id"], b["member_ids"], b["days"]) for b in branches] == [("ACT1", ["A", "B", "C"], 7),
                                                                                 ("ACT2", ["A", "B", "C"], 3)]
    # a policy naming no kind: only the long one
    none = parse_policy("name: p\ntemporary_branch_kinds: [其他]\nrules:\n  - id: r\n    covers: {kind: member}\n"
                        "    by: {kind: member}\n    through: [liaison]\n", "p.yaml")
    assert [b["activity_id"] for b in store_recommendation(store, DAY, none).result["temporary_branches"]] == ["ACT1"]
    # once they ended, nothing is proposed for them
    assert store_recommendation(store, dt.date(2026, 12, 1), builtin()["two-coverages"]).result["temporary_branches"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=rosters_with_activities(), policy=st.one_of(policies(), st.sampled_from(list(builtin().values()))),
       data=st.data())
def test_the_embedded_stores_recommendation_by_parts_is_the_views(tmp_path, monkeypatch, roster, policy, data):
    """Past ``RECOMMEND_BY_PARTS_FROM`` committees the embedded store works the recommendation
    out as the Bolt store does, a few committees' part at a time (none kept); the answer, the
    names and the rows an acceptance writes are those of the view of the whole part."""
    from liaison_graph.graph import recommend_parts
    from liaison_graph.graph.recommend_parts import on_view
    from liaison_graph.graph.embedded import EmbeddedStore
    from tests.stores.test_recommend_in_the_database import written

    monkeypatch.setattr(fastpaths, "RECOMMEND_BY_PARTS_FROM", 1)
    monkeypatch.setattr(recommend_parts, "PART_COMMITTEES", data.draw(st.sampled_from([1, 2, 16])))
    with tempfile.TemporaryDirectory() as fresh, EmbeddedStore(Path(fresh) / "s.db") as store:
        load_files([write_json(Path(fresh) / "r.json", roster)], store)
        starts = [a["start_date"] for a in roster.get("activities", [])]
        for day in sorted({*data.draw(st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=2)), *starts}):
            root = data.draw(st.sampled_from([None, *sorted(store.committees())]))
            asked = dt.date.fromisoformat(day)
            kept = set(store._parts)
            got = store_recommendation(store, asked, policy, root)
            scope = scope_of(store, root)[0]  # the report's own view keeps its part, as any report's does
            assert set(store._parts) <= kept | {("subgraph", scope)}  # the parts read a few at a time are not kept
            want = on_view(open_view(store, asked, root), policy)
            assert got.result == want.result, (day, root)
            assert (got.names, written(got.rows)) == (want.names, written(want.rows)), (day, root)


def test_accepting_writes_the_proposals_on_both_stores(store, tmp_path):
    """Accepted through the verb, the pairings and the training's temporary branch are in the
    store: asked again, nothing is left to propose but 庚, whose committee has no party member."""
    from liaison_graph.api.verbs import recommend as recommending
    from liaison_graph.api.verbs.policies import PolicyAsked
    from liaison_graph.api.verbs.scope import WHOLE

    load_files([write_json(tmp_path / "t.json", TINY)], store)
    asked = PolicyAsked(document=ONE_EACH)
    done = recommending.accept(store, WHOLE, asked, DAY)
    assert done.liaisons == 3 and done.cursor is not None
    again = store_recommendation(store, DAY, parse_policy(ONE_EACH, "one-each.yaml")).result
    assert again["items"] == [] and again["temporary_branches"] == []
    assert [u["id"] for u in again["uncoverable"]] == ["X"]
    assert {w["rule"]: w["before"]["covered"] for w in again["what_if"]} == {"pair": 3}


def test_accepting_on_the_sample_brings_the_party_member_rule_to_100_percent(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    assert main(["--db", db, "load", str(SAMPLE)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "recommend", "--as-of", DAY.isoformat(), "--format", "json"]) == 0
    proposed = json.loads(capsys.readouterr().out)
    assert set(proposed) >= {"as_of", "items", "uncoverable"} and proposed["uncoverable"] == []
    assert all({"rule", "from_id", "to_id", "cost"} <= set(i) for i in proposed["items"])
    assert {w["rule"]: w["after"]["ratio"] for w in proposed["what_if"]}["non-party-without-liaison"] == 1.0
    assert main(["--db", db, "gaps", "--rule", "non-party-without-liaison", "--as-of", DAY.isoformat(),
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 8
    assert main(["--db", db, "recommend", "--as-of", DAY.isoformat(), "--accept"]) == 0
    assert "已采纳" in capsys.readouterr().out
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        assert main(["--db", db, "gaps", "--rule", rule, "--as-of", DAY.isoformat(), "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["count"] == 0
    assert main(["--db", db, "coverage", "--as-of", DAY.isoformat(), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["headline"]["party_work"]["ratio"] == 1.0
    # the liaisons just accepted start today: none of them is quiet
    accepted = {(i["from_id"], i["to_id"]) for i in proposed["items"]}
    assert accepted and not accepted & {(q["from_id"], q["to_id"]) for q in report["quiet_liaisons"]}
    # the new liaisons start on the as-of day, the training's temporary branch exists, the audit has it
    from liaison_graph.graph.embedded import EmbeddedStore

    with EmbeddedStore(db) as store:
        liaisons = [e for e in store.edges_of("Member", [i["from_id"] for i in proposed["items"]])
                    if e[0] == "LIAISES_WITH" and e[6].get("备注") == "按推荐结对"]
        assert liaisons and all(e[6]["start_date"] == DAY.isoformat() for e in liaisons)
        assert store.node_props("PartyOrg", ["XS-A02-LS"])["XS-A02-LS"]["kind"] == "temporary_branch"
        assert store.audit()[-1]["action"] == "recommend.accept"
    assert main(["--db", db, "recommend", "--as-of", DAY.isoformat(), "--format", "xlsx",
                 "--out", str(tmp_path / "r.xlsx")]) == 0
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["推荐结对", "无法覆盖", "建议设立的临时党支部", "采纳后覆盖"]


def test_recommend_and_accept_over_the_api(tmp_path):
    from tests.api_fixtures import A, build_city, open_world

    world = open_world(build_city(tmp_path / "c"), tmp_path)
    try:
        day = DAY.isoformat()
        proposed = world.get("a_viewer", f"/api/v1/recommend?as_of={day}").json()
        assert proposed["items"] and all(i["committee_id"] == A for i in proposed["items"])
        assert world.client.post("/api/v1/recommend/accept", json={"as_of": day},
                                 headers=world.headers("a_viewer")).status_code == 403
        r = world.client.post("/api/v1/recommend/accept", json={"as_of": day}, headers=world.headers("a_editor"))
        assert r.status_code == 201, r.text
        gaps = world.get("a_viewer", f"/api/v1/gaps/non-party-without-liaison?as_of={day}&committee_id={A}").json()
        assert gaps["count"] == sum(1 for u in proposed["uncoverable"] if u["rule"] == "non-party-without-liaison")
        assert world.get("a_admin", "/api/v1/audit").json()["items"][-1]["action"] == "recommend.accept"
        b_gaps = world.get("city_admin", f"/api/v1/gaps/non-party-without-liaison?as_of={day}&committee_id=C01K02").json()
        assert b_gaps["count"] > 0  # the neighbour county was not touched
    finally:
        world.close()
