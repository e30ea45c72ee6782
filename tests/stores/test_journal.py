"""The journal every store keeps with its writes: change feed, audit trail, tokens and
version checks. Runs on every backend."""

from __future__ import annotations

import pytest
from liaison_graph.graph.batch import Audit, etag
from liaison_graph.graph.errors import Conflict
from liaison_graph.graph.store import TokenRecord
from liaison_graph.loaders import load_files, prepare_doc

from tests.conftest import EDGE_ROSTER, open_backend, write_json


def test_a_load_is_journalled_by_committee_with_one_audit_record(store, tmp_path):
    report = load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store, actor="cli")
    entries = store.changes()
    assert report.result.cursor == entries[-1]["cursor"]
    by_committee = {e["committee_id"]: e for e in entries}
    assert {"P1", "C1", "C2"} <= set(by_committee)
    c1 = {(c["kind"], c.get("id") or c.get("src")) for c in by_committee["C1"]["changes"]}
    assert ("Member", "A1") in c1 and ("Member", "B1") in c1 and ("PartyOrg", "O3") in c1
    assert ("Member", "A1") not in {(c["kind"], c.get("id")) for c in by_committee["C2"]["changes"]}
    assert [e["cursor"] for e in entries] == sorted(e["cursor"] for e in entries)
    (record,) = store.audit()
    assert record["actor"] == "cli" and record["action"] == "import"
    assert set(record["committee_ids"]) >= {"C1", "C2", "P1"}
    assert record["after"]["rows"]["members"] == len(EDGE_ROSTER["members"])
    # paging by cursor gives the rest and nothing twice
    first = store.changes(0, 1)
    assert len(first) == 1 and store.changes(first[0]["cursor"], 100) == entries[1:]


def test_an_edge_only_write_is_filed_under_its_source_committee(store, tmp_path):
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    cursor = store.changes(0, 1000)[-1]["cursor"]
    batch, _ = prepare_doc({"contacts": [{"from_id": "A1", "to_id": "B1", "date": "2026-03-01", "mode": "走访"}]},
                           store, "请求")
    batch.audit = Audit("token:t1", "contact.create", ["C1"], "A1→B1", None, {"date": "2026-03-01"})
    result = store.write(batch)
    (entry,) = store.changes(cursor)
    assert entry["committee_id"] == "C1" and result.cursor == entry["cursor"]
    assert entry["changes"] == [{"kind": "CONTACTED", "src_kind": "Member", "src": "A1", "dst_kind": "Member",
                                 "dst": "B1", "key": "2026-03-01|visit"}]
    assert store.audit()[-1]["action"] == "contact.create" and store.audit()[-1]["actor"] == "token:t1"


def test_a_stale_version_is_refused_and_changes_nothing(store, tmp_path):
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    before = store.dump()
    seen = etag(store.node_props("Member", ["B1"])["B1"])
    row = {"id": "B1", "name": "赵敏", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟", "gender": "女"}
    batch, _ = prepare_doc({"members": [row]}, store, "请求")
    batch.expect[("Member", "B1")] = "0" * 20
    with pytest.raises(Conflict):
        store.write(batch)
    assert store.dump() == before
    batch.expect[("Member", "B1")] = seen
    store.write(batch)
    assert store.node_props("Member", ["B1"])["B1"]["gender"] == "female"
    assert etag(store.node_props("Member", ["B1"])["B1"]) != seen


def test_tokens_are_kept_hashed_and_revocable(store):
    record = TokenRecord("t1", "ab" * 32, "C1", "viewer", "办公室", "2026-11-01T00:00:00Z")
    store.add_token(record)
    store.add_token(TokenRecord("t2", "cd" * 32, "P1", "admin", None, "2026-11-02T00:00:00Z", "2027-01-01T00:00:00Z"))
    assert [t.id for t in store.tokens()] == ["t1", "t2"]
    assert store.tokens()[0] == record
    assert store.revoke_token("t1", "2026-11-03T00:00:00Z") is True
    assert store.revoke_token("t1", "2026-11-04T00:00:00Z") is False
    assert store.revoke_token("nope", "2026-11-04T00:00:00Z") is False
    assert store.tokens()[0].revoked_at == "2026-11-03T00:00:00Z"


def test_the_journal_survives_reopening(backend, tmp_path):
    store = open_backend(backend, tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    store.add_token(TokenRecord("t1", "ab" * 32, "C1", "viewer", None, "2026-11-01T00:00:00Z"))
    entries, audit = store.changes(), store.audit()
    store.close()
    again = open_backend(backend, tmp_path, fresh=False)
    try:
        assert again.changes() == entries and again.audit() == audit and [t.id for t in again.tokens()] == ["t1"]
        # the journal is not part of the graph: nodes and edges are only the model's
        assert {kind for kind, _ in again.dump()["nodes"]} <= {"Committee", "PartyOrg", "Member", "Sector",
                                                              "SpecialCommittee", "ActivityGroup", "Studio"}
    finally:
        again.close()


def test_edges_of_lists_what_leaves_a_node(store, tmp_path):
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    edges = store.edges_of("Member", ["A1"])
    assert ("IN_PARTY_ORG", "Member", "A1", "PartyOrg", "O2", "", {}) in edges
    assert all(e[2] == "A1" for e in edges)
    liaison = next(e for e in edges if e[0] == "LIAISES_WITH")
    assert store.edge_props(*liaison[:6][:1], *liaison[1:6]) == liaison[6]


def test_a_token_change_keeps_what_the_embedded_store_built_from_the_roster(tmp_path, monkeypatch):
    """A token changes no roster: the report columns, the gap index and the graph built before
    it stand (a whole-nation report would otherwise build its columns again); the token list
    follows at once."""
    import datetime as dt

    from liaison_graph.api.auth import create_token, revoke_token
    from liaison_graph.graph.projections import ReportColumns

    store = open_backend("embedded", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    built = []
    real = ReportColumns.build
    monkeypatch.setattr(ReportColumns, "build", lambda self, s: built.append(1) or real(self, s))
    columns, graph = store.columns(), store.graph()
    gaps = store.gaps("non-party-without-liaison", dt.date(2026, 7, 1))
    record, _ = create_token(store, "C1", "viewer", "看")
    assert revoke_token(store, record.id)
    assert store.columns() is columns and store.graph() is graph and built == [1]
    assert store.gaps("non-party-without-liaison", dt.date(2026, 7, 1)) == gaps
    assert [t.id for t in store.tokens()] == [record.id] and store.tokens()[0].revoked_at
    store.close()
