"""The report columns of a first import into an empty file, worked out from the import's own
columns (``loaders/framebatch.py``: its nodes' properties as columns and as JSON, its edges
as one frame) by the column engine, instead of read back from the rows it wrote, and kept in
the file inside the import's transaction: the first report after a nation's load then reads
them instead of building them from the tables (15 s at nation).

What ``Columns.build`` makes of the node columns and edge groups ``graph/table_columns.py``
reads from the tables, made here as whole columns: each node field as the tables' JSON holds
it, the nodes in the order of (kind, id), the vocabularies sorted, a day as ``graph/days.py``
counts it, an edge whose end is not a node left out. Held to the columns built from the
tables by tests/loaders/test_frames.py (``fastpaths.COLUMNS_FROM_IMPORT_FROM`` switches it).
The column engine is loaded only here, for a batch that holds it already."""

from __future__ import annotations

import numpy as np
from liaison_graph.graph import columnar, days
from liaison_graph.graph.days import NO_DAY, OPEN_END, OPEN_START
from liaison_graph.graph.policy import DEFAULT_POSITION, KINDED, TERMED, TOWNSHIP
from liaison_graph.graph.requirement import REVIEW

# Each node field and the property of the node's JSON that holds it (a party organisation's
# and a studio's kind is its "kind": KINDED; other kinds have none).
_NODE_PROPS = {"name": "name", "sector": "sector", "cpc": "cpc", "position": "position",
               "party_group_role": "party_group_role", "org_kind": "kind", "start_date": "start_date",
               "end_date": "end_date", TOWNSHIP: TOWNSHIP}


class _Unread(Exception):
    """A value the tables' way would read otherwise: the columns are built from the tables."""


def build(batch, edge_kinds: tuple[str, ...]) -> columnar.Columns | None:
    """The report columns of ``batch`` (a batch held as columns, written whole into an empty
    file), with the edges of ``edge_kinds`` (the contacts, with the masses too, and the
    activities' participants among them); None when a property is not held as the text or
    flag the tables' JSON would give, a day is not ISO text, or a contact with the masses
    names no person."""
    import polars as pl

    try:
        nodes = pl.concat([_node_fields(pl, batch, kind) for kind in batch.node_frames]).sort("kind", "id")
        position = pl.col("position")  # every node's, an empty one the default
        nodes = nodes.with_columns(pl.when(position.fill_null("") == "").then(pl.lit(DEFAULT_POSITION))
                                   .otherwise(position).alias("position"))
        index = nodes.select("kind", "id", pl.int_range(pl.len(), dtype=pl.Int32).alias("at"))
        termed, activity = pl.col("kind").is_in(list(TERMED)), pl.col("kind") == columnar.KINDS[columnar.ACTIVITY]
        _iso_days(pl, nodes.filter(termed), ("start_date", "end_date"))
        _iso_days(pl, nodes.filter(activity), ("start_date",))
        nodes = nodes.with_columns(pl.when(pl.col(TOWNSHIP) != "").then(pl.col(TOWNSHIP)).alias(TOWNSHIP))
        committee_ids, positions, org_kinds, townships = (
            sorted(nodes[name].drop_nulls().unique().to_list()) for name in ("committee_id", "position", "org_kind", TOWNSHIP))
        arrays = nodes.select(
            pl.col("kind").replace_strict(list(columnar.KINDS), range(len(columnar.KINDS)), return_dtype=pl.Int8),
            _codes(pl, "committee_id", committee_ids).alias("committee"),
            _day(pl, pl.when(termed).then("start_date"), OPEN_START).alias("start"),
            _day(pl, pl.when(termed).then("end_date"), OPEN_END).alias("end"),
            pl.col("cpc").fill_null(False), (pl.col("party_group_role").fill_null("") != "").alias("party_group"),
            _codes(pl, "position", positions), _codes(pl, "org_kind", org_kinds),
            _day(pl, pl.when(activity).then("start_date"), NO_DAY).alias("activity_start"), _codes(pl, TOWNSHIP, townships))
        edges = _ends(pl, batch.edge_frame, edge_kinds, index)
        _iso_days(pl, edges, ("start_date", "end_date", "date"))
        kind, confirmed = edges["kind"], edges[REVIEW].is_null()  # as Columns.build
        links = edges.filter(~kind.is_in([columnar.CONTACT, columnar.MASSES, columnar.INVOLVES]))
        statuses = {status: code for status, code in columnar.STATUS_CODE.items() if status is not None}
        seen = edges.filter(kind == columnar.INVOLVES).select(
            pl.col("src").alias("attendance_activity"), pl.col("dst").alias("attendance_member"),
            pl.col("attendance").fill_null("").replace_strict(statuses, default=-1, return_dtype=pl.Int8)
            .alias("attendance_status"))
        contacts = edges.filter((kind == columnar.CONTACT) & confirmed)
        masses = edges.filter((kind == columnar.MASSES) & confirmed)
        if masses["person"].null_count():
            raise _Unread
        mechanisms = sorted(links["mechanism"].drop_nulls().unique().to_list())
        links = links.select(
            "src", "dst", pl.col("kind").replace_strict(columnar.EDGE_CODE, return_dtype=pl.Int8).alias("edge_kind"),
            _day(pl, pl.col("start_date"), OPEN_START).alias("edge_start"),
            _day(pl, pl.col("end_date"), OPEN_END).alias("edge_end"), _codes(pl, "mechanism", mechanisms))
        modes = sorted(pl.concat([contacts["mode"], masses["mode"]]).drop_nulls().unique().to_list())
        contacts = contacts.select(pl.col("src").alias("contact_src"), pl.col("dst").alias("contact_dst"),
                                   _day(pl, pl.col("date"), OPEN_END).alias("contact_day"),
                                   _codes(pl, "mode", modes).alias("contact_mode"))
        # a person as their place among the member's people by name (columnar.people): UTF-8
        # text sorts byte by byte as Python sorts its code points
        masses = masses.select(pl.col("src").alias("masses_src"),
                               (pl.col("person").rank("dense").over("src") - 1).cast(pl.Int32).alias("masses_person"),
                               _day(pl, pl.col("date"), OPEN_END).alias("masses_day"),
                               _codes(pl, "mode", modes).alias("masses_mode"))
    except (_Unread, pl.exceptions.PolarsError):
        return None
    return columnar.Columns(
        **{name: arrays[name].to_numpy() for name in columnar.NODE_ARRAYS},
        rank=np.arange(nodes.height, dtype=np.int32),
        **{name: links[name].to_numpy() for name in (*columnar.EDGE_ARRAYS, "mechanism")},
        **{name: contacts[name].to_numpy() for name in columnar.CONTACT_ARRAYS},
        **{name: masses[name].to_numpy() for name in columnar.MASSES_ARRAYS},
        **{name: seen[name].to_numpy() for name in columnar.ATTENDANCE_ARRAYS},
        ids=nodes["id"].to_list(), names=nodes["name"].to_list(), sectors=nodes["sector"].to_list(),
        committee_ids=committee_ids, positions=positions, org_kinds=org_kinds, mechanisms=mechanisms,
        contact_modes=modes, townships=townships)


def _node_fields(pl, batch, kind: str):
    """kind, id, committee_id and the node fields of the batch's nodes of one kind: from the
    properties held as columns, else from the JSON (the nodes first seen on member rows)."""
    frame, values = batch.node_frames[kind], batch.node_values.get(kind)
    if values is None:
        shape = pl.Struct({key: pl.String for key in _NODE_PROPS.values() if key != "cpc"} | {"cpc": pl.Boolean})
        values = frame.select(pl.col("props").str.json_decode(shape).alias("p")).unnest("p")
    out = [pl.lit(kind).alias("kind"), frame["id"], frame["committee_id"]]
    for field, key in _NODE_PROPS.items():
        wanted = pl.Boolean if field == "cpc" else pl.String
        if key in values.columns and (field != "org_kind" or kind in KINDED):
            if values[key].dtype != wanted:
                raise _Unread
            out.append(values[key].alias(field))
            continue
        if key not in values.columns and frame["props"].str.contains(f'"{key}":', literal=True).any():
            raise _Unread  # held in the JSON only (a list): the tables' way reads it
        out.append(pl.lit(None, wanted).alias(field))
    return frame.select(out)


def _codes(pl, name: str, vocabulary: list):
    """A text column as its place in a sorted vocabulary, -1 for none."""
    return pl.col(name).replace_strict(vocabulary, range(len(vocabulary)), default=-1, return_dtype=pl.Int32).alias(name)


def _day(pl, text, open_value: int):
    """An ISO day as a day (none: ``open_value``)."""
    return days.column_day(text)[0].cast(pl.Int32).fill_null(open_value)


def _iso_days(pl, frame, names: tuple[str, ...]) -> None:
    """Every day in these columns is ISO text, which reads as ``graph/days.py`` reads it."""
    for name in names:
        if frame.select(days.column_day(pl.col(name))[1].any()).item():
            raise _Unread


def _ends(pl, edges, kinds: tuple[str, ...], index):
    """The edges of ``kinds`` with their two ends as node places (an end that is not a node:
    the edge left out, but for a contact with the masses, whose member alone need be one) and
    the fields of their JSON a report reads."""
    shape = pl.Struct(dict.fromkeys(columnar.EDGE_FIELDS[2:], pl.String))
    index = index.lazy()
    fields = pl.when(pl.col("props") != "{}").then(pl.col("props")).str.json_decode(shape).alias("p")
    return (edges.lazy().select("kind", "src_kind", "src", "dst_kind", "dst", "props")
            .filter(pl.col("kind").is_in(list(kinds)))
            .join(index.rename({"kind": "src_kind", "id": "src", "at": "a"}), on=["src_kind", "src"])
            .join(index.rename({"kind": "dst_kind", "id": "dst", "at": "b"}), on=["dst_kind", "dst"], how="left")
            .filter(pl.col("b").is_not_null() | (pl.col("kind") == columnar.MASSES))
            .select("kind", pl.col("a").alias("src"), pl.col("b").alias("dst"), fields)
            .collect().unnest("p"))
