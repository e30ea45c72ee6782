"""The graph exports open in other tools: GEXF 1.3 and GraphML load in networkx and in graphology (under
node, tests/node: `npm ci --prefix tests/node`) with the node-link export's nodes, edges and
attributes, and one node id and one edge id stand in every format."""

from __future__ import annotations

import io
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from tests.api_fixtures import CITY, LEAK, A, open_world

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
GEXF = "{http://gexf.net/1.3}"
LISTS = ("affiliation", "special_committees", "party_org_ids")


@pytest.fixture(scope="module")
def exports(template, tmp_path_factory):
    """The city's and county A's graph in the three formats, as the API hands them out."""
    world = open_world(template, tmp_path_factory.mktemp("world"))
    try:
        out = {}
        for who in ("city_admin", "a_viewer"):
            for fmt in ("node-link", "graphml", "gexf"):
                r = world.get(who, f"/api/v1/export/graph?format={fmt}")
                assert r.status_code == 200, r.text[:300]
                out[who, fmt] = r.content
        return out
    finally:
        world.close()


def graphology(fmt: str, content: bytes, tmp_path: Path) -> dict:
    """What graphology reads from the file."""
    assert (NODE_DIR / "node_modules" / "graphology").is_dir(), "run: npm ci --prefix tests/node"
    path = tmp_path / f"graph.{fmt}"
    path.write_bytes(content)
    r = subprocess.run(["node", str(NODE_DIR / "check-graph.js"), fmt, str(path)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


def node_link(content: bytes) -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(content), edges="links")


def joined(data: dict) -> dict:
    return {k: "、".join(v) if isinstance(v, list) else v for k, v in data.items()}


@pytest.mark.parametrize("who", ["city_admin", "a_viewer"])
def test_graphology_reads_the_gexf_whole(exports, who, tmp_path):
    G = node_link(exports[who, "node-link"])
    seen = graphology("gexf", exports[who, "gexf"], tmp_path)
    assert (seen["type"], seen["multi"]) == ("directed", True)
    assert (seen["order"], seen["size"]) == (G.number_of_nodes(), G.number_of_edges())
    assert {n: a for n, a in seen["nodes"]} == dict(G.nodes(data=True))  # lists come back as lists
    edges = {k: (s, t, a) for k, s, t, a in seen["edges"]}
    assert len(edges) == G.number_of_edges()
    for u, v, k, d in G.edges(keys=True, data=True):
        assert edges[k] == (u, v, {**d, "kind": d["type"]}), k


def test_gexf_plays_through_time(exports):
    root = ET.fromstring(exports["city_admin", "gexf"])
    assert root.get("version") == "1.3" and root.tag == f"{GEXF}gexf"
    graph = root.find(f"{GEXF}graph")
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == ("dynamic", "date", "directed")
    assert graph.get("name") is None
    G = node_link(exports["city_admin", "node-link"])
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF}node")}
    for n, d in G.nodes(data=True):  # members, party organisations: their term
        assert nodes[n].get("start") == d.get("start_date") and nodes[n].get("end") == d.get("end_date"), n
    assert sum(1 for n in nodes.values() if n.get("end")) > 0
    types = {a.get("id"): a.get("type") for a in graph.iter(f"{GEXF}attribute")}
    assert all(types[name] == "liststring" for name in LISTS)
    edges = {e.get("id"): e for e in graph.iter(f"{GEXF}edge")}
    kinds = set()
    for u, _, k, d in G.edges(keys=True, data=True):
        e = edges[k]
        assert e.get("kind") == d["type"] and e.get("type") is None
        span = (e.get("start"), e.get("end"))
        if d["type"] == "CONTACTED":  # a point in time
            assert span == (d["date"], d["date"])
        elif d["type"] == "LIAISES_WITH":
            assert span == (d.get("start_date"), d.get("end_date"))
        elif d["type"] in ("IN_SECTOR", "IN_PARTY_ORG", "ON_SPECIAL_COMMITTEE", "SERVES_ON"):  # the member's term
            assert span == (G.nodes[u].get("start_date"), G.nodes[u].get("end_date"))
        elif d["type"] in ("PART_OF", "SUBORDINATE_TO"):
            assert span == (None, None)
        kinds.add(d["type"])
    assert {"CONTACTED", "LIAISES_WITH", "IN_PARTY_ORG", "PART_OF"} <= kinds


@pytest.mark.parametrize("who", ["city_admin", "a_viewer"])
def test_graphml_has_unique_edge_ids_and_loads_whole(exports, who, tmp_path):
    G = node_link(exports[who, "node-link"])
    root = ET.fromstring(exports[who, "graphml"])
    ids = [e.get("id") for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert len(ids) == len(set(ids)) == G.number_of_edges()
    H = nx.read_graphml(io.BytesIO(exports[who, "graphml"]))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert dict(H.nodes(data=True)) == {n: joined(d) for n, d in G.nodes(data=True)}
    assert {k: (u, v, d) for u, v, k, d in H.edges(keys=True, data=True)} == \
        {k: (u, v, joined(d)) for u, v, k, d in G.edges(keys=True, data=True)}
    seen = graphology("graphml", exports[who, "graphml"], tmp_path)
    assert (seen["type"], seen["order"], seen["size"]) == ("directed", G.number_of_nodes(), G.number_of_edges())
    assert {n: a for n, a in seen["nodes"]} == {n: joined(d) for n, d in G.nodes(data=True)}
    assert {k: (s, t, a) for k, s, t, a in seen["edges"]} == \
        {k: (u, v, joined(d)) for u, v, k, d in G.edges(keys=True, data=True)}


def test_one_node_id_and_one_edge_id_in_every_format(exports):
    G = node_link(exports["city_admin", "node-link"])
    member = next(n for n, d in G.nodes(data=True) if d["type"] == "member")
    assert member == f"Member:{G.nodes[member]['roster_id']}"
    ids = {"node-link": (set(G.nodes), set(k for *_, k in G.edges(keys=True)))}
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        H = read(io.BytesIO(exports["city_admin", fmt]))
        ids[fmt] = (set(H.nodes), set(k for *_, k in H.edges(keys=True)))
        assert H.nodes[member]["roster_id"] == G.nodes[member]["roster_id"]
    assert ids["graphml"] == ids["node-link"] == ids["gexf"]
    assert json.loads(nx.read_gexf(io.BytesIO(exports["city_admin", "gexf"])).nodes[member]["affiliation"]) == \
        G.nodes[member]["affiliation"]  # a GEXF list as networkx leaves it: its text


def test_a_county_exports_only_its_own(exports):
    for fmt in ("node-link", "graphml", "gexf"):
        assert not LEAK.search(exports["a_viewer", fmt].decode()), fmt
        assert CITY in exports["city_admin", fmt].decode() and A in exports["a_viewer", fmt].decode()
