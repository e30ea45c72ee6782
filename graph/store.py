"""The store interface every backend implements: writing a batch (``graph/batch.py``) in one
transaction, reading parts and lookups through its indexes, the journal and the tokens.
What a store answers beyond that comes from the projections it was assembled with
(``graph/projection.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import networkx as nx
from liaison_graph.graph.batch import Audit, Batch, WriteResult
from liaison_graph.graph.errors import StoreError
from liaison_graph.graph.model import model

# What the stats report counts: its key (the kind's plural name in JSON) -> node or edge kind.
STAT_KEYS = model().stat_keys()


@dataclass
class TokenRecord:
    id: str
    secret_hash: str  # sha256 of the secret; the secret itself is never stored
    committee_id: str
    role: str  # viewer | editor | admin
    name: str | None
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None
    member_id: str | None = None  # a member's own token (role member): their liaisons and contacts only
    confirm: bool = False  # a member token's contacts wait for the office's confirmation before they count



class Store(ABC):
    """What every store offers. The contract tests in ``tests/`` run against each."""

    name = "store"

    # Whether several threads may read the store at once. False: one connection (and what it
    # holds in memory) that one thread at a time may use; the service reads it under the same
    # lock as its writes. True (the Bolt store): a thread-safe driver with a connection per
    # read, and what it keeps between calls safe to share; reads are not serialised.
    concurrent_reads = False

    # --- writing -----------------------------------------------------------------
    @abstractmethod
    def write(self, batch: Batch) -> WriteResult:
        """Apply a whole batch in one transaction."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything, in one transaction."""

    # --- lookups a loader needs to resolve references -----------------------------
    @abstractmethod
    def existing(self, kind: str, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that exist as nodes of ``kind``."""

    @abstractmethod
    def node_props(self, kind: str, ids: Iterable[str]) -> dict[str, dict]:
        """Properties of the nodes of ``kind`` among ``ids`` that exist."""

    @abstractmethod
    def ids_by_name(self, kind: str, committee_ids: Iterable[str]) -> dict[tuple[str, str], list[str]]:
        """(committee_id, name) -> ids, for the nodes of ``kind`` in those committees."""

    # --- questions ------------------------------------------------------------------
    @abstractmethod
    def stats(self) -> dict[str, int]:
        """Counts keyed by ``STAT_KEYS``."""

    def gaps(self, rule: str, as_of: dt.date, committee_id: str | None = None) -> list[dict]:
        """The members a flagship rule misses on ``as_of``, sorted by committee and id: from
        the store's registered ``gaps`` projection (its fast form of the rules)."""
        return self._registered("gaps").gaps(self, rule, as_of, committee_id)

    def flagship_counts(self, rule: str, as_of: dt.date,
                        committee_ids: Collection[str] | None = None) -> dict[str, tuple[int, int]]:
        """For a flagship rule: committee -> (members it applies to on ``as_of``, those of
        them covered), over the given committees (all when ``None``)."""
        return self._registered("gaps").counts(self, rule, as_of, committee_ids)

    @abstractmethod
    def committees(self) -> dict[str, dict]:
        """Every committee: id -> properties (the tree is small). Read only for callers: a
        store may hand out the same dict again while the committees are unchanged, and then
        must hand out a new one once they change (a write, its own or another connection's),
        for ``graph/view.py`` keeps the scopes it works out for as long as the dict."""

    # --- lists, answered from the store's indexes without a graph (graph/lookups.py) -----
    @abstractmethod
    def list_nodes(self, kind: str, committee_ids: Collection[str], where=None, limit: int = 100,
                   offset: int = 0) -> tuple[int, list[dict]]:
        """The nodes of ``kind`` of these committees that ``where`` (a
        ``graph.lookups.NodeFilter``; None: every one) keeps, sorted by committee and id:
        how many they are, and the properties of those from ``offset``, at most ``limit``."""

    @abstractmethod
    def sector_counts(self, sector_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """For each of these sectors that has members: how many members sit in it (from any
        committee, whatever their term) and how many of them are CPC members."""

    @abstractmethod
    def list_liaisons(self, committee_ids: Collection[str], where=None, limit: int = 100,
                      offset: int = 0) -> tuple[int, list]:
        """The liaisons with either end in these committees that ``where`` (a
        ``graph.lookups.LiaisonFilter``) keeps, in ``graph.lookups.liaison_order``: how
        many, and the page from ``offset``, at most ``limit``, as ``graph.lookups.LiaisonRow``."""

    @abstractmethod
    def edges_around(self, kind: str, node_id: str, leaving: Collection[str],
                     reaching: Collection[str]) -> tuple[list[tuple], dict[tuple[str, str], dict]]:
        """One node's edges of the kinds ``leaving`` that leave it and of the kinds
        ``reaching`` that reach it, as (kind, src_kind, src, dst_kind, dst, key, props)
        sorted by all but the properties, and the properties of their far ends by
        (kind, id)."""

    def roster_version(self) -> int | None:
        """A number that moves whenever the roster (a node or an edge) changes, read from the
        store as it is now; None when the store does not keep one. The write rule records it
        when it reads the tree (``Batch.checked_at``), and a store that keeps one refuses,
        inside the write's transaction, a batch checked against a roster that has changed
        since: another process (a second worker, the command line) wrote in between."""
        return None

    def has_roster(self) -> bool:
        """Whether the store holds a roster: at least one member (committees alone are not
        one). The command line refuses to report on a store without one."""
        return bool(self.stats()["members"])

    @abstractmethod
    def subgraph(self, committee_ids: Collection[str] | None = None, keep: bool = True) -> nx.MultiDiGraph:
        """The nodes of the given committees (all when ``None``) and what their questions
        read beyond them, fetched in one read: every edge leaving them; every liaison,
        contact and membership reaching them; then what ``complete_part`` adds (the
        liaisons into the containers outside where their members sit; the memberships of
        the members outside who liaise here; the contacts among the members outside who
        liaise or sit here); and the far ends of all these edges. So a committee's report
        is the same as its rows in the whole store's. Nodes are ``(kind, id)`` with their
        properties and ``node_kind``; edges carry ``edge_kind`` and their properties.
        Policies, reach and diagnostics run on it, for every store alike. ``keep=False``: a
        part read once (a recommendation reads a few committees at a time), not kept for
        the next question."""

    projections: dict = {}  # name -> what the store was assembled with (graph/projection.py)

    def projection(self, name: str):
        """The projection of that name (``graph/projection.py``) the store was assembled
        with; ``None`` when it has none, and its questions are answered another way."""
        return self.projections.get(name)

    def _registered(self, name: str):
        found = self.projection(name)
        if found is None:
            raise StoreError(f"该库未配置「{name}」投影")
        return found

    # --- the journal: change feed and audit trail, written with every batch --------------
    @abstractmethod
    def changes(self, since: int = 0, limit: int = 100) -> list[dict]:
        """Change entries after cursor ``since``, oldest first: {"cursor", "at",
        "committee_id", "changes": [entity, …]}; one entry per write and committee."""

    @abstractmethod
    def audit(self, since: int = 0, limit: int = 100) -> list[dict]:
        """Audit records after ``since``, oldest first: {"seq", "at", "actor", "action",
        "committee_ids", "target", "before", "after"}."""

    # --- API tokens (hashed) --------------------------------------------------------------
    @abstractmethod
    def add_token(self, token: TokenRecord, audit: Audit | None = None) -> None:
        """Store a new token record and its audit record, in one transaction: both or
        neither."""

    @abstractmethod
    def tokens(self) -> list[TokenRecord]:
        """Every token record, oldest first."""

    def token(self, token_id: str) -> TokenRecord | None:
        """The token record of that id, or None; as current as ``tokens()`` (a token
        created or revoked by another connection is seen at once). By default a scan of
        ``tokens()``; a store that keeps its tokens in memory answers from a dict by id,
        built once per tokens table and dropped with it."""
        return next((t for t in self.tokens() if t.id == token_id), None)

    @abstractmethod
    def revoke_token(self, token_id: str, at: str, audit: Audit | None = None) -> bool:
        """Mark a token revoked and write its audit record, in one transaction: both or
        neither; False, and nothing written, when there is no such live token."""

    def edge_props(self, kind: str, src_kind: str, src: str, dst_kind: str, dst: str, key: str) -> dict | None:
        """One edge's properties, or None."""
        for e_kind, _, e_src, e_dst_kind, e_dst, e_key, props in self.edges_of(src_kind, [src], kind):
            if (e_kind, e_src, e_dst_kind, e_dst, e_key) == (kind, src, dst_kind, dst, key):
                return props
        return None

    def committees_of(self, kind: str, ids: Iterable[str]) -> dict[str, str | None]:
        """id -> committee of those of these nodes the store holds."""
        return {nid: p.get("committee_id") for nid, p in self.node_props(kind, ids).items()}

    @abstractmethod
    def edges_of(self, src_kind: str, srcs: Iterable[str], kind: str | None = None) -> list[tuple]:
        """Edges leaving these nodes (of one kind, when given): (kind, src_kind, src,
        dst_kind, dst, key, props)."""

    @abstractmethod
    def dump(self) -> dict:
        """The whole content, canonical: {"nodes": {(kind, id): props},
        "edges": {(kind, src_kind, src, dst_kind, dst, key): props}}."""

    # --- reading after writes made elsewhere ---------------------------------------------
    def after(self, token: str | None) -> contextlib.AbstractContextManager:
        """Inside, every read waits until the store holds the writes ``token`` names: a token
        ``written`` gave, maybe in another process (a client's, or the serving process's for
        its long questions). A store that is one file needs none (a read sees every committed
        write): it takes any token and ignores it."""
        return contextlib.nullcontext()

    def wrote(self, token: str | None) -> None:
        """Writes another process of this service made for it (its long questions' process):
        from now on every read here waits for them, and ``written`` names them too. A store
        that is one file needs none."""

    def written(self) -> str | None:
        """A token naming every write this process made (and inside ``after``, that token's),
        for another connection to wait for; ``None`` when the store needs none."""
        return None

    def importing(self) -> contextlib.AbstractContextManager:
        """Inside, an import reads the store as it stands even when an earlier run of an
        import written in bounded transactions was interrupted there (every other read is
        refused until it is finished): a run of the same import then finishes it, any other
        is refused when it writes. A store written in one transaction needs none."""
        return contextlib.nullcontext()

    def close(self) -> None:  # noqa: B027 - optional for stores holding nothing open
        """Release connections and files."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
