"""The contract every store must pass: load, the two flagship gaps, stats, dump."""

from __future__ import annotations

import datetime as dt

import pytest
from liaison_graph.graph.errors import CommitteeNotFound, InputError, UnknownRule
from liaison_graph.loaders import load_files

from tests.conftest import EDGE_EXPECTED, EDGE_ROSTER, write_json

CASES = [(rule, day, ids) for rule, days in EDGE_EXPECTED.items() for day, ids in days.items()]


@pytest.fixture
def edge_store(store, tmp_path):
    load_files([write_json(tmp_path / "roster.json", EDGE_ROSTER)], store)
    return store


@pytest.mark.parametrize(("rule", "day", "expected"), CASES, ids=[f"{r}@{d}" for r, d, _ in CASES])
def test_gap_edges(edge_store, rule, day, expected):
    items = edge_store.gaps(rule, dt.date.fromisoformat(day))
    assert [i["id"] for i in items] == expected


def test_gap_items_carry_the_contract_fields(edge_store):
    items = edge_store.gaps("non-party-without-liaison", dt.date(2026, 7, 1))
    assert items[0] == {"id": "B2", "name": "黄磊", "committee_id": "C1", "sector": "民进"}
    assert items[-1] == {"id": "B10", "name": "郭婷", "committee_id": "C2", "sector": "民革"}


def test_gaps_for_one_committee(edge_store):
    day = dt.date(2026, 7, 1)
    c1 = [i["id"] for i in edge_store.gaps("non-party-without-liaison", day, "C1")]
    c2 = [i["id"] for i in edge_store.gaps("non-party-without-liaison", day, "C2")]
    assert c1 == ["B2", "B3", "B4", "B6"]
    assert c2 == ["B10"]
    assert edge_store.gaps("party-member-unorganised", day, "C2") == []
    # The city has members of its own: none. Its counties are separate committees.
    assert edge_store.gaps("non-party-without-liaison", day, "P1") == []


def test_unknown_committee_and_rule(edge_store):
    with pytest.raises(CommitteeNotFound):
        edge_store.gaps("non-party-without-liaison", dt.date(2026, 1, 1), "NOPE")
    with pytest.raises(UnknownRule):
        edge_store.gaps("everyone", dt.date(2026, 1, 1))


def test_stats_counts_by_kind(edge_store):
    assert edge_store.stats() == {
        "committees": 3,
        "party_orgs": 6,
        "members": 17,
        # C1: 中共 九三学社 教育界 医药卫生界 经济界 工会 农业界 民盟 民进 民建; C2: 中共 民革
        "sectors": 12,
        "special_committees": 0,
        "activity_groups": 0,
        "studios": 0,
        "liaisons": 7,
        "contacts": 1,
        "masses_contacts": 0,
    }


def test_a_store_has_a_roster_once_it_holds_a_member(store, tmp_path):
    """The one check every read command makes first: an empty store, or one with only the
    committees, holds no roster; a blank template loaded into it writes nothing."""
    assert not store.has_roster()
    load_files([write_json(tmp_path / "committees.json", {"committees": EDGE_ROSTER["committees"]})], store)
    assert not store.has_roster()
    load_files([write_json(tmp_path / "roster.json", EDGE_ROSTER)], store)
    assert store.has_roster()


def test_reload_is_idempotent(edge_store, tmp_path):
    before = edge_store.dump()
    report = load_files([write_json(tmp_path / "again.json", EDGE_ROSTER)], edge_store)
    assert edge_store.dump() == before
    assert report.result.created["Member"] == 0
    assert report.result.updated["Member"] == 17
    assert report.result.created["LIAISES_WITH"] == 0


def test_a_liaison_given_twice_is_counted_once(store, tmp_path):
    """A group named once by its name and once by its id scoped to the committee is one
    liaison: the store keeps one, and the import's summary says one was created."""
    roster = {"committees": [{"id": "K1", "name": "县政协", "level": "county"}],
              "members": [{"id": "M1", "name": "委员1", "committee_id": "K1", "sector": "中共", "affiliation": "中共",
                           "activity_group": "第一组"}],
              "liaisons": [{"from_id": "M1", "target_kind": "委员活动组", "to": to, "mechanism": "活动组"}
                           for to in ("第一组", "K1:第一组")]}
    report = load_files([write_json(tmp_path / "twice.json", roster)], store)
    assert store.stats()["liaisons"] == 1
    assert report.result.created["LIAISES_WITH"] == 1


def test_reload_replaces_a_members_row_edges(edge_store, tmp_path):
    """Re-loading a member who moved sector and branch leaves no trace of the old ones."""
    moved = {**EDGE_ROSTER["members"][2], "sector": "科技界", "party_org_ids": "O2"}  # A3
    load_files([write_json(tmp_path / "moved.json", {"members": [moved]})], edge_store)
    day = dt.date(2026, 7, 1)
    assert "A3" not in [i["id"] for i in edge_store.gaps("party-member-unorganised", day)]
    edges = edge_store.dump()["edges"]
    sectors = [k[4] for k in edges if k[0] == "IN_SECTOR" and k[2] == "A3"]
    assert sectors == ["C1:科技界"]


def test_reloading_the_roster_keeps_the_dates_a_membership_edit_gave(edge_store, tmp_path):
    """A membership dated through an edit (the roster has no column for it) keeps its dates
    when the roster is loaded again and still lists it; one it no longer lists goes."""
    from liaison_graph.graph.batch import Batch

    dated = Batch()
    dated.add_edge("IN_PARTY_ORG", "Member", "A1", "PartyOrg", "O2", "", {"start_date": "2026-08-01"})
    edge_store.write(dated)
    day = dt.date(2026, 7, 1)
    assert "A1" in [i["id"] for i in edge_store.gaps("party-member-unorganised", day)]
    load_files([write_json(tmp_path / "again.json", EDGE_ROSTER)], edge_store)
    assert edge_store.dump()["edges"][("IN_PARTY_ORG", "Member", "A1", "PartyOrg", "O2", "")] == {"start_date": "2026-08-01"}
    assert "A1" in [i["id"] for i in edge_store.gaps("party-member-unorganised", day)]
    moved = {**EDGE_ROSTER["members"][0], "party_org_ids": "O3"}
    load_files([write_json(tmp_path / "moved.json", {"members": [moved]})], edge_store)
    memberships = [k[4] for k in edge_store.dump()["edges"] if k[0] == "IN_PARTY_ORG" and k[2] == "A1"]
    assert memberships == ["O3"]


def test_liaison_by_unambiguous_name_and_party_org(store, tmp_path):
    roster = {**EDGE_ROSTER, "liaisons": [
        {"from_id": "A1", "to": "黄磊"},  # unique name in C1 -> B2
        {"from_id": "A1", "target_kind": "党组织", "to": "机关党支部"},
    ]}
    load_files([write_json(tmp_path / "r.json", roster)], store)
    covered = [i["id"] for i in store.gaps("non-party-without-liaison", dt.date(2026, 7, 1), "C1")]
    assert "B2" not in covered
    edges = store.dump()["edges"]
    assert any(k[0] == "LIAISES_WITH" and k[3] == "PartyOrg" and k[4] == "O2" for k in edges)


def test_ambiguous_name_is_refused_and_nothing_written(store, tmp_path):
    roster = {**EDGE_ROSTER, "liaisons": [{"from_id": "A1", "to": "王芳"}]}
    with pytest.raises(InputError) as err:
        load_files([write_json(tmp_path / "r.json", roster)], store)
    assert "歧义" in err.value.message and "A3" in err.value.message and "A4" in err.value.message
    assert err.value.details["row"] == 1 and err.value.details["column"] == "to"
    assert store.stats()["members"] == 0


def test_references_may_point_into_the_store(store, tmp_path):
    first = {k: EDGE_ROSTER[k] for k in ("committees", "party_orgs", "members")}
    load_files([write_json(tmp_path / "a.json", first)], store)
    later = {"liaisons": [{"from_id": "A3", "to": "B2"}], "contacts": [{"from_id": "A3", "to_id": "B2", "date": "2026-05-01"}]}
    load_files([write_json(tmp_path / "b.json", later)], store)
    assert store.stats()["liaisons"] == 1 and store.stats()["contacts"] == 1
    assert "B2" not in [i["id"] for i in store.gaps("non-party-without-liaison", dt.date(2026, 7, 1))]


def test_a_liaison_from_another_committee_covers_in_every_answer(store, tmp_path):
    """A party member of one county may be the liaison of a member of another: the gap
    list, the coverage report and the coverage counts of the member's committee agree,
    and so does the report once the whole graph is in memory."""
    from liaison_graph.graph.coverage import flagship_counts, report
    from liaison_graph.graph.policy import builtin
    from liaison_graph.graph.view import View, open_view, scope_of

    roster = {**EDGE_ROSTER, "liaisons": [*EDGE_ROSTER["liaisons"], {"from_id": "D1", "to": "B3", "mechanism": "跨县联系"}],
              "contacts": [*EDGE_ROSTER.get("contacts", []), {"from_id": "D1", "to_id": "B3", "date": "2026-06-01"}]}
    load_files([write_json(tmp_path / "roster.json", roster)], store)
    day = dt.date(2026, 7, 1)
    assert "B3" not in [i["id"] for i in store.gaps("non-party-without-liaison", day, "C1")]

    def numbers(result):
        return [(r["id"], r["total"], r["covered"], r["breakdown"]) for r in result["rules"]]

    scope, committees = scope_of(store, "C1")
    for _ in range(2):  # from the file, then cut from the whole graph held in memory
        full = report(open_view(store, day, "C1"), builtin()["two-coverages"], by="committee")
        uncovered = [i["id"] for i in full["rules"][1]["uncovered"]]
        assert uncovered == [i["id"] for i in store.gaps("non-party-without-liaison", day, "C1")]
        assert numbers(flagship_counts(store, day, "C1")) == numbers(full)
        # the contact the other county's member recorded makes the liaison effective here too
        whole = report(View(store.subgraph(None), day.isoformat(), scope, committees), builtin()["two-coverages"],
                       by="committee")
        assert [(r["effective"], r["uncovered"]) for r in full["rules"]] == \
            [(r["effective"], r["uncovered"]) for r in whole["rules"]]
        store.subgraph(None)


CROSS_ROSTER = {
    "committees": [{"id": "P1", "name": "青川市政协", "level": "市"},
                   {"id": "C1", "name": "溪山县政协", "level": "县", "parent_id": "P1"},
                   {"id": "C2", "name": "云岭县政协", "level": "县", "parent_id": "P1"}],
    "party_orgs": [{"id": "O1", "name": "溪山县政协机关党支部", "kind": "党支部", "committee_id": "C1"},
                   {"id": "O0", "name": "青川市政协党组", "kind": "党组", "committee_id": "P1"}],
    "members": [
        # a party member of the city who sits in the county's branch
        {"id": "P", "name": "周平", "affiliation": "中共党员", "committee_id": "P1", "sector": "中共", "party_org_ids": "O1"},
        # a party member of the county who sits in the city's party group
        {"id": "Q", "name": "钱琴", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界", "party_org_ids": "O0"},
        # a party member of the other county, liaising with both organisations
        {"id": "R", "name": "任然", "affiliation": "中共党员", "committee_id": "C2", "sector": "中共"},
    ],
    "liaisons": [{"from_id": "R", "target_kind": "党组织", "to": "O0", "mechanism": "联系党组"},
                 {"from_id": "R", "target_kind": "党组织", "to": "O1", "mechanism": "联系支部"}],
    "contacts": [{"from_id": "R", "to_id": "P", "date": "2026-06-01", "mode": "走访"}],
}


def test_a_committees_report_reads_what_reaches_it_from_other_committees(store, tmp_path):
    """A county's report equals its rows in the whole store's, where the answer comes from
    another committee: a city member sitting in the county's branch covers it; a liaison
    into the city's party group covers the county member sitting there (nominally: the
    liaison never met them); a contact between
    two members of other committees (the branch's liaison and a member sitting in the
    branch) makes the branch's liaison effective."""
    from liaison_graph.graph.coverage import report
    from liaison_graph.graph.policy import Policy, Rule, Select
    from liaison_graph.graph.view import View, open_view, scope_of

    cpc = Select("member", cpc=True)
    policy = Policy(name="cross", label="跨政协", window_days=90, rules=(
        Rule(id="branch_members", label="党组织有党员委员", covers=Select("party_org"), by=cpc, through=("membership",)),
        Rule(id="via_org", label="经党组织联系", covers=cpc, by=cpc, through=("via_party_org",)),
        Rule(id="org_liaison", label="党组织有联系人", covers=Select("party_org"), by=cpc, through=("liaison",)),
    ))
    load_files([write_json(tmp_path / "cross.json", CROSS_ROSTER)], store)
    day = dt.date(2026, 7, 1)
    scope, committees = scope_of(store, "C1")
    for _ in range(2):  # from the file, then cut from the whole graph held in memory
        county = report(open_view(store, day, "C1"), policy)
        figures = [(r["covered"], r["total"], r["effective"]) for r in county["rules"]]
        assert figures == [(1, 1, 1), (1, 1, 0), (1, 1, 1)]
        assert county == report(View(store.subgraph(None), day.isoformat(), scope, committees), policy)


def test_the_write_rule_holds_on_every_store(edge_store, tmp_path):
    """graph.guard on the store's own lookups: a scoped write cannot take another county's
    member, no write makes a cycle of committees, a move happens only when asked, and the
    committee a member leaves hears of it in the change feed."""
    from liaison_graph.graph.errors import NotFound
    from liaison_graph.loaders import prepare_doc

    before = edge_store.dump()
    member = next(m for m in EDGE_ROSTER["members"] if m["committee_id"] == "C2")
    taken = {**member, "committee_id": "C1"}
    taken.pop("party_org_ids", None)
    with pytest.raises(NotFound):
        load_files([write_json(tmp_path / "take.json", {"members": [taken]})], edge_store, root="C1")
    with pytest.raises(InputError, match="move.json 工作表「members」 第1行 .*已属于政协「云岭县政协」（C2）"):
        load_files([write_json(tmp_path / "move.json", {"members": [taken]})], edge_store)
    city = {**EDGE_ROSTER["committees"][0], "parent_id": "C1"}
    with pytest.raises(InputError, match="第1行 .*循环"):
        load_files([write_json(tmp_path / "cycle.json", {"committees": [city]})], edge_store, moves=True)
    assert edge_store.dump() == before
    batch, _ = prepare_doc({"members": [taken]}, edge_store, "test")
    assert batch.nodes["Member"][member["id"]]["committee_id"] == "C1"
    cursor = max([c["cursor"] for c in edge_store.changes(0, 100_000)], default=0)
    load_files([write_json(tmp_path / "move.json", {"members": [taken]})], edge_store, moves=True)
    heard = {c["committee_id"] for c in edge_store.changes(cursor, 100) if {"kind": "Member", "id": member["id"]} in c["changes"]}
    assert heard == {"C1", "C2"}
    record = edge_store.audit(0, 100_000)[-1]
    assert set(record["committee_ids"]) >= {"C1", "C2"}
    (old,) = record["before"]["nodes"]
    assert old["committee_id"] == "C2" and record["after"]["nodes"][0]["committee_id"] == "C1"


# --- a token change and its audit record: one transaction ------------------------------------------
def _journal_fails(store, monkeypatch) -> None:
    """Make the store's journal write (change feed and audit trail) fail, as a full disk or a
    lost connection would between a token and its audit record."""
    def fail(*args, **kwargs):
        raise RuntimeError("the journal write failed")

    if store.name == "embedded":
        from liaison_graph.graph import sqlite_journal

        monkeypatch.setattr(sqlite_journal, "audit_row", fail)
    else:
        monkeypatch.setattr(type(store), "_journal", fail)


def test_a_token_change_and_its_audit_record_are_one_transaction(edge_store, monkeypatch):
    """Issuing or revoking a token writes the token and its audit record together: a failure
    between the two leaves neither, success leaves both; a token that is not live is not
    revoked and nothing is recorded."""
    from liaison_graph.api.auth import create_token, revoke_token
    from liaison_graph.graph.errors import NotFound

    trail = edge_store.audit(0, 100_000)
    with monkeypatch.context() as m:
        _journal_fails(edge_store, m)
        with pytest.raises(RuntimeError):
            create_token(edge_store, "C1", "editor", "办公室")
    assert edge_store.tokens() == [] and edge_store.audit(0, 100_000) == trail

    record, _ = create_token(edge_store, "C1", "editor", "办公室")
    assert edge_store.tokens() == [record]
    *kept, created = edge_store.audit(0, 100_000)
    assert kept == trail
    assert (created["actor"], created["action"], created["committee_ids"], created["target"]) == \
        ("cli", "token.create", ["C1"], record.id)
    assert created["after"] == {"role": "editor", "name": "办公室", "expires_at": None}

    trail = edge_store.audit(0, 100_000)
    with monkeypatch.context() as m:
        _journal_fails(edge_store, m)
        with pytest.raises(RuntimeError):
            revoke_token(edge_store, record.id)
    assert edge_store.tokens() == [record] and edge_store.audit(0, 100_000) == trail  # still live, no record

    revoke_token(edge_store, record.id)
    assert [t.revoked_at is not None for t in edge_store.tokens()] == [True]
    *kept, revoked = edge_store.audit(0, 100_000)
    assert kept == trail
    assert (revoked["actor"], revoked["action"], revoked["committee_ids"], revoked["target"]) == \
        ("cli", "token.revoke", ["C1"], record.id)
    with pytest.raises(NotFound):
        revoke_token(edge_store, record.id)
    assert edge_store.audit(0, 100_000)[-1] == revoked


def test_a_tokens_scope_and_record_follow_every_change_on_every_store(edge_store, tmp_path):
    """A caller's scope is kept per committee table (the embedded store hands out one table
    until it changes; the Bolt store a new one on every call): on either it is the scope
    worked out afresh, and follows a committee added or moved; the token found by id is the
    one ``tokens()`` lists, revoked at once."""
    from liaison_graph.api.auth import authenticate, create_token, revoke_token
    from liaison_graph.graph.errors import Unauthorized
    from liaison_graph.graph.view import _subtree, subtree

    headers = {cid: f"Bearer {create_token(edge_store, cid, 'viewer')[1]}" for cid in ("P1", "C1", "C2")}

    def scopes() -> dict[str, frozenset[str]]:
        committees = edge_store.committees()
        for cid in committees:
            assert subtree(committees, cid) == _subtree(committees, cid)
        return {cid: authenticate(edge_store, header).scope for cid, header in headers.items()}

    assert scopes() == {"P1": {"P1", "C1", "C2"}, "C1": {"C1"}, "C2": {"C2"}}
    added = {"id": "C1X", "name": "新设政协", "level": "县", "parent_id": "C1"}
    load_files([write_json(tmp_path / "added.json", {"committees": [added]})], edge_store)
    assert scopes() == {"P1": {"P1", "C1", "C2", "C1X"}, "C1": {"C1", "C1X"}, "C2": {"C2"}}
    load_files([write_json(tmp_path / "moved.json", {"committees": [{**added, "parent_id": "C2"}]})], edge_store,
               moves=True)
    assert scopes() == {"P1": {"P1", "C1", "C2", "C1X"}, "C1": {"C1"}, "C2": {"C2", "C1X"}}
    token_id = headers["C2"].split("_")[1]
    assert edge_store.token(token_id) == next(t for t in edge_store.tokens() if t.id == token_id)
    assert edge_store.token("000000000000") is None
    revoke_token(edge_store, token_id)
    assert edge_store.token(token_id).revoked_at is not None
    with pytest.raises(Unauthorized):
        authenticate(edge_store, headers["C2"])


def test_a_sync_into_a_store_that_holds_data_keeps_the_write_rule(edge_store, tmp_path):
    """Copying a store into another that already holds some of its ids: a member the target
    keeps in another committee is not moved by the copy unless it is asked for; the copy is
    audited on the target."""
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.errors import Conflict
    from liaison_graph.graph.sync import copy_store

    member = next(m for m in EDGE_ROSTER["members"] if m["committee_id"] == "C2")
    moved = {**member, "committee_id": "C1"}
    moved.pop("party_org_ids", None)
    with EmbeddedStore(tmp_path / "source.db") as source:
        load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], source)
        load_files([write_json(tmp_path / "m.json", {"members": [moved]})], source, moves=True)
        before = edge_store.dump()
        with pytest.raises(Conflict, match="已属于政协「云岭县政协」"):
            copy_store(source, edge_store)
        assert edge_store.dump() == before
        copy_store(source, edge_store, moves=True)
    assert edge_store.node_props("Member", [member["id"]])[member["id"]]["committee_id"] == "C1"
    record = edge_store.audit(0, 100_000)[-1]
    assert record["action"] == "sync" and {"C1", "C2"} <= set(record["committee_ids"])


def test_clear_empties_the_roster_and_its_feed_and_keeps_tokens_and_the_audit_trail(edge_store, tmp_path):
    """``clear`` (``liaison sync --replace``) leaves no roster node, edge or feed entry, keeps
    every token and audit record, and moves the feed's number on; the Bolt store does it in
    transactions of at most its batch size (the tests' 500, below the roster's nodes)."""
    from liaison_graph.api.auth import create_token

    record, _ = create_token(edge_store, "C1", "editor", "办公室")
    trail, before = edge_store.audit(0, 100_000), edge_store.roster_version()
    feed = edge_store.changes(0, 100_000)
    assert trail and feed and edge_store.stats()
    edge_store.clear()
    assert not edge_store.has_roster() and sum(edge_store.stats().values()) == 0
    assert edge_store.changes(0, 100_000) == []
    assert edge_store.tokens() == [record] and edge_store.audit(0, 100_000) == trail
    if before is not None:
        assert edge_store.roster_version() > before
    load_files([write_json(tmp_path / "again.json", EDGE_ROSTER)], edge_store)  # the feed goes on after the old numbers
    assert min(c["cursor"] for c in edge_store.changes(0, 100_000)) > max(c["cursor"] for c in feed)
