"""The web page's own data (one committee's liaison network in one answer) and the page
itself: the HTML and script from ``web/``, the graph and chart libraries from
``web/node_modules`` (installed from the npm registry by the set-up command)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from liaison_graph.api.service import CallerDep, ServiceDep, day_of, scope_for
from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.model import model
from liaison_graph.graph.reach import view_gaps
from liaison_graph.graph.flagship import RULES
from liaison_graph.graph.view import DEFAULT_POSITION, open_view

router = APIRouter(tags=["page"])
static = APIRouter(include_in_schema=False)

WEB = Path(os.environ.get("LIAISON_WEB_DIR") or Path(__file__).resolve().parents[2] / "web")
VENDOR = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}
OWN = {"app.js": "application/javascript", "style.css": "text/css"}
DEMOCRATIC = model().marked("affiliation", "democratic")  # the democratic parties (model.yaml)


def party_of(member: dict) -> str:
    affiliation = set(member.get("affiliation") or [])
    if member.get("cpc"):
        return "cpc"
    return "democratic" if affiliation & DEMOCRATIC else "non_party"


@router.get("/page/network", summary="页面用：一个政协的联系网络（委员、联系、缺口标记、筛选项）")
def network_view(service: ServiceDep, caller: CallerDep,
                 committee_id: Annotated[str | None, Query(max_length=100)] = None,
                 as_of: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    day = day_of(as_of)
    cid = scope_for(caller, committee_id)
    with service.lock:
        view = open_view(service.store, day, cid)
    gaps = {rule: {i["id"] for i in view_gaps(view, rule) if i["committee_id"] == cid}
            for rule in RULES}
    nodes, ids = [], set()
    for node, data in view.nodes("Member"):
        if data.get("committee_id") != cid:
            continue
        ids.add(node)
        gap = next((rule for rule, members in gaps.items() if node[1] in members), None)
        nodes.append({"id": node[1], "name": data.get("name"), "sector": data.get("sector"),
                      "activity_group": data.get("activity_group"),
                      "special_committees": data.get("special_committees") or [],
                      "position": data.get("position") or DEFAULT_POSITION, "party": party_of(data), "gap": gap})
    edges = []
    for node in sorted(ids):
        for target, edge in view.liaisons_out(node):
            if target in ids:
                edges.append({"from": node[1], "to": target[1], "mechanism": edge.get("mechanism")})
    committee = view.committees.get(cid, {})

    def options(key):
        values = set()
        for n in nodes:
            v = n[key]
            values.update(v if isinstance(v, list) else [v] if v else [])
        return sorted(values)

    return {"committee_id": cid, "committee_name": committee.get("name"), "as_of": day.isoformat(),
            "nodes": nodes, "edges": edges, "sectors": options("sector"),
            "activity_groups": options("activity_group"), "special_committees": options("special_committees"),
            "gap_counts": {rule: len(m) for rule, m in gaps.items()}}


@static.get("/", response_class=HTMLResponse)
def index():
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")


@static.get("/favicon.ico")
def favicon():
    return Response(status_code=204)


@static.get("/static/{name}")
def own_file(name: str):
    if name not in OWN:
        raise NotFound(f"找不到文件「{name}」")
    return FileResponse(WEB / name, media_type=f"{OWN[name]}; charset=utf-8")


@static.get("/vendor/{name}")
def vendor_file(name: str):
    if name not in VENDOR:
        raise NotFound(f"找不到文件「{name}」")
    path = WEB / "node_modules" / VENDOR[name]
    if not path.is_file():
        raise NotFound(f"前端依赖未安装：请在项目目录运行 npm ci --prefix web（缺少 {VENDOR[name]}）")
    return FileResponse(path, media_type="application/javascript; charset=utf-8")
