"""Writes into the Bolt store: one transaction (``one_transaction``), or, for a large one, in
transactions of a bounded size, resumable, and never seen half-applied (``bounded``).

A write of more than ``tx_rows`` nodes and edges (a province's import, ``sync``) is cut
into steps of at most ``tx_rows`` rows, each its own transaction: first the change-feed
entries, then the nodes, then the replaced row edges, then the edges (nodes before the
relationships that join them). The first transaction sets a marker — the ``load``
sequence node, holding the roster's fingerprint, how many steps are in and of how many,
and what the import counted before it began — and each step moves it on in its own
transaction, so a step is in exactly when the marker says so.

While the marker stands, every roster read and every other write of the store, from any
process, is refused with one line (``LoadUnfinished``: the service answers 503): readers
see the roster as it was before the import, then nothing, then the whole new roster at
once, when the last transaction removes the marker. Tokens and the audit trail stay
readable. An interrupted import is finished by running the same import again (the same
roster has the same fingerprint): the steps already in are skipped. A first import into
an empty store is undone by ``liaison clear``, which also removes the marker.

A write of at most ``tx_rows`` rows stays one transaction. Every statement is sent in messages
of at most ``batch_size`` rows, the change feed also of at most ``FEED_BYTES`` of its text
(``feed_parts``: a step of the feed too); the driver retries a transaction whole on a
transient error.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
from collections.abc import Iterator

import orjson
from liaison_graph.cypher import query
from liaison_graph.graph.batch import Batch, WriteResult, changed_entities, entities_json, etag, now
from liaison_graph.graph.errors import Conflict, LoadUnfinished
from liaison_graph.graph.jsontext import dumps, loads
from liaison_graph.graph.model import model

log = logging.getLogger(__name__)

MARKER = "load"  # the name of the sequence node that marks an unfinished import
# Inside a bounded import, its own reads (what exists, which committees) pass the marker.
_own = contextvars.ContextVar("own_bounded_import", default=False)


def passing() -> bool:
    """Whether the current read is a bounded import's own."""
    return _own.get()


@contextlib.contextmanager
def own_reads() -> Iterator[None]:
    token = _own.set(True)
    try:
        yield
    finally:
        _own.reset(token)


def refusal(marker: dict) -> LoadUnfinished:
    return LoadUnfinished(
        f"图数据库中有一次分批导入尚未完成（{marker.get('started') or ''} 开始，已写入 {marker['done']}/{marker['steps']} 批）："
        "导入完成前不能读写名单；请用同样的文件再次导入以完成它，首次导入也可用 liaison clear 撤销",
        done=marker["done"], steps=marker["steps"])


def fingerprint(batch: Batch) -> str:
    """What identifies a roster across runs of the same import: its nodes, edges and
    replaced row edges, in a fixed order."""
    h = hashlib.blake2b(digest_size=16)
    option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    for kind in sorted(batch.nodes):
        for nid in sorted(batch.nodes[kind]):
            h.update(orjson.dumps([kind, nid, batch.nodes[kind][nid]], option=option, default=str))
    for e in batch.edges:
        h.update(orjson.dumps([e.kind, e.src_kind, e.src, e.dst_kind, e.dst, e.key, e.props], option=option, default=str))
    for kind in sorted(batch.replace_row_edges):
        h.update(orjson.dumps([kind, sorted(batch.replace_row_edges[kind])]))
    return h.hexdigest()


def chunks(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# Bytes of change-feed text in one message, and in one step of a bounded import: a server caps
# a message (ArcadeDB at 16 MiB) and a transaction's memory, and one committee's entry of a
# nation's import is tens of kilobytes.
FEED_BYTES = 8 * 1024 * 1024


def feed_parts(rows: list[dict], size: int) -> Iterator[list[dict]]:
    """Change-feed rows in parts of at most ``size`` rows and ``FEED_BYTES`` of their text
    (an entry larger than that alone)."""
    part, held = [], 0
    for row in rows:
        weight = len(row["entities"].encode())
        if part and (len(part) >= size or held + weight > FEED_BYTES):
            yield part
            part, held = [], 0
        part.append(row)
        held += weight
    if part:
        yield part


def feed_rows(changed: dict, first: int) -> list[dict]:
    """The change-feed entries of a write, one a committee, numbered from ``first``."""
    at = now()
    return [{"seq": first + i, "at": at, "committee_id": cid, "entities": dumps(entities_json(changed[cid]))}
            for i, cid in enumerate(sorted(changed, key=lambda c: c or ""))]


def one_transaction(store, batch: Batch, groups: dict) -> WriteResult:
    """``batch`` into ``store`` in one transaction. ``groups``: its edges, one per identity,
    by (relationship, source kind, target kind)."""
    # A first import into an empty store creates instead of merging, and has no row
    # edges to replace: several times fewer lookups per row. Checked again inside the
    # transaction; a store filled meanwhile is merged into as usual.
    empty = store._empty()
    created, updated = store._counts(batch, empty)
    changed = changed_entities(batch, store.committees_of)
    size = store.batch_size

    def work(tx):
        store._gate(tx)  # a bounded import begun meanwhile: refused
        for target, wanted in batch.expect.items():
            if len(target) == 2:  # a node: (kind, id)
                found = tx.run(query("lock_node", kind=target[0]), id=target[1]).single()
            else:  # an edge: (kind, src_kind, src, dst_kind, dst, key)
                rel, src_kind, src, dst_kind, dst, key = target
                found = tx.run(query("lock_edge", rel=rel, src=src_kind, dst=dst_kind), src=src, dst=dst,
                               key=key).single()
            # ArcadeDB returns the lock flag the same statement removed; it is not stored.
            hidden = ("_lock",) if len(target) == 2 else ("_lock", "key")
            props = {k: v for k, v in found["props"].items() if k not in hidden} if found else None
            if etag(props) != wanted:
                raise Conflict("已被他人修改，请重新读取后再改", target=list(target))
        for text, params, _ in _steps(batch, groups, empty and store._empty(tx), size):  # messages of `size` rows
            tx.run(text, params).consume()
        return store._journal(tx, batch, changed)

    log.info("writing batch: %s nodes, %s edges", sum(map(len, batch.nodes.values())), len(batch.edges))
    cursor = store._write_tx(work)
    log.info("wrote batch: created %s, updated %s", created, updated)
    return WriteResult(created, updated, cursor)


def bounded(store, batch: Batch, marker: dict | None, groups: dict) -> WriteResult:
    """``batch`` into ``store`` in bounded transactions, or the rest of it when ``marker``
    (the unfinished import's) names the same roster. ``groups`` as for ``one_transaction``."""
    key = fingerprint(batch)
    if marker is not None and marker["key"] != key:
        raise refusal(marker)
    size = store.tx_rows
    try:
        return _bounded(store, batch, marker, groups, key, size)
    finally:
        store.tables.forget()  # what this run read past the marker is not kept


def _bounded(store, batch: Batch, marker: dict | None, groups: dict, key: str, size: int) -> WriteResult:
    with own_reads():
        feed = None
        if marker is None:
            fresh = store._empty()
            created, updated = store._counts(batch, fresh)
            feed = feed_rows(changed_entities(batch, store.committees_of), 0)
            journal = sum(1 for _ in feed_parts(feed, size))
            plan = _steps(batch, groups, fresh, size)
            marker = _begin(store, key, fresh, created, updated, len(feed), journal, len(plan) + journal)
        else:
            fresh, plan = marker["fresh"], _steps(batch, groups, marker["fresh"], size)
            if marker["done"] < marker["journal"]:  # the data is untouched until the feed is in
                feed = feed_rows(changed_entities(batch, store.committees_of), 0)
        counts = loads(marker["counts"])
        first, journal = marker["first"], marker["journal"]
        if feed is not None:  # numbered from what the first transaction reserved
            for i, row in enumerate(feed):
                row["seq"] = first + i
        # the feed's steps, or (once they are in) stand-ins that are never taken again
        feed = ([(query("journal_add_changes"), {"rows": c}, len(c)) for c in feed_parts(feed, size)]
                if feed is not None else [None] * journal)
        steps = feed + plan
        if len(feed) != journal or len(steps) != marker["steps"]:
            raise refusal(marker)  # not the plan it began with: never apply a different one
        largest = 0
        for i in range(marker["done"], len(steps)):
            text, params, rows = steps[i]
            _step(store, key, i, text, params)
            largest = max(largest, rows)
            log.info("bounded import: step %s of %s in (%s rows)", i + 1, len(steps), rows)
        _end(store, key, batch)
    cursor = first + counts["changed"] - 1 if counts["changed"] else None
    log.info("bounded import done: %s transactions of at most %s rows; largest %s", len(steps) + 2, size, largest)
    return WriteResult(counts["created"], counts["updated"], cursor)


def _steps(batch: Batch, groups: dict, fresh: bool, size: int) -> list[tuple[str, dict, int]]:
    """A write's data statements of at most ``size`` rows, in a fixed order (nodes, replaced
    row edges, edges): (statement, parameters, rows)."""
    steps = []
    for kind in sorted(batch.nodes):
        nodes = batch.nodes[kind]
        text = query("create_nodes" if fresh else "upsert_nodes", kind=kind)
        rows = [{"id": nid, "props": nodes[nid]} for nid in sorted(nodes)]
        steps += [(text, {"rows": c}, len(c)) for c in chunks(rows, size)]
    for kind in ([] if fresh else sorted(batch.replace_row_edges)):
        text = query("delete_row_edges", kind=kind)
        ids = sorted(batch.replace_row_edges[kind])
        steps += [(text, {"ids": c, "rels": model().row_edges(kind)}, len(c)) for c in chunks(ids, size)]
    for (rel, src, dst) in sorted(groups):
        text = query("create_edges" if fresh else "upsert_edges", rel=rel, src=src, dst=dst)
        steps += [(text, {"rows": c}, len(c)) for c in chunks(list(groups[(rel, src, dst)].values()), size)]
    return steps


def _begin(store, key: str, fresh: bool, created: dict, updated: dict, changed: int, journal: int,
           steps: int) -> dict:
    """The first transaction: the feed's numbers reserved and the marker set."""
    counts = dumps({"created": created, "updated": updated, "changed": changed})

    def work(tx):
        found = store._marker(tx)
        if found is not None:
            raise refusal(found)
        first = store._next(tx, "changes", changed) if changed else 0
        params = {"name": MARKER, "steps": steps, "key": key, "fresh": fresh, "counts": counts, "first": first,
                  "journal": journal, "started": now()}
        tx.run(query("load_begin"), params).consume()
        return {**params, "done": 0}

    log.info("bounded import: %s steps of at most %s rows", steps, store.tx_rows)
    return store._write_tx(work)


def _step(store, key: str, i: int, text: str, params: dict) -> None:
    def work(tx):
        found = store._marker(tx)
        if found is None or found["key"] != key:
            raise refusal(found) if found is not None else LoadUnfinished("分批导入已被撤销（liaison clear），未完成")
        if found["done"] != i:  # another run of the same import took this step
            return
        rows = "rows" if "rows" in params else "ids"  # in messages of at most `batch_size` rows
        for part in chunks(params[rows], store.batch_size):
            tx.run(text, {**params, rows: part}).consume()
        tx.run(query("load_step"), name=MARKER, done=i + 1).consume()

    store._write_tx(work)


def _end(store, key: str, batch: Batch) -> None:
    def work(tx):
        found = store._marker(tx)
        if found is None or found["key"] != key:
            return  # another run of the same import ended it
        store._journal(tx, Batch(audit=batch.audit), {})
        tx.run(query("load_end"), name=MARKER).consume()

    store._write_tx(work)
