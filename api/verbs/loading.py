"""Loading roster files: the command line's ``load`` and the HTTP API's uploads alike."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.store import Store
from liaison_graph.loaders import load_files


class Loaded(TypedDict):
    files: list[str]
    rows: dict[str, int]  # table -> rows read
    created: dict[str, int]  # node kind -> nodes created
    updated: dict[str, int]
    ignored: list[str]  # sheets and rows passed over, each with why
    cursor: int | None  # the change feed's cursor after the write; None when nothing was written


def load(store: Store, scope: Scope, paths: list[Path], moves: bool = False, progress=None, *,
         lock: Lock = NO_LOCK) -> Loaded:
    """Read, check and write roster files, all or nothing, through the write rule for the
    caller's committee (``moves``: the caller asks for nodes to move between committees,
    inside its scope). ``progress(stage, count)`` hears of each stage."""
    with lock:
        report = load_files(list(paths), store, scope.actor, scope.committee_id, moves, progress)
    return {"files": report.files, "rows": report.rows, "created": report.result.created,
            "updated": report.result.updated, "ignored": report.ignored, "cursor": report.result.cursor}
