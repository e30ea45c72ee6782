"""The batch a large import built as columns (loaders.frames) hands the store: its nodes and
edges as frames, written straight from them into an empty embedded store, and read as rows
(without ceasing to be columns) by whatever asks for rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

import numpy as np
import orjson
import polars as pl

from liaison_graph.graph.batch import NO_PROPS, Batch, EdgeRow, table_edge_kinds
from liaison_graph.graph.store import Store

EDGE_COLUMNS = ("src_kind", "src", "kind", "dst_kind", "dst", "key", "props")
NO_JSON = "{}"
ROWS_AT_ONCE = 100_000  # rows gathered in key order and made Python values at a time


def _entity_json(fields: Sequence[str]) -> pl.Expr:
    """The change feed's form of a node or an edge (as entities_json gives it)."""
    return pl.struct(*(pl.col(f) for f in sorted(fields))).struct.json_encode()


def _key_order(frame: pl.DataFrame, by: Sequence[str]) -> np.ndarray:
    """The row positions of ``frame`` in the order of the columns ``by``, as a table keyed on
    them orders its rows (texts compared byte by byte, as the column engine sorts them): the
    order the store inserts them in, each page written once."""
    return frame.select(pl.arg_sort_by(list(by), maintain_order=True)).to_series().to_numpy()


class FrameBatch(Batch):
    """A batch held as columns: a frame of nodes per kind (id, committee_id, props as
    JSON) and one frame of edges. A store that writes columns takes them through
    ``as_columns``.

    ``nodes`` and ``edges`` are the same batch read as rows: made from the columns when
    first read and kept beside them, read-only (mappings that cannot be changed, a tuple of
    edges), so reading them never changes what the batch is and the store still writes it
    from its columns. Whoever changes the batch assigns ``nodes`` or ``edges``, or adds a
    node or an edge: from then on the rows are the batch (``rows_changed``), and
    ``as_columns`` gives None."""

    def __init__(self, node_frames: dict[str, pl.DataFrame], edge_frame: pl.DataFrame,
                 replace_row_edges: dict[str, set[str]], node_values: dict[str, pl.DataFrame] | None = None):
        self.node_frames, self.edge_frame = node_frames, edge_frame
        self.node_values = node_values or {}  # kind -> the properties that are not lists, as columns
        self.replace_row_edges, self.audit, self.expect, self.moved_from = replace_row_edges, None, {}, {}
        self.checked_at, self.recheck = None, None
        self.rows_changed = False
        self._nodes: Mapping[str, Mapping[str, dict]] | None = None
        self._edges: Sequence[EdgeRow] | None = None
        self._sourced: pl.DataFrame | None = None

    @property
    def nodes(self) -> Mapping[str, Mapping[str, dict]]:
        if self._nodes is None:
            nodes = {kind: dict(zip(f["id"].to_list(), map(orjson.loads, f["props"].to_list())))
                     for kind, f in self.node_frames.items()}
            self._nodes = nodes if self.rows_changed else MappingProxyType(
                {kind: MappingProxyType(by_id) for kind, by_id in nodes.items()})
        return self._nodes

    @nodes.setter
    def nodes(self, nodes: dict[str, dict[str, dict]]) -> None:
        self._change()
        self._nodes = nodes

    @property
    def edges(self) -> Sequence[EdgeRow]:
        if self._edges is None:
            edges = (EdgeRow(kind, src_kind, src, dst_kind, dst, key, NO_PROPS if p == NO_JSON else orjson.loads(p))
                     for src_kind, src, kind, dst_kind, dst, key, p
                     in self.edge_frame.select(EDGE_COLUMNS).iter_rows())
            self._edges = list(edges) if self.rows_changed else tuple(edges)
        return self._edges

    @edges.setter
    def edges(self, edges: list[EdgeRow]) -> None:
        self._change()
        self._edges = edges

    def add_node(self, kind: str, node_id: str, props: dict) -> None:
        self._change()
        super().add_node(kind, node_id, props)

    def add_edge(self, kind: str, src_kind: str, src: str, dst_kind: str, dst: str, key: str = "", props=None) -> None:
        self._change()
        super().add_edge(kind, src_kind, src, dst_kind, dst, key, props)

    def _change(self) -> None:
        """From here on the rows are the batch: what has been read of them becomes changeable."""
        if self.rows_changed:
            return
        self.rows_changed = True
        if self._nodes is not None:
            self._nodes = {kind: dict(by_id) for kind, by_id in self._nodes.items()}
        if self._edges is not None:
            self._edges = list(self._edges)

    def as_columns(self) -> FrameBatch | None:
        # A move is written as rows: the row feed tells the committee a node leaves.
        return None if self.rows_changed or self.moved_from else self

    def rows(self) -> int:
        if self.rows_changed:
            return super().rows()
        return sum(f.height for f in self.node_frames.values()) + self.edge_frame.height

    def count(self, kind: str) -> int:
        if self.rows_changed:
            return super().count(kind)
        if kind in self.node_frames:
            return self.node_frames[kind].height
        return self.edge_frame.filter(pl.col("kind") == kind).height

    def sources(self, kind: str) -> set[str]:
        """The sources of the batch's edges of one kind."""
        return set(self.edge_frame.filter(pl.col("kind") == kind)["src"].unique().to_list())

    def node_kinds(self) -> list[str]:
        return super().node_kinds() if self.rows_changed else list(self.node_frames)

    def owners(self, kind: str) -> dict[str, str | None]:
        if self.rows_changed:
            return super().owners(kind)
        frame = self.node_frames.get(kind)
        return {} if frame is None else dict(zip(frame["id"].to_list(), frame["committee_id"].to_list()))

    def node_props(self, kind: str, ids) -> dict[str, dict]:
        if self.rows_changed:
            return super().node_props(kind, ids)
        frame = self.node_frames[kind].filter(pl.col("id").is_in(list(ids)))
        return dict(zip(frame["id"].to_list(), map(orjson.loads, frame["props"].to_list())))

    def properties(self, kind: str, names: Sequence[str]) -> pl.DataFrame | None:
        """The batch's nodes of one kind as id, committee_id and the named properties (each
        what its JSON holds, null where absent), in the order of its nodes; None when the
        batch has no such nodes or does not hold one of the properties as a column."""
        frame, values = self.node_frames.get(kind), self.node_values.get(kind)
        if frame is None or values is None or not set(names) <= set(values.columns):
            return None
        return frame.select("id", "committee_id").hstack(values.select(names))

    def node_rows(self) -> Iterator[tuple]:
        """(kind, id, committee_id, props) of every node, in key order."""
        for kind in sorted(self.node_frames):
            yield from self.node_frames[kind].sort("id").select(pl.lit(kind), "id", "committee_id", "props").iter_rows()

    def edge_rows(self) -> Iterator[tuple]:
        """Every edge as (src_kind, src, kind, dst_kind, dst, key, props), in key order:
        gathered a slice of that order at a time (a sorted copy of a nation's edges, made at
        once, would hold a gigabyte more), the frame itself left in the batch's order."""
        edges = self.edge_frame.select(EDGE_COLUMNS)
        order = _key_order(edges, EDGE_COLUMNS[:6])
        for start in range(0, len(order), ROWS_AT_ONCE):
            yield from edges[order[start:start + ROWS_AT_ONCE]].iter_rows()

    def _table_rows(self, columns: Sequence[str]) -> pl.DataFrame:
        """Some columns of the edges that are rows of their own tables (liaisons, contacts), in batch order."""
        return self.edge_frame.select(columns).filter(pl.col("kind").is_in(list(table_edge_kinds())))

    def created(self) -> dict[str, int]:
        """Nodes by kind, then the edges that are rows of their own tables by kind."""
        out = {kind: f.height for kind, f in self.node_frames.items()}
        out.update(dict(self._table_rows(["kind"]).group_by("kind", maintain_order=True).len().iter_rows()))
        return out

    def _table_edges(self, store: Store) -> pl.DataFrame:
        """The edges that are rows of their own tables, each with its source's committee
        (a member of the import's, or the store's)."""
        if self._sourced is None:
            edges = self._table_rows(EDGE_COLUMNS[:6])  # what the feed and the committees read
            members = self.node_frames.get("Member")
            if members is not None:
                edges = edges.join(members.select(pl.col("id").alias("src"), "committee_id"), on="src", how="left",
                                   maintain_order="left")
            else:
                edges = edges.with_columns(pl.lit(None, dtype=pl.String).alias("committee_id"))
            outside = edges.filter(pl.col("committee_id").is_null())["src"].unique().to_list()
            if outside:
                stored = store.committees_of("Member", outside)
                ids = list(stored)
                edges = edges.with_columns(pl.col("committee_id").fill_null(pl.col("src").replace_strict(
                    ids, [stored[i] for i in ids], default=None, return_dtype=pl.String)))
            self._sourced = edges
        return self._sourced

    def committee_ids(self, store: Store) -> set[str]:
        if self.rows_changed:
            return super().committee_ids(store)
        found = set()
        for frame in self.node_frames.values():
            found.update(frame["committee_id"].unique().to_list())
        found.update(self._table_edges(store)["committee_id"].unique().to_list())
        return {cid for cid in found if cid}

    def feed(self, store: Store) -> Iterator[tuple[str | None, str]]:
        """What the batch changes for the change feed, by committee (as ``changed_entities``
        and ``entities_json`` give it for a batch of rows): (committee, JSON list), one
        committee at a time in committee order."""
        parts = [f.with_columns(pl.lit(kind).alias("kind"))
                 .select("committee_id", _entity_json(("kind", "id")).alias("entity")) for kind, f in self.node_frames.items()]
        edges = self._table_edges(store)
        parts.append(edges.select("committee_id", _entity_json(EDGE_COLUMNS[:6]).alias("entity")))
        entities = pl.concat(parts).sort(pl.col("committee_id").fill_null(""), maintain_order=True)
        start = 0
        for length, committee_id in entities["committee_id"].rle().struct.unnest().iter_rows():
            text = entities["entity"].slice(start, length).str.join(",").item()
            start += length
            yield committee_id, f"[{text}]"
