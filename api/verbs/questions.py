"""The questions: stats, the two gap lists, coverage (the report and the counts), reach,
why, diff and the network figures, each for the caller's scope.

A question about no particular committee is about the caller's own: a token's committee
and those below it, the whole store for the command line. Every answer is the same for the
command line and the HTTP API; they differ only in how it is written out."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.names import committee_of, member_of, node_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.api.verbs.terms import closings  # the terms closed between a diff's two days, cited
from liaison_graph.graph.attendance import attendance as run_attendance
from liaison_graph.graph.coverage import flagship_counts
from liaison_graph.graph.due import due_list
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.flagship import check_rule
from liaison_graph.graph.reach import REASONS, view_gaps
from liaison_graph.graph.reach import diff as run_diff, network as run_network, reach as run_reach, why as run_why
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.store import STAT_KEYS, Store
from liaison_graph.graph.view import TREE, View, home_committee, open_view, scope_of, subtree

Report = dict[str, Any]  # an answer worked out in graph/ (coverage, counts, why, network), as it gives it


class Named(dict):
    """An answer (the dict, its JSON as graph/ gives it) with the names a printed report
    needs kept beside it, outside the JSON: ``committees`` (id -> row with its name and
    parent), ``root`` (the committee it speaks for, None: the whole store), ``policy`` (the
    Policy, for its Chinese label and its rules'), ``members`` (id -> name, where the
    answer lists members by id only)."""

    def __init__(self, answer: Report, committees: dict[str, dict], root: str | None, policy: Any,
                 members: dict[str, str] | None = None):
        super().__init__(answer)
        self.committees, self.root, self.policy, self.members = committees, root, policy, members or {}


class GapItem(TypedDict):
    id: str
    name: str
    committee_id: str
    sector: str | None


class GapList(TypedDict):
    rule: str
    as_of: str
    count: int
    items: list[GapItem]


ReachResult = TypedDict("ReachResult", {"from": str, "as_of": str, "hops": int, "items": list[dict]})
DiffResult = TypedDict("DiffResult", {"from": str, "to": str, "committee_id": str | None, "items": list[dict],
                                      "reasons": dict[str, str]})


def stats(store: Store, scope: Scope, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> dict[str, int]:
    """Counts by kind (``STAT_KEYS``) of a committee and those below it: the nodes that
    belong there, the liaisons and contact records from them. The whole store (or a scope
    that is every committee) is counted by the store itself."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        part, committees = scope_of(store, root)
        if part is None or part == committees.keys():
            return store.stats()
        G = store.subgraph(part)
    counts = dict.fromkeys(STAT_KEYS, 0)
    kinds = {kind: key for key, kind in STAT_KEYS.items()}
    for _, data in G.nodes(data=True):
        if data.get("committee_id") in part and data.get("node_kind") in kinds:
            counts[kinds[data["node_kind"]]] += 1
    for src, _, data in G.edges(data=True):
        if data["edge_kind"] in kinds and G.nodes[src].get("committee_id") in part:
            counts[kinds[data["edge_kind"]]] += 1
    return counts


def gaps(store: Store, scope: Scope, rule: str, day: dt.date, committee_id: str | None = None, *,
         lock: Lock = NO_LOCK) -> GapList:
    """A flagship rule's gap list: of one committee (only that one) when asked, else of
    every committee in the scope. The contract of DATA-FORMAT.md."""
    check_rule(rule)
    committee_id = committee_of(store, scope, committee_id, lock=lock)
    scope.check_committee(committee_id)
    with lock:
        if committee_id is not None or scope.whole:
            items = store.gaps(rule, day, committee_id)
        else:
            items = [i for i in store.gaps(rule, day, None) if i["committee_id"] in scope.committees]
    return {"rule": rule, "as_of": day.isoformat(), "count": len(items), "items": items}


def coverage(store: Store, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None = None,
             by: str | None = None, window: int | None = None, span: str = TREE, *, lock: Lock = NO_LOCK) -> Report:
    """Every rule of a liaison system: covered and total, nominal and effective, the
    uncovered, the breakdown, capacity findings and the quiet liaisons; of a committee and
    those below it, or (``span`` own) of the committee alone."""
    chosen = choose(policy)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        report = store_report(store, day, chosen, root, by=by, window_days=window, span=span if root else TREE)
        return Named({**report, "span": span if root else TREE}, store.committees(), root, chosen)


def due(store: Store, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None = None,
        within: int | None = None, window: int | None = None, span: str = TREE, *, lock: Lock = NO_LOCK) -> Report:
    """What is due: each liaison's last qualifying contact, the day the next is due by and how
    overdue it is, under each rule of the policy it serves, by the member who holds it
    (``graph/due.py``); of a committee and those below it, or (``span`` own) of the
    committee alone. A member's own token gets the liaisons the member holds, and nothing else."""
    chosen = choose(policy)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    span = span if root else TREE
    with lock:
        view = open_view(store, day, root, span)
    answer = due_list(view, chosen, window, within, holder=scope.member_id)
    return Named({**answer, "committee_id": root, "span": span}, view.committees, root, chosen)


def attendance(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, span: str = TREE,
               policy: PolicyAsked = PolicyAsked(None), *, lock: Lock = NO_LOCK) -> Report:
    """This year's activities and attendance (CPC, others, the standing committee), by
    committee and activity group, and the members who took part in none
    (``graph/attendance.py``); of a committee and those below it, or the committee alone."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    span = span if root else TREE
    with lock:
        view = open_view(store, day, root, span)
    chosen = choose(policy)
    return Named({**run_attendance(view, chosen.temporary_branch_kinds), "committee_id": root, "span": span},
                 view.committees, root, chosen)


def coverage_counts(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, *,
                    lock: Lock = NO_LOCK) -> Report:
    """The two full coverages by committee, nominal, from the indexes the store maintains."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        return flagship_counts(store, day, root)


def home_of(store: Store, scope: Scope, node_id: str) -> str:
    """The committee a member or organisation belongs to, if the caller sees it."""
    home = home_committee(store, node_id)
    scope.check_owned(home, "委员或党组织", node_id)
    return home


def reach(store: Store, scope: Scope, node_id: str, hops: int, day: dt.date, *, lock: Lock = NO_LOCK) -> ReachResult:
    """Whom party work reaches from a member or organisation within ``hops`` liaison steps."""
    node_id = node_of(store, scope, node_id, lock=lock)
    with lock:
        home = home_of(store, scope, node_id)
        in_database = store.projection("reach")  # the Bolt store walks in the database
        if in_database is not None:
            items = in_database.reach(store, node_id, hops, day, subtree(store.committees(), home), scope.committees)
        else:
            items = run_reach(open_view(store, day, home), node_id, hops, scope.committees)
    return {"from": node_id, "as_of": day.isoformat(), "hops": hops, "items": items}


def why(store: Store, scope: Scope, member_id: str, day: dt.date, *, lock: Lock = NO_LOCK) -> Report:
    """The liaison chains and organisations that cover a member, or why none does."""
    member_id = member_of(store, scope, member_id, lock=lock)
    with lock:
        home = home_of(store, scope, member_id)
        in_database = store.projection("why")  # the Bolt store: the member's neighbourhood only
        if in_database is not None:
            committees = store.committees()
            return in_database.why(store, member_id, day, subtree(committees, home), committees, scope.committees)
        return run_why(open_view(store, day, home), member_id, scope=scope.committees)


def diff(store: Store, scope: Scope, day_from: dt.date, day_to: dt.date, committee_id: str | None = None, *,
         lock: Lock = NO_LOCK) -> DiffResult:
    """Members who gained or lost coverage between two days, and why (``reasons`` labels
    the reason codes). The first day may not be later than the second."""
    if day_from > day_to:
        raise BadArgument(f"起始日 {day_from.isoformat()} 晚于截止日 {day_to.isoformat()}，起始日应不晚于截止日",
                          field="from", value=day_from.isoformat())
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        part, committees = scope_of(store, root)
        in_database = store.projection("diff")  # the Bolt store: the gap lists in the database
        if in_database is not None:
            items = in_database.diff(store, day_from, day_to, part, committees)
        else:
            G = store.subgraph(part)
    if in_database is None:
        before, after = View(G, day_from.isoformat(), part, committees), View(G, day_to.isoformat(), part, committees)
        items = run_diff(before, after, view_gaps)
    return {"from": day_from.isoformat(), "to": day_to.isoformat(), "committee_id": root,
            "items": items, "reasons": REASONS,
            "term_closings": closings(store, scope, root, day_from.isoformat(), day_to.isoformat(), lock=lock)}


def network(store: Store, scope: Scope, day: dt.date, committee_id: str | None = None, top: int = 10, *,
            lock: Lock = NO_LOCK) -> Report:
    """Liaison load per person, brokers, isolated members, the sector × sector matrix (with
    the committees' names beside it, for a person's text)."""
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        in_database = store.projection("network")  # the Bolt store: only what the figures read
        if in_database is not None:
            view = in_database.view(store, day, *scope_of(store, root))
        else:
            view = open_view(store, day, root)
    return Named(run_network(view, top), view.committees, root, None)
