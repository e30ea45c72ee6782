"""The lists the lookups answer — members, sectors, party organisations, liaisons — and a
node's own neighbourhood, as every store answers them from its indexes, never from a graph
of the caller's scope: what a filter keeps, the order of a list, the rows it gives.

A store lists nodes (``Store.list_nodes``) through its committee index, sorted by committee
and id, with their total; it counts a page's sectors' members through the edges that reach
those sectors (``Store.sector_counts``); it reads one node's edges and their far ends
(``Store.edges_around``). For a list of liaisons (``Store.list_liaisons``) the store finds
those with an end in the scope as light rows (``LiaisonEnds``); which of them a
``LiaisonFilter`` keeps, their order and the page are worked out here for both stores
(``liaison_page``, or ``walk_page`` over rows in the order of their sources), before the
store reads the page's properties and names. The embedded store's SQL is in
``graph/sqlite_lookups.py``, the Bolt store's side in ``graph/bolt_lookups.py`` (its
queries ``cypher/list_*.cypher``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import groupby
from typing import NamedTuple

from liaison_graph.graph.model import model
from liaison_graph.graph.parts import holds

LIAISON = model().edge_tables()["liaisons"]  # the edge kind of a liaison
SECTOR = model().seen_nodes()["sector"]  # the node kind of a sector
IN_SECTOR = model().groupings()["sector"]  # the edge of a member sitting in one
KIND_CODES = model().kind_codes()  # node kind -> its code (how a liaison's target kind is named)
COMMITTEE = model().node_tables()["committees"]  # the node kind of a committee
# A liaison is from a member (one source kind: a liaison's id does not name it) to a node of
# one of its target kinds (what a `target_kind` names).
(LIAISON_SOURCE,) = model().edges[LIAISON].sources
LIAISON_TARGETS = tuple(model().edges[LIAISON].targets)


@dataclass(frozen=True)
class NodeFilter:
    """What a list of nodes keeps; each condition left as None keeps everything.

    ``day``: the node holds on that day (ISO; ``graph.parts.holds``: its start and end dates
    around the day, a missing one open); ``sector`` and ``activity_group``: the property
    equals; ``cpc``: the member is (True) or is not (False) a CPC member; ``q``: the name
    contains it or the id equals it; ``special_committee``: one of the node's special
    committees equals it."""

    day: str | None = None
    sector: str | None = None
    cpc: bool | None = None
    q: str | None = None
    activity_group: str | None = None
    special_committee: str | None = None

    def params(self) -> dict:
        """Every condition by name (None: not asked), as a query's parameters."""
        return asdict(self)


@dataclass(frozen=True)
class LiaisonFilter:
    """What a list of liaisons keeps; each condition left as None keeps everything.

    ``day``: the liaison holds on that day; ``member_id``: one of its two ends has this id;
    ``target``: its far end is of this node kind."""

    day: str | None = None
    member_id: str | None = None
    target: str | None = None


class LiaisonEnds(NamedTuple):
    """A liaison as a store finds it, before its page is chosen: its identity and dates."""

    src: str
    dst_kind: str
    dst: str
    key: str
    start_date: str | None
    end_date: str | None


class LiaisonRow(NamedTuple):
    """A liaison on a page: its identity, properties, and the names of its two ends."""

    src: str
    dst_kind: str
    dst: str
    key: str
    props: dict
    src_name: str | None
    dst_name: str | None


def liaison_order(e: LiaisonEnds) -> tuple:
    """The order of a list of liaisons: by the member it is from, the code of its target's
    kind, the target, its start (none first), then its key."""
    return e.src, KIND_CODES[e.dst_kind], e.dst, e.start_date or "", e.key


def keeps(where: LiaisonFilter | None, e: LiaisonEnds) -> bool:
    """Whether ``where`` keeps this liaison."""
    if where is None:
        return True
    if where.day is not None and not holds({"start_date": e.start_date, "end_date": e.end_date}, where.day):
        return False
    if where.member_id is not None and where.member_id not in (e.src, e.dst):
        return False
    return where.target is None or where.target == e.dst_kind


def liaison_page(found, where: LiaisonFilter | None, limit: int, offset: int) -> tuple[int, list[LiaisonEnds]]:
    """Of the liaisons a store found (each once), those ``where`` keeps: how many, and the
    page from ``offset``, at most ``limit``, in ``liaison_order``."""
    kept = sorted((e for e in found if keeps(where, e)), key=liaison_order)
    return len(kept), kept[offset:offset + limit]


def walk_page(in_source_order, where: LiaisonFilter | None, limit: int, offset: int) -> list[LiaisonEnds]:
    """The same page as ``liaison_page`` from liaisons given in the order of their source
    (each once): read only up to the source with which the page is full."""
    wanted, taken = offset + limit, []
    for _, same_source in groupby(in_source_order, key=lambda e: e.src):
        taken += sorted((e for e in same_source if keeps(where, e)), key=liaison_order)
        if len(taken) >= wanted:
            break
    return taken[offset:wanted]
