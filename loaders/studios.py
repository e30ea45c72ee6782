"""Members' studios and stations (委员工作室、工作站、联络站、委员之家), as both builds make them.

A studio is a row of the studios table, or a name on a member's row (older rosters name a
studio there only). Each item of a member's 工作室 cell names a studio by its id (of the
import or the store), else by its name within the member's committee (the studios of the
import and of the store, those seen on earlier rows too); a name no studio has makes one,
as a sector is made: its id the name scoped to the committee, of the studios table's
default kind. A name two studios of the committee have is refused with their ids.

``member_studios`` is the row build's (loaders/build.py), ``Seen`` the column build's
(loaders/frames.py), which takes the imports whose every item is an id or a name no studio
has yet, and leaves the rest to the row build (``Unbuilt``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from liaison_graph.graph.model import model
from liaison_graph.loaders.text import name_key

if TYPE_CHECKING:
    import polars as pl

STUDIO = "Studio"
COLUMN = model().nodes[STUDIO].seen_from  # the member's column naming their studios
TABLE = model().tables[model().nodes[STUDIO].table]
# what a studio first seen on a member's row holds beside its id, name and committee
SEEN_DEFAULTS = {name: c.default for name, c in TABLE.columns.items() if c.default is not None}


def scoped(committee_id: str, name: str) -> str:
    """The id of a studio first seen by name on a member's row (loaders.build.scoped_id)."""
    return f"{committee_id}:{name}"


def member_studios(rows, names, what: str) -> dict[tuple[str, str], str | None]:
    """(member id, item as written) -> the id of the studio it names, None for a name no
    studio has (a new one, ``scoped``); ``names``: the studios by committee and name
    (loaders.build._Names). Refused naming the row and column for an ambiguous name."""
    wanted = {item for row in rows for item in row.values.get(COLUMN) or ()}
    found = names.exists(wanted) if wanted else set()
    out: dict[tuple[str, str], str | None] = {}
    for row in rows:
        mid, cid = row.values["id"], row.values["committee_id"]
        for item in row.values.get(COLUMN) or ():
            if item in found:
                out[mid, item] = item
                continue
            same = names.find({cid}, item)
            if len(same) > 1:
                raise row.fail(COLUMN, f"名称「{item}」有歧义：本政协有{len(same)}个同名{what}（{'、'.join(same)}），"
                                       f"请填写编号", item)
            out[mid, item] = same[0] if same else None
    return out


class Unbuilt(Exception):
    """An item the column build leaves to the row build: a name a studio has already."""


def seen(members: pl.DataFrame, table: pl.DataFrame | None, store) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The column build's studios of the members' rows: (member, studio id, committee, name,
    new) for each item, in the rows' order, each pair once; and the new studios, each once in
    the order first met, as (_row, id, committee_id, name). An item is a studio's id (the
    table's, the store's), or a name no studio of the committee has (a new studio whose id
    is no studio's); anything else raises Unbuilt."""
    import polars as pl  # the column engine: loaded only by a column build
    named = (members.with_row_index("_row").select("_row", pl.col("id").alias("member"), "committee_id",
                                                   pl.col(COLUMN).alias("item"))
             .explode("item").drop_nulls("item"))
    empty = pl.DataFrame(schema={"_row": pl.UInt32, "id": pl.String, "committee_id": pl.String, "name": pl.String})
    if not named.height:
        return named.select("member", pl.col("item").alias("id")), empty
    ids = table["id"] if table is not None else pl.Series(dtype=pl.String)
    items = named["item"].unique()
    rest = items.filter(~items.is_in(ids.implode())).to_list()
    known = set(ids.to_list()) | (store.existing(STUDIO, rest) if rest else set())
    new = named.filter(~pl.col("item").is_in(list(known)))
    if new.height:
        taken = {(cid, name_key(name)) for cid, name in
                 (table.select("committee_id", "name").iter_rows() if table is not None else ())}
        taken |= {(cid, name_key(name)) for (cid, name) in store.ids_by_name(STUDIO, set(new["committee_id"]))}
        scoped_ids = new.select(pl.concat_str("committee_id", pl.lit(":"), "item"))[:, 0]
        if any((cid, name_key(name)) in taken for cid, name in new.select("committee_id", "item").iter_rows()) \
                or scoped_ids.is_in(list(known)).any():
            raise Unbuilt
    placed = named.with_columns(pl.when(pl.col("item").is_in(list(known))).then(pl.col("item"))
                                .otherwise(pl.concat_str("committee_id", pl.lit(":"), "item")).alias("id"),
                                (~pl.col("item").is_in(list(known))).alias("new"))
    firsts = (placed.filter("new").unique("id", keep="first", maintain_order=True)
              .select("_row", "id", "committee_id", pl.col("item").alias("name")))
    return placed.unique(["member", "id"], keep="first", maintain_order=True).select("member", "id"), firsts
