"""Feeds for other tools, within the caller's scope: the graph, the roster tables (in the
roster format, so they load back), the change feed and the audit trail; and, for the whole
store only, its roster graph as stored, for a graph server's bulk import. How each is
written out (node-link JSON, GraphML, GEXF, CSV, a workbook) is the caller's edge's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, within
from liaison_graph.graph.errors import Forbidden
from liaison_graph.graph.model import model
from liaison_graph.graph.requirement import REVIEW
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import KIND_CODES, scope_of

NODE_TABLES = model().node_tables()  # roster table -> the node kind its rows are
TABLES = (*NODE_TABLES, *model().edge_tables())  # the roster tables: those of nodes, then those of edges


def whole(store: Store, scope: Scope, *, lock: Lock = NO_LOCK) -> dict:
    """Every node and edge of the roster with its stored properties (``Store.dump``), none of
    the store's own records (tokens, sequences, change feed, audit trail): of the whole store
    only, for ``liaison export --neo4j-admin``."""
    if not scope.whole:
        raise Forbidden("令牌无权导出整个库")
    with lock:
        return store.dump()


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
    """The graph of a committee and those below it, for export (list properties kept as lists:
    each format writes them its own way, ``api/graph_formats.py``)."""
    part, G = _part(store, scope, committee_id, lock)
    return export_graph(G, part, lists=True)


# Attribute names the export gives itself, or that a reader of one of the formats sets from the
# file's own markup (a GEXF edge's id, kind, weight, start …): a stored property of such a name
# is exported as "property:<name>", except a node's stored id, which is its "roster_id".
NODE_OWN = frozenset({"id", "type", "label", "roster_id", "start", "end", "spells", "pid", "viz", "parents"})
EDGE_OWN = frozenset({"id", "key", "source", "target", "type", "label", "kind", "start", "end", "spells", "weight",
                      "networkx_key"})


def _own(name: str, own: frozenset) -> str:
    return f"property:{name}" if name in own else name


def export_graph(G, scope, *, lists: bool = False) -> nx.MultiDiGraph:
    """The scoped graph for export, one id per node in every format ("Member:XS-M0001": the
    kind and the stored id, since ids are unique only within a kind) and one unique id per
    edge (its key: source, relation, target and, for liaisons and contacts, the stored key);
    nodes carry ``type`` (the kind's code), ``label`` and ``roster_id``, edges ``type`` (the
    relation) and ``label``; list properties stay lists with ``lists``, else are joined.
    Far ends outside the scope are left out, so nothing of another committee leaks."""
    value = (lambda v: list(v) if isinstance(v, list) else v) if lists else flat
    relations = model().edges
    out = nx.MultiDiGraph()
    for node, data in G.nodes(data=True):
        if data.get("committee_id") in scope:
            attrs = {"type": KIND_CODES.get(node[0], node[0]), "label": data.get("name", node[1]), "roster_id": node[1]}
            # Stored properties go in as a dict, never as keyword arguments (a property may be
            # named like a parameter).
            attrs.update((_own(k, NODE_OWN), value(v)) for k, v in within(data, scope).items()
                         if v is not None and k not in ("node_kind", "id"))
            out.add_nodes_from([(f"{node[0]}:{node[1]}", attrs)])
    ids: set[str] = set()
    for src, dst, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        s, d = f"{src[0]}:{src[1]}", f"{dst[0]}:{dst[1]}"
        if s in out and d in out:
            kind = data["edge_kind"]
            stored = key[1] if isinstance(key, tuple) and len(key) > 1 else ""
            edge_id = "|".join((s, kind, d, *([str(stored)] if stored else [])))
            n, unique = 1, edge_id
            while unique in ids:  # a name that holds the separator could repeat another edge's id
                n += 1
                unique = f"{edge_id}#{n}"
            ids.add(unique)
            rel = relations.get(kind)
            attrs = {"type": kind, "label": rel.label if rel else kind}
            attrs.update((_own(k, EDGE_OWN), value(v)) for k, v in data.items() if v is not None and k != "edge_kind")
            out.add_edges_from([(s, d, unique, attrs)])
    return out


@dataclass(frozen=True)
class Table:
    name: str  # the roster table's English name
    label: str  # and its Chinese one
    headers: list[str]  # Chinese, as the roster format has them, then the extra columns
    rows: list[list]
    dates: frozenset[int] = frozenset()  # the positions of the date columns (their cells ISO text)


def table(store: Store, scope: Scope, name: str, committee_id: str | None = None, *, lock: Lock = NO_LOCK) -> Table:
    """One roster table of a committee and those below it, as an office writes it, so that
    it loads back unchanged: a reference to something the caller may see is kept (an
    organisation's parent, a committee's parent within the scope), one to what lies outside
    the caller's scope is left empty (the county's own row does not name its city)."""
    root = scope.root(committee_id)
    with lock:
        part, committees = scope_of(store, root)
        G = store.subgraph(part)
        part = part if part is not None else frozenset(committees)
        owners = _owners(store, G, part, name) if scope.committees is not None else {}
    headers, rows = table_rows(G, part, name, scope.committees, owners)
    spec = model().tables[name]
    dates = frozenset(i for i, c in enumerate(spec.columns.values()) if c.type == "date")
    return Table(name, spec.label, headers, rows, dates)


def _refs(table: str):
    """The node tables' columns that name another node: (column, the kind it names)."""
    return [(c.name, c.ref) for c in model().tables[table].columns.values() if c.ref and c.ref != "Committee"]


def _owners(store: Store, G, scope, table: str) -> dict[tuple[str, str], str | None]:
    """The committee of every node a row of ``table`` names, read from the store where the
    part does not hold it (a parent organisation of another committee)."""
    if table not in NODE_TABLES:
        return {}
    kind, wanted = NODE_TABLES[table], {}
    for n, d in G.nodes(data=True):
        if n[0] == kind and d.get("committee_id") in scope:
            for column, ref in _refs(table):
                value = d.get(column)
                for v in value if isinstance(value, list) else [value] if value is not None else []:
                    wanted.setdefault(ref, set()).add(v)
    out = {}
    for ref, ids in wanted.items():
        held = {i: G.nodes[(ref, i)].get("committee_id") for i in ids if (ref, i) in G}
        missing = ids - held.keys()
        if missing:
            held.update(store.committees_of(ref, missing))
        out.update(((ref, i), c) for i, c in held.items())
    return out


def _cell(column, value):
    if value is None or value == []:
        return None
    if column.enum:
        values = value if isinstance(value, list) else [value]
        return "、".join(model().label(column.enum, v) for v in values)
    return flat(value)


def _shown(table: str, props: dict, visible, owners) -> dict:
    """A row's references as a caller may see them: a committee's parent outside the
    caller's committees (``visible``; None: all) is not named, nor a node of a committee
    outside them (by ``owners``: (kind, id) -> committee; a node it does not know is
    kept as named). Every other reference is kept, so the hierarchy loads back as it was."""
    if visible is None:
        return props
    out = props
    if table == "committees":
        parent = props.get("parent_id")
        if parent is not None and parent not in visible:
            out = {k: v for k, v in props.items() if k != "parent_id"}
        return out
    for column, ref in _refs(table):
        value = props.get(column)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        kept = [v for v in items if owners.get((ref, v)) in visible or owners.get((ref, v)) is None]
        if len(kept) != len(items):
            out = {**out}
            if isinstance(value, list) and kept:
                out[column] = kept
            else:
                out.pop(column)
    return out


def edge_ends(table: str) -> tuple[str, ...]:
    """The columns of an edge table's row that name its source and its target: those naming a
    node (a liaison's target: ``to``); a contact with the masses names its member alone (its
    sector is the member's, found again as the row loads)."""
    columns = model().tables[table].columns
    return tuple(name for name, c in columns.items() if c.ref or name == "to")


def table_rows(G, scope, table: str, visible=..., owners=None) -> tuple[list[str], list[list]]:
    """Rows of one roster table, headed in Chinese, values as an office writes them: those of
    the committees ``scope``, with references to what the caller may see (``visible``: its
    committees, None for all; by default the scope's)."""
    visible = scope if visible is ... else visible
    owners = owners or {}
    spec = model().tables[table]
    columns = list(spec.columns.values())
    rows = []
    if table in NODE_TABLES:
        kind = NODE_TABLES[table]
        records = [_shown(table, d, visible, owners) for n, d in sorted(G.nodes(data=True))
                   if n[0] == kind and d.get("committee_id") in scope]
    else:
        rel = model().edge_tables()[table]
        ends = edge_ends(table)
        records = []
        for src, dst, _, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
            if d["edge_kind"] == rel and G.nodes[src].get("committee_id") in scope and REVIEW not in d:
                # a contact waiting for the office is no roster row: loaded back, it would count
                records.append({**d, ends[0]: src[1], **({ends[1]: dst[1]} if len(ends) > 1 else {})})
    # the stores' own properties, and a committee's committee_id (its own id, set by the loader)
    known = set(spec.columns) | {"node_kind", "edge_kind", "cpc"} | model().reserved_names(table)
    if table == "committees":
        known.add("committee_id")
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
