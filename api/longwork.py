"""The long questions on a process of their own, so that a short one never waits for them.

A whole-store report, a recommendation, the network figures, a diff, an export or an upload
takes seconds of the interpreter at nation scale — working it out, checking it against its answer
model, writing it as JSON or a workbook. In the serving process that time holds the
interpreter's lock, and every gap list and lookup of that process waits behind it, however
many threads answer. ``LongWork`` runs those questions instead in one process beside the
serving one, with its own connection to the store (reading after the serving process's writes: each
question carries ``Store.written``), at a lower scheduling priority
(``NICE``): the serving process only hands it the question and passes on the bytes it
answers, and the machine's cores go to the short questions first.

A job is a function at the top of a module, ``job(store, lock, *args)``, so the process can
find it by name; it returns what its route sends — bytes, or bytes with a file's name —
never a structure the serving process would still have to write out; the serving process runs the same function on its own
connection, under its lock, when it has no ``LongWork`` (``Service.answer``). A product
error raised in the job is raised again in the serving process, with its message and
details, and answered as any other. If the process dies (killed, out of memory), the
question is refused as unavailable and the next one starts a new process.

The process ends with the one that started it (``_watch``). ``die_with_parent`` is what the
service's worker processes use for the same."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from liaison_graph.api.verbs.scope import NO_LOCK
from liaison_graph.graph.errors import LiaisonError, Unavailable
from liaison_graph.graph.store import Store

__all__ = ["NICE", "LongWork", "Job", "die_with_parent"]

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h
NICE = 10  # how much lower the long questions' process is scheduled than the serving one
Job = Callable[..., Any]  # (store, lock, *args) -> the bytes a route sends (with a file's name, for a workbook)

_store: Store | None = None  # the long process's own connection
_config: dict = {}  # the options it is opened with


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when the one that started it (``parent``) ends
    (Linux only); if it has already ended — killed while this worker was starting — end now."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                log.warning("parent-death signal not set (errno %s)", ctypes.get_errno())
        except (OSError, AttributeError) as exc:  # no prctl here
            log.warning("parent-death signal not available: %s", exc)
    if os.getppid() != parent:
        os._exit(0)


def _watch(parent: int) -> None:
    """End this process once the one that started it (``parent``) has ended. (Not the kernel's
    parent-death signal: that follows the thread that started a process, and a replacement
    long process is started from a request's thread, which may end long before the service.)"""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start(config: dict, parent: int, nice: int) -> None:
    """In the long process, once: end with the serving process, step down, open the store
    (if it cannot be opened now, each question tries again and answers why it could not)."""
    global _config
    _config = config
    _watch(parent)
    if nice:
        os.nice(nice)
    try:
        _opened()
    except LiaisonError as exc:
        log.warning("long questions' process %s could not open the store yet: %s", os.getpid(), exc)
    log.info("long questions' process %s ready (nice %s)", os.getpid(), nice)


def _opened() -> Store:
    global _store
    if _store is None:
        from liaison_graph.api.commands.stores import open_store

        _store = open_store(_config)
    return _store


def _run(job: Job, args: tuple, after: str | None = None) -> tuple[Any, str | None]:
    """In the long process: one question, read after the writes ``after`` names (the serving
    process's, and its request's: a Bolt store's bookmarks); its answer, and what names the
    writes this process has made (an upload's), for the serving process to read after."""
    store = _opened()
    with store.after(after):
        return job(store, NO_LOCK, *args), store.written()


def _ready() -> int:
    return os.getpid()


class LongWork:
    """One process for the long questions of one serving process, started at once (its
    store opened) so that the first long question finds it ready."""

    def __init__(self, config: dict, nice: int = NICE):
        self.config, self.nice = config, nice
        self._guard = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._start_pool().submit(_ready)

    def _start_pool(self) -> ProcessPoolExecutor:
        with self._guard:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start, initargs=(self.config, os.getpid(), self.nice))
            return self._pool

    def pid(self) -> int:
        """The long process's id (starting it if it is not running)."""
        return self._start_pool().submit(_ready).result()

    def run(self, job: Job, *args, after: str | None = None) -> tuple[Any, str | None]:
        """``job``'s answer from the long process, whose reads wait for the writes ``after``
        names (``Store.written`` of the serving process), and what names the long process's
        own writes (for ``Store.wrote`` of the serving process)."""
        pool = self._start_pool()
        try:
            return pool.submit(_run, job, args, after).result()
        except BrokenProcessPool:
            log.error("the long questions' process ended while answering %s; starting another", job.__name__)
            with self._guard:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise Unavailable("统计进程意外退出，本次请求未完成，请重试") from None

    def close(self) -> None:
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
