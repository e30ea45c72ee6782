"""The embedded store's lists (``graph/lookups.py``) as SQL on its two tables, each function
taking the store's SQLite connection.

A list of nodes walks the committee index ``nodes_by_committee`` (committee, kind, and the
id after them) committee by committee in order: its page is read straight off the index,
and its total, without a filter, is a sum of counts by committee kept until the file
changes (with a filter, the scope's rows are counted). The liaisons of a scope are found
from its committees' nodes, through the primary key (those leaving its members) and
``edges_by_target`` (those reaching its nodes from elsewhere); when the scope holds most of
the store, a page is instead read in the order of the liaisons' sources through
``edges_by_kind``, up to where it is full, and the total comes from kept counts. The
committees a list covers are bound as one JSON array (``json_each``), however many they
are; kinds are bound as parameters, taken from the model. The statements of one answer
run in one read transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager

from liaison_graph.graph.lookups import (COMMITTEE, IN_SECTOR, LIAISON, LIAISON_SOURCE, LIAISON_TARGETS, SECTOR,
                                         LiaisonEnds, LiaisonFilter, LiaisonRow, NodeFilter, liaison_page, walk_page)

IN_SCOPE = "(SELECT value FROM json_each(?))"  # the committees (or ids) of one JSON parameter
BY_COMMITTEE = "nodes AS n INDEXED BY nodes_by_committee"  # walked in committee order, ids in order within
# Every liaison in the order of its source (``edges_by_kind`` holds the key after the kind),
# with the committees of its two ends; bound: the liaison's kind and its source's.
_LIAISONS_BY_SOURCE = ("FROM edges AS e INDEXED BY edges_by_kind LEFT JOIN nodes s ON s.kind = e.src_kind AND s.id = e.src "
                       "LEFT JOIN nodes d ON d.kind = e.dst_kind AND d.id = e.dst WHERE e.kind = ? AND e.src_kind = ?")
_ENDS = "e.src, e.dst_kind, e.dst, e.key, json_extract(e.props, '$.start_date'), json_extract(e.props, '$.end_date')"


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """The statements of one list in one read transaction: its total and its page, or the
    liaisons found and the page's properties, see the file at one moment, whatever another
    process writes meanwhile (inside a transaction already open, that one)."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")


# Counts kept per connection (by its id, with the connection itself) until the file
# changes: the nodes by kind and committee (one pass over the committee index), and the
# liaisons by the committees of their two ends and the kind of their target. A list without
# a filter then has its total without counting the scope's rows again (a nation's members:
# 0.1 s once, then a sum over its committees). The file has changed when this connection
# has written rows since (its ``total_changes``) or another connection has committed
# (SQLite's ``data_version``, read once the read transaction has begun).
_KEPT: dict[int, tuple[sqlite3.Connection, tuple[int, int], dict[str, dict]]] = {}
CONNECTIONS_KEPT = 8  # connections whose counts are kept (a process has one or a few)


def _kept(db: sqlite3.Connection, name: str, count) -> dict:
    """What ``count(db)`` gives for the file as this read sees it: counted once per change."""
    db.execute("SELECT 1 FROM nodes LIMIT 1").fetchall()  # the read transaction's moment begins here
    version = (db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
    held = _KEPT.get(id(db))
    if held is None or held[0] is not db or held[1] != version:
        if len(_KEPT) >= CONNECTIONS_KEPT and id(db) not in _KEPT:
            _KEPT.pop(next(iter(_KEPT)))
        held = _KEPT[id(db)] = (db, version, {})
    if name not in held[2]:
        held[2][name] = count(db)
    return held[2][name]


def _count_nodes(db: sqlite3.Connection) -> dict[str, dict[str | None, int]]:
    """kind -> committee -> how many nodes."""
    counts: dict[str, dict] = {}
    for cid, kind, n in db.execute(f"SELECT n.committee_id, n.kind, count(*) FROM {BY_COMMITTEE} "
                                   "GROUP BY n.committee_id, n.kind"):
        counts.setdefault(kind, {})[cid] = n
    return counts


def _count_liaisons(db: sqlite3.Connection) -> dict[tuple, int]:
    """(the source's committee, the target's committee, the target's kind) -> how many liaisons."""
    return {(src, dst, kind): n for src, dst, kind, n in db.execute(
        f"SELECT s.committee_id, d.committee_id, e.dst_kind, count(*) {_LIAISONS_BY_SOURCE} GROUP BY 1, 2, 3",
        (LIAISON, LIAISON_SOURCE))}


def _counts(db: sqlite3.Connection, kind: str) -> dict[str | None, int]:
    """committee -> how many nodes of ``kind`` it has."""
    return _kept(db, "nodes", _count_nodes).get(kind, {})


def _json(values: Iterable[str]) -> str:
    return json.dumps(sorted(set(values)), ensure_ascii=False)


def _marks(values: Collection) -> str:
    return ",".join("?" * len(values))


def _prop(name: str, alias: str = "n") -> str:
    return f"json_extract({alias}.props, '$.{name}')"


def _holds(alias: str) -> str:
    """A row's start and end dates around the day bound twice (graph.parts.holds)."""
    start, end = _prop("start_date", alias), _prop("end_date", alias)
    return f"({start} IS NULL OR {start} <= ?) AND ({end} IS NULL OR ? <= {end})"


def _node_conditions(where: NodeFilter | None) -> tuple[str, list]:
    """What ``where`` keeps, as SQL conditions on the node row ``n`` and their parameters."""
    if where is None:
        return "", []
    sql, params = [], []
    if where.day is not None:
        sql.append(_holds("n"))
        params += [where.day, where.day]
    for name in ("sector", "activity_group"):
        if getattr(where, name) is not None:
            sql.append(f"{_prop(name)} = ?")
            params.append(getattr(where, name))
    if where.cpc is not None:
        sql.append(f"(CASE WHEN {_prop('cpc')} THEN 1 ELSE 0 END) = ?")
        params.append(int(where.cpc))
    if where.q is not None:
        sql.append(f"(instr({_prop('name')}, ?) > 0 OR n.id = ?)")
        params += [where.q, where.q]
    if where.special_committee is not None:
        sql.append("EXISTS (SELECT 1 FROM json_each(n.props, '$.special_committees') WHERE value = ?)")
        params.append(where.special_committee)
    return "".join(f" AND {s}" for s in sql), params


def list_nodes(db: sqlite3.Connection, kind: str, committee_ids: Collection[str], where: NodeFilter | None = None,
               limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
    """The nodes of ``kind`` of these committees that ``where`` keeps, by committee and id:
    how many, and the properties of the page."""
    conditions, params = _node_conditions(where)
    chosen = f"FROM {BY_COMMITTEE} WHERE n.kind = ? AND n.committee_id IN {IN_SCOPE}{conditions}"
    bound = (kind, _json(committee_ids), *params)
    with _snapshot(db):
        if conditions:
            total = db.execute(f"SELECT count(*) {chosen}", bound).fetchone()[0]
        else:
            counts = _counts(db, kind)
            total = sum(counts.get(cid, 0) for cid in set(committee_ids))
        if offset >= total:
            return total, []
        rows = db.execute(f"SELECT n.props {chosen} ORDER BY n.committee_id, n.id LIMIT ? OFFSET ?",
                          (*bound, limit, offset)).fetchall()
    return total, [json.loads(props) for (props,) in rows]


def sector_counts(db: sqlite3.Connection, sector_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """sector -> (its members, the CPC members among them): every member edge reaching it,
    from any committee, whatever the member's term."""
    rows = db.execute(
        f"SELECT e.dst, count(*), sum(CASE WHEN {_prop('cpc', 'm')} THEN 1 ELSE 0 END) FROM edges e "
        "LEFT JOIN nodes m ON m.kind = e.src_kind AND m.id = e.src "
        f"WHERE e.dst_kind = ? AND e.dst IN {IN_SCOPE} AND e.kind = ? GROUP BY e.dst",
        (SECTOR, _json(sector_ids), IN_SECTOR))
    return {sid: (members, cpc) for sid, members, cpc in rows}


def _liaisons_around(db: sqlite3.Connection, node_id: str) -> list[tuple]:
    """The liaisons from or to a node of this id, with the committees of their two ends."""
    ends = ("LEFT JOIN nodes s ON s.kind = e.src_kind AND s.id = e.src "
            "LEFT JOIN nodes d ON d.kind = e.dst_kind AND d.id = e.dst")
    leaving = db.execute(
        f"SELECT {_ENDS}, s.committee_id, d.committee_id FROM edges e {ends} "
        "WHERE e.src_kind = ? AND e.src = ? AND e.kind = ?", (LIAISON_SOURCE, node_id, LIAISON)).fetchall()
    reaching = db.execute(
        f"SELECT {_ENDS}, s.committee_id, d.committee_id FROM edges e {ends} "
        f"WHERE e.dst_kind IN ({_marks(LIAISON_TARGETS)}) AND e.dst = ? AND e.kind = ?",
        (*LIAISON_TARGETS, node_id, LIAISON)).fetchall()
    return leaving + reaching


def _liaisons_of(db: sqlite3.Connection, scope: set[str], target: str | None) -> list[tuple]:
    """The liaisons with either end in the committees ``scope`` (of one target kind, when
    given): those leaving its members, then those reaching its nodes from members
    elsewhere, found from whichever side has fewer committees."""
    of_kind, kinds = ("", []) if target is None else (" AND e.dst_kind = ?", [target])
    inside = _json(scope)
    leaving = (f"SELECT {_ENDS} FROM {BY_COMMITTEE} CROSS JOIN edges e ON e.src_kind = n.kind AND e.src = n.id "
               f"AND e.kind = ? WHERE n.kind = ? AND n.committee_id IN {IN_SCOPE}")
    found = db.execute(f"{leaving}{of_kind}", (LIAISON, LIAISON_SOURCE, inside, *kinds)).fetchall()
    # Every member belongs to a committee of the store (the loaders and the write rule see to
    # it): those outside the scope are the members of the other committees.
    outside = {cid for (cid,) in db.execute("SELECT id FROM nodes WHERE kind = ?", (COMMITTEE,))} - scope
    targets = LIAISON_TARGETS if target is None else (target,)
    if len(scope) <= len(outside):  # from the scope's nodes to the liaisons reaching them from elsewhere
        found += db.execute(
            f"SELECT {_ENDS} FROM {BY_COMMITTEE} CROSS JOIN edges e ON e.dst_kind = n.kind AND e.dst = n.id "
            "AND e.kind = ? LEFT JOIN nodes s ON s.kind = e.src_kind AND s.id = e.src "
            f"WHERE n.kind IN ({_marks(targets)}) AND n.committee_id IN {IN_SCOPE} "
            f"AND (s.committee_id IS NULL OR s.committee_id NOT IN {IN_SCOPE})",
            (LIAISON, *targets, inside, inside)).fetchall()
    elif outside:  # from the members elsewhere (fewer committees) to their liaisons into the scope
        found += db.execute(
            f"SELECT * FROM ({leaving}{of_kind}) e WHERE EXISTS (SELECT 1 FROM nodes d WHERE d.kind = e.dst_kind "
            f"AND d.id = e.dst AND d.committee_id IN {IN_SCOPE})",
            (LIAISON, LIAISON_SOURCE, _json(outside), *kinds, inside)).fetchall()
    return found


def list_liaisons(db: sqlite3.Connection, committee_ids: Collection[str], where: LiaisonFilter | None = None,
                  limit: int = 100, offset: int = 0) -> tuple[int, list[LiaisonRow]]:
    """The liaisons with either end in these committees that ``where`` keeps, in
    ``graph.lookups.liaison_order``: how many, and the page with properties and names."""
    scope = set(committee_ids)
    with _snapshot(db):
        if where is not None and where.member_id is not None:
            found = [row[:6] for row in _liaisons_around(db, where.member_id) if row[6] in scope or row[7] in scope]
        elif _most_of_the_store(db, scope):
            total = _liaison_total(db, scope, where)
            cursor = db.execute(f"SELECT {_ENDS}, s.committee_id, d.committee_id {_LIAISONS_BY_SOURCE} ORDER BY e.src",
                                (LIAISON, LIAISON_SOURCE))
            try:
                rows = (LiaisonEnds(*row[:6]) for row in cursor if row[6] in scope or row[7] in scope)
                page = walk_page(rows, where, limit, offset) if offset < total else []
            finally:
                cursor.close()
            return total, _liaison_rows(db, page)
        else:
            found = _liaisons_of(db, scope, where.target if where is not None else None)
        total, page = liaison_page({LiaisonEnds(*row) for row in found}, where, limit, offset)
        return total, _liaison_rows(db, page)


def _most_of_the_store(db: sqlite3.Connection, scope: set[str]) -> bool:
    """Whether the scope holds at least half of the store's members: then the liaisons
    touching it are most of the store's, and a page is read in the order of their sources
    (``walk_page``) instead of finding them all first."""
    members = _counts(db, LIAISON_SOURCE)
    return 2 * sum(members.get(cid, 0) for cid in scope) >= sum(members.values()) > 0


def _liaison_total(db: sqlite3.Connection, scope: set[str], where: LiaisonFilter | None) -> int:
    """How many liaisons have an end in the scope (of one target kind, when asked): from the
    kept counts, or, for those of one day, counted."""
    target = where.target if where is not None else None
    if where is None or where.day is None:
        return sum(n for (src, dst, kind), n in _kept(db, "liaisons", _count_liaisons).items()
                   if (src in scope or dst in scope) and (target is None or kind == target))
    of_kind, kinds = ("", []) if target is None else (" AND e.dst_kind = ?", [target])
    inside = _json(scope)
    return db.execute(f"SELECT count(*) {_LIAISONS_BY_SOURCE} AND (s.committee_id IN {IN_SCOPE} OR d.committee_id IN "
                      f"{IN_SCOPE}) AND {_holds('e')}{of_kind}",
                      (LIAISON, LIAISON_SOURCE, inside, inside, where.day, where.day, *kinds)).fetchone()[0]


def _liaison_rows(db: sqlite3.Connection, page: list[LiaisonEnds]) -> list[LiaisonRow]:
    """The page's liaisons with their properties and the names of their two ends."""
    names = _names(db, {(LIAISON_SOURCE, e.src) for e in page} | {(e.dst_kind, e.dst) for e in page})
    out = []
    for e in page:
        (props,) = db.execute(
            "SELECT props FROM edges WHERE src_kind = ? AND src = ? AND kind = ? AND dst_kind = ? AND dst = ? AND key = ?",
            (LIAISON_SOURCE, e.src, LIAISON, e.dst_kind, e.dst, e.key)).fetchone()
        out.append(LiaisonRow(e.src, e.dst_kind, e.dst, e.key, json.loads(props), names.get((LIAISON_SOURCE, e.src)),
                              names.get((e.dst_kind, e.dst))))
    return out


def _names(db: sqlite3.Connection, nodes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    by_kind: dict[str, list[str]] = {}
    for kind, nid in nodes:
        by_kind.setdefault(kind, []).append(nid)
    return {(kind, nid): name for kind, ids in by_kind.items() for nid, name in db.execute(
        f"SELECT id, {_prop('name', 'nodes')} FROM nodes WHERE kind = ? AND id IN {IN_SCOPE}", (kind, _json(ids)))}


def edges_around(db: sqlite3.Connection, kind: str, node_id: str, leaving: Collection[str],
                 reaching: Collection[str]) -> tuple[list[tuple], dict[tuple[str, str], dict]]:
    """The edges of the kinds ``leaving`` that leave one node and of the kinds ``reaching``
    that reach it, as (kind, src_kind, src, dst_kind, dst, key, props) in that order, and
    their far ends' properties by (kind, id)."""
    rows = []
    with _snapshot(db):
        if leaving:
            rows += db.execute(f"SELECT * FROM edges WHERE src_kind = ? AND src = ? AND kind IN {IN_SCOPE}",
                               (kind, node_id, _json(leaving))).fetchall()
        if reaching:
            rows += db.execute(f"SELECT * FROM edges WHERE dst_kind = ? AND dst = ? AND kind IN {IN_SCOPE}",
                               (kind, node_id, _json(reaching))).fetchall()
        edges = {(k, sk, s, dk, d, key): props for sk, s, k, dk, d, key, props in rows}  # an edge to itself: once
        far: dict[str, set[str]] = {}
        for _, sk, s, dk, d, _ in edges:
            for end_kind, end in ((sk, s), (dk, d)):
                if (end_kind, end) != (kind, node_id):
                    far.setdefault(end_kind, set()).add(end)
        props = {(end_kind, nid): json.loads(p) for end_kind, ids in far.items() for nid, p in db.execute(
            f"SELECT id, props FROM nodes WHERE kind = ? AND id IN {IN_SCOPE}", (end_kind, _json(ids)))}
    return [(*identity, json.loads(p)) for identity, p in sorted(edges.items(), key=lambda item: item[0])], props
