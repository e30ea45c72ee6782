"""Accepting a recommendation: its proposals as roster rows, through the loaders, in one
transaction with its audit record (for the CLI and the API alike)."""

from __future__ import annotations

from graph.policy import Policy
from graph.recommend import accept_rows
from graph.store import Audit, Store, WriteResult
from graph.view import View
from loaders import batch_committees, prepare_doc


def accept(store: Store, view: View, result: dict, policy: Policy, actor: str, allowed=None) -> WriteResult | None:
    """Write the proposals (liaisons start on the view's day). ``allowed(batch)`` may refuse
    a batch that reaches outside the caller's scope. None when there is nothing to write."""
    rows = accept_rows(view, result, policy)
    if not rows:
        return None
    batch, _ = prepare_doc(rows, store, "推荐")
    if allowed is not None:
        allowed(batch)
    batch.audit = Audit(actor, "recommend.accept", sorted(batch_committees(batch, store)), policy.name, None,
                        {"as_of": view.day, "liaisons": len(rows.get("liaisons", [])),
                         "memberships": sum(1 for i in result["items"] if i.get("kind") == "membership"),
                         "temporary_branches": [b["party_org_id"] for b in result["temporary_branches"]]})
    return store.write(batch)
