"""What every route depends on: the store behind its guards, and the caller behind a token.

The store is opened once when the service starts. Writes reach it one at a time, under the
service's ``lock``: an edit's read-check-write (the write rule on the tree, the version the
caller read) sees the store as it is before its write, and no other write of this process
comes between. Reads go under ``reading``, which the store decides (``Store.concurrent_reads``):

- the embedded store (one SQLite connection and the graph and indexes it holds in memory)
  is read by one thread at a time, so ``reading`` is the lock itself: a request reads or
  writes while no other does, and a reader never sees half of a write;
- the Bolt store (a thread-safe driver lending a connection a read, its kept tables rebuilt under
  their own locks) is read by any number of threads at once, so ``reading`` holds nothing:
  reads run side by side in the threadpool, beside a write, each read transaction seeing a
  write whole or not at all (a request's several reads may fall either side of one, as they
  may with several worker processes); ``Service.read`` moves the reads made on the event
  loop (the token check, the gap list) into the threadpool, so the loop never waits on the
  server.

A route hands the guard to the verb it calls (``lock=``), which holds it while it reads or
writes the store. The long questions are jobs (``Service.answer``): on a process of their
own when the service has one (``long_work``, ``api/longwork.py``; ``liaison serve`` always
does), else on this connection under the guard for reads, or the lock for a job that
writes. Each route takes ``Annotated`` dependencies for the service and the caller; the
caller's scope decides what it may see.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from liaison_graph.api.auth import Caller, authenticate
from liaison_graph.api.longwork import Job, LongWork
from liaison_graph.api.verbs import scope as scopes
from liaison_graph.graph.errors import Forbidden
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
    # never wait behind them. None: they are answered here, under the read guard or the lock.
    long_work: LongWork | None = None

    def __post_init__(self):
        self.lock = threading.Lock()  # every write, whatever the store
        # every read: the lock, unless the store may be read by several threads at once
        self.concurrent = self.store is not None and self.store.concurrent_reads
        self.reading = nullcontext() if self.concurrent else self.lock

    def answer(self, job: Job, *args, writes: bool = False) -> Any:
        """A long question's answer, as ``job(store, lock, *args)`` gives it: worked out in
        the long questions' process when there is one, else here, under the lock if the job
        ``writes``, else under the read guard."""
        if self.long_work is not None:
            answer, written = self.long_work.run(job, *args, after=self.store.written())
            self.store.wrote(written)  # an upload written there: read here, and named to the client
            return answer
        return job(self.store, self.lock if writes else self.reading, *args)

    async def read(self, work: Callable[..., Any], *args) -> Any:
        """``work(*args)``, a read asked on the event loop (the token check, the gap list):
        there, for a store read one thread at a time (a few dictionary reads of what it holds
        in memory); in the threadpool, for a store read by many at once (a round trip to the
        server, which the loop does not wait on)."""
        if self.concurrent:
            return await run_in_threadpool(work, *args)
        return work(*args)

    def close(self) -> None:
        if self.long_work is not None:
            self.long_work.close()
        self.store.close()


async def get_service(request: Request) -> Service:
    return request.app.state.service


bearer = HTTPBearer(auto_error=False, description="由 `liaison token create` 签发的访问令牌")


async def get_anyone(
    service: Annotated[Service, Depends(get_service)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    # A token check is a few dictionary reads once the store holds the token and committee
    # tables (it reloads them after any write): on the event loop, or beside it (Service.read).
    return await service.read(authenticated, service, f"Bearer {credentials.credentials}" if credentials else None)


async def get_caller(caller: Annotated[Caller, Depends(get_anyone)]) -> Caller:
    """A token of a committee's office; a member's own token is refused (403) here, so every
    route but the few that take ``PersonDep`` refuses it."""
    if caller.member:
        raise Forbidden(MEMBER_REFUSED)
    return caller


def authenticated(service: Service, header: str | None) -> Caller:
    """The caller behind an ``Authorization`` header, checked against the store under the
    service's read guard: for the route dependency and for the gate that runs before a body is read."""
    with service.reading:
        return authenticate(service.store, header)


MEMBER_REFUSED = "委员本人的令牌只能查看本人的联系和待联系事项、记录本人的联系"


async def get_person(caller: Annotated[Caller, Depends(get_anyone)]) -> Caller:
    """Any caller, a member's own token too: for the routes that answer a member for themself."""
    return caller


async def get_editor(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    caller.require("editor")
    return caller


async def get_admin(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    caller.require("admin")
    return caller


ServiceDep = Annotated[Service, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
PersonDep = Annotated[Caller, Depends(get_person)]
EditorDep = Annotated[Caller, Depends(get_editor)]
AdminDep = Annotated[Caller, Depends(get_admin)]


def scope_for(caller: Caller, committee_id: str | None) -> str:
    """The committee a question is about: the one asked for (which must be in scope), or
    the token's own."""
    return caller.bounds.root(committee_id)


def owned(store: Store, caller: Caller, kind: str, node_id: str) -> dict:
    """A node's properties, if it exists and lies in the caller's scope (else not found)."""
    return scopes.owned(store, caller.bounds, kind, node_id)
