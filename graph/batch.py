"""The batch a loader, an edit or a sync hands a store: a whole import, already validated
and resolved — nodes to upsert by (kind, id), edges to upsert by (source, kind, target,
key), and the nodes whose row-derived edges (sector, special committees, party
organisations, …) are replaced — with what a write returns and records (its result, its
audit record, its change-feed entries).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any
from dataclasses import dataclass, field
from types import MappingProxyType

from liaison_graph.graph.jsontext import dumps
from liaison_graph.graph.model import model

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
    # The roster's version the write rule read the tree at (Store.roster_version; None: unchecked),
    # and the rule again, on a store as it is now: True when it finds what it found then.
    checked_at: int | None = None
    recheck: Callable[[Any], bool] | None = field(default=None, compare=False, repr=False)

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
        """The batch held as columns (loaders.framebatch.FrameBatch), for a store that writes
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

    def committee_ids(self, store) -> set[str]:
        """The committees the batch writes into: its nodes' own, and its edges' sources'."""
        return {cid for cid in changed_entities(self, store.committees_of) if cid}


@dataclass
class WriteResult:
    created: dict[str, int]
    updated: dict[str, int]
    cursor: int | None = None  # the change feed's cursor after this write


def etag(props: dict | None) -> str | None:
    """A version tag for a node's or an edge's stored properties (absent: None)."""
    if props is None:
        return None
    text = dumps(props)
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
