"""Backup and restore of the embedded store's file.

A backup is SQLite's online copy of the whole file (writers may go on; the copy is one
moment). A restore replaces the roster data and what is derived from it with a backup's,
in one transaction, after checking the backup on a scratch copy: its schema exactly the one
this program creates for its version, the file whole, its committee tree without a cycle."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from pathlib import Path

from liaison_graph.graph.batch import EdgeRow, entities_json, now, table_edge_kinds
from liaison_graph.graph.errors import StoreError
from liaison_graph.graph.parts import committee_cycle
from liaison_graph.graph.sqlite_lists import props_text
from liaison_graph.graph.sqlite_schema import APPLICATION_ID, SCHEMA_VERSION, product_schema, reason

log = logging.getLogger(__name__)

OBJECT_LABELS = {"table": "表", "index": "索引", "view": "视图", "trigger": "触发器"}


def backup(db: sqlite3.Connection, target: str | Path) -> Path:
    """A consistent copy of the whole file (graph, indexes, journal, tokens) taken with
    SQLite's online backup: writers may go on meanwhile; the copy is one moment."""
    target = Path(target)
    if target.exists():
        raise StoreError(f"备份文件 {target} 已存在，不覆盖", path=str(target))
    dest = sqlite3.connect(target)
    try:
        db.backup(dest)
    finally:
        dest.close()
    return target


def restore(store, source: str | Path, actor: str, open_copy) -> None:
    """Replace the roster data (graph, gap indexes, report columns) with a backup's, in
    one transaction. The tokens, the audit trail and the change feed stay this store's:
    the restore appends its own audit record and one change entry per committee whose
    data it changes, so their numbers only go up. Into a store that has never issued a
    token or written an audit record (a new file after the old one was lost) the
    backup's tokens and audit trail come with the data.

    The backup is checked on a scratch copy before anything in it runs: its schema must
    be exactly the one this program creates for the backup's version (no extra or
    missing trigger, view, table or index, no changed definition), the file whole, its
    committee tree without a cycle; an older version is then migrated on the copy. A
    refusal leaves this store as it was."""
    source = Path(source)
    if not source.is_file():
        raise StoreError(f"备份文件 {source} 不存在", path=str(source))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "restore.db"
        shutil.copyfile(source, scratch)
        _check_backup(scratch, source)
        try:
            checked = open_copy(scratch)  # migrates an old one; its schema is the product's
        except StoreError as exc:
            raise _refusal(source, exc.message.split("：", 1)[-1]) from None
        try:
            _check_schema(checked.db, SCHEMA_VERSION, source)
            _check_tree(checked, source)
        finally:
            checked.close()
        _replace_from(store, scratch, source.name, actor)


def _refusal(source: Path, why: str) -> StoreError:
    return StoreError(f"无法从 {source} 恢复：{why}", path=str(source))


def _check_backup(scratch: Path, source: Path) -> None:
    """The copy is a store of this program, of a version it knows, with exactly the
    schema that version has, and whole; read without running anything of the file."""
    db = sqlite3.connect(scratch, isolation_level=None)
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _refusal(source, reason(exc)) from None
        if app_id != APPLICATION_ID or version < 1:
            raise _refusal(source, "不是 liaison-graph 数据库文件")
        if version > SCHEMA_VERSION:
            raise _refusal(source, f"备份由更新版本写入（结构版本 {version}），请升级本程序")
        _check_schema(db, version, source)
        problem = db.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise StoreError(f"备份文件 {source} 已损坏：{problem}", path=str(source))
    except sqlite3.DatabaseError as exc:
        raise _refusal(source, reason(exc)) from None
    finally:
        db.close()


def _check_schema(db: sqlite3.Connection, version: int, source: Path) -> None:
    """Refuse a file whose tables, indexes, views and triggers are not those this
    program creates at ``version``, statement for statement."""
    found = {(kind, name): (table, sql) for kind, name, table, sql in
             db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")}
    wanted = product_schema(version)
    for kind, name in sorted(found.keys() - wanted.keys()):
        raise _refusal(source, f"备份中有本程序不会建立的{OBJECT_LABELS.get(kind, kind)}「{name}」")
    for kind, name in sorted(wanted.keys() - found.keys()):
        raise _refusal(source, f"备份中缺少{OBJECT_LABELS.get(kind, kind)}「{name}」")
    for kind, name in sorted(wanted):
        if found[(kind, name)] != wanted[(kind, name)]:
            raise _refusal(source, f"备份中{OBJECT_LABELS.get(kind, kind)}「{name}」的定义与本程序不同")


def _check_tree(checked, source: Path) -> None:
    """Refuse a backup in which walking up from a committee through its parents comes
    back to a committee already passed."""
    cycle = committee_cycle({cid: props.get("parent_id") for cid, props in checked.committees().items()})
    if cycle:
        raise _refusal(source, "备份中政协的上下级关系成环：" + " → ".join(cycle))


def _replace_from(store, scratch: Path, name: str, actor: str) -> None:
    """The checked copy's roster data into this store, journalled, in one transaction."""
    db = store.db
    db.execute("ATTACH DATABASE ? AS restored", (str(scratch),))
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            before = store.stats()
            committees = [cid for (cid,) in db.execute(
                "SELECT id FROM main.nodes WHERE kind = 'Committee' UNION "
                "SELECT id FROM restored.nodes WHERE kind = 'Committee' ORDER BY 1")]
            changed = _restore_changes(db)
            for table in ("nodes", "edges", *store.projection_tables()):
                db.execute(f"DELETE FROM main.{table}")
                db.execute(f"INSERT INTO main.{table} SELECT * FROM restored.{table}")
            for table in ("tokens", "audit"):  # a store that has none yet takes the backup's
                if not db.execute(f"SELECT EXISTS (SELECT 1 FROM main.{table})").fetchone()[0]:
                    db.execute(f"INSERT INTO main.{table} SELECT * FROM restored.{table}")
            at = now()
            for committee_id in sorted(changed, key=lambda c: c or ""):
                entities = entities_json([x if len(x) == 2 else EdgeRow(*x) for x in
                                          sorted(changed[committee_id], key=lambda x: (len(x), x))])
                db.execute("INSERT INTO changes (at, committee_id, entities) VALUES (?, ?, ?)",
                           (at, committee_id, props_text(entities)))
            backup_version = db.execute(
                "SELECT coalesce(max(seq), 0) FROM restored.sqlite_sequence WHERE name = 'changes'").fetchone()[0]
            for projection in store.projections.values():
                projection.restored(store, backup_version)
            db.execute(
                "INSERT INTO audit (at, actor, action, committee_ids, target, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at, actor, "restore", props_text(committees), name, props_text({"counts": before}),
                 props_text({"counts": store.stats()})))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    finally:
        db.execute("DETACH DATABASE restored")
        store.forget()
    log.info("restored %s into %s", name, store.path)


def _restore_changes(db: sqlite3.Connection) -> dict[str | None, set[tuple]]:
    """What replacing this store's roster data with the attached backup's changes, by
    committee, in the change feed's terms: every node that differs (under its committee
    before and after), every liaison and contact that differs, and the source node of
    any other edge that differs (an edge derived from a node's row goes with the node)."""
    tables, out = table_edge_kinds(), {}
    for mine, other in (("main", "restored"), ("restored", "main")):
        for cid, kind, nid in db.execute(
                "SELECT committee_id, kind, id "
                f"FROM (SELECT * FROM {mine}.nodes EXCEPT SELECT * FROM {other}.nodes)"):
            out.setdefault(cid, set()).add((kind, nid))
        for cid, kind, src_kind, src, dst_kind, dst, key in db.execute(
                "SELECT n.committee_id, e.kind, e.src_kind, e.src, e.dst_kind, e.dst, e.key "
                f"FROM (SELECT * FROM {mine}.edges EXCEPT SELECT * FROM {other}.edges) e "
                f"LEFT JOIN {mine}.nodes n ON n.kind = e.src_kind AND n.id = e.src"):
            entity = (kind, src_kind, src, dst_kind, dst, key) if kind in tables else (src_kind, src)
            out.setdefault(cid, set()).add(entity)
    return out

