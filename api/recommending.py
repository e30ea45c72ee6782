"""Accepting a recommendation: its proposals as roster rows, through the loaders, in one
transaction with its audit record (for the CLI and the API alike)."""

from __future__ import annotations

from liaison_graph.graph.policy import Policy
from liaison_graph.graph.recommend import accept_rows
from liaison_graph.graph.store import Audit, Store, WriteResult
from liaison_graph.graph.view import View
from liaison_graph.graph.guard import check_write
from liaison_graph.loaders import prepare_doc


def accept(store: Store, view: View, result: dict, policy: Policy, actor: str, root: str | None = None) -> WriteResult | None:
    """Write the proposals (liaisons start on the view's day), checked by the write rule for
    the caller's committee ``root`` (None: the command line). None when there is nothing to write."""
    rows = accept_rows(view, result, policy)
    if not rows:
        return None
    batch, _ = prepare_doc(rows, store, "推荐")
    check = check_write(store, batch, root)
    batch.audit = Audit(actor, "recommend.accept", check.committees, policy.name, None,
                        {"as_of": view.day, "liaisons": len(rows.get("liaisons", [])),
                         "memberships": sum(1 for i in result["items"] if i.get("kind") == "membership"),
                         "temporary_branches": [b["party_org_id"] for b in result["temporary_branches"]]})
    return store.write(batch)
