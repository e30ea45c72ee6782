"""The Bolt store's storage: the same product on Neo4j (server, cluster or Aura) through the
official ``neo4j`` driver. What it answers beyond storage (the flagship gaps, in Cypher) is
registered where the store is assembled (``graph/bolt.py``).

Queries live in ``cypher/`` and take values only as parameters; labels and relationship
types come from the model. A write runs in one managed write transaction (the driver
retries it on transient errors), sent in messages of ``batch_size`` rows, or, past
``tx_rows`` rows, in bounded transactions never seen half-applied (``graph/bolt_writes.py``).
Reads run in managed read transactions, which a cluster routes to its secondaries.

One store holds one driver (the product opens one store a process), which threads read through at once
(``Store.concurrent_reads``: a pooled connection a call; ``graph/bolt_tables.py`` rebuilds what it keeps under its own
locks). Every session names the database (the one given, else the account's default, asked on opening and
kept) and shares the store's bookmark manager, so a read sees every write of its process on a cluster;
``after``/``written`` carry bookmarks between processes (``graph/bolt_causal.py``). Opening writes nothing:
it checks the schema (``graph/bolt_schema.py``) and refuses without it, unless opened to write a roster
(``schema="create"``), which creates what is missing. What the account may not do (Neo4j's ``Forbidden``:
a reader's write, an editor's schema) is refused in one line naming the account (``graph/bolt_access.py``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict

import neo4j
import networkx as nx
from liaison_graph.cypher import query
from liaison_graph.graph import bolt_access, bolt_causal, bolt_lookups, bolt_parts, bolt_schema, bolt_tables, bolt_writes
from liaison_graph.graph.batch import (
    Audit,
    Batch,
    WriteResult,
    now,
    table_edge_rows,
)
from liaison_graph.graph.errors import SchemaMissing, StoreError, StoreUnreachable
from liaison_graph.graph.jsontext import dumps, loads
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.store import STAT_KEYS, Store, TokenRecord
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

log = logging.getLogger(__name__)

# The schema: statements made once per node kind of the model, and once.
SCHEMA_PER_KIND = ("schema_unique_id", "schema_committee_index")
SCHEMA_ONCE = ("schema_token_id", "schema_sequence_name", "schema_change_seq", "schema_audit_seq")
# What may be read while a bounded import is unfinished: tokens, sequences, the audit trail,
# the marker itself (graph/bolt_writes.py); every other read is refused until it is done.
UNGATED = frozenset({"tokens", "sequence_values", "journal_audit", "load_marker", "any_graph_node"})


def schema_statements() -> list[str]:
    """Every statement that creates the Bolt store's schema, in order."""
    texts = [query(name, kind=kind) for kind in sorted(model().nodes) for name in SCHEMA_PER_KIND]
    return texts + [query(name) for name in SCHEMA_ONCE]


def wanted_schema() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The uniqueness constraints and indexes the store needs, as (label, property)."""
    return bolt_schema.wanted(schema_statements())



class BoltStorage(Store):
    name = "bolt"
    concurrent_reads = True  # the driver's pool; the kept tables rebuilt under their own locks

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        batch_size: int = 5000,
        projections: Sequence = (),
        tx_rows: int = 20_000,
        schema: str = "require",
    ):
        if schema not in bolt_schema.MODES:
            raise ValueError(schema)
        self.uri, self.database, self.batch_size, self.tx_rows = uri, database, batch_size, tx_rows
        self.projections = {p.name: p for p in projections}
        auth = (user or "neo4j", password or "") if user or password else None
        self.user = auth[0] if auth else None
        self.bookmarks = neo4j.GraphDatabase.bookmark_manager()  # every session of this store shares it
        self.tables = bolt_tables.Tables(self._read)  # committees and tokens, kept while unchanged
        self.driver = None
        try:
            self.driver = neo4j.GraphDatabase.driver(uri, auth=auth)
            self.driver.verify_connectivity()
            missing = self.missing_schema()  # also settles the database's name
            if missing and schema == "create":
                self.init_schema()
            elif missing and schema == "require":
                raise SchemaMissing(f"图数据库中还没有本程序的约束和索引（缺 {len(missing)} 项），"
                                    "请先运行 liaison neo4j init 建立", missing=len(missing))
        except BaseException as exc:
            if self.driver is not None:  # a store that could not open leaves no connection behind
                self.driver.close()
            if isinstance(exc, (ServiceUnavailable, AuthError, OSError, ValueError, Neo4jError)):
                raise StoreUnreachable(f"无法连接图数据库 {uri}：{exc}", uri=uri) from None
            raise

    def close(self) -> None:
        self.driver.close()

    def _session(self):
        """A session on the store's database with its bookmark manager, waiting also for the
        bookmarks handed over to the current request (``after``)."""
        return bolt_causal.session(self.driver, self.database, self.bookmarks)

    def _allowed(self, doing: str):
        """Inside, what the account may not do refused in one line (``graph/bolt_access.py``)."""
        return bolt_access.allowed(doing, self.user, self.uri, self.database)

    # --- reading after writes made elsewhere (a cluster's bookmarks) ----------------------
    def after(self, token: str | None):
        """Inside, every session also waits for the bookmarks ``token`` names (checked here,
        before anything is read)."""
        return bolt_causal.waiting(bolt_causal.parse(token))

    def wrote(self, token: str | None) -> None:
        self.bookmarks.update_bookmarks((), bolt_causal.parse(token))

    def written(self) -> str | None:
        """This process's bookmarks (and those handed over to the current request), as a token."""
        return bolt_causal.token(set(self.bookmarks.get_bookmarks()) | bolt_causal.given())

    # --- the schema (graph/bolt_schema.py) ----------------------------------------------
    def missing_schema(self) -> list[tuple[str, str]]:
        """The constraints and indexes of the schema the database lacks, read in one read
        transaction. The first read of a store: when no database was named, the one the
        server answered from is kept for every session. An account that may not list the
        schema is not refused here."""
        def work(tx):
            constraints = [r.data() for r in tx.run(query("schema_show_constraints"))]
            result = tx.run(query("schema_show_indexes"))
            return constraints, [r.data() for r in result], result.consume().database

        try:
            with self._session() as session:
                constraints, indexes, database = session.execute_read(work)
        except Neo4jError as exc:
            if not bolt_schema.not_allowed(exc):
                raise
            log.warning("cannot list constraints and indexes (%s); schema not checked", exc.code)
            return []
        self.database = self.database or database
        return bolt_schema.missing(schema_statements(), constraints, indexes)

    def init_schema(self) -> dict[str, int]:
        """Create the schema (each statement idempotent: what exists is left as it is), wait
        for the indexes to come online, and say what was created and what now stands."""
        try:
            with self._allowed("schema"), self._session() as session:
                done = bolt_schema.create(session, schema_statements(), query("schema_await_indexes"))
            missing = self.missing_schema()
        except Neo4jError as exc:
            raise StoreError(f"无法在图数据库中建立约束和索引：{exc.message}") from None
        if missing:
            raise StoreError(f"图数据库中的约束和索引未能全部就绪（缺 {len(missing)} 项）",
                             missing=[f"{label}.{prop}" for label, prop in missing])
        constraints, indexes = wanted_schema()
        return {**done, "constraints": len(constraints), "indexes": len(indexes)}

    def _read(self, name: str, params: dict | None = None, **names) -> list[dict]:
        text = query(name, **names)

        def work(tx):
            if name not in UNGATED:
                self._gate(tx)
            return [record.data() for record in tx.run(text, params or {})]

        with self._allowed("read"), self._session() as session:
            return session.execute_read(work)

    # --- writing -------------------------------------------------------------------
    def _empty(self, tx=None) -> bool:
        params = {"kinds": sorted(model().nodes)}
        if tx is not None:
            return tx.run(query("any_graph_node"), params).single() is None
        return not self._read("any_graph_node", params)

    def write(self, batch: Batch) -> WriteResult:
        """One transaction, or (more than ``tx_rows`` rows, or the rest of an unfinished
        import of the same roster) bounded ones (``graph/bolt_writes.py``)."""
        groups: dict[tuple[str, str, str], dict[tuple, dict]] = defaultdict(dict)
        for e in batch.edges:  # one edge per identity, the last row winning as MERGE … SET would
            groups[(e.kind, e.src_kind, e.dst_kind)][(e.src, e.dst, e.key)] = {
                "src": e.src, "dst": e.dst, "key": e.key, "props": {**e.props, "key": e.key}}
        marker = self._marker()
        if marker is not None or (batch.rows() > self.tx_rows and not batch.expect):
            return bolt_writes.bounded(self, batch, marker, groups)
        return bolt_writes.one_transaction(self, batch, groups)

    def importing(self):
        return bolt_writes.own_reads()

    def _counts(self, batch: Batch, empty: bool) -> tuple[dict, dict]:
        """What a write will create and update, by kind (nodes, and the roster's edge rows)."""
        created, updated = {}, {}
        for kind, nodes in batch.nodes.items():
            before = 0 if empty else len(self.existing(kind, nodes))
            created[kind], updated[kind] = len(nodes) - before, before
        for kind, rows in table_edge_rows(batch).items():
            before = 0 if empty else self._count_existing_edges(kind, rows)
            created[kind], updated[kind] = len(rows) - before, before
        return created, updated

    def _write_tx(self, work):
        """``work(tx)`` in one managed write transaction; a refusal of the server, one line."""
        try:
            with self._allowed("write"), self._session() as session:
                return session.execute_write(work)
        except Neo4jError as exc:
            raise StoreError(f"写入图数据库失败，未写入任何数据：{exc.message}") from None

    def _marker(self, tx=None) -> dict | None:
        """The marker of an unfinished bounded import, if one stands (``graph/bolt_writes.py``)."""
        if tx is not None:
            found = tx.run(query("load_marker"), name=bolt_writes.MARKER).single()
            return found.data() if found is not None else None
        with bolt_writes.own_reads():
            found = self._read("load_marker", {"name": bolt_writes.MARKER})
        return found[0] if found else None

    def _gate(self, tx) -> None:
        """Refuse a roster read or write while a bounded import is unfinished (its own pass)."""
        if not bolt_writes.passing() and (marker := self._marker(tx)) is not None:
            raise bolt_writes.refusal(marker)

    @staticmethod
    def _next(tx, name: str, n: int) -> int:
        """The first of ``n`` numbers reserved from a named sequence."""
        return tx.run(query("journal_next_seq"), name=name, n=n).single()["value"] - n + 1

    def _journal(self, tx, batch: Batch, changed: dict) -> int | None:
        at = now()
        cursor = None
        if changed:
            rows = bolt_writes.feed_rows(changed, self._next(tx, "changes", len(changed)))
            cursor = rows[-1]["seq"]
            for part in bolt_writes.feed_parts(rows, self.batch_size):
                tx.run(query("journal_add_changes"), rows=part).consume()
        if batch.audit is not None:
            a = batch.audit
            row = {"seq": self._next(tx, "audit", 1), "at": at, "actor": a.actor, "action": a.action,
                   "committee_ids": dumps(sorted(a.committee_ids)), "target": a.target,
                   "before": None if a.before is None else dumps(a.before),
                   "after": None if a.after is None else dumps(a.after)}
            tx.run(query("journal_add_audit"), row=row).consume()
        return cursor

    # --- journal and tokens ------------------------------------------------------------
    def changes(self, since: int = 0, limit: int = 100) -> list[dict]:
        return [{"cursor": p["seq"], "at": p["at"], "committee_id": p.get("committee_id"),
                 "changes": loads(p["entities"])}
                for p in (r["props"] for r in self._read("journal_changes", {"since": since, "limit": limit}))]

    def audit(self, since: int = 0, limit: int = 100) -> list[dict]:
        out = []
        for r in self._read("journal_audit", {"since": since, "limit": limit}):
            p = r["props"]
            out.append({"seq": p["seq"], "at": p["at"], "actor": p["actor"], "action": p["action"],
                        "committee_ids": loads(p["committee_ids"]), "target": p.get("target"),
                        "before": loads(p["before"]) if p.get("before") else None,
                        "after": loads(p["after"]) if p.get("after") else None})
        return out

    def add_token(self, token: TokenRecord, audit: Audit | None = None) -> None:
        row = {k: v for k, v in asdict(token).items() if v is not None}

        def work(tx):
            tx.run(query("token_add"), row=row).consume()
            self._next(tx, bolt_tables.TOKENS, 1)  # the kept tokens are read again
            if audit is not None:  # in the same transaction: a failure here takes the token back
                self._journal(tx, Batch(audit=audit), {})

        self._write_tx(work)

    def tokens(self) -> list[TokenRecord]:
        return list(self.tables.tokens().values())

    def token(self, token_id: str) -> TokenRecord | None:
        return self.tables.tokens().get(token_id)

    def revoke_token(self, token_id: str, at: str, audit: Audit | None = None) -> bool:
        def work(tx):
            n = tx.run(query("token_revoke"), id=token_id, at=at).single()["n"]
            self._next(tx, bolt_tables.TOKENS, n)
            if n == 1 and audit is not None:  # in the same transaction, as add_token
                self._journal(tx, Batch(audit=audit), {})
            return n

        return self._write_tx(work) == 1

    def edges_of(self, src_kind: str, srcs: Iterable[str], kind: str | None = None) -> list[tuple]:
        kinds = model().nodes
        out = []
        params = {"ids": sorted(set(srcs))}
        for r in self._read("edges_of", params, kind=src_kind) if kind is None else \
                self._read("edges_of_kind", params, kind=src_kind, rel=kind):
            props = dict(r["props"])
            key = props.pop("key", "")
            dst_kind = next(label for label in r["dst_labels"] if label in kinds)
            out.append((r["rel"], src_kind, r["src"], dst_kind, r["dst"], key, props))
        return sorted(out, key=lambda e: (e[2], e[0], e[3], e[4], e[5]))

    def _count_existing_edges(self, rel: str, rows) -> int:
        keys = defaultdict(set)
        for e in rows:
            keys[(e.src_kind, e.dst_kind)].add((e.src, e.dst, e.key))
        existing = 0
        for (src, dst), wanted in keys.items():
            srcs = sorted({w[0] for w in wanted})
            found = self._read("edge_keys", {"srcs": srcs}, rel=rel, src=src, dst=dst)
            existing += sum(1 for r in found if (r["src"], r["dst"], r["key"]) in wanted)
        return existing

    # --- lookups -------------------------------------------------------------------
    def existing(self, kind: str, ids: Iterable[str]) -> set[str]:
        ids = sorted(set(ids))
        found = set()
        for chunk in bolt_writes.chunks(ids, self.batch_size):
            found.update(r["id"] for r in self._read("existing_ids", {"ids": chunk}, kind=kind))
        return found

    def node_props(self, kind: str, ids: Iterable[str]) -> dict[str, dict]:
        ids = sorted(set(ids))
        found = {}
        for chunk in bolt_writes.chunks(ids, self.batch_size):
            found.update({r["id"]: r["props"] for r in self._read("node_props", {"ids": chunk}, kind=kind)})
        return found

    def ids_by_name(self, kind: str, committee_ids: Iterable[str]) -> dict[tuple[str, str], list[str]]:
        found: dict[tuple[str, str], list[str]] = {}
        rows = self._read("ids_by_name", {"committee_ids": sorted(set(committee_ids))}, kind=kind)
        for r in rows:
            found.setdefault((r["committee_id"], r["name"]), []).append(r["id"])
        return found

    # --- questions -----------------------------------------------------------------
    def has_roster(self) -> bool:
        return bool(self._read("has_roster"))

    def stats(self) -> dict[str, int]:
        """Every count in one read transaction: one snapshot, one round trip of BEGIN."""
        nodes = model().nodes
        return self._in_one_read(lambda run: {
            key: (run("count_nodes", kind=kind) if kind in nodes else run("count_edges", rel=kind))[0]["n"]
            for key, kind in STAT_KEYS.items()})

    def read(self, name: str, params: dict | None = None, **names) -> list[dict]:
        """A query of ``cypher/`` run in a read transaction (for what is registered above)."""
        return self._read(name, params, **names)

    def committees(self) -> dict[str, dict]:
        return self.tables.committees()

    def subgraph(self, committee_ids: Collection[str] | None = None, keep: bool = True) -> nx.MultiDiGraph:
        with bulk():  # one read transaction: the statements see the same snapshot
            return self._in_one_read(lambda run: bolt_parts.part(run, committee_ids), stream=True)

    def dump(self) -> dict:
        return self._in_one_read(bolt_parts.dump, stream=True)

    def clear(self) -> None:
        """The roster and its feed deleted in transactions of at most ``batch_size`` nodes;
        tokens, audit trail and sequences kept, as the embedded store does; the feed's number moves on."""
        statements = [query("clear_kind", kind=kind) for kind in sorted(model().nodes)] + [query("clear_changes")]
        with self._allowed("clear"), self._session() as session:
            for text in statements:
                while session.execute_write(lambda tx, text=text: tx.run(text, batch=self.batch_size).single()[0]):
                    pass
            session.execute_write(lambda tx: self._next(tx, "changes", 1))
            session.execute_write(lambda tx: tx.run(query("load_end"), name=bolt_writes.MARKER).consume())

    # --- lists answered from the indexes (graph/lookups.py; the queries: graph/bolt_lookups.py) --
    def _in_one_read(self, work, stream: bool = False):
        """``work(run)`` in one managed read transaction, where ``run(name, params, **names)``
        runs a query of ``cypher/``: the statements of one answer see one snapshot. Its
        records as dicts, or (``stream``) as the driver hands them over, one by one."""
        def in_transaction(tx):
            self._gate(tx)
            if stream:
                return work(lambda name, params=None, **names: tx.run(query(name, **names), params or {}))
            return work(lambda name, params=None, **names: [r.data() for r in tx.run(query(name, **names), params or {})])

        with self._allowed("read"), self._session() as session:
            return session.execute_read(in_transaction)

    def reading(self, work):
        """``work(run)`` in one read transaction, as ``_in_one_read``: one answer's statements."""
        return self._in_one_read(work)

    def list_nodes(self, kind, committee_ids, where=None, limit=100, offset=0):
        return self._in_one_read(lambda run: bolt_lookups.list_nodes(run, kind, committee_ids, where, limit, offset))

    def sector_counts(self, sector_ids):
        return self._in_one_read(lambda run: bolt_lookups.sector_counts(run, sector_ids))

    def list_liaisons(self, committee_ids, where=None, limit=100, offset=0):
        return self._in_one_read(lambda run: bolt_lookups.list_liaisons(run, committee_ids, where, limit, offset))

    def edges_around(self, kind, node_id, leaving, reaching):
        return self._in_one_read(lambda run: bolt_lookups.edges_around(run, kind, node_id, leaving, reaching))
