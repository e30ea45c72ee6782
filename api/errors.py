"""One error shape for every failure of the HTTP API.

Every error answer is ``{"error": {"status", "code", "message", "field", "value",
"details"}}``: ``code`` a stable English identifier, ``message`` one Chinese line a
person can read, ``field`` and ``value`` naming the input at fault when there is one.
Product errors (the :class:`~graph.errors.LiaisonError` tree) are converted here, at the
edge, and nowhere else; anything unexpected becomes a 500 with no traceback.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison_graph.api.schemas import ErrorOut
from liaison_graph.graph import errors as e

log = logging.getLogger(__name__)

STATUS = [
    (e.Unauthorized, 401),
    (e.Forbidden, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.TooLarge, 413),
    (e.StoreError, 503),
    (e.Unavailable, 503),
    (e.LiaisonError, 422),  # bad input of every other kind: rows, arguments, rules, policies
]
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "validation_error", 428: "precondition_required", 500: "server_error", 503: "unavailable"}
HTTP_MESSAGES = {400: "请求有误", 404: "找不到该地址", 405: "该地址不支持此请求方法", 401: "缺少或无效的访问令牌"}


class PreconditionRequired(e.LiaisonError):
    code = "precondition_required"


def visible(text: str) -> str:
    """Text as it can be written out: a lone UTF-16 surrogate (which no encoder takes) as
    its escape, ``\\ud800``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _printable(value):
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def body(status: int, code: str, message: str, field: str | None = None, value=None, details: dict | None = None) -> dict:
    return _printable({"error": {"status": status, "code": code, "message": message, "field": field,
                                 "value": None if value is None else str(value), "details": details or {}}})


def respond(status: int, content: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=content, headers=headers)


def status_of(exc: e.LiaisonError) -> int:
    if isinstance(exc, PreconditionRequired):
        return 428
    return next(status for cls, status in STATUS if isinstance(exc, cls))


def from_liaison_error(exc: e.LiaisonError) -> JSONResponse:
    status = status_of(exc)
    details = dict(exc.details)
    field = details.pop("field", None) or details.get("header") or details.get("column")
    value = details.pop("value", None)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return respond(status, body(status, exc.code, exc.message, field, value, details), headers)


def allowed(request: Request) -> str:
    """Every method the application takes at this path, as its OpenAPI schema lists them (a
    route answers 405 knowing only its own methods)."""
    path = request.url.path
    methods = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


def _location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "header"))


def install(app: FastAPI) -> None:
    @app.exception_handler(e.LiaisonError)
    async def liaison_error(request: Request, exc: e.LiaisonError):
        return from_liaison_error(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":  # not JSON at all: the request, not a value, is wrong
            position = (first.get("loc") or (None,))[-1]
            where = f"（第 {position} 个字符处）" if isinstance(position, int) else ""
            return respond(400, body(400, "bad_request", f"请求内容不是有效的 JSON{where}",
                                     details={"position": position}))
        field = _location(tuple(first.get("loc", ()))) or None
        value = first.get("input")
        if isinstance(value, (dict, list, bytes)):
            value = None
        message = ((f"参数「{field}」" if field else "请求内容") + (f"的值「{value}」" if value is not None else "")
                   + f"无效：{first.get('msg', '')}")
        problems = [{"field": _location(tuple(p.get("loc", ()))), "problem": p.get("msg")} for p in exc.errors()]
        return respond(422, body(422, "validation_error", message, field, value, {"problems": problems}))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = HTTP_CODES.get(exc.status_code, "error")
        message = HTTP_MESSAGES.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else code)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed(request) or headers.get("Allow", "")
        return respond(exc.status_code, body(exc.status_code, code, message), headers or None)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(500, body(500, "server_error", "服务器内部错误，已记录日志"))

ERROR_TEXT = {400: "请求内容不是有效的 JSON 或表单", 401: "缺少或无效的访问令牌", 403: "令牌无权访问",
              404: "不存在或不在令牌范围内", 405: "该地址不支持此请求方法", 409: "版本冲突或已存在",
              413: "请求内容或上传过大", 422: "参数或数据有误", 428: "缺少 If-Match", 500: "服务器内部错误",
              503: "库不可用"}
# What every operation under /api/v1 may answer, and what some add.
ASKED = (401, 403, 405, 422, 500, 503)  # a token (and its role), a parameter, the store
SCOPED = (403, 404)  # a committee or an id outside the token's scope, or none such
WRITTEN = (400, 403, 409, 413)  # a body, an editor's role, a write that collides
VERSIONED = (428,)  # If-Match


def fails(*groups: tuple[int, ...], answers: dict | None = None) -> dict:
    """An operation's ``responses``: its error statuses, each in the one error shape
    (``ErrorOut``), and any answers of its own."""
    codes = sorted({code for group in groups for code in group})
    return {**{code: {"model": ErrorOut, "description": ERROR_TEXT[code]} for code in codes}, **(answers or {})}
