"""Copy one store's whole content into another (embedded file → Neo4j)."""

from __future__ import annotations

import logging

from liaison_graph.graph.batch import Audit, Batch, EdgeRow
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store

log = logging.getLogger(__name__)


def batch_of(content: dict) -> Batch:
    """A batch that recreates a store's dump: every node, every edge, and the row-derived
    edges of every node replaced so the target holds exactly the source's."""
    batch = Batch()
    for (kind, node_id), props in content["nodes"].items():
        batch.add_node(kind, node_id, props)
        if model().row_edges(kind):
            batch.replace_row_edges.setdefault(kind, set()).add(node_id)
    for (kind, src_kind, src, dst_kind, dst, key), props in content["edges"].items():
        batch.edges.append(EdgeRow(kind, src_kind, src, dst_kind, dst, key, props))
    return batch


def copy_store(source: Store, target: Store, replace: bool = False, moves: bool = False,
               actor: str = "cli") -> dict[str, int]:
    """Copy the source's whole content into the target, checked by the write rule on the
    target as it is (a node the target holds in another committee moves only when ``moves``
    asks; no cycle of committees), with its audit record, in one write (on a graph server,
    past its bound, in bounded transactions never seen half-applied)."""
    if replace:
        target.clear()
    batch = batch_of(source.dump())
    with target.importing():
        check = check_write(target, batch, None, moves)
        before, changed = check.audit_before_after()
        after = {"nodes": changed} if changed else None
        batch.audit = Audit(actor, "sync", check.committees, "sync", before, after)
        result = target.write(batch)
    counts = {kind: result.created[kind] + result.updated[kind] for kind in result.created}
    log.info("copied %s", counts)
    return counts
