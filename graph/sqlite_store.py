"""The embedded store's storage: one SQLite file holding the roster as two tables, ``nodes``
and ``edges`` (properties as JSON), the journal and the tokens, and the tables of whatever
projections the store was given (``graph/projection.py``).

Every write is one SQLite transaction (WAL journal, full sync), so a crash at any moment
leaves either the whole import or none of it; the projections follow it inside the same
transaction. The networkx graph is read from the file when a question needs it — the whole
graph, or one committee's part through the committee indexes — and kept until the next
write, ours or another connection's (noticed through SQLite's data version).

This module knows storage only; which projections a store keeps is decided where it is
assembled (``graph/embedded.py``)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

import networkx as nx
from liaison_graph.graph import fastpaths, sqlite_backup, sqlite_journal, sqlite_lookups, sqlite_parts
from liaison_graph.graph.batch import Audit, Batch, EdgeRow, WriteResult, etag, table_edge_rows
from liaison_graph.graph.errors import Conflict, StoreError, StoreUnreachable
from liaison_graph.graph.model import model
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.sqlite_lists import chunks, props_text, where
from liaison_graph.graph.sqlite_schema import BUSY_TIMEOUT_MS, SECONDARY_INDEXES, prepare, reason
from liaison_graph.graph.store import STAT_KEYS, Store, TokenRecord

log = logging.getLogger(__name__)

PARTS_KEPT = 64  # committee graphs kept in memory between writes


class SqliteStore(Store):
    name = "embedded"

    def __init__(self, path: str | Path, create: bool = True, projections: Sequence[Projection] = ()):
        """Open the store's file; ``create=False`` opens only a file that exists (a read
        never leaves a new, empty store behind)."""
        self.path = Path(path)
        self.projections = {p.name: p for p in projections}
        if not create and not self.path.exists():
            raise StoreError(f"库文件 {self.path} 不存在", path=str(self.path), missing=True)
        target = self.path if create else f"{self.path.resolve().as_uri()}?mode=rw"
        try:
            self.db = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=not create)
            prepare(self.db, self.path, lambda version: [p.migrated(self, version) for p in projections])
        except sqlite3.DatabaseError as exc:
            # a file that is there but cannot be opened now (locked, unreadable) is the machine's
            # fault; one that is no store, or a path that names no file, is what was given
            kind = StoreUnreachable if isinstance(exc, sqlite3.OperationalError) and self.path.is_file() else StoreError
            raise kind(f"无法打开数据库文件 {self.path}：{reason(exc)}", path=str(self.path)) from None
        self._graph: nx.MultiDiGraph | None = None
        self._parts: dict = {}
        self._committees: dict | None = None
        self._tokens: dict[str, TokenRecord] | None = None
        self._data_version: int | None = None
        self._roster_version: int | None = None

    def close(self) -> None:
        for p in self.projections.values():
            p.settle()
        self.db.close()

    def projection_tables(self) -> list[str]:
        return [table for p in self.projections.values() for table in p.tables]

    # --- writing -------------------------------------------------------------------
    def write(self, batch: Batch) -> WriteResult:
        if (batch.as_columns() is None or batch.rows() < fastpaths.WRITE_INDEXES_LAST_FROM
                or not self._is_empty()):
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
        db, follow, committed = self.db, [], False
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
            cursor = sqlite_journal.record(db, self, batch, in_columns)  # first: the projections see its version
            follow = [f for p in self.projections.values() if (f := p.written(self, batch, in_columns is not None))]
            db.execute("COMMIT")
            committed = True
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            self.forget()
            if committed:
                self._read_again()
                for step in follow:  # what the projections in memory do once the write is in
                    step()
        log.info("wrote batch: created %s, updated %s", created, updated)
        return WriteResult(created, updated, cursor)

    def _insert_rows(self, batch: Batch, empty: bool) -> tuple[dict, dict]:
        db, created, updated = self.db, {}, {}
        for kind, nodes in batch.nodes.items():
            before = 0 if empty else len(self.existing(kind, nodes))
            db.executemany(
                "INSERT INTO nodes (kind, id, committee_id, props) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET committee_id = excluded.committee_id, props = excluded.props",
                ((kind, nid, p.get("committee_id"), props_text(p)) for nid, p in nodes.items()),
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
            ((e.src_kind, e.src, e.kind, e.dst_kind, e.dst, e.key, props_text(e.props)) for e in batch.edges),
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

    def _count_existing_edges(self, rows: list[EdgeRow]) -> int:
        """How many of these edges the file already holds: one join, not a query per edge."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_edges (src_kind, src, kind, dst_kind, dst, key)")
        self.db.execute("DELETE FROM temp.wanted_edges")
        self.db.executemany("INSERT INTO temp.wanted_edges VALUES (?, ?, ?, ?, ?, ?)",
                            ((e.src_kind, e.src, e.kind, e.dst_kind, e.dst, e.key) for e in rows))
        return self.db.execute(
            "SELECT count(*) FROM temp.wanted_edges w JOIN edges e ON e.src_kind = w.src_kind AND e.src = w.src "
            "AND e.kind = w.kind AND e.dst_kind = w.dst_kind AND e.dst = w.dst AND e.key = w.key").fetchone()[0]

    def roster_version(self) -> int:
        return self._roster()

    def _check_expected(self, batch: Batch) -> None:
        checked_at = getattr(batch, "checked_at", None)
        if checked_at is not None and self._roster() != checked_at:
            # another process wrote since the write rule read the tree: the rule again, now,
            # under this transaction's write lock (it raises its own refusal if there is one)
            if batch.recheck is None or not batch.recheck(self):
                raise Conflict("名单在检查之后被另一处（另一个服务进程或命令行）改动，本次写入未执行，请重试",
                               checked_at=checked_at)
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

    def clear(self) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for table in ("edges", "nodes", "changes", *self.projection_tables()):
                self.db.execute(f"DELETE FROM {table}")
            # the roster's version moves on though the feed is emptied (another connection's
            # caches are dropped by it: ``_roster``)
            self.db.execute("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'changes'")
        self.forget()

    # --- backup and restore, journal and tokens ---------------------------------------
    def backup(self, target: str | Path) -> Path:
        return sqlite_backup.backup(self.db, target)

    def restore(self, source: str | Path, actor: str = "cli") -> None:
        sqlite_backup.restore(self, source, actor, lambda copy: type(self)(copy))

    def changes(self, since: int = 0, limit: int = 100) -> list[dict]:
        return sqlite_journal.changes(self.db, since, limit)

    def audit(self, since: int = 0, limit: int = 100) -> list[dict]:
        return sqlite_journal.audit(self.db, since, limit)

    def add_token(self, token: TokenRecord, audit: Audit | None = None) -> None:
        sqlite_journal.add_token(self.db, token, audit)
        self._tokens = None  # a token changes no roster: the graph and the projections stand

    def tokens(self) -> list[TokenRecord]:
        return list(self._token_table().values())

    def token(self, token_id: str) -> TokenRecord | None:
        return self._token_table().get(token_id)

    def _token_table(self) -> dict[str, TokenRecord]:
        """The tokens by id, as read from the file (in the order they were issued); read
        again after any write of a token, this connection's or another's."""
        self._fresh()
        if self._tokens is None:
            self._tokens = {t.id: t for t in sqlite_journal.tokens(self.db)}
        return self._tokens

    def revoke_token(self, token_id: str, at: str, audit: Audit | None = None) -> bool:
        done = sqlite_journal.revoke_token(self.db, token_id, at, audit)
        self._tokens = None  # as in add_token
        return done

    # --- lookups -------------------------------------------------------------------
    def edges_of(self, src_kind: str, srcs: Iterable[str], kind: str | None = None) -> list[tuple]:
        out = []
        of_kind, kinds = ("", []) if kind is None else (" AND kind = ?", [kind])
        for chunk in chunks(set(srcs)):
            marks = ",".join("?" * len(chunk))
            for sk, s, k, dk, d, key, props in self.db.execute(
                f"SELECT * FROM edges WHERE src_kind = ? AND src IN ({marks}){of_kind} ORDER BY src, kind, dst_kind, dst, key",
                (src_kind, *chunk, *kinds),
            ):
                out.append((k, sk, s, dk, d, key, json.loads(props)))
        return out

    def _select_nodes(self, kind: str, ids: Iterable[str], columns: str) -> Iterator[tuple]:
        for clause, params in where("nodes", "kind", "id", kind, set(ids)):
            yield from self.db.execute(f"SELECT {columns} FROM {clause}", params)

    def existing(self, kind: str, ids: Iterable[str]) -> set[str]:
        return {row[0] for row in self._select_nodes(kind, ids, "id")}

    def node_props(self, kind: str, ids: Iterable[str]) -> dict[str, dict]:
        return {nid: json.loads(props) for nid, props in self._select_nodes(kind, ids, "id, props")}

    def committees_of(self, kind: str, ids: Iterable[str]) -> dict[str, str | None]:
        return dict(self._select_nodes(kind, ids, "id, committee_id"))

    def ids_by_name(self, kind: str, committee_ids: Iterable[str]) -> dict[tuple[str, str], list[str]]:
        found: dict[tuple[str, str], list[str]] = {}
        for chunk in chunks(set(committee_ids)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT committee_id, json_extract(props, '$.name'), id FROM nodes "
                f"WHERE committee_id IN ({marks}) AND kind = ? ORDER BY id",
                (*chunk, kind),
            )
            for committee_id, name, nid in rows:
                found.setdefault((committee_id, name), []).append(nid)
        return found

    # --- what is held in memory ----------------------------------------------------------
    def _fresh(self) -> None:
        """Drop what is held when another connection (a CLI load beside a running server)
        has changed the roster since it was read. A commit that changes no roster row — a
        token issued or revoked, report columns kept in the file — drops the tokens only:
        the graph, the committees and the projections in memory still hold."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            roster = self._roster()
            if roster != self._roster_version:
                # what a projection can follow from the change feed it keeps; the rest is dropped
                since = self._roster_version
                followed = {p: v for p in self.projections.values()
                            if since is not None and (v := p.follow(self, since)) is not None}
                self.forget(keep=followed)
                # what is still held is the file at that version; the rest is read again when asked
                roster = min(followed.values(), default=roster)
            self._tokens = None
            self._data_version, self._roster_version = version, roster

    def _roster(self) -> int:
        """The roster's version: the last change-feed number. Every write that changes a
        node or an edge appends to the change feed in its own transaction (a restore
        too), and the numbers never go back (AUTOINCREMENT), so an unchanged number is an
        unchanged roster."""
        return sqlite_journal.roster_version(self.db)

    def _read_again(self) -> None:
        """After this connection's own write: what it holds was dropped, so the file as it is
        now is what the next reads see; note the file's versions for the next ``_fresh``."""
        self._data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        self._roster_version = self._roster()

    def unchanged_since_read(self) -> bool:
        """Whether no other connection has changed the roster since this one last looked."""
        return (self.db.execute("PRAGMA data_version").fetchone()[0] == self._data_version
                or self._roster() == self._roster_version)

    def forget(self, keep: Collection = ()) -> None:
        """Drop everything read from the file (after a write, ours or another's), but for the
        projections in ``keep``, which have followed it."""
        self._graph = None
        self._parts.clear()
        self._committees = None
        self._tokens = None
        for p in self.projections.values():
            if p not in keep:
                p.forget()

    def holds_whole_graph(self) -> bool:
        return self._graph is not None

    def _part(self, key, build) -> nx.MultiDiGraph:
        """A committee's graph, built once and kept (a few dozen at most) until a write."""
        G = self._parts.get(key)
        if G is None:
            if len(self._parts) >= PARTS_KEPT:
                self._parts.pop(next(iter(self._parts)))
            G = self._parts[key] = build()
        return G

    # --- the graph -----------------------------------------------------------------
    def graph(self) -> nx.MultiDiGraph:
        """The whole graph, built once from the file and kept until the next write."""
        self._fresh()
        if self._graph is None:
            self._graph = sqlite_parts.whole_graph(self.db)
        return self._graph

    def committees(self) -> dict[str, dict]:
        self._fresh()
        if self._committees is None:
            self._committees = {nid: json.loads(p) for nid, p in
                                self.db.execute("SELECT id, props FROM nodes WHERE kind = 'Committee'")}
        return self._committees  # read-only for callers

    def subgraph(self, committee_ids: Collection[str] | None = None, keep: bool = True) -> nx.MultiDiGraph:
        if committee_ids is None:
            return self.graph()
        self._fresh()
        key = ("subgraph", frozenset(committee_ids))
        if self._graph is not None:
            build = lambda: sqlite_parts.cut_part(self._graph, committee_ids)  # noqa: E731
        else:
            build = lambda: sqlite_parts.read_part(self.db, committee_ids, self.node_props)  # noqa: E731
        return self._part(key, build) if keep else self._parts.get(key) or build()

    # --- questions answered from the file's indexes and the projections ----------------
    def has_roster(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM nodes WHERE kind = 'Member')").fetchone()[0])

    def stats(self) -> dict[str, int]:
        nodes = dict(self.db.execute("SELECT kind, count(*) FROM nodes GROUP BY kind"))
        counted = [kind for kind in STAT_KEYS.values() if kind in model().edges]
        marks = ",".join("?" * len(counted))
        edges = dict(self.db.execute(f"SELECT kind, count(*) FROM edges WHERE kind IN ({marks}) GROUP BY kind", counted))
        return {key: nodes.get(kind, edges.get(kind, 0)) for key, kind in STAT_KEYS.items()}

    # --- lists answered from the indexes (graph/lookups.py; the SQL: graph/sqlite_lookups.py) --
    def list_nodes(self, kind, committee_ids, where=None, limit=100, offset=0):
        return sqlite_lookups.list_nodes(self.db, kind, committee_ids, where, limit, offset)

    def sector_counts(self, sector_ids):
        return sqlite_lookups.sector_counts(self.db, sector_ids)

    def list_liaisons(self, committee_ids, where=None, limit=100, offset=0):
        return sqlite_lookups.list_liaisons(self.db, committee_ids, where, limit, offset)

    def edges_around(self, kind, node_id, leaving, reaching):
        return sqlite_lookups.edges_around(self.db, kind, node_id, leaving, reaching)

    def dump(self) -> dict:
        nodes = {(k, i): json.loads(p) for k, i, p in self.db.execute("SELECT kind, id, props FROM nodes")}
        edges = {
            (kind, sk, s, dk, d, key): json.loads(p)
            for sk, s, kind, dk, d, key, p in self.db.execute("SELECT * FROM edges")
        }
        return {"nodes": nodes, "edges": edges}
