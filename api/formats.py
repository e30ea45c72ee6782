"""How an export is written out as a file: the graph as node-link JSON, GraphML or GEXF
(Gephi), a roster table as CSV (UTF-8 with a BOM, formula-like text quoted) or as a
workbook (formula-like text kept as text). The verbs (``api/verbs/exports.py``) say what is
exported; this module only writes it."""

from __future__ import annotations

import io
import json

import networkx as nx
from openpyxl import Workbook

from liaison_graph.api.verbs.exports import Table
from liaison_graph.graph.spreadsheet import CsvWriter, xlsx_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRAPH_MEDIA = {"node-link": "application/json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}

# Attribute names the GEXF writer reads as GEXF's own (a node's id, its spells, …), not as data.
GEXF_OWN = frozenset({"id", "pid", "start", "end", "viz", "parents", "slices", "spells", "weight", "networkx_key"})


def _for_gexf(H: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The export graph for GEXF: a stored property named like one of GEXF's own attributes
    is written as "property:<name>" (the graph is the export's own copy)."""
    for data in (*(d for _, d in H.nodes(data=True)), *(d for _, _, d in H.edges(data=True))):
        for name in GEXF_OWN & data.keys():
            data[f"property:{name}"] = data.pop(name)
    return H


def graph_bytes(H: nx.MultiDiGraph, fmt: str) -> bytes:
    """The export graph in a format of ``GRAPH_MEDIA``."""
    if fmt == "node-link":
        return json.dumps(nx.node_link_data(H, edges="links"), ensure_ascii=False).encode()
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(H, buf)
    else:
        nx.write_gexf(_for_gexf(H), buf)
    return buf.getvalue()


def table_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return "\ufeff" + buf.getvalue()


def table_xlsx(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.label
    ws.append(xlsx_row(ws, table.headers))
    for row in table.rows:
        ws.append(xlsx_row(ws, row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
