"""Resolve references and turn clean rows into one :class:`Batch` for a store.

Every reference must name something that exists in the files being loaded or already
in the store. Every reference column may give a name instead of an id, when the name is
unambiguous where it is looked for (names compared on loaders.text.name_key, so 李　娜 and
李娜 are namesakes; a name stored by an older load is folded before it is compared):
a committee among all committees; a party organisation (所在党组织, 上级编号) within the
row's committee; an activity's members within its committee; a liaison's target (member,
party organisation, sector, special committee, activity group) within its source's
committee; a liaison's source and a contact's two members among the members of the
committees the import touches. An ambiguous name is refused with the ids it could mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from liaison_graph.graph.batch import Batch
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store
from liaison_graph.loaders.studios import COLUMN as STUDIO_COLUMN, SEEN_DEFAULTS, STUDIO, member_studios
from liaison_graph.loaders.text import fold_id, name_key
from liaison_graph.loaders.validate import Row

# Nodes created on first sight from a member's row (model.yaml seen_from): column -> node
# kind, and column -> the edge from the member to it.
SEEN_NODES = model().seen_nodes()
ROW_EDGES = model().seen_edges()


def scoped_id(committee_id: str, name: str) -> str:
    """The id of a node that a committee owns by name (sector, special committee, …)."""
    return f"{committee_id}:{name}"


@dataclass
class Known:
    """What exists, in the files being loaded (``batch``) or in the store."""

    batch: Batch
    store: Store

    def exists(self, kind: str, ids: set[str]) -> set[str]:
        here = {i for i in ids if i in self.batch.nodes.get(kind, {})}
        return here | (self.store.existing(kind, ids - here) if ids - here else set())


def build_batch(rows: dict[str, list[Row]], store: Store) -> Batch:
    """The batch of these rows. The rows are consumed (each table is let go as soon as it
    is built, so a nation-scale import does not hold its rows and its batch at once). A
    reference given by name is replaced in its row by the id it names."""
    batch = Batch()
    known = Known(batch, store)
    committees = _Committees(known)
    for row in rows.get("committees", []):
        v = row.values
        batch.add_node("Committee", v["id"], {**row.extra, **v, "committee_id": v["id"]})
    _resolve(rows.get("committees", []), "parent_id", committees, "上级政协", patch="Committee")
    studio_rows = rows.get("studios", [])  # studios and stations (loaders/studios.py)
    _resolve(studio_rows, "committee_id", committees, "政协")
    for row in studio_rows:
        batch.add_node(STUDIO, row.values["id"], {**row.extra, **row.values})
    studios = _Names(known, STUDIO)
    _resolve(rows.get("party_orgs", []), "committee_id", committees, "政协")
    _resolve(rows.get("party_orgs", []), "studio_id", studios, model().nodes[STUDIO].label)
    for row in rows.get("party_orgs", []):
        batch.add_node("PartyOrg", row.values["id"], {**row.extra, **row.values})
    orgs = _Names(known, "PartyOrg")
    _resolve(rows.get("party_orgs", []), "parent_id", orgs, "党组织", patch="PartyOrg")
    _resolve(rows.get("members", []), "committee_id", committees, "政协")
    _resolve(rows.get("members", []), "party_org_ids", orgs, "党组织")
    placed = member_studios(rows.get("members", []), studios, model().nodes[STUDIO].label)
    for row in rows.get("members", []):
        v = row.values
        batch.add_node("Member", v["id"], {**row.extra, **v, "cpc": "cpc" in v["affiliation"]})

    for row in rows.get("committees", []):
        v = row.values
        batch.replace_row_edges.setdefault("Committee", set()).add(v["id"])
        if v.get("parent_id"):
            batch.add_edge("SUBORDINATE_TO", "Committee", v["id"], "Committee", v["parent_id"])
    for row in rows.get("party_orgs", []):
        v = row.values
        batch.replace_row_edges.setdefault("PartyOrg", set()).add(v["id"])
        batch.add_edge("ORG_OF", "PartyOrg", v["id"], "Committee", v["committee_id"])
        if v.get("parent_id"):
            batch.add_edge("LED_BY", "PartyOrg", v["id"], "PartyOrg", v["parent_id"])
        if v.get("studio_id"):
            batch.add_edge("ORG_AT_STUDIO", "PartyOrg", v["id"], STUDIO, v["studio_id"])
    for row in rows.get("members", []):
        _member_edges(batch, row.values, placed)
    rows.pop("members", None)

    members = _Names(known, "Member")
    _resolve(studio_rows, "convener_id", members, "委员（召集人）", patch=STUDIO)
    for row in studio_rows:
        v = row.values
        batch.replace_row_edges.setdefault(STUDIO, set()).add(v["id"])
        batch.add_edge("PART_OF", STUDIO, v["id"], "Committee", v["committee_id"])
        if v.get("convener_id"):
            batch.add_edge("CONVENED_BY", STUDIO, v["id"], "Member", v["convener_id"])
    _resolve(rows.get("activities", []), "committee_id", committees, "政协")
    for column in ATTENDANCE_COLUMNS:
        _resolve(rows.get("activities", []), column, members, "委员")
    for row in rows.get("activities", []):
        v = row.values
        if v["end_date"] < v["start_date"]:
            raise row.fail("end_date", f"结束日期 {v['end_date']} 早于开始日期 {v['start_date']}", v["end_date"])
        batch.add_node("Activity", v["id"], {**row.extra, **v})
        batch.replace_row_edges.setdefault("Activity", set()).add(v["id"])
        for mid, status in _attendance(row).items():
            batch.add_edge("INVOLVES", "Activity", v["id"], "Member", mid, props={"attendance": status})

    liaisons, contacts = rows.pop("liaisons", []), rows.pop("contacts", [])
    masses = rows.pop("masses_contacts", [])
    if liaisons or contacts or masses:
        # A liaison's or contact's member named, not numbered: one of the members of the
        # committees the import touches (its nodes', and those of the members it numbers).
        anywhere = _Touched(known, members, liaisons, [*contacts, *masses])
        _resolve(liaisons, "from_id", anywhere, "委员（联系人）")
        _resolve(contacts, "from_id", anywhere, "委员（联系人）")
        _resolve(contacts, "to_id", anywhere, "委员（联系对象）")
        _resolve(masses, "from_id", anywhere, "委员")
    _liaisons(liaisons, batch, known, members, orgs)
    _contacts(contacts, batch, known)
    _masses(masses, batch, known)
    return batch


class _Names:
    """Nodes of one kind by committee and name (compared on loaders.text.name_key), over
    the batch and the store (a stored name from an older load is folded here, as it would
    be now); the store is asked once per committee, when a name is first looked up there."""

    def __init__(self, known: Known, kind: str):
        self.known, self.kind = known, kind
        self.index: dict[tuple[str, str], list[str]] = {}
        self.asked: set[str] = set()
        self.indexed = 0  # how many of the batch's nodes of the kind are in the index (the batch only adds)

    def _index_batch(self, committee_of) -> dict:
        batch = self.known.batch.nodes.get(self.kind, {})
        if len(batch) > self.indexed:
            for nid, props in islice(batch.items(), self.indexed, None):
                self._add(committee_of(nid, props), props.get("name"), nid)
            self.indexed = len(batch)
        return batch

    def _load(self, committee_ids: set[str]) -> None:
        batch = self._index_batch(lambda nid, props: props.get("committee_id"))
        wanted = committee_ids - self.asked
        if wanted:
            self.asked |= wanted
            for (cid, name), ids in self.known.store.ids_by_name(self.kind, wanted).items():
                for nid in ids:
                    if nid not in batch:  # a node the batch writes again is known by its new name
                        self._add(cid, name, nid)

    def _add(self, committee_id: str | None, name, nid: str) -> None:
        if committee_id is None or not isinstance(name, str):
            return
        ids = self.index.setdefault((committee_id, name_key(name)), [])
        if nid not in ids:
            ids.append(nid)

    def exists(self, ids: set[str]) -> set[str]:
        return self.known.exists(self.kind, ids)

    def find(self, committee_ids, name: str) -> list[str]:
        """The ids of the nodes of that name in these committees."""
        committee_ids = {c for c in committee_ids if c}
        self._load(committee_ids)
        key = name_key(name)
        return sorted({nid for cid in committee_ids for nid in self.index.get((cid, key), ())})

    def scope(self, row: Row) -> set[str]:
        """The committees a row's name may be looked for in: its own."""
        return {row.values.get("committee_id")}

    def where(self, row: Row) -> str:
        return "本政协"


class _Committees(_Names):
    """Committees by name, over every committee of the batch and the store."""

    def __init__(self, known: Known):
        super().__init__(known, "Committee")

    def _load(self, committee_ids: set[str]) -> None:
        batch = self._index_batch(lambda nid, props: "*")
        if not self.asked:
            self.asked.add("*")
            for nid, props in self.known.store.committees().items():
                if nid not in batch:
                    self._add("*", props.get("name"), nid)

    def scope(self, row: Row) -> set[str]:
        return {"*"}

    def where(self, row: Row) -> str:
        return "本次导入的文件和库中"


class _Touched(_Names):
    """Members by name over the committees an import touches: those of its nodes, and
    those of the members its liaisons and contacts (with the masses, or between members) give by id."""

    def __init__(self, known: Known, members: _Names, liaisons: list[Row], contacts: list[Row]):
        super().__init__(known, "Member")
        self.members, self.rows = members, (liaisons, contacts)
        self.committees: set[str] | None = None

    def scope(self, row: Row) -> set[str]:
        if self.committees is None:
            found = {p.get("committee_id") for nodes in self.known.batch.nodes.values() for p in nodes.values()}
            liaisons, contacts = self.rows
            ids = {r.values["from_id"] for r in liaisons} | {r.values["to"] for r in liaisons} \
                | {fold_id(r.values["to"]) for r in liaisons if r.values["target_kind"] == "member"} \
                | {r.values[c] for r in contacts for c in ("from_id", "to_id") if c in r.values}
            found.update(self.known.store.committees_of("Member", ids - self.known.batch.nodes.get("Member", {}).keys())
                         .values())
            self.committees = {c for c in found if c}
        return self.committees

    def find(self, committee_ids, name: str) -> list[str]:
        return self.members.find(committee_ids, name)

    def where(self, row: Row) -> str:
        return "本次导入涉及的政协"


def _resolve(rows: list[Row], column: str, names: _Names, what: str, patch: str | None = None) -> None:
    """Every reference of ``column`` names a node of its kind in the import or the store, by
    id or by a name unambiguous where the row may name it (``names.scope``); a name is
    replaced by the id it names (and so is the property of a node the batch already holds:
    ``patch``, its kind). Refused naming the row and column otherwise, an ambiguous name with
    the ids it could mean."""
    wanted = set()
    for row in rows:
        value = row.values.get(column)
        wanted.update(value if isinstance(value, list) else [value] if value else [])
    if not wanted:
        return
    found = names.exists(wanted)
    if found == wanted:
        return
    label = model().nodes[names.kind].label
    for row in rows:
        value = row.values.get(column)
        refs = value if isinstance(value, list) else [value] if value else []
        if all(ref in found for ref in refs):
            continue
        ids = []
        for ref in refs:
            if ref in found:
                ids.append(ref)
                continue
            same = names.find(names.scope(row), ref)
            if len(same) > 1:
                raise row.fail(column, f"名称「{ref}」有歧义：{names.where(row)}有{len(same)}个同名{label}"
                                       f"（{'、'.join(same)}），请填写编号", ref)
            if not same:
                raise row.fail(column, f"找不到编号或名称为「{ref}」的{what}（本次导入的文件和库中都没有）", ref)
            ids.append(same[0])
        row.values[column] = list(dict.fromkeys(ids)) if isinstance(value, list) else ids[0]
        if patch is not None:
            node = names.known.batch.nodes[patch][row.values["id"]]
            node[column] = row.values[column]


def _member_edges(batch: Batch, v: dict, placed: dict[tuple[str, str], str | None]) -> None:
    """A member's row's edges; ``placed``: the studios its items name (loaders/studios.py:
    None for a name no studio has, made here as a sector is)."""
    mid, cid = v["id"], v["committee_id"]
    batch.replace_row_edges.setdefault("Member", set()).add(mid)
    batch.add_edge("SERVES_ON", "Member", mid, "Committee", cid)
    for column, kind in SEEN_NODES.items():
        value = v.get(column)
        done = set()
        for name in value if isinstance(value, list) else [value] if value else []:
            nid = placed.get((mid, name)) if column == STUDIO_COLUMN else None
            if nid is None:
                nid = scoped_id(cid, name)
                if nid not in batch.nodes.get(kind, ()):  # first sight in this import: the node and its committee edge, once
                    extra = SEEN_DEFAULTS if column == STUDIO_COLUMN else {}
                    batch.add_node(kind, nid, {"id": nid, "name": name, "committee_id": cid, **extra})
                    batch.add_edge("PART_OF", kind, nid, "Committee", cid)
            if nid not in done:  # one studio named by its id and by its name: one edge
                done.add(nid)
                batch.add_edge(ROW_EDGES[column], "Member", mid, kind, nid)
    for org in v.get("party_org_ids") or []:
        batch.add_edge("IN_PARTY_ORG", "Member", mid, "PartyOrg", org)


def _member_committees(rows: list[Row], column: str, known: Known, what: str) -> dict[str, str]:
    """member id -> committee id for the members ``column`` names; refuse unknown ones."""
    ids = {row.values[column] for row in rows}
    in_batch = known.batch.nodes.get("Member", {})
    committees = {i: in_batch[i]["committee_id"] for i in ids if i in in_batch}
    stored = known.store.node_props("Member", ids - set(committees))
    committees.update({i: p["committee_id"] for i, p in stored.items()})
    for row in rows:
        if row.values[column] not in committees:
            raise row.fail(column, f"找不到编号为「{row.values[column]}」的{what}（本次导入的文件和库中都没有）", row.values[column])
    return committees


def _liaisons(rows: list[Row], batch: Batch, known: Known, members: _Names, orgs: _Names) -> None:
    if not rows:
        return
    committees = _member_committees(rows, "from_id", known, "委员（联系人）")
    target_nodes = model().target_nodes
    names = {"Member": members, "PartyOrg": orgs}
    # A target given by id: as typed, or with its full-width letters and digits read as ASCII (as ids are).
    wanted = {r.values["to"] for r in rows} | {fold_id(r.values["to"]) for r in rows}
    direct = {kind: known.exists(kind, wanted) for kind in ("Member", "PartyOrg")}
    for row in rows:
        v = row.values
        cid = committees[v["from_id"]]
        kind = target_nodes[v["target_kind"]]
        label = model().label("target_kind", v["target_kind"])
        to = v["to"]
        if kind in ("Member", "PartyOrg"):
            if to in direct[kind]:
                target = to
            elif fold_id(to) in direct[kind]:
                target = fold_id(to)
            else:
                target = _by_name(row, names[kind].find({cid}, to), to, label)
        else:
            target = to if ":" in to and known.exists(kind, {to}) else scoped_id(cid, to)
            if not known.exists(kind, {target}):
                # one stored by an older load under its name as then typed (李　娜 for 李娜)
                same = _Names(known, kind).find({cid}, to)
                if len(same) != 1:
                    raise row.fail("to", f"本政协没有名为「{to}」的{label}", to)
                target = same[0]
        if target == v["from_id"] and kind == "Member":
            raise row.fail("to", "联系对象不能是联系人自己", to)
        props = {**row.extra, **{k: v[k] for k in ("target_kind", "mechanism", "start_date", "end_date")}}
        key = f"{v.get('mechanism') or ''}|{v.get('start_date') or ''}"
        batch.add_edge("LIAISES_WITH", "Member", v["from_id"], kind, target, key, props)


def _by_name(row: Row, ids: list[str], name: str, label: str) -> str:
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise row.fail("to", f"找不到{label}「{name}」（既不是编号，也不是本政协的{label}名称）", name)
    raise row.fail("to", f"名称「{name}」有歧义：本政协有{len(ids)}个同名{label}（{'、'.join(ids)}），请填写编号", name)


# An activity's participants by what is recorded of them: its member columns in the table's order,
# each with the attendance of the same place in model.yaml's vocabulary (listed, there, excused, away).
_ACTIVITIES = model().tables["activities"]
ATTENDANCE_COLUMNS = dict(zip([n for n, c in _ACTIVITIES.columns.items() if c.is_list and c.ref == "Member"],
                              model().enums["attendance"].labels, strict=True))


def _attendance(row: Row) -> dict[str, str]:
    """Each participant of an activity's row and their attendance (model.yaml: attendance); a
    member recorded both there and away, say, is refused naming the second column."""
    out: dict[str, str] = {}
    for column, status in ATTENDANCE_COLUMNS.items():
        for mid in row.values.get(column) or []:
            if out.get(mid, "invited") != "invited":
                label = model().enums["attendance"].label
                raise row.fail(column, f"委员「{mid}」已记为{label(out[mid])}，不能又记为{label(status)}", mid)
            out[mid] = status
    return out


def _contacts(rows: list[Row], batch: Batch, known: Known) -> None:
    if not rows:
        return
    _member_committees(rows, "from_id", known, "委员（联系人）")
    _member_committees(rows, "to_id", known, "委员（联系对象）")
    for row in rows:
        v = row.values
        props = {**row.extra, "date": v["date"], "mode": v["mode"], "summary": v.get("summary")}
        key = f"{v['date']}|{v['mode']}"
        batch.add_edge("CONTACTED", "Member", v["from_id"], "Member", v["to_id"], key, props)


def _masses(rows: list[Row], batch: Batch, known: Known) -> None:
    """A member's contacts with the masses of their sector: each an edge to the sector the
    member sits in as the row is loaded (in this import or in the store)."""
    if not rows:
        return
    ids = {row.values["from_id"] for row in rows}
    in_batch = batch.nodes.get("Member", {})
    seats = {i: in_batch[i] for i in ids if i in in_batch}
    seats.update(known.store.node_props("Member", ids - set(seats)))
    for row in rows:
        v = row.values
        seat = seats.get(v["from_id"])
        if seat is None:
            raise row.fail("from_id", f"找不到编号为「{v['from_id']}」的委员（本次导入的文件和库中都没有）", v["from_id"])
        props = {**row.extra, **{k: v.get(k) for k in ("person", "unit", "date", "mode", "summary")}}
        key = f"{v['person']}|{v['date']}|{v['mode']}"
        batch.add_edge("CONTACTED_MASSES", "Member", v["from_id"], "Sector", scoped_id(seat["committee_id"], seat["sector"]),
                       key, props)
