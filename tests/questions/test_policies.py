"""Every built-in policy, reach, why, diff and diagnostics on a small roster whose answers
are worked out by hand below — on every store."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook

from liaison_graph.graph.coverage import report

from liaison_graph.graph.reports import store_report
from liaison_graph.graph.errors import InputError, UnknownRule
from liaison_graph.graph.policy import builtin, find_policy, parse_policy
from liaison_graph.graph.reach import diff, network, reach, view_gaps, why
from liaison_graph.graph.view import View, open_view, scope_of
from liaison_graph.loaders import load_files
from tests.conftest import write_json

ROOT = Path(__file__).resolve().parents[2]
D = dt.date(2025, 6, 30)  # the day most answers are for
NEXT = dt.date(2025, 7, 1)  # K's term, D→F's liaison ended the day before; L and M start


def m(mid, position, affiliation, sector, group, specials, orgs="", **dates):
    row = {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": sector,
           "position": position, "activity_group": group}
    if specials:
        row["special_committees"] = specials
    if orgs:
        row["party_org_ids"] = orgs
    return {**row, **dates}


ROSTER = {
    "committees": [{"id": "T", "name": "试验县政协", "level": "县"}],
    "party_orgs": [
        {"id": "PG", "name": "党组", "kind": "党组", "committee_id": "T"},
        {"id": "BR1", "name": "第一支部", "kind": "党支部", "committee_id": "T", "parent_id": "PG"},
        {"id": "BR2", "name": "第二支部", "kind": "党支部", "committee_id": "T", "parent_id": "PG"},
        {"id": "TMP", "name": "全会临时党支部", "kind": "临时党支部", "committee_id": "T",
         "start_date": "2025-01-05", "end_date": "2025-01-10"},
    ],
    "members": [
        {**m("A", "主席", "中共党员", "中共", "G1", "提案委员会", "PG"), "party_group_role": "党组书记"},
        {**m("B", "副主席", "中共党员", "经济界", "G1", "经济委员会", "PG、BR1"), "party_group_role": "党组副书记"},
        m("C", "副主席", "民盟", "民盟", "G1", "提案委员会"),
        m("D", "常委", "中共党员", "教育界", "G2", "经济委员会", "BR2"),
        m("E", "常委", "民建", "经济界", "G2", "经济委员会"),
        m("F", "常委", "无党派人士", "教育界", "G2", "提案委员会"),
        m("H", "委员", "中共党员", "经济界", "G1", "提案委员会", "TMP"),
        m("I", "委员", "群众", "教育界", "G2", "经济委员会"),
        m("J", "委员", "民盟", "民盟", "G1", None),
        m("K", "委员", "中共党员", "教育界", "G2", "提案委员会", "BR2", end_date="2025-06-30"),
        m("L", "委员", "九三学社", "科技界", "G2", "经济委员会", start_date="2025-07-01"),
        m("M", "委员", "群众", "科技界", "G2", "经济委员会", start_date="2025-07-01"),
        m("N", "委员", "民进", "教育界", "G2", "提案委员会"),
    ],
    "liaisons": [
        {"from_id": "B", "to": "C", "mechanism": "结对子", "start_date": "2024-01-01"},
        {"from_id": "D", "to": "C", "mechanism": "结对子"},
        {"from_id": "D", "to": "E", "mechanism": "结对子"},
        {"from_id": "D", "to": "F", "mechanism": "结对子", "end_date": "2025-06-30"},
        {"from_id": "D", "to": "N", "mechanism": "结对子"},
        {"from_id": "D", "to": "L", "mechanism": "结对子", "start_date": "2025-07-01"},
        {"from_id": "K", "to": "I", "mechanism": "结对子"},
        {"from_id": "E", "to": "J", "mechanism": "界别内联系"},
        {"from_id": "A", "target_kind": "界别", "to": "经济界", "mechanism": "党组成员联系界别"},
        {"from_id": "A", "target_kind": "专委会", "to": "提案委员会", "mechanism": "党组成员联系专委会"},
        {"from_id": "A", "target_kind": "党组织", "to": "BR2", "mechanism": "党组书记联系党支部"},
    ],
    "contacts": [
        {"from_id": "D", "to_id": "E", "date": "2025-03-01", "mode": "谈心谈话"},
        {"from_id": "B", "to_id": "C", "date": "2024-10-01", "mode": "走访"},
        {"from_id": "I", "to_id": "K", "date": "2025-06-30", "mode": "电话"},
    ],
}


@pytest.fixture
def loaded(store, tmp_path):
    load_files([write_json(tmp_path / "t.json", ROSTER)], store)
    return store


def run(store, policy, day=D, by=None):
    """The whole store's report, as the command and the API get it (from the columns the
    embedded store keeps), checked against the view's."""
    result = store_report(store, day, find_policy(policy), None, by)
    assert result == report(open_view(store, day), find_policy(policy), by)
    return result


def rules(result) -> dict:
    return {r["id"]: r for r in result["rules"]}


def ids(items) -> list[str]:
    return [i["id"] for i in items]


def counts(rule) -> tuple:
    return rule["covered"], rule["total"], ids(rule["uncovered"])


def test_two_coverages_by_hand_and_equal_to_the_flagship_gaps(loaded):
    r = rules(run(loaded, "两个全覆盖"))
    assert counts(r["party-member-unorganised"]) == (4, 5, ["H"])  # H only in the expired temporary branch
    assert counts(r["non-party-without-liaison"]) == (5, 6, ["J"])  # J's only liaison is non-party E
    assert r["non-party-without-liaison"]["effective"] == 2  # E (talk 03-01) and I (call on D itself)
    for day in (D, NEXT):
        got = rules(run(loaded, "two-coverages", day))
        for rule in ("party-member-unorganised", "non-party-without-liaison"):
            assert got[rule]["uncovered"] == loaded.gaps(rule, day)
    nxt = rules(run(loaded, "two-coverages", NEXT))
    assert counts(nxt["non-party-without-liaison"]) == (4, 8, ["F", "I", "J", "M"])
    assert counts(nxt["party-member-unorganised"]) == (3, 4, ["H"])


def test_sanlian(loaded):
    r = rules(run(loaded, "三联"))
    assert counts(r["party-group-to-sectors"]) == (1, 5, ["T:中共", "T:教育界", "T:民盟", "T:科技界"])
    assert counts(r["party-member-to-non-party"]) == (5, 6, ["J"])
    assert r["party-member-to-non-party"]["affinity"] == {"by": "sector", "matched": 3, "of": 5, "ratio": 0.6}


def test_silian(loaded):
    r = rules(run(loaded, "四联"))
    assert counts(r["party-group-to-non-party-standing"]) == (2, 3, ["F"])  # E through A's sector liaison
    assert counts(r["party-standing-to-non-party"]) == (4, 6, ["I", "J"])  # K is no standing member
    assert counts(r["chair-council-to-party-members"]) == (2, 3, ["H"])  # D and K through A → 第二支部
    # no contact with the masses recorded: sitting in a sector is none (L and M not seated yet)
    assert counts(r["members-to-sector-masses"]) == (0, 11, list("ABCDEFHIJKN"))
    later = rules(run(loaded, "silian", NEXT))
    assert counts(later["members-to-sector-masses"]) == (0, 12, list("ABCDEFHIJLMN"))
    assert counts(later["chair-council-to-party-members"]) == (1, 2, ["H"])  # K's term ended


def test_silianxi(loaded):
    r = rules(run(loaded, "四联系"))
    assert counts(r["party-group-to-special-committees"]) == (1, 2, ["T:经济委员会"])
    assert counts(r["special-committees-to-sector-members"]) == (10, 11, ["J"])
    assert counts(r["party-member-to-non-party"]) == (5, 6, ["J"])


def test_hangzhou(loaded):
    r = rules(run(loaded, "杭州"))
    assert counts(r["party-group-to-sector-non-party"]) == (2, 6, ["F", "I", "J", "N"])
    assert r["party-member-to-non-party-in-group"]["affinity"]["matched"] == 5


def test_pairing_capacity_breaches(loaded):
    r = rules(run(loaded, "结对子"))["pairing"]
    assert counts(r) == (5, 6, ["J"])
    assert [(i["id"], i["count"]) for i in r["capacity"]["over"]] == [("D", 4)]  # C, E, F, N
    assert [(i["id"], i["count"]) for i in r["capacity"]["under"]] == [("A", 0), ("H", 0)]
    later = rules(run(loaded, "pairing", NEXT))["pairing"]
    assert [(i["id"], i["count"]) for i in later["capacity"]["over"]] == [("D", 4)]  # F ended, L began
    assert [(i["id"], i["count"]) for i in later["capacity"]["under"]] == [("A", 0), ("H", 0)]  # K gone


def test_findings_and_breakdowns(loaded):
    result = run(loaded, "two-coverages", by="sector")
    assert result["headline"]["party_work"]["covered"] == 5 and result["headline"]["party_org"]["total"] == 5
    assert ids(result["members_without_special_committee"]) == ["J"]
    # 民盟's sector is a democratic party's own: no CPC member is expected there (the policy's default)
    assert ids(result["sectors_without_cpc"]) == ["T:科技界"]
    assert ids(result["sectors_expected_without_cpc"]) == ["T:民盟"]
    # quiet on D: every current member-to-member liaison older than the window (an unknown start
    # counts as old) without a contact since 2025-01-01; quiet since an unknown time first, then
    # the longest quiet (B→C: last contact 2024-10-01, 272 days)
    quiet = [(q["from_id"], q["to_id"], q["days_quiet"]) for q in result["quiet_liaisons"]]
    assert quiet == [("D", "C", None), ("D", "F", None), ("D", "N", None), ("E", "J", None), ("B", "C", 272)]
    work = {b["key"]: (b["name"], b["committee_id"], b["committee_name"], b["covered"], b["total"])
            for b in rules(result)["non-party-without-liaison"]["breakdown"]}
    assert work == {"T:民盟": ("民盟", "T", "试验县政协", 1, 2), "T:经济界": ("经济界", "T", "试验县政协", 1, 1),
                    "T:教育界": ("教育界", "T", "试验县政协", 3, 3)}
    by_committee = run(loaded, "two-coverages", by="committee")
    row = rules(by_committee)["party-member-unorganised"]["breakdown"][0]
    assert (row["key"], row["covered"], row["total"], row["rollup_total"]) == ("T", 4, 5, 5)


def _roster(members, liaisons=(), contacts=(), committees=None):
    return {"committees": committees or [{"id": "T", "name": "试验县政协", "level": "县"}],
            "members": [{"committee_id": "T", "name": f"委员{row['id']}", "sector": "经济界", **row} for row in members],
            **({"liaisons": list(liaisons)} if liaisons else {}), **({"contacts": list(contacts)} if contacts else {})}


def test_a_liaison_younger_than_the_window_is_not_quiet_and_the_longest_quiet_come_first(store, tmp_path):
    """Quiet: older than the window (started before its first day, or at an unknown time)
    and no contact within it. Days quiet: since the last contact, else since the start;
    quiet since an unknown time first, then the longest quiet."""
    members = [{"id": "A", "affiliation": "中共党员"}, *({"id": x, "affiliation": "群众"} for x in "BCDE")]
    liaisons = [{"from_id": "A", "to": "B", "start_date": "2025-06-30"},  # started today
                {"from_id": "A", "to": "C", "start_date": "2025-03-01"},  # within the window
                {"from_id": "C", "to": "D", "start_date": "2025-01-01"},  # on the window's first day
                {"from_id": "A", "to": "D", "start_date": "2024-12-31"},  # the day before it: 181 days
                {"from_id": "A", "to": "E", "start_date": "2024-01-01"},  # last contact 2024-12-01: 211 days
                {"from_id": "B", "to": "C"},  # start unknown, last contact 2024-06-30: 365 days
                {"from_id": "D", "to": "E"}]  # start unknown, never contacted
    contacts = [{"from_id": "A", "to_id": "E", "date": "2024-12-01"}, {"from_id": "C", "to_id": "B", "date": "2024-06-30"}]
    load_files([write_json(tmp_path / "q.json", _roster(members, liaisons, contacts))], store)
    quiet = [(q["from_id"], q["to_id"], q["days_quiet"]) for q in run(store, "two-coverages")["quiet_liaisons"]]
    assert quiet == [("D", "E", None), ("B", "C", 365), ("A", "E", 211), ("A", "D", 181)]
    policy = find_policy(None)
    for window, expected in ((0, {("A", "C"), ("C", "D"), ("A", "D"), ("A", "E"), ("B", "C"), ("D", "E")}),
                             (400, {("D", "E")})):
        got = store_report(store, D, policy, None, None, window)
        assert got == report(open_view(store, D), policy, None, window)
        assert {(q["from_id"], q["to_id"]) for q in got["quiet_liaisons"]} == expected, window


SECTORS = ["中共", "中国民主同盟", "九三学社", "无党派人士", "民建", "经济界", "特邀界"]


def _sector_policy(setting: str | None) -> str:
    return ("name: s\n" + (f"sectors_expected_without_cpc: {setting}\n" if setting else "")
            + "rules:\n  - id: r\n    covers: {kind: member, cpc: false}\n    by: {kind: member, cpc: true}\n"
            "    through: [liaison]\n")


@pytest.mark.parametrize("setting, listed", [
    (None, ["经济界", "特邀界"]),  # the default: the democratic parties' and 无党派人士's sectors left out
    ("party", ["经济界", "特邀界"]),
    ("none", SECTORS[1:]),
    ("[特邀界]", ["中国民主同盟", "九三学社", "无党派人士", "民建", "经济界"]),
    ("[party, ' 特邀界 ']", ["经济界"]),
])
def test_sectors_without_a_cpc_member_leave_out_those_the_policy_expects(store, tmp_path, setting, listed):
    """Which sectors are expected to have no CPC member is the policy's: by default the
    sectors named as the model names a democratic party or 无党派人士 (any of its spellings)."""
    members = [{"id": f"M{i}", "affiliation": "中共党员" if i == 0 else "群众", "sector": name}
               for i, name in enumerate(SECTORS)]
    load_files([write_json(tmp_path / "s.json", _roster(members))], store)
    policy = parse_policy(_sector_policy(setting), "s.yaml")
    got = store_report(store, D, policy)
    assert got == report(open_view(store, D), policy)
    assert sorted(s["name"] for s in got["sectors_without_cpc"]) == sorted(listed)
    assert sorted(s["name"] for s in got["sectors_expected_without_cpc"]) == sorted(set(SECTORS[1:]) - set(listed))


@pytest.mark.parametrize("setting", ["sometimes", "{a: 1}", "[]"])
def test_a_bad_sectors_expected_without_cpc_is_refused_with_its_line(setting):
    with pytest.raises(InputError) as err:
        parse_policy(_sector_policy(setting), "s.yaml")
    message = err.value.message
    assert "s.yaml 第2行" in message and "sectors_expected_without_cpc" in message and "party" in message and "none" in message


def test_breakdowns_by_group_have_a_row_for_each_committees_group_in_natural_order(store, tmp_path):
    """Groups of the same name in two counties are two rows, each with its committee; a
    committee's rows in natural order (第二 before 第十, 第十 before 第十一), （无） last."""
    committees = [{"id": "CITY", "name": "某市政协", "level": "市"},
                  {"id": "A", "name": "甲县政协", "level": "县", "parent_id": "CITY"},
                  {"id": "B", "name": "乙县政协", "level": "县", "parent_id": "CITY"}]
    groups = {"a1": "第一委员活动组", "a2": "第十一委员活动组", "a3": "第二委员活动组", "a4": "第十委员活动组",
              "a5": None, "b1": "第二委员活动组", "b2": "第一委员活动组"}
    members = [{"id": "a0", "affiliation": "中共党员", "committee_id": "A", "activity_group": "第一委员活动组",
                "special_committees": "提案委员会"}]
    for mid, group in groups.items():
        members.append({"id": mid, "affiliation": "群众", "committee_id": mid[0].upper(), "sector": "经济界",
                        **({"activity_group": group, "special_committees": "提案委员会"} if group else {})})
    load_files([write_json(tmp_path / "g.json", _roster(members, [{"from_id": "a0", "to": "a1"}],
                                                        committees=committees))], store)
    rows = [(b["key"], b["name"], b["committee_id"], b["committee_name"], b["covered"], b["total"])
            for b in rules(run(store, "two-coverages", by="activity_group"))["non-party-without-liaison"]["breakdown"]]
    assert rows == [("A:第一委员活动组", "第一委员活动组", "A", "甲县政协", 1, 1),
                    ("A:第二委员活动组", "第二委员活动组", "A", "甲县政协", 0, 1),
                    ("A:第十委员活动组", "第十委员活动组", "A", "甲县政协", 0, 1),
                    ("A:第十一委员活动组", "第十一委员活动组", "A", "甲县政协", 0, 1),
                    ("B:第一委员活动组", "第一委员活动组", "B", "乙县政协", 0, 1),
                    ("B:第二委员活动组", "第二委员活动组", "B", "乙县政协", 0, 1),
                    ("（无）", "（无）", None, None, 0, 1)]
    special = rules(run(store, "two-coverages", by="special_committee"))["non-party-without-liaison"]["breakdown"]
    assert [(b["key"], b["committee_name"], b["total"]) for b in special] == \
        [("A:提案委员会", "甲县政协", 4), ("B:提案委员会", "乙县政协", 2), ("（无）", None, 1)]
    sectors = rules(run(store, "two-coverages", by="sector"))["non-party-without-liaison"]["breakdown"]
    assert [(b["key"], b["name"], b["total"]) for b in sectors] == [("A:经济界", "经济界", 5), ("B:经济界", "经济界", 2)]
    county = store_report(store, D, find_policy(None), "B", "activity_group")
    assert [b["key"] for b in rules(county)["non-party-without-liaison"]["breakdown"]] == \
        ["B:第一委员活动组", "B:第二委员活动组"]


def test_reach_by_hand(loaded):
    items = {(i["kind"], i["id"]): i["distance"] for i in reach(open_view(loaded, D), "A", 2)}
    assert items[("sector", "T:中共")] == 0
    for mid in ("B", "C", "D", "E", "F", "H", "K", "N"):
        assert items[("member", mid)] == 1
    assert items[("sector", "T:经济界")] == 1 and items[("special_committee", "T:提案委员会")] == 1
    assert items[("party_org", "BR2")] == 1 and items[("sector", "T:民盟")] == 1
    assert items[("member", "I")] == 2 and items[("member", "J")] == 2
    assert ("member", "L") not in items and ("member", "A") not in items
    one = {(i["kind"], i["id"]) for i in reach(open_view(loaded, D), "A", 1)}
    assert ("member", "I") not in one
    # from an organisation: its members at 0, what they liaise with beyond
    org = {(i["kind"], i["id"]): i["distance"] for i in reach(open_view(loaded, D), "BR2", 1)}
    assert org[("member", "D")] == 0 and org[("member", "E")] == 1 and org[("member", "I")] == 1


def test_why_by_hand(loaded):
    c = why(open_view(loaded, D), "C")
    assert c["covered"] and [[p["id"] for p in chain] for chain in c["chains"]] == [["B", "C"], ["D", "C"]]
    j = why(open_view(loaded, D), "J")
    assert not j["covered"] and any("不是中共党员" in r for r in j["reasons"])
    f = why(open_view(loaded, NEXT), "F")
    assert not f["covered"] and any("2025-06-30 结束" in r for r in f["reasons"])
    i = why(open_view(loaded, NEXT), "I")
    assert not i["covered"] and any("不在任" in r for r in i["reasons"])
    h = why(open_view(loaded, D), "H")
    assert not h["covered"] and any("临时党支部" in r and "2025-01-10" in r for r in h["reasons"])


def test_diff_by_hand(loaded):
    scope, committees = scope_of(loaded, None)
    G = loaded.subgraph(scope)
    got = diff(View(G, D.isoformat(), scope, committees), View(G, NEXT.isoformat(), scope, committees), view_gaps)
    assert [(i["id"], i["change"], i["reason"]) for i in got] == [
        ("F", "lost", "liaison_ended"), ("I", "lost", "liaison_member_left"), ("M", "lost", "new_member")]
    back = diff(View(G, NEXT.isoformat(), scope, committees), View(G, D.isoformat(), scope, committees), view_gaps)
    assert {(i["id"], i["change"]) for i in back} == {("F", "gained"), ("I", "gained"), ("M", "gained")}
    assert next(i for i in back if i["id"] == "M")["reason"] == "term_ended"


def test_network_by_hand(loaded):
    result = network(open_view(loaded, D))
    assert result["load"][0]["id"] == "D" and result["load"][0]["liaisons"] == 4
    assert ids(result["cpc_without_liaison"]) == ["H"]
    assert ids(result["isolated"]) == ["H"]
    sectors = result["sector_matrix"]["sectors"]
    matrix = dict(zip(sectors, result["sector_matrix"]["counts"], strict=True))
    assert matrix["教育界"][sectors.index("教育界")] == 3  # D→F, D→N, K→I
    assert ids(result["brokers"])[0] == "D"
    # the liaison circle of B, C, D, E, F, N, J: of the 15 pairs of D's six others, 13 are
    # joined only through D; C and E each stand between one member and the five others
    shares = {b["id"]: (b["part_members"], b["paths_through"], b["path_share"]) for b in result["brokers"]}
    assert shares == {"D": (7, 13, round(13 / 15, 4)), "C": (7, 5, round(5 / 15, 4)), "E": (7, 5, round(5 / 15, 4))}


def test_network_brokers_are_exact_past_300_members():
    """Past 300 members the brokers were estimated from 300 sampled sources; their
    betweenness is now exact, equal to networkx's exact figure on the whole network."""
    G = nx.MultiDiGraph()
    ids = [f"M{i:03d}" for i in range(400)]
    for i, mid in enumerate(ids):
        G.add_node(("Member", mid), node_kind="Member", id=mid, name=mid, committee_id="C", sector="经济界",
                   cpc=i % 2 == 0)
    links = [(ids[s], ids[s + j]) for s in range(0, 240, 40) for j in range(1, 40)]  # six stars of 40
    links += [(a, b) for s in range(240, 400, 8) for a, b in zip(ids[s:s + 7], ids[s + 1:s + 8], strict=True)]  # chains
    for a, b in links:
        G.add_edge(("Member", a), ("Member", b), key=("LIAISES_WITH", ""), edge_kind="LIAISES_WITH")
    result = network(View(G, D.isoformat(), None, {"C": {"id": "C", "name": "某县政协"}}), top=400)
    exact = nx.betweenness_centrality(nx.Graph(links))
    assert {b["id"]: b["betweenness"] for b in result["brokers"]} == \
        {m: round(b, 4) for m, b in exact.items() if b > 0}
    assert [b["id"] for b in result["brokers"][:6]] == [ids[s] for s in range(0, 240, 40)]


def test_network_brokers_of_a_part_past_300_members_are_estimated_on_the_whole_scale():
    G = nx.MultiDiGraph()
    ids = [f"M{i:03d}" for i in range(360)]  # a hub liaising with 350 members, and 9 members alone
    for mid in ids:
        G.add_node(("Member", mid), node_kind="Member", id=mid, name=mid, committee_id="C", sector="经济界", cpc=True)
    for leaf in ids[1:351]:
        G.add_edge(("Member", ids[0]), ("Member", leaf), key=("LIAISES_WITH", ""), edge_kind="LIAISES_WITH")
    brokers = network(View(G, D.isoformat(), None, {"C": {"id": "C", "name": "某县政协"}}))["brokers"]
    exact = nx.betweenness_centrality(nx.Graph(G.to_undirected()))[("Member", ids[0])]
    assert [b["id"] for b in brokers] == [ids[0]]
    assert abs(brokers[0]["betweenness"] - exact) < 0.02 * exact


def test_committee_scope_sees_its_subtree_only(store, tmp_path):
    roster = json.loads(json.dumps(ROSTER))
    roster["committees"] = [{"id": "CITY", "name": "某市政协", "level": "市"},
                            {"id": "T", "name": "试验县政协", "level": "县", "parent_id": "CITY"},
                            {"id": "T2", "name": "邻县政协", "level": "县", "parent_id": "CITY"}]
    roster["members"].append(m("Z", "委员", "群众", "经济界", "G9", "提案委员会") | {"committee_id": "T2"})
    load_files([write_json(tmp_path / "c.json", roster)], store)
    county = report(open_view(store, D, "T2"), find_policy(None))
    assert ids(rules(county)["non-party-without-liaison"]["uncovered"]) == ["Z"]
    city = report(open_view(store, D, "CITY"), find_policy(None), by="committee")
    rows = {b["key"]: b for b in rules(city)["non-party-without-liaison"]["breakdown"]}
    assert (rows["CITY"]["total"], rows["CITY"]["rollup_total"], rows["CITY"]["rollup_covered"]) == (0, 7, 5)
    assert (rows["T2"]["total"], rows["T2"]["covered"]) == (1, 0)


# --- policy files -----------------------------------------------------------------------
def test_builtin_policies_load_by_english_and_chinese_names():
    assert set(builtin()) == {"two-coverages", "sanlian", "silian", "silianxi", "hangzhou", "pairing", "fuxing"}
    for name, label in (("sanlian", "三联"), ("silian", "四联"), ("silianxi", "四联系"), ("hangzhou", "杭州"),
                        ("pairing", "结对子"), ("two-coverages", "两个全覆盖"), ("fuxing", "复兴区")):
        assert find_policy(name) is find_policy(label) is builtin()[name]
    with pytest.raises(UnknownRule):
        find_policy("五联")


BAD_POLICIES = [
    ("name: x\nrules:\n  - id: r\n    covers: {kind: member}\n    by: {kind: member}\n    through: [telepathy]\n", 6, "telepathy"),
    ("name: x\nrules:\n  - id: r\n    covers: {kind: memberr}\n    by: {kind: member}\n    through: [liaison]\n", 4, "memberr"),
    ("name: x\nrules:\n  - id: r\n    covers: {kind: member}\n    by: {kind: member}\n    through: [liaison]\n"
     "    capacity: {min: 3, max: 1}\n", 7, "max"),
    ("name: x\nrules:\n  - id: r\n    covers: {kind: member, cpc: maybe}\n    by: {kind: member}\n    through: [liaison]\n", 4, "maybe"),
    ("name: x\nrules:\n  - id: r\n    covers: {kind: member}\n    through: [liaison]\n", 3, "by"),
    ("name: x\nrules: [\n", 3, "YAML"),
    ("name: x\nrulez: []\n", 2, "rulez"),
    ("name: x\nrules:\n  - id: r\n    covers: {kind: sector}\n    by: {kind: member}\n    through: [via_sector]\n", 6, "via_"),
]


@pytest.mark.parametrize("text,line,word", BAD_POLICIES)
def test_bad_policy_is_refused_with_the_line_at_fault(text, line, word):
    with pytest.raises(InputError) as err:
        parse_policy(text, "p.yaml")
    assert f"p.yaml 第{line}行" in err.value.message and word in err.value.message and "\n" not in err.value.message


# --- the command line -------------------------------------------------------------------
def cli(*args, db):
    return subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_coverage_reach_why_diff_network(tmp_path):
    db = tmp_path / "t.db"
    assert cli("load", str(write_json(tmp_path / "t.json", ROSTER)), db=db).returncode == 0
    proc = cli("coverage", "--policy", "四联", "--by", "committee", "--as-of", "2025-06-30", "--format", "json",
               "--xlsx", str(tmp_path / "r.xlsx"), db=db)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["policy"] == "silian" and data["as_of"] == "2025-06-30" and len(data["rules"]) == 4
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames[0] == "概览" and any(n.startswith("未覆盖：") for n in wb.sheetnames)
    first = wb[next(n for n in wb.sheetnames if n.startswith("未覆盖："))]
    assert any("F" in row for row in first.iter_rows(values_only=True))  # the first rule's uncovered member
    table = cli("coverage", "--as-of", "2025-06-30", db=db)
    assert "党的工作对党外委员全覆盖" in table.stdout and "委员J" in table.stdout
    reach_json = json.loads(cli("reach", "A", "--hops", "2", "--as-of", "2025-06-30", "--format", "json", db=db).stdout)
    assert reach_json["from"] == "A" and {"id": "I", "kind": "member", "name": "委员I", "distance": 2} in reach_json["items"]
    assert "不是中共党员" in cli("why", "J", "--as-of", "2025-06-30", db=db).stdout
    changes = json.loads(cli("diff", "--from", "2025-06-30", "--to", "2025-07-01", "--format", "json", db=db).stdout)
    assert [i["id"] for i in changes["items"]] == ["F", "I", "M"]
    assert "联系最多的委员" in cli("network", "--as-of", "2025-06-30", db=db).stdout
    bad = cli("coverage", "--policy", str(tmp_path / "missing.yaml"), db=db)
    assert bad.returncode == 1 and "missing.yaml" in bad.stderr and "Traceback" not in bad.stderr
    nobody = cli("reach", "NOBODY", db=db)
    assert nobody.returncode == 1 and "NOBODY" in nobody.stderr


def test_cli_coverage_counts_are_the_reports_numbers(tmp_path):
    db = tmp_path / "t.db"
    assert cli("load", str(write_json(tmp_path / "t.json", ROSTER)), db=db).returncode == 0
    full = json.loads(cli("coverage", "--by", "committee", "--as-of", "2025-06-30", "--format", "json", db=db).stdout)
    proc = cli("coverage", "--counts", "--as-of", "2025-06-30", "--format", "json", db=db)
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    assert [{k: r[k] for k in ("id", "total", "covered", "ratio", "breakdown")} for r in counts["rules"]] == \
        [{k: r[k] for k in ("id", "total", "covered", "ratio", "breakdown")} for r in full["rules"]]
    table = cli("coverage", "--counts", "--as-of", "2025-06-30", db=db).stdout
    assert "按政协统计" in table and "含下级覆盖率" in table
    bad = cli("coverage", "--counts", "--policy", "四联", db=db)
    assert bad.returncode != 0 and "--counts" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
