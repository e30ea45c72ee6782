"""The HTTP service: ``create_app(service)`` builds the FastAPI application over a store."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from liaison_graph.api import errors
from liaison_graph.api.gate import API, Gate
from liaison_graph.api.routes import edits, feeds, health, lookups, page, queries
from liaison_graph.api.schemas import ErrorOut
from liaison_graph.api.service import Service

ERRORS = {status: {"model": ErrorOut, "description": text} for status, text in (
    (401, "缺少或无效的访问令牌"), (403, "令牌无权访问"), (404, "不存在或不在令牌范围内"),
    (409, "版本冲突或已存在"), (413, "请求内容或上传过大"), (422, "参数或数据有误"), (428, "缺少 If-Match"),
    (500, "服务器内部错误"), (503, "库不可用"))}


def _version() -> str:
    try:
        return version("liaison-graph")
    except PackageNotFoundError:
        return "0"


def serving_app(service: Service):
    """What ``liaison serve`` runs: the application behind the gap list's fast path."""
    from liaison_graph.api.fast import FastGaps

    return FastGaps(create_app(service), service)


def create_app(service: Service) -> FastAPI:
    app = FastAPI(
        title="liaison-graph",
        version=_version(),
        description="政协“两个全覆盖”知识图谱的 HTTP 接口。每个 /api/v1 请求都须带访问令牌"
                    "（Authorization: Bearer …，由 `liaison token create` 签发），只能看到令牌所属政协及其下级政协。",
    )
    app.state.service = service
    errors.install(app)
    app.add_middleware(Gate, service=service)  # the token and the size before a body is read
    app.include_router(health.router)
    for module in (queries, lookups, edits, feeds, page):
        app.include_router(module.router, prefix=API, responses=ERRORS)
    app.include_router(page.static)
    return app
