"""The policy report on the Bolt store is computed in the database (graph/cypher_report.py): each
rule compiled into its queries' parameters. It must answer exactly as the embedded store does,
and as the report on the view of the committees' part (graph/coverage.py), for random
rosters (nested committees, liaisons and memberships across them, contacts), random
policies (any selection, way, capacity and affinity, and the built-in rules), days,
windows, breakdowns and committees asked about."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.coverage import BREAKDOWNS, report
from liaison_graph.graph.policy import Policy, Rule, Select, builtin
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.view import OWN, TREE, open_view
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json
from tests.questions.test_columnar import policies, rich_rosters
from tests.questions.test_properties import PROBE_DAYS

pytestmark = pytest.mark.bolt


@given(roster=rich_rosters(), policy=policies(), data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
def test_the_report_computed_in_the_database_is_the_embedded_stores(bolt_server, tmp_path, roster, policy, data):
    with tempfile.TemporaryDirectory() as fresh:  # a new embedded file for each roster
        compare(open_backend("bolt", tmp_path), open_backend("embedded", Path(fresh)), tmp_path, roster, policy, data)


def compare(store, embedded, tmp_path, roster, policy, data) -> None:
    try:
        for s in (store, embedded):
            load_files([write_json(tmp_path / "r.json", roster)], s)
        committees = sorted(store.committees())
        # a contact on the day, with a window of none or one day: the window's edge
        days = sorted({*data.draw(st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=2)),
                       *(c["date"] for c in roster.get("contacts", [])[:3])})
        for day in map(dt.date.fromisoformat, days):
            for window in (None, 0, 1):
                by = data.draw(st.sampled_from([None, *BREAKDOWNS]))
                root = data.draw(st.sampled_from([None, *committees]))
                span = data.draw(st.sampled_from([TREE, OWN])) if root else TREE
                asked = (day, policy, root, by, window)
                got = store_report(store, *asked, span=span)
                assert got == store_report(embedded, *asked, span=span), (day, root, span, by, window)
            assert got == report(open_view(store, day, root, span), policy, by, window), (day, root, span, by, window)
    finally:
        store.close()
        embedded.close()


ROSTER = {  # 甲县 below the city; a city member liaises across into the county
    "committees": [{"id": "C0", "name": "市政协", "level": "市"},
                   {"id": "C1", "name": "甲县政协", "level": "县", "parent_id": "C0"}],
    "members": [{"id": "M0", "name": "市党员", "affiliation": "中共党员", "committee_id": "C0", "sector": "经济界",
                 "position": "主席", "party_group_role": "党组书记"},
                {"id": "M1", "name": "县党员", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界"},
                {"id": "M2", "name": "县党外甲", "affiliation": "民盟", "committee_id": "C1", "sector": "经济界",
                 "activity_group": "第一组", "special_committees": "提案委员会"},
                {"id": "M3", "name": "县党外乙", "affiliation": "群众", "committee_id": "C1", "sector": "教育界",
                 "activity_group": "第一组"}],
    "liaisons": [{"from_id": "M0", "to": "M2", "start_date": "2024-01-01"},
                 {"from_id": "M1", "to": "M3", "start_date": "2024-01-01", "end_date": "2024-06-30"}],
    "contacts": [{"from_id": "M0", "to_id": "M2", "date": "2024-05-01", "mode": "谈心谈话", "summary": "谈心"}],
}


def test_a_countys_report_by_hand_through_the_verb(bolt_server, tmp_path):
    """甲县 on 2024-09-01 under 两个全覆盖: 县党外甲 is covered by the city's 市党员 (effective:
    they talked on 2024-05-01, within 180 days) and 县党外乙's liaison ended; 县党员 sits in no
    branch. Both stores give the same answer."""
    store, embedded = open_backend("bolt", tmp_path), open_backend("embedded", tmp_path)
    try:
        for s in (store, embedded):
            load_files([write_json(tmp_path / "r.json", ROSTER)], s)
        asked = [questions.coverage(s, Scope(), PolicyAsked(), dt.date(2024, 9, 1), "C1", by="activity_group")
                 for s in (store, embedded)]
        assert asked[0] == asked[1]
        rules = {r["id"]: r for r in asked[0]["rules"]}
        liaison, organised = rules["non-party-without-liaison"], rules["party-member-unorganised"]
        assert (liaison["total"], liaison["covered"], liaison["effective"]) == (2, 1, 1)
        assert [u["name"] for u in liaison["uncovered"]] == ["县党外乙"]
        assert [(b["name"], b["total"], b["covered"]) for b in liaison["breakdown"]] == [("第一组", 2, 1)]
        assert (organised["total"], organised["covered"]) == (1, 0)
        assert [s["name"] for s in asked[0]["sectors_without_cpc"]] == ["教育界"]
        # a window of 100 days leaves the talk behind: covered, but not effectively
        later = store_report(store, dt.date(2024, 9, 1), builtin()["two-coverages"], "C1", window_days=100)
        assert [(r["covered"], r["effective"]) for r in later["rules"] if r["id"] == "non-party-without-liaison"] \
            == [(1, 0)]
        # on 2024-06-01 both liaisons began 152 days before: quiet only for a window shorter than that
        for s in (store, embedded):
            quiet = [[(q["from_name"], q["to_name"], q["days_quiet"]) for q in store_report(
                s, dt.date(2024, 6, 1), builtin()["two-coverages"], "C1", window_days=window)["quiet_liaisons"]]
                for window in (152, 151)]
            assert quiet == [[], [("县党员", "县党外乙", 152)]]
    finally:
        store.close()
        embedded.close()


SECTORS = Policy(name="sectors", label="界别", window_days=180, rules=(
    Rule(id="sector", label="界别有党员联系", covers=Select("sector"), by=Select("member", cpc=True), through=("liaison",)),
    Rule(id="via", label="经界别联系", covers=Select("member", cpc=False), by=Select("member", cpc=True),
         through=("liaison", "via_sector"), affinity="sector"),
))
BESIDE = {  # 市党员 also liaises with 甲县's 教育界, where 县党外丙 sat until March; 县党员 with 县党外甲
    "members": [{"id": "M4", "name": "县党外丙", "affiliation": "群众", "committee_id": "C1", "sector": "教育界",
                 "end_date": "2024-03-31"}],
    "liaisons": [{"from_id": "M0", "target_kind": "界别", "to": "C1:教育界", "start_date": "2024-01-01"},
                 {"from_id": "M1", "to": "M2", "start_date": "2024-01-01"}],
    "contacts": [{"from_id": "M0", "to_id": "M4", "date": "2024-03-20", "mode": "走访", "summary": "走访"}],
}


def test_a_liaison_to_a_sector_by_hand(bolt_server, tmp_path):
    """甲县 on 2024-09-01: its 教育界 is covered by 市党员's liaison, but not effectively — the
    only contact was with 县党外丙, no longer a member; 县党外乙 is covered through that
    sector by 市党员, who sits in the city's 经济界, not in 甲县's 教育界 (the liaison into it is
    no seat), while 县党外甲 shares 甲县's 经济界 with 县党员: one of two with affinity."""
    store, embedded = open_backend("bolt", tmp_path), open_backend("embedded", tmp_path)
    try:
        for s in (store, embedded):
            load_files([write_json(tmp_path / "r.json", ROSTER), write_json(tmp_path / "beside.json", BESIDE)], s)
        asked = [store_report(s, dt.date(2024, 9, 1), SECTORS, "C1") for s in (store, embedded)]
        assert asked[0] == asked[1]
        sector, via = asked[0]["rules"]
        assert (sector["total"], sector["covered"], sector["effective"]) == (2, 1, 0)
        assert (via["total"], via["covered"], via["affinity"]["matched"], via["affinity"]["of"]) == (2, 2, 1, 2)
    finally:
        store.close()
        embedded.close()
