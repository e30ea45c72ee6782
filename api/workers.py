"""The service on several worker processes: what each worker runs.

``liaison serve --workers N`` (N > 1) hands uvicorn the factory ``app`` below by name; uvicorn
binds the port once and starts N processes, each of which builds its own application over
its own connection to the same store. The embedded store is one SQLite file in WAL mode:
readers in every worker read at once, a writer waits for the file's write lock, and each
worker notices another's write through the file's version (``graph/sqlite_store.py``:
``_fresh``), so a read after a write sees it whichever worker answers. The write rule reads
the tree in one worker and the write may land in another's moment: the store refuses a
batch checked against a roster another process has changed since (``Batch.checked_at``).

The worker learns what to serve from ``SERVE_ENV`` (the store's options and the request
limits, as JSON), set by the command before uvicorn starts it, and dies with the process
that started it (on Linux, through the kernel's parent-death signal), so that a supervisor
killed outright leaves no worker holding the port. Each worker has its own process for the
long questions (``api/longwork.py``), which dies with the worker in the same way."""

from __future__ import annotations

import json
import logging
import os

SERVE_ENV = "LIAISON_SERVE_WORKER"

log = logging.getLogger(__name__)


def count(asked: str | int) -> int:
    """How many workers: a number, or ``auto``: one a core, at most four (a worker holds its
    own copy of what the store keeps in memory)."""
    if asked == "auto":
        return max(1, min(os.cpu_count() or 1, 4))
    return int(asked)


def app():
    """One worker's application (uvicorn calls this in each worker process)."""
    from liaison_graph.api.app import serving_app
    from liaison_graph.api.commands.stores import open_store
    from liaison_graph.api.longwork import LongWork, die_with_parent
    from liaison_graph.api.service import Service

    config = json.loads(os.environ[SERVE_ENV])
    die_with_parent(config["parent"])
    store = open_store(config["store"])
    service = Service(store, max_upload_bytes=config["max_upload_bytes"], max_json_bytes=config["max_json_bytes"],
                      demo=config["demo"], long_work=LongWork(config["store"]))
    log.info("worker %s serving", os.getpid())
    return serving_app(service)
