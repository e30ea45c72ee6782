"""Backups of the embedded store's file, restoring one, and emptying the roster: of the whole
store only, so a caller with a committee's scope may do none of them. A Neo4j server has its
own tools for backups."""

from __future__ import annotations

from pathlib import Path

from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.batch import Audit, Batch
from liaison_graph.graph.errors import BadArgument, Forbidden
from liaison_graph.graph.store import Store


def _file_store(store: Store, scope: Scope, what: str, neo4j_tool: str):
    from liaison_graph.graph.embedded import EmbeddedStore

    if not scope.whole:
        raise Forbidden(f"令牌无权{what}：{what}针对整个库")
    if not isinstance(store, EmbeddedStore):
        raise BadArgument(f"Neo4j 图数据库请用其自带的工具（neo4j-admin database {neo4j_tool}）")
    return store


def backup(store: Store, scope: Scope, target: Path, *, lock: Lock = NO_LOCK) -> Path:
    """A consistent copy of the store's file at ``target`` (a new file); its path."""
    with lock:
        return _file_store(store, scope, "备份", "dump").backup(target)


def restore(store: Store, scope: Scope, source: Path, *, lock: Lock = NO_LOCK) -> dict[str, int]:
    """Replace the roster with a backup's (checked before it runs; tokens, audit trail and
    change feed stay, with a record of the restore); the counts by kind after it."""
    with lock:
        _file_store(store, scope, "恢复", "load").restore(source, actor=scope.actor)
        return store.stats()


def clear(store: Store, scope: Scope, *, lock: Lock = NO_LOCK) -> dict[str, int]:
    """Empty the roster and its change feed, on either store (an unfinished import on a graph
    server too); tokens and the audit trail stay, with a record of the clearing. The counts
    by kind it held before."""
    if not scope.whole:
        raise Forbidden("令牌无权清空名单：清空针对整个库")
    with lock:
        with store.importing():  # past an unfinished import's marker: what is in of it counts
            before = store.stats()
        store.clear()
        store.write(Batch(audit=Audit(scope.actor, "roster.clear", [], None, before, None)))
        return before
