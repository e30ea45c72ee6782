"""The member's file (履职档案, ``graph/dossier.py``): one member's for a year or a term, or
every current member's of one committee, each on the graph of the member's own committee;
for the caller's scope, the same for the command line and the HTTP API."""

from __future__ import annotations

import datetime as dt

from liaison_graph.api.verbs.names import committee_of, member_of
from liaison_graph.api.verbs.policies import PolicyAsked, choose
from liaison_graph.api.verbs.questions import Named, home_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.dossier import TERM, YEAR, dossier as run_dossier
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.persons import overlap, record_item
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import View

KINDS = (YEAR, TERM)


def _period(day: dt.date, term: bool, year: int | None) -> tuple[str, int | None]:
    if term and year is not None:
        raise BadArgument("year 与 term 只能选一个：按年度或按届", field="year", value=year)
    if year is not None and not 1949 <= year <= day.year:
        raise BadArgument(f"year 应为 1949 至 {day.year} 之间的年份：{year}", field="year", value=year)
    return (TERM if term else YEAR), year


def dossier(store: Store, scope: Scope, member_id: str, policy: PolicyAsked, day: dt.date, term: bool = False,
            year: int | None = None, *, lock: Lock = NO_LOCK) -> Named:
    """One member's file for a year (this one by default, up to ``day``) or their term."""
    kind, year = _period(day, term, year)
    member_id = member_of(store, scope, member_id, lock=lock)
    chosen = choose(policy)
    with lock:
        home = home_of(store, scope, member_id)
        G, committees = store.subgraph([home]), store.committees()
        found = run_dossier(G, ("Member", member_id), chosen, committees, day.isoformat(), kind, year)
        found["other_records"] = other_records(store, scope, found["member"], committees, day.isoformat())
    return Named(found, committees, home, chosen)


def other_records(store: Store, scope: Scope, member: dict, committees: dict[str, dict], day: str) -> list[dict]:
    """The same person's other member records (``graph/persons.py``) the caller sees, in the
    committees above the member's and below it: the person's other terms and committees."""
    pid, home = member.get("person_id"), member.get("committee_id")
    if not pid:
        return []
    line = {c for c in committees if overlap(committees, c, home)}
    asked = sorted(c for c in line if scope.sees(c))
    total, _ = store.list_nodes("Member", asked, None, 0)
    found = store.list_nodes("Member", asked, None, total)[1] if total else []
    return [record_item(r, committees, day) for r in found if r.get("person_id") == pid and r["id"] != member["id"]]


def dossiers(store: Store, scope: Scope, committee_id: str | None, policy: PolicyAsked, day: dt.date, term: bool = False,
             year: int | None = None, *, lock: Lock = NO_LOCK) -> list[Named]:
    """The file of every member of one committee current on ``day`` (not those below it), in
    the order of their ids."""
    kind, year = _period(day, term, year)
    root = scope.root(committee_of(store, scope, committee_id, lock=lock))
    if root is None:
        raise BadArgument("请指定一个政协（committee_id）：履职档案按政协成册", field="committee_id")
    chosen = choose(policy)
    with lock:
        G, committees = store.subgraph([root]), store.committees()
    own = frozenset((root,))
    members = [m for m, _ in View(G, day.isoformat(), own, committees).nodes("Member")]
    kept: dict = {}  # the views and due lists of the days the members' files share
    files = [run_dossier(G, m, chosen, committees, day.isoformat(), kind, year, kept) for m in members]
    with lock:
        for found in files:
            found["other_records"] = other_records(store, scope, found["member"], committees, day.isoformat())
    return [Named(found, committees, root, chosen) for found in files]
