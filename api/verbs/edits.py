"""The edits: members, liaisons, party-organisation memberships, contact records and
contacts with the masses of a sector.

Each edit takes rows in the roster's English column names, checks them as a roster file's
rows are checked (a fault names the field), passes the write rule for the caller's
committee and is one transaction with its audit record. Where two editors can collide the
caller gives the version (ETag) it read, and a stale one is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any, NotRequired, TypedDict

from liaison_graph.api.days import day_of
from liaison_graph.api.liaisons import liaison_item, parse_liaison_id
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, owned
from liaison_graph.graph.errors import BadArgument, Conflict, Forbidden, InputError, NotFound
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.model import model
from liaison_graph.graph.requirement import PENDING, REVIEW
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import open_view
from liaison_graph.graph.batch import Audit, Batch, etag
from liaison_graph.loaders import prepare_doc
from liaison_graph.loaders.text import fold_id
from liaison_graph.loaders.validate import check_extra_fields

SOURCE = "请求"  # what a fault in a row names as its file


class Written(TypedDict):
    cursor: int | None  # the change feed's cursor after the write
    item: dict[str, Any]  # what was written, as a caller reads it back
    etag: NotRequired[str]  # its new version, where an edit of it needs one


def rows(doc: dict, store: Store) -> Batch:
    """Rows from a request, checked as a roster file's rows are; faults name the field."""
    try:
        batch, _ = prepare_doc(doc, store, SOURCE)
    except InputError as exc:
        raise field_error(exc) from None
    return batch


def field_error(exc: InputError) -> BadArgument:
    """A request's fault, naming its field."""
    field = exc.details.get("header") or exc.details.get("column")
    prefix = f"字段「{field}」：" if field else ""
    return BadArgument(prefix + exc.problem, field=field, value=exc.details.get("value"))


def _members_own(store: Store, scope: Scope, edge) -> None:
    """A member's own token: the contact is the member's, with someone the member held a
    liaison to on its day (straight, or through a group that person sat in)."""
    me = ("Member", scope.member_id)
    other = (edge.dst_kind, edge.dst) if edge.src == scope.member_id else (edge.src_kind, edge.src) \
        if edge.dst == scope.member_id else None
    if other is None:
        raise Forbidden("委员本人的令牌只能记录本人参与的联系", field="from_id", value=edge.src)
    view = open_view(store, dt.date.fromisoformat(edge.props["date"]), scope.committee_id)
    reached = {t for t, _ in view.liaisons_out(me)}
    if other not in reached and not reached & set(view.containers(other)):
        raise Forbidden(f"委员本人的令牌只能记录本人负责联系的对象的联系（{edge.props['date']} 时没有联系「{other[1]}」的安排）",
                        field="to_id", value=other[1])


def _touched(store: Store, scope: Scope, batch: Batch, moves: bool = False) -> list[str]:
    """The write rule (graph.guard), on the tree as it is before the write, for the caller's
    committee: the committees the write touches."""
    return check_write(store, batch, scope.committee_id, moves).committees


def create_member(store: Store, scope: Scope, row: dict, *, lock: Lock = NO_LOCK) -> Written:
    row = {**row, "id": fold_id(row["id"]), "committee_id": fold_id(row["committee_id"])}  # as the loaders read ids
    scope.check_committee(row["committee_id"])
    with lock:
        if store.node_props("Member", [row["id"]]):
            raise Conflict(f"编号为「{row['id']}」的委员已存在", field="id", value=row["id"])
        batch = rows({"members": [row]}, store)
        touched = _touched(store, scope, batch)
        after = batch.nodes["Member"][row["id"]]
        batch.expect[("Member", row["id"])] = None
        batch.audit = Audit(scope.actor, "member.create", touched, row["id"], None, after)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": after, "etag": etag(after)}


def update_member(store: Store, scope: Scope, member_id: str, changes: dict, expected: str,
                  action: str = "member.update", *, lock: Lock = NO_LOCK) -> Written:
    """Change a member's fields (None clears one; a new ``committee_id`` moves the member,
    inside the scope); ``expected`` is the version the caller read."""
    with lock:
        current = owned(store, scope, "Member", member_id)
        if etag(current) != expected:
            raise Conflict(f"委员「{member_id}」已被他人修改，请重新读取后再改", id=member_id)
        row = model().as_roster("members", current)  # what the stores keep left out; 中共预备党员 as written
        for key, value in changes.items():
            if key in ("id", "cpc"):
                continue
            if value is None:
                row.pop(key, None)
            else:
                row[key] = value
        scope.check_committee(row.get("committee_id"))
        batch = rows({"members": [row]}, store)
        touched = sorted(set(_touched(store, scope, batch, moves=True)) | {current["committee_id"]})
        after = batch.nodes["Member"][member_id]
        batch.expect[("Member", member_id)] = expected
        batch.audit = Audit(scope.actor, action, touched, member_id, current, after)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": after, "etag": etag(after)}


def end_member(store: Store, scope: Scope, member_id: str, day: dt.date, expected: str, *,
               lock: Lock = NO_LOCK) -> Written:
    return update_member(store, scope, member_id, {"end_date": day.isoformat()}, expected, "member.end", lock=lock)


def create_liaison(store: Store, scope: Scope, row: dict, *, lock: Lock = NO_LOCK) -> Written:
    with lock:
        owned(store, scope, "Member", row["from_id"])
        batch = rows({"liaisons": [row]}, store)
        touched = _touched(store, scope, batch)
        (edge,) = batch.edges
        if store.edge_props(edge.kind, edge.src_kind, edge.src, edge.dst_kind, edge.dst, edge.key) is not None:
            raise Conflict("该联系已存在（同一联系人、对象、机制和开始日期）", field="to", value=row["to"])
        batch.audit = Audit(scope.actor, "liaison.create", touched, f"{edge.src}→{edge.dst}", None, edge.props)
        cursor = store.write(batch).cursor
    item = liaison_item(edge.src, edge.dst_kind, edge.dst, edge.key, edge.props)
    return {"cursor": cursor, "item": item, "etag": item["etag"]}


def change_liaison(store: Store, scope: Scope, lid: str, changes: dict, expected: str,
                   action: str = "liaison.update", *, lock: Lock = NO_LOCK) -> Written:
    """Change a liaison's end date or extra fields (None clears one; who, whom, the
    mechanism and the start are its identity and stay); ``expected`` is the version read."""
    src, dst_kind, dst, key = parse_liaison_id(lid)
    with lock:
        current = store.edge_props("LIAISES_WITH", "Member", src, dst_kind, dst, key)
        if current is None or not scope.sees(store.committees_of("Member", [src]).get(src)):
            raise NotFound(f"找不到联系「{lid}」", id=lid)
        if etag(current) != expected:
            raise Conflict("该联系已被他人修改，请重新读取后再改", id=lid)
        props = dict(current)
        for k, v in changes.items():
            if k in ("target_kind", "mechanism", "start_date"):
                continue
            if k == "end_date" and v is not None:
                v = day_of(v, "end_date").isoformat()
                if props.get("start_date") and v < props["start_date"]:
                    raise BadArgument("结束日期早于开始日期", field="end_date", value=v)
            if v is None:
                props.pop(k, None)
            else:
                props[k] = v if isinstance(v, (str, int, float, bool)) else str(v)
        try:
            check_extra_fields("liaisons", props, SOURCE)  # as a roster row's extra columns
        except InputError as exc:
            raise field_error(exc) from None
        batch = Batch()
        batch.add_edge("LIAISES_WITH", "Member", src, dst_kind, dst, key, props)
        batch.expect[("LIAISES_WITH", "Member", src, dst_kind, dst, key)] = expected
        touched = _touched(store, scope, batch)
        batch.audit = Audit(scope.actor, action, touched, f"{src}→{dst}", current, batch.edges[0].props)
        cursor = store.write(batch).cursor
    item = liaison_item(src, dst_kind, dst, key, batch.edges[0].props)
    return {"cursor": cursor, "item": item, "etag": item["etag"]}


def end_liaison(store: Store, scope: Scope, lid: str, day: str, expected: str, *, lock: Lock = NO_LOCK) -> Written:
    return change_liaison(store, scope, lid, {"end_date": day}, expected, "liaison.end", lock=lock)


def _membership_item(member_id: str, org_id: str, props: dict) -> dict:
    return {"member_id": member_id, "party_org_id": org_id, **props}


def create_membership(store: Store, scope: Scope, member_id: str, org_id: str, start: dt.date | None = None, *,
                      lock: Lock = NO_LOCK) -> Written:
    """Place a member in a party organisation (from ``start``)."""
    with lock:
        member = owned(store, scope, "Member", member_id)
        owned(store, scope, "PartyOrg", org_id)
        current = store.edge_props("IN_PARTY_ORG", "Member", member_id, "PartyOrg", org_id, "")
        if current is not None and not current.get("end_date"):
            raise Conflict(f"委员「{member_id}」已在党组织「{org_id}」中", field="party_org_id", value=org_id)
        batch = Batch()
        orgs = list(dict.fromkeys([*(member.get("party_org_ids") or []), org_id]))
        batch.add_node("Member", member_id, {**member, "party_org_ids": orgs})
        batch.add_edge("IN_PARTY_ORG", "Member", member_id, "PartyOrg", org_id, "",
                       {"start_date": start.isoformat() if start else None})
        touched = _touched(store, scope, batch)
        batch.audit = Audit(scope.actor, "membership.create", touched, f"{member_id}→{org_id}", current,
                            batch.edges[0].props)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": _membership_item(member_id, org_id, batch.edges[0].props)}


def end_membership(store: Store, scope: Scope, member_id: str, org_id: str, day: dt.date, *,
                   lock: Lock = NO_LOCK) -> Written:
    end = day.isoformat()
    with lock:
        owned(store, scope, "Member", member_id)
        owned(store, scope, "PartyOrg", org_id)
        current = store.edge_props("IN_PARTY_ORG", "Member", member_id, "PartyOrg", org_id, "")
        if current is None:
            raise NotFound(f"委员「{member_id}」不在党组织「{org_id}」中", field="party_org_id", value=org_id)
        if current.get("start_date") and end < current["start_date"]:
            raise BadArgument("结束日期早于编入日期", field="date", value=end)
        batch = Batch()
        batch.add_edge("IN_PARTY_ORG", "Member", member_id, "PartyOrg", org_id, "", {**current, "end_date": end})
        touched = _touched(store, scope, batch)
        batch.audit = Audit(scope.actor, "membership.end", touched, f"{member_id}→{org_id}", current,
                            batch.edges[0].props)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": _membership_item(member_id, org_id, batch.edges[0].props)}


def create_contact(store: Store, scope: Scope, row: dict, *, lock: Lock = NO_LOCK) -> Written:
    """Record one contact (谈心谈话, 走访 …) between two members of the scope. A member's own
    token records only contacts of a liaison the member held on the contact's day; where its
    contacts wait for the office's confirmation, the contact is kept as pending
    (``review``), which no report counts until confirmed (``api/verbs/contacts.py``)."""
    with lock:
        owned(store, scope, "Member", row["from_id"])
        owned(store, scope, "Member", row["to_id"])
        batch = rows({"contacts": [row]}, store)
        (edge,) = batch.edges
        if scope.member_id is not None:
            _members_own(store, scope, edge)
            if scope.confirm:
                edge.props = {**edge.props, REVIEW: PENDING}
        touched = _touched(store, scope, batch)
        batch.audit = Audit(scope.actor, "contact.create", touched, f"{edge.src}→{edge.dst}", None, edge.props)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": {"from_id": edge.src, "to_id": edge.dst, **edge.props}}


def create_masses_contact(store: Store, scope: Scope, row: dict, *, lock: Lock = NO_LOCK) -> Written:
    """Record one contact of a member with a person of their sector (委员联系界别群众), as a
    row of the roster's 界别群众联系 table. A member's own token records only the member's
    own, kept as pending where its contacts wait for the office, as ``create_contact``."""
    with lock:
        owned(store, scope, "Member", row["from_id"])
        if scope.member_id is not None and row["from_id"] != scope.member_id:
            raise Forbidden("委员本人的令牌只能记录本人联系界别群众的记录", field="from_id", value=row["from_id"])
        batch = rows({"masses_contacts": [row]}, store)
        (edge,) = batch.edges
        if scope.member_id is not None and scope.confirm:
            edge.props = {**edge.props, REVIEW: PENDING}
        touched = _touched(store, scope, batch)
        batch.audit = Audit(scope.actor, "masses_contact.create", touched, f"{edge.src}→{edge.props['person']}", None,
                            edge.props)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": {"from_id": edge.src, **edge.props}}
