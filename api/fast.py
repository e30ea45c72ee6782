"""The busiest read, a committee's gap list, answered before the framework.

``GET /api/v1/gaps/{rule}`` is what dashboards and other tools poll. Routing, dependency
resolution and response classes cost several times the answer itself (read from the
store's maintained indexes), so this thin ASGI layer answers a well-formed request with the
same code the route uses: the same token check, the same scope check, the same body, read
after the writes the request's bookmarks name (as ``api/gate.py`` describes), on the event
loop or, for a store read by many threads at once, beside it (``Service.read``). Any
request it does not recognise exactly, and any fault (a bad token, a committee out of
scope, a bad date, a member's own token), goes on to the application, which answers it as
it always does.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from liaison_graph.api.auth import authenticate
from liaison_graph.api.bodies import gaps_body
from liaison_graph.api.gate import BOOKMARKS
from liaison_graph.api.params import AS_OF_MAX, COMMITTEE_MAX
from liaison_graph.api.service import Service
from liaison_graph.graph.errors import LiaisonError
from liaison_graph.graph.flagship import RULES

PREFIX = "/api/v1/gaps/"
BOOKMARKS_KEY = BOOKMARKS.lower().encode("latin-1")  # the header as ASGI hands it over
PARAMS = {"as_of": AS_OF_MAX, "committee_id": COMMITTEE_MAX}  # the query parameters the route takes


class FastGaps:
    def __init__(self, app, service: Service):
        self.app = app
        self.service = service
        self.answered = 0  # requests answered here

    async def __call__(self, scope, receive, send):
        asked = scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(PREFIX)
        body = await self.service.read(self._answer, scope) if asked else None
        if body is None:
            await self.app(scope, receive, send)
            return
        self.answered += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope) -> bytes | None:
        path = scope["path"]
        if not path.startswith(PREFIX) or path[len(PREFIX):] not in RULES:
            return None
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        query = dict(pairs)
        if len(query) != len(pairs) or any(k not in PARAMS or len(v) > PARAMS[k] for k, v in query.items()):
            return None
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None)
        bookmarks = next((v.decode("latin-1") for k, v in scope["headers"] if k == BOOKMARKS_KEY), None)
        try:
            with self.service.store.after(bookmarks):
                with self.service.reading:
                    caller = authenticate(self.service.store, header)
                if caller.member:  # a member's own token: the application refuses it
                    return None
                return gaps_body(self.service, caller, path[len(PREFIX):], query.get("as_of"), query.get("committee_id"))
        except LiaisonError:
            return None

    def __getattr__(self, name):  # the application's own attributes (state, openapi, …)
        return getattr(self.app, name)
