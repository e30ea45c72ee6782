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

from liaison_graph.graph import column_coverage
from liaison_graph.graph.coverage import report
from liaison_graph.graph.policy import Policy
from liaison_graph.graph.recommend_parts import Recommendation, on_view
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import TREE, open_view, scope_of


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
    if in_database is not None:
        scope, committees = scope_of(store, committee_id)
        return in_database.recommendation(store, day, policy, scope, committees)
    return on_view(open_view(store, day, committee_id), policy)
