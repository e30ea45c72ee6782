"""Committees, members and party organisations as a person types them: by id or by name.

The command line's ``--committee`` and member arguments and the HTTP API's ``committee_id``
and member path parameters all go through these functions, which give the id a verb asks
with. Ids come first, in any case (``xs`` is ``XS``, full-width letters as ASCII); a name
only when no id answers. A name is matched after folding (``graph.model_types.fold``:
width, spaces, case), a committee's also without its 政协 or 委员会 (``溪山县`` is
溪山县政协) when one committee alone answers so. Names are looked for only among what the
caller's ``Scope`` sees: a name outside it is not found; an id outside it is left to the
verb, which refuses it as it always has (a committee 403, a member 404).

Everything is read through the store's lookup indexes (``Store.committees``,
``Store.node_props``, ``Store.list_nodes``); no graph is built. A name that several answer
to is refused (``Ambiguous``) listing them as 姓名（编号，政协名）, at most ``SHOWN``."""

from __future__ import annotations

from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope
from liaison_graph.graph.errors import Ambiguous, CommitteeNotFound, MemberNotFound
from liaison_graph.graph.lookups import NodeFilter
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.store import Store
from liaison_graph.loaders.text import fold_id, fold_name, name_key

MEMBER = model().node_tables()["members"]  # the node kinds a name may stand for
PARTY_ORG = model().node_tables()["party_orgs"]
SHOWN = 10  # candidates an ambiguous name lists
PAGE = 500  # rows read at a time while looking for a name
PREFIXES = ("中国人民政治协商会议", "政协")  # what a committee's name may be typed without
SUFFIXES = ("委员会", "政协")


def committee_of(store: Store, scope: Scope, text: str | None, *, lock: Lock = NO_LOCK) -> str | None:
    """The id of the committee ``text`` names (None: none named)."""
    if text is None or text == "":
        return None if text is None else text
    with lock:
        committees = store.committees()
    if text in committees:
        return text
    by_id = [c for c in committees if _id_key(c) == _id_key(text)]
    if len(by_id) == 1:
        return by_id[0]
    seen = {c: p for c, p in committees.items() if scope.sees(c)}
    for key in (_name_key, _short_key):
        wanted = key(text)
        found = sorted(c for c, p in seen.items() if wanted and key(p.get("name") or "") == wanted)
        if len(found) == 1:
            return found[0]
        if found:
            listed = [f"{seen[c].get('name') or c}（{c}）" for c in found]
            raise Ambiguous(f"政协名称「{text}」不唯一，请用编号：{_some(listed)}", field="committee_id", value=text,
                            candidates=found[:SHOWN])
    raise CommitteeNotFound(f"找不到政协「{text}」（编号或名称）", field="committee_id", value=text, committee_id=text)


def member_of(store: Store, scope: Scope, text: str, *, lock: Lock = NO_LOCK) -> str:
    """The id of the member ``text`` names."""
    return _node_of(store, scope, text, (MEMBER,), "委员", lock)


def node_of(store: Store, scope: Scope, text: str, *, lock: Lock = NO_LOCK) -> str:
    """The id of the member or party organisation ``text`` names (what ``reach`` starts from)."""
    return _node_of(store, scope, text, (MEMBER, PARTY_ORG), "委员或党组织", lock)


def _node_of(store: Store, scope: Scope, text: str, kinds: tuple[str, ...], what: str, lock: Lock) -> str:
    with lock:
        for kind in kinds:
            if store.node_props(kind, [text]):
                return text
        variants = {v for v in (fold_id(text), fold_id(text).upper(), fold_id(text).lower()) if v and v != text}
        by_id = sorted({i for kind in kinds for i in store.node_props(kind, variants)})
        if len(by_id) == 1:
            return by_id[0]
        committees = store.committees()
        seen = [c for c in committees if scope.sees(c)]
        found = [row for kind in kinds for row in _named(store, kind, seen, text)]
    if len(found) == 1:
        return found[0]["id"]
    if found:
        listed = [f"{r.get('name')}（{r['id']}，{(committees.get(r.get('committee_id')) or {}).get('name') or r.get('committee_id')}）"
                  for r in found]
        counter = "名" if kinds == (MEMBER,) else "个"
        raise Ambiguous(f"有 {len(found)} {counter}{what}叫「{text}」，请用编号：{_some(listed)}", field="id", value=text,
                        candidates=[r["id"] for r in found[:SHOWN]])
    raise MemberNotFound(f"找不到{what}「{text}」（编号或姓名）", field="id", value=text, id=text)


def _named(store: Store, kind: str, committees: list[str], text: str) -> list[dict]:
    """The nodes of ``kind`` of these committees whose name is ``text`` once folded, by
    committee and id: looked for as the name is stored, then compared folded."""
    wanted, found, ids = fold(text), [], set()
    if not wanted or not committees:
        return []
    for q in dict.fromkeys((fold_name(text), name_key(text))):
        offset, total = 0, 1
        while offset < total and q:
            total, rows = store.list_nodes(kind, committees, NodeFilter(q=q), PAGE, offset)
            offset += PAGE
            for row in rows:
                if row["id"] not in ids and fold(row.get("name") or "") == wanted:
                    ids.add(row["id"])
                    found.append(row)
    return sorted(found, key=lambda r: (r.get("committee_id") or "", r["id"]))


def _some(listed: list[str]) -> str:
    return "、".join(listed[:SHOWN]) + (f" 等 {len(listed)} 个" if len(listed) > SHOWN else "")


def _id_key(text: str) -> str:
    return fold_id(text).casefold()


def _name_key(text: str) -> str:
    return fold(text)


def _short_key(text: str) -> str:
    """A committee's name without 政协 / 委员会 around it (溪山县政协, 政协溪山县委员会: 溪山县)."""
    text = fold(text)
    for prefix in PREFIXES:
        text = text.removeprefix(prefix)
    for suffix in SUFFIXES:
        text = text.removesuffix(suffix)
    return text

