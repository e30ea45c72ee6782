"""A large import built as columns, not row by row.

The clean columns of the sheets (loaders.bulk) stay columns: references are checked by
joins against the import and the store, nodes and edges are made by column expressions,
their properties encoded as JSON by the columnar engine, and the store is handed the batch
as columns (loaders.framebatch; an empty embedded store writes it straight from them).

This path builds what loaders.build builds from the same rows, for the imports it covers:
committees, studios, party organisations, members, activities, liaisons, contacts and
contacts with the masses whose every reference is an id that exists (a member's studio
also a name no studio has yet: loaders.studios). Anything else (a fault, a reference by name) makes
``build`` return None, and the import is built row by row: the same batch, or the
refusal that names the file, row and column at fault.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import Table
from liaison_graph.graph.store import Store
from liaison_graph.loaders import studios as studio_rows
from liaison_graph.loaders.build import ATTENDANCE_COLUMNS, ROW_EDGES, SEEN_NODES
from liaison_graph.loaders.bulk import fold_id_expr
from liaison_graph.loaders.framebatch import EDGE_COLUMNS, NO_JSON, FrameBatch
from liaison_graph.loaders.tables import EXTRA, TableRows


class _Unbuilt(Exception):
    """The import holds something only the row path builds (or refuses with its place)."""


def _json(fields: dict[str, tuple[pl.Expr, bool]]) -> pl.Expr:
    """Properties as the stores keep them: a JSON object with sorted keys and without
    empty values (None or an empty list). ``fields``: key -> (value, is a list)."""
    parts = []
    for key in sorted(fields):
        value, is_list = fields[key]
        present = value.is_not_null() & (value.list.len() > 0) if is_list else value.is_not_null()
        member = pl.struct(value.alias(key)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        parts.append(pl.when(present).then(member))
    if not parts:
        return pl.lit(NO_JSON)
    return pl.concat_str(pl.lit("{"), pl.concat_str(parts, separator=",", ignore_nulls=True), pl.lit("}"))


def _row_fields(frame: pl.DataFrame, table: Table, names: Sequence[str]) -> dict[str, tuple[pl.Expr, bool]]:
    """A row's extra texts, then the named clean values over them (as {**extra, **values})."""
    fields = {c.removeprefix(EXTRA): (pl.col(c), False) for c in frame.columns if c.startswith(EXTRA)}
    fields.update({name: (pl.col(name), name in table.columns and table.columns[name].is_list) for name in names})
    return fields


def _edges(frame: pl.DataFrame, kind: str, src_kind: str, src: pl.Expr, dst_kind: str, dst: pl.Expr,
           key: pl.Expr | None = None, props: pl.Expr | None = None) -> pl.DataFrame:
    return frame.select(
        pl.lit(src_kind).alias("src_kind"), src.alias("src"), pl.lit(kind).alias("kind"),
        pl.lit(dst_kind).alias("dst_kind"), dst.alias("dst"), (pl.lit("") if key is None else key).alias("key"),
        (pl.lit(NO_JSON) if props is None else props).alias("props"))


def _committee_frame(ids: list, committee_ids: list) -> pl.DataFrame:
    return pl.DataFrame({"id": ids, "committee_id": committee_ids}, schema={"id": pl.String, "committee_id": pl.String})


def _series(values) -> pl.Series:
    return pl.Series(values=list(values), dtype=pl.String)


class _Builder:
    def __init__(self, store: Store):
        self.store = store
        self.nodes: dict[str, pl.DataFrame] = {}  # kind -> (id, committee_id, props), in the row path's order
        self.values: dict[str, pl.DataFrame] = {}  # kind -> the properties that are not lists, in the nodes' order
        self.edges: list[pl.DataFrame] = []
        self.member_committee = _committee_frame([], [])  # members of the import and those the store was asked for

    def ids(self, kind: str) -> pl.Series:
        frame = self.nodes.get(kind)
        return frame["id"] if frame is not None else _series([])

    def check(self, kind: str, wanted: pl.Series) -> None:
        """Every id in ``wanted`` names a node of ``kind`` in the import or the store."""
        wanted = wanted.drop_nulls().unique()
        missing = wanted.filter(~wanted.is_in(self.ids(kind).implode()))
        if len(missing) and len(self.store.existing(kind, missing.to_list())) < len(missing):
            raise _Unbuilt

    def add_nodes(self, kind: str, frame: pl.DataFrame, fields: dict[str, tuple[pl.Expr, bool]]) -> None:
        """The nodes of a roster table: id, committee and properties as JSON; beside them
        their properties that are not lists, as columns (what the JSON holds, null where it
        has nothing)."""
        self.nodes[kind] = frame.select(pl.col("id"), pl.col("committee_id"), _json(fields).alias("props"))
        self.values[kind] = frame.select(value.alias(key) for key, (value, is_list) in fields.items() if not is_list)

    def member_committees(self, ids: pl.Series) -> pl.Series:
        """The committee of each member id, of the import or the store; every id must be a member."""
        wanted = ids.unique()
        missing = wanted.filter(~wanted.is_in(self.member_committee["id"].implode())).to_list()
        if missing:
            stored = self.store.committees_of("Member", missing)
            if len(stored) < len(missing):
                raise _Unbuilt
            self.member_committee = pl.concat([self.member_committee, _committee_frame(list(stored), list(stored.values()))])
        found = ids.to_frame("id").join(self.member_committee, on="id", how="left", maintain_order="left")
        return found["committee_id"]

    def run(self, tables: dict[str, pl.DataFrame]) -> FrameBatch:
        m = model()
        replace: dict[str, set[str]] = {}
        committees, orgs, members = tables.get("committees"), tables.get("party_orgs"), tables.get("members")
        studios = tables.get("studios")
        if committees is not None:
            t = m.tables["committees"]
            fields = _row_fields(committees, t, t.columns) | {"committee_id": (pl.col("id"), False)}
            self.add_nodes("Committee", committees.with_columns(pl.col("id").alias("committee_id")), fields)
            self.check("Committee", committees["parent_id"])
        if studios is not None:
            t = studio_rows.TABLE
            self.add_nodes(studio_rows.STUDIO, studios, _row_fields(studios, t, t.columns))
            self.check("Committee", studios["committee_id"])
        if orgs is not None:
            t = m.tables["party_orgs"]
            self.add_nodes("PartyOrg", orgs, _row_fields(orgs, t, t.columns))
            self.check("Committee", orgs["committee_id"])
            self.check("PartyOrg", orgs["parent_id"])
            self.check(studio_rows.STUDIO, orgs["studio_id"])
        if members is not None:
            t = m.tables["members"]
            cpc = pl.col("affiliation").list.contains("cpc")
            self.add_nodes("Member", members, _row_fields(members, t, t.value_names) | {"cpc": (cpc, False)})
            self.check("Committee", members["committee_id"])
            self.check("PartyOrg", members["party_org_ids"].explode())
            self.member_committee = pl.concat([self.member_committee, members.select("id", "committee_id")])

        if committees is not None:
            replace["Committee"] = set(committees["id"].to_list())
            self.edges.append(_edges(committees.filter(pl.col("parent_id").is_not_null()), "SUBORDINATE_TO",
                                     "Committee", pl.col("id"), "Committee", pl.col("parent_id")))
        if orgs is not None:
            replace["PartyOrg"] = set(orgs["id"].to_list())
            self.edges.append(_edges(orgs, "ORG_OF", "PartyOrg", pl.col("id"), "Committee", pl.col("committee_id")))
            self.edges.append(_edges(orgs.filter(pl.col("parent_id").is_not_null()), "LED_BY",
                                     "PartyOrg", pl.col("id"), "PartyOrg", pl.col("parent_id")))
            self.edges.append(_edges(orgs.filter(pl.col("studio_id").is_not_null()), "ORG_AT_STUDIO",
                                     "PartyOrg", pl.col("id"), studio_rows.STUDIO, pl.col("studio_id")))
        if members is not None:
            replace["Member"] = set(members["id"].to_list())
            self._member_edges(members, studios)
        if studios is not None:
            self.check("Member", studios["convener_id"])
            replace[studio_rows.STUDIO] = set(studios["id"].to_list())
            self.edges.append(_edges(studios, "PART_OF", studio_rows.STUDIO, pl.col("id"), "Committee", pl.col("committee_id")))
            self.edges.append(_edges(studios.filter(pl.col("convener_id").is_not_null()), "CONVENED_BY",
                                     studio_rows.STUDIO, pl.col("id"), "Member", pl.col("convener_id")))
        if "activities" in tables:
            replace["Activity"] = set(tables["activities"]["id"].to_list())
            self._activities(tables["activities"])
        if "liaisons" in tables:
            self._liaisons(tables["liaisons"])
        if "contacts" in tables:
            self._contacts(tables["contacts"])
        if "masses_contacts" in tables:
            self._masses(tables["masses_contacts"], members)
        edges = pl.concat(self.edges, rechunk=True) if self.edges else pl.DataFrame(schema=dict.fromkeys(EDGE_COLUMNS, pl.String))
        return FrameBatch(self.nodes, edges, replace, self.values)

    def _member_edges(self, members: pl.DataFrame, studios: pl.DataFrame | None) -> None:
        t = model().tables["members"]
        self.edges.append(_edges(members, "SERVES_ON", "Member", pl.col("id"), "Committee", pl.col("committee_id")))
        seen = []
        for order, (column, kind) in enumerate(SEEN_NODES.items()):
            if column == studio_rows.COLUMN:
                self._studios(members, studios, order, seen)
                continue
            named = members.with_row_index("_row").select("_row", pl.col("id").alias("member"), "committee_id",
                                                          pl.col(column).alias("name"))
            if t.columns[column].is_list:
                named = named.explode("name")
            named = named.drop_nulls("name").with_columns(
                pl.concat_str("committee_id", pl.lit(":"), "name").alias("id"))
            if not named.height:
                continue
            found = named.unique("id", keep="first", maintain_order=True)
            props = _json({"id": (pl.col("id"), False), "name": (pl.col("name"), False),
                           "committee_id": (pl.col("committee_id"), False)})
            seen.append(((found["_row"][0], order), kind, found.select("id", "committee_id", props.alias("props"))))
            self.edges.append(_edges(found, "PART_OF", kind, pl.col("id"), "Committee", pl.col("committee_id")))
            self.edges.append(_edges(named, ROW_EDGES[column], "Member", pl.col("member"), kind, pl.col("id")))
        for _, kind, frame in sorted(seen, key=lambda s: s[0]):  # in the order a row-by-row build first meets them
            if kind in self.nodes:  # studios of the table first, then those first seen on the rows
                frame = pl.concat([self.nodes[kind], frame])
                added = frame.tail(frame.height - len(self.values[kind]))
                added = added.select(pl.col("props").str.json_decode(self._shape(kind)).alias("p")).unnest("p")
                self.values[kind] = pl.concat([self.values[kind], added], how="vertical_relaxed")
            self.nodes[kind] = frame
        memberships = members.select("id", "party_org_ids").explode("party_org_ids").drop_nulls("party_org_ids")
        self.edges.append(_edges(memberships, "IN_PARTY_ORG", "Member", pl.col("id"), "PartyOrg", pl.col("party_org_ids")))

    def _shape(self, kind: str) -> pl.Struct:
        return pl.Struct({name: pl.String for name in self.values[kind].columns})

    def _studios(self, members: pl.DataFrame, studios: pl.DataFrame | None, order: int, seen: list) -> None:
        """The studios the members' rows name (loaders.studios), the new ones made as a
        sector is, of the table's default kind; a name a studio has is the row build's."""
        try:
            placed, new = studio_rows.seen(members, studios, self.store)
        except studio_rows.Unbuilt:
            raise _Unbuilt from None
        kind = studio_rows.STUDIO
        if new.height:
            fields = {"id": (pl.col("id"), False), "name": (pl.col("name"), False),
                      "committee_id": (pl.col("committee_id"), False)}
            fields |= {k: (pl.lit(v), False) for k, v in studio_rows.SEEN_DEFAULTS.items()}
            seen.append(((new["_row"][0], order), kind, new.select("id", "committee_id", _json(fields).alias("props"))))
            self.edges.append(_edges(new, "PART_OF", kind, pl.col("id"), "Committee", pl.col("committee_id")))
        self.edges.append(_edges(placed, ROW_EDGES[studio_rows.COLUMN], "Member", pl.col("member"), kind, pl.col("id")))

    def _liaisons(self, liaisons: pl.DataFrame) -> None:
        m = model()
        node_kind = pl.col("target_kind").replace_strict(m.target_nodes, return_dtype=pl.String)
        frame = liaisons.with_columns(self.member_committees(liaisons["from_id"]).alias("_committee"),
                                      node_kind.alias("_kind"))
        scoped = pl.concat_str("_committee", pl.lit(":"), "to")
        targets = []
        for kind in frame["_kind"].unique().to_list():
            part = frame.filter(pl.col("_kind") == kind)
            if kind in ("Member", "PartyOrg"):
                # an id of the import or the store, as typed or read as ids are (full-width
                # letters and digits as ASCII), as the row path takes it; a name is the row path's
                typed = part["to"].unique()
                known = typed.filter(typed.is_in(self.ids(kind).implode()))
                rest = typed.filter(~typed.is_in(known.implode()))
                known = pl.concat([known, _series(self.store.existing(kind, rest.to_list()) if len(rest) else ())])
                part = part.with_columns(pl.when(pl.col("to").is_in(known.implode())).then(pl.col("to"))
                                         .otherwise(fold_id_expr(pl.col("to"))).alias("_target"))
                self.check(kind, part["_target"])
                targets.append(part)
                continue
            ids = self.ids(kind)
            qualified = pl.col("to").str.contains(":", literal=True)  # another committee's, by its id
            maybe = part.filter(qualified)["to"].unique()
            stored = self.store.existing(kind, maybe.filter(~maybe.is_in(ids.implode())).to_list()) if len(maybe) else ()
            known = pl.concat([ids, _series(stored)])
            part = part.with_columns(pl.when(qualified & pl.col("to").is_in(known.implode()))
                                     .then(pl.col("to")).otherwise(scoped).alias("_target"))
            self.check(kind, part["_target"])
            targets.append(part)
        frame = pl.concat(targets).sort("_order") if len(targets) > 1 else targets[0]
        if frame.filter((pl.col("_kind") == "Member") & (pl.col("_target") == pl.col("from_id"))).height:
            raise _Unbuilt  # a liaison with oneself: refused by the row path
        t = m.tables["liaisons"]
        props = _json(_row_fields(frame, t, ("target_kind", "mechanism", "start_date", "end_date")))
        key = pl.concat_str(pl.col("mechanism").fill_null(""), pl.lit("|"), pl.col("start_date").fill_null(""))
        if frame.select("from_id", "_kind", "_target", key).is_duplicated().any():
            raise _Unbuilt  # one liaison given twice (a group by its name and by its scoped id): the row path keeps one
        self.edges.append(frame.select(
            pl.lit("Member").alias("src_kind"), pl.col("from_id").alias("src"), pl.lit("LIAISES_WITH").alias("kind"),
            pl.col("_kind").alias("dst_kind"), pl.col("_target").alias("dst"), key.alias("key"), props.alias("props")))

    def _activities(self, activities: pl.DataFrame) -> None:
        """Activities and their participants, each edge carrying the attendance
        (``build.ATTENDANCE_COLUMNS``); a member recorded twice (there and away) is the row
        path's to refuse, and so is an end before the start."""
        t = model().tables["activities"]
        if activities.filter(pl.col("end_date") < pl.col("start_date")).height:
            raise _Unbuilt
        self.add_nodes("Activity", activities, _row_fields(activities, t, t.value_names))
        self.check("Committee", activities["committee_id"])
        seen = pl.concat([activities.select(pl.col("id").alias("activity"), pl.col(column).alias("member"),
                                            pl.lit(status).alias("attendance"), pl.lit(rank).alias("_rank"))
                          .explode("member").drop_nulls("member")
                          for rank, (column, status) in enumerate(ATTENDANCE_COLUMNS.items())])
        self.check("Member", seen["member"])
        recorded = seen.filter(pl.col("_rank") > 0)
        if recorded.select("activity", "member").is_duplicated().any():
            raise _Unbuilt
        # listed and recorded: the record; listed only: invited
        kept = pl.concat([recorded, seen.filter(pl.col("_rank") == 0).join(recorded, on=["activity", "member"], how="anti")])
        self.edges.append(_edges(kept, "INVOLVES", "Activity", pl.col("activity"), "Member", pl.col("member"),
                                 props=_json({"attendance": (pl.col("attendance"), False)})))

    def _contacts(self, contacts: pl.DataFrame) -> None:
        self.member_committees(contacts["from_id"])  # both ends must be members
        self.member_committees(contacts["to_id"])
        t = model().tables["contacts"]
        props = _json(_row_fields(contacts, t, ("date", "mode", "summary")))
        key = pl.concat_str(pl.col("date"), pl.lit("|"), pl.col("mode"))
        self.edges.append(_edges(contacts, "CONTACTED", "Member", pl.col("from_id"), "Member", pl.col("to_id"),
                                 key, props))


    def _masses(self, masses: pl.DataFrame, members: pl.DataFrame | None) -> None:
        """Contacts with the masses of a sector: each an edge to the sector its member sits in,
        as the row path makes it (the member of the import, else of the store)."""
        seats = members.select("id", "committee_id", "sector") if members is not None else \
            pl.DataFrame(schema={"id": pl.String, "committee_id": pl.String, "sector": pl.String})
        wanted = masses["from_id"].unique()
        missing = wanted.filter(~wanted.is_in(seats["id"].implode())).to_list()
        if missing:
            stored = self.store.node_props("Member", missing)
            if len(stored) < len(missing):
                raise _Unbuilt
            seats = pl.concat([seats, pl.DataFrame({"id": list(stored), "committee_id": [p["committee_id"] for p in stored.values()],
                                                    "sector": [p["sector"] for p in stored.values()]},
                                                   schema=seats.schema)])
        frame = masses.join(seats.rename({"id": "from_id"}), on="from_id", how="left", maintain_order="left")
        t = model().tables["masses_contacts"]
        props = _json(_row_fields(frame, t, ("person", "unit", "date", "mode", "summary")))
        key = pl.concat_str(pl.col("person"), pl.lit("|"), pl.col("date"), pl.lit("|"), pl.col("mode"))
        self.edges.append(_edges(frame, "CONTACTED_MASSES", "Member", pl.col("from_id"), "Sector",
                                 pl.concat_str("committee_id", pl.lit(":"), "sector"), key, props))


BUILT_TABLES = {"committees", "studios", "party_orgs", "members", "activities", "liaisons", "contacts", "masses_contacts"}


def build(rows: dict[str, TableRows], store: Store) -> FrameBatch | None:
    """The import as a batch of columns, or None when it holds something this path leaves
    to the row path (see the module's text)."""
    present = {name: r for name, r in rows.items() if r}
    if not present.keys() <= BUILT_TABLES or not all(isinstance(r, TableRows) for r in present.values()):
        return None
    tables = {name: r.frame(model().tables[name]) for name, r in present.items()}
    if "liaisons" in tables:
        tables["liaisons"] = tables["liaisons"].with_row_index("_order")
    try:
        return _Builder(store).run(tables)
    except _Unbuilt:
        return None
