"""The write rule: what a write may touch, checked on the tree as it is before the write.

Every write path (an edit, an upload, accepted recommendations, a command-line load) hands
its batch to :func:`check_write` before the store writes it. With a caller's committee
(``root``), the scope is that committee and every committee below it *in the store as it is
now*, never as the batch would leave it; every node the batch creates, changes, moves or
deletes must lie in that scope before and after, and so must the far end of every edge it
writes. Without a root (the command line, which has the whole file) only the tree's shape
and moves are checked.

- A committee outside the scope cannot be created, changed, re-parented or detached; the
  caller's own committee keeps its parent (it lies outside the scope).
- The committee tree never gets a cycle.
- A node never moves to another committee as a side effect of an upsert: a move (a
  member, a party organisation, an activity to another committee; a committee under
  another parent) is refused unless the write asks for it (``moves=True``).

The check returns what the audit trail and the change feed need: the committees the write
touches (before and after) and, for every node it overwrites, the fields that change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison_graph.graph.batch import Batch
from liaison_graph.graph.errors import BadArgument, Conflict, Forbidden, NotFound
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import committee_cycle
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import subtree

MOVE_HINT = "移动须明确指定（命令行 liaison load --allow-move，接口 POST imports?allow_move=true，或修改该条记录）"


@dataclass
class WriteCheck:
    """What a checked write touches."""

    committees: list[str]  # every committee whose data the write creates, changes or moves away
    overwritten: list[dict] = field(default_factory=list)  # per overwritten node: kind, id, committees, changed fields
    moved: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> the committee it leaves

    def audit_before_after(self) -> tuple[dict | None, list[dict]]:
        """The import audit record's ``before`` (what the overwritten nodes held) and the list
        of changes for its ``after``."""
        if not self.overwritten:
            return None, []
        before = {"nodes": [{"kind": o["kind"], "id": o["id"], "committee_id": o["committee_before"],
                             **o["before"]} for o in self.overwritten]}
        return before, [{"kind": o["kind"], "id": o["id"], "committee_id": o["committee_after"], **o["after"]}
                        for o in self.overwritten]


def _label(kind: str) -> str:
    return model().nodes[kind].label


def _name(props: dict | None, node_id: str) -> str:
    name = (props or {}).get("name")
    return f"「{name}」（{node_id}）" if name and name != node_id else f"「{node_id}」"


def _committee(tree: dict, cid: str | None) -> str:
    props = tree.get(cid) or {}
    return f"政协「{props['name']}」（{cid}）" if props.get("name") else f"政协「{cid}」"


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def check_write(store: Store, batch: Batch, root: str | None = None, moves: bool = False) -> WriteCheck:
    """Refuse a batch that reaches outside ``root``'s scope, moves a node without ``moves``,
    or makes a cycle of committees; nothing is written either way. A checked batch carries
    its moves (``Batch.moved_from``) to the store's change feed, the roster's version it was
    checked at (``Batch.checked_at``, read before the tree) and how to check it again
    (``Batch.recheck``): a store that keeps a version, finding inside the write's
    transaction that another process changed the roster since, checks the batch again
    against the tree as it now is, and writes it only if the check comes out the same (else
    the new check's refusal, or a conflict to retry)."""
    checked_at = store.roster_version()
    before_tree = store.committees()
    scope = subtree(before_tree, root) if root is not None else None
    touched: set[str] = set()
    moved: dict[tuple[str, str], str] = {}
    overwritten: list[dict] = []

    # Committees: created under the scope, changed only inside it, re-parented only when asked.
    new_committees = batch.node_props("Committee", batch.owners("Committee")) if "Committee" in batch.node_kinds() else {}
    parents = {cid: props.get("parent_id") for cid, props in before_tree.items()}
    for cid, props in new_committees.items():
        old = before_tree.get(cid)
        new_parent = props.get("parent_id")
        if old is not None:
            if scope is not None and cid not in scope:
                raise Forbidden(f"无权修改政协{_name(old, cid)}", field="committee_id", value=cid)
            if old.get("parent_id") != new_parent:
                if scope is not None and cid == root:
                    raise Forbidden(f"不能改变本令牌所属政协{_name(old, cid)}的上级政协", field="parent_id", value=new_parent)
                if not moves:
                    where = f"改为「{new_parent}」" if new_parent else "清空（脱离上级）"
                    raise Conflict(f"政协{_name(old, cid)}的上级政协将被{where}：导入不会顺带改变隶属关系，{MOVE_HINT}",
                                   field="parent_id", value=new_parent, kind="Committee", id=cid)
                if old.get("parent_id"):
                    moved[("Committee", cid)] = old["parent_id"]
            _overwrite(overwritten, "Committee", cid, old, props, cid, cid)
        parents[cid] = new_parent
        touched.add(cid)
    cycle = committee_cycle(parents, new_committees)
    if cycle:
        changed = next(c for c in cycle if c in new_committees)  # the row to name: one the batch writes
        raise BadArgument("政协的上下级关系将出现循环：" + " → ".join(cycle), field="parent_id", value=changed,
                          kind="Committee", id=changed)
    for cid in new_committees:
        if scope is not None and cid != root and not _hangs_below(parents, new_committees, scope, cid):
            raise Forbidden(f"无权在本令牌所属政协之外新建或移动政协「{cid}」", field="parent_id",
                            value=new_committees[cid].get("parent_id"))

    if scope is not None:  # the committees the batch creates below the scope count as in it
        scope = scope | new_committees.keys()

    # Nodes owned by a committee: inside the scope before and after; a move only when asked.
    for kind in sorted(k for k in batch.node_kinds() if k != "Committee"):
        ids_after = batch.owners(kind)
        before = store.committees_of(kind, ids_after)
        for nid, committee_after in ids_after.items():
            if scope is not None and committee_after not in scope:
                raise Forbidden(f"无权写入政协「{committee_after}」的数据", field="committee_id", value=committee_after)
            touched.add(committee_after)
            if nid not in before:
                continue
            committee_before = before[nid]
            if scope is not None and committee_before not in scope:  # someone else's node: as if absent
                raise NotFound(f"找不到{_label(kind)}「{nid}」", field="id", value=nid)
            if committee_before != committee_after:
                moved[(kind, nid)] = committee_before
                touched.add(committee_before)
        unasked = [nid for (k, nid) in moved if k == kind]
        if unasked and not moves:
            nid = unasked[0]
            more = f"等 {len(unasked)} 条记录" if len(unasked) > 1 else ""
            raise Conflict(f"{_label(kind)}「{nid}」{more}已属于{_committee(before_tree, before[nid])}，本次写入会把它们移到"
                           f"{_committee(before_tree, ids_after[nid])}：编号相同不等于同一人，导入不会顺带移动已有记录"
                           f"（各县编号重复时请用带前缀的编号，如 XS-0001）；{MOVE_HINT}", field="committee_id",
                           value=ids_after[nid], kind=kind, id=nid, ids=unasked[:20])
        if before:
            props_before = store.node_props(kind, before)
            props_after = batch.node_props(kind, before)
            for nid, old in props_before.items():
                _overwrite(overwritten, kind, nid, old, props_after[nid], before[nid], ids_after[nid])

    # Edges: both ends inside the scope (a far end outside it is reported as absent).
    if scope is not None:
        touched |= _check_edges(store, batch, scope)
    else:
        touched |= batch.committee_ids(store)
    batch.moved_from = moved  # the committees moved nodes leave hear of it in the change feed
    result = WriteCheck(sorted(c for c in touched if c), overwritten, moved)
    batch.checked_at = checked_at
    batch.recheck = lambda now: check_write(now, batch, root, moves) == result
    return result


def _hangs_below(parents: dict, written: dict, scope: frozenset[str], cid: str) -> bool:
    """Whether a committee the batch writes sits, after the write, below a committee of the
    scope, through committees the batch writes only (an acyclic tree: checked first)."""
    node = parents.get(cid)
    while node is not None and node not in scope:
        if node not in written:
            return False
        node = parents.get(node)
    return node is not None


def _overwrite(out: list, kind: str, nid: str, old: dict, new: dict, committee_before, committee_after) -> None:
    changed_before, changed_after = _changed(old, new)
    if changed_before or changed_after:
        out.append({"kind": kind, "id": nid, "committee_before": committee_before, "committee_after": committee_after,
                    "before": changed_before, "after": changed_after})


def _check_edges(store: Store, batch: Batch, scope: frozenset[str]) -> set[str]:
    """The committees of the edges' sources outside the batch; refuse an end outside the scope."""
    written = batch.nodes
    ends: dict[str, set[str]] = {}
    for e in batch.edges:
        if e.src not in written.get(e.src_kind, ()):
            ends.setdefault(e.src_kind, set()).add(e.src)
        if e.dst_kind != "Committee" and e.dst not in written.get(e.dst_kind, ()):
            ends.setdefault(e.dst_kind, set()).add(e.dst)
    stored = {(kind, nid): cid for kind, ids in ends.items() for nid, cid in store.committees_of(kind, ids).items()}
    touched = set()
    for e in batch.edges:
        if e.src_kind == "Committee":
            continue  # a committee's parent: checked with the committees
        src = written.get(e.src_kind, {}).get(e.src)
        src_committee = src.get("committee_id") if src is not None else stored.get((e.src_kind, e.src))
        if src_committee not in scope:
            raise NotFound(f"找不到{_label(e.src_kind)}「{e.src}」", field="from_id", value=e.src)
        touched.add(src_committee)
        if e.dst_kind == "Committee":
            continue
        dst = written.get(e.dst_kind, {}).get(e.dst)
        far = dst.get("committee_id") if dst is not None else stored.get((e.dst_kind, e.dst))
        if far is not None and far not in scope:
            raise NotFound(f"找不到「{e.dst}」", field="to", value=e.dst)
    return touched
