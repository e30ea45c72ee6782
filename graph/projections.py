"""The projections the stores are assembled with (``graph/embedded.py``, ``graph/bolt.py``).

The embedded store maintains two: the gap index (``graph/gapindex.py``), the fast form of
the two flagship rules, and the report columns (``graph/columnar.py``), the whole store as
arrays for the policy engine. Each brings its tables up to date inside every write's
transaction; what it holds in memory is dropped when another connection writes. The Bolt
store keeps none: its gaps are Cypher queries run in the database (``CypherGaps``)."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Collection

import orjson
from liaison_graph.graph import columnar, fastpaths, gapindex, import_columns, table_columns
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.errors import CommitteeNotFound
from liaison_graph.graph.flagship import FORMS, check_rule
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.sqlite_journal import roster_version
from liaison_graph.graph.sqlite_lists import CHUNK
from liaison_graph.graph.sqlite_schema import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)


class GapIndex(Projection):
    """The two flagship gaps from the index every write keeps: one committee by an indexed
    SQL query while the arrays are not loaded, else from the arrays loaded once."""

    name = "gaps"
    tables = ("member_index", "cover_spans")

    def __init__(self):
        self._arrays: gapindex.GapIndex | None = None
        self._whole_asked = 0  # whole-store questions asked of this connection

    def migrated(self, store, version: int) -> None:
        # 3 created the index, 5 changed its days to graph/days.py's: filled from the data there
        if version in (3, 5):
            gapindex.refresh(store.db, None)

    def written(self, store, batch: Batch, whole: bool):
        if whole and batch.rows() >= fastpaths.GAP_INDEX_FROM_COLUMNS_FROM \
                and gapindex.fill_from_columns(store.db, batch.as_columns()):
            return None  # a first import: from its own columns, not from the rows it wrote
        gapindex.refresh(store.db, None if whole else batch)  # only the members the batch touches
        return None

    def forget(self) -> None:
        self._arrays = None

    def _loaded(self, store) -> gapindex.GapIndex:
        if self._arrays is None:
            with bulk():
                self._arrays = gapindex.GapIndex(store.db)
        return self._arrays

    def gaps(self, store, rule: str, as_of: dt.date, committee_id: str | None) -> list[dict]:
        check_rule(rule)
        if committee_id is not None and committee_id not in store.committees():
            raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
        store._fresh()
        if self._arrays is None and not store.holds_whole_graph():
            if committee_id is not None:
                return gapindex.committee_gaps(store.db, rule, as_of.isoformat(), committee_id)
            # The whole store's: asked once (a command-line call), the indexed query; asked
            # again (a running service), the arrays, loaded once and kept (fastpaths.py).
            self._whole_asked += 1
            if self._whole_asked <= fastpaths.WHOLE_GAPS_BY_QUERY_UP_TO:
                return gapindex.committee_gaps(store.db, rule, as_of.isoformat(), None)
        return self._loaded(store).gaps(rule, as_of.isoformat(), committee_id)

    def counts(self, store, rule: str, as_of: dt.date,
               committee_ids: Collection[str] | None) -> dict[str, tuple[int, int]]:
        check_rule(rule)
        store._fresh()
        if self._arrays is None and committee_ids is not None and len(committee_ids) <= CHUNK:
            return gapindex.committee_counts(store.db, rule, as_of.isoformat(), sorted(committee_ids))
        return self._loaded(store).counts(rule, as_of.isoformat(), committee_ids)


# The report columns, kept in the file as two blobs and the roster version they hold (the
# change feed's number); read from the tables by graph/table_columns.py.
COLUMN_BLOBS = (f"arrays-v{columnar.FORMAT}", f"text-v{columnar.FORMAT}")
COLUMN_VERSION = f"version-v{columnar.FORMAT}"


class ReportColumns(Projection):
    """The whole store as report columns: in memory, else from the file, else built from
    the tables and kept in the file.

    The file keeps them as of a roster version (``COLUMN_VERSION``); no write drops them.
    Whoever reads them — another worker, a command-line call — brings them up to the roster
    as it is from the change feed, which names what each write changed (``_follow``), and a
    process holding them follows its own writes (``written``) and other processes' (``follow``)
    in the same way. A process that has brought them ``fastpaths.KEEP_COLUMNS_AFTER`` feed
    entries past the file's copy writes them back, so the feed to follow stays short. Past
    ``fastpaths.PATCH_COLUMNS_UP_TO`` things changed (a large import) nobody could follow
    them: the writer builds them once its write is in and keeps them, if the file kept a
    copy; a first import into an empty file keeps them worked out from its own columns."""

    name = "report_columns"
    tables = ("report_columns",)

    def __init__(self):
        self.held: columnar.Columns | None = None
        self._keeping: threading.Thread | None = None  # a copy being written back after a read

    def forget(self) -> None:
        self.held = None

    def settle(self) -> None:
        if self._keeping is not None:
            self._keeping.join()
            self._keeping = None

    def written(self, store, batch: Batch, whole: bool):
        if whole and batch.rows() >= fastpaths.COLUMNS_FROM_IMPORT_FROM \
                and (built := import_columns.build(batch.as_columns(), table_columns.EDGE_KINDS)) is not None:
            _put_copy(store.db, built.to_blobs(), store._roster())  # a first import: kept with it
            return lambda: setattr(self, "held", built)
        sources = _sources(batch)
        if sum(map(len, sources.values())) > fastpaths.PATCH_COLUMNS_UP_TO:
            return (lambda: self._built_after(store)) if _copy_version(store.db) is not None else None
        held, patch = self.held, self._patch(store, batch, sources)
        if patch is None:
            return None

        def follow() -> None:
            try:
                held.patch(*patch)
                self.held = held
                self._keep_if_behind(store, held, store._roster())
            except Exception:  # never fail a committed write: the next report builds them again
                log.exception("report columns could not follow the write; they will be built again")
                self.held = None
        return follow

    def restored(self, store, backup_version: int) -> None:
        # The backup's copy holds the backup's roster at its own version: after the restore,
        # that is this file's roster at the restore's version; any other copy goes.
        db = store.db
        if _copy_version(db) == backup_version:
            db.execute("UPDATE report_columns SET data = ? WHERE name = ?", (str(store._roster()), COLUMN_VERSION))
        else:
            db.execute("DELETE FROM report_columns")

    def follow(self, store, since: int) -> int | None:
        """Another connection's writes since ``since``, followed as this connection's own are
        (``_follow``); the version followed to. Not when nothing is held."""
        if self.held is None:
            return None
        try:
            until = self._follow(store, self.held, since)
        except Exception:  # never fail a read: the next report builds them again
            log.exception("report columns could not follow another connection's write; they will be built again")
            return None
        if until is not None:
            self._keep_if_behind(store, self.held, until, later=True)
        return until

    def _follow(self, store, columns: columnar.Columns, since: int) -> int | None:
        """The roster's writes since version ``since``, patched into ``columns``: the nodes
        and edges the change feed names, read back in one read of the file; the version
        followed to. None, leaving ``columns`` as they were, when the feed has a hole (a
        `clear` moved its number on), when it names more than ``fastpaths.PATCH_COLUMNS_UP_TO``
        things, or when a node it names is gone (a restore)."""
        db, opened = store.db, not store.db.in_transaction
        if opened:
            db.execute("BEGIN")  # one moment of the file for the feed and the rows
        try:
            until = store._roster()
            if until == since:
                return until
            if until < since or until - since > fastpaths.PATCH_COLUMNS_UP_TO:
                return None
            rows = db.execute("SELECT entities FROM changes WHERE seq > ? AND seq <= ?", (since, until)).fetchall()
            if len(rows) != until - since:
                return None
            written: dict[str, set[str]] = {}
            sources: dict[str, set[str]] = {}
            for (text,) in rows:
                for e in orjson.loads(text):
                    if "id" in e:
                        written.setdefault(e["kind"], set()).add(e["id"])
                        sources.setdefault(e["kind"], set()).add(e["id"])
                    else:
                        sources.setdefault(e["src_kind"], set()).add(e["src"])
            if sum(map(len, sources.values())) > fastpaths.PATCH_COLUMNS_UP_TO:
                return None
            if any(len(store.existing(kind, ids)) != len(ids) for kind, ids in written.items()):
                return None
            patch = (table_columns.node_columns(db, written), [(k, i) for k, ids in sources.items() for i in ids],
                     list(table_columns.edge_groups(db, sources)))
        finally:
            if opened:
                db.execute("COMMIT")
        columns.patch(*patch)
        return until

    def columns(self, store) -> columnar.Columns:
        store._fresh()
        if self.held is None:
            self.held = self._kept(store) or self.build(store)
        return self.held

    def _kept(self, store) -> columnar.Columns | None:
        """The columns the file keeps, brought up to its roster; None if it keeps none, or
        keeps them too far behind to follow."""
        stored = dict(store.db.execute("SELECT name, data FROM report_columns WHERE name IN (?, ?, ?)",
                                       (*COLUMN_BLOBS, COLUMN_VERSION)))
        if len(stored) != 3:
            return None
        version = int(stored[COLUMN_VERSION])
        try:
            columns = columnar.Columns.from_blobs(*(stored[name] for name in COLUMN_BLOBS))
            until = self._follow(store, columns, version)
        except Exception:  # a copy that cannot be read or followed: built again
            log.exception("report columns kept in the file could not be read; they will be built again")
            return None
        if until is not None:
            self._keep_if_behind(store, columns, until, version, later=True)
            return columns
        return None

    def _keep_if_behind(self, store, columns: columnar.Columns, version: int, kept: int | None = None,
                        later: bool = False) -> None:
        """Write the columns (as of roster ``version``) back into the file when its copy is
        ``fastpaths.KEEP_COLUMNS_AFTER`` change-feed entries or more behind them; ``later``:
        in the background, so that the read that followed them is not kept waiting."""
        kept = _copy_version(store.db) if kept is None else kept
        if kept is None or version - kept >= fastpaths.KEEP_COLUMNS_AFTER:
            self._keep(store, columns, version, later)

    def _keep(self, store, columns: columnar.Columns, version: int, later: bool = False) -> None:
        """The columns, as of roster ``version``, into the file (``later``: on a connection
        of its own, in the background; ``settle`` waits for it)."""
        if store.db.in_transaction:
            return
        blobs = columns.to_blobs()  # now: the columns held may be patched again meanwhile
        self.settle()  # one copy written at a time
        if not later:
            _write_back(store.db, blobs, version)
            return

        def write_back() -> None:
            try:
                db = sqlite3.connect(store.path, isolation_level=None)
                try:
                    _write_back(db, blobs, version)
                finally:
                    db.close()
            except Exception as exc:  # never more than a copy not kept: the next reader follows the feed
                log.warning("report columns not kept in the file: %s", exc)
        self._keeping = threading.Thread(target=write_back, name="report-columns-kept")
        self._keeping.start()

    def build(self, store) -> columnar.Columns:
        db = store.db
        db.execute("BEGIN")  # one moment of the file
        try:
            version = store._roster()
            with bulk():
                built = columnar.Columns.build(table_columns.node_columns(db), table_columns.edge_groups(db))
        finally:
            db.execute("COMMIT")
        self._keep(store, built, version)
        return built

    def _patch(self, store, batch: Batch, sources: dict[str, set[str]]) -> tuple | None:
        """Inside a write's transaction: what the columns in memory need to follow it (the
        written nodes and every edge leaving what it touched, ``sources``, read back), or None
        when they are not in memory, the write is a large one, or another connection wrote
        since they were read (then they are built again when next asked for)."""
        if self.held is None or batch.rows() > fastpaths.PATCH_COLUMNS_UP_TO or not store.unchanged_since_read():
            return None
        written = {kind: set(ids) for kind, ids in batch.nodes.items()}
        return (table_columns.node_columns(store.db, written), [(k, i) for k, ids in sources.items() for i in ids],
                list(table_columns.edge_groups(store.db, sources)))

    def _built_after(self, store) -> None:
        """Once a write too large for anyone to follow from the change feed is in: the writer
        builds the columns and keeps them in the file, once for every reader after it."""
        try:
            self.held = self.build(store)  # the file's copy is too far behind to follow: not read
        except Exception:  # never fail a committed write: the next report builds them
            log.exception("report columns could not be built after the write; the next report builds them")


def _sources(batch: Batch) -> dict[str, set[str]]:
    """What a write names in the change feed, as a reader of the feed follows it: the nodes it
    writes and the sources of the edges it writes or replaces (kind -> ids)."""
    sources: dict[str, set[str]] = {kind: set(ids) for kind, ids in batch.nodes.items()}
    for kind, ids in batch.replace_row_edges.items():
        sources.setdefault(kind, set()).update(ids)
    for e in batch.edges:
        sources.setdefault(e.src_kind, set()).add(e.src)
    return sources


def _copy_version(db: sqlite3.Connection) -> int | None:
    """The roster version of the report columns the file keeps; None when it keeps none."""
    row = db.execute("SELECT data FROM report_columns WHERE name = ?", (COLUMN_VERSION,)).fetchone()
    return int(row[0]) if row else None


def _write_back(db: sqlite3.Connection, blobs: tuple[bytes, bytes], version: int) -> None:
    """Report columns as of roster ``version`` into the file, unless the roster has moved on
    since (then the copy there, if any, still follows from its own version). A busy or
    read-only file keeps what it has: the columns then serve their process only."""
    db.execute("PRAGMA busy_timeout=0")  # never wait for another writer to keep a copy
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            if roster_version(db) == version:
                _put_copy(db, blobs, version)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        log.info("report columns not kept in the file: %s", exc)
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _put_copy(db: sqlite3.Connection, blobs: tuple[bytes, bytes], version: int) -> None:
    """Inside a transaction: the file's copy of the report columns, as of roster ``version``."""
    db.execute("DELETE FROM report_columns")
    db.executemany("INSERT INTO report_columns (name, data) VALUES (?, ?)",
                   [*zip(COLUMN_BLOBS, blobs, strict=True), (COLUMN_VERSION, str(version))])


class CypherGaps(Projection):
    """The Bolt store's answer to the two flagship gaps: nothing kept, the gap query each
    rule's fast form names (``graph/flagship.py``) run in the database (held equal to the
    gap index by the contract tests)."""

    name = "gaps"

    def gaps(self, store, rule: str, as_of: dt.date, committee_id: str | None) -> list[dict]:
        check_rule(rule)
        form = FORMS[rule]
        ids = [committee_id] if committee_id is not None else sorted(store.committees())
        found = store.read(form.query, {"day": as_of.isoformat(), "committee_ids": ids, **form.params}, **form.names)
        # An unknown committee has no gaps: asked only then, one round trip fewer for the rest.
        if not found and committee_id is not None and not store.existing("Committee", [committee_id]):
            raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
        return found

    def counts(self, store, rule: str, as_of: dt.date,
               committee_ids: Collection[str] | None) -> dict[str, tuple[int, int]]:
        check_rule(rule)
        form = FORMS[rule]
        ids = sorted(committee_ids) if committee_ids is not None else sorted(store.committees())
        params = {"day": as_of.isoformat(), "committee_ids": ids, **form.params}
        totals = {r["committee_id"]: r["total"] for r in store.read("flagship_population", params)}
        missing = Counter(r["committee_id"] for r in store.read(form.query, params, **form.names))
        return {cid: (total, total - missing[cid]) for cid, total in totals.items()}
