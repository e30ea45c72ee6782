"""The store interface every backend implements, and the batch a loader hands it.

A :class:`Batch` is a whole import, already validated and resolved: nodes to upsert by
(kind, id), edges to upsert by (source, kind, target, key), and the nodes whose
row-derived edges (sector, special committees, party organisations, …) are replaced.
``Store.write`` applies a batch in one transaction: all of it or none of it.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

import networkx as nx

from liaison_graph.graph.model import model

# What the stats report counts: its key (the kind's plural name in JSON) -> node or edge kind.
STAT_KEYS = model().stat_keys()


NO_PROPS = MappingProxyType({})


def clean(props: dict) -> dict:
    """Properties as every store keeps them: an empty value is an absent property."""
    if not props:
        return {}
    return {k: v for k, v in props.items() if v is not None and v != []}


@dataclass(slots=True, unsafe_hash=True)  # not frozen: a frozen init costs a call per field, millions of times per import
class EdgeRow:
    kind: str
    src_kind: str
    src: str
    dst_kind: str
    dst: str
    key: str = ""
    props: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Audit:
    """Who made a write and what it was; recorded with the write, in its transaction."""

    actor: str  # "token:<id>" for the API, "cli" for the command line
    action: str  # member.create, liaison.end, import, …
    committee_ids: list[str] = field(default_factory=list)
    target: str | None = None
    before: dict | None = None
    after: dict | None = None


@dataclass
class Batch:
    nodes: dict[str, dict[str, dict]] = field(default_factory=dict)  # kind -> id -> props
    edges: list[EdgeRow] = field(default_factory=list)
    replace_row_edges: dict[str, set[str]] = field(default_factory=dict)  # kind -> ids
    audit: Audit | None = None
    # (kind, id) -> ETag the caller read; the write is refused (Conflict) if it changed.
    expect: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # (kind, id) -> the committee a node leaves (an explicit move): its feed hears of it too.
    moved_from: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_node(self, kind: str, node_id: str, props: dict) -> None:
        self.nodes.setdefault(kind, {})[node_id] = clean(props)

    def add_edge(self, kind: str, src_kind: str, src: str, dst_kind: str, dst: str, key: str = "", props=None) -> None:
        # Most edges carry nothing; they share one read-only empty mapping (millions at nation scale).
        cleaned = clean(props) if props else {}
        self.edges.append(EdgeRow(kind, src_kind, src, dst_kind, dst, key, cleaned or NO_PROPS))

    def rows(self) -> int:
        """Nodes and edges in the batch."""
        return sum(map(len, self.nodes.values())) + len(self.edges)

    def count(self, kind: str) -> int:
        if kind in self.nodes:
            return len(self.nodes[kind])
        return sum(1 for e in self.edges if e.kind == kind)

    def as_columns(self):
        """The batch held as columns (loaders.frames.FrameBatch), for a store that writes
        columns; None for a batch of rows."""
        return None

    # What the write rule (graph.guard) reads of a batch; a batch held as columns answers
    # them from its columns, without turning into rows.
    def node_kinds(self) -> list[str]:
        """The node kinds the batch writes."""
        return list(self.nodes)

    def owners(self, kind: str) -> dict[str, str | None]:
        """id -> committee of the batch's nodes of one kind."""
        return {nid: props.get("committee_id") for nid, props in self.nodes.get(kind, {}).items()}

    def node_props(self, kind: str, ids: Iterable[str]) -> dict[str, dict]:
        """The properties the batch writes for some of its nodes of one kind."""
        nodes = self.nodes[kind]
        return {nid: nodes[nid] for nid in ids}

    def committee_ids(self, store: Store) -> set[str]:
        """The committees the batch writes into: its nodes' own, and its edges' sources'."""
        return {cid for cid in changed_entities(self, store.committees_of) if cid}


@dataclass
class WriteResult:
    created: dict[str, int]
    updated: dict[str, int]
    cursor: int | None = None  # the change feed's cursor after this write


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


def etag(props: dict | None) -> str | None:
    """A version tag for a node's or an edge's stored properties (absent: None)."""
    if props is None:
        return None
    text = json.dumps(props, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def table_edge_kinds() -> set[str]:
    """The edge kinds that are rows of their own roster tables (liaisons, contacts)."""
    return {name for name, edge in model().edges.items() if edge.table}


def table_edge_rows(batch: Batch) -> dict[str, list[EdgeRow]]:
    """The batch's edges that are rows of their own roster tables (liaisons, contacts), by
    kind, one per edge (two rows that name the same edge, such as a group given by its name
    and by its id, are one): what a write counts as created or updated."""
    tables = table_edge_kinds()
    out: dict[str, dict[tuple, EdgeRow]] = {}
    for e in batch.edges:
        if e.kind in tables:
            out.setdefault(e.kind, {})[(e.src_kind, e.src, e.dst_kind, e.dst, e.key)] = e
    return {kind: list(rows.values()) for kind, rows in out.items()}


def changed_entities(batch: Batch, committee_of) -> dict[str | None, list]:
    """What a batch changes, by committee, for the change feed: every node it writes, every
    liaison and contact, and every edge whose source node it does not rewrite (an edge
    derived from a node's row goes with the node). ``committee_of(kind, ids)`` gives the
    committees of nodes outside the batch. Entries are ``(kind, id)`` pairs and the
    batch's own edge rows; ``entities_json`` gives their feed form, one committee at a
    time, so a nation-scale import never holds the whole feed as objects."""
    out: dict[str | None, list] = {}
    for kind, nodes in batch.nodes.items():
        for nid, props in nodes.items():
            out.setdefault(props.get("committee_id"), []).append((kind, nid))
    for (kind, nid), left in batch.moved_from.items():
        out.setdefault(left, []).append((kind, nid))
    tables = table_edge_kinds()
    missing: dict[str, set[str]] = {}
    for e in batch.edges:
        if e.src not in batch.nodes.get(e.src_kind, ()):
            missing.setdefault(e.src_kind, set()).add(e.src)
    committees = {(kind, nid): cid for kind, ids in missing.items() for nid, cid in committee_of(kind, ids).items()}
    for e in batch.edges:
        src = batch.nodes.get(e.src_kind, {}).get(e.src)
        if src is not None and e.kind not in tables:
            continue  # derived from the row of a node this batch writes: goes with the node
        cid = src.get("committee_id") if src is not None else committees.get((e.src_kind, e.src))
        out.setdefault(cid, []).append(e)
    return out


def entities_json(entries: list) -> list[dict]:
    """The change feed's form of ``changed_entities`` entries."""
    return [{"kind": x[0], "id": x[1]} if isinstance(x, tuple) else
            {"kind": x.kind, "src_kind": x.src_kind, "src": x.src, "dst_kind": x.dst_kind, "dst": x.dst, "key": x.key}
            for x in entries]


@contextmanager
def bulk() -> Iterator[None]:
    """Build a large acyclic structure (a graph, a day's indexes) without the cycle
    collector: it would rescan the whole graph over and over while nothing it could free
    is being made, which costs about half the build time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def put_node(G: nx.MultiDiGraph, node, kind: str, props) -> None:
    """Put a node with its stored properties into a graph. The properties are attached as a
    dict, never handed over as keyword arguments, so no stored name (``node_for_adding``,
    ``key``, …) can clash with the graph library's parameters; the kind the store knows
    stands over any stored property of its name."""
    G.add_node(node, node_kind=kind)
    data = G.nodes[node]
    data.update(props)
    data["node_kind"] = kind


def put_edge(G: nx.MultiDiGraph, src, dst, key, kind: str, props) -> None:
    """Put an edge with its stored properties into a graph, as ``put_node`` a node."""
    G.add_edge(src, dst, key, edge_kind=kind)
    data = G.edges[src, dst, key]
    data.update(props)
    data["edge_kind"] = kind


def committee_cycle(parents: dict[str, str | None], starts: Iterable[str] | None = None) -> list[str] | None:
    """A cycle of committees met walking up through ``parents`` (committee -> its parent) from
    each of ``starts`` (every committee when None), as the committees passed and the first
    one again; None when every walk ends at a root."""
    done: set[str] = set()  # committees whose walk up ends at a root
    for start in sorted(parents if starts is None else starts):
        path, node = [], start
        while node is not None and node not in done:
            if node in path:
                return path[path.index(node):] + [node]
            path.append(node)
            node = parents.get(node)
        done.update(path)
    return None


def holds(props: dict, day: str) -> bool:
    """A date range holds on ``day`` when start <= day <= end; a missing bound is open."""
    start, end = props.get("start_date"), props.get("end_date")
    return (start is None or start <= day) and (end is None or day <= end)


def gap_item(props: dict) -> dict:
    return {
        "id": props["id"],
        "name": props["name"],
        "committee_id": props["committee_id"],
        "sector": props["sector"],
    }


# Membership edges: a member (source) sits in the target.
MEMBERSHIP = model().membership()
# Edges a committee's part holds from outside it too: the rows of their own tables (liaisons,
# contacts, which may cross committees) and the memberships.
PART_INCOMING = (*model().edge_tables().values(), *MEMBERSHIP)


def _part_containers(G: nx.MultiDiGraph, inside: set) -> set:
    """The sectors, groups and organisations outside a committee's part where its members
    sit: a liaison into one of them covers those members."""
    adj = G.adj
    return {dst for src in inside for dst, keyed in adj[src].items()
            if dst not in inside and any(edge["edge_kind"] in MEMBERSHIP for edge in keyed.values())}


def _part_people(G: nx.MultiDiGraph, inside: set) -> tuple[set, set]:
    """The members outside a committee's part who liaise with it (their own memberships
    decide affinity), and those who sit in one of its sectors, groups or organisations
    (their contacts with such a liaison make it effective)."""
    coverers, occupants = set(), set()
    adj = G.adj
    for src in G:
        if src not in inside:
            for keyed in adj[src].values():
                for edge in keyed.values():
                    if edge["edge_kind"] == "LIAISES_WITH":
                        coverers.add(src)
                    elif edge["edge_kind"] in MEMBERSHIP:
                        occupants.add(src)
    return coverers, occupants


def complete_part(G: nx.MultiDiGraph, inside: set, reaching, leaving) -> None:
    """The rest of a committee's part (``G``: its nodes ``inside``, every edge leaving them
    and every PART_INCOMING edge reaching them), whichever store reads it: the liaisons into
    the containers outside where its members sit; then the memberships of the members
    outside who liaise with it, and the contacts among those and the members outside who
    sit in it. ``reaching(nodes, kinds)`` adds the edges of those kinds reaching the nodes,
    ``leaving(nodes, kinds, ends)`` those leaving them (to ``ends`` only, unless None),
    each with its far end."""
    reaching(_part_containers(G, inside), ("LIAISES_WITH",))
    coverers, occupants = _part_people(G, inside)
    leaving(coverers, tuple(MEMBERSHIP), None)
    people = coverers | occupants
    leaving(people, ("CONTACTED",), people)


def by_kind(nodes) -> dict[str, list[str]]:
    """(kind, id) nodes as kind -> sorted ids."""
    out: dict[str, list[str]] = {}
    for kind, nid in sorted(nodes):
        out.setdefault(kind, []).append(nid)
    return out


class Store(ABC):
    """What every store offers. The contract tests in ``tests/`` run against each."""

    name = "store"

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

    @abstractmethod
    def gaps(self, rule: str, as_of: dt.date, committee_id: str | None = None) -> list[dict]:
        """The members a flagship rule misses on ``as_of``, sorted by committee and id."""

    @abstractmethod
    def flagship_counts(self, rule: str, as_of: dt.date,
                        committee_ids: Collection[str] | None = None) -> dict[str, tuple[int, int]]:
        """For a flagship rule: committee -> (members it applies to on ``as_of``, those of
        them covered), over the given committees (all when ``None``)."""

    @abstractmethod
    def committees(self) -> dict[str, dict]:
        """Every committee: id -> properties (the tree is small)."""

    def has_roster(self) -> bool:
        """Whether the store holds a roster: at least one member (committees alone are not
        one). The command line refuses to report on a store without one."""
        return bool(self.stats()["members"])

    @abstractmethod
    def subgraph(self, committee_ids: Collection[str] | None = None) -> nx.MultiDiGraph:
        """The nodes of the given committees (all when ``None``) and what their questions
        read beyond them, fetched in one read: every edge leaving them; every liaison,
        contact and membership reaching them; then what ``complete_part`` adds (the
        liaisons into the containers outside where their members sit; the memberships of
        the members outside who liaise here; the contacts among the members outside who
        liaise or sit here); and the far ends of all these edges. So a committee's report
        is the same as its rows in the whole store's. Nodes are ``(kind, id)`` with their
        properties and ``node_kind``; edges carry ``edge_kind`` and their properties.
        Policies, reach and diagnostics run on it, for every store alike."""

    def columns(self):
        """The whole store as report columns (``graph.columnar.Columns``), when the store
        keeps them; ``None`` otherwise, and reports are worked out on the graph."""
        return None

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

    def close(self) -> None:  # noqa: B027 - optional for stores holding nothing open
        """Release connections and files."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
