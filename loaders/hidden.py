"""What a caller cannot see stays as it is.

A token's export leaves out every reference to a node outside its scope: its own
committee's parent, a party organisation led from above, a member's organisation of
another committee. When the caller loads such a file back, the empty cell means "not
mine to say", not "remove": the stored reference, and the edge its row made, are kept.
A reference the caller does fill in is the caller's, and the write rule judges it."""

from __future__ import annotations

from liaison_graph.graph.batch import Batch
from liaison_graph.graph.view import subtree
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store


def references(kind: str) -> list[tuple[str, str, str, bool]]:
    """The reference columns of a node kind's roster table other than its own committee:
    (column, the edge its row makes, the kind it points at, a list or not), from the model."""
    m = model()
    table = m.nodes[kind].table
    if table is None:
        return []
    out = []
    for name, column in m.tables[table].columns.items():
        if not column.ref or name == "committee_id":
            continue
        edges = [e.name for e in m.edges.values() if e.from_row and kind in e.sources and column.ref in e.targets]
        if len(edges) == 1:
            out.append((name, edges[0], column.ref, column.is_list))
    return out


def keep_hidden_references(store: Store, batch: Batch, root: str) -> None:
    """For a load by ``root``'s token: every reference a written node holds in the store to a
    node outside the scope, which the file leaves out, is kept with its edge."""
    scope = subtree(store.committees(), root)
    for kind in list(batch.node_kinds()):
        refs = references(kind)
        stored = store.node_props(kind, list(batch.owners(kind))) if refs else {}
        for node_id, old in stored.items():
            new = batch.node_props(kind, [node_id])[node_id]
            kept, edges = dict(new), []
            for column, edge, target, is_list in refs:
                before = old.get(column)
                before = before if isinstance(before, list) else [before] if before else []
                outside = _outside(store, target, before, scope)
                now = new.get(column)
                now = now if isinstance(now, list) else [now] if now else []
                missing = [ref for ref in outside if ref not in now]
                if not missing or (not is_list and now):  # a value the caller gives is the caller's
                    continue
                kept[column] = now + missing if is_list else missing[0]
                edges += [(edge, target, ref) for ref in missing]
            if edges:
                batch.add_node(kind, node_id, kept)
                for edge, target, ref in edges:
                    batch.add_edge(edge, kind, node_id, target, ref)


def _outside(store: Store, kind: str, ids: list[str], scope: frozenset[str]) -> list[str]:
    if not ids:
        return []
    if kind == "Committee":
        return [i for i in ids if i not in scope]
    committees = store.committees_of(kind, ids)
    return [i for i in ids if i in committees and committees[i] not in scope]
