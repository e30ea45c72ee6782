"""Recommended pairings, and accepting them: the proposals as roster rows, through the
loaders and the write rule, in one transaction with their audit record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.questions import Named, Report
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.policy import Policy
from liaison_graph.graph.recommend_parts import Recommendation
from liaison_graph.graph.reports import store_recommendation
from liaison_graph.graph.store import Store
from liaison_graph.graph.batch import Audit, WriteResult
from liaison_graph.loaders import prepare_doc


def recommend(store: Store, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None = None, *,
              lock: Lock = NO_LOCK) -> Report:
    """Proposed pairings, placements and temporary branches, with the coverage they would reach."""
    chosen = choose(policy)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        found = store_recommendation(store, day, chosen, root)
    return named(found, root, chosen)


def named(found: Recommendation, root: str | None, policy: Policy) -> Named:
    """The recommendation with the names its printed workbook needs (the temporary
    branches' members are listed by id)."""
    return Named(found.result, found.committees, root, policy, found.names)


@dataclass(frozen=True)
class Accepted:
    policy: str  # the policy's name
    as_of: str
    recommendation: Report  # what was proposed, and written
    cursor: int | None  # the change feed's cursor after the write; None when there was nothing to write

    @property
    def liaisons(self) -> int:
        return sum(1 for i in self.recommendation["items"] if i.get("kind") == "liaison")

    @property
    def wrote(self) -> bool:
        return bool(self.recommendation["items"] or self.recommendation["temporary_branches"])


def accept(store: Store, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None = None, *,
           lock: Lock = NO_LOCK) -> Accepted:
    """Work out the recommendation and write it (liaisons start on ``day``), checked by
    the write rule for the caller's committee."""
    chosen = choose(policy)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    with lock:
        found = store_recommendation(store, day, chosen, root)
        written = write_proposals(store, found, chosen, scope)
    return Accepted(chosen.name, day.isoformat(), named(found, root, chosen), written.cursor if written else None)


def write_proposals(store: Store, found: Recommendation, policy: Policy, scope: Scope) -> WriteResult | None:
    """The proposals as roster rows, one batch with its audit record. None when there is
    nothing to write."""
    rows, result = found.rows, found.result
    if not rows:
        return None
    batch, _ = prepare_doc(rows, store, "推荐")
    check = check_write(store, batch, scope.committee_id)
    batch.audit = Audit(scope.actor, "recommend.accept", check.committees, policy.name, None,
                        {"as_of": result["as_of"], "liaisons": len(rows.get("liaisons", [])),
                         "memberships": sum(1 for i in result["items"] if i.get("kind") == "membership"),
                         "temporary_branches": [b["party_org_id"] for b in result["temporary_branches"]]})
    return store.write(batch)
