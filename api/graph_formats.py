"""How the export graph (``api/verbs/exports.py``: ``graph``) is written for other tools:
node-link JSON, GraphML and GEXF 1.3. Every format names a node by the same id
("Member:XS-M0001") and an edge by the same unique id; how each opens in Gephi, networkx
and igraph is docs/EXPORTS.md.

- node-link JSON: networkx's node-link form with the edges under "links" (read it back with
  ``nx.node_link_graph(data, edges="links")``); list properties are JSON arrays.
- GraphML: written by networkx; GraphML has no list type, so a list is joined with "、".
- GEXF 1.3, valid against the official schema: directed, ``mode="dynamic"`` with
  ``timeformat="date"``. A node with a term (a member, a party organisation, an activity)
  carries its start and end; a liaison its own; an edge derived from its source's roster row
  (a membership, a member's committee, a party organisation's parent) its source's term; a
  contact is a point in time (start and end on its day). The relation is the edge's ``kind``
  (and its ``type`` attribute, as in the other formats), lists are ``liststring``."""

from __future__ import annotations

import io
import json
from datetime import date
from xml.etree import ElementTree as ET

import networkx as nx

from liaison_graph.graph.model import model

GRAPH_MEDIA = {"node-link": "application/json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}

GEXF_NS = "http://gexf.net/1.3"
GEXF_SCHEMA = "http://gexf.net/1.3/gexf.xsd"
LIST_JOIN = "、"


def graph_bytes(H: nx.MultiDiGraph, fmt: str) -> bytes:
    """The export graph in a format of ``GRAPH_MEDIA``."""
    return {"node-link": node_link_bytes, "graphml": graphml_bytes, "gexf": gexf_bytes}[fmt](H)


# --- node-link -------------------------------------------------------------------------------
def node_link_bytes(H: nx.MultiDiGraph) -> bytes:
    return json.dumps(nx.node_link_data(H, edges="links"), ensure_ascii=False).encode()


# --- GraphML ---------------------------------------------------------------------------------
def _joined(data: dict) -> dict:
    return {k: LIST_JOIN.join(map(str, v)) if isinstance(v, list) else v for k, v in data.items()}


def graphml_bytes(H: nx.MultiDiGraph) -> bytes:
    """GraphML with the edge's unique id as its ``id`` (networkx writes a multigraph's key there)."""
    flat = nx.MultiDiGraph()
    flat.add_nodes_from((n, _joined(d)) for n, d in H.nodes(data=True))
    flat.add_edges_from((u, v, k, _joined(d)) for u, v, k, d in H.edges(keys=True, data=True))
    buf = io.BytesIO()
    nx.write_graphml(flat, buf)
    return buf.getvalue()


# --- GEXF 1.3 --------------------------------------------------------------------------------
def _day(value) -> str | None:
    """An ISO day as GEXF's ``date`` takes it, or None."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _span(data: dict) -> tuple[str | None, str | None]:
    start, end = _day(data.get("start_date")), _day(data.get("end_date"))
    if start and end and end < start:  # not a time Gephi can place: left without a span
        return None, None
    return start, end


def _edge_span(H: nx.MultiDiGraph, src: str, data: dict) -> tuple[str | None, str | None]:
    if data.get("type") == "CONTACTED":  # a contact happens on a day
        day = _day(data.get("date"))
        return day, day
    if "start_date" in data or "end_date" in data:  # a liaison holds for its own time
        return _span(data)
    rel = model().edges.get(data.get("type"))
    if rel is not None and rel.from_row:  # it holds while its source's row does
        return _span(H.nodes[src])
    return None, None


def _gexf_type(values: list) -> str:
    if any(isinstance(v, list) for v in values):
        return "liststring"
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "long"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _quoted(item) -> str:
    text = str(item).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _gexf_value(kind: str, value) -> str:
    if kind == "liststring":  # GEXF 1.3's list form: [a, b], items quoted
        return "[" + ", ".join(map(_quoted, value if isinstance(value, list) else [value])) + "]"
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _declare(graph: ET.Element, cls: str, items: list[dict]) -> dict[str, str]:
    """The <attributes> of a class: one per property name (its id and title, the English
    name); returns name -> GEXF type."""
    values: dict[str, list] = {}
    for data in items:
        for k, v in data.items():
            if k != "label":
                values.setdefault(k, []).append(v)
    types = {k: _gexf_type(vs) for k, vs in values.items()}
    element = ET.SubElement(graph, "attributes", {"class": cls, "mode": "static"})
    for k, t in types.items():
        ET.SubElement(element, "attribute", {"id": k, "title": k, "type": t})
    return types


def _values(element: ET.Element, data: dict, types: dict[str, str]) -> None:
    present = [(k, v) for k, v in data.items() if k in types]
    if present:
        attvalues = ET.SubElement(element, "attvalues")
        for k, v in present:
            ET.SubElement(attvalues, "attvalue", {"for": k, "value": _gexf_value(types[k], v)})


def _timed(attrs: dict, span: tuple[str | None, str | None]) -> dict:
    start, end = span
    return {**attrs, **({"start": start} if start else {}), **({"end": end} if end else {})}


def gexf_bytes(H: nx.MultiDiGraph) -> bytes:
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                               "xsi:schemaLocation": f"{GEXF_NS} {GEXF_SCHEMA}", "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "liaison-graph"
    ET.SubElement(meta, "description").text = "政协联系网络（节点与关系随任期、联系期限变化）"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date",
                                          "timerepresentation": "interval", "idtype": "string"})
    node_types = _declare(graph, "node", [d for _, d in H.nodes(data=True)])
    edge_types = _declare(graph, "edge", [d for _, _, d in H.edges(data=True)])
    nodes = ET.SubElement(graph, "nodes", {"count": str(H.number_of_nodes())})
    for n, data in H.nodes(data=True):
        node = ET.SubElement(nodes, "node", _timed({"id": n, "label": str(data.get("label", n))}, _span(data)))
        _values(node, data, node_types)
    edges = ET.SubElement(graph, "edges", {"count": str(H.number_of_edges())})
    for u, v, k, data in H.edges(keys=True, data=True):
        attrs = {"id": str(k), "source": u, "target": v, "kind": str(data.get("type", "")),
                 "label": str(data.get("label", ""))}
        edge = ET.SubElement(edges, "edge", _timed(attrs, _edge_span(H, u, data)))
        _values(edge, data, edge_types)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
