"""The report columns as the embedded store's tables hold them: every node's report fields
and every edge a report reads, or those of the nodes and edge sources a write named, each
column read from SQLite as one joined string (``graph/projections.py`` builds, follows and
keeps the columns; ``graph/columnar.py`` is what they are)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from itertools import repeat

import orjson
from liaison_graph.graph import columnar
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import KINDED, TOWNSHIP
from liaison_graph.graph.sqlite_lists import where

# Each column comes out of SQLite as one string (values joined by SEP, NULL for a missing one).
SEP, NULL = "\x1f", "\x1d"
NODE_SQL = {
    "id": "id", "committee_id": "committee_id", "name": "json_extract(props, '$.name')",
    "sector": "json_extract(props, '$.sector')", "cpc": "CASE WHEN json_extract(props, '$.cpc') = 1 THEN 1 END",
    "position": "json_extract(props, '$.position')",
    "party_group_role": "nullif(json_extract(props, '$.party_group_role'), '')",
    "org_kind": f"CASE WHEN kind IN ({', '.join(repr(k) for k in KINDED)}) THEN json_extract(props, '$.kind') END",
    "start_date": "json_extract(props, '$.start_date')", "end_date": "json_extract(props, '$.end_date')",
    TOWNSHIP: f"nullif(json_extract(props, '$.{TOWNSHIP}'), '')"}
EDGE_SQL = {"src": "src", "dst": "dst", "props": "CASE props WHEN '{}' THEN NULL ELSE props END"}
# the edges a report reads, then the contacts, the contacts with the masses and activities' participants
EDGE_KINDS = (*columnar.EDGE_KINDS, columnar.CONTACT, columnar.MASSES, columnar.INVOLVES)


def columns_of(db, exprs: dict[str, str], clause: str, params: tuple) -> dict[str, list]:
    """Some columns of the rows ``clause`` picks, each read as one joined string (many
    times faster than a Python tuple per row); row by row if a value holds SEP."""
    concat = ", ".join(f"group_concat(coalesce({e}, char(29)), char(31))" for e in exprs.values())
    count, *joined = db.execute(f"SELECT count(*), {concat} FROM {clause}", params).fetchone()
    out = {}
    for field, text in zip(exprs, joined, strict=True):
        values = text.split(SEP) if count else []
        if len(values) != count:
            rows = db.execute(f"SELECT {', '.join(exprs.values())} FROM {clause}", params).fetchall()
            return {f: list(c) for f, c in zip(exprs, zip(*rows, strict=True), strict=True)}
        out[field] = [None if v == NULL else v for v in values]
    return out


def node_columns(db, only: dict[str, Collection[str]] | None = None) -> dict[str, list]:
    """Every node's report columns, or those of ``only`` (kind -> ids)."""
    nodes: dict[str, list] = {f: [] for f in columnar.NODE_FIELDS}
    kinds = list(only) if only is not None else [k for (k,) in db.execute("SELECT DISTINCT kind FROM nodes")]
    for kind in kinds:
        for clause, params in where("nodes", "kind", "id", kind, None if only is None else only[kind]):
            values = columns_of(db, NODE_SQL, clause, params)
            nodes["kind"] += [kind] * len(values["id"])
            for field, column in values.items():
                nodes[field] += column
    return nodes


def edge_groups(db, sources: dict[str, Collection[str]] | None = None) -> Iterator[tuple]:
    """Every edge a report reads, or those leaving ``sources`` (kind -> ids): one read per
    edge kind, split by the kinds of its two ends where the model allows more than one;
    properties parsed only where an edge has any."""
    for kind in EDGE_KINDS:
        shape = model().edges[kind]
        ends = {f"{side}_kind": f"{side}_kind" for side, kinds in (("src", shape.sources), ("dst", shape.targets))
                if len(kinds) > 1}
        reads = [("edges WHERE kind = ?", (kind,))] if sources is None else [
            (f"{clause} AND kind = ?", (*params, kind)) for src_kind in shape.sources if src_kind in sources
            for clause, params in where("edges", "src_kind", "src", src_kind, sources[src_kind])]
        for clause, params in reads:
            yield from _edge_group(kind, shape, ends, columns_of(db, {**EDGE_SQL, **ends}, clause, params))


def _edge_group(kind: str, shape, ends: dict, values: dict[str, list]) -> Iterator[tuple]:
    raw = values.pop("props")
    if raw.count(None) == len(raw):  # row-derived edges carry nothing
        values.update(dict.fromkeys(columnar.EDGE_FIELDS[2:], [None] * len(raw)))
    else:
        props = [orjson.loads(p) if p is not None else {} for p in raw]
        for field in columnar.EDGE_FIELDS[2:]:
            values[field] = [p.get(field) for p in props]
    if not ends:
        yield kind, shape.sources[0], shape.targets[0], values
        return
    pairs = list(zip(values.pop("src_kind", None) or repeat(shape.sources[0], len(raw)),
                     values.pop("dst_kind", None) or repeat(shape.targets[0], len(raw))))
    distinct = set(pairs)
    for pair in distinct:
        rows = [i for i, e in enumerate(pairs) if e == pair] if len(distinct) > 1 else None
        yield kind, *pair, (values if rows is None else {f: [c[i] for i in rows] for f, c in values.items()})
