"""The report columns: every node and every edge a coverage report reads, as numpy arrays,
so that a policy's rules can be evaluated over a whole store without building its graph
(``graph/column_coverage.py`` evaluates them).

A :class:`Columns` holds node kind, committee, term, CPC, position, party-group role,
kind (of an organisation, a studio), township, an activity's start; edge ends, kind, range and mechanism; contacts as
(who, with whom, day, mode); contacts with the masses as (whose, which of their people, day,
mode); activities' participants as (activity, member, attendance). The
embedded store keeps its columns in its file, as of a roster version, and in memory; a write
brings them up to date (:meth:`Columns.patch`: the written nodes and the edges leaving what
it touched, read back), and whoever reads the file's copy follows the change feed from its
version (``graph/projections.py``: ``ReportColumns``). Days are those of ``graph/days.py``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, fields
from itertools import repeat

import numpy as np
import orjson
from liaison_graph.graph import days
from liaison_graph.graph.attendance import INVITED, INVOLVES, STATUSES
from liaison_graph.graph.days import NO_DAY, OPEN_END, OPEN_START
from liaison_graph.graph.model import model
from liaison_graph.graph.parts import MEMBERSHIP
from liaison_graph.graph.policy import CONTACT, DEFAULT_POSITION, KIND_CODES, KINDED, LIAISON, MASSES, TERMED, TOWNSHIP
from liaison_graph.graph.requirement import REVIEW

# The blobs' layout; a file holding another is rebuilt (3: contacts carry their mode; 4: the
# contacts with the masses; 5: activities' start days and their participants' attendance; 6: a
# studio's kind, members' and studios' townships).
FORMAT = 6
KINDS = tuple(KIND_CODES)  # node kinds, coded by position
MEMBER = KINDS.index("Member")
ACTIVITY = KINDS.index(model().edges[INVOLVES].sources[0])  # whose participants the columns hold
# attendance, coded by its place in model.yaml (-1: a value it does not know); none is
# listed only (invited), as graph/attendance.py reads it
STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}
STATUS_CODE[None] = STATUS_CODE[""] = STATUS_CODE[INVITED]
EDGE_KINDS = (LIAISON, *MEMBERSHIP)  # edge kinds a report reads, coded by position
LIAISON_CODE = 0
EDGE_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}

# What a report reads from a node and an edge, in this order.
NODE_FIELDS = ("kind", "id", "committee_id", "name", "sector", "cpc", "position", "party_group_role", "org_kind",
               "start_date", "end_date", TOWNSHIP)
EDGE_FIELDS = ("src", "dst", "start_date", "end_date", "mechanism", "date", "mode", "person", REVIEW, "attendance")


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


def people(src: np.ndarray, person: list) -> np.ndarray:
    """The person of each contact with the masses (``src`` its member's node, ``person`` the
    name) as a number among that member's people, in the order of their names: a person is
    known by name under one member only, so no text need be kept, and every way the columns
    are built numbers them alike (given all of a member's contacts at once, as a build and a
    patch give them)."""
    names = ["" if p is None else p for p in person] if None in person else person
    # as fixed-width text, sorted as Python sorts it and many times faster than Python; as
    # objects if a name is long (each fixed-width entry is as wide as the longest)
    text = np.array(names, str if max(map(len, names), default=0) <= 64 else object)
    _, code = np.unique(text, return_inverse=True)  # a name's place among all names
    order = np.argsort(src.astype(np.int64) * max(len(names), 1) + code.reshape(-1))
    member, name = src[order], code[order]
    first = np.ones(len(order), bool)  # a member's first contact, and a person's
    first[1:] = member[1:] != member[:-1]
    new = first.copy()
    new[1:] |= name[1:] != name[:-1]
    seen = np.cumsum(new) - 1  # the (member, person) pairs so far
    out = np.empty(len(order), np.int32)
    out[order] = seen - seen[first][np.cumsum(first) - 1]
    return out


def join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with left[i] == right[j]."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    lo, hi = np.searchsorted(ordered, left, "left"), np.searchsorted(ordered, left, "right")
    counts = hi - lo
    i = np.repeat(np.arange(len(left)), counts)
    offsets = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, order[np.repeat(lo, counts) + offsets]


NODE_ARRAYS = ("kind", "committee", "start", "end", "cpc", "party_group", "position", "org_kind", "activity_start",
               "township")
EDGE_ARRAYS = ("src", "dst", "edge_kind", "edge_start", "edge_end")
CONTACT_ARRAYS = ("contact_src", "contact_dst", "contact_day", "contact_mode")
MASSES_ARRAYS = ("masses_src", "masses_person", "masses_day", "masses_mode")
ATTENDANCE_ARRAYS = ("attendance_activity", "attendance_member", "attendance_status")


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
    org_kind: np.ndarray  # int32, into org_kinds: the kind of a party organisation, of a studio (KINDED)
    activity_start: np.ndarray  # int32 days: an activity's start_date; NO_DAY for none, and for other kinds
    # edges a report reads, contacts aside
    src: np.ndarray  # int32 node index
    dst: np.ndarray
    edge_kind: np.ndarray  # int8, into EDGE_KINDS
    edge_start: np.ndarray  # int32 days
    edge_end: np.ndarray
    mechanism: np.ndarray  # int32, into mechanisms; -1 for none
    # contacts: who recorded it, with whom, the day, the mode
    contact_src: np.ndarray
    contact_dst: np.ndarray
    contact_day: np.ndarray
    contact_mode: np.ndarray  # int32, into contact_modes; -1 for none (the model's default)
    # contacts with the masses: the member who keeps them, which of their people (``people``), the day, the mode
    masses_src: np.ndarray
    masses_person: np.ndarray  # int32: the person's number among the member's people
    masses_day: np.ndarray
    masses_mode: np.ndarray  # int32, into contact_modes, as contact_mode
    # activities' participants (INVOLVES): the activity's node, the member's, the attendance
    attendance_activity: np.ndarray
    attendance_member: np.ndarray
    attendance_status: np.ndarray  # int8, into STATUSES (STATUS_CODE)
    township: np.ndarray  # int32, into townships; -1 for none (an empty one too)
    # text
    ids: list
    names: list
    sectors: list
    committee_ids: list  # sorted
    positions: list
    org_kinds: list
    mechanisms: list  # sorted
    contact_modes: list  # sorted: the contact_mode codes the contacts (with the masses too) hold
    townships: list  # sorted

    ARRAYS = ("rank", *NODE_ARRAYS, *EDGE_ARRAYS, "mechanism", *CONTACT_ARRAYS, *MASSES_ARRAYS, *ATTENDANCE_ARRAYS)

    @classmethod
    def build(cls, nodes: dict[str, list], edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> Columns:
        """From node columns (NODE_FIELDS -> values) and edge groups ``(edge kind, source
        kind, target kind, {EDGE_FIELDS -> values})``."""
        order = sorted(range(len(nodes["id"])), key=lambda i: (nodes["kind"][i], nodes["id"][i]))  # index = rank
        nodes = {f: [nodes[f][i] for i in order] for f in NODE_FIELDS}
        out = cls(**dict.fromkeys(cls.ARRAYS, np.zeros(0, np.int32)), ids=nodes["id"], names=nodes["name"],
                  sectors=nodes["sector"], committee_ids=_vocabulary(nodes["committee_id"]),
                  positions=_vocabulary(p or DEFAULT_POSITION for p in nodes["position"]),
                  org_kinds=_vocabulary(nodes["org_kind"]), mechanisms=[], contact_modes=[],
                  townships=_vocabulary(t or None for t in nodes[TOWNSHIP]))
        for name, array in out._node_arrays(nodes).items():
            setattr(out, name, array)
        out.rank = np.arange(len(out.ids), dtype=np.int32)
        out._add_edges(edge_groups)
        return out

    def _node_arrays(self, nodes: dict[str, list]) -> dict[str, np.ndarray]:
        """Node columns as arrays, in this vocabulary."""
        kind = np.fromiter(map(KINDS.index, nodes["kind"]), np.int8, len(nodes["kind"]))
        dated = np.isin(kind, [KINDS.index(k) for k in TERMED])
        start, end = days.days(nodes["start_date"], OPEN_START), days.days(nodes["end_date"], OPEN_END)
        activity_start = np.where((kind == ACTIVITY) & (start != OPEN_START), start, NO_DAY).astype(np.int32)
        start[~dated], end[~dated] = OPEN_START, OPEN_END
        return {"kind": kind, "committee": _encode(nodes["committee_id"], self.committee_ids), "start": start,
                "end": end, "cpc": np.array([bool(c) for c in nodes["cpc"]], bool),
                "party_group": np.array([bool(r) for r in nodes["party_group_role"]], bool),
                "position": _encode([p or DEFAULT_POSITION for p in nodes["position"]], self.positions),
                "org_kind": _encode(nodes["org_kind"], self.org_kinds), "activity_start": activity_start,
                "township": _encode(nodes[TOWNSHIP], self.townships)}

    def node_index(self) -> dict[str, dict[str, int]]:
        """kind -> id -> node index (built once per columns)."""
        if getattr(self, "_index", None) is None:
            self._index = {}
            for k, kind in enumerate(KINDS):
                at = np.flatnonzero(self.kind == k).tolist()
                self._index[kind] = dict(zip(map(self.ids.__getitem__, at), at, strict=True))
        return self._index

    def _add_edges(self, edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> None:
        """Append edge groups (an end that is not a node is left out: nothing a report counts;
        of a contact with the masses, only its member need be one, as the view reads it; nor is
        a contact waiting for the office or sent back, ``REVIEW``). A member's contacts with
        the masses come all in one call (``people``)."""
        index = self.node_index()
        edges: dict[str, list] = {name: [getattr(self, name)] for name in
                                  (*EDGE_ARRAYS, *CONTACT_ARRAYS, "masses_src", "masses_day", *ATTENDANCE_ARRAYS)
                                  if name != "contact_mode"}
        mechanisms: list = []
        modes: list = []
        masses_modes: list = []
        persons: list = []
        for edge_kind, src_kind, dst_kind, values in edge_groups:
            contact = edge_kind in (CONTACT, MASSES)
            if not contact and edge_kind not in EDGE_CODE and edge_kind != INVOLVES:
                continue
            a, b = (np.fromiter(map(index.get(k, {}).get, values[f], repeat(-1)), np.int32, len(values[f]))
                    for k, f in ((src_kind, "src"), (dst_kind, "dst")))
            keep = (a >= 0) & ((b >= 0) | (edge_kind == MASSES))
            review = values.get(REVIEW)
            if contact and review is not None and review.count(None) != len(review):
                keep &= np.array([r is None for r in review], bool)
            kept = np.flatnonzero(keep).tolist() if not keep.all() else None

            def column(field: str) -> list:
                return values[field] if kept is None else [values[field][i] for i in kept]

            if edge_kind == INVOLVES:
                edges["attendance_activity"].append(a[keep])
                edges["attendance_member"].append(b[keep])
                statuses = column("attendance")
                edges["attendance_status"].append(np.fromiter(map(STATUS_CODE.get, statuses, repeat(-1)), np.int8,
                                                              len(statuses)))
                continue
            if edge_kind == MASSES:
                edges["masses_src"].append(a[keep])
                edges["masses_day"].append(days.days(column("date"), OPEN_END))
                masses_modes += column("mode")
                persons += column("person")
                continue
            prefix = "contact_" if edge_kind == CONTACT else ""
            edges[f"{prefix}src"].append(a[keep])
            edges[f"{prefix}dst"].append(b[keep])
            if edge_kind == CONTACT:
                edges["contact_day"].append(days.days(column("date"), OPEN_END))
                modes += column("mode")
            else:
                edges["edge_kind"].append(np.full(int(keep.sum()), EDGE_CODE[edge_kind], np.int8))
                edges["edge_start"].append(days.days(column("start_date"), OPEN_START))
                edges["edge_end"].append(days.days(column("end_date"), OPEN_END))
                mechanisms += column("mechanism")
        self.mechanisms, self.mechanism = _widened(self.mechanisms, self.mechanism, mechanisms)
        self.mechanism = np.concatenate([self.mechanism, _encode(mechanisms, self.mechanisms)])
        # one vocabulary of modes for the two kinds of contact: both arrays follow it as it widens
        seen = [*modes, *masses_modes]
        self.masses_mode = _widened(self.contact_modes, self.masses_mode, seen)[1]
        self.contact_modes, self.contact_mode = _widened(self.contact_modes, self.contact_mode, seen)
        self.contact_mode = np.concatenate([self.contact_mode, _encode(modes, self.contact_modes)])
        self.masses_mode = np.concatenate([self.masses_mode, _encode(masses_modes, self.contact_modes)])
        added = np.concatenate(edges["masses_src"][1:]) if len(edges["masses_src"]) > 1 else np.zeros(0, np.int32)
        self.masses_person = np.concatenate([self.masses_person, people(added, persons)])
        for name, parts in edges.items():
            setattr(self, name, np.concatenate(parts).astype(np.int8 if name in ("edge_kind", "attendance_status")
                                                              else np.int32))

    def patch(self, nodes: dict[str, list], sources: Iterable[tuple[str, str]],
              edge_groups: Iterable[tuple[str, str, str, dict[str, list]]]) -> None:
        """Bring the columns up to a write: ``nodes`` the written nodes as read back after
        it, ``edge_groups`` every edge leaving ``sources`` as read back (their old edges go,
        contacts with the masses too)."""
        index = self.node_index()
        self.committee_ids, self.committee = _widened(self.committee_ids, self.committee, nodes["committee_id"])
        self.positions, self.position = _widened(self.positions, self.position,
                                                 [p or DEFAULT_POSITION for p in nodes["position"]])
        self.org_kinds, self.org_kind = _widened(self.org_kinds, self.org_kind, nodes["org_kind"])
        self.townships, self.township = _widened(self.townships, self.township, [t or None for t in nodes[TOWNSHIP]])
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
        for arrays in (CONTACT_ARRAYS, MASSES_ARRAYS, ATTENDANCE_ARRAYS):
            stay = ~np.isin(getattr(self, arrays[0]), leaving)
            for name in arrays:
                setattr(self, name, getattr(self, name)[stay])
        self._add_edges(edge_groups)

    @classmethod
    def from_graph(cls, G) -> Columns:
        """From a store's graph (nodes keyed (kind, id), edges carrying ``edge_kind``)."""
        nodes: dict[str, list] = {f: [] for f in NODE_FIELDS}
        for (kind, nid), d in G.nodes(data=True):
            if d.get("node_kind") == kind:
                for field, value in zip(NODE_FIELDS, (kind, nid, *(d.get(f) for f in NODE_FIELDS[2:8]),
                                                      d.get("kind") if kind in KINDED else None,
                                                      d.get("start_date"), d.get("end_date"), d.get(TOWNSHIP)),
                                        strict=True):
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
