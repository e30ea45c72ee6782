"""The gap list's body, encoded once for the route (``api/routes/queries.py``) and the fast
path (``api/fast.py``): the busiest endpoint skips re-validation, and both answer alike."""

from __future__ import annotations

import json

from liaison_graph.api.auth import Caller
from liaison_graph.api.days import day_of
from liaison_graph.api.service import Service
from liaison_graph.api.verbs.questions import gaps
from liaison_graph.graph.flagship import check_rule


def gaps_body(service: Service, caller: Caller, rule: str, as_of: str | None, committee_id: str | None) -> bytes:
    """``{"rule", "as_of", "count", "items"}`` as JSON (the shape is ``GapsOut``, the
    command line's ``gaps --format json``)."""
    check_rule(rule)  # an unknown rule is named before a bad date, as the route always has
    result = gaps(service.store, caller.bounds, rule, day_of(as_of), committee_id, lock=service.reading)
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
