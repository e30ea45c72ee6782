"""Resolve references and turn clean rows into one :class:`Batch` for a store.

Every reference must name something that exists in the files being loaded or already
in the store. Members, sectors, special committees, activity groups and party
organisations may be named instead of numbered where DATA-FORMAT.md allows it, but only
when the name is unambiguous within the committee.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.model import model
from graph.store import Batch, Store
from loaders.text import fold_id
from loaders.validate import Row

# Nodes created on first sight from a member's row: column -> node kind.
SEEN_NODES = {
    "sector": "Sector",
    "special_committees": "SpecialCommittee",
    "activity_group": "ActivityGroup",
    "studio": "Studio",
}
ROW_EDGES = {
    "sector": "IN_SECTOR",
    "special_committees": "ON_SPECIAL_COMMITTEE",
    "activity_group": "IN_ACTIVITY_GROUP",
    "studio": "AT_STUDIO",
}


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
    is built, so a nation-scale import does not hold its rows and its batch at once)."""
    batch = Batch()
    known = Known(batch, store)
    for row in rows.get("committees", []):
        v = row.values
        batch.add_node("Committee", v["id"], {**row.extra, **v, "committee_id": v["id"]})
    _check_refs(rows.get("committees", []), "parent_id", "Committee", known, "上级政协")
    for row in rows.get("party_orgs", []):
        batch.add_node("PartyOrg", row.values["id"], {**row.extra, **row.values})
    _check_refs(rows.get("party_orgs", []), "committee_id", "Committee", known, "政协")
    _check_refs(rows.get("party_orgs", []), "parent_id", "PartyOrg", known, "党组织")
    for row in rows.get("members", []):
        v = row.values
        batch.add_node("Member", v["id"], {**row.extra, **v, "cpc": "cpc" in v["affiliation"]})
    _check_refs(rows.get("members", []), "committee_id", "Committee", known, "政协")
    _check_refs(rows.get("members", []), "party_org_ids", "PartyOrg", known, "党组织")

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
    for row in rows.get("members", []):
        _member_edges(batch, row.values)
    rows.pop("members", None)

    for row in rows.get("activities", []):
        v = row.values
        if v["end_date"] < v["start_date"]:
            raise row.fail("end_date", f"结束日期 {v['end_date']} 早于开始日期 {v['start_date']}", v["end_date"])
        batch.add_node("Activity", v["id"], {**row.extra, **v})
        batch.replace_row_edges.setdefault("Activity", set()).add(v["id"])
        for mid in v.get("member_ids") or []:
            batch.add_edge("INVOLVES", "Activity", v["id"], "Member", mid)
    _check_refs(rows.get("activities", []), "committee_id", "Committee", known, "政协")
    _check_refs(rows.get("activities", []), "member_ids", "Member", known, "委员")

    _liaisons(rows.pop("liaisons", []), batch, known)
    _contacts(rows.pop("contacts", []), batch, known)
    return batch


def _check_refs(rows: list[Row], column: str, kind: str, known: Known, what: str) -> None:
    wanted = set()
    for row in rows:
        value = row.values.get(column)
        wanted.update(value if isinstance(value, list) else [value] if value else [])
    found = known.exists(kind, wanted)
    for row in rows:
        value = row.values.get(column)
        for ref in value if isinstance(value, list) else [value] if value else []:
            if ref not in found:
                raise row.fail(column, f"找不到编号为「{ref}」的{what}（本次导入的文件和库中都没有）", ref)


def _member_edges(batch: Batch, v: dict) -> None:
    mid, cid = v["id"], v["committee_id"]
    batch.replace_row_edges.setdefault("Member", set()).add(mid)
    batch.add_edge("SERVES_ON", "Member", mid, "Committee", cid)
    for column, kind in SEEN_NODES.items():
        value = v.get(column)
        for name in value if isinstance(value, list) else [value] if value else []:
            nid = scoped_id(cid, name)
            if nid not in batch.nodes.get(kind, ()):  # first sight in this import: the node and its committee edge, once
                batch.add_node(kind, nid, {"id": nid, "name": name, "committee_id": cid})
                batch.add_edge("PART_OF", kind, nid, "Committee", cid)
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


class _Names:
    """(committee, name) -> ids of one node kind, over the batch and the store."""

    def __init__(self, known: Known, kind: str, committees: set[str]):
        self.index = known.store.ids_by_name(kind, committees) if committees else {}
        for nid, props in known.batch.nodes.get(kind, {}).items():
            ids = self.index.setdefault((props["committee_id"], props["name"]), [])
            if nid not in ids:
                ids.append(nid)

    def find(self, committee_id: str, name: str) -> list[str]:
        return self.index.get((committee_id, name), [])


def _liaisons(rows: list[Row], batch: Batch, known: Known) -> None:
    if not rows:
        return
    committees = _member_committees(rows, "from_id", known, "委员（联系人）")
    scope = set(committees.values())
    target_nodes = model().target_nodes
    names = {kind: _Names(known, kind, scope) for kind in ("Member", "PartyOrg")}
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
                target = _by_name(row, names[kind].find(cid, to), to, label)
        else:
            target = to if ":" in to and known.exists(kind, {to}) else scoped_id(cid, to)
            if not known.exists(kind, {target}):
                raise row.fail("to", f"本政协没有名为「{to}」的{label}", to)
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
