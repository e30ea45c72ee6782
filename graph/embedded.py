"""The embedded default store: a networkx graph in memory, durable in one SQLite file.

The file holds two tables, ``nodes`` and ``edges``, with properties as JSON. Every
write is one SQLite transaction (WAL journal, full sync), so a crash at any moment
leaves either the whole import or none of it. The networkx graph is built from the
file when a question needs it: the whole graph, or only one committee's neighbourhood
when the question is about one committee. Beside them: the gap indexes (kept by every
write) and the whole store's report columns (kept in the file until the next write; in
memory, brought up to date by this store's own writes).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from itertools import islice, repeat
from pathlib import Path

import networkx as nx
import orjson

from liaison_graph.graph import fastpaths
from liaison_graph.graph import columnar, gapindex
from liaison_graph.graph.errors import CommitteeNotFound, Conflict, StoreError
from liaison_graph.graph.model import model
from liaison_graph.graph.store import (PART_INCOMING, STAT_KEYS, Audit, Batch, EdgeRow, Store, TokenRecord, WriteResult, bulk, by_kind, changed_entities, committee_cycle, complete_part, entities_json, etag, now, put_edge, put_node, table_edge_rows)
from liaison_graph.graph.flagship import check_rule

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4C474950  # "LGIP": marks a file as a liaison-graph store
SCHEMA_VERSION = 4
CHUNK = 900  # ids per IN (...) list, below SQLite's variable limit
BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another connection's lock
PARTS_KEPT = 64  # committee graphs kept in memory between writes

# The secondary indexes of the two main tables. A bulk import into an empty file drops them
# and builds them once its rows are in (one sort instead of millions of random inserts:
# about three times faster at nation scale), inside the same transaction.
SECONDARY_INDEXES = {
    "nodes_by_committee": "CREATE INDEX IF NOT EXISTS nodes_by_committee ON nodes (committee_id, kind)",
    "edges_by_target": "CREATE INDEX IF NOT EXISTS edges_by_target ON edges (dst_kind, dst, kind)",
    "edges_by_kind": "CREATE INDEX IF NOT EXISTS edges_by_kind ON edges (kind)",
}
# The report columns (graph.columnar): what they are read from, and their two blobs. Each
# column comes out of SQLite as one string (values joined by SEP, NULL for a missing one).
COLUMN_BLOBS = (f"arrays-v{columnar.FORMAT}", f"text-v{columnar.FORMAT}")
SEP, NULL = "\x1f", "\x1d"
COLUMN_NODE_SQL = {
    "id": "id", "committee_id": "committee_id", "name": "json_extract(props, '$.name')",
    "sector": "json_extract(props, '$.sector')", "cpc": "CASE WHEN json_extract(props, '$.cpc') = 1 THEN 1 END",
    "position": "json_extract(props, '$.position')",
    "party_group_role": "nullif(json_extract(props, '$.party_group_role'), '')",
    "org_kind": "CASE kind WHEN 'PartyOrg' THEN json_extract(props, '$.kind') END",
    "start_date": "json_extract(props, '$.start_date')", "end_date": "json_extract(props, '$.end_date')",
}
COLUMN_EDGE_SQL = {"src": "src", "dst": "dst", "props": "CASE props WHEN '{}' THEN NULL ELSE props END"}
COLUMN_EDGE_KINDS = (*columnar.EDGE_KINDS, columnar.CONTACT)

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    committee_id TEXT,
    props TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (
    src_kind TEXT NOT NULL,
    src TEXT NOT NULL,
    kind TEXT NOT NULL,
    dst_kind TEXT NOT NULL,
    dst TEXT NOT NULL,
    key TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (src_kind, src, kind, dst_kind, dst, key)
) WITHOUT ROWID;
""" + "".join(f"{statement};\n" for statement in SECONDARY_INDEXES.values())
# Each migration takes a file from the version before it to its own version.
MIGRATIONS = {
    2: """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    committee_id TEXT,
    entities TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    committee_ids TEXT NOT NULL,
    target TEXT,
    before TEXT,
    after TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    committee_id TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
""",
    3: gapindex.SCHEMA,  # and the index filled from the data already there
    4: """
CREATE TABLE IF NOT EXISTS report_columns (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
""",
}
AFTER_MIGRATION = {3: lambda db: gapindex.refresh(db, None)}


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _sql_list(kinds: Iterable[str]) -> str:
    """Edge kinds of the model as an SQL list (they are names of the model, never input)."""
    return "(" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _dumps(value) -> str:
    if not value and not isinstance(value, list):  # most row-derived edges carry nothing
        return "{}"
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


_SCHEMAS: dict[int, dict] = {}


def _product_schema(version: int) -> dict[tuple[str, str], tuple[str, str | None]]:
    """The schema objects a store of ``version`` has, as SQLite records them: (type, name)
    -> (table, SQL text); built once per version in an empty database in memory."""
    if version not in _SCHEMAS:
        db = sqlite3.connect(":memory:", isolation_level=None)
        try:
            for script in (SCHEMA, *(MIGRATIONS[v] for v in range(2, version + 1))):
                db.executescript(script)
            _SCHEMAS[version] = {(kind, name): (table, sql) for kind, name, table, sql in
                                 db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")}
        finally:
            db.close()
    return _SCHEMAS[version]


class EmbeddedStore(Store):
    name = "embedded"

    def __init__(self, path: str | Path, create: bool = True):
        """Open the store's file; ``create=False`` opens only a file that exists (a read
        never leaves a new, empty store behind)."""
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"库文件 {self.path} 不存在", path=str(self.path), missing=True)
        target = self.path if create else f"{self.path.resolve().as_uri()}?mode=rw"
        try:
            self.db = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=not create)
            self._prepare()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开数据库文件 {self.path}：{self._reason(exc)}", path=str(self.path)) from None
        self._graph: nx.MultiDiGraph | None = None
        self._parts: dict = {}
        self._gaps: gapindex.GapIndex | None = None
        self._columns: columnar.Columns | None = None
        self._committees: dict | None = None
        self._tokens: list[TokenRecord] | None = None
        self._data_version: int | None = None

    @staticmethod
    def _reason(exc: sqlite3.Error) -> str:
        text = str(exc)
        return "不是 liaison-graph 数据库文件" if "not a database" in text else text

    def _prepare(self) -> None:
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and tables:
            raise StoreError(f"无法打开数据库文件 {self.path}：不是 liaison-graph 数据库文件", path=str(self.path))
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"数据库文件 {self.path} 由更新版本写入（结构版本 {version}），请升级本程序")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if app_id != APPLICATION_ID or version < SCHEMA_VERSION:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                version = self.db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
                if app_id != APPLICATION_ID:
                    self._script(SCHEMA)
                    version = 1
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    log.info("migrating %s to schema version %s", self.path, target)
                    self._script(MIGRATIONS[target])
                    if target in AFTER_MIGRATION:
                        AFTER_MIGRATION[target](self.db)
                self.db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _script(self, script: str) -> None:
        """Run DDL statements inside the open transaction (executescript would commit it)."""
        statement = ""
        for line in script.strip().splitlines():
            statement += line + "\n"
            if sqlite3.complete_statement(statement):
                self.db.execute(statement)
                statement = ""

    def close(self) -> None:
        self.db.close()

    # --- writing -------------------------------------------------------------------
    def write(self, batch: Batch) -> WriteResult:
        if batch.as_columns() is None or batch.rows() < fastpaths.WRITE_INDEXES_LAST_FROM or not self._is_empty():
            return self._write(batch)
        # A large import into an empty file goes through a rollback journal, not the WAL: its
        # pages are then written once, into the file (the WAL would hold them all, then copy
        # them), and a crash still leaves all of it or none. The journal mode changes only
        # when no other connection has the file open; the WAL comes back after the write.
        self.db.execute("PRAGMA busy_timeout=0")  # another connection holds the file: at once, keep the WAL
        try:
            switched = self.db.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:
            switched = False
        finally:
            self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            return self._write(batch)
        finally:
            if switched:
                try:
                    self.db.execute("PRAGMA journal_mode=WAL")
                except sqlite3.OperationalError as exc:  # the next opening sets it again
                    log.warning("could not return %s to WAL journal mode: %s", self.path, exc)

    def _is_empty(self) -> bool:
        return bool(self.db.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM nodes) AND NOT EXISTS (SELECT 1 FROM edges)").fetchone()[0])

    def _write(self, batch: Batch) -> WriteResult:
        db, patch, committed = self.db, None, False
        log.info("writing batch: %s nodes and edges", batch.rows())
        try:
            db.execute("BEGIN IMMEDIATE")
            self._check_expected(batch)
            empty = self._is_empty()
            in_columns = batch.as_columns() if empty else None  # a large import into an empty file: written from its columns
            late_indexes = empty and batch.rows() >= fastpaths.WRITE_INDEXES_LAST_FROM
            if late_indexes:
                for name in SECONDARY_INDEXES:
                    db.execute(f"DROP INDEX IF EXISTS {name}")
            if in_columns is not None:
                created, updated = self._insert_columns(in_columns)
            else:
                created, updated = self._insert_rows(batch, empty)
            if late_indexes:
                for statement in SECONDARY_INDEXES.values():
                    db.execute(statement)
            gapindex.refresh(db, None if in_columns is not None else batch)
            db.execute("DELETE FROM report_columns")
            patch = self._column_patch(batch)
            cursor = self._journal(batch, in_columns)
            db.execute("COMMIT")
            committed = True
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            columns = self._columns
            self._forget()
            if committed and patch is not None:  # the columns in memory follow the write
                try:
                    columns.patch(*patch)
                    self._columns = columns
                except Exception:  # never fail a committed write: the next report builds them again
                    log.exception("report columns could not follow the write; they will be built again")
        log.info("wrote batch: created %s, updated %s", created, updated)
        return WriteResult(created, updated, cursor)

    def _insert_rows(self, batch: Batch, empty: bool) -> tuple[dict, dict]:
        db, created, updated = self.db, {}, {}
        for kind, nodes in batch.nodes.items():
            before = 0 if empty else len(self.existing(kind, nodes))
            db.executemany(
                "INSERT INTO nodes (kind, id, committee_id, props) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET committee_id = excluded.committee_id, props = excluded.props",
                ((kind, nid, p.get("committee_id"), _dumps(p)) for nid, p in nodes.items()),
            )
            created[kind], updated[kind] = len(nodes) - before, before
        for kind, ids in ({} if empty else batch.replace_row_edges).items():
            edge_kinds = model().row_edges(kind)
            marks = ",".join("?" * len(edge_kinds))
            db.executemany(
                f"DELETE FROM edges WHERE src_kind = ? AND src = ? AND kind IN ({marks})",
                ((kind, nid, *edge_kinds) for nid in ids),
            )
        for kind, rows in table_edge_rows(batch).items():
            before = 0 if empty else self._count_existing_edges(rows)
            created[kind], updated[kind] = len(rows) - before, before
        db.executemany(
            "INSERT INTO edges (src_kind, src, kind, dst_kind, dst, key, props) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (src_kind, src, kind, dst_kind, dst, key) DO UPDATE SET props = excluded.props",
            ((e.src_kind, e.src, e.kind, e.dst_kind, e.dst, e.key, _dumps(e.props)) for e in batch.edges),
        )
        return created, updated

    def _insert_columns(self, columns) -> tuple[dict, dict]:
        """A batch held as columns into the empty file: its rows in key order (each table
        then grows at its end), their properties already JSON."""
        self.db.executemany("INSERT INTO nodes (kind, id, committee_id, props) VALUES (?, ?, ?, ?)", columns.node_rows())
        self.db.executemany("INSERT INTO edges (src_kind, src, kind, dst_kind, dst, key, props) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            columns.edge_rows())
        created = columns.created()
        return created, dict.fromkeys(created, 0)

    def _check_expected(self, batch: Batch) -> None:
        for target, wanted in batch.expect.items():
            if len(target) == 2:  # a node: (kind, id)
                row = self.db.execute("SELECT props FROM nodes WHERE kind = ? AND id = ?", target).fetchone()
            else:  # an edge: (kind, src_kind, src, dst_kind, dst, key)
                kind, src_kind, src, dst_kind, dst, key = target
                row = self.db.execute(
                    "SELECT props FROM edges WHERE src_kind = ? AND src = ? AND kind = ? AND dst_kind = ? AND dst = ? "
                    "AND key = ?", (src_kind, src, kind, dst_kind, dst, key)).fetchone()
            if etag(json.loads(row[0]) if row else None) != wanted:
                raise Conflict("已被他人修改，请重新读取后再改", target=list(target))

    def _journal(self, batch: Batch, columns=None) -> int | None:
        at = now()
        if columns is not None:
            entries = columns.feed(self)
        else:
            by_committee = changed_entities(batch, self.committees_of)
            entries = ((cid, _dumps(entities_json(by_committee[cid]))) for cid in sorted(by_committee, key=lambda c: c or ""))
        cursor = None
        for committee_id, entities in entries:
            cursor = self.db.execute(
                "INSERT INTO changes (at, committee_id, entities) VALUES (?, ?, ?)", (at, committee_id, entities)).lastrowid
        if batch.audit is not None:
            a = batch.audit
            self.db.execute(
                "INSERT INTO audit (at, actor, action, committee_ids, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at, a.actor, a.action, _dumps(sorted(a.committee_ids)), a.target,
                 None if a.before is None else _dumps(a.before), None if a.after is None else _dumps(a.after)),
            )
        return cursor

    def clear(self) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM edges")
            self.db.execute("DELETE FROM nodes")
            self.db.execute("DELETE FROM changes")
            self.db.execute("DELETE FROM member_index")
            self.db.execute("DELETE FROM cover_spans")
            self.db.execute("DELETE FROM report_columns")
        self._forget()

    # --- backup and restore -------------------------------------------------------------
    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the whole file (graph, indexes, journal, tokens) taken with
        SQLite's online backup: writers may go on meanwhile; the copy is one moment."""
        target = Path(target)
        if target.exists():
            raise StoreError(f"备份文件 {target} 已存在，不覆盖", path=str(target))
        dest = sqlite3.connect(target)
        try:
            self.db.backup(dest)
        finally:
            dest.close()
        return target

    # The roster data and what is derived from it: what a restore takes from the backup.
    RESTORED_TABLES = ("nodes", "edges", "member_index", "cover_spans", "report_columns")
    OBJECT_LABELS = {"table": "表", "index": "索引", "view": "视图", "trigger": "触发器"}

    def restore(self, source: str | Path, actor: str = "cli") -> None:
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
        import shutil
        import tempfile

        source = Path(source)
        if not source.is_file():
            raise StoreError(f"备份文件 {source} 不存在", path=str(source))
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / "restore.db"
            shutil.copyfile(source, scratch)
            self._check_backup(scratch, source)
            try:
                checked = EmbeddedStore(scratch)  # migrates an old one; its schema is the product's
            except StoreError as exc:
                reason = exc.message.split("：", 1)[-1]
                raise StoreError(f"无法从 {source} 恢复：{reason}", path=str(source)) from None
            try:
                self._check_schema(checked.db, SCHEMA_VERSION, source)
                self._check_tree(checked, source)
            finally:
                checked.close()
            self._replace_from(scratch, source.name, actor)

    @staticmethod
    def _refusal(source: Path, reason: str) -> StoreError:
        return StoreError(f"无法从 {source} 恢复：{reason}", path=str(source))

    def _check_backup(self, scratch: Path, source: Path) -> None:
        """The copy is a store of this program, of a version it knows, with exactly the
        schema that version has, and whole; read without running anything of the file."""
        db = sqlite3.connect(scratch, isolation_level=None)
        try:
            db.execute("PRAGMA trusted_schema=OFF")
            try:
                app_id = db.execute("PRAGMA application_id").fetchone()[0]
                version = db.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise self._refusal(source, self._reason(exc)) from None
            if app_id != APPLICATION_ID or version < 1:
                raise self._refusal(source, "不是 liaison-graph 数据库文件")
            if version > SCHEMA_VERSION:
                raise self._refusal(source, f"备份由更新版本写入（结构版本 {version}），请升级本程序")
            self._check_schema(db, version, source)
            problem = db.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise StoreError(f"备份文件 {source} 已损坏：{problem}", path=str(source))
        except sqlite3.DatabaseError as exc:
            raise self._refusal(source, self._reason(exc)) from None
        finally:
            db.close()

    @classmethod
    def _check_schema(cls, db: sqlite3.Connection, version: int, source: Path) -> None:
        """Refuse a file whose tables, indexes, views and triggers are not those this
        program creates at ``version``, statement for statement."""
        found = {(kind, name): (table, sql) for kind, name, table, sql in
                 db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")}
        wanted = _product_schema(version)
        for kind, name in sorted(found.keys() - wanted.keys()):
            raise cls._refusal(source, f"备份中有本程序不会建立的{cls.OBJECT_LABELS.get(kind, kind)}「{name}」")
        for kind, name in sorted(wanted.keys() - found.keys()):
            raise cls._refusal(source, f"备份中缺少{cls.OBJECT_LABELS.get(kind, kind)}「{name}」")
        for kind, name in sorted(wanted):
            if found[(kind, name)] != wanted[(kind, name)]:
                raise cls._refusal(source, f"备份中{cls.OBJECT_LABELS.get(kind, kind)}「{name}」的定义与本程序不同")

    def _check_tree(self, checked: EmbeddedStore, source: Path) -> None:
        """Refuse a backup in which walking up from a committee through its parents comes
        back to a committee already passed."""
        cycle = committee_cycle({cid: props.get("parent_id") for cid, props in checked.committees().items()})
        if cycle:
            raise self._refusal(source, "备份中政协的上下级关系成环：" + " → ".join(cycle))

    def _replace_from(self, scratch: Path, name: str, actor: str) -> None:
        """The checked copy's roster data into this store, journalled, in one transaction."""
        db = self.db
        db.execute("ATTACH DATABASE ? AS restored", (str(scratch),))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                before = self.stats()
                committees = [cid for (cid,) in db.execute(
                    "SELECT id FROM main.nodes WHERE kind = 'Committee' UNION "
                    "SELECT id FROM restored.nodes WHERE kind = 'Committee' ORDER BY 1")]
                changed = self._restore_changes()
                for table in self.RESTORED_TABLES:
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
                               (at, committee_id, _dumps(entities)))
                db.execute(
                    "INSERT INTO audit (at, actor, action, committee_ids, target, before, after) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (at, actor, "restore", _dumps(committees), name, _dumps({"counts": before}),
                     _dumps({"counts": self.stats()})))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        finally:
            db.execute("DETACH DATABASE restored")
            self._forget()
        log.info("restored %s into %s", name, self.path)

    def _restore_changes(self) -> dict[str | None, set[tuple]]:
        """What replacing this store's roster data with the attached backup's changes, by
        committee, in the change feed's terms: every node that differs (under its committee
        before and after), every liaison and contact that differs, and the source node of
        any other edge that differs (an edge derived from a node's row goes with the node)."""
        from liaison_graph.graph.store import table_edge_kinds

        tables, out = table_edge_kinds(), {}
        for mine, other in (("main", "restored"), ("restored", "main")):
            for cid, kind, nid in self.db.execute(
                    "SELECT committee_id, kind, id "
                    f"FROM (SELECT * FROM {mine}.nodes EXCEPT SELECT * FROM {other}.nodes)"):
                out.setdefault(cid, set()).add((kind, nid))
            for cid, kind, src_kind, src, dst_kind, dst, key in self.db.execute(
                    "SELECT n.committee_id, e.kind, e.src_kind, e.src, e.dst_kind, e.dst, e.key "
                    f"FROM (SELECT * FROM {mine}.edges EXCEPT SELECT * FROM {other}.edges) e "
                    f"LEFT JOIN {mine}.nodes n ON n.kind = e.src_kind AND n.id = e.src"):
                entity = (kind, src_kind, src, dst_kind, dst, key) if kind in tables else (src_kind, src)
                out.setdefault(cid, set()).add(entity)
        return out

    # --- journal and tokens ------------------------------------------------------------
    def changes(self, since: int = 0, limit: int = 100) -> list[dict]:
        rows = self.db.execute(
            "SELECT seq, at, committee_id, entities FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit))
        return [{"cursor": seq, "at": at, "committee_id": cid, "changes": json.loads(e)} for seq, at, cid, e in rows]

    def audit(self, since: int = 0, limit: int = 100) -> list[dict]:
        rows = self.db.execute(
            "SELECT seq, at, actor, action, committee_ids, target, before, after FROM audit "
            "WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit))
        return [
            {"seq": seq, "at": at, "actor": actor, "action": action, "committee_ids": json.loads(cids),
             "target": target, "before": json.loads(b) if b else None, "after": json.loads(a) if a else None}
            for seq, at, actor, action, cids, target, b, a in rows
        ]

    def add_token(self, token: TokenRecord, audit: Audit | None = None) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO tokens (id, secret_hash, committee_id, role, name, created_at, expires_at, revoked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (token.id, token.secret_hash, token.committee_id, token.role, token.name, token.created_at,
                 token.expires_at, token.revoked_at),
            )
            if audit is not None:  # in the same transaction: a failure here takes the token back
                self._journal(Batch(audit=audit))
        self._tokens = None  # a token changes no roster: the graph, the indexes and the columns stand

    def tokens(self) -> list[TokenRecord]:
        self._fresh()
        if self._tokens is None:
            rows = self.db.execute(
                "SELECT id, secret_hash, committee_id, role, name, created_at, expires_at, revoked_at FROM tokens "
                "ORDER BY created_at, id")
            self._tokens = [TokenRecord(*row) for row in rows]
        return list(self._tokens)

    def revoke_token(self, token_id: str, at: str, audit: Audit | None = None) -> bool:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            done = self.db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (at, token_id)).rowcount
            if done == 1 and audit is not None:  # in the same transaction, as add_token
                self._journal(Batch(audit=audit))
        self._tokens = None  # as in add_token
        return done == 1

    def edges_of(self, src_kind: str, srcs: Iterable[str], kind: str | None = None) -> list[tuple]:
        out = []
        of_kind, kinds = ("", []) if kind is None else (" AND kind = ?", [kind])
        for chunk in _chunks(set(srcs)):
            marks = ",".join("?" * len(chunk))
            for sk, s, k, dk, d, key, props in self.db.execute(
                f"SELECT * FROM edges WHERE src_kind = ? AND src IN ({marks}){of_kind} ORDER BY src, kind, dst_kind, dst, key",
                (src_kind, *chunk, *kinds),
            ):
                out.append((k, sk, s, dk, d, key, json.loads(props)))
        return out

    def _count_existing_edges(self, rows: list[EdgeRow]) -> int:
        """How many of these edges the file already holds: one join, not a query per edge."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_edges (src_kind, src, kind, dst_kind, dst, key)")
        self.db.execute("DELETE FROM temp.wanted_edges")
        self.db.executemany("INSERT INTO temp.wanted_edges VALUES (?, ?, ?, ?, ?, ?)",
                            ((e.src_kind, e.src, e.kind, e.dst_kind, e.dst, e.key) for e in rows))
        return self.db.execute(
            "SELECT count(*) FROM temp.wanted_edges w JOIN edges e ON e.src_kind = w.src_kind AND e.src = w.src "
            "AND e.kind = w.kind AND e.dst_kind = w.dst_kind AND e.dst = w.dst AND e.key = w.key").fetchone()[0]

    # --- lookups -------------------------------------------------------------------
    def _select_nodes(self, kind: str, ids: Iterable[str], columns: str) -> Iterator[tuple]:
        for where, params in self._where("nodes", "kind", "id", kind, set(ids)):
            yield from self.db.execute(f"SELECT {columns} FROM {where}", params)

    def existing(self, kind: str, ids: Iterable[str]) -> set[str]:
        return {row[0] for row in self._select_nodes(kind, ids, "id")}

    def node_props(self, kind: str, ids: Iterable[str]) -> dict[str, dict]:
        return {nid: json.loads(props) for nid, props in self._select_nodes(kind, ids, "id, props")}

    def committees_of(self, kind: str, ids: Iterable[str]) -> dict[str, str | None]:
        return dict(self._select_nodes(kind, ids, "id, committee_id"))

    def ids_by_name(self, kind: str, committee_ids: Iterable[str]) -> dict[tuple[str, str], list[str]]:
        found: dict[tuple[str, str], list[str]] = {}
        for chunk in _chunks(set(committee_ids)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT committee_id, json_extract(props, '$.name'), id FROM nodes "
                f"WHERE committee_id IN ({marks}) AND kind = ? ORDER BY id",
                (*chunk, kind),
            )
            for committee_id, name, nid in rows:
                found.setdefault((committee_id, name), []).append(nid)
        return found

    # --- the graph -----------------------------------------------------------------
    def _fresh(self) -> None:
        """Drop the cached graph when another connection (a CLI load beside a running
        server) has committed to the file since it was built."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._forget()
            self._data_version = version

    def _forget(self) -> None:
        """Drop every graph built from the file (after a write, ours or another's)."""
        self._graph = None
        self._parts.clear()
        self._gaps = None
        self._columns = None
        self._committees = None
        self._tokens = None

    def _part(self, key, build) -> nx.MultiDiGraph:
        """A committee's graph, built once and kept (a few dozen at most) until a write."""
        G = self._parts.get(key)
        if G is None:
            if len(self._parts) >= PARTS_KEPT:
                self._parts.pop(next(iter(self._parts)))
            G = self._parts[key] = build()
        return G

    def graph(self) -> nx.MultiDiGraph:
        """The whole graph, built once from the file and kept until the next write."""
        self._fresh()
        if self._graph is None:
            G = nx.MultiDiGraph()
            with bulk():
                for kind, nid, props in self.db.execute("SELECT kind, id, props FROM nodes"):
                    put_node(G, (kind, nid), kind, json.loads(props))
                self._add_edges(G, self.db.execute("SELECT * FROM edges"))
            self._graph = G
        return self._graph

    def committees(self) -> dict[str, dict]:
        self._fresh()
        if self._committees is None:
            self._committees = {nid: json.loads(p) for nid, p in
                                self.db.execute("SELECT id, props FROM nodes WHERE kind = 'Committee'")}
        return self._committees  # read-only for callers

    def subgraph(self, committee_ids: Collection[str] | None = None) -> nx.MultiDiGraph:
        if committee_ids is None:
            return self.graph()
        self._fresh()
        if self._graph is not None:
            return self._part(("subgraph", frozenset(committee_ids)), lambda: self._cut_subgraph(committee_ids))
        return self._part(("subgraph", frozenset(committee_ids)), lambda: self._read_subgraph(committee_ids))

    def _cut_subgraph(self, committee_ids: Collection[str]) -> nx.MultiDiGraph:
        """The same part as ``_read_subgraph``, cut from the whole graph already in memory."""
        G, H = self._graph, nx.MultiDiGraph()
        inside = {n for n, d in G.nodes(data=True) if d.get("committee_id") in committee_ids}

        def take(edges, kinds=None, ends=None) -> None:
            for src, dst, key, data in edges:
                if (kinds is None or data["edge_kind"] in kinds) and (ends is None or dst in ends):
                    for node in (src, dst):
                        if node not in H:
                            H.add_nodes_from([(node, G.nodes[node])])  # the data as a dict: any stored name is safe
                    H.add_edges_from([(src, dst, key, data)])

        H.add_nodes_from((n, G.nodes[n]) for n in inside)
        for n in inside:
            take(G.out_edges(n, keys=True, data=True))
            take(G.in_edges(n, keys=True, data=True), PART_INCOMING)
        complete_part(H, inside,
                      lambda nodes, kinds: [take(G.in_edges(n, keys=True, data=True), kinds) for n in nodes],
                      lambda nodes, kinds, ends: [take(G.out_edges(n, keys=True, data=True), kinds, ends) for n in nodes])
        return H

    def _read_subgraph(self, committee_ids: Collection[str]) -> nx.MultiDiGraph:
        G = nx.MultiDiGraph()
        inside = set()

        def read(end: str, nodes, kinds, ends=None) -> None:  # edges of ``kinds`` whose ``end`` is one of ``nodes``
            for kind, ids in by_kind(nodes).items():
                for where, params in self._where("edges", f"{end}_kind", end, kind, ids):
                    rows = self.db.execute(f"SELECT * FROM {where} AND kind IN {_sql_list(kinds)}", params)
                    self._add_edges(G, (row for row in rows if ends is None or row[3:5] in ends))

        with bulk():
            for chunk in _chunks(set(committee_ids), CHUNK // 2):  # the chunk is bound twice below
                marks = ",".join("?" * len(chunk))
                for kind, nid, props in self.db.execute(
                    f"SELECT kind, id, props FROM nodes WHERE committee_id IN ({marks})", chunk
                ):
                    put_node(G, (kind, nid), kind, json.loads(props))
                    inside.add((kind, nid))
                # CROSS JOIN keeps SQLite's join order: from the committees' nodes to their
                # edges through an index. Left to choose, it scanned every liaison and contact
                # of the store and probed each against the committees (35 s for a province
                # of the nation).
                self._add_edges(G, self.db.execute(
                    f"SELECT e.* FROM nodes n CROSS JOIN edges e ON e.src_kind = n.kind AND e.src = n.id "
                    f"WHERE n.committee_id IN ({marks})", chunk))
                self._add_edges(G, self.db.execute(  # liaisons, contacts and memberships from other committees
                    f"SELECT e.* FROM nodes n CROSS JOIN edges e ON e.dst_kind = n.kind AND e.dst = n.id "
                    f"AND e.kind IN {_sql_list(PART_INCOMING)} CROSS JOIN nodes s ON s.kind = e.src_kind "
                    f"AND s.id = e.src WHERE n.committee_id IN ({marks}) AND s.committee_id NOT IN ({marks})",
                    (*chunk, *chunk)))
            complete_part(G, inside, lambda nodes, kinds: read("dst", nodes, kinds),
                          lambda nodes, kinds, ends: read("src", nodes, kinds, ends))
            self._fill_far_ends(G)
        return G

    def _fill_far_ends(self, G: nx.MultiDiGraph) -> None:
        missing: dict[str, set[str]] = {}
        for node, data in G.nodes(data=True):
            if "node_kind" not in data:
                missing.setdefault(node[0], set()).add(node[1])
        for kind, ids in missing.items():
            for nid, props in self.node_props(kind, ids).items():
                put_node(G, (kind, nid), kind, props)

    @staticmethod
    def _add_edges(G: nx.MultiDiGraph, rows) -> None:
        for src_kind, src, kind, dst_kind, dst, key, props in rows:
            put_edge(G, (src_kind, src), (dst_kind, dst), (kind, key), kind, json.loads(props))

    # --- questions -----------------------------------------------------------------
    def has_roster(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM nodes WHERE kind = 'Member')").fetchone()[0])

    def stats(self) -> dict[str, int]:
        nodes = dict(self.db.execute("SELECT kind, count(*) FROM nodes GROUP BY kind"))
        edges = dict(self.db.execute("SELECT kind, count(*) FROM edges WHERE kind IN ('LIAISES_WITH', 'CONTACTED') GROUP BY kind"))
        return {key: nodes.get(kind, edges.get(kind, 0)) for key, kind in STAT_KEYS.items()}

    def gaps(self, rule: str, as_of: dt.date, committee_id: str | None = None) -> list[dict]:
        check_rule(rule)
        if committee_id is not None and committee_id not in self.committees():
            raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
        self._fresh()
        if self._gaps is None and committee_id is not None and self._graph is None:
            return gapindex.committee_gaps(self.db, rule, as_of.isoformat(), committee_id)
        return self._gap_index().gaps(rule, as_of.isoformat(), committee_id)

    def flagship_counts(self, rule: str, as_of: dt.date,
                        committee_ids: Collection[str] | None = None) -> dict[str, tuple[int, int]]:
        check_rule(rule)
        self._fresh()
        if self._gaps is None and committee_ids is not None and len(committee_ids) <= CHUNK:
            return gapindex.committee_counts(self.db, rule, as_of.isoformat(), sorted(committee_ids))
        return self._gap_index().counts(rule, as_of.isoformat(), committee_ids)

    def _gap_index(self) -> gapindex.GapIndex:
        if self._gaps is None:
            with bulk():
                self._gaps = gapindex.GapIndex(self.db)
        return self._gaps

    def columns(self) -> columnar.Columns:
        """The report columns: from memory, else from the file, else built from the tables
        and kept in the file (unless another connection wrote meanwhile)."""
        self._fresh()
        if self._columns is None:
            stored = dict(self.db.execute("SELECT name, data FROM report_columns WHERE name IN (?, ?)", COLUMN_BLOBS))
            if len(stored) == 2:
                self._columns = columnar.Columns.from_blobs(*(stored[name] for name in COLUMN_BLOBS))
            else:
                self._columns = self._build_columns()
        return self._columns

    def _build_columns(self) -> columnar.Columns:
        db = self.db
        db.execute("BEGIN")  # one moment of the file
        try:
            before = db.execute("PRAGMA data_version").fetchone()[0]
            with bulk():
                built = columnar.Columns.build(self._node_columns(), self._edge_groups())
        finally:
            db.execute("COMMIT")
        blobs = built.to_blobs()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("PRAGMA data_version").fetchone()[0] == before:
                    db.executemany("INSERT OR REPLACE INTO report_columns (name, data) VALUES (?, ?)",
                                   zip(COLUMN_BLOBS, blobs, strict=True))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:  # a read-only or busy file: the columns serve this process only
            log.info("report columns not kept in the file: %s", exc)
        return built

    def _columns_of(self, exprs: dict[str, str], where: str, params: tuple) -> dict[str, list]:
        """Some columns of the rows ``where`` picks, each read as one joined string (many
        times faster than a Python tuple per row); row by row if a value holds SEP."""
        concat = ", ".join(f"group_concat(coalesce({e}, char(29)), char(31))" for e in exprs.values())
        count, *joined = self.db.execute(f"SELECT count(*), {concat} FROM {where}", params).fetchone()
        out = {}
        for field, text in zip(exprs, joined, strict=True):
            values = text.split(SEP) if count else []
            if len(values) != count:
                rows = self.db.execute(f"SELECT {', '.join(exprs.values())} FROM {where}", params).fetchall()
                return {f: list(c) for f, c in zip(exprs, zip(*rows, strict=True), strict=True)}
            out[field] = [None if v == NULL else v for v in values]
        return out

    def _node_columns(self, only: dict[str, Collection[str]] | None = None) -> dict[str, list]:
        """Every node's report columns, or those of ``only`` (kind -> ids)."""
        nodes: dict[str, list] = {f: [] for f in columnar.NODE_FIELDS}
        kinds = list(only) if only is not None else [k for (k,) in self.db.execute("SELECT DISTINCT kind FROM nodes")]
        for kind in kinds:
            for where, params in self._where("nodes", "kind", "id", kind, None if only is None else only[kind]):
                values = self._columns_of(COLUMN_NODE_SQL, where, params)
                nodes["kind"] += [kind] * len(values["id"])
                for field, column in values.items():
                    nodes[field] += column
        return nodes

    @staticmethod
    def _where(table: str, kind_column: str, id_column: str, kind: str, ids: Collection[str] | None):
        """(FROM … WHERE clause, parameters): one kind's rows, or some of them in chunks."""
        if ids is None:
            yield f"{table} WHERE {kind_column} = ?", (kind,)
            return
        for chunk in _chunks(sorted(ids)):
            yield f"{table} WHERE {kind_column} = ? AND {id_column} IN ({','.join('?' * len(chunk))})", (kind, *chunk)

    def _edge_groups(self, sources: dict[str, Collection[str]] | None = None) -> Iterator[tuple]:
        """Every edge a report reads, or those leaving ``sources`` (kind -> ids): one read per
        edge kind, split by the kinds of its two ends where the model allows more than one;
        properties parsed only where an edge has any."""
        for kind in COLUMN_EDGE_KINDS:
            shape = model().edges[kind]
            ends = {f"{side}_kind": f"{side}_kind" for side, kinds in (("src", shape.sources), ("dst", shape.targets))
                    if len(kinds) > 1}
            reads = [("edges WHERE kind = ?", (kind,))] if sources is None else [
                (f"{where} AND kind = ?", (*params, kind)) for src_kind in shape.sources if src_kind in sources
                for where, params in self._where("edges", "src_kind", "src", src_kind, sources[src_kind])]
            for where, params in reads:
                yield from self._edge_group(kind, shape, ends, self._columns_of({**COLUMN_EDGE_SQL, **ends}, where, params))

    @staticmethod
    def _edge_group(kind: str, shape, ends: dict, values: dict[str, list]) -> Iterator[tuple]:
        raw = values.pop("props")
        if raw.count(None) == len(raw):  # row-derived edges carry nothing
            values.update(dict.fromkeys(columnar.EDGE_FIELDS[2:], [None] * len(raw)))
        else:
            props = [orjson.loads(p) if p is not None else {} for p in raw]
            for field in columnar.EDGE_FIELDS[2:]:
                values[field] = [p.get(field) for p in props]
        if not ends:
            yield kind, shape.sources[0], shape.targets[0], values
            return
        pairs = list(zip(values.pop("src_kind", None) or repeat(shape.sources[0], len(raw)),
                         values.pop("dst_kind", None) or repeat(shape.targets[0], len(raw))))
        distinct = set(pairs)
        for pair in distinct:
            rows = [i for i, e in enumerate(pairs) if e == pair] if len(distinct) > 1 else None
            yield kind, *pair, (values if rows is None else {f: [c[i] for i in rows] for f, c in values.items()})

    def _column_patch(self, batch: Batch) -> tuple | None:
        """Inside a write's transaction: what the report columns in memory need to follow
        it (the written nodes and every edge leaving what it touched, read back), or None
        when they are not in memory, the write is a bulk one, or another connection wrote
        since they were read (then they are built again when next asked for)."""
        if self._columns is None or batch.rows() > fastpaths.PATCH_COLUMNS_UP_TO:
            return None
        if self.db.execute("PRAGMA data_version").fetchone()[0] != self._data_version:
            return None
        written = {kind: set(ids) for kind, ids in batch.nodes.items()}
        sources: dict[str, set[str]] = {kind: set(ids) for kind, ids in written.items()}
        for kind, ids in batch.replace_row_edges.items():
            sources.setdefault(kind, set()).update(ids)
        for e in batch.edges:
            sources.setdefault(e.src_kind, set()).add(e.src)
        return (self._node_columns(written), [(k, i) for k, ids in sources.items() for i in ids],
                list(self._edge_groups(sources)))

    def dump(self) -> dict:
        nodes = {(k, i): json.loads(p) for k, i, p in self.db.execute("SELECT kind, id, props FROM nodes")}
        edges = {
            (kind, sk, s, dk, d, key): json.loads(p)
            for sk, s, kind, dk, d, key, p in self.db.execute("SELECT * FROM edges")
        }
        return {"nodes": nodes, "edges": edges}
