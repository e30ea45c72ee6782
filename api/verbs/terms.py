"""换届 as one operation (``graph/terms.py``), for the caller's scope: closing a committee's
term in one audited write that keeps the closing coverage, opening the next with its roster
and the turnover of people, and the closings recorded (what ``diff`` cites). Each has a dry
run that shows what it would do and writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.persons import records
from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.batch import Audit, Batch
from liaison_graph.graph.errors import BadArgument, Conflict
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.store import Store
from liaison_graph.graph.terms import closing, turnover
from liaison_graph.graph.view import OWN, subtree
from liaison_graph.loaders import load_files, prepare_files

CLOSE, OPEN = "term.close", "term.open"  # the audit actions


def _committee(store: Store, scope: Scope, committee_id: str | None, lock: Lock) -> str:
    root = committee_of(store, scope, committee_id, lock=lock)
    if root is None:
        raise BadArgument("请指定换届的政协（committee_id）", field="committee_id")
    scope.check_committee(root)
    return root


def close(store: Store, scope: Scope, committee_id: str | None, day: dt.date, policy: PolicyAsked = PolicyAsked(),
          dry_run: bool = False, *, lock: Lock = NO_LOCK) -> dict:
    """End what of the committee's term still runs after ``day``, keeping the coverage of
    that day (under the policy; the two full coverages by default) in the audit record."""
    root, iso, chosen = _committee(store, scope, committee_id, lock), day.isoformat(), choose(policy)
    with lock:
        committees = store.committees()
        batch, ended = closing(store.subgraph([root]), root, iso)
        if not batch.rows():
            raise Conflict(f"{committees[root].get('name')}在 {iso} 之后没有仍在进行的本届记录，无需换届", field="date", value=iso)
        report = store_report(store, day, chosen, root, span=OWN)
        snapshot = {"date": iso, "term": committees[root].get("term"), "policy": chosen.name, "policy_label": chosen.label,
                    "ended": ended, "headline": report["headline"],
                    "rules": [{k: r[k] for k in ("id", "label", "total", "covered", "ratio", "effective")}
                              for r in report["rules"]],
                    "uncovered": {r["id"]: [u["id"] for u in r["uncovered"]] for r in report["rules"]}}
        cursor = None
        if not dry_run:
            touched = sorted(set(check_write(store, batch, scope.committee_id).committees) | {root})
            batch.audit = Audit(scope.actor, CLOSE, touched, root, None, snapshot)
            cursor = store.write(batch).cursor
    return {"committee_id": root, "committee_name": committees[root].get("name"), "dry_run": dry_run, "cursor": cursor,
            **snapshot}


def closings(store: Store, scope: Scope, committee_id: str | None = None, first: str = "", last: str = "9999-12-31", *,
             lock: Lock = NO_LOCK) -> list[dict]:
    """The terms closed in the committees asked about (None: the caller's), each with the day,
    the term and the coverage of that day, oldest first."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    out, since = [], 0
    with lock:
        committees = store.committees()
        while page := store.audit(since, 1000):
            since = page[-1]["seq"]
            out += [a for a in page if a["action"] == CLOSE and scope.sees(a["target"])
                    and (root is None or a["target"] in subtree(committees, root)) and first <= a["after"]["date"] <= last]
    return [{"committee_id": a["target"], "committee_name": committees.get(a["target"], {}).get("name"),
             "at": a["at"], "actor": a["actor"], **a["after"]} for a in out]


def open_term(store: Store, scope: Scope, committee_id: str | None, term: str, paths: list[Path], dry_run: bool = False,
              *, lock: Lock = NO_LOCK) -> dict:
    """Load the new term's roster of a committee whose last term is closed, name the term,
    and say who stayed, came and left, with the records that may be a stayer to link."""
    root = _committee(store, scope, committee_id, lock)
    if not term or not term.strip():
        raise BadArgument("请给出新一届的届次（term），如 第十一届", field="term")
    last = closings(store, scope, root, lock=lock)
    last = [c for c in last if c["committee_id"] == root]
    if not last:
        raise Conflict("该政协还没有换届（liaison term close），不能开始新一届", field="committee_id", value=root)
    day = last[-1]["date"]
    with lock:
        closed, committees, _ = records(store, scope, root)
        closed = [r for r in closed if r.get("committee_id") == root]
        batch, counts, _ = prepare_files(list(paths), store)
        incoming = [{**props, "id": mid} for mid, props in batch.node_props(
            "Member", [m for m, c in batch.owners("Member").items() if c == root]).items()] if "Member" in batch.node_kinds() else []
        if not incoming:
            raise BadArgument(f"名单中没有{committees[root].get('name')}的委员", field="files")
        check_write(store, batch, scope.committee_id)  # refused here, before anything is written
        moved = turnover(closed, incoming, committees, day)
        cursor = None
        if not dry_run:
            loaded = load_files(list(paths), store, scope.actor, scope.committee_id)
            named = Batch()
            named.add_node("Committee", root, {**store.node_props("Committee", [root])[root], "term": term.strip()})
            check_write(store, named, scope.committee_id)
            named.audit = Audit(scope.actor, OPEN, [root], root, {"term": committees[root].get("term")},
                                {"term": term.strip(), "closed": day, "rows": counts,
                                 **{k: len(v) for k, v in moved.items()}})
            cursor = store.write(named).cursor or loaded.result.cursor
    return {"committee_id": root, "committee_name": committees[root].get("name"), "term": term.strip(), "closed": day,
            "dry_run": dry_run, "cursor": cursor, "rows": counts, **moved}
