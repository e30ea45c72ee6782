"""What a request must pass before the application reads its body.

FastAPI reads and parses a request's body before it resolves the route's dependencies,
so a token checked in a dependency comes after a body of any size has been read. This
plain ASGI layer runs first, for every request:

- Under ``/api/v1``, a request that may carry a body (any method but GET, HEAD and
  OPTIONS, and any request that declares a body) needs a valid token before a byte of
  its body is read: 401 in the one error shape otherwise. The route's dependency checks
  the token again, with the same function, and hands the caller to the route.
- A body has a limit: an upload (multipart) the service's upload limit and a little room
  for the parts' headers; any other body ``Service.max_json_bytes``. A declared length
  over the limit is refused at once (413); a body without one is counted as it arrives
  and cut off at the limit (413). The upload route keeps its own check of the files.
- Bookmarks (``X-Liaison-Bookmarks``, ``BOOKMARKS``): every read of a request that sends
  them waits until the store holds the writes they name, and the answer to every request
  that may write (any method but GET, HEAD and OPTIONS) carries the bookmarks of the
  writes this process has made, the request's own among them. A client that sends back
  what it was given reads its own writes, whichever worker, long questions' process or
  cluster member answers next. The embedded store needs none: it sends none and ignores
  what it is sent.
- A JSON body must be text: a lone UTF-16 surrogate (``"\\ud800"``: valid JSON syntax,
  but no character; it cannot be stored or written out) is refused with 422 naming the
  field, before any route sees it.

An answer given before the body is read closes the connection, so the server does not
go on receiving a body nobody will read.
"""

from __future__ import annotations

import json
import re
from email.message import Message

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from liaison_graph.api.errors import body, from_liaison_error, respond, visible
from liaison_graph.api.service import Service, authenticated
from liaison_graph.graph.errors import BadArgument, LiaisonError, TooLarge

API = "/api/v1"
BOOKMARKS = "X-Liaison-Bookmarks"
READS = {"GET", "HEAD", "OPTIONS"}
MULTIPART_ROOM = 64 * 1024  # the parts' boundaries and headers around the files
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # a JSON escape of a surrogate, paired or not


class _Refused(Exception):
    """Raised into the application when its body is refused part-way."""


def _closing(response):
    response.headers["connection"] = "close"
    return response


def is_json(content_type: str | None) -> bool:
    """A body FastAPI parses as JSON: no content type, ``application/json`` or ``…+json``."""
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _lone(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # after decoding, a pair is one character: what is left is alone
        return True
    return False


def _find(value, path: tuple):
    if isinstance(value, str):
        return (path, value) if _lone(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and _lone(key):
            return (*path, key), key
        found = _find(item, (*path, key))
        if found:
            return found
    return None


def lone_surrogate(raw: bytes) -> tuple[str, str] | None:
    """The first field of a JSON document that holds a lone surrogate, and its text (both
    with the surrogate written as an escape), or None. A body that is not JSON is left to
    the application, which says so."""
    if not SURROGATE_ESCAPE.search(raw):
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    found = _find(doc, ())
    if found is None:
        return None
    path, text = found
    return visible(".".join(str(part) for part in path)), visible(text)


class Gate:
    """The ASGI layer described above, around the FastAPI application."""

    def __init__(self, app: ASGIApp, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        store = self.service.store
        if store is None:  # an application built only for its schema
            await self._gate(scope, receive, send, headers)
            return
        try:
            after = store.after(headers.get(BOOKMARKS))
        except LiaisonError:
            refused = BadArgument(f"请求头 {BOOKMARKS} 无效：应原样交回写入后响应中的该请求头", field=BOOKMARKS)
            await from_liaison_error(refused)(scope, receive, send)
            return
        if scope["method"] not in READS:
            send = _with_bookmarks(send, store)
        with after:
            await self._gate(scope, receive, send, headers)

    async def _gate(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        declared = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
        if not declared and scope["method"] in READS:  # no body: nothing to guard
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == API or path.startswith(API + "/"):
            try:
                await self.service.read(authenticated, self.service, headers.get("authorization"))
            except LiaisonError as exc:
                await _closing(from_liaison_error(exc))(scope, receive, send)
                return
        content_type = headers.get("content-type")
        upload = (content_type or "").lower().startswith("multipart/")
        limit = self.service.max_upload_bytes + MULTIPART_ROOM if upload else self.service.max_json_bytes
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await self._too_large(upload, limit)(scope, receive, send)
            return
        reader = _Body(receive, limit, upload, is_json(content_type) and not upload, self)
        started = False

        async def guarded_send(message) -> None:
            nonlocal started
            if reader.refusal is not None and not started:
                return  # the application's answer to a body taken away from it
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, reader.receive, guarded_send)
        except Exception:
            if reader.refusal is None or started:
                raise
        if reader.refusal is not None and not started:
            await reader.refusal(scope, receive, send)

    def _too_large(self, upload: bool, limit: int):
        if upload:
            mb = self.service.max_upload_bytes // (1024 * 1024)
            exc = TooLarge(f"上传文件过大（合计上限 {mb} MB）", field="files", limit_bytes=limit)
        else:
            kb = self.service.max_json_bytes // 1024
            exc = TooLarge(f"请求内容过大（上限 {kb} KB）", limit_bytes=limit)
        return _closing(from_liaison_error(exc))


def _with_bookmarks(send: Send, store) -> Send:
    """``send`` with the store's bookmarks added to the answer's headers (when it has any)."""
    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            token = store.written()
            if token:
                message = {**message, "headers": [*message.get("headers", []),
                                                   (BOOKMARKS.lower().encode(), token.encode("ascii"))]}
        await send(message)

    return sending


class _Body:
    """The request's body as the application pulls it: counted against the limit and, for
    JSON, checked for lone surrogates once it is whole."""

    def __init__(self, receive: Receive, limit: int, upload: bool, keep: bool, gate: Gate):
        self._receive = receive
        self.limit, self.upload, self.keep, self.gate = limit, upload, keep, gate
        self.size = 0
        self.chunks: list[bytes] = []
        self.refusal = None  # the answer to send instead of the application's

    async def receive(self):
        if self.refusal is not None:
            raise _Refused
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        self.size += len(chunk)
        if self.size > self.limit:
            self.chunks = []
            self.refusal = self.gate._too_large(self.upload, self.limit)
            raise _Refused
        if self.keep and chunk:
            self.chunks.append(chunk)
        if self.keep and not message.get("more_body", False):
            found = lone_surrogate(b"".join(self.chunks))
            self.chunks = []
            if found:
                field, text = found
                message_ = f"参数「{field}」的值「{text}」含有不成对的 UTF-16 代理字符，不是有效的文字"
                self.refusal = respond(422, body(422, "validation_error", message_, field, text, {
                    "problems": [{"field": field, "problem": "lone UTF-16 surrogate"}]}))
                raise _Refused
        return message
