"""What every route depends on: the store behind one lock, and the caller behind a token.

The store is opened once when the service starts. Requests reach it one at a time (the
embedded store is one SQLite connection and one in-memory graph), so a reader never sees
half of a write: a route hands the lock to the verb it calls, which holds it while it reads
or writes the store. The long questions are jobs (``Service.answer``): on a process of their
own when the service has one (``long_work``, ``api/longwork.py``; ``liaison serve`` always
does), else on this connection under the lock. Each route takes ``Annotated`` dependencies
for the service and the caller; the caller's scope decides what it may see.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from liaison_graph.api.auth import Caller, authenticate
from liaison_graph.api.longwork import Job, LongWork
from liaison_graph.api.verbs import scope as scopes
from liaison_graph.graph.store import Store

__all__ = ["AdminDep", "CallerDep", "EditorDep", "Service", "ServiceDep", "authenticated", "owned", "scope_for"]



@dataclass
class Service:
    store: Store
    max_upload_bytes: int = 20 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024  # any body but an upload
    demo: bool = False
    # The process that answers the long questions (reports, recommendations, network
    # figures, diffs, exports), so that the short ones — a gap list, a lookup, an edit —
    # never wait behind them. None: they are answered here, under the lock.
    long_work: LongWork | None = None

    def __post_init__(self):
        self.lock = threading.Lock()

    def answer(self, job: Job, *args) -> Any:
        """A long question's answer, as ``job(store, lock, *args)`` gives it: worked out in
        the long questions' process when there is one, else here."""
        if self.long_work is not None:
            answer, written = self.long_work.run(job, *args, after=self.store.written())
            self.store.wrote(written)  # an upload written there: read here, and named to the client
            return answer
        return job(self.store, self.lock, *args)

    def close(self) -> None:
        if self.long_work is not None:
            self.long_work.close()
        self.store.close()


async def get_service(request: Request) -> Service:
    return request.app.state.service


bearer = HTTPBearer(auto_error=False, description="由 `liaison token create` 签发的访问令牌")


async def get_caller(
    service: Annotated[Service, Depends(get_service)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    # Checked on the event loop: a token check is a few dictionary reads once the store
    # holds the token and committee tables (it reloads them after any write).
    return authenticated(service, f"Bearer {credentials.credentials}" if credentials else None)


def authenticated(service: Service, header: str | None) -> Caller:
    """The caller behind an ``Authorization`` header, checked against the store under the
    service's lock: for the route dependency and for the gate that runs before a body is read."""
    with service.lock:
        return authenticate(service.store, header)


async def get_editor(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    caller.require("editor")
    return caller


async def get_admin(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    caller.require("admin")
    return caller


ServiceDep = Annotated[Service, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
EditorDep = Annotated[Caller, Depends(get_editor)]
AdminDep = Annotated[Caller, Depends(get_admin)]


def scope_for(caller: Caller, committee_id: str | None) -> str:
    """The committee a question is about: the one asked for (which must be in scope), or
    the token's own."""
    return caller.bounds.root(committee_id)


def owned(store: Store, caller: Caller, kind: str, node_id: str) -> dict:
    """A node's properties, if it exists and lies in the caller's scope (else not found)."""
    return scopes.owned(store, caller.bounds, kind, node_id)
