"""The web page's own data (one committee's liaison network in one answer, from
``api/verbs/page.py``) and the page itself: the HTML and script from ``web/``, the graph
and chart libraries from ``web/node_modules`` (installed from the npm registry by the
set-up command); and the API's interactive documentation, ``/docs``, on Swagger UI from the
same folder, so no request leaves the machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from liaison_graph.api.errors import ASKED, SCOPED, fails
from liaison_graph.api.params import DATE, SpanQ
from liaison_graph.api.answers import PageNetworkOut
from liaison_graph.api.days import day_of
from liaison_graph.api.service import CallerDep, ServiceDep
from liaison_graph.api.verbs.page import page_network
from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.view import OWN as OWN_SPAN

router = APIRouter(tags=["page"])
static = APIRouter(include_in_schema=False)
docs = APIRouter(include_in_schema=False)

WEB = Path(os.environ.get("LIAISON_WEB_DIR") or Path(__file__).resolve().parents[2] / "web")
VENDOR = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}
OWN = {"app.js": "application/javascript", "forms.js": "application/javascript",
       "member.js": "application/javascript", "style.css": "text/css",
       "forms.css": "text/css"}
SWAGGER = "swagger-ui-dist"
DOCS = {"swagger-ui-bundle.js": "application/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
        "favicon-32x32.png": "image/png"}


@router.get("/page/network", response_model=PageNetworkOut, response_model_exclude_unset=True,
            operation_id="get_page_network", responses=fails(ASKED, SCOPED),
            summary="页面用：一个政协的联系网络（委员、联系、缺口标记、筛选项）")
def network_view(service: ServiceDep, caller: CallerDep,
                 committee_id: Annotated[str | None, Query(max_length=100)] = None,
                 as_of: Annotated[str | None, Query(max_length=40, json_schema_extra=DATE)] = None,
                 span: SpanQ = OWN_SPAN) -> Any:
    return page_network(service.store, caller.bounds, day_of(as_of), committee_id, span, lock=service.reading)


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


@docs.get("/docs", response_class=HTMLResponse)
def api_docs():
    return get_swagger_ui_html(openapi_url="/openapi.json", title="liaison-graph 接口文档",
                               swagger_js_url="/docs/swagger-ui-bundle.js", swagger_css_url="/docs/swagger-ui.css",
                               swagger_favicon_url="/docs/favicon-32x32.png")


@docs.get("/docs/{name}")
def docs_file(name: str):
    if name not in DOCS:
        raise NotFound(f"找不到文件「{name}」")
    path = WEB / "node_modules" / SWAGGER / name
    if not path.is_file():
        raise NotFound(f"前端依赖未安装：请在项目目录运行 npm ci --prefix web（缺少 {SWAGGER}/{name}）")
    return FileResponse(path, media_type=DOCS[name])
