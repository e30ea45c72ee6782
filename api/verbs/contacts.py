"""The office's review of the contacts members record with their own tokens (with another
member, or with a person of their sector: ``person``): those waiting for confirmation
(``review: pending``, ``graph/requirement.py``), and confirming one (it then counts as any
contact does) or sending it back (kept, marked ``rejected``, counted nowhere). Each review is
one write with its audit record, through the write rule."""

from __future__ import annotations

from liaison_graph.api.days import day_of
from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, owned
from liaison_graph.graph.batch import Audit, Batch
from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.model import model
from liaison_graph.graph.natural import natural
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.policy import CONTACT, MASSES
from liaison_graph.graph.requirement import MODES, PENDING, REJECTED, REVIEW
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import subtree


def pending(store: Store, scope: Scope, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> dict:
    """The contacts waiting for confirmation recorded by members of a committee and those
    below it (the caller's own by default), the oldest first, with both members' names."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        committees = store.committees()
        inside = subtree(committees, root) if root else set(committees)
        members = [i for ids in store.ids_by_name("Member", inside).values() for i in ids]
        found = [e for kind in (CONTACT, MASSES) for e in store.edges_of("Member", members, kind)
                 if (e[6] or {}).get(REVIEW) == PENDING]
        names = store.node_props("Member", {e[2] for e in found} | {e[4] for e in found if e[0] == CONTACT})
    items = []
    for kind, _, src, _, dst, _, props in found:
        item = {"from_id": src, "from_name": names.get(src, {}).get("name"),
                "committee_id": names.get(src, {}).get("committee_id"), "date": props["date"], "mode": props.get("mode"),
                "mode_label": MODES.label(props.get("mode")), "summary": props.get("summary")}
        if kind == CONTACT:
            item.update(to_id=dst, to_name=names.get(dst, {}).get("name"))
        else:  # with a person of the member's sector
            item.update(person=props["person"], unit=props.get("unit"))
        items.append(item)
    items.sort(key=lambda i: (i["date"], i["committee_id"] or "", natural(i["from_name"] or ""), i["from_id"],
                              i.get("to_id") or "", i.get("person") or "", i["mode"] or ""))
    return {"committee_id": root, "count": len(items), "items": items}


def review(store: Store, scope: Scope, from_id: str, to_id: str | None, date: str, mode: str | None, accept: bool, *,
           person: str | None = None, lock: Lock = NO_LOCK) -> dict:
    """Confirm a pending contact (``accept``: it counts from now on) or send it back: one with
    another member (``to_id``), or with a person of the member's sector (``person``)."""
    if (to_id is None) == (person is None):
        raise BadArgument("须给出联系对象编号（to_id）或群众姓名（person）之一", field="to_id", value=to_id)
    day = day_of(date, "date").isoformat()
    code = MODES.parse(mode) if mode else model().tables["contacts"].columns["mode"].default
    with lock:
        owned(store, scope, "Member", from_id)
        if person is None:
            owned(store, scope, "Member", to_id)
        kind, whom = (CONTACT, to_id) if person is None else (MASSES, person)
        found = [e for e in store.edges_of("Member", [from_id], kind)
                 if (e[4] == to_id if person is None else e[6].get("person") == person)
                 and e[6].get("date") == day and e[6].get("mode") == code and e[6].get(REVIEW) == PENDING]
        if not found:
            raise NotFound(f"找不到 {date} {from_id} → {whom} 待确认的联系记录（{MODES.label(code) or mode}）",
                           id=f"{from_id}→{whom}")
        kind, src_kind, src, dst_kind, dst, key, props = found[0]
        after = {k: v for k, v in props.items() if k != REVIEW} if accept else {**props, REVIEW: REJECTED}
        batch = Batch()
        batch.add_edge(kind, src_kind, src, dst_kind, dst, key, after)
        touched = check_write(store, batch, scope.committee_id).committees
        batch.audit = Audit(scope.actor, "contact.confirm" if accept else "contact.reject", touched, f"{src}→{whom}",
                            props, after)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": {"from_id": src, **({"to_id": dst} if person is None else {}), **after}}
