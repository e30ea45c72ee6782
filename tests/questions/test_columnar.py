"""The whole-store report from columns answers exactly what the report on the graph's view
answers: random rosters with every kind of liaison and membership, contacts, contacts
with the masses and activities with their participants' attendance, random policies (any selection, way, capacity and affinity), any day,
breakdown and window; the columns built from the graph and from the embedded store's
tables alike, and kept correct across writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import threading
from contextlib import contextmanager
from unittest import mock
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liaison_graph.graph import column_coverage, columnar, fastpaths, projections
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.coverage import BREAKDOWNS, report
from liaison_graph.graph.days import day as day_number
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.policy import CONTACT, MASSES, POSITIONS, THROUGH, Policy, Rule, Select, builtin
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.requirement import PENDING, PERIODS, REVIEW, Requirement, masses_reason
from liaison_graph.graph.view import View, open_view, subtree
from liaison_graph.loaders import load_files

from tests.conftest import write_json
from tests.questions.test_properties import AFFILIATIONS, DAYS, PROBE_DAYS, _put, date_range

POSITION_LABELS = ["主席", "副主席", "秘书长", "常委", "委员"]
PARTY_GROUP_ROLES = [None, None, "党组书记", "党组副书记", "党组成员"]
ORG_KINDS = ["党组", "机关党组", "党支部", "临时党支部", "党小组"]
SECTORS, SPECIALS, GROUPS = ["经济界", "教育界", "中共", "民盟"], ["提案委员会", "经济委员会"], ["第一组", "第二组", "第十组"]
EXPECTED_WITHOUT_CPC = [("party",), (), ("经济界",), ("party", "教育界")]  # a policy's sectors_expected_without_cpc
TARGETS = ["委员", "界别", "专委会", "委员活动组", "党组织"]
MASSES_PEOPLE = ["张群", "李众", "王民"]  # the people of a sector members keep contact with
ACTIVITY_KINDS = ["全体会议", "视察", "培训"]
# an activity's start and end: about the probe days, the years before them and after them
ACTIVITY_DAYS = sorted({*PROBE_DAYS, "2024-01-01", "2024-03-15", "2025-06-30", "2025-12-30"})
ATTENDANCE_COLUMNS = ["member_ids", "attended_ids", "excused_ids", "absent_ids"]  # listed, there, excused, away
STUDIO_KINDS = ["工作室", "工作站", "联络站", "委员之家"]  # the studios table's kinds, as offices write them
TOWNSHIPS = [None, "城关镇", "东乡", "西街道"]  # members' and studios' townships (None: none given)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@st.composite
def rich_rosters(draw):
    """Rosters with nested committees, positions, party-group roles, special committees,
    activity groups, townships and studios (of the studios table, of any kind, with a term
    and a township, a convener and party organisations in them; and named only on members'
    rows, as older rosters do), liaisons to every kind of target (across committees too),
    contacts between any two members, members' contacts with the masses, and activities of
    the committees with members of any committee taking part (listed only, or each recorded
    there, excused or away)."""
    committees = [{"id": "C0", "name": "市政协", "level": "市"}]
    for i in range(1, draw(st.integers(1, 3))):
        committees.append({"id": f"C{i}", "name": f"第{i}县政协", "level": "县", "parent_id": "C0"})
    cids = [c["id"] for c in committees]
    orgs = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(ORG_KINDS))
        start, end = draw(date_range(need_end=kind == "临时党支部"))
        orgs.append(_put({"id": f"O{i}", "name": f"党组织{i}", "kind": kind, "committee_id": draw(st.sampled_from(cids))},
                         start_date=start, end_date=end))
    studios = [{"id": f"S{k}", "name": f"{draw(st.sampled_from(STUDIO_KINDS))}{k}", "committee_id": draw(st.sampled_from(cids)),
                "kind": draw(st.sampled_from(STUDIO_KINDS))} for k in range(draw(st.integers(0, 3)))]
    for o in orgs:  # 党建进工作站
        o.update(_put({}, studio_id=draw(st.sampled_from([None, *(s["id"] for s in studios)]))))
    members = []
    for i in range(draw(st.integers(1, 14))):
        start, end = draw(date_range())
        row = {"id": f"M{i}", "name": f"委员{i}", "committee_id": draw(st.sampled_from(cids)),
               "affiliation": "、".join(draw(st.lists(st.sampled_from(AFFILIATIONS), min_size=1, max_size=2, unique=True))),
               "sector": draw(st.sampled_from(SECTORS)), "position": draw(st.sampled_from(POSITION_LABELS))}
        specials = draw(st.lists(st.sampled_from(SPECIALS), max_size=2, unique=True))
        in_orgs = draw(st.lists(st.sampled_from([o["id"] for o in orgs]), max_size=2, unique=True)) if orgs else []
        members.append(_put(row, start_date=start, end_date=end, party_group_role=draw(st.sampled_from(PARTY_GROUP_ROLES)),
                            special_committees="、".join(specials) or None, party_org_ids="、".join(in_orgs) or None,
                            activity_group=draw(st.sampled_from([None, *GROUPS])), township=draw(st.sampled_from(TOWNSHIPS)),
                            studio="、".join(draw(st.lists(st.sampled_from(
                                ["名家工作室", *(s["id"] for s in studios),
                                 *(s["name"] for s in studios if s["committee_id"] == row["committee_id"])]),
                                max_size=2, unique=True))) or None))
    for s in studios:
        start, end = draw(date_range())
        _put(s, start_date=start, end_date=end, township=draw(st.sampled_from(TOWNSHIPS)),
             convener_id=draw(st.sampled_from([None, *(m["id"] for m in members)])))
    places = {"界别": sorted({(m["committee_id"], m["sector"]) for m in members}),
              "专委会": sorted({(m["committee_id"], s) for m in members for s in m.get("special_committees", "").split("、") if s}),
              "委员活动组": sorted({(m["committee_id"], m["activity_group"]) for m in members if m.get("activity_group")})}
    liaisons = []
    for j in range(draw(st.integers(0, 16))):
        source = draw(st.sampled_from(members))
        kind = draw(st.sampled_from(TARGETS))
        if kind == "委员":
            to = draw(st.sampled_from(members))["id"]
            if to == source["id"]:
                continue
        elif kind == "党组织":
            if not orgs:
                continue
            to = draw(st.sampled_from(orgs))["id"]
        else:
            if not places[kind]:
                continue
            cid, name = draw(st.sampled_from(places[kind]))
            to = name if cid == source["committee_id"] else f"{cid}:{name}"
        start, end = draw(date_range())
        liaisons.append(_put({"from_id": source["id"], "target_kind": kind, "to": to,
                              "mechanism": draw(st.sampled_from([None, "结对子", f"机制{j}"]))},
                             start_date=start, end_date=end))
    ids = [m["id"] for m in members]
    pairs = [(l["from_id"], l["to"]) for l in liaisons if l["target_kind"] == "委员"]
    for l in liaisons:  # a liaison to a sector or group, and a member sitting there
        if l["target_kind"] in ("界别", "专委会", "委员活动组"):
            name = l["to"].split(":")[-1]
            pairs += [(l["from_id"], m["id"]) for m in members if m["id"] != l["from_id"] and name in
                      (m["sector"], m.get("activity_group"), *m.get("special_committees", "").split("、"))]
    if len(ids) > 1:  # random pairs, and a liaison's two ends
        pairs += [tuple(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))) for _ in range(3)]
    contacts = []
    for k, (a, b) in enumerate(draw(st.lists(st.sampled_from(pairs), max_size=8)) if pairs else []):
        contacts.append({"from_id": a, "to_id": b, "date": draw(st.sampled_from(PROBE_DAYS)),
                         "mode": draw(st.sampled_from(["走访", "谈心谈话", "电话", None])),
                         "summary": f"记录{k}"})
    liaisons = list({(l["from_id"], l["target_kind"], l["to"], l.get("mechanism"), l.get("start_date")): l
                     for l in liaisons}.values())
    contacts = list({(c["from_id"], c["to_id"], c["date"], c["mode"]): {k: v for k, v in c.items() if v is not None}
                     for c in contacts}.values())
    masses = []  # members' contacts with people of their sector: a few members, a few people each, a few days each
    for k, keeper in enumerate(draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))):
        for j in range(draw(st.integers(2, 8))):
            masses.append({"from_id": keeper, "person": draw(st.sampled_from(MASSES_PEOPLE)),
                           "date": draw(st.sampled_from(PROBE_DAYS)),
                           "mode": draw(st.sampled_from(["走访", "谈心谈话", "电话", None])), "unit": f"单位{k}{j}"})
    masses = list({(c["from_id"], c["person"], c["date"], c["mode"]): {k: v for k, v in c.items() if v is not None}
                   for c in masses}.values())
    activities = []
    for k in range(draw(st.integers(0, 4))):
        start = draw(st.sampled_from(ACTIVITY_DAYS))
        row = {"id": f"A{k}", "name": f"活动{k}", "committee_id": draw(st.sampled_from(cids)),
               "kind": draw(st.sampled_from(ACTIVITY_KINDS)), "start_date": start,
               "end_date": draw(st.sampled_from([d for d in ACTIVITY_DAYS if d >= start]))}
        recorded = draw(st.booleans())  # else no one's attendance recorded: only those listed
        for mid in draw(st.lists(st.sampled_from(ids), max_size=6, unique=True)):
            column = draw(st.sampled_from(ATTENDANCE_COLUMNS)) if recorded else ATTENDANCE_COLUMNS[0]
            row[column] = f"{row[column]}、{mid}" if column in row else mid
        activities.append(row)
    roster = {"committees": committees, "studios": studios, "party_orgs": orgs, "members": members, "liaisons": liaisons,
              "contacts": contacts,
              "masses_contacts": masses, "activities": activities}
    return {k: v for k, v in roster.items() if v}


maybe = st.sampled_from([None, True, False])


@st.composite
def selections(draw, kinds):
    kind = draw(st.sampled_from(kinds))
    if kind == "member":
        positions = draw(st.one_of(st.none(), st.lists(st.sampled_from(sorted(POSITIONS)), min_size=1, max_size=2,
                                                       unique=True).map(tuple)))
        return Select(kind, cpc=draw(maybe), standing=draw(maybe), chair_council=draw(maybe),
                      party_group=draw(maybe), positions=positions)
    if kind == "party_org":
        kinds = st.lists(st.sampled_from(["party_group", "organ_party_group", "branch", "temporary_branch", "party_cell"]),
                         min_size=1, max_size=2, unique=True).map(tuple)
        return Select(kind, party_org_kinds=draw(st.one_of(st.none(), kinds)))
    if kind == "studio":
        kinds = st.lists(st.sampled_from(["studio", "station", "liaison_station", "home"]), min_size=1, max_size=2,
                         unique=True).map(tuple)
        return Select(kind, studio_kinds=draw(st.one_of(st.none(), kinds)))
    return Select(kind)


@st.composite
def random_rules(draw, i: int):
    covers = draw(selections(["member", "member", "sector", "special_committee", "activity_group", "party_org", "studio"]))
    ways = sorted(THROUGH) if covers.kind == "member" else ["liaison", "membership"]
    if covers.kind == "member" and draw(st.integers(0, 3)) == 0:  # members' contacts with the masses: alone in its rule
        need = draw(requirements(False))
        anyone = st.just(Select("member"))  # often: a random selection of both leaves few members to judge
        return Rule(id=f"r{i}", label=f"规则{i}", covers=draw(st.one_of(anyone, st.just(covers))),
                    by=draw(st.one_of(anyone, selections(["member"]))), through=("masses",),
                    requirement=Requirement(modes=need.modes, count=need.count, period=need.period,
                                            within_days=need.within_days, people=draw(st.sampled_from([1, 1, 2, 3]))))
    ways = [w for w in ways if w != "masses"]
    capacity = draw(st.one_of(st.none(), st.tuples(st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, 1, 3]))))
    if capacity and None not in capacity and capacity[1] < capacity[0]:
        capacity = (capacity[1], capacity[0])
    return Rule(
        id=f"r{i}", label=f"规则{i}", covers=covers,
        by=draw(selections(["member", "member", "party_org", "sector", "activity_group", "studio"])),
        through=tuple(draw(st.lists(st.sampled_from(ways), min_size=1, max_size=3, unique=True))),
        capacity=capacity,
        affinity=(affinity := draw(st.sampled_from([None, "sector", "activity_group", "special_committee"]))),
        requirement=draw(st.one_of(st.none(), requirements(affinity is not None))),
    )


@st.composite
def requirements(draw, with_affinity: bool):
    """A contact requirement: modes, count, a calendar period or a rolling window (or the
    policy's), mechanisms, the affinity required."""
    period = draw(st.sampled_from([None, None, *PERIODS.labels]))
    return Requirement(
        modes=tuple(draw(st.lists(st.sampled_from(["talk", "visit", "phone", "other"]), max_size=2, unique=True))),
        count=draw(st.integers(1, 3)), period=period,
        within_days=None if period else draw(st.sampled_from([None, 0, 30, 200])),
        mechanisms=tuple(draw(st.lists(st.sampled_from(["结对子", "机制1"]), max_size=2, unique=True))),
        affinity_required=with_affinity and draw(st.booleans()))


BUILTIN_RULES = [rule for policy in builtin().values() for rule in policy.rules]


@st.composite
def policies(draw):
    """One to three rules, each random or one of the built-in policies' rules."""
    rules = []
    for i in range(draw(st.integers(1, 3))):
        rule = draw(st.one_of(random_rules(i), st.sampled_from(BUILTIN_RULES)))
        if rule.id not in {r.id for r in rules}:
            rules.append(rule)
    return Policy(name="random", label="随机", rules=tuple(rules), window_days=draw(st.sampled_from([0, 90, 180, 800])),
                  sectors_expected_without_cpc=draw(st.sampled_from(EXPECTED_WITHOUT_CPC)))


def _load(folder: Path, roster: dict, name: str = "r.json") -> EmbeddedStore:
    store = EmbeddedStore(folder / "s.db")
    load_files([write_json(folder / name, roster)], store)
    return store


@settings(SETTINGS, max_examples=70)  # the requirements' paths have tests of their own below
@given(roster=rich_rosters(), policy=policies(), days=st.lists(st.sampled_from(PROBE_DAYS), min_size=1, max_size=3))
def test_columns_answer_what_the_view_answers(roster, policy, days):
    # a contact on the day: the window's edge
    days += sorted({c["date"] for table in ("contacts", "masses_contacts") for c in roster.get(table, [])})
    # every breakdown; windows of a day and of half a year (2024-06-30 → 2024-07-01 → 2024-12-31)
    asked = [(by, None) for by in (None, *BREAKDOWNS)] + [(None, window) for window in (0, 1, 184)]
    with tempfile.TemporaryDirectory() as tmp, _load(Path(tmp), roster) as store:
        G, committees = store.graph(), store.committees()
        from_graph, from_file = columnar.Columns.from_graph(G), store.columns()
        scope = subtree(committees, sorted(committees)[-1])
        for day in days:
            for by, window in asked:
                expected = report(View(G, day, None, committees), policy, by, window)
                assert column_coverage.report(from_graph, day, policy, committees, None, by, window) == expected
                assert column_coverage.report(from_file, day, policy, committees, None, by, window) == expected
                assert store_report(store, dt.date.fromisoformat(day), policy, None, by, window) == expected
                # the top committee, every other below it: the same from the columns as from its part of the graph
                assert store_report(store, dt.date.fromisoformat(day), policy, "C0", by, window) == \
                    report(open_view(store, dt.date.fromisoformat(day), "C0"), policy, by, window)
                # one committee and those below it, with the whole graph's liaisons and contacts: the
                # same from the columns, and from that committee's part of the graph on its own
                expected = report(View(G, day, scope, committees), policy, by, window)
                assert column_coverage.report(from_file, day, policy, committees, scope, by, window) == expected
                assert report(open_view(store, dt.date.fromisoformat(day), sorted(committees)[-1]), policy, by,
                              window) == expected


CPC, NON_CPC = Select("member", cpc=True), Select("member", cpc=False)
ACROSS = Policy(name="across", label="跨政协", window_days=180, rules=(  # the ways an answer can come from outside
    Rule(id="org_members", label="组织有党员", covers=Select("party_org"), by=CPC, through=("membership", "liaison")),
    Rule(id="via", label="经组织联系", covers=NON_CPC, by=CPC, affinity="sector", capacity=(1, 2),
         through=("liaison", "via_party_org", "via_sector", "via_special_committee", "via_activity_group")),
    Rule(id="sectors", label="界别有联系", covers=Select("sector"), by=Select("member"), through=("liaison", "membership")),
    Rule(id="anyone", label="委员有联系", covers=Select("member"), by=Select("member"), through=("liaison",),
         affinity="special_committee"),
))


@settings(SETTINGS, max_examples=300)
@given(roster=rich_rosters(), day=st.sampled_from(PROBE_DAYS), pick=st.integers(0, 5), cut=st.booleans())
def test_a_committees_part_answers_as_the_whole_graph(roster, day, pick, cut):
    """A committee's report on its part of the graph (read from the file, or cut from the
    whole graph in memory) equals the whole graph's view of that committee, for rules
    whose answer may come from another committee: members sitting in organisations across
    committees, liaisons into other committees' organisations, sectors and groups, affinity
    and contacts with members outside."""
    with tempfile.TemporaryDirectory() as tmp, _load(Path(tmp), roster) as store:
        G, committees = store.graph(), store.committees()
        below = sorted(committees)[1:] or ["C0"]  # a county: the top one's part is the whole graph
        root = below[pick % len(below)]
        scope = subtree(committees, root)
        expected = report(View(G, day, scope, committees), ACROSS, "sector")
        reader = store if cut else EmbeddedStore(Path(tmp) / "s.db")
        with reader:
            assert report(open_view(reader, dt.date.fromisoformat(day), root), ACROSS, "sector") == expected


def _kept_version(store) -> int | None:
    store.projection("report_columns").settle()  # a copy written back in the background, written
    row = store.db.execute("SELECT data FROM report_columns WHERE name = ?", (projections.COLUMN_VERSION,)).fetchone()
    return None if row is None else int(row[0])


@contextmanager
def never_built():
    """Within: building the report columns from the tables fails the test (they must come
    from the file's copy or from memory)."""
    def refuse(self, store):
        raise AssertionError("report columns built again")

    with mock.patch.object(projections.ReportColumns, "build", refuse):
        yield


@settings(SETTINGS, max_examples=25)
@given(first=rich_rosters(), second=rich_rosters())
def test_the_kept_columns_follow_every_write(first, second):
    """Columns kept in the file stay through writes, by this connection or another, as of
    the roster version they hold; a new connection reads them and follows the change feed
    from there without building them again; each report equals the view's of the moment."""
    policy = builtin()["silian"]
    day = dt.date.fromisoformat(DAYS[2])

    def expected(store):
        return report(open_view(store, day), policy, "committee")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with _load(folder, first) as store, EmbeddedStore(folder / "s.db") as other:
            assert store_report(store, day, policy, None, "committee") == expected(store)
            assert store.db.execute("SELECT count(*) FROM report_columns").fetchone()[0] == 3
            loaded = _kept_version(store)
            assert loaded == store.roster_version()
            with EmbeddedStore(folder / "s.db") as fresh, never_built():  # a new process reads them from the file
                assert store_report(fresh, day, policy, None, "committee") == expected(fresh)
            assert store_report(other, day, policy, None, "committee") == expected(store)
            load_files([write_json(folder / "b.json", second)], other, moves=True)  # another connection writes
            assert _kept_version(store) == loaded  # the copy stays, as of the version it holds
            with never_built():
                assert store_report(store, day, policy, None, "committee") == expected(other)
                with EmbeddedStore(folder / "s.db") as fresh:  # followed from the feed after the copy
                    assert store_report(fresh, day, policy, None, "committee") == expected(other)
            load_files([write_json(folder / "c.json", first)], store, moves=True)  # and this one
            with never_built():
                assert store_report(store, day, policy, None, "committee") == expected(store)
                with EmbeddedStore(folder / "s.db") as fresh:
                    assert store_report(fresh, day, policy, None, "committee") == expected(store)
            store.clear()
            assert _kept_version(store) is None
            assert store_report(store, day, policy, None, "committee") == expected(store)


def test_the_kept_columns_are_written_back_once_far_behind(tmp_path, monkeypatch):
    """A process that has followed ``KEEP_COLUMNS_AFTER`` change-feed entries past the file's
    copy writes it back; fewer, and the copy stays as it was."""
    monkeypatch.setattr(fastpaths, "KEEP_COLUMNS_AFTER", 3)
    policy = builtin()["two-coverages"]
    day = dt.date(2025, 1, 1)
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"}]}
    with _load(tmp_path, roster) as store, EmbeddedStore(tmp_path / "s.db") as other:
        store_report(store, day, policy)
        kept = _kept_version(store)
        for k in range(1, 4):
            member = {"id": f"N{k}", "name": f"新{k}", "affiliation": "中共党员", "committee_id": "T", "sector": "中共"}
            load_files([write_json(tmp_path / f"n{k}.json", {**roster, "members": [member]})], other)
            result = store_report(store, day, policy)
            assert result == report(open_view(store, day), policy)
            assert _kept_version(store) == (kept if k < 3 else store.roster_version())


def test_the_copy_is_written_back_after_the_report_not_before_it(tmp_path, monkeypatch):
    """The report that followed the feed far past the file's copy answers first; the copy is
    written back on a connection of its own in the background, and a store closes only
    once it is written."""
    monkeypatch.setattr(fastpaths, "KEEP_COLUMNS_AFTER", 1)
    release, entered, ran = threading.Event(), threading.Event(), []
    real = projections._write_back

    def held_back(db, blobs, version):
        ran.append((threading.current_thread(), db))
        entered.set()
        release.wait(timeout=120)  # released once the report has answered; never a hang
        real(db, blobs, version)

    monkeypatch.setattr(projections, "_write_back", held_back)
    policy, day = builtin()["two-coverages"], dt.date(2025, 1, 1)
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"}]}
    store = _load(tmp_path, roster)
    release.set()  # the first build keeps its copy at once
    store_report(store, day, policy)
    release.clear()
    entered.clear()
    ran.clear()
    with EmbeddedStore(tmp_path / "s.db") as other:
        member = {"id": "N", "name": "新", "affiliation": "中共党员", "committee_id": "T", "sector": "中共"}
        load_files([write_json(tmp_path / "n.json", {**roster, "members": [member]})], other)
    kept = store.db.execute("SELECT data FROM report_columns WHERE name = ?", (projections.COLUMN_VERSION,)).fetchone()
    assert store_report(store, day, policy) == report(open_view(store, day), policy)  # answered while held back
    assert entered.wait(timeout=120)  # the write-back has started, in the background
    ((thread, db),) = ran
    assert thread is not threading.current_thread() and db is not store.db  # its own thread, its own connection
    assert store.db.execute("SELECT data FROM report_columns WHERE name = ?",
                            (projections.COLUMN_VERSION,)).fetchone() == kept  # not yet written
    release.set()
    store.close()  # waits for the copy
    with EmbeddedStore(tmp_path / "s.db") as reopened:
        assert _kept_version(reopened) == reopened.roster_version()


def test_a_write_too_large_to_follow_has_the_columns_built_again_by_its_writer(tmp_path, monkeypatch):
    """Past ``PATCH_COLUMNS_UP_TO`` things named, neither the file's copy nor the columns held
    could be followed from the change feed: the writer builds them once the write is in and
    keeps them for the new roster, so no reader after it builds them; a file that keeps no
    copy (nobody has asked for a report) is left without one."""
    monkeypatch.setattr(fastpaths, "PATCH_COLUMNS_UP_TO", 2)
    policy = builtin()["two-coverages"]
    day = dt.date(2025, 1, 1)
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"}]}
    many = [{"id": f"N{k}", "name": f"新{k}", "affiliation": "中共党员", "committee_id": "T", "sector": "中共"}
            for k in range(3)]
    built = []
    real = projections.ReportColumns.build

    def counted(self, store):
        built.append(store)
        return real(self, store)

    monkeypatch.setattr(projections.ReportColumns, "build", counted)
    with _load(tmp_path, roster) as store, EmbeddedStore(tmp_path / "s.db") as other:
        store_report(store, day, policy)
        assert len(built) == 1
        load_files([write_json(tmp_path / "many.json", {**roster, "members": many})], other)
        assert built[-1] is other and len(built) == 2  # by the writer, once its write was in
        assert _kept_version(store) == store.roster_version()
        with EmbeddedStore(tmp_path / "s.db") as fresh:
            assert store_report(fresh, day, policy) == report(open_view(fresh, day), policy)
        assert store_report(store, day, policy) == report(open_view(store, day), policy)
        assert len(built) == 2  # every reader after it read that copy

    (tmp_path / "none").mkdir()
    with _load(tmp_path / "none", roster) as store:
        load_files([write_json(tmp_path / "many.json", {**roster, "members": many})], store)
        assert len(built) == 2 and _kept_version(store) is None  # no copy was kept: none is built


def test_columns_of_a_generated_city_equal_the_view_for_every_builtin_policy(tmp_path):
    from liaison_graph.loaders.generate import generate

    generate("county", 3, tmp_path / "csv", "csv")
    with EmbeddedStore(tmp_path / "s.db") as store:
        load_files(sorted((tmp_path / "csv").glob("*.csv")), store)
        G, committees = store.graph(), store.committees()
        columns = store.columns()
        for day in ("2024-03-01", "2026-11-01"):
            view = View(G, day, None, committees)
            for policy in builtin().values():
                for by in (None, *BREAKDOWNS):
                    assert column_coverage.report(columns, day, policy, committees, None, by) == report(view, policy, by), \
                        (policy.name, by, day)


def test_a_file_that_cannot_keep_the_columns_still_reports(tmp_path):
    """A file this connection may not write (an archive copy opened read-only): the
    columns serve this process and nothing is kept."""
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"}]}
    with _load(tmp_path, roster) as store:
        store.db.execute("PRAGMA query_only = ON")
        result = store_report(store, dt.date(2025, 1, 1), builtin()["two-coverages"])
        assert [(r["total"], r["covered"]) for r in result["rules"]] == [(0, 0), (1, 0)]
        assert [i["id"] for i in result["rules"][1]["uncovered"]] == ["A"]
        assert store.db.execute("SELECT count(*) FROM report_columns").fetchone()[0] == 0


def test_a_liaison_to_a_sector_is_effective_through_a_contact_with_someone_in_it(tmp_path):
    """The window's edge, for a sector: a contact with one of its members on the first day
    of the window counts, the day before it does not."""
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲", "affiliation": "中共党员", "committee_id": "T", "sector": "中共",
                           "party_group_role": "党组成员"},
                          {"id": "B", "name": "乙", "affiliation": "民盟", "committee_id": "T", "sector": "经济界"}],
              "liaisons": [{"from_id": "A", "target_kind": "界别", "to": "经济界"}],
              "contacts": [{"from_id": "A", "to_id": "B", "date": "2025-01-01", "mode": "走访"}]}
    policy = Policy(name="p", label="p", rules=(builtin()["sanlian"].rules[0],))
    with _load(tmp_path, roster) as store:
        G, committees = store.graph(), store.committees()
        for day, window, effective in (("2025-01-01", 0, 1), ("2025-01-02", 1, 1), ("2025-01-02", 0, 0)):
            expected = report(View(G, day, None, committees), policy, None, window)
            got = column_coverage.report(store.columns(), day, policy, committees, None, None, window)
            assert got == expected
            sectors = got["rules"][0]
            assert (sectors["total"], sectors["covered"], sectors["effective"]) == (2, 1, effective), (day, window)


def test_a_value_holding_the_column_separator_is_read_row_by_row(tmp_path):
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "A", "name": "甲乙", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"},
                          {"id": "B", "name": "丙", "affiliation": "群众", "committee_id": "T", "sector": "民盟"}]}
    with _load(tmp_path, roster) as store:
        # A roster's name cannot hold a control character (the loaders refuse it); one written
        # into a store another way is still read right.
        batch = Batch()
        batch.add_node("Member", "A", {**store.node_props("Member", ["A"])["A"], "name": "甲\x1f乙"})
        store.write(batch)
        columns = store.columns()
        assert columns.names[columns.ids.index("A")] == "甲\x1f乙"
        day = dt.date(2025, 1, 1)
        result = store_report(store, day, builtin()["two-coverages"])
        assert result == report(open_view(store, day), builtin()["two-coverages"])
        assert [i["name"] for i in result["rules"][1]["uncovered"]] == ["甲\x1f乙", "丙"]


def test_a_restore_brings_the_backups_columns_or_none(tmp_path):
    """A store restored from a backup reports on the backup's data, never on columns kept
    for what it held before."""
    day = dt.date(2025, 1, 1)
    policy = builtin()["two-coverages"]
    first = {"committees": [{"id": "T", "name": "试验县政协"}],
             "members": [{"id": "A", "name": "甲", "affiliation": "民盟", "committee_id": "T", "sector": "民盟"}]}
    second = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{"id": "B", "name": "乙", "affiliation": "中共党员", "committee_id": "T", "sector": "中共"}]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with _load(tmp_path / "a", first) as kept, _load(tmp_path / "b", second) as other:
        store_report(kept, day, policy)  # columns kept for the first roster
        store_report(other, day, policy)
        other.backup(tmp_path / "copy.db")
        kept.restore(tmp_path / "copy.db")
        assert _kept_version(kept) == kept.roster_version()  # the backup's copy, as of the restore
        with never_built():
            result = store_report(kept, day, policy)
        assert result == report(open_view(kept, day), policy)
        assert [(r["total"], [i["id"] for i in r["uncovered"]]) for r in result["rules"]] == [(1, ["B"]), (0, [])]


@settings(SETTINGS, max_examples=40)
@given(first=rich_rosters(), later=st.lists(rich_rosters(), min_size=1, max_size=3), data=st.data())
def test_columns_in_memory_follow_each_write(first, later, data):
    """Imports after the first — members changed or added, liaisons and contacts added or
    ended, organisations moved, some refused — each followed by the columns in memory
    (not built again), each report equal to the view's."""
    from liaison_graph.graph.errors import InputError

    policies_asked = [builtin()["silian"], builtin()["pairing"], data.draw(policies())]
    days = [DAYS[1], DAYS[3], PROBE_DAYS[-1]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with _load(folder, first) as store:
            store_report(store, dt.date.fromisoformat(days[0]), policies_asked[0])
            for k, roster in enumerate(later):
                part = {"committees": roster["committees"]}
                for table, rows in roster.items():
                    if table != "committees":
                        chosen = data.draw(st.sets(st.integers(0, len(rows) - 1), max_size=len(rows)))
                        part[table] = [rows[i] for i in sorted(chosen)]
                try:
                    load_files([write_json(folder / f"e{k}.json", {t: r for t, r in part.items() if r})], store)
                except InputError:
                    pass  # refused: nothing changes
                assert store.projection("report_columns").held is not None  # followed the write, not dropped
                for day in days:
                    for policy in policies_asked:
                        assert store_report(store, dt.date.fromisoformat(day), policy, None, "committee") == \
                            report(open_view(store, dt.date.fromisoformat(day)), policy, "committee"), (k, day, policy.name)


def test_another_connections_token_write_keeps_what_is_held_and_its_roster_write_is_followed(tmp_path):
    """A server holds the report columns (patched in memory after its own edit) and the gap
    index; a command line beside it issues a token: the server keeps both, and sees the
    token at once. A roster write from the command line: the server follows it in the
    columns, reads the gap index again, and answers from the file as it now is; a `clear`
    drops everything."""
    from liaison_graph.api.auth import authenticate, create_token, revoke_token
    from liaison_graph.graph.errors import Unauthorized
    from liaison_graph.loaders.sample import SAMPLE

    day = dt.date(2026, 11, 1)
    with EmbeddedStore(tmp_path / "s.db") as server:
        load_files([SAMPLE], server)
        policy = builtin()["two-coverages"]
        store_report(server, day, policy)
        server.gaps("non-party-without-liaison", day, "XS")
        member = next(iter(server.node_props("Member", ["XS-M0001"]).values()))
        server.write(Batch(nodes={"Member": {"XS-M0001": {**member, "name": "改名一"}}}))  # the server's own edit
        held, index = server.projection("report_columns").held, server.projection("gaps")._loaded(server)
        assert held is not None
        with EmbeddedStore(tmp_path / "s.db") as cli:
            record, token = create_token(cli, "XS", "viewer", "beside")
        assert authenticate(server, f"Bearer {token}").token.id == record.id  # seen at once
        store_report(server, day, policy)
        assert server.projection("report_columns").held is held  # kept: no roster changed
        assert server.projection("gaps")._loaded(server) is index
        with EmbeddedStore(tmp_path / "s.db") as cli:
            revoke_token(cli, record.id)
        with pytest.raises(Unauthorized):
            authenticate(server, f"Bearer {token}")
        with EmbeddedStore(tmp_path / "s.db") as cli:
            cli.write(Batch(nodes={"Member": {"XS-M0001": {**member, "name": "改名二"}}}))
        got = store_report(server, day, policy)
        assert server.projection("report_columns").held is held  # followed from the change feed
        assert server.projection("gaps")._loaded(server) is not index  # read again
        assert got == report(open_view(server, day), policy)
        assert server.node_props("Member", ["XS-M0001"])["XS-M0001"]["name"] == "改名二"
        with EmbeddedStore(tmp_path / "s.db") as cli:
            cli.clear()
        assert server.committees() == {} and server.gaps("non-party-without-liaison", day, None) == []


def test_the_whole_stores_gaps_by_query_are_the_arrays_gaps(tmp_path):
    """A connection's first whole-store gap list comes from the indexed query, the next ones
    from the arrays: the same members in the same order, on every day and for both rules."""
    from liaison_graph.graph import fastpaths, gapindex
    from tests.api_fixtures import build_city

    db = build_city(tmp_path)
    with EmbeddedStore(db) as store:
        arrays = gapindex.GapIndex(store.db)
        for rule in ("non-party-without-liaison", "party-member-unorganised"):
            for day in ("2021-06-30", "2023-01-01", "2026-06-30", "2031-01-01"):
                by_query = gapindex.committee_gaps(store.db, rule, day, None)
                assert by_query == arrays.gaps(rule, day, None), (rule, day)
        day = dt.date(2026, 6, 30)
        first = store.gaps("non-party-without-liaison", day)  # asked once: the query, no arrays loaded
        assert store.projection("gaps")._arrays is None
        for _ in range(fastpaths.WHOLE_GAPS_BY_QUERY_UP_TO):
            store.gaps("non-party-without-liaison", day)
        assert store.projection("gaps")._arrays is not None  # asked again: the arrays, kept
        assert store.gaps("non-party-without-liaison", day) == first


@given(first=st.just(None), data=st.data())
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_columns_held_follow_another_connections_writes(first, data):
    """A service holds the report columns; the command line beside it writes small imports
    (members changed or added, liaisons and contacts added or ended). The service follows
    each from the change feed instead of building them again, and every report equals the
    view's; a `clear` beside it drops them."""
    from liaison_graph.graph.errors import InputError
    from liaison_graph.graph.lookups import NodeFilter
    from liaison_graph.loaders.sample import SAMPLE

    day = dt.date(2026, 6, 30)
    policy = builtin()["two-coverages"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with EmbeddedStore(folder / "s.db") as service:
            load_files([SAMPLE], service)
            store_report(service, day, policy)
            held = service.projection("report_columns").held
            members = service.list_nodes("Member", ["XS"], NodeFilter(), 300, 0)[1]
            for k in range(3):
                chosen = data.draw(st.lists(st.sampled_from(members), min_size=1, max_size=4, unique_by=lambda m: m["id"]))
                cpc = [m for m in members if m.get("cpc")]
                rows = {"members": [{**{c: v for c, v in m.items() if c in ("id", "name", "committee_id", "sector")},
                                     "affiliation": data.draw(st.sampled_from(["中共党员", "民盟", "无党派人士"]))}
                                    for m in chosen],
                        "liaisons": [{"from_id": data.draw(st.sampled_from(cpc))["id"], "target_kind": "委员",
                                      "to": m["id"], "mechanism": "党员委员联系党外委员",
                                      "start_date": data.draw(st.sampled_from(["2020-01-01", "2026-06-01"]))}
                                     for m in chosen],
                        "contacts": [{"from_id": cpc[0]["id"], "to_id": m["id"], "date": "2026-06-20", "mode": "谈心谈话"}
                                     for m in chosen]}
                with EmbeddedStore(folder / "s.db") as cli:
                    try:
                        load_files([write_json(folder / f"e{k}.json", rows)], cli)
                    except InputError:
                        pass
                got = store_report(service, day, policy, None, "committee")
                assert service.projection("report_columns").held is held  # followed, not built again
                assert got == report(open_view(service, day), policy, "committee"), k
            with EmbeddedStore(folder / "s.db") as cli:
                cli.clear()
            assert service.committees() == {}
            assert service.projection("report_columns").held is None or \
                service.projection("report_columns").held is not held  # dropped: the feed has a hole


def _requirement_roster() -> dict:
    """A party member liaising with nine non-party members, each reason at least once on
    2025-05-15 under ``REGULAR`` (two talks a quarter, 结对子 only, in the same group)."""
    talk, phone = "谈心谈话", "电话"
    contacts = {"E1": [("2025-04-02", talk), ("2025-05-01", talk)],  # this quarter
                "E2": [("2025-02-01", talk), ("2025-03-01", talk)],  # the quarter before
                "F": [("2025-04-10", talk), ("2025-06-01", talk)],  # one by the day: too few
                "H": [("2025-02-01", talk), ("2024-12-01", talk)],  # one the quarter before: too few
                "L": [("2024-11-01", talk), ("2024-12-01", talk)],  # too long ago
                "W": [("2025-05-01", phone), ("2025-05-02", phone)],  # wrong mode
                "N": [],  # no contact
                "G": [("2025-04-02", talk), ("2025-05-01", talk)],  # another group
                "X": [("2025-04-02", talk), ("2025-05-01", talk)]}  # another mechanism
    member = {"committee_id": "T", "affiliation": "民盟", "sector": "民盟", "activity_group": "第一组"}
    members = [{**member, "id": "P", "name": "甲", "affiliation": "中共党员", "sector": "中共"},
               *({**member, "id": m, "name": f"委员{m}"} for m in [*contacts, "U"])]
    members[[m["id"] for m in members].index("G")]["activity_group"] = "第二组"
    return {"committees": [{"id": "T", "name": "试验县政协"}], "members": members,
            "liaisons": [{"from_id": "P", "target_kind": "委员", "to": m, "mechanism": "其他" if m == "X" else "结对子"}
                         for m in contacts],
            "contacts": [{"from_id": "P" if k else m, "to_id": m if k else "P", "date": d, "mode": mode}
                         for m, done in contacts.items() for k, (d, mode) in enumerate(done)]}


REGULAR = Policy(name="regular", label="定期联络", window_days=180, rules=(
    Rule(id="regular", label="定期谈心", covers=NON_CPC, by=CPC, through=("liaison",), affinity="activity_group",
         requirement=Requirement(modes=("talk",), count=2, period="quarter", mechanisms=("结对子",),
                                 affinity_required=True)),))


def test_each_reason_from_the_columns_of_a_first_import_and_after_a_write(tmp_path, monkeypatch):
    """Each reason at least once, from the columns a first import works out from its own
    columns (the contacts' modes with them, as the tables hold them), from the graph's, and
    after a write the columns held follow (two talks more: the wrong mode becomes effective;
    two waiting for the office count once confirmed)."""
    from liaison_graph.api.verbs.edits import rows

    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    day = dt.date(2025, 5, 15)
    with _load(tmp_path, _requirement_roster()) as store:
        kept = store.projection("report_columns")._kept(store)
        assert kept is not None  # worked out from the import's columns
        built = projections.ReportColumns().build(store)

        def modes(c: columnar.Columns) -> list:
            return sorted((c.ids[a], c.ids[b], d, c.contact_modes[m] if m >= 0 else None) for a, b, d, m in
                          zip(c.contact_src.tolist(), c.contact_dst.tolist(), c.contact_day.tolist(),
                              c.contact_mode.tolist(), strict=True))

        assert modes(kept) == modes(built) and {m for *_, m in modes(built)} == {"talk", "phone"}
        expected = report(open_view(store, day), REGULAR)
        (rule,) = expected["rules"]
        assert (rule["total"], rule["covered"], rule["effective"]) == (10, 9, 2)
        assert rule["not_effective"] == {"too_few": 2, "too_long_ago": 1, "wrong_mode": 1, "no_contact": 1,
                                         "no_affinity": 1, "wrong_mechanism": 1}
        for columns in (kept, built, columnar.Columns.from_graph(store.graph())):
            assert column_coverage.report(columns, day.isoformat(), REGULAR, store.committees()) == expected
        assert store_report(store, day, REGULAR) == expected
        more = [{"from_id": "P", "to_id": "W", "date": d, "mode": "谈心谈话"} for d in ("2025-05-03", "2025-05-04")]
        load_files([write_json(tmp_path / "more.json", {"contacts": more})], store)
        with never_built():
            got = store_report(store, day, REGULAR)
        assert got == report(open_view(store, day), REGULAR)
        assert (got["rules"][0]["effective"], got["rules"][0]["not_effective"]["wrong_mode"]) == (3, 0)
        talks = rows({"contacts": [{"from_id": "P", "to_id": "N", "date": d, "mode": "谈心谈话"}
                                   for d in ("2025-05-03", "2025-05-04")]}, store)
        for edge in talks.edges:  # recorded by a member's own token, waiting for the office: counted nowhere
            edge.props = {**edge.props, REVIEW: PENDING}
        store.write(talks)
        for edge in talks.edges:  # then confirmed
            edge.props = {k: v for k, v in edge.props.items() if k != REVIEW}
        for confirmed, effective in ((False, 3), (True, 4)):
            with never_built():
                got = store_report(store, day, REGULAR)
            assert got == report(open_view(store, day), REGULAR)
            assert got["rules"][0]["effective"] == effective
            if not confirmed:
                store.write(talks)


MASSES_RULE = Policy(name="masses", label="联系界别群众", window_days=180, rules=(
    Rule(id="masses", label="联系界别群众", covers=Select("member"), by=NON_CPC, through=("masses",),
         requirement=Requirement(modes=("visit",), count=1, period="quarter", people=2)),))


def test_a_masses_rule_from_the_columns_of_a_first_import_and_after_a_write(tmp_path, monkeypatch):
    """Each member's own people, each judged as a pair is, the second closest to effective
    deciding (a visit a quarter, two people), on the last day of a quarter and the first of
    the next; a name under two members is two people; a contact waiting for the office
    counts once confirmed. From the columns a first import works out, from the tables',
    from the graph's, and as the columns held follow the writes."""
    from liaison_graph.api.verbs.edits import rows

    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    visit, talk, phone = "走访", "谈心谈话", "电话"
    people = {"A": [("张群", "2024-12-15", visit), ("李众", "2025-03-31", visit)],
              "B": [("张群", "2024-09-30", visit), ("李众", "2025-02-01", visit), ("王民", "2025-02-02", phone),
                    ("王民", "2025-02-03", talk)],
              "C": [("张群", "2025-04-01", visit), ("李众", "2025-01-10", phone)],
              "D": [("张群", "2025-03-01", visit), ("张群", "2025-03-02", visit)],  # one person, twice
              "E": [],
              "F": [("张群", "2025-03-20", visit)],  # and 李众 on 03-21, waiting for the office (below)
              "G": [("张群", "2025-03-01", visit), ("李众", "2025-03-02", visit)]}  # a CPC member: not by whom
    member = {"committee_id": "T", "affiliation": "民盟", "sector": "民盟"}
    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [{**member, "id": m, "name": f"委员{m}"} for m in people],
              "masses_contacts": [{"from_id": m, "person": who, "date": d, "mode": mode}
                                  for m, met in people.items() for who, d, mode in met]}
    roster["members"][-1] |= {"affiliation": "中共党员", "sector": "中共"}
    # Bounds (a, b): 2024-10-01 and 2025-01-01 on 03-31; 2025-01-01 and 2025-04-01 on 04-01.
    #   03-31  A: 张群 12-15 in the quarter before, 李众 this quarter: effective, effective → effective
    #          B: 张群 before a (too long ago), 李众 effective, 王民 no visit (wrong mode) → too long ago
    #          C: 李众 only by 03-31 (张群 on 04-01 is later): one person, not covered; D one person; E none
    #          F: one person until 李众 is confirmed, then effective and effective → effective
    #          G: effective, but not a non-CPC member: not covered
    #   04-01  A: 张群 now before a: too long ago; B as on 03-31: too long ago
    #          C: 张群 this quarter (effective), 李众 wrong mode → wrong mode; F confirmed: effective
    counts = {("2025-03-31", False): (2, 1, {"too_long_ago": 1}), ("2025-03-31", True): (3, 2, {"too_long_ago": 1}),
              ("2025-04-01", False): (3, 0, {"too_long_ago": 2, "wrong_mode": 1}),
              ("2025-04-01", True): (4, 1, {"too_long_ago": 2, "wrong_mode": 1})}

    def check(store, confirmed: bool, *columns: columnar.Columns) -> None:
        for day in ("2025-03-31", "2025-04-01"):
            expected = report(open_view(store, dt.date.fromisoformat(day)), MASSES_RULE)
            for c in columns:
                assert column_coverage.report(c, day, MASSES_RULE, store.committees()) == expected
            with never_built():
                assert store_report(store, dt.date.fromisoformat(day), MASSES_RULE) == expected
            (rule,) = expected["rules"]
            covered, effective, reasons = counts[day, confirmed]
            assert (rule["total"], rule["covered"], rule["effective"]) == (7, covered, effective), (day, confirmed)
            assert {k: n for k, n in rule["not_effective"].items() if n} == reasons, (day, confirmed)

    def masses(c: columnar.Columns) -> list:
        return sorted((c.ids[m], p, d, c.contact_modes[k] if k >= 0 else None) for m, p, d, k in
                      zip(c.masses_src.tolist(), c.masses_person.tolist(), c.masses_day.tolist(),
                          c.masses_mode.tolist(), strict=True))

    with _load(tmp_path, roster) as store:
        kept = store.projection("report_columns")._kept(store)
        assert kept is not None  # worked out from the import's columns
        built = projections.ReportColumns().build(store)
        assert masses(kept) == masses(built) == masses(columnar.Columns.from_graph(store.graph()))
        assert [(p, d) for m, p, d, _ in masses(built) if m == "B"] == \
            [(0, day_number("2024-09-30")), (1, day_number("2025-02-01")), (2, day_number("2025-02-02")),
             (2, day_number("2025-02-03"))]  # 张群, 李众, 王民: in the order of their names (张 < 李 < 王)
        check(store, False, kept, built)
        waiting = rows({"masses_contacts": [{"from_id": "F", "person": "李众", "date": "2025-03-21", "mode": visit}]}, store)
        for edge in waiting.edges:  # recorded by a member's own token, waiting for the office: counted nowhere
            edge.props = {**edge.props, REVIEW: PENDING}
        store.write(waiting)
        check(store, False, columnar.Columns.from_graph(store.graph()))
        for edge in waiting.edges:  # then confirmed
            edge.props = {k: v for k, v in edge.props.items() if k != REVIEW}
        store.write(waiting)
        check(store, True, columnar.Columns.from_graph(store.graph()), projections.ReportColumns().build(store))


def test_the_attendance_section_from_the_columns_follows_an_activity_rewritten(tmp_path, monkeypatch):
    """This year's participation from the columns a first import works out from its own
    columns, from the tables' and the graph's, and as the columns held follow a write that
    records an activity's attendance (listed only, everyone listed took part; recorded, only
    those there), then moves it to next year: each time what the view answers."""
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    day, policy = dt.date(2025, 6, 30), builtin()["two-coverages"]

    def member(mid: str, affiliation: str, **more) -> dict:
        return {"id": mid, "name": f"委员{mid}", "affiliation": affiliation, "committee_id": "T", "sector": "经济界",
                "activity_group": "第一组", **more}

    def activity(start: str, **people) -> dict:
        return {"id": "A1", "name": "全会", "committee_id": "T", "kind": "全体会议", "start_date": start,
                "end_date": start, **people}

    roster = {"committees": [{"id": "T", "name": "试验县政协"}],
              "members": [member("P", "中共党员", position="常委"), member("Q", "中共党员"),
                          member("X", "民盟", position="常委"), {**member("W", "民建"), "activity_group": "第二组"}],
              "activities": [activity("2025-01-10", member_ids="P、W"),
                             {**activity("2024-12-01", attended_ids="Q"), "id": "A0"}]}  # last year

    def section(store) -> dict:
        expected = report(open_view(store, day), policy)["attendance"]
        with never_built():
            assert store_report(store, day, policy)["attendance"] == expected
        return expected

    with _load(tmp_path, roster) as store:
        kept = store.projection("report_columns")._kept(store)
        assert kept is not None  # worked out from the import's columns
        expected = report(open_view(store, day), policy)
        for columns in (kept, projections.ReportColumns().build(store), columnar.Columns.from_graph(store.graph())):
            assert column_coverage.report(columns, day.isoformat(), policy, store.committees()) == expected
        listed = section(store)
        assert (listed["activities"], listed["members"]) == (1, 4)
        assert [i["id"] for i in listed["members_without_activity"]] == ["Q", "X"]  # P and W listed: took part
        assert listed["total"]["non_cpc"] == {"invited": 1, "attended": 0, "excused": 0, "absent": 0, "rate": None}
        for rows, took_part in (({"attended_ids": "P、X", "absent_ids": "W", "excused_ids": "Q"}, ["P", "X"]),
                                ({"member_ids": "Q", "attended_ids": "W"}, ["W"])):
            load_files([write_json(tmp_path / "a.json", {**roster, "activities": [activity("2025-01-10", **rows)]})],
                       store)
            recorded = section(store)  # the columns held, patched
            assert [i["id"] for i in recorded["members_without_activity"]] == sorted({"P", "Q", "W", "X"} - {*took_part})
            with EmbeddedStore(tmp_path / "s.db") as fresh:  # the file's copy, followed from the change feed
                assert section(fresh) == recorded
        assert [(g["id"], g["non_cpc"]["attended"], g["cpc"]["invited"]) for g in recorded["by_group"]] == [
            ("T:第一组", 0, 1), ("T:第二组", 1, 0)]
        load_files([write_json(tmp_path / "b.json", {**roster, "activities": [activity("2026-01-05", member_ids="P")]})],
                   store)
        later = section(store)
        assert (later["activities"], len(later["members_without_activity"]), later["by_group"]) == (0, 4, [])


@pytest.mark.parametrize("layout, arrays_then, text_then", [
    (2, ("contact_mode", *columnar.MASSES_ARRAYS), ("contact_modes",)),  # contacts without their mode
    (3, columnar.MASSES_ARRAYS, ()),  # no contacts with the masses
    (4, (*columnar.ATTENDANCE_ARRAYS, "activity_start"), ()),  # no activities' start days nor participants
])
def test_a_copy_kept_in_an_earlier_layout_is_built_again(tmp_path, layout, arrays_then, text_then):
    """A file keeping the report columns as an earlier layout did is not read as this one:
    the columns are built again, and kept in this layout."""
    day = dt.date(2025, 5, 15)
    with _load(tmp_path, _requirement_roster()) as store:
        store_report(store, day, REGULAR)
        version = _kept_version(store)
        arrays, text = store.columns().to_blobs()
    with np.load(io.BytesIO(arrays)) as held:
        old = {name: held[name] for name in held.files if name not in arrays_then}
    buffer = io.BytesIO()
    np.savez(buffer, **old)
    old_text = {k: v for k, v in orjson.loads(text).items() if k not in text_then}
    with EmbeddedStore(tmp_path / "s.db") as store:
        with store.db:
            store.db.execute("DELETE FROM report_columns")
            store.db.executemany("INSERT INTO report_columns (name, data) VALUES (?, ?)",
                                 [(f"arrays-v{layout}", buffer.getvalue()), (f"text-v{layout}", orjson.dumps(old_text)),
                                  (f"version-v{layout}", str(version))])
    built = []
    real = projections.ReportColumns.build

    def counted(self, store):
        built.append(store)
        return real(self, store)

    with mock.patch.object(projections.ReportColumns, "build", counted), EmbeddedStore(tmp_path / "s.db") as store:
        assert store_report(store, day, REGULAR) == report(open_view(store, day), REGULAR)
        assert len(built) == 1 and _kept_version(store) == version
        names = {name for (name,) in store.db.execute("SELECT name FROM report_columns")}
        assert names == {*projections.COLUMN_BLOBS, projections.COLUMN_VERSION}


@settings(SETTINGS, max_examples=300)
@given(contacts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(-800, 800),
                                   st.sampled_from(["talk", "visit", "phone", "other", None])), max_size=30),
       need=requirements(False), day=st.integers(-400, 400), window=st.sampled_from([0, 1, 30, 184]))
def test_each_pairs_reason_from_the_columns_is_the_requirements(contacts, need, day, window):
    """``Day.judged`` on the columns gives each pair of four members, in either order, the
    code ``Requirement.judge`` gives its contacts on or before the day, for any requirement:
    contacts either way, on the bounds, after the day, of any mode or none."""
    base = dt.date(2025, 1, 1)

    def iso(offset: int) -> str:
        return (base + dt.timedelta(days=offset)).isoformat()

    ids = [f"M{k}" for k in range(4)]
    nodes = {field: [None] * 4 for field in columnar.NODE_FIELDS} | {"kind": ["Member"] * 4, "id": ids}
    values = {field: [None] * len(contacts) for field in columnar.EDGE_FIELDS}
    values |= {"src": [ids[a] for a, *_ in contacts], "dst": [ids[b] for _, b, *_ in contacts],
               "date": [iso(d) for *_, d, _ in contacts], "mode": [m for *_, m in contacts]}
    columns = columnar.Columns.build(nodes, [(CONTACT, "Member", "Member", values)])
    on = column_coverage.Day(columns, iso(day), None, {})
    a, b = need.bounds(iso(day), window)
    x, y = zip(*[(i, j) for i in range(4) for j in range(4)], strict=True)
    got = on.judged(need, day_number(a), day_number(b), np.array(x), np.array(y))
    for i, j, code in zip(x, y, got.tolist(), strict=True):
        held = [(iso(d), m) for s, t, d, m in contacts if (s, t) in ((i, j), (j, i)) and d <= day]
        assert code == need.judge(held, a, b), (i, j)


@settings(SETTINGS, max_examples=300)
@given(contacts=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(MASSES_PEOPLE), st.integers(-800, 800),
                                   st.sampled_from(["talk", "visit", "phone", "other", None])), max_size=30),
       need=requirements(False), people=st.integers(1, 3), day=st.integers(-400, 400),
       window=st.sampled_from([0, 1, 30, 184]))
def test_each_members_masses_reason_from_the_columns_is_the_requirements(contacts, need, people, day, window):
    """``Day.masses`` on the columns gives each of three members the people they have on record
    by the day and the code ``requirement.masses_reason`` gives their contacts, for any
    requirement and number of people: a name under two members is two people, contacts after
    the day are left out, a sector that is no node is no matter."""
    base = dt.date(2025, 1, 1)

    def iso(offset: int) -> str:
        return (base + dt.timedelta(days=offset)).isoformat()

    ids = [f"M{k}" for k in range(3)]
    nodes = {field: [None] * 3 for field in columnar.NODE_FIELDS} | {"kind": ["Member"] * 3, "id": ids}
    values = {field: [None] * len(contacts) for field in columnar.EDGE_FIELDS}
    values |= {"src": [ids[m] for m, *_ in contacts], "dst": ["S"] * len(contacts), "person": [p for _, p, *_ in contacts],
               "date": [iso(d) for *_, d, _ in contacts], "mode": [m for *_, m in contacts]}
    columns = columnar.Columns.build(nodes, [(MASSES, "Member", "Sector", values)])
    need = dataclasses.replace(need, people=people)
    on = column_coverage.Day(columns, iso(day), None, {})
    a, b = need.bounds(iso(day), window)
    got = on.masses.reasons(need, day_number(a), day_number(b))
    for k, member in enumerate(ids):
        held: dict[str, list] = {}
        for m, person, d, mode in contacts:
            if m == k and d <= day:
                held.setdefault(person, []).append((iso(d), mode))
        at = columns.ids.index(member)
        assert on.masses.people[at] == len(held), member
        assert got[at] == masses_reason(need, list(held.values()), a, b), member
