"""The embedded store's file: its tables, indexes and triggers at each schema version, how
a file is recognised, created and migrated, and the schema a file of a version must have
(what a restore checks a backup against).

The tables of the maintained projections (the gap index, the report columns) are declared
here with the rest of the file, since the file's schema is one thing; what fills them is
the projection's (``graph/projection.py``)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from liaison_graph.graph.errors import StoreError

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4C474950  # "LGIP": marks a file as a liaison-graph store
SCHEMA_VERSION = 6
BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another connection's lock

# The secondary indexes of the two main tables. A bulk import into an empty file drops them
# and builds them once its rows are in (one sort instead of millions of random inserts:
# about three times faster at nation scale), inside the same transaction.
SECONDARY_INDEXES = {
    "nodes_by_committee": "CREATE INDEX IF NOT EXISTS nodes_by_committee ON nodes (committee_id, kind)",
    "edges_by_target": "CREATE INDEX IF NOT EXISTS edges_by_target ON edges (dst_kind, dst, kind)",
    "edges_by_kind": "CREATE INDEX IF NOT EXISTS edges_by_kind ON edges (kind)",
}
# The gap index's two tables (graph/gapindex.py fills them), as version 3 created them.
GAP_INDEX_TABLES = """
CREATE TABLE IF NOT EXISTS member_index (
    id TEXT PRIMARY KEY,
    committee_id TEXT,
    cpc INTEGER NOT NULL,
    start_day INTEGER NOT NULL,
    end_day INTEGER NOT NULL,
    name TEXT,
    sector TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS member_index_by_committee ON member_index (committee_id, id);
CREATE TABLE IF NOT EXISTS cover_spans (
    rule TEXT NOT NULL,
    member_id TEXT NOT NULL,
    start_day INTEGER NOT NULL,
    end_day INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cover_spans_by_member ON cover_spans (member_id);
"""

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
    3: GAP_INDEX_TABLES,  # and the index filled from the data already there (by the projection)
    4: """
CREATE TABLE IF NOT EXISTS report_columns (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
""",    5: "",  # the gap index's days as graph/days.py counts them: its rows are written again
    6: """
ALTER TABLE tokens ADD COLUMN member_id TEXT;
ALTER TABLE tokens ADD COLUMN confirm INTEGER NOT NULL DEFAULT 0;
""",  # a member's own token, and whether its contacts wait for confirmation
}


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run DDL statements inside the open transaction (executescript would commit it)."""
    statement = ""
    for line in script.strip().splitlines():
        statement += line + "\n"
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    return "不是 liaison-graph 数据库文件" if "not a database" in text else text


def prepare(db: sqlite3.Connection, path: Path, migrated: Callable[[int], None]) -> None:
    """Check that the open file is a store of this program (or empty), set its journal and
    waits, and create or migrate its schema in one transaction; ``migrated(version)`` is
    called inside it after each migration (the projections fill new tables from the data)."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID and tables:
        raise StoreError(f"无法打开数据库文件 {path}：不是 liaison-graph 数据库文件", path=str(path))
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"数据库文件 {path} 由更新版本写入（结构版本 {version}），请升级本程序")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if app_id == APPLICATION_ID and version >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        if app_id != APPLICATION_ID:
            run_script(db, SCHEMA)
            version = 1
        for target in range(version + 1, SCHEMA_VERSION + 1):
            log.info("migrating %s to schema version %s", path, target)
            run_script(db, MIGRATIONS[target])
            migrated(target)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


_SCHEMAS: dict[int, dict] = {}


def product_schema(version: int) -> dict[tuple[str, str], tuple[str, str | None]]:
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
