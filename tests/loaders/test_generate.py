"""The generator follows the field's composition rules and its output loads; the shipped
sample holds every case the flagship rules must get right, and the product's answers on
it agree with the naive checker."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate, hierarchy, rosters
from liaison_graph.loaders.sample import SAMPLE, sample_rows
from tests.questions.test_properties import naive_gaps

ROOT = Path(__file__).resolve().parents[2]
RULES = ("non-party-without-liaison", "party-member-unorganised")
DAYS = ("2022-06-30", "2025-01-15", "2026-01-20", "2026-11-01")


def cleaned(roster: dict) -> dict:
    return {t: [{k: v for k, v in r.items() if v is not None} for r in rows] for t, rows in roster.items()}


def cpc(member: dict) -> bool:
    return "中共党员" in member["affiliation"].split("、")


def test_same_seed_same_bytes_other_seed_other_roster(tmp_path):
    generate("county", 7, tmp_path / "a")
    generate("county", 7, tmp_path / "b")
    generate("county", 8, tmp_path / "c")
    for name in ("committees", "party_orgs", "members", "liaisons", "contacts"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert (tmp_path / "a" / "members.csv").read_bytes() != (tmp_path / "c" / "members.csv").read_bytes()


def test_nation_has_every_committee_of_the_system():
    import random

    levels = Counter(c.level for c in hierarchy("nation", random.Random("1:nation")))
    assert levels == {"national": 1, "province": 31, "city": 330, "county": 2800}


@pytest.mark.parametrize("scale", ["county", "city"])
def test_composition_rules_hold_in_every_committee(scale):
    for roster in rosters(scale, 3):
        members = roster["members"]
        (committee,) = roster["committees"]
        n = len(members)
        assert sum(map(cpc, members)) < 0.40 * n
        standing = [m for m in members if m["position"] != "member"]
        assert sum(not cpc(m) for m in standing) >= 0.65 * len(standing)
        vice = [m for m in members if m["position"] == "vice_chair"]
        assert sum(not cpc(m) for m in vice) >= 0.5 * len(vice)
        assert [m["position"] for m in members].count("chair") == 1
        assert all(m["sector"] and m["special_committees"] and m["committee_id"] == committee["id"] for m in members)
        lo, hi = {"county": (150, 200), "city": (300, 500)}[committee["level"]]
        assert lo <= n <= hi
        orgs = {o["id"]: o for o in roster["party_orgs"]}
        assert all(o["end_date"] for o in orgs.values() if o["kind"] == "temporary_branch")
        kinds = Counter(o["kind"] for o in orgs.values())
        assert kinds["party_group"] == 1 and kinds["temporary_branch"] == 2
        for m in members:
            assert all(o in orgs for o in (m.get("party_org_ids") or "").split("、") if o)
            assert cpc(m) or not m.get("party_org_ids")
        ids = {m["id"] for m in members}
        sectors = {m["sector"] for m in members}
        for liaison in roster["liaisons"]:
            assert liaison["from_id"] in ids and cpc(next(m for m in members if m["id"] == liaison["from_id"])) \
                or liaison["mechanism"] == "界别内联系"
            target = {"member": ids, "sector": sectors, "party_org": set(orgs)}.get(liaison["target_kind"])
            assert target is None or liaison["to"] in target
        # a year of activities: those over with attendance recorded, those to come with whom they ask
        acts = roster["activities"]
        assert {a["kind"] for a in acts} >= {"全体会议", "培训", "视察", "主题党日"}
        for a in acts:
            people = [p for c in ("member_ids", "attended_ids", "excused_ids", "absent_ids")
                      for p in (a.get(c) or "").split("、") if p]
            assert people and set(people) <= ids and len(people) == len(set(people))
            assert ("member_ids" in a) == (a["end_date"] >= "2026-11-01")
        assert any(a.get("excused_ids") or a.get("absent_ids") for a in acts)
        # contacts with the masses: seated members only, two to four people each, some keeping three
        masses = roster["masses_contacts"]
        seated = {m["id"] for m in members if not m["end_date"] and m["start_date"] <= "2026-11-01"}
        assert masses and {c["from_id"] for c in masses} <= seated
        people = Counter(len({c["person"] for c in masses if c["from_id"] == mid}) for mid in {c["from_id"] for c in masses})
        assert set(people) <= {2, 3, 4} and people[3] and people[2]
        assert all(c["date"] <= "2026-11-01" for c in masses)


def test_city_roster_loads_and_gaps_agree_with_the_naive_checker(tmp_path):
    counts = generate("city", 5, tmp_path / "csv")
    store = EmbeddedStore(tmp_path / "city.db")
    try:
        report = load_files(sorted((tmp_path / "csv").glob("*.csv")), store)
        assert report.rows == counts
        roster = cleaned({t: [r for ros in rosters("city", 5) for r in ros[t]] for t in counts})
        import datetime as dt

        for day in DAYS:
            for rule in RULES:
                got = [i["id"] for i in store.gaps(rule, dt.date.fromisoformat(day))]
                assert got == naive_gaps(roster, rule, day)
        today = [i["id"] for i in store.gaps("non-party-without-liaison", dt.date(2026, 11, 1))]
        non_cpc = [m for m in roster["members"] if not cpc(m)]
        assert 0.03 * len(non_cpc) < len(today) < 0.12 * len(non_cpc)  # deliberate gaps, not chaos
    finally:
        store.close()


def test_xlsx_and_json_output_load_to_the_same_graph_as_csv(tmp_path):
    dumps = []
    for fmt in ("csv", "xlsx", "json"):
        generate("county", 4, tmp_path / fmt, fmt)
        store = EmbeddedStore(tmp_path / f"{fmt}.db")
        try:
            load_files(sorted(p for p in (tmp_path / fmt).iterdir()), store)
            dumps.append(store.dump())
        finally:
            store.close()
    assert dumps[0] == dumps[1] == dumps[2]


def test_cli_refuses_json_at_province_scale(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "generate", "--scale", "province", "--format", "json",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1 and "xlsx" in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


# --- the shipped sample ---------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_truth():
    return cleaned(sample_rows())


def test_sample_has_what_the_issue_asks(sample_truth):
    members, orgs, liaisons = sample_truth["members"], sample_truth["party_orgs"], sample_truth["liaisons"]
    by_id = {m["id"]: m for m in members}
    assert 180 <= len(members) <= 220 and sum(map(cpc, members)) < 0.4 * len(members)
    assert len({m["sector"] for m in members}) >= 15
    assert len({s for m in members for s in m["special_committees"].split("、")}) == 5
    assert len({m["activity_group"] for m in members}) == 6
    temp = [o for o in orgs if o["kind"] == "temporary_branch"]
    assert any(o["end_date"] < "2026-11-01" for o in temp) and any(o["end_date"] > "2026-11-01" for o in temp)
    assert any(o["kind"] == "branch" for o in orgs)
    names = Counter(m["name"] for m in members)
    assert any(count > 1 for count in names.values())
    assert any(cpc(m) and "、" in m["affiliation"] for m in members)
    member_links = [l for l in liaisons if l.get("target_kind", "member") == "member"]
    assert any(not cpc(by_id[l["from_id"]]) and not cpc(by_id[l["to"]]) for l in member_links)
    assert any(l.get("end_date", "9999") < "2026-11-01" for l in member_links)
    assert any(l.get("start_date", "") > "2026-11-22" for l in member_links)
    assert any(l["target_kind"] == "sector" for l in liaisons)
    assert any(m.get("end_date", "9999") < "2026-11-01" for m in members)
    expired = {o["id"] for o in temp if o["end_date"] < "2026-11-01"}
    assert any(cpc(m) and set(m.get("party_org_ids", "").split("、")) == expired for m in members)
    assert sample_truth["contacts"]


def test_shipped_workbook_is_the_sample_and_answers_like_the_naive_checker(tmp_path, sample_truth):
    import datetime as dt

    store = EmbeddedStore(tmp_path / "s.db")
    try:
        report = load_files([SAMPLE], store)
        assert report.rows == {t: len(r) for t, r in sample_truth.items()}
        stored = {k[1]: v for k, v in store.dump()["nodes"].items() if k[0] == "Member"}
        for m in sample_truth["members"]:
            assert stored[m["id"]]["name"] == m["name"]
            assert stored[m["id"]].get("start_date") == m.get("start_date")
            assert stored[m["id"]].get("备注") == m.get("备注")
        for day in DAYS:
            for rule in RULES:
                got = [i["id"] for i in store.gaps(rule, dt.date.fromisoformat(day))]
                assert got == naive_gaps(sample_truth, rule, day)
        # pinned for the README's walk-through
        assert len(store.gaps("non-party-without-liaison", dt.date(2026, 11, 1))) == 8
        assert len(store.gaps("party-member-unorganised", dt.date(2026, 11, 1))) == 7
    finally:
        store.close()
