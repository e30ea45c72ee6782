"""The HTTP service: ``create_app(service)`` builds the FastAPI application over a store."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from liaison_graph.api import errors
from liaison_graph.api.gate import API, BOOKMARKS, READS, Gate
from liaison_graph.api.errors import ASKED, SCOPED, fails
from liaison_graph.api.routes import dossiers, edits, feeds, health, lookups, page, persons, queries, terms
from liaison_graph.api.service import Service

DESCRIPTION = ("政协“两个全覆盖”知识图谱的 HTTP 接口。每个 /api/v1 请求都须带访问令牌"
               "（Authorization: Bearer …，由 `liaison token create` 签发），只能看到令牌所属政协及其下级政协。")


def _version() -> str:
    try:
        return version("liaison-graph")
    except PackageNotFoundError:
        return "0"


def serving_app(service: Service):
    """What ``liaison serve`` runs: the application behind the gap list's fast path."""
    from liaison_graph.api.fast import FastGaps

    return FastGaps(create_app(service), service)


def operation_id(route: APIRoute) -> str:
    """A short operation id: the route's own, else its function's name (unique, checked below)."""
    return route.name


def _binary(schema) -> None:
    """A file part of a form is binary (``format: binary``), as OpenAPI 3.0 generators read it."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "contentMediaType" in schema:
            schema["format"] = "binary"
        for value in schema.values():
            _binary(value)
    elif isinstance(schema, list):
        for value in schema:
            _binary(value)


BOOKMARKS_HEADER = {"description": "图数据库（Bolt）上本次及此前写入的书签；在后续请求中原样带上，即可读到这些写入（内置库不返回）",
                    "schema": {"type": "string"}}


def openapi_of(app: FastAPI) -> dict:
    """The schema FastAPI writes, with what it cannot say from the routes alone: a file part
    is binary, ``If-Match`` is required where it is asked (its absence is answered with
    428 in the one error shape, not by the framework), and the answer to a request that may
    write can carry the Bolt store's bookmarks (``api/gate.py``)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _binary(schema.get("components", {}).get("schemas", {}))
    ids = []
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            ids.append(operation["operationId"])
            if method.upper() not in READS:
                for code, answer in operation.get("responses", {}).items():
                    if code.startswith("2"):
                        answer.setdefault("headers", {})[BOOKMARKS] = BOOKMARKS_HEADER
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                    parameter["required"] = True
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    app.openapi_schema = schema
    return schema


def create_app(service: Service) -> FastAPI:
    app = FastAPI(title="liaison-graph", version=_version(), description=DESCRIPTION,
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  generate_unique_id_function=operation_id)
    app.openapi = lambda: openapi_of(app)
    app.state.service = service
    errors.install(app)
    app.add_middleware(Gate, service=service)  # the token and the size before a body is read
    app.include_router(health.router)
    for module in (queries, lookups, dossiers, persons, terms, edits, page):
        app.include_router(module.router, prefix=API)  # each operation lists its own errors
    app.include_router(feeds.router, prefix=API, responses=fails(ASKED, SCOPED))  # reads, in scope
    app.include_router(page.static)
    app.include_router(page.docs)
    return app
