"""Copy one store's whole content into another (embedded file → Neo4j)."""

from __future__ import annotations

import logging

from liaison_graph.graph.model import model
from liaison_graph.graph.store import Batch, EdgeRow, Store

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


def copy_store(source: Store, target: Store, replace: bool = False) -> dict[str, int]:
    if replace:
        target.clear()
    result = target.write(batch_of(source.dump()))
    counts = {kind: result.created[kind] + result.updated[kind] for kind in result.created}
    log.info("copied %s", counts)
    return counts
