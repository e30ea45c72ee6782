"""The store interface every backend implements, and the batch a loader hands it.

A :class:`Batch` is a whole import, already validated and resolved: nodes to upsert by
(kind, id), edges to upsert by (source, kind, target, key), and the nodes whose
row-derived edges (sector, special committees, party organisations, …) are replaced.
``Store.write`` applies a batch in one transaction: all of it or none of it.
"""

from __future__ import annotations

import datetime as dt
import gc
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx

from graph.errors import UnknownRule

RULES = {
    "non-party-without-liaison": "无党员委员联系的党外委员",
    "party-member-unorganised": "未编入党组织的党员委员",
}

# Node kinds the stats report counts, keyed by the plural name used in JSON.
STAT_KEYS = {
    "committees": "Committee",
    "party_orgs": "PartyOrg",
    "members": "Member",
    "sectors": "Sector",
    "special_committees": "SpecialCommittee",
    "activity_groups": "ActivityGroup",
    "studios": "Studio",
    "liaisons": "LIAISES_WITH",
    "contacts": "CONTACTED",
}


def clean(props: dict) -> dict:
    """Properties as every store keeps them: an empty value is an absent property."""
    return {k: v for k, v in props.items() if v is not None and v != []}


@dataclass(frozen=True)
class EdgeRow:
    kind: str
    src_kind: str
    src: str
    dst_kind: str
    dst: str
    key: str = ""
    props: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Batch:
    nodes: dict[str, dict[str, dict]] = field(default_factory=dict)  # kind -> id -> props
    edges: list[EdgeRow] = field(default_factory=list)
    replace_row_edges: dict[str, set[str]] = field(default_factory=dict)  # kind -> ids

    def add_node(self, kind: str, node_id: str, props: dict) -> None:
        self.nodes.setdefault(kind, {})[node_id] = clean(props)

    def add_edge(self, kind: str, src_kind: str, src: str, dst_kind: str, dst: str, key: str = "", props=None) -> None:
        self.edges.append(EdgeRow(kind, src_kind, src, dst_kind, dst, key, clean(props or {})))

    def count(self, kind: str) -> int:
        if kind in self.nodes:
            return len(self.nodes[kind])
        return sum(1 for e in self.edges if e.kind == kind)


@dataclass
class WriteResult:
    created: dict[str, int]
    updated: dict[str, int]


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise UnknownRule(f"未知的规则「{rule}」（可用：{'、'.join(RULES)}）", rule=rule)
    return rule


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
    def committees(self) -> dict[str, dict]:
        """Every committee: id -> properties (the tree is small)."""

    @abstractmethod
    def subgraph(self, committee_ids: Collection[str] | None = None) -> nx.MultiDiGraph:
        """The nodes of the given committees (all when ``None``), every edge leaving them
        and the far ends of those edges, fetched in one read: nodes are ``(kind, id)``
        with their properties and ``node_kind``; edges carry ``edge_kind`` and their
        properties. Policies, reach and diagnostics run on it, for every store alike."""

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
