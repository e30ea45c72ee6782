"""People across terms and committees (``graph/persons.py``), for the caller's scope: the
records and the people they are, the records that may be one person, and the office's
answer to a proposal — link the records (one ``person_id``) or keep them apart (each its
own) — each an audited write through the loaders' checks and the write rule."""

from __future__ import annotations

import datetime as dt

from liaison_graph.api.verbs.edits import Written, rows
from liaison_graph.api.verbs.names import committee_of, member_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, owned
from liaison_graph.graph import persons as people
from liaison_graph.graph.batch import Audit
from liaison_graph.graph.errors import BadArgument, Conflict
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import scope_of


def records(store: Store, scope: Scope, committee_id: str | None, *, lock: Lock = NO_LOCK
            ) -> tuple[list[dict], dict[str, dict], str | None]:
    """Every member record (any term) of a committee and those below it (None: the caller's
    own), the committees, and the committee asked about."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        asked, committees = scope_of(store, root)
        ids = sorted(committees if asked is None else asked)
        total, _ = store.list_nodes("Member", ids, None, 0)
        found = store.list_nodes("Member", ids, None, total)[1] if total else []
    return found, committees, root


def persons(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> dict:
    found, committees, root = records(store, scope, committee_id, lock=lock)
    return {**people.people(found, committees, day.isoformat()), "committee_id": root}


def matches(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> dict:
    found, committees, root = records(store, scope, committee_id, lock=lock)
    proposed = people.matches(found, committees, day.isoformat())
    return {"as_of": day.isoformat(), "committee_id": root, "count": len(proposed), "matches": proposed}


def _write(store: Store, scope: Scope, member_ids: list[str], action: str, person, *, lock: Lock) -> Written:
    ids = sorted({member_of(store, scope, m, lock=lock) for m in member_ids})
    if len(ids) < 2:
        raise BadArgument("请给出至少两条不同的委员记录", field="member_ids", value="、".join(member_ids))
    with lock:
        held = {i: owned(store, scope, "Member", i) for i in ids}
        chosen = person(held)
        batch = rows({"members": [{**model().as_roster("members", held[i]), "person_id": chosen[i]} for i in ids]}, store)
        touched = check_write(store, batch, scope.committee_id).committees
        batch.audit = Audit(scope.actor, action, touched, ",".join(ids),
                            {i: held[i].get("person_id") for i in ids}, chosen)
        cursor = store.write(batch).cursor
    return {"cursor": cursor, "item": {"member_ids": ids, "person_ids": chosen}}


def link(store: Store, scope: Scope, member_ids: list[str], *, lock: Lock = NO_LOCK) -> Written:
    """One person: the records' one person id (the one they hold; none: the first record's
    id), refused where they hold two."""

    def person(held: dict[str, dict]) -> dict[str, str]:
        found = sorted({p["person_id"] for p in held.values() if p.get("person_id")})
        if len(found) > 1:
            raise Conflict(f"这些委员记录已属于不同的人员（人员编号 {'、'.join(found)}），不能合为一人", field="member_ids",
                           value="、".join(found))
        return dict.fromkeys(held, found[0] if found else min(held))

    return _write(store, scope, member_ids, "person.link", person, lock=lock)


def separate(store: Store, scope: Scope, member_ids: list[str], *, lock: Lock = NO_LOCK) -> Written:
    """Not one person: each record its own person id (its id), so they are proposed no more."""
    return _write(store, scope, member_ids, "person.separate", lambda held: {i: i for i in held}, lock=lock)
