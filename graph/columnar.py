"""The coverage report over a whole store, from columns instead of a graph.

A :class:`Columns` holds every node and every edge the report reads as numpy arrays:
node kind, committee, term, CPC, position, party-group role, organisation kind; edge
ends, kind and range; contacts as (who, with whom, day). A policy's rules are then evaluated as
array operations — masks for the populations and coverers, joins for the ``via_…`` and
affinity questions, one sort per listing — so the whole nation is a fraction of a second
where building its graph takes a minute and several GB.

It answers exactly what :func:`graph.coverage.report` answers on a :class:`View` of the
same graph (a property test holds the two to the same report for random policies and
days). The embedded store keeps its columns in its file and in memory. A write through
the same store brings the columns in memory up to date (:meth:`Columns.patch`: the
written nodes and the edges leaving what it touched, read back inside its transaction);
the copy in the file is dropped by every write, and a bulk import or another process's
write leaves them to be rebuilt from the tables by the next report. Days are integers
(days since 1970-01-01); an open start or end is a sentinel far outside any roster.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from itertools import repeat

import numpy as np
import orjson

from liaison_graph.graph.coverage import BREAKDOWNS, NONE_KEY, assemble, committee_rows, ratio, scope_root
from liaison_graph.graph.policy import AFFINITY, CHAIR_COUNCIL, DEFAULT_POSITION, STANDING, THROUGH, Policy, Rule, Select
from liaison_graph.graph.store import bulk
from liaison_graph.graph.view import KIND_CODES, MEMBERSHIP

FORMAT = 2  # the blobs' layout; a file holding another is rebuilt
OPEN_START, OPEN_END = -(2**30), 2**30
NO_DAY = -(2**31)  # no contact
KINDS = tuple(KIND_CODES)  # node kinds, coded by position
MEMBER = KINDS.index("Member")
LIAISON, CONTACT = "LIAISES_WITH", "CONTACTED"
EDGE_KINDS = (LIAISON, *MEMBERSHIP)  # edge kinds a report reads, coded by position
LIAISON_CODE = 0
EDGE_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_EPOCH = dt.date(1970, 1, 1)

# What a report reads from a node and an edge, in this order.
NODE_FIELDS = ("kind", "id", "committee_id", "name", "sector", "cpc", "position", "party_group_role", "org_kind",
               "start_date", "end_date")
EDGE_FIELDS = ("src", "dst", "start_date", "end_date", "mechanism", "date")


def day_number(day: str) -> int:
    return (dt.date.fromisoformat(day) - _EPOCH).days


def _days(values: list, open_value: int) -> np.ndarray:
    """ISO days as day numbers (None: ``open_value``); each distinct day parsed once."""
    distinct = list(set(values) - {None})
    parsed = np.array(distinct, dtype="datetime64[D]").astype(np.int64).tolist()
    number = dict(zip(distinct, parsed, strict=True))
    return np.fromiter(map(number.get, values, repeat(open_value)), np.int32, len(values))


def _vocabulary(values) -> list:
    """The distinct values, in order (None left out: it is coded -1, before them all)."""
    return sorted(set(values) - {None})


def _widened(names: list, codes: np.ndarray, values: list) -> tuple[list, np.ndarray]:
    """A vocabulary with some more values, its codes still in the order of the values."""
    wider = _vocabulary([*names, *values])
    if len(wider) == len(names):
        return names, codes
    place = {name: code for code, name in enumerate(wider)}
    moved = np.array([place[name] for name in names] + [-1], np.int32)  # -1 stays -1
    return wider, moved[codes]


def _encode(values: list, names: list) -> np.ndarray:
    index = {name: code for code, name in enumerate(names)}
    return np.fromiter(map(index.get, values, repeat(-1)), np.int32, len(values))


NODE_ARRAYS = ("kind", "committee", "start", "end", "cpc", "party_group", "position", "org_kind")
EDGE_ARRAYS = ("src", "dst", "edge_kind", "edge_start", "edge_end")
CONTACT_ARRAYS = ("contact_src", "contact_dst", "contact_day")


@dataclass
class Columns:
    # nodes
    kind: np.ndarray  # int8, into KINDS
    rank: np.ndarray  # int32: place in (kind, id) order
    committee: np.ndarray  # int32, into committee_ids; -1 for none
    start: np.ndarray  # int32 days; open for kinds without a term
    end: np.ndarray
    cpc: np.ndarray  # bool
    party_group: np.ndarray  # bool: holds a party-group role
    position: np.ndarray  # int32, into positions
    org_kind: np.ndarray  # int32, into org_kinds
    # edges a report reads, contacts aside
    src: np.ndarray  # int32 node index
    dst: np.ndarray
    edge_kind: np.ndarray  # int8, into EDGE_KINDS
    edge_start: np.ndarray  # int32 days
    edge_end: np.ndarray
    mechanism: np.ndarray  # int32, into mechanisms; -1 for none
    # contacts: who recorded it, with whom, the day
    contact_src: np.ndarray
    contact_dst: np.ndarray
    contact_day: np.ndarray
    # text
    ids: list
    names: list
    sectors: list
    committee_ids: list  # sorted
    positions: list
    org_kinds: list
    mechanisms: list  # sorted

    ARRAYS = ("rank", *NODE_ARRAYS, *EDGE_ARRAYS, "mechanism", *CONTACT_ARRAYS)

    @classmethod
    def build(cls, nodes: dict[str, list], edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> Columns:
        """From node columns (NODE_FIELDS -> values) and edge groups ``(edge kind, source
        kind, target kind, {EDGE_FIELDS -> values})``."""
        order = sorted(range(len(nodes["id"])), key=lambda i: (nodes["kind"][i], nodes["id"][i]))  # index = rank
        nodes = {f: [nodes[f][i] for i in order] for f in NODE_FIELDS}
        out = cls(**dict.fromkeys(cls.ARRAYS, np.zeros(0, np.int32)), ids=nodes["id"], names=nodes["name"],
                  sectors=nodes["sector"], committee_ids=_vocabulary(nodes["committee_id"]),
                  positions=_vocabulary(p or DEFAULT_POSITION for p in nodes["position"]),
                  org_kinds=_vocabulary(nodes["org_kind"]), mechanisms=[])
        for name, array in out._node_arrays(nodes).items():
            setattr(out, name, array)
        out.rank = np.arange(len(out.ids), dtype=np.int32)
        out._add_edges(edge_groups)
        return out

    def _node_arrays(self, nodes: dict[str, list]) -> dict[str, np.ndarray]:
        """Node columns as arrays, in this vocabulary."""
        kind = np.fromiter(map(KINDS.index, nodes["kind"]), np.int8, len(nodes["kind"]))
        dated = np.isin(kind, [KINDS.index("Member"), KINDS.index("PartyOrg")])
        start, end = _days(nodes["start_date"], OPEN_START), _days(nodes["end_date"], OPEN_END)
        start[~dated], end[~dated] = OPEN_START, OPEN_END
        return {"kind": kind, "committee": _encode(nodes["committee_id"], self.committee_ids), "start": start,
                "end": end, "cpc": np.array([bool(c) for c in nodes["cpc"]], bool),
                "party_group": np.array([bool(r) for r in nodes["party_group_role"]], bool),
                "position": _encode([p or DEFAULT_POSITION for p in nodes["position"]], self.positions),
                "org_kind": _encode(nodes["org_kind"], self.org_kinds)}

    def node_index(self) -> dict[str, dict[str, int]]:
        """kind -> id -> node index (built once per columns)."""
        if getattr(self, "_index", None) is None:
            self._index = {kind: {} for kind in KINDS}
            for i, (k, nid) in enumerate(zip(self.kind.tolist(), self.ids, strict=True)):
                self._index[KINDS[k]][nid] = i
        return self._index

    def _add_edges(self, edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> None:
        """Append edge groups (an end that is not a node is left out: nothing a report counts)."""
        index = self.node_index()
        edges: dict[str, list] = {name: [getattr(self, name)] for name in (*EDGE_ARRAYS, *CONTACT_ARRAYS)}
        mechanisms: list = []
        for edge_kind, src_kind, dst_kind, values in edge_groups:
            if edge_kind != CONTACT and edge_kind not in EDGE_CODE:
                continue
            a, b = (np.fromiter(map(index.get(k, {}).get, values[f], repeat(-1)), np.int32, len(values[f]))
                    for k, f in ((src_kind, "src"), (dst_kind, "dst")))
            keep = (a >= 0) & (b >= 0)
            kept = np.flatnonzero(keep).tolist() if not keep.all() else None

            def column(field: str) -> list:
                return values[field] if kept is None else [values[field][i] for i in kept]

            prefix = "contact_" if edge_kind == CONTACT else ""
            edges[f"{prefix}src"].append(a[keep])
            edges[f"{prefix}dst"].append(b[keep])
            if edge_kind == CONTACT:
                edges["contact_day"].append(_days(column("date"), OPEN_END))
            else:
                edges["edge_kind"].append(np.full(int(keep.sum()), EDGE_CODE[edge_kind], np.int8))
                edges["edge_start"].append(_days(column("start_date"), OPEN_START))
                edges["edge_end"].append(_days(column("end_date"), OPEN_END))
                mechanisms += column("mechanism")
        self.mechanisms, self.mechanism = _widened(self.mechanisms, self.mechanism, mechanisms)
        self.mechanism = np.concatenate([self.mechanism, _encode(mechanisms, self.mechanisms)])
        for name, parts in edges.items():
            setattr(self, name, np.concatenate(parts).astype(np.int8 if name == "edge_kind" else np.int32))

    def patch(self, nodes: dict[str, list], sources: Iterable[tuple[str, str]],
              edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> None:
        """Bring the columns up to a write: ``nodes`` the written nodes as read back after
        it, ``edge_groups`` every edge leaving ``sources`` as read back (their old edges go)."""
        index = self.node_index()
        self.committee_ids, self.committee = _widened(self.committee_ids, self.committee, nodes["committee_id"])
        self.positions, self.position = _widened(self.positions, self.position,
                                                 [p or DEFAULT_POSITION for p in nodes["position"]])
        self.org_kinds, self.org_kind = _widened(self.org_kinds, self.org_kind, nodes["org_kind"])
        arrays = self._node_arrays(nodes)
        at = []
        for kind, nid, name, sector in zip(nodes["kind"], nodes["id"], nodes["name"], nodes["sector"], strict=True):
            i = index[kind].get(nid)
            if i is None:  # a new node: at the end, and the order by (kind, id) worked out again
                i = index[kind][nid] = len(self.ids)
                self.ids.append(nid)
                self.names.append(name)
                self.sectors.append(sector)
            self.names[i], self.sectors[i] = name, sector
            at.append(i)
        grown = len(self.ids) - len(self.kind)
        for name in NODE_ARRAYS:
            column = getattr(self, name)
            if grown:
                column = np.concatenate([column, np.zeros(grown, column.dtype)])
            column[at] = arrays[name]
            setattr(self, name, column)
        if grown:
            kinds = self.kind.tolist()
            order = sorted(range(len(self.ids)), key=lambda i: (KINDS[kinds[i]], self.ids[i]))
            self.rank = np.empty(len(self.ids), np.int32)
            self.rank[order] = np.arange(len(self.ids), dtype=np.int32)
        leaving = [index[kind][nid] for kind, nid in sources if nid in index[kind]]
        stay = ~np.isin(self.src, leaving)
        for name in (*EDGE_ARRAYS, "mechanism"):
            setattr(self, name, getattr(self, name)[stay])
        stay = ~np.isin(self.contact_src, leaving)
        for name in CONTACT_ARRAYS:
            setattr(self, name, getattr(self, name)[stay])
        self._add_edges(edge_groups)

    @classmethod
    def from_graph(cls, G) -> Columns:
        """From a store's graph (nodes keyed (kind, id), edges carrying ``edge_kind``)."""
        nodes: dict[str, list] = {f: [] for f in NODE_FIELDS}
        for (kind, nid), d in G.nodes(data=True):
            if d.get("node_kind") == kind:
                for field, value in zip(NODE_FIELDS, (kind, nid, *(d.get(f) for f in NODE_FIELDS[2:8]),
                                                      d.get("kind") if kind == "PartyOrg" else None,
                                                      d.get("start_date"), d.get("end_date")), strict=True):
                    nodes[field].append(value)
        groups: dict[tuple, dict[str, list]] = {}
        for a, b, e in G.edges(data=True):
            values = groups.setdefault((e["edge_kind"], a[0], b[0]), {f: [] for f in EDGE_FIELDS})
            for field, value in zip(EDGE_FIELDS, (a[1], b[1], *(e.get(f) for f in EDGE_FIELDS[2:])), strict=True):
                values[field].append(value)
        return cls.build(nodes, [(*key, values) for key, values in groups.items()])

    # --- kept in a file as two blobs -----------------------------------------------------
    def to_blobs(self) -> tuple[bytes, bytes]:
        buffer = io.BytesIO()
        np.savez(buffer, **{name: getattr(self, name) for name in self.ARRAYS})
        text = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.ARRAYS}
        return buffer.getvalue(), orjson.dumps(text)

    @classmethod
    def from_blobs(cls, arrays: bytes, text: bytes) -> Columns:
        with np.load(io.BytesIO(arrays)) as stored:
            values = {name: stored[name] for name in cls.ARRAYS}
        return cls(**values, **orjson.loads(text))

    # --- what people read -------------------------------------------------------------
    def item(self, i: int) -> dict:
        """A node's JSON shape, as ``View.item`` gives it."""
        cid = self.committee[i]
        committee_id = self.committee_ids[cid] if cid >= 0 else None
        if self.kind[i] == MEMBER:
            return {"id": self.ids[i], "name": self.names[i], "committee_id": committee_id, "sector": self.sectors[i]}
        return {"id": self.ids[i], "kind": KIND_CODES[KINDS[self.kind[i]]], "name": self.names[i],
                "committee_id": committee_id}

    def committee_key(self, i: int) -> str:
        cid = self.committee[i]
        return self.committee_ids[cid] if cid >= 0 else NONE_KEY


def join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with left[i] == right[j]."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    lo, hi = np.searchsorted(ordered, left, "left"), np.searchsorted(ordered, left, "right")
    counts = hi - lo
    i = np.repeat(np.arange(len(left)), counts)
    offsets = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, order[np.repeat(lo, counts) + offsets]


def lookup(ordered: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key is in a sorted array, and whether it is there at all."""
    at = np.searchsorted(ordered, keys)
    found = at < len(ordered)
    found[found] = ordered[at[found]] == keys[found]
    return at, found


class Day:
    """One day over the columns: who is current, which edges hold, the last contact of
    each pair; what ``View`` indexes, as masks."""

    def __init__(self, c: Columns, day: str, scope: set[str] | None, committees: dict[str, dict]):
        self.c, self.iso, self.d = c, day, day_number(day)
        self.scope, self.committees = scope, committees
        d = self.d
        self.current = (c.start <= d) & (c.end >= d)
        self.n = len(c.kind)
        if scope is None:
            self.in_scope = np.ones(self.n, bool)
        else:
            wanted = [code for code, cid in enumerate(c.committee_ids) if cid in scope]
            self.in_scope = np.isin(c.committee, wanted)
        holding = (c.edge_start <= d) & (c.edge_end >= d)
        liaison = holding & (c.edge_kind == LIAISON_CODE)
        self.liaison_in = liaison & self.current[c.src]  # View.liaisons_in, by edge
        self.liaison_out = liaison & self.current[c.dst]  # View.liaisons_out
        membership = holding & (c.edge_kind != LIAISON_CODE)
        self.container = membership & self.current[c.dst]  # View.containers: src sits in dst
        self.occupant = membership & (c.kind[c.src] == MEMBER) & self.current[c.src]  # View.occupants of dst
        on_day = c.contact_day <= d
        low = np.minimum(c.contact_src[on_day], c.contact_dst[on_day]).astype(np.int64)
        keys = low * self.n + np.maximum(c.contact_src[on_day], c.contact_dst[on_day])
        days = c.contact_day[on_day]
        order = np.lexsort((days, keys))
        keys, days = keys[order], days[order]
        last = np.ones(len(keys), bool)
        last[:-1] = keys[1:] != keys[:-1]
        self.contact_keys, self.contact_last = keys[last], days[last]

    def last_contact(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The last contact day of each pair on or before the day (NO_DAY for none)."""
        keys = np.minimum(a, b).astype(np.int64) * self.n + np.maximum(a, b)
        at, found = lookup(self.contact_keys, keys)
        out = np.full(len(keys), NO_DAY, np.int32)
        out[found] = self.contact_last[at[found]]
        return out

    def selected(self, select: Select) -> np.ndarray:
        """Current nodes, in scope or not, that a selection matches (``View.selected``)."""
        c = self.c
        mask = self.current & (c.kind == KINDS.index(select.node_kind))
        if select.kind == "member":
            if select.cpc is not None:
                mask &= c.cpc == select.cpc
            if select.party_group is not None:
                mask &= c.party_group == select.party_group
            for flag, names in ((select.standing, STANDING), (select.chair_council, CHAIR_COUNCIL)):
                if flag is not None:
                    mask &= self._position_in(names) == flag
            if select.positions:
                mask &= self._position_in(select.positions)
        if select.kind == "party_org" and select.party_org_kinds:
            mask &= np.isin(c.org_kind, [i for i, k in enumerate(c.org_kinds) if k in select.party_org_kinds])
        return mask

    def _position_in(self, names) -> np.ndarray:
        return np.isin(self.c.position, [i for i, p in enumerate(self.c.positions) if p in names])

    def nodes(self, kind: str) -> np.ndarray:
        """Current nodes of a kind in scope, in (kind, id) order (``View.nodes``)."""
        c = self.c
        found = np.flatnonzero(self.current & self.in_scope & (c.kind == KINDS.index(kind)))
        return found[np.argsort(c.rank[found])]

    def by_committee_then_id(self, nodes: np.ndarray) -> np.ndarray:
        return nodes[np.lexsort((self.c.rank[nodes], self.c.committee[nodes]))]


@dataclass
class Found:
    """(item, coverer, through a liaison) for every way a rule's coverers reach its items."""
    item: np.ndarray
    coverer: np.ndarray
    liaison: np.ndarray  # bool: the coverer's liaison edge (False: a membership)


def coverers(day: Day, rule: Rule, population: np.ndarray) -> Found:
    """What ``Rule.coverers`` gives for each item, as pairs."""
    c = day.c
    eligible = day.selected(rule.by)
    member_items = population & (c.kind == MEMBER)
    items, found_by, via = [], [], []

    def add(item, coverer, liaison: bool):
        items.append(item)
        found_by.append(coverer)
        via.append(np.full(len(item), liaison))

    reaching = day.liaison_in & eligible[c.src]
    for way in rule.through:
        if way == "liaison":
            e = np.flatnonzero(reaching & population[c.dst])
            add(c.dst[e], c.src[e], True)
        elif way == "membership":
            e = np.flatnonzero(day.container & member_items[c.src] & eligible[c.dst])
            add(c.src[e], c.dst[e], False)
            e = np.flatnonzero(day.occupant & population[c.dst] & eligible[c.src])
            add(c.dst[e], c.src[e], False)
        else:
            sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(THROUGH[way])) & member_items[c.src])
            liaisons = np.flatnonzero(reaching)
            i, j = join(c.dst[sits], c.dst[liaisons])
            add(c.src[sits][i], c.src[liaisons][j], True)
    if not items:
        return Found(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, bool))
    return Found(np.concatenate(items), np.concatenate(found_by), np.concatenate(via))


def effective_items(day: Day, found: Found, window_start: int) -> np.ndarray:
    """Items with at least one effective coverer (``graph.coverage.effective``)."""
    c = day.c
    checked = found.liaison & (c.kind[found.coverer] == MEMBER)
    good = ~checked
    direct = np.flatnonzero(checked & (c.kind[found.item] == MEMBER))
    good[direct] = day.last_contact(found.coverer[direct], found.item[direct]) >= window_start
    groups = np.flatnonzero(checked & (c.kind[found.item] != MEMBER))
    if len(groups):
        occupied = np.flatnonzero(day.occupant)
        i, j = join(found.item[groups], c.dst[occupied])
        hit = day.last_contact(found.coverer[groups][i], c.src[occupied][j]) >= window_start
        good[groups] = np.bincount(i[hit], minlength=len(groups)) > 0
    return np.unique(found.item[good])


def _pair_keys(day: Day, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) * day.n + b


def affinity_matched(day: Day, found: Found, edge_kind: str) -> int:
    """Covered member items sharing a container of a kind with one of their member coverers."""
    c = day.c
    pairs = np.flatnonzero((c.kind[found.item] == MEMBER) & (c.kind[found.coverer] == MEMBER))
    sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(edge_kind)))
    held = np.unique(_pair_keys(day, c.src[sits], c.dst[sits]))
    i, j = join(found.item[pairs], c.src[sits])
    keys = _pair_keys(day, found.coverer[pairs][i], c.dst[sits][j])
    _, hit = lookup(held, keys)
    return len(np.unique(found.item[pairs][i[hit]]))


def evaluate_rule(day: Day, rule: Rule, window_days: int, by: str | None = None) -> dict:
    c = day.c
    population = day.selected(rule.covers) & day.in_scope
    items = np.flatnonzero(population)
    found = coverers(day, rule, population)
    covered = np.zeros(day.n, bool)
    covered[found.item] = True
    n_covered = int(covered.sum())
    effective = len(effective_items(day, found, day.d - window_days))
    uncovered = day.by_committee_then_id(np.flatnonzero(population & ~covered))
    out = {
        "id": rule.id,
        "label": rule.label,
        "covers": rule.covers.kind,
        "total": len(items),
        "covered": n_covered,
        "ratio": ratio(n_covered, len(items)),
        "effective": effective,
        "effective_ratio": ratio(effective, len(items)),
        "uncovered": [c.item(i) for i in uncovered.tolist()],
    }
    if rule.capacity:
        low, high = rule.capacity
        chosen = np.flatnonzero(day.selected(rule.by) & day.in_scope)
        chosen = chosen[np.argsort(c.rank[chosen])]
        liaised = np.unique(_pair_keys(day, found.coverer[found.liaison], found.item[found.liaison]))
        load = np.bincount((liaised // day.n).astype(np.int64), minlength=day.n)[chosen]
        out["capacity"] = {
            "min": low,
            "max": high,
            "over": [{**c.item(i), "count": int(n)} for i, n in zip(chosen.tolist(), load.tolist(), strict=True)
                     if high is not None and n > high],
            "under": [{**c.item(i), "count": int(n)} for i, n in zip(chosen.tolist(), load.tolist(), strict=True)
                      if low is not None and n < low],
        }
    if rule.affinity:
        pairs = int((covered & (c.kind == MEMBER)).sum())
        matched = affinity_matched(day, found, AFFINITY[rule.affinity])
        out["affinity"] = {"by": rule.affinity, "matched": matched, "of": pairs, "ratio": ratio(matched, pairs)}
    if by:
        out["breakdown"] = breakdown(day, items, covered, by)
    return out


def breakdown(day: Day, items: np.ndarray, covered: np.ndarray, by: str) -> list[dict]:
    c = day.c
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if by == "committee":
        total = np.bincount(c.committee[items] + 1, minlength=len(c.committee_ids) + 1)
        got = np.bincount(c.committee[items] + 1, weights=covered[items], minlength=len(c.committee_ids) + 1)
        for code in np.flatnonzero(total).tolist():
            key = c.committee_ids[code - 1] if code else NONE_KEY
            counts[key] = [int(total[code]), int(got[code])]
        return committee_rows(counts, day.committees, day.scope)
    members = items[c.kind[items] == MEMBER]
    wanted = np.zeros(day.n, bool)
    wanted[members] = True
    sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(BREAKDOWNS[by])) & wanted[c.src])
    names = [c.names[i] for i in c.dst[sits].tolist()]
    for name, member in zip(names, c.src[sits].tolist(), strict=True):
        counts[name][0] += 1
        counts[name][1] += bool(covered[member])
    placed = np.zeros(day.n, bool)
    placed[c.src[sits]] = True
    alone = members[~placed[members]]
    if len(alone):
        counts[NONE_KEY][0] += len(alone)
        counts[NONE_KEY][1] += int(covered[alone].sum())
    for i in items[c.kind[items] != MEMBER].tolist():
        key = c.names[i] if KIND_CODES[KINDS[c.kind[i]]] == by else NONE_KEY
        counts[key][0] += 1
        counts[key][1] += bool(covered[i])
    return [{"key": key, "name": key, "total": t, "covered": g, "ratio": ratio(g, t)}
            for key, (t, g) in sorted(counts.items())]


def sectors_without_cpc(day: Day) -> list[dict]:
    c = day.c
    sectors = day.nodes("Sector")
    occupied = np.flatnonzero(day.occupant)
    members = np.bincount(c.dst[occupied], minlength=day.n)
    with_cpc = np.bincount(c.dst[occupied], weights=c.cpc[c.src[occupied]], minlength=day.n) > 0
    lacking = day.by_committee_then_id(sectors[~with_cpc[sectors]])
    return [{**c.item(i), "members": int(members[i])} for i in lacking.tolist()]


def members_without_special_committee(day: Day) -> list[dict]:
    c = day.c
    members = day.nodes("Member")
    sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index("ON_SPECIAL_COMMITTEE")))
    placed = np.zeros(day.n, bool)
    placed[c.src[sits]] = True
    return [c.item(i) for i in members[~placed[members]].tolist()]


def quiet_liaisons(day: Day, window_days: int) -> list[dict]:
    c = day.c
    members = np.zeros(day.n, bool)
    members[day.nodes("Member")] = True
    e = np.flatnonzero(day.liaison_out & members[c.src] & (c.kind[c.dst] == MEMBER))
    src, dst = c.src[e], c.dst[e]
    last = day.last_contact(src, dst)
    quiet = last < day.d - window_days
    e, src, dst, last = e[quiet], src[quiet], dst[quiet], last[quiet]
    since = np.where(last != NO_DAY, last, c.edge_start[e])
    known = since != OPEN_START
    days_quiet = np.where(known, day.d - since, 0)
    order = np.lexsort((-days_quiet, c.mechanism[e], c.rank[dst], c.rank[src], last))
    days = np.datetime64("1970-01-01") + np.maximum(last[order], 0).astype("timedelta64[D]")
    ids, names, committee_ids, mechanisms = c.ids, c.names, c.committee_ids + [None], c.mechanisms + [None]
    rows = zip(src[order].tolist(), dst[order].tolist(), c.committee[src[order]].tolist(), c.mechanism[e[order]].tolist(),
               np.where(last[order] != NO_DAY, days.astype(str), None).tolist(),
               np.where(known[order], days_quiet[order], -1).tolist(), strict=True)
    return [{"from_id": ids[a], "from_name": names[a], "to_id": ids[b], "to_name": names[b],
             "committee_id": committee_ids[cid], "mechanism": mechanisms[m], "last_contact": last_day,
             "days_quiet": quiet if quiet >= 0 else None}
            for a, b, cid, m, last_day, quiet in rows]


def report(columns: Columns, day: str, policy: Policy, committees: dict[str, dict], scope: set[str] | None = None,
           by: str | None = None, window_days: int | None = None) -> dict:
    """``graph.coverage.report`` of the same graph, from its columns (without the cycle
    collector, as that report: a nation's report makes a quarter of a million rows)."""
    with bulk():
        on = Day(columns, day, scope, committees)
        return assemble(policy, day, by, window_days, scope_root(scope, committees),
                        lambda rule, window, by: evaluate_rule(on, rule, window, by),
                        lambda window: {"sectors_without_cpc": sectors_without_cpc(on),
                                        "members_without_special_committee": members_without_special_committee(on),
                                        "quiet_liaisons": quiet_liaisons(on, window)})
