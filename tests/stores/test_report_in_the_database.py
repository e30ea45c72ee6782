"""The policy report on the Bolt store is computed in the database (graph/cypher_report.py): each
rule compiled into its queries' parameters. It must answer exactly as the report on the view
of the committees' part (graph/coverage.py) does, and as the embedded store does, for random
rosters (nested committees, liaisons and memberships across them, contacts of any mode),
random policies (any selection, way, capacity, affinity and contact requirement, and the
built-in rules), days, windows, breakdowns and committees asked about; and, since those
rosters seldom leave a covered item short of a requirement, for rosters made to: current
members, liaisons of a few mechanisms and many contacts of every mode on the days around the
calendar periods' edges (with each other, and with a few people of the masses), under rules
that each carry a requirement. Both with activities, some participants given no attendance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.coverage import BREAKDOWNS, report
from liaison_graph.graph.days import shifted
from liaison_graph.graph.policy import MASSES, Policy, Rule, Select, builtin
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.requirement import PENDING, PERIODS, REASONS, REVIEW, Requirement
from liaison_graph.graph.view import OWN, TREE, open_view
from liaison_graph.loaders import load_files
from tests.conftest import open_backend, write_json
from tests.questions.test_columnar import policies, requirements, rich_rosters
from tests.questions.test_properties import PROBE_DAYS, _put

pytestmark = pytest.mark.bolt


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
MODES = ["谈心谈话", "走访", "电话", None]  # contact modes as an office types them (None: not given)
# The days around the edges of months, quarters, half years and years, and two long before.
EDGE_DAYS = ["2023-06-15", "2023-09-30", "2023-12-31", "2024-01-01", "2024-03-31", "2024-04-01", "2024-06-30",
             "2024-07-01", "2024-12-31"]


@st.composite
def with_activities(draw, rosters):
    """A roster of ``rosters`` with one to five activities more, of its committees, started on days asked, with up
    to six members of any committee: the first and every third only listed, the others in any of the columns."""
    roster = draw(rosters)
    for k, start in enumerate(draw(st.lists(st.sampled_from([*PROBE_DAYS, *EDGE_DAYS]), min_size=1, max_size=5))):
        row = {"id": f"AC{k}", "name": f"活动{k}", "committee_id": draw(st.sampled_from(roster["committees"]))["id"],
               "kind": draw(st.sampled_from(["全体会议", "视察", "培训", "调研"])), "start_date": start,
               "end_date": shifted(start, draw(st.sampled_from([0, 2, 40])))}
        for mid in draw(st.lists(st.sampled_from([m["id"] for m in roster["members"]]), max_size=6, unique=True)):
            col = draw(st.sampled_from(["member_ids", "attended_ids", "excused_ids", "absent_ids"][:4 if k % 3 else 1]))
            row[col] = f"{row[col]}、{mid}" if col in row else mid
        roster.setdefault("activities", []).append(row)
    return roster


@st.composite
def contact_rosters(draw):
    """Members current on most of those days (some leave on 2024-03-31), in a sector and
    perhaps an activity group, of one or two committees; liaisons of a few mechanisms (or
    none) to members, sectors and activity groups; up to three contacts of any mode (or none
    given), either way, between a liaison's two ends, a liaison's source and each member of
    the group it liaises with, and two members (or one, a loop); a few members' contacts
    with up to three people of the masses each, up to three a person."""
    committees = [{"id": "C0", "name": "市政协", "level": "市"}]
    if draw(st.booleans()):
        committees.append({"id": "C1", "name": "甲县政协", "level": "县", "parent_id": "C0"})
    members = [_put({"id": f"M{i}", "name": f"委员{i}",
                     "affiliation": draw(st.sampled_from(["中共党员", "民盟", "群众"])),
                     "committee_id": draw(st.sampled_from([c["id"] for c in committees])),
                     "sector": draw(st.sampled_from(["经济界", "教育界", "科技界"]))},
                    activity_group=draw(st.sampled_from([None, "第一组", "第二组", "第三组"])),
                    end_date=draw(st.sampled_from([None, None, None, "2024-03-31"])))
               for i in range(draw(st.integers(2, 7)))]
    liaisons, pairs = {}, []
    for _ in range(draw(st.integers(1, 10))):
        source, target = draw(st.sampled_from(members)), draw(st.sampled_from(members))
        kind = draw(st.sampled_from(["委员", "委员", "界别", "委员活动组"]))
        name = {"委员": target["id"], "界别": target["sector"], "委员活动组": target.get("activity_group")}[kind]
        if name is None or name == source["id"]:
            continue
        to = name if kind == "委员" or target["committee_id"] == source["committee_id"] \
            else f"{target['committee_id']}:{name}"
        row = _put({"from_id": source["id"], "target_kind": kind, "to": to},
                   mechanism=draw(st.sampled_from([None, "结对子", "机制1"])),
                   start_date=draw(st.sampled_from([None, "2024-01-01", "2024-04-01"])))
        liaisons[(row["from_id"], kind, to, row.get("mechanism"), row.get("start_date"))] = row
        pairs += [(source["id"], m["id"]) for m in members
                  if m["id"] != source["id"] and m["committee_id"] == target["committee_id"]
                  and name in (m["id"], m["sector"], m.get("activity_group"))]
    pairs += [tuple(draw(st.lists(st.sampled_from([m["id"] for m in members]), min_size=2, max_size=2)))]  # or a loop
    contacts = {}
    for a, b in sorted(set(pairs)):
        drawn = st.tuples(st.sampled_from(EDGE_DAYS), st.sampled_from(MODES), st.booleans())
        for date, mode, back in draw(st.lists(drawn, max_size=3)):
            row = _put({"from_id": b if back else a, "to_id": a if back else b, "date": date,
                        "summary": f"记录{len(contacts)}"}, mode=mode)
            contacts[(row["from_id"], row["to_id"], date, mode)] = row
    masses = {}
    for member in draw(st.lists(st.sampled_from(members), max_size=3, unique_by=lambda m: m["id"])):
        for person in draw(st.lists(st.sampled_from(["张群", "李众", "王民"]), min_size=1, max_size=3, unique=True)):
            drawn = st.tuples(st.sampled_from(EDGE_DAYS), st.sampled_from(MODES))
            for date, mode in draw(st.lists(drawn, min_size=1, max_size=3)):
                masses[(member["id"], person, date, mode)] = _put(
                    {"from_id": member["id"], "person": person, "date": date}, mode=mode)
    return {"committees": committees, "members": members, "liaisons": list(liaisons.values()),
            **({"contacts": list(contacts.values())} if contacts else {}),
            **({"masses_contacts": list(masses.values())} if masses else {})}


@st.composite
def strict(draw, with_affinity: bool):
    """A requirement more often hard to meet than ``requirements``: a mode or two, one
    mechanism, the affinity required half the time."""
    period = draw(st.sampled_from([None, *PERIODS.labels]))
    return Requirement(modes=tuple(draw(st.lists(st.sampled_from(["talk", "visit", "phone", "other"]), min_size=1,
                                                 max_size=2, unique=True))),
                       count=draw(st.integers(1, 3)), period=period,
                       within_days=None if period else draw(st.sampled_from([None, 0, 90, 200])),
                       mechanisms=(draw(st.sampled_from(["结对子", "机制1"])),) if draw(st.booleans()) else (),
                       affinity_required=with_affinity and draw(st.booleans()))


@st.composite
def contact_policies(draw):
    """One to three rules, each with a contact requirement: members, sectors or activity
    groups covered by (CPC) members through liaisons (into the item, or into its sector or
    activity group) or memberships, with or without affinity; or (non-party) members keeping
    contact with one to three people of the masses each (whatever mechanism it names: none
    is asked of them)."""
    rules = []
    for i in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 3)) == 0:
            rules.append(Rule(id=f"r{i}", label=f"规则{i}", covers=draw(st.sampled_from([Select("member", cpc=False),
                                                                                      Select("member")])),
                              by=draw(st.sampled_from([Select("member", cpc=False), Select("member")])),
                              through=("masses",),
                              requirement=dataclasses.replace(draw(strict(False)), people=draw(st.integers(1, 3)))))
            continue
        covers = draw(st.sampled_from([Select("member", cpc=False), Select("member"), Select("sector"),
                                       Select("activity_group")]))
        ways = ["liaison", "liaison", "via_sector", "via_activity_group", "membership"] if covers.kind == "member" \
            else ["liaison", "liaison", "membership"]
        affinity = draw(st.sampled_from([None, "sector", "activity_group"]))
        rules.append(Rule(id=f"r{i}", label=f"规则{i}", covers=covers,
                          by=draw(st.sampled_from([Select("member", cpc=True), Select("member")])),
                          through=tuple(sorted(set(draw(st.lists(st.sampled_from(ways), min_size=1, max_size=2))))),
                          affinity=affinity, requirement=draw(st.one_of(requirements(affinity is not None),
                                                                        strict(affinity is not None)))))
    return Policy(name="contacts", label="联系要求", rules=tuple(rules),
                  window_days=draw(st.sampled_from([0, 90, 180, 800])))


@given(roster=with_activities(rich_rosters()), policy=policies(), data=st.data())
@SETTINGS
def test_the_report_computed_in_the_database_is_the_views(bolt_server, tmp_path, roster, policy, data):
    days = {*data.draw(st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=2)),
            *(c["date"] for c in roster.get("contacts", [])[:3])}  # a contact on the day: the window's edge
    same_as_the_view(open_backend("bolt", tmp_path), tmp_path, roster, policy, days, data)


@given(roster=with_activities(contact_rosters()), policy=contact_policies(), data=st.data())
@settings(SETTINGS, max_examples=80)
def test_each_requirement_and_reason_in_the_database_is_the_views(bolt_server, tmp_path, roster, policy, data):
    same_as_the_view(open_backend("bolt", tmp_path), tmp_path, roster, policy,
                     data.draw(st.lists(st.sampled_from(EDGE_DAYS[2:]), min_size=1, max_size=3)), data)


def same_as_the_view(store, tmp_path, roster, policy, days, data) -> None:
    try:
        load_files([write_json(tmp_path / "r.json", roster)], store)
        given, ids = Batch(), [st.sampled_from([r["id"] for r in roster[t]]) for t in ("activities", "members")]
        for aid, mid, blank in data.draw(st.lists(st.tuples(*ids, st.booleans()), max_size=3)):  # only asked
            given.add_edge("INVOLVES", "Activity", aid, "Member", mid, props={"attendance": "" if blank else None})
        store.write(given)
        for asked, span in questions_asked(store, policy, days, data):
            day, _, root, by, window = asked
            assert store_report(store, *asked, span=span) == report(open_view(store, day, root, span), policy, by,
                                                                   window), (asked, span)
    finally:
        store.close()


@given(roster=with_activities(st.one_of(rich_rosters(), contact_rosters())),
       policy=st.one_of(policies(), contact_policies()), data=st.data())
@SETTINGS
def test_the_report_computed_in_the_database_is_the_embedded_stores(bolt_server, tmp_path, roster, policy, data):
    with tempfile.TemporaryDirectory() as fresh:  # a new embedded file for each roster
        store, embedded = open_backend("bolt", tmp_path), open_backend("embedded", Path(fresh))
        try:
            for s in (store, embedded):
                load_files([write_json(tmp_path / "r.json", roster)], s)
            days = {*data.draw(st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=2)),
                    *(c["date"] for c in roster.get("contacts", [])[:3])}
            for asked, span in questions_asked(store, policy, days, data):
                assert store_report(store, *asked, span=span) == store_report(embedded, *asked, span=span), \
                    (asked, span)
        finally:
            store.close()
            embedded.close()


def questions_asked(store, policy, days, data):
    """``((day, policy, committee, by, window), span)`` for each of the days and windows of
    none, one day or the policy's, each with a breakdown and the committees asked about drawn
    at random."""
    committees = sorted(store.committees())
    for day in map(dt.date.fromisoformat, sorted(days)):
        for window in (None, 0, 1):
            root = data.draw(st.sampled_from([None, *committees]))
            span = data.draw(st.sampled_from([TREE, OWN])) if root else TREE
            yield (day, policy, root, data.draw(st.sampled_from([None, *BREAKDOWNS])), window), span


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


QUARTERLY = Policy(name="quarterly", label="季度谈心", window_days=180, rules=(
    Rule(id="talks", label="每季度谈心两次", covers=Select("member", cpc=False), by=Select("member", cpc=True),
         through=("liaison",), requirement=Requirement(modes=("talk",), count=2, period="quarter")),
    Rule(id="paired", label="结对子联系", covers=Select("member", cpc=False), by=Select("member", cpc=True),
         through=("liaison",), requirement=Requirement(mechanisms=("结对子",))),
    Rule(id="sector", label="界别每季度联系两次", covers=Select("sector"), by=Select("member", cpc=True),
         through=("liaison",), requirement=Requirement(count=2, period="quarter")),
))
TALKS = {"liaisons": [{"from_id": "M1", "target_kind": "界别", "to": "经济界", "start_date": "2024-01-01"}],
         "contacts": [{"from_id": "M0", "to_id": "M2", "date": "2024-03-15", "mode": "谈心谈话", "summary": "谈心"},
                      {"from_id": "M2", "to_id": "M0", "date": "2024-03-31", "mode": "谈心谈话", "summary": "谈心"},
                      {"from_id": "M0", "to_id": "M2", "date": "2024-04-01", "mode": "谈心谈话", "summary": "谈心"},
                      {"from_id": "M3", "to_id": "M1", "date": "2024-03-31", "mode": "谈心谈话", "summary": "谈心"},
                      {"from_id": "M1", "to_id": "M3", "date": "2024-04-01", "mode": "谈心谈话", "summary": "谈心"},
                      {"from_id": "M1", "to_id": "M3", "date": "2024-04-02", "mode": "走访", "summary": "走访"},
                      {"from_id": "M1", "to_id": "M1", "date": "2024-04-01", "mode": "座谈", "summary": "自己"}]}


def test_a_quarterly_requirement_at_the_quarters_edge_by_hand(bolt_server, tmp_path):
    """Two talks a quarter, in 甲县: 市党员 and 县党外甲 talked on 2024-03-15, 03-31 (the other
    way) and 04-01, 县党员 and 县党外乙 on 03-31 and 04-01 (and visited on 04-02, not a talk).
    On the quarter's last day, and through the next quarter, 县党外甲's liaison is effective
    (this quarter's two, then the last one's); 县党外乙's has one talk in each quarter: too
    few. On 07-01 the first quarter is over: 县党外甲's one talk of the second is too few (it
    fell on the second's first day), and 县党外乙's liaison ended on 06-30. Neither liaison is
    of the 结对子 mechanism. 县党员 liaises with 甲县's 经济界, where he sits: his one contact
    with a member of it is with himself on 04-01, counted once (too few), none before."""
    store = open_backend("bolt", tmp_path)
    try:
        roster = {table: rows for table, rows in ROSTER.items() if table != "contacts"}  # without its talk of 05-01
        load_files([write_json(tmp_path / "r.json", roster), write_json(tmp_path / "talks.json", TALKS)], store)
        for day, counts, reasons, sector in [
                ("2024-03-31", (2, 2, 1), {"too_few": 1}, "no_contact"),
                ("2024-04-01", (2, 2, 1), {"too_few": 1}, "too_few"),
                ("2024-06-30", (2, 2, 1), {"too_few": 1}, "too_few"),
                ("2024-07-01", (2, 1, 0), {"too_few": 1}, "too_few")]:
            got = store_report(store, dt.date.fromisoformat(day), QUARTERLY, "C1")
            assert got == report(open_view(store, dt.date.fromisoformat(day), "C1"), QUARTERLY), day
            talks, paired, sectors = got["rules"]
            assert (talks["total"], talks["covered"], talks["effective"]) == counts, day
            assert talks["not_effective"] == {**dict.fromkeys(REASONS[1:], 0), **reasons}, day
            assert (paired["effective"], paired["not_effective"]["wrong_mechanism"]) == (0, counts[1]), day
            assert (sectors["total"], sectors["covered"], sectors["effective"]) == (2, 1, 0), day
            assert sectors["not_effective"] == {**dict.fromkeys(REASONS[1:], 0), sector: 1}, day
    finally:
        store.close()


MASSES_POLICY = """
name: masses
label: 联系界别群众
rules:
  - id: visits
    label: 每季度走访两位群众
    covers: {kind: member}
    by: {kind: member}
    through: [masses]
    contact: {modes: [走访], per: 每季度, people: 2}
  - id: non-party
    label: 党外委员联系群众
    covers: {kind: member}
    by: {kind: member, cpc: false}
    through: [masses]
    contact: {within_days: 90}
"""
PEOPLE = {"masses_contacts": [  # 甲县's three members; 市党员 is of the city, outside what is asked
    {"from_id": "M2", "person": "张群", "date": "2024-03-31", "mode": "走访"},
    {"from_id": "M2", "person": "李众", "date": "2024-04-01", "mode": "走访"},
    {"from_id": "M2", "person": "王民", "date": "2024-04-02", "mode": "电话"},
    {"from_id": "M3", "person": "张群", "date": "2024-03-15", "mode": "走访"},
    {"from_id": "M3", "person": "张群", "date": "2024-04-01", "mode": "走访"},
    {"from_id": "M3", "person": "李众", "date": "2024-04-01", "mode": "座谈"},
    {"from_id": "M1", "person": "张群", "date": "2024-04-01", "mode": "走访"},
    {"from_id": "M0", "person": "张群", "date": "2024-04-01", "mode": "走访"}]}


def test_contacts_with_the_masses_at_the_quarters_edge_by_hand_through_the_verb(bolt_server, tmp_path):
    """Two people visited, each in this quarter or the last, in 甲县. 县党外甲 visited 张群 on
    2024-03-31 and 李众 on 04-01 and phoned 王民 on 04-02; 县党外乙 visited 张群 on 03-15 and
    04-01 (one person) and met 李众 at a forum on 04-01 (not a visit); 县党员 visited 张群 on
    04-01, and his visit to 李众 on 04-02 waits for the office (counts nowhere). On 03-31 nobody
    has two people on record: none covered. From 04-01 (the quarter's first day) 县党外甲 has
    two, both visited in the last quarter or this one (sorted codes [effective, effective],
    the second effective; 王民 from 04-02 only adds a wrong mode after them); 县党外乙 has two,
    张群 visited but 李众 not (the second: wrong mode); 县党员 has one: uncovered. On 07-01 the
    first quarter is over: 县党外甲's 张群 was last visited on 03-31 (too long ago), 李众 on
    04-01 (last quarter's first day: effective), 王民 never visited, so sorted [effective, too
    long ago, wrong mode] and the second is too long ago. The other rule asks one person of
    any mode within 90 days, of non-party members only: 县党员 (CPC) is never covered, the
    others are effective until 07-01, when the window (from 04-02) holds only 县党外甲's call
    to 王民. The database answers as the view does."""
    store = open_backend("bolt", tmp_path)
    pending = Batch()
    pending.add_edge(MASSES, "Member", "M1", "Sector", "C1:经济界", "李众|2024-04-02|visit",
                     {"person": "李众", "date": "2024-04-02", "mode": "visit", REVIEW: PENDING})
    try:
        load_files([write_json(tmp_path / "r.json", ROSTER), write_json(tmp_path / "people.json", PEOPLE)], store)
        store.write(pending)
        asked = PolicyAsked(document=MASSES_POLICY)
        policy = choose(asked)
        for day, visits, visits_why, non_party, non_party_why in [
                ("2024-03-31", (3, 0, 0), {}, (3, 2, 2), {}),
                ("2024-04-01", (3, 2, 1), {"wrong_mode": 1}, (3, 2, 2), {}),
                ("2024-06-30", (3, 2, 1), {"wrong_mode": 1}, (3, 2, 2), {}),
                ("2024-07-01", (3, 2, 0), {"too_long_ago": 1, "wrong_mode": 1}, (3, 2, 1), {"too_long_ago": 1})]:
            on = dt.date.fromisoformat(day)
            assert store_report(store, on, policy, "C1") == report(open_view(store, on, "C1"), policy), day
            rules = {r["id"]: r for r in questions.coverage(store, Scope(), asked, on, "C1")["rules"]}
            for rule, counts, why in [(rules["visits"], visits, visits_why),
                                      (rules["non-party"], non_party, non_party_why)]:
                assert (rule["total"], rule["covered"], rule["effective"]) == counts, (day, rule["id"])
                assert rule["not_effective"] == {**dict.fromkeys(REASONS[1:], 0), **why}, (day, rule["id"])
            assert "县党员" in [u["name"] for u in rules["non-party"]["uncovered"]], day
    finally:
        store.close()
