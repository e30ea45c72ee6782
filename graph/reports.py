"""A store's coverage report and recommendation, whichever way they are worked out.

The report: from the report columns the store keeps (graph.columnar, evaluated by
graph.column_coverage) when the question is about the whole store, else on the view of the
committee's graph (graph.coverage); on the Bolt store, in the database (graph.cypher_report).
The recommendation: on the view of the committee's graph (graph.recommend_parts: on_view); on
the Bolt store, its counts in the database and its proposals a few committees' part at a time
(graph.cypher_recommend). This is the one place these ways are switched;
tests/questions/test_columnar.py, tests/stores/test_report_in_the_database.py and
tests/stores/test_recommend_in_the_database.py hold them equal to the view's."""

from __future__ import annotations

import datetime as dt

from liaison_graph.graph import column_coverage, fastpaths, recommend_parts
from liaison_graph.graph.coverage import report
from liaison_graph.graph.policy import Policy
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.recommend import may_take_branch
from liaison_graph.graph.recommend_parts import Recommendation, by_parts, on_view
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import TREE, View, open_view, scope_of


def store_report(store: Store, day: dt.date, policy: Policy, committee_id: str | None = None, by: str | None = None,
                 window_days: int | None = None, span: str = TREE) -> dict:
    """A store's report on a day: over the whole store (or a committee with every other
    below it) from the columns the store keeps — the same answer, without building the
    graph; else, for one committee and those below it (or, ``span`` own, the committee
    alone), on the view of its graph."""
    scope, committees = scope_of(store, committee_id, span)
    in_database = store.projection("report")  # the Bolt store: computed where the data is
    if in_database is not None:
        return in_database.report(store, day, policy, scope, committees, by, window_days)
    if scope is None or scope == committees.keys():
        kept = store.projection("report_columns")
        if kept is not None:
            return column_coverage.report(kept.columns(store), day.isoformat(), policy, committees, scope, by, window_days)
    return report(open_view(store, day, committee_id, span), policy, by, window_days)


def store_recommendation(store: Store, day: dt.date, policy: Policy, committee_id: str | None = None) -> Recommendation:
    """The recommendation for a committee and every committee below it (``None``: the whole
    store) on ``day``, with the coverage it would reach and its proposals as roster rows."""
    in_database = store.projection("recommend")
    scope, committees = scope_of(store, committee_id)
    if in_database is not None:
        return in_database.recommendation(store, day, policy, scope, committees)
    asked = sorted(committees if scope is None else scope)
    if len(asked) < fastpaths.RECOMMEND_BY_PARTS_FROM:
        return on_view(open_view(store, day, committee_id), policy)
    # as many committees as a nation's: their counts from the report (the columns for the
    # whole store), the proposals a few committees' part at a time, none of them kept
    found = store_report(store, day, policy, committee_id)
    total, _ = store.list_nodes("Activity", asked, None, 0)
    activities = store.list_nodes("Activity", asked, None, total)[1] if total else []
    iso = day.isoformat()

    def read(chunk) -> View:
        with bulk():
            return View(store.subgraph(chunk, keep=False), iso, frozenset(chunk), committees)

    return by_parts(read, policy, iso, committees, {r["id"]: (r["covered"], r["total"]) for r in found["rules"]},
                    {u["committee_id"] for r in found["rules"] for u in r["uncovered"]},
                    {a["committee_id"] for a in activities if may_take_branch(a, iso, policy.temporary_branch_kinds)},
                    recommend_parts.PART_COMMITTEES)
