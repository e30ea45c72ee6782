"""Contact requirements (graph/requirement.py): the built-in policies' by hand at the period
edges (the last day of a quarter or a year, a contact on the as-of day, a contact in the
wrong mode), on every store; and effective coverage held to a naive computation of its own
on random ledgers."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.coverage import report
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import InputError
from liaison_graph.graph.policy import Policy, Rule, Select, builtin, parse_policy
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.requirement import PERIODS, REASONS, Requirement
from liaison_graph.graph.view import View, open_view
from liaison_graph.loaders import load_files

from tests.conftest import write_json


def m(mid, affiliation, sector, group, **more):
    return {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": sector,
            "activity_group": group, **more}


ROSTER = {
    "committees": [{"id": "T", "name": "试验县政协", "level": "县"}],
    "members": [
        m("P", "中共党员", "经济界", "G1", position="主席", party_group_role="党组书记"),
        m("Q", "中共党员", "教育界", "G1"),
        m("X", "民盟", "经济界", "G1"),
        m("Y", "民建", "经济界", "G2"),
        m("Z", "无党派人士", "经济界", "G1"),
        m("W", "群众", "教育界", "G1"),
    ],
    "liaisons": [
        {"from_id": "Q", "to": "X", "mechanism": "结对子"},
        {"from_id": "Q", "to": "Y", "mechanism": "结对子"},
        {"from_id": "Q", "to": "Z", "mechanism": "结对子"},
        {"from_id": "Q", "to": "W", "mechanism": "结对子"},
        {"from_id": "P", "target_kind": "界别", "to": "经济界", "mechanism": "党组成员联系界别"},
    ],
    "contacts": [
        {"from_id": "Q", "to_id": "X", "date": "2025-03-31", "mode": "走访"},  # the last day of a quarter
        {"from_id": "Z", "to_id": "Q", "date": "2025-06-30", "mode": "谈心谈话"},  # on the as-of day, the other way
        {"from_id": "Q", "to_id": "Y", "date": "2025-06-01", "mode": "走访"},
        {"from_id": "P", "to_id": "X", "date": "2025-05-01", "mode": "电话"},  # the wrong mode for Hangzhou
        {"from_id": "P", "to_id": "Y", "date": "2025-01-10", "mode": "谈心谈话"},
        {"from_id": "P", "to_id": "Z", "date": "2024-12-31", "mode": "谈心"},  # the last day of a year
    ],
    # members with the masses of their sector, by the people they keep contact with
    "masses_contacts": [
        {"from_id": "P", "person": "甲", "unit": "社区居民", "date": "2025-06-30", "mode": "走访"},  # on the as-of day
        {"from_id": "P", "person": "乙", "date": "2025-04-01"},  # the first day of a quarter
        {"from_id": "P", "person": "丙", "date": "2025-03-31", "mode": "电话"},  # the last day of a quarter
        {"from_id": "Q", "person": "甲", "date": "2025-05-01"},  # two people only
        {"from_id": "Q", "person": "丁", "date": "2025-05-02"},
        {"from_id": "X", "person": "戊", "date": "2025-06-01"},
        {"from_id": "X", "person": "己", "date": "2025-06-02"},
        {"from_id": "X", "person": "庚", "date": "2025-06-03"},
        {"from_id": "X", "person": "庚", "date": "2025-06-04", "mode": "座谈"},
        {"from_id": "Y", "person": "壬", "date": "2025-05-05"},
        {"from_id": "Y", "person": "癸", "date": "2025-06-06"},
        {"from_id": "Y", "person": "辛", "date": "2024-12-31"},  # the last day of a year
        {"from_id": "Z", "person": "子", "date": "2025-06-10"},
        {"from_id": "Z", "person": "丑", "date": "2025-06-11"},
        {"from_id": "Z", "person": "寅", "date": "2025-07-01"},  # the day after
    ],
}


@pytest.fixture
def loaded(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    return store


def rule_of(store, policy: Policy, rule_id: str, day: str) -> dict:
    """One rule's result in the store's report (as the command and the API get it), checked
    against the view's."""
    on = dt.date.fromisoformat(day)
    result = store_report(store, on, policy, None, None)
    assert result == report(open_view(store, on), policy, None)
    return next(r for r in result["rules"] if r["id"] == rule_id)


def reasons(rule: dict) -> dict:
    return {k: v for k, v in rule["not_effective"].items() if v}


def test_hangzhou_counts_only_talks_in_the_year_or_the_year_before(loaded):
    hangzhou, rule = builtin()["hangzhou"], "party-group-to-sector-non-party"
    r = rule_of(loaded, hangzhou, rule, "2025-06-30")
    # X, Y, Z sit in 经济界, which the chair P liaises with; W does not
    assert (r["covered"], r["total"], r["effective"]) == (3, 4, 2)  # Y (talk this year), Z (talk last year)
    assert reasons(r) == {"wrong_mode": 1}  # X: only a phone call
    assert r["requirement"] == "每年谈心谈话至少 1 次"
    r = rule_of(loaded, hangzhou, rule, "2026-01-01")
    assert r["effective"] == 1 and reasons(r) == {"too_long_ago": 1, "wrong_mode": 1}  # Z's talk is two years back
    r = rule_of(loaded, hangzhou, rule, "2024-12-31")  # Z's talk on the day; Y's not yet made
    assert r["effective"] == 1 and reasons(r) == {"no_contact": 2}


def test_fuxing_counts_one_contact_a_quarter_within_ones_own_group(loaded):
    fuxing, rule = builtin()["fuxing"], "party-member-to-non-party-of-own-group"
    r = rule_of(loaded, fuxing, rule, "2025-06-30")  # the last day of the second quarter
    assert (r["covered"], r["total"]) == (4, 4)
    assert r["effective"] == 2  # X (the quarter before), Z (on the day)
    assert reasons(r) == {"no_affinity": 1, "no_contact": 1}  # Y is of another group; W was never contacted
    r = rule_of(loaded, fuxing, rule, "2025-07-01")  # X's visit is now two quarters back
    assert r["effective"] == 1 and reasons(r) == {"too_long_ago": 1, "no_affinity": 1, "no_contact": 1}
    r = rule_of(loaded, fuxing, rule, "2025-03-31")  # X visited on the day; Z's talk is yet to come
    assert r["effective"] == 1 and reasons(r) == {"no_affinity": 1, "no_contact": 2}


def test_too_few_and_the_wrong_mechanism(loaded):
    policy = parse_policy("""
name: own
rules:
  - id: twice
    covers: {kind: member, cpc: false}
    by: {kind: member, cpc: true}
    through: [liaison]
    contact: {count: 2, within_days: 365}
  - id: mechanism
    covers: {kind: member, cpc: false}
    by: {kind: member, cpc: true}
    through: [liaison]
    mechanisms: [四联]
""", "own.yaml")
    twice = rule_of(loaded, policy, "twice", "2025-06-30")
    assert twice["effective"] == 0 and reasons(twice) == {"too_few": 3, "no_contact": 1}
    assert twice["requirement"] == "365 天内联系至少 2 次"
    mechanism = rule_of(loaded, policy, "mechanism", "2025-06-30")
    assert mechanism["effective"] == 0 and reasons(mechanism) == {"wrong_mechanism": 4}


@pytest.mark.parametrize("name", ["silian", "silianxi", "hangzhou"])
def test_the_masses_of_a_sector_count_from_contacts_with_three_people_each_a_quarter(loaded, name):
    policy, rule = builtin()[name], "members-to-sector-masses"
    r = rule_of(loaded, policy, rule, "2025-06-30")  # the last day of the second quarter
    assert r["requirement"] == "固定联系群众至少 3 人，每人每季度联系至少 1 次"
    # every member is counted; sitting in a sector is not a contact (W has none, Q two people, Z's third is tomorrow)
    assert (r["covered"], r["total"], [u["id"] for u in r["uncovered"]]) == (3, 6, ["Q", "W", "Z"])
    assert r["effective"] == 2  # P (today, this quarter's first day, the quarter before's last day), X (this quarter)
    assert reasons(r) == {"too_long_ago": 1}  # Y: 辛 was last met in the last quarter of last year
    r = rule_of(loaded, policy, rule, "2025-07-01")  # the third quarter's first day
    assert (r["covered"], r["effective"]) == (4, 2)  # X, and Z (寅 met today); the second quarter counts for both
    assert reasons(r) == {"too_long_ago": 2}  # P: 丙 was met in the first quarter; Y: 辛
    r = rule_of(loaded, policy, rule, "2024-12-31")  # Y's 辛 on the day, but one person is not three
    assert (r["covered"], r["effective"]) == (0, 0)


def test_a_policy_file_says_where_its_requirement_is_wrong():
    base = "name: p\nrules:\n  - id: r\n    covers: {kind: member}\n    by: {kind: member}\n    through: [liaison]\n"
    for extra, words in (("    contact: {per: 每周}\n", "每周"), ("    contact: {modes: [写信]}\n", "写信"),
                         ("    contact: {count: 0}\n", "至少为 1"), ("    affinity_required: true\n", "affinity"),
                         ("    contact: {per: 每年, within_days: 30}\n", "只能给一个"),
                         ("    contact: {people: 3}\n", "masses")):
        with pytest.raises(InputError) as caught:
            parse_policy(base + extra, "p.yaml")
        assert "p.yaml" in str(caught.value) and "第7行" in str(caught.value) and words in str(caught.value)


# --- effective coverage against a naive computation --------------------------------------------------
DAY_CHOICES = ["2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01", "2024-12-31", "2025-01-01", "2025-02-15"]
# the periods' first and last days, the as-of days, and days a window of 45 days starts on
EDGE_DAYS = ["2023-12-31", "2024-01-01", "2024-02-15", "2024-03-31", "2024-04-01", "2024-05-17", "2024-06-30",
             "2024-07-01", "2024-10-01", "2024-12-31", "2025-01-01", "2025-02-01", "2025-02-15"]
MODE_WORDS = {"谈心谈话": "talk", "走访": "visit", "电话": "phone"}


def _naive_effective(ledger: list[tuple], pairs: set, req: Requirement, day: str, window_days: int) -> set[str]:
    """The non-party members with an effective liaison, worked out from the ledger alone:
    the days of each qualifying contact, compared period by period as calendar dates."""
    def qualifying(a, b):
        return sorted(d for x, y, d, mode in ledger if {x, y} == {a, b} and d <= day
                      and (not req.modes or mode in req.modes))
    when = dt.date.fromisoformat(day)
    if req.period is None:
        since = (when - dt.timedelta(days=req.within_days if req.within_days is not None else window_days)).isoformat()
        ok = lambda dates: sum(d >= since for d in dates) >= req.count  # noqa: E731
    else:
        def key(d: str):  # the calendar period a day falls in, as (year, index)
            date = dt.date.fromisoformat(d)
            size = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[req.period]
            return date.year * 12 // size + (date.month - 1) // size
        now = key(day)
        ok = lambda dates: sum(key(d) == now for d in dates) >= req.count or \
            sum(key(d) == now - 1 for d in dates) >= req.count  # noqa: E731
    return {b for a, b in pairs if ok(qualifying(a, b))}


@settings(max_examples=150, deadline=None)
@given(contacts=st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["X", "Y", "Z"]),
                                   st.one_of(st.sampled_from(EDGE_DAYS), st.dates(dt.date(2023, 1, 1), dt.date(
                                       2025, 3, 1)).map(dt.date.isoformat)),
                                   st.sampled_from(sorted(MODE_WORDS))), max_size=12, unique=True),
       liaisons=st.sets(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["X", "Y", "Z"])), min_size=1),
       period=st.sampled_from([None, *PERIODS.labels]), window=st.sampled_from([None, 0, 45, 400]),
       modes=st.lists(st.sampled_from(sorted(MODE_WORDS.values())), max_size=2, unique=True),
       count=st.integers(1, 3), day=st.sampled_from(DAY_CHOICES))
def test_effective_coverage_equals_a_naive_computation(contacts, liaisons, period, window, modes, count, day):
    req = Requirement(modes=tuple(modes), count=count, period=period, within_days=None if period else window)
    rule = Rule(id="r", label="r", covers=Select("member", cpc=False), by=Select("member", cpc=True),
                through=("liaison",), requirement=req)
    roster = {"committees": [{"id": "T", "name": "县政协"}],
              "members": [{"id": i, "name": i, "affiliation": "中共党员" if i in "AB" else "民盟", "committee_id": "T",
                           "sector": "经济界"} for i in "ABXYZ"],
              "liaisons": [{"from_id": a, "to": b} for a, b in sorted(liaisons)],
              "contacts": [{"from_id": a, "to_id": b, "date": d, "mode": w} if i % 2 else
                           {"from_id": b, "to_id": a, "date": d, "mode": w}  # either direction counts
                           for i, (a, b, d, w) in enumerate(contacts)]}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "s.db") as store:
        load_files([write_json(Path(tmp) / "r.json", roster)], store)
        view = View(store.graph(), day, None, store.committees())
        got = report(view, Policy(name="p", label="p", rules=(rule,), window_days=180), None)["rules"][0]
    ledger = [(a, b, d, MODE_WORDS[w]) for a, b, d, w in contacts]
    expected = _naive_effective(ledger, liaisons, req, day, 180)
    assert got["effective"] == len(expected)
    assert got["covered"] - got["effective"] == sum(got["not_effective"].values())
    assert set(got["not_effective"]) == set(REASONS[1:])


# --- what is due ------------------------------------------------------------------------------
def due_rows(store, policy: str, day: str, within=None) -> dict:
    """Each holder's rows as (to, due, done, days left, overdue, state), through the verb."""
    result = questions.due(store, WHOLE, PolicyAsked(policy), dt.date.fromisoformat(day), within=within)
    return {h["id"]: [(i["to_id"], i["due"], i["done"], i["days_left"], i["overdue"], i["state"]) for i in h["items"]]
            for h in result["holders"]} | {"counts": result["counts"]}


def test_what_is_due_by_hand(loaded):
    got = due_rows(loaded, "fuxing", "2025-06-30")
    assert got == {"Q": [("W", "2025-03-31", 0, 0, 91, "overdue"),  # never contacted: due by the quarter before's end
                         ("X", "2025-06-30", 0, 0, 0, "due"),  # met the quarter before: due by this one's end (today)
                         ("Z", "2025-09-30", 1, 92, 0, "met")],  # met today: due by the next quarter's end
                   "counts": {"overdue": 1, "due": 1, "met": 1}}  # Y, of another group, is left out
    assert due_rows(loaded, "fuxing", "2025-06-30", within=0)["Q"] == got["Q"][:2]
    hangzhou = due_rows(loaded, "hangzhou", "2025-06-30")["P"]
    assert hangzhou == [("X", "2024-12-31", 0, 0, 181, "overdue"),  # a phone call is not a talk
                        ("丙", "2025-06-30", 0, 0, 0, "due"),  # the masses: met the quarter before, due by today
                        ("乙", "2025-09-30", 1, 92, 0, "met"), ("甲", "2025-09-30", 1, 92, 0, "met"),  # met this quarter
                        ("Z", "2025-12-31", 0, 184, 0, "due"),  # talked to last year
                        ("Y", "2026-12-31", 1, 549, 0, "met")]  # through the sector P liaises with
    # a member's fixed contacts among the masses, each due as a liaison would be
    assert due_rows(loaded, "silian", "2025-06-30")["Y"] == [
        ("辛", "2025-03-31", 0, 0, 91, "overdue"),  # last met in the last quarter of last year
        ("壬", "2025-09-30", 1, 92, 0, "met"), ("癸", "2025-09-30", 1, 92, 0, "met")]  # met this quarter
    rolling = due_rows(loaded, "hangzhou", "2025-06-30")["Q"]  # one contact of any mode within 180 days
    assert rolling == [("W", "2025-06-30", 0, 0, 0, "due"), ("X", "2025-09-27", 1, 89, 0, "met"),
                       ("丁", "2025-09-30", 1, 92, 0, "met"), ("甲", "2025-09-30", 1, 92, 0, "met"),  # Q's two people
                       ("Y", "2025-11-28", 1, 151, 0, "met"), ("Z", "2025-12-27", 1, 180, 0, "met")]
