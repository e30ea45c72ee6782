"""One error shape for every failure of the HTTP API.

Every error answer is ``{"error": {"status", "code", "message", "field", "value",
"details"}}``: ``code`` a stable English identifier, ``message`` one Chinese line a
person can read, ``field`` and ``value`` naming the input at fault when there is one.
Product errors (the :class:`~graph.errors.LiaisonError` tree) are converted here, at the
edge, and nowhere else; anything unexpected becomes a 500 with no traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison_graph.graph import errors as e

log = logging.getLogger(__name__)

STATUS = [
    (e.Unauthorized, 401),
    (e.Forbidden, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.TooLarge, 413),
    (e.StoreError, 503),
    (e.LiaisonError, 422),  # bad input of every other kind: rows, arguments, rules, policies
]
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "validation_error", 428: "precondition_required", 500: "server_error", 503: "unavailable"}
HTTP_MESSAGES = {404: "找不到该地址", 405: "该地址不支持此请求方法", 401: "缺少或无效的访问令牌"}


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


def _location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "header"))


def install(app: FastAPI) -> None:
    @app.exception_handler(e.LiaisonError)
    async def liaison_error(request: Request, exc: e.LiaisonError):
        return from_liaison_error(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
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
        return respond(exc.status_code, body(exc.status_code, code, message), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(500, body(500, "server_error", "服务器内部错误，已记录日志"))
