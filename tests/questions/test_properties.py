"""Property-based tests: random rosters round-trip, and the gap answers agree with a
naive implementation written straight from DATA-FORMAT.md over the roster rows."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liaison_graph.graph import fastpaths
from liaison_graph.graph.flagship import RULE_CPC
from liaison_graph.loaders import load_files

from tests.conftest import open_backend, write_csvs, write_json, write_xlsx

DAYS = ["2023-01-01", "2024-06-30", "2024-07-01", "2025-01-01", "2025-12-31"]
PROBE_DAYS = [*DAYS, "2022-12-31", "2024-12-31", "2026-01-01"]
AFFILIATIONS = ["中共党员", "中共预备党员", "民革", "民盟", "民建", "九三学社", "无党派人士", "无党派民主人士", "群众"]
CPC = {"中共党员", "中共预备党员"}
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静"]  # few names: duplicates on purpose
SECTORS = ["经济界", "教育界", "民盟", "中共"]
ORG_KINDS = ["党组", "党支部", "功能型党支部", "临时党支部", "党小组"]

optional_day = st.sampled_from([None, *DAYS])


@st.composite
def date_range(draw, need_end=False):
    start, end = draw(optional_day), draw(st.sampled_from(DAYS) if need_end else optional_day)
    if start and end and end < start:
        start, end = end, start
    return start, end


def _put(row: dict, **values) -> dict:
    row.update({k: v for k, v in values.items() if v is not None})
    return row


@st.composite
def rosters(draw):
    committees = [{"id": f"C{i}", "name": f"第{i}县政协", "level": "县"} for i in range(draw(st.integers(1, 3)))]
    cids = [c["id"] for c in committees]
    orgs = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(ORG_KINDS))
        start, end = draw(date_range(need_end=kind == "临时党支部"))
        orgs.append(_put({"id": f"O{i}", "name": f"支部{i}", "kind": kind, "committee_id": draw(st.sampled_from(cids))},
                         start_date=start, end_date=end))
    members = []
    for i in range(draw(st.integers(1, 12))):
        start, end = draw(date_range())
        affiliation = draw(st.lists(st.sampled_from(AFFILIATIONS), min_size=1, max_size=2, unique=True))
        in_orgs = draw(st.lists(st.sampled_from([o["id"] for o in orgs]), max_size=2, unique=True)) if orgs else []
        row = {"id": f"M{i}", "name": draw(st.sampled_from(NAMES)), "affiliation": "、".join(affiliation),
               "committee_id": draw(st.sampled_from(cids)), "sector": draw(st.sampled_from(SECTORS))}
        members.append(_put(row, start_date=start, end_date=end, party_org_ids="、".join(in_orgs) or None,
                            备注=draw(st.sampled_from([None, "新任", "连任"]))))
    ids = [m["id"] for m in members]
    liaisons = []
    for j in range(draw(st.integers(0, 14))):
        source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if source == target:
            continue
        start, end = draw(date_range())
        liaisons.append(_put({"from_id": source, "to": target, "mechanism": f"机制{j}"}, start_date=start, end_date=end))
    pairs = list(dict.fromkeys((l["from_id"], l["to"]) for l in liaisons))[:3]
    contacts = [
        {"from_id": a, "to_id": b, "date": draw(st.sampled_from(DAYS)), "mode": "走访", "summary": f"记录{k}"}
        for k, (a, b) in enumerate(pairs)
    ]
    roster = {"committees": committees, "party_orgs": orgs, "members": members, "liaisons": liaisons, "contacts": contacts}
    return {k: v for k, v in roster.items() if v}


def write_any(folder: Path, roster: dict, fmt: str) -> list[Path]:
    if fmt == "json":
        return [write_json(folder / "r.json", roster)]
    if fmt == "xlsx":
        return [write_xlsx(folder / "r.xlsx", roster, title="名单")]
    return write_csvs(folder / "csv", roster, encoding="gb18030", chinese=True)


# --- the naive checker: straight from the definitions, over the rows -----------------
def _holds(row: dict, day: str) -> bool:
    return (row.get("start_date") is None or row["start_date"] <= day) and (
        row.get("end_date") is None or day <= row["end_date"]
    )


def _cpc(member: dict) -> bool:
    return bool(CPC & set(member["affiliation"].split("、")))


def naive_gaps(roster: dict, rule: str, day: str, committee: str | None = None) -> list[str]:
    members = {m["id"]: m for m in roster.get("members", [])}
    orgs = {o["id"]: o for o in roster.get("party_orgs", [])}
    out = []
    for m in members.values():
        if not _holds(m, day) or (committee and m["committee_id"] != committee):
            continue
        if rule == "non-party-without-liaison" and not _cpc(m):
            covered = any(
                l["to"] == m["id"] and _holds(l, day) and _holds(members[l["from_id"]], day) and _cpc(members[l["from_id"]])
                for l in roster.get("liaisons", [])
            )
            if not covered:
                out.append(m)
        if rule == "party-member-unorganised" and _cpc(m):
            org_ids = [o for o in m.get("party_org_ids", "").split("、") if o]
            if not any(_holds(orgs[o], day) for o in org_ids):
                out.append(m)
    return [m["id"] for m in sorted(out, key=lambda m: (m["committee_id"], m["id"]))]


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(roster=rosters(), fmt=st.sampled_from(["json", "xlsx", "csv"]))
def test_round_trip_load_store_reopen(backend, roster, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with open_backend(backend, folder) as store:
            load_files(write_any(folder, roster, fmt), store)
            loaded = store.dump()
        with open_backend(backend, folder, fresh=False) as reopened:
            assert reopened.dump() == loaded
    members = {k[1]: v for k, v in loaded["nodes"].items() if k[0] == "Member"}
    assert set(members) == {m["id"] for m in roster["members"]}
    for row in roster["members"]:
        stored = members[row["id"]]
        assert stored["name"] == row["name"] and stored["committee_id"] == row["committee_id"]
        assert stored["sector"] == row["sector"] and stored.get("备注") == row.get("备注")
        assert stored.get("start_date") == row.get("start_date") and stored.get("end_date") == row.get("end_date")
        assert stored["cpc"] == _cpc(row)
    liaisons = [k for k in loaded["edges"] if k[0] == "LIAISES_WITH"]
    assert sorted((k[2], k[4]) for k in liaisons) == sorted((l["from_id"], l["to"]) for l in roster.get("liaisons", []))


@SETTINGS
@given(roster=rosters())
def test_gaps_agree_with_naive_checker(backend, roster):
    with tempfile.TemporaryDirectory() as tmp:
        with open_backend(backend, Path(tmp)) as store:
            load_files([write_json(Path(tmp) / "r.json", roster)], store)
            for rule in ("non-party-without-liaison", "party-member-unorganised"):
                for day in PROBE_DAYS:
                    got = [i["id"] for i in store.gaps(rule, dt.date.fromisoformat(day))]
                    assert got == naive_gaps(roster, rule, day), (rule, day)
                    committee = roster["committees"][-1]["id"]
                    got_one = [i["id"] for i in store.gaps(rule, dt.date.fromisoformat(day), committee)]
                    assert got_one == naive_gaps(roster, rule, day, committee), (rule, day, committee)


FEWER = settings(SETTINGS, max_examples=30)


@FEWER
@given(roster=rosters())
def test_coverage_ratios_agree_with_the_naive_checker(backend, roster):
    from liaison_graph.graph.coverage import flagship_counts, report
    from liaison_graph.graph.policy import find_policy
    from liaison_graph.graph.view import open_view

    def numbers(result: dict) -> list:
        return [(r["id"], r["total"], r["covered"], r["ratio"], r["breakdown"]) for r in result["rules"]]

    populations = {"non-party-without-liaison": False, "party-member-unorganised": True}
    with tempfile.TemporaryDirectory() as tmp:
        with open_backend(backend, Path(tmp)) as store:
            load_files([write_json(Path(tmp) / "r.json", roster)], store)
            policy = find_policy("两个全覆盖")
            for day in PROBE_DAYS:  # one committee's counts first: the store answers them before loading any index
                d = dt.date.fromisoformat(day)
                for committee in sorted({m["committee_id"] for m in roster["members"]}):
                    assert numbers(flagship_counts(store, d, committee)) == \
                        numbers(report(open_view(store, d, committee), policy, by="committee")), (day, committee)
            for day in PROBE_DAYS:
                result = report(open_view(store, dt.date.fromisoformat(day)), policy, by="committee")
                assert numbers(flagship_counts(store, dt.date.fromisoformat(day))) == numbers(result), day
                for rule in result["rules"]:
                    total = sum(1 for m in roster["members"] if _holds(m, day) and _cpc(m) == populations[rule["id"]])
                    uncovered = naive_gaps(roster, rule["id"], day)
                    assert (rule["total"], rule["covered"]) == (total, total - len(uncovered)), (rule["id"], day)
                    assert rule["ratio"] == (round((total - len(uncovered)) / total, 4) if total else 1.0)
                    assert [i["id"] for i in rule["uncovered"]] == uncovered


@FEWER
@given(roster=rosters(), days=st.lists(st.sampled_from(PROBE_DAYS), min_size=2, max_size=2, unique=True))
def test_diff_is_the_set_difference_of_the_gap_lists(backend, roster, days):
    from liaison_graph.graph.reach import diff, view_gaps
    from liaison_graph.graph.view import View, scope_of

    first, second = days
    with tempfile.TemporaryDirectory() as tmp:
        with open_backend(backend, Path(tmp)) as store:
            load_files([write_json(Path(tmp) / "r.json", roster)], store)
            scope, committees = scope_of(store, None)
            G = store.subgraph(scope)
            changes = diff(View(G, first, scope, committees), View(G, second, scope, committees), view_gaps)
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        before, after = set(naive_gaps(roster, rule, first)), set(naive_gaps(roster, rule, second))
        got = [c for c in changes if c["rule"] == rule]
        assert {c["id"] for c in got if c["change"] == "lost"} == after - before
        assert {c["id"] for c in got if c["change"] == "gained"} == before - after
        assert all(c["reason"] for c in got)


@st.composite
def edits(draw, roster):
    """A later import that changes part of a roster: members flip party or term, an
    organisation's dates move, liaisons end or appear."""
    out = {}
    members = [dict(m) for m in draw(st.lists(st.sampled_from(roster["members"]), max_size=3, unique_by=lambda m: m["id"]))]
    for m in members:
        start, end = draw(date_range())
        m.pop("start_date", None), m.pop("end_date", None)
        _put(m, affiliation=draw(st.sampled_from(AFFILIATIONS)), start_date=start, end_date=end)
    if members:
        out["members"] = members
    if roster.get("party_orgs"):
        orgs = [dict(o) for o in draw(st.lists(st.sampled_from(roster["party_orgs"]), max_size=2, unique_by=lambda o: o["id"]))]
        for o in orgs:
            start, end = draw(date_range(need_end=o["kind"] == "临时党支部"))
            o.pop("start_date", None), o.pop("end_date", None)
            _put(o, start_date=start, end_date=end)
        if orgs:
            out["party_orgs"] = orgs
    ids = [m["id"] for m in roster["members"]]
    ended = draw(st.lists(st.sampled_from(roster.get("liaisons") or [{}]), max_size=2,
                          unique_by=lambda l: (l.get("from_id"), l.get("to"), l.get("mechanism"), l.get("start_date"))))
    liaisons = [dict(l, end_date=draw(st.sampled_from(DAYS))) for l in ended if l]
    for j in range(draw(st.integers(0, 2))):
        a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if a != b:
            liaisons.append({"from_id": a, "to": b, "mechanism": f"新机制{j}", "start_date": draw(st.sampled_from(DAYS))})
    liaisons = [l for l in liaisons if not l.get("start_date") or not l.get("end_date") or l["start_date"] <= l["end_date"]]
    if liaisons:
        out["liaisons"] = liaisons
    return out


@settings(FEWER, max_examples=25)
@given(data=st.data())
def test_the_maintained_gap_index_follows_every_write(data):
    """After each of several imports, the embedded store's gap index (recomputed only for
    what a write touches) gives what the policy engine gives for the two-coverages rules on
    the whole graph: the same gaps, the same counts by committee."""
    from liaison_graph.graph.coverage import evaluate_rule
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.policy import flagship
    from liaison_graph.graph.reach import view_gaps
    from liaison_graph.graph.view import View

    roster = data.draw(rosters())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with EmbeddedStore(folder / "s.db") as store:
            load_files([write_json(folder / "r0.json", roster)], store)
            for step in range(3):
                change = data.draw(edits(roster))
                if change:
                    load_files([write_json(folder / f"r{step + 1}.json", change)], store)
                G = store.subgraph(None)
                for day in PROBE_DAYS:
                    view, d = View(G, day, None, store.committees()), dt.date.fromisoformat(day)
                    for rule in flagship().rules:
                        evaluated = evaluate_rule(view, rule, flagship().window_days, "committee")
                        assert store.gaps(rule.id, d) == evaluated["uncovered"] == view_gaps(view, rule.id), \
                            (step, day, rule.id)
                        wanted = Counter(data["committee_id"] for _, data in view.nodes("Member")
                                         if bool(data.get("cpc")) == RULE_CPC[rule.id])
                        assert {r["key"]: r["total"] for r in evaluated["breakdown"] if r["total"]} == dict(wanted)
                        counts = {c: n for c, n in store.flagship_counts(rule.id, d).items() if n[0]}
                        assert counts == {r["key"]: (r["total"], r["covered"]) for r in evaluated["breakdown"]
                                          if r["total"]}, (step, day, rule.id)


def _flagship_variant(**changes) -> str:
    """The two-coverages policy with some of its rules changed (rule id -> keys to set)."""
    import yaml

    text = (Path(__file__).resolve().parents[2] / "graph" / "policies" / "two-coverages.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    for rule in doc["rules"]:
        rule.update(changes.get(rule["id"], {}))
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


# Declarations the fast forms can follow, other than the shipped one: whom a liaison must
# come from, a liaison instead of a membership, a membership of another kind.
VARIANTS = {
    "as shipped": {},
    "a liaison from any member": {"non-party-without-liaison": {"by": {"kind": "member"}}},
    "a liaison from a non-CPC member": {"non-party-without-liaison": {"by": {"kind": "member", "cpc": False}}},
    "party members covered by a liaison": {"party-member-unorganised": {"by": {"kind": "member", "cpc": True},
                                                                        "through": ["liaison"]}},
    "covered by sitting in a sector": {"non-party-without-liaison": {"by": {"kind": "sector"}, "through": ["membership"]}},
}


@settings(FEWER, max_examples=40)
@given(roster=rosters(), variant=st.sampled_from(sorted(VARIANTS)))
def test_the_fast_forms_follow_the_policy_they_are_written_from(backend, monkeypatch, roster, variant):
    """The gap index's SQL and the Bolt store's gap queries are written from the
    two-coverages policy's declaration: declared otherwise (within what they can follow),
    they give what the policy engine gives for the rules so declared."""
    from liaison_graph.graph import gapindex
    from liaison_graph.graph.coverage import evaluate_rule
    from liaison_graph.graph.flagship import forms
    from liaison_graph.graph.policy import parse_policy
    from liaison_graph.graph.view import View

    policy = parse_policy(_flagship_variant(**VARIANTS[variant]), "two-coverages.yaml")
    declared = forms(policy)
    monkeypatch.setattr(gapindex, "PLAN", gapindex.Plan(declared))
    with tempfile.TemporaryDirectory() as tmp:
        with open_backend(backend, Path(tmp)) as store:
            load_files([write_json(Path(tmp) / "r.json", roster)], store)
            committees = store.committees()
            G = store.subgraph(None)
            for day in PROBE_DAYS:
                view, d = View(G, day, None, committees), dt.date.fromisoformat(day)
                for rule in policy.rules:
                    expected = evaluate_rule(view, rule, policy.window_days, "committee")
                    if backend == "embedded":
                        got = store.gaps(rule.id, d)
                        counts = {c: n for c, n in store.flagship_counts(rule.id, d).items() if n[0]}
                        assert counts == {r["key"]: (r["total"], r["covered"]) for r in expected["breakdown"]
                                          if r["total"]}, (variant, day, rule.id)
                    else:  # the query the Bolt store runs for the rule, with what the form gives it
                        form = declared[rule.id]
                        got = store._read(form.query, {"day": day, "committee_ids": sorted(committees), **form.params},
                                          **form.names)
                    assert got == expected["uncovered"], (variant, day, rule.id)


# --- rosters as offices type them: the same store and answers as the clean roster -----------------
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(" \u3000\t李娜Jo Ｓｍ阿·\u200b\ufeff\u200d\u00ad\u200eＸＳ－０1"), max_size=12))
def test_folding_names_and_ids_is_idempotent(text):
    from liaison_graph.loaders.text import fold_id, fold_name, name_key

    for fold in (fold_id, fold_name, name_key):
        assert fold(fold(text)) == fold(text), (fold.__name__, text)
    assert name_key(fold_name(text)) == name_key(text) == fold_name(name_key(text))


UNSEEN = ["\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u200e", "\u200f"]
ID_COLUMNS = {"id", "committee_id", "parent_id", "from_id", "to", "to_id", "party_org_ids"}
NAME_COLUMNS = {"name", "sector", "mechanism"}


def _typed(rnd, text: str, kind: str) -> str:
    """A cell as an office might type or paste it: an id full-width, invisible characters
    anywhere in an id or a name, a name padded with full-width spaces between its characters,
    spaces and invisible characters at the ends of any cell."""
    def unseen() -> str:
        return rnd.choice(UNSEEN) if rnd.random() < 0.3 else ""

    if kind == "id":
        text = "".join((chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rnd.random() < 0.5 else c) + unseen() for c in text)
    elif kind == "name":
        text = "".join(c + unseen() + ("\u3000" if rnd.random() < 0.3 else "") for c in text).rstrip("\u3000")
    ends = ["", " ", "\u3000", "\ufeff", "\u200b "]
    return rnd.choice(ends) + text + rnd.choice(ends)


def typed_roster(rnd, roster: dict) -> dict:
    out = {}
    for table, rows in roster.items():
        out[table] = []
        for row in rows:
            typed = {}
            for column, value in row.items():
                kind = "id" if column in ID_COLUMNS else "name" if column in NAME_COLUMNS else "other"
                items = value.split("、") if column in ("party_org_ids", "affiliation") else [value]
                typed[column] = "、".join(_typed(rnd, item, kind) for item in items)
            out[table].append(typed)
    return out


@settings(FEWER, max_examples=25)
@given(roster=rosters(), rnd=st.randoms(use_true_random=False),
       path=st.sampled_from(["json", "xlsx", "csv cell by cell", "csv in bulk"]))
def test_a_roster_as_offices_type_it_gives_the_store_and_answers_of_the_clean_one(tmp_path_factory, monkeypatch, roster,
                                                                                 rnd, path):
    from liaison_graph.graph.embedded import EmbeddedStore

    bulk = path == "csv in bulk"
    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", 0 if bulk else 10**9)
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0 if bulk else 10**9)  # built as columns where it can be
    folder = tmp_path_factory.mktemp("typed")
    results = []
    for name, rows in (("clean", roster), ("typed", typed_roster(rnd, roster))):
        where = folder / name
        where.mkdir()
        with EmbeddedStore(where / "s.db") as store:
            load_files(write_any(where, rows, {"json": "json", "xlsx": "xlsx"}.get(path, "csv")), store)
            answers = {(rule, day): store.gaps(rule, dt.date.fromisoformat(day))
                       for rule in ("non-party-without-liaison", "party-member-unorganised") for day in PROBE_DAYS}
            results.append((store.dump(), answers))
    assert results[1] == results[0]
