"""The digest (``graph/digest.py``): what changed for coverage since the last one, for a
committee and those below it, with each item's acknowledgement; acknowledging an item with a
note (an audit record ``digest.ack`` naming the item's key: who, when and the note are the
audit trail's); and sending a digest to a webhook (``liaison serve --digest-webhook``)."""

from __future__ import annotations

import datetime as dt
import urllib.request

from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.questions import Named, diff
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph import digest as digesting
from liaison_graph.graph.batch import Audit, Batch
from liaison_graph.graph.due import due_list
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import open_view, subtree

ACK, SENT = "digest.ack", "digest.sent"
SENDER = "service"  # who sends digests, as the audit trail names it
NOTE_MAX = 500  # characters in an acknowledgement's note
AUDIT_PAGE = 10_000


def digest(store: Store, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None = None,
           since: str | None = None, *, lock: Lock = NO_LOCK) -> Named:
    """The digest of a committee and those below it (the caller's own by default) for
    ``day``, since the day a cursor names (a week before without one); items acknowledged
    already carry their acknowledgement."""
    chosen = choose(policy)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    start = digesting.since_day(since, day)
    changed = diff(store, scope, start, day, root, lock=lock)
    with lock:
        view = open_view(store, day, root)
        acks = acknowledged(store, view.scope)
    found = digesting.items(view, start.isoformat(), changed["items"], due_list(view, chosen, within=digesting.DUE_AHEAD),
                            changed["reasons"], chosen.temporary_branch_kinds)
    for item in found:
        item["ack"] = acks.get(item["key"])
    counts = {kind: sum(i["kind"] == kind for i in found) for kind in digesting.KINDS.labels}
    return Named({"committee_id": root, "as_of": day.isoformat(), "since": start.isoformat(), "policy": chosen.name,
                  "cursor": day.isoformat(), "counts": counts, "open": sum(i["ack"] is None for i in found),
                  "items": found}, view.committees, root, chosen)


def _records(store: Store, action: str):
    """The audit records of ``action``, oldest first, read a page at a time."""
    since = 0
    while True:
        page = store.audit(since, AUDIT_PAGE)
        yield from (r for r in page if r["action"] == action)
        if len(page) < AUDIT_PAGE:
            return
        since = page[-1]["seq"]


def acknowledged(store: Store, committees) -> dict[str, dict]:
    """The latest acknowledgement of each item key by the offices of ``committees`` (None: all)."""
    return {r["target"]: {"note": (r["after"] or {}).get("note"), "by": r["actor"], "at": r["at"]}
            for r in _records(store, ACK) if committees is None or set(r["committee_ids"]) & set(committees)}


def ack(store: Store, scope: Scope, key: str, note: str | None, committee_id: str | None = None, *,
        lock: Lock = NO_LOCK) -> dict:
    """Acknowledge a digest item by its key, with a note, for a committee of the scope (the
    caller's own by default)."""
    if not key or len(key) > 300:
        raise BadArgument("key 应是摘要中一项的 key", field="key", value=key)
    if note is not None and len(note) > NOTE_MAX:
        raise BadArgument(f"备注最多 {NOTE_MAX} 个字", field="note", value=note[:20])
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        store.write(Batch(audit=Audit(scope.actor, ACK, _named(store, root), key, None, {"note": note})))
        seen = acknowledged(store, subtree(store.committees(), root) if root else None).get(key)
    return {"key": key, "ack": seen}


def sent(store: Store, committee_id: str | None, cursor: str, url: str) -> None:
    """Record that a digest up to ``cursor`` went to ``url`` (an audit record ``digest.sent``),
    so a sender started again goes on from there."""
    store.write(Batch(audit=Audit(SENDER, SENT, _named(store, committee_id), committee_id or "", None,
                                  {"cursor": cursor, "url": url})))


def _named(store: Store, committee_id: str | None) -> list[str]:
    """The committee an audit record of the digest names: the one asked for, else (the whole
    store) the first."""
    return [committee_id] if committee_id else sorted(store.committees())[:1]


def last_sent(store: Store, committee_id: str | None) -> str | None:
    """The cursor of the last digest of a committee (None: the whole store) sent anywhere."""
    return next((r["after"]["cursor"] for r in reversed(list(_records(store, SENT)))
                 if r["target"] == (committee_id or "")), None)


def post(url: str, body: bytes, timeout: float = 30) -> int:
    """POST a digest's JSON to a webhook; the status it answered (an error raises)."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the office's own address
        return answer.status

