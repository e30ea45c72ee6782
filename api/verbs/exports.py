"""Feeds for other tools, within the caller's scope: the graph, the roster tables (in the
roster format, so they load back), the change feed and the audit trail. How each is
written out (node-link JSON, GraphML, GEXF, CSV, a workbook) is the caller's edge's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, within
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import KIND_CODES, scope_of

NODE_TABLES = model().node_tables()  # roster table -> the node kind its rows are
TABLES = (*NODE_TABLES, *model().edge_tables())  # the roster tables: those of nodes, then those of edges


def _part(store: Store, scope: Scope, committee_id: str | None, lock: Lock):
    root = scope.root(committee_id)
    with lock:
        part, committees = scope_of(store, root)
        return part if part is not None else frozenset(committees), store.subgraph(part)


def flat(value):
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


def graph(store: Store, scope: Scope, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> nx.MultiDiGraph:
    """The graph of a committee and those below it, for export."""
    part, G = _part(store, scope, committee_id, lock)
    return export_graph(G, part)


def export_graph(G, scope) -> nx.MultiDiGraph:
    """The scoped graph with string node ids ("Member:XS-M0001") and flat attributes; far
    ends outside the scope are left out, so nothing of another committee leaks."""
    out = nx.MultiDiGraph()
    for node, data in G.nodes(data=True):
        if data.get("committee_id") in scope:
            attrs = {"type": KIND_CODES.get(node[0], node[0]), "label": data.get("name", node[1])}
            # Stored properties go in as a dict, never as keyword arguments (a property may be
            # named like a parameter); the export's own type and label stand over any of their names.
            attrs.update((k, flat(v)) for k, v in within(data, scope).items()
                         if v is not None and k not in attrs and k != "node_kind")
            out.add_nodes_from([(f"{node[0]}:{node[1]}", attrs)])
    for src, dst, key, data in G.edges(keys=True, data=True):
        s, d = f"{src[0]}:{src[1]}", f"{dst[0]}:{dst[1]}"
        if s in out and d in out:
            attrs = {"type": data["edge_kind"]}
            attrs.update((k, flat(v)) for k, v in data.items() if v is not None and k not in attrs and k != "edge_kind")
            out.add_edges_from([(s, d, f"{key[0]}|{key[1]}", attrs)])
    return out


@dataclass(frozen=True)
class Table:
    name: str  # the roster table's English name
    label: str  # and its Chinese one
    headers: list[str]  # Chinese, as the roster format has them, then the extra columns
    rows: list[list]


def table(store: Store, scope: Scope, name: str, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> Table:
    """One roster table of a committee and those below it, as an office writes it."""
    part, G = _part(store, scope, committee_id, lock)
    headers, rows = table_rows(G, part, name)
    return Table(name, model().tables[name].label, headers, rows)


def _cell(column, value):
    if value is None or value == []:
        return None
    if column.enum:
        values = value if isinstance(value, list) else [value]
        return "、".join(model().label(column.enum, v) for v in values)
    return flat(value)


def table_rows(G, scope, table: str) -> tuple[list[str], list[list]]:
    """Rows of one roster table, headed in Chinese, values as an office writes them."""
    spec = model().tables[table]
    columns = list(spec.columns.values())
    rows = []
    if table in NODE_TABLES:
        kind = NODE_TABLES[table]
        records = [within(d, scope) for n, d in sorted(G.nodes(data=True))
                   if n[0] == kind and d.get("committee_id") in scope]
    else:
        rel = model().edge_tables()[table]
        records = []
        for src, dst, _, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
            if d["edge_kind"] == rel and G.nodes[src].get("committee_id") in scope:
                if rel == "LIAISES_WITH":
                    records.append({**d, "from_id": src[1], "to": dst[1]})
                else:
                    records.append({**d, "from_id": src[1], "to_id": dst[1]})
    known = set(spec.columns) | {"node_kind", "edge_kind", "cpc"} | model().reserved_names(table)  # the stores' own
    extras = list(dict.fromkeys(k for r in records for k in r if k not in known))  # in order of first use, each once
    headers = [c.label for c in columns] + extras
    position = {k: i for i, k in enumerate(extras)}
    for r in (model().as_roster(table, r) if table in NODE_TABLES else r for r in records):  # 中共预备党员 as written
        tail = [None] * len(extras)  # a row is filled from its own properties, not by asking it for every column
        for k, v in r.items():
            if (i := position.get(k)) is not None:
                tail[i] = flat(v)
        rows.append([_cell(c, r.get(c.name)) for c in columns] + tail)
    return headers, rows


def _pages(fetch, position: str, visible, since: int, limit: int) -> tuple[list[dict], int]:
    """Read a journal after ``since`` until ``limit`` entries the caller may see are found;
    returns them and the position reached (entries the caller may not see are passed over)."""
    items, at = [], since
    while len(items) < limit:
        entries = fetch(at, limit)
        if not entries:
            break
        for entry in entries:
            at = entry[position]
            if visible(entry):
                items.append(entry)
                if len(items) == limit:
                    break
    return items, at


def changes(store: Store, scope: Scope, since: int = 0, limit: int = 100, *,
            lock: Lock = NO_LOCK) -> dict[str, Any]:
    """The change feed after cursor ``since``: the entries of the scope's committees, and
    the cursor to ask from next."""
    with lock:
        items, cursor = _pages(store.changes, "cursor", lambda e: scope.sees(e["committee_id"]), since, limit)
    return {"since": since, "next": cursor, "items": items}


def audit(store: Store, scope: Scope, since: int = 0, limit: int = 100, *, lock: Lock = NO_LOCK) -> list[dict]:
    """The audit records after ``since`` that touch one of the scope's committees, as the
    caller may see them."""
    with lock:
        items, _ = _pages(store.audit, "seq", lambda r: any(scope.sees(c) for c in r["committee_ids"]), since, limit)
    return [audit_view(r, scope.committees) for r in items]


def audit_view(record: dict, scope) -> dict:
    """An audit record as a caller sees it: every record that touches one of its committees
    (a write by a committee above it, a move into or out of it); of a record that also
    touches committees outside its scope, the nodes there show only their kind, id, name and
    committee, and only its own committees are named."""
    if scope is None or set(record["committee_ids"]) <= scope:
        return record
    return {**record, "committee_ids": sorted(set(record["committee_ids"]) & scope), "partial": True,
            "before": _seen(record["before"], scope), "after": _seen(record["after"], scope)}


def _seen(value, scope):
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("nodes"), list):  # an import's overwritten nodes
        return {**value, "nodes": [_seen(node, scope) for node in value["nodes"]]}
    if "committee_id" in value and value["committee_id"] not in scope:
        return {k: value[k] for k in ("kind", "id", "name", "committee_id") if k in value}
    return value
