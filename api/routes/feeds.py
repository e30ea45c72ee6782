"""Feeds for other tools: the graph as node-link JSON, GraphML or GEXF; roster tables as
CSV or XLSX (in the roster format, so they load back); the change feed; the audit trail."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Path as PathParam, Query
from fastapi.responses import Response
from openpyxl import Workbook

from liaison_graph.api.schemas import ChangesOut, Page
from liaison_graph.api.service import AdminDep, CallerDep, ServiceDep, scope_for, within
from liaison_graph.graph.model import model
from liaison_graph.graph.spreadsheet import CsvWriter, xlsx_row
from liaison_graph.graph.view import KIND_CODES, scope_of

router = APIRouter(tags=["feeds"])

CommitteeQ = Annotated[str | None, Query(description="政协编号（含其下级政协；默认令牌所属政协）", max_length=100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NODE_TABLES = model().node_tables()  # roster table -> the node kind its rows are
TABLES = (*NODE_TABLES, *model().edge_tables())  # the roster tables: those of nodes, then those of edges


def _scoped_graph(service, caller, committee_id):
    root = scope_for(caller, committee_id)
    with service.lock:
        scope, _ = scope_of(service.store, root)
        G = service.store.subgraph(scope)
    return scope, G


# Attribute names the GEXF writer reads as GEXF's own (a node's id, its spells, …), not as data.
GEXF_OWN = frozenset({"id", "pid", "start", "end", "viz", "parents", "slices", "spells", "weight", "networkx_key"})


def _for_gexf(H: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The export graph for GEXF: a stored property named like one of GEXF's own attributes
    is written as "property:<name>" (the graph is the export's own copy)."""
    for data in (*(d for _, d in H.nodes(data=True)), *(d for _, _, d in H.edges(data=True))):
        for name in GEXF_OWN & data.keys():
            data[f"property:{name}"] = data.pop(name)
    return H


def _flat(value):
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


def export_graph(G, scope) -> nx.MultiDiGraph:
    """The scoped graph with string node ids ("Member:XS-M0001") and flat attributes; far
    ends outside the scope are left out, so nothing of another committee leaks."""
    def keep(node, data):
        return data.get("committee_id") in scope

    out = nx.MultiDiGraph()
    for node, data in G.nodes(data=True):
        if keep(node, data):
            attrs = {"type": KIND_CODES.get(node[0], node[0]), "label": data.get("name", node[1])}
            # Stored properties go in as a dict, never as keyword arguments (a property may be
            # named like a parameter); the export's own type and label stand over any of their names.
            attrs.update((k, _flat(v)) for k, v in within(data, scope).items()
                         if v is not None and k not in attrs and k != "node_kind")
            out.add_nodes_from([(f"{node[0]}:{node[1]}", attrs)])
    for src, dst, key, data in G.edges(keys=True, data=True):
        s, d = f"{src[0]}:{src[1]}", f"{dst[0]}:{dst[1]}"
        if s in out and d in out:
            attrs = {"type": data["edge_kind"]}
            attrs.update((k, _flat(v)) for k, v in data.items() if v is not None and k not in attrs and k != "edge_kind")
            out.add_edges_from([(s, d, f"{key[0]}|{key[1]}", attrs)])
    return out


@router.get("/export/graph", summary="图：node-link JSON、GraphML 或 GEXF（Gephi）",
            response_class=Response,
            responses={200: {"content": {"application/json": {}, "application/graphml+xml": {}, "application/gexf+xml": {}}}})
def graph_feed(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None,
               format: Literal["node-link", "graphml", "gexf"] = "node-link"):
    scope, G = _scoped_graph(service, caller, committee_id)
    H = export_graph(G, scope)
    if format == "node-link":
        data = nx.node_link_data(H, edges="links")
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")
    buf = io.BytesIO()
    if format == "graphml":
        nx.write_graphml(H, buf)
        media = "application/graphml+xml"
    else:
        nx.write_gexf(_for_gexf(H), buf)
        media = "application/gexf+xml"
    return Response(buf.getvalue(), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="liaison-graph.{format}"'})


def _cell(column, value):
    if value is None or value == []:
        return None
    m = model()
    if column.enum:
        values = value if isinstance(value, list) else [value]
        return "、".join(m.label(column.enum, v) for v in values)
    return _flat(value)


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
                tail[i] = _flat(v)
        rows.append([_cell(c, r.get(c.name)) for c in columns] + tail)
    return headers, rows


@router.get("/export/tables/{table}", summary="名单表（与导入格式相同）：CSV 或 XLSX", response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def table_feed(service: ServiceDep, caller: CallerDep,
               table: Annotated[Literal[TABLES], PathParam()],
               committee_id: CommitteeQ = None, format: Literal["csv", "xlsx"] = "csv"):
    scope, G = _scoped_graph(service, caller, committee_id)
    headers, rows = table_rows(G, scope, table)
    if format == "csv":
        buf = io.StringIO()
        writer = CsvWriter(buf)
        writer.writerow(headers)
        writer.writerows(rows)
        return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})
    wb = Workbook()
    ws = wb.active
    ws.title = model().tables[table].label
    ws.append(xlsx_row(ws, headers))
    for row in rows:
        ws.append(xlsx_row(ws, row))
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{table}.xlsx"'})


def scoped_pages(fetch, position: str, visible, since: int, limit: int) -> tuple[list[dict], int]:
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


@router.get("/changes", response_model=ChangesOut, summary="变更流：自游标 since 之后的写入（按政协，令牌范围内）")
def changes(service: ServiceDep, caller: CallerDep,
            since: Annotated[int, Query(ge=0, le=2**62, description="上次得到的 next；0 为从头")] = 0,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    with service.lock:
        items, cursor = scoped_pages(service.store.changes, "cursor", lambda e: e["committee_id"] in caller.scope,
                                     since, limit)
    return {"since": since, "next": cursor, "items": items}


@router.get("/audit", response_model=Page, summary="审计记录（管理员；令牌范围内）")
def audit(service: ServiceDep, caller: AdminDep,
          since: Annotated[int, Query(ge=0, le=2**62)] = 0,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    with service.lock:
        items, _ = scoped_pages(service.store.audit, "seq", lambda r: bool(set(r["committee_ids"]) & caller.scope),
                                since, limit)
    items = [audit_view(r, caller.scope) for r in items]
    return {"total": len(items), "limit": limit, "offset": 0, "items": items}


def audit_view(record: dict, scope) -> dict:
    """An audit record as a caller sees it: every record that touches one of its committees
    (a write by a committee above it, a move into or out of it); of a record that also
    touches committees outside its scope, the nodes there show only their kind, id, name and
    committee, and only its own committees are named."""
    if set(record["committee_ids"]) <= scope:
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
