"""The recommendation on the Bolt store: each rule's coverage counted in the database
(``graph/cypher_report.py``), and the proposals worked out on the part of a few committees at
a time, only where something can be proposed (``graph/recommend_parts.py: by_parts``), all in
one read transaction. The client holds at most ``recommend_parts.PART_COMMITTEES``
committees' part at once: memory bounded by the committees' size, not the store's; the
min-cost flow of the pairings runs in the client on that part."""

from __future__ import annotations

import datetime as dt

from liaison_graph.graph.bolt_parts import part
from liaison_graph.graph.cypher_report import rule_counts
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.policy import Policy
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.recommend import may_take_branch
from liaison_graph.graph import recommend_parts
from liaison_graph.graph.recommend_parts import Recommendation, by_parts
from liaison_graph.graph.view import View


class CypherRecommend(Projection):
    """The Bolt store's recommendation (nothing kept)."""

    name = "recommend"

    def recommendation(self, store, day: dt.date, policy: Policy, scope: frozenset[str] | None,
                       committees: dict[str, dict]) -> Recommendation:
        """As ``graph/recommend_parts.py: on_view`` on the view of the committees ``scope``
        (None: the whole store) on ``day``."""
        return store.reading(lambda run: _recommend(run, day, policy, scope, committees))


def _recommend(run, day: dt.date, policy: Policy, scope, committees: dict[str, dict]) -> Recommendation:
    asked = day.isoformat()
    counts = rule_counts(run, day, policy, scope, committees)
    ids = sorted(committees if scope is None else scope)
    live = {r["committee_id"] for r in run("recommend_activities", {"committee_ids": ids, "day": asked})
            if may_take_branch(r, asked, policy.temporary_branch_kinds)}

    def read(chunk) -> View:
        with bulk():
            return View(part(run, chunk), asked, frozenset(chunk), committees)

    return by_parts(read, policy, asked, committees, {rule: (c, t) for rule, (c, t, _) in counts.items()},
                    {cid for *_, gaps in counts.values() for cid in gaps}, live, recommend_parts.PART_COMMITTEES)
