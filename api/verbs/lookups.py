"""Lookups a person starts from: the committee tree with its counts, and members found by
name or id — for the command line (``liaison committees``, ``liaison members``) and the
HTTP API (``GET members``) alike, each within the caller's scope.

Both are answered from the store's indexes: the members through ``Store.list_nodes``
(``graph/lookups.py``), the counts per committee through the maintained gap index
(``Store.flagship_counts``), never a graph."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TypedDict

from liaison_graph.api.verbs.names import MEMBER, committee_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, within
from liaison_graph.graph.flagship import RULES
from liaison_graph.graph.lookups import NodeFilter
from liaison_graph.graph.policy import flagship
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import scope_of
from liaison_graph.loaders.text import fold_name

class CommitteeRow(TypedDict):
    id: str
    name: str | None
    level: str | None
    parent_id: str | None
    depth: int  # 0 for the top committees the caller sees
    members: int  # in office on the day, this committee alone
    cpc_members: int
    non_party_members: int
    gaps: dict[str, int]  # flagship rule -> members it misses on the day


class CommitteeTree(TypedDict):
    as_of: str
    committees: list[CommitteeRow]


class MemberPage(TypedDict):
    total: int
    limit: int
    offset: int
    items: list[dict]


def committee_tree(store: Store, scope: Scope, day: dt.date, *, lock: Lock = NO_LOCK) -> CommitteeTree:
    """Every committee the caller sees, each followed by those below it (by id), with its
    own members in office on ``day``, CPC and not, and the two flagship gaps' counts."""
    cpc_rule = {rule.covers.cpc: rule.id for rule in flagship().rules if rule.covers.kind == "member"}
    with lock:
        committees = store.committees()
        seen = sorted(c for c in committees if scope.sees(c))
        counts = {rule: store.flagship_counts(rule, day, seen) for rule in RULES}
    children: dict[str | None, list[str]] = {}
    for cid in seen:
        parent = committees[cid].get("parent_id")
        children.setdefault(parent if parent in seen else None, []).append(cid)
    rows: list[CommitteeRow] = []

    def walk(cid: str, depth: int) -> None:
        props = within(committees[cid], scope.committees)
        total = {rule: counts[rule].get(cid, (0, 0)) for rule in RULES}
        cpc = total[cpc_rule[True]][0] if True in cpc_rule else 0
        other = total[cpc_rule[False]][0] if False in cpc_rule else 0
        rows.append({"id": cid, "name": props.get("name"), "level": props.get("level"),
                     "parent_id": props.get("parent_id"), "depth": depth, "members": cpc + other,
                     "cpc_members": cpc, "non_party_members": other,
                     "gaps": {rule: t - covered for rule, (t, covered) in total.items()}})
        for child in children.get(cid, []):
            walk(child, depth + 1)

    for top in children.get(None, []):
        walk(top, 0)
    return {"as_of": day.isoformat(), "committees": rows}


def members(store: Store, scope: Scope, committee_id: str | None = None, where: NodeFilter | None = None,
            limit: int = 100, offset: int = 0, *, lock: Lock = NO_LOCK) -> MemberPage:
    """The members of a committee and those below it (none named: the caller's own) that
    ``where`` keeps (``q``: the name contains it or the id equals it, read as a name is
    stored), by committee and id."""
    committee_id = committee_of(store, scope, committee_id, lock=lock)
    root = scope.root(committee_id)
    if where is not None and where.q:  # typed as a name is stored: 张 霞 finds 张霞
        where = replace(where, q=fold_name(where.q) or where.q)
    with lock:
        part, committees = scope_of(store, root)
        total, items = store.list_nodes(MEMBER, part if part is not None else set(committees), where, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}
