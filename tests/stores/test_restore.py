"""Restoring a backup: the roster data comes from the backup; the tokens, the audit trail and
the change feed stay the live store's (the restore appends to them, numbers only go up);
a backup whose schema is not the product's own, or whose committees form a cycle, is
refused and the live store is left as it was."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from liaison_graph.api.auth import create_token
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import StoreError
from liaison_graph.graph.sqlite_schema import SCHEMA_VERSION, SCHEMA
from liaison_graph.graph.store import TokenRecord
from liaison_graph.loaders import load_files

from benchmarks.api_load import free_port, serving
from tests.conftest import EDGE_ROSTER, write_json

ROOT = Path(__file__).resolve().parents[2]
LATER_MEMBER = {"id": "W1", "name": "后来", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"}


def _token(store: EmbeddedStore, token_id: str, committee_id: str = "P1") -> TokenRecord:
    record = TokenRecord(token_id, token_id * 32, committee_id, "admin", None, "2026-11-01T00:00:00Z")
    store.add_token(record)
    return record


def _older_backup(tmp_path: Path) -> tuple[Path, Path]:
    """A live store and a backup taken before a token was issued, another revoked and a
    member loaded."""
    live, backup = tmp_path / "live.db", tmp_path / "copy.db"
    with EmbeddedStore(live) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store, actor="cli")
        _token(store, "aa")
        _token(store, "bb")
        store.backup(backup)
        _token(store, "cc")
        store.revoke_token("bb", "2026-11-05T00:00:00Z")
        load_files([write_json(tmp_path / "later.json", {"members": [LATER_MEMBER]})], store, actor="cli")
    return live, backup


def _state(store: EmbeddedStore) -> dict:
    return {"dump": store.dump(), "tokens": store.tokens(), "audit": store.audit(0, 10_000),
            "changes": store.changes(0, 10_000),
            "schema": store.db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()}


def _first_version_backup(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("INSERT INTO nodes VALUES ('Committee', 'C1', 'C1', ?)",
               (json.dumps({"id": "C1", "name": "溪山县政协", "committee_id": "C1"}, ensure_ascii=False),))
    db.execute("PRAGMA application_id=1279740240")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("which", ["current", "first-version"])
def test_a_restore_keeps_the_live_tokens_and_audit_trail_and_records_itself(tmp_path, which):
    live, backup = _older_backup(tmp_path)
    if which == "first-version":
        backup = _first_version_backup(tmp_path / "v1.db")
    with EmbeddedStore(live) as store:
        tokens, audit = store.tokens(), store.audit(0, 10_000)
        counts = store.stats()
        store.restore(backup)
        assert store.tokens() == tokens  # cc issued since the backup stays, bb revoked since stays revoked
        assert {t.id: t.revoked_at for t in store.tokens()} == {"aa": None, "bb": "2026-11-05T00:00:00Z", "cc": None}
        *kept, record = store.audit(0, 10_000)
        assert kept == audit  # the records written since the backup stay
        assert (record["actor"], record["action"], record["target"]) == ("cli", "restore", backup.name)
        assert record["before"] == {"counts": counts} and record["after"] == {"counts": store.stats()}
        assert record["seq"] > audit[-1]["seq"]
        members = {nid for kind, nid in store.dump()["nodes"] if kind == "Member"}
        assert "W1" not in members  # the roster data is the backup's


def test_sequence_numbers_go_on_and_the_feed_tells_what_the_restore_changed(tmp_path):
    live, backup = _older_backup(tmp_path)
    with EmbeddedStore(live) as store:
        cursor = store.changes(0, 10_000)[-1]["cursor"]
        seq = store.audit(0, 10_000)[-1]["seq"]
        store.restore(backup)
        entries = store.changes(cursor, 10_000)
        assert [e["committee_id"] for e in entries] == ["C1"]  # only the committee whose data changed
        assert entries[0]["changes"] == [{"kind": "Member", "id": "W1"}]  # gone with the restore
        assert entries[0]["cursor"] > cursor and store.audit(seq, 10)[0]["action"] == "restore"
        load_files([write_json(tmp_path / "again.json", {"members": [{**LATER_MEMBER, "id": "W2"}]})], store)
        assert store.changes(entries[-1]["cursor"], 10)[0]["changes"][0]["id"] == "W2"
        assert store.audit(0, 10_000)[-1]["seq"] > seq + 1


def test_restore_from_the_command_line_while_serving(tmp_path):
    """A consumer polling the change feed of a running server sees what a restore changed,
    within its token's scope; the token issued since the backup still works, the one
    revoked since is still refused."""
    live, backup = tmp_path / "live.db", tmp_path / "copy.db"
    with EmbeddedStore(live) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store, actor="cli")
        _, revoked = create_token(store, "P1", "admin", "later revoked")
        store.backup(backup)
        _, county = create_token(store, "C1", "viewer", "county")
        _, neighbour = create_token(store, "C2", "viewer", "neighbour")
        store.revoke_token(revoked.split("_")[1], "2026-11-05T00:00:00Z")
        load_files([write_json(tmp_path / "later.json", {"members": [LATER_MEMBER]})], store, actor="cli")
    with serving(live, free_port()) as base, httpx.Client(base_url=base, timeout=30) as http:
        def changes(token: str, since: int) -> dict:
            answer = http.get("/api/v1/changes", params={"since": since, "limit": 1000},
                              headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.text
            return answer.json()

        county_next, neighbour_next = changes(county, 0)["next"], changes(neighbour, 0)["next"]
        out = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(live), "restore", str(backup)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        seen = changes(county, county_next)
        assert [(e["committee_id"], e["changes"]) for e in seen["items"]] == [("C1", [{"kind": "Member", "id": "W1"}])]
        assert seen["next"] > county_next
        assert changes(neighbour, neighbour_next)["items"] == []
        assert http.get("/api/v1/changes", headers={"Authorization": f"Bearer {revoked}"}).status_code == 401


REFUSED = {
    # a trigger that would issue itself an admin token on the next write
    "trigger": ("CREATE TRIGGER backdoor AFTER INSERT ON changes BEGIN INSERT INTO tokens VALUES "
                "('evil', 'x', 'P1', 'admin', NULL, '2026-01-01', NULL, NULL); END", "backdoor"),
    "view": ("CREATE VIEW all_tokens AS SELECT * FROM tokens", "all_tokens"),
    "table": ("CREATE TABLE extra (x)", "extra"),
    "index": ("CREATE INDEX extra_index ON nodes (props)", "extra_index"),
    "missing index": ("DROP INDEX edges_by_kind", "edges_by_kind"),
    "changed trigger": ("DROP TRIGGER audit_append_only_delete; CREATE TRIGGER audit_append_only_delete "
                        "BEFORE DELETE ON audit BEGIN SELECT 1; END", "audit_append_only_delete"),
    "old version with a trigger": ("PRAGMA user_version=2; DROP TABLE report_columns; DROP TABLE member_index; "
                                   "ALTER TABLE tokens DROP COLUMN member_id; ALTER TABLE tokens DROP COLUMN confirm; "
                                   "DROP TABLE cover_spans; CREATE TRIGGER on_migration AFTER INSERT ON nodes "
                                   "BEGIN DELETE FROM tokens; END", "on_migration"),
}


@pytest.mark.parametrize("change", list(REFUSED))
def test_a_backup_whose_schema_is_not_the_products_is_refused(tmp_path, change):
    live, backup = _older_backup(tmp_path)
    script, name = REFUSED[change]
    db = sqlite3.connect(backup)
    db.executescript(script)
    db.close()
    with EmbeddedStore(live) as store:
        before = _state(store)
        with pytest.raises(StoreError) as refused:
            store.restore(backup)
        assert name in refused.value.message and "\n" not in refused.value.message
        assert _state(store) == before
        load_files([write_json(tmp_path / "again.json", {"members": [{**LATER_MEMBER, "id": "W2"}]})], store)
        assert "evil" not in {t.id for t in store.tokens()}  # the trigger never ran


def test_a_backup_whose_committees_form_a_cycle_is_refused(tmp_path):
    live, backup = _older_backup(tmp_path)
    db = sqlite3.connect(backup)
    db.execute("UPDATE nodes SET props = json_set(props, '$.parent_id', 'C1') WHERE kind = 'Committee' AND id = 'P1'")
    db.commit()
    db.close()
    with EmbeddedStore(live) as store:
        before = _state(store)
        with pytest.raises(StoreError) as refused:
            store.restore(backup)
        assert "P1" in refused.value.message and "C1" in refused.value.message
        assert _state(store) == before


def test_a_file_of_schema_version_4_has_its_gap_index_written_again_in_todays_days(tmp_path):
    """Version 5 counts the gap index's days as graph/days.py does (version 4 wrote YYYYMMDD):
    opening an older file writes every row of the index again, so its answers are the
    roster's, not those of rows in the old encoding."""
    import datetime as dt

    from liaison_graph.graph.flagship import RULES

    path = tmp_path / "old.db"
    with EmbeddedStore(path) as store:
        load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
        days = [dt.date(2020, 1, 1), dt.date(2026, 7, 1)]
        expected = {(rule, day): store.gaps(rule, day) for rule in RULES for day in days}
        assert any(expected.values())
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE member_index SET start_day = 20200101, end_day = 99991231")  # as version 4 kept them
    db.execute("UPDATE cover_spans SET start_day = 0, end_day = 99991231")
    db.execute("ALTER TABLE tokens DROP COLUMN member_id")  # as version 4 kept its tokens
    db.execute("ALTER TABLE tokens DROP COLUMN confirm")
    db.execute("PRAGMA user_version=4")
    db.close()
    with EmbeddedStore(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {(rule, day): store.gaps(rule, day) for rule in RULES for day in days} == expected
