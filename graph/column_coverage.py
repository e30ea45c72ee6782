"""A policy's coverage report over a whole store, from its report columns
(``graph/columnar.py``) instead of a graph: the rules are evaluated as array operations —
masks for the populations and coverers, joins for the ``via_…`` and affinity questions, one
sort per listing, a contact requirement's counts by binary search in the day's contacts
sorted by pair (or by member and person among the masses) and day
(``graph/column_contacts.py``) — so the whole nation is a fraction of a second where
building its graph takes a minute and several GB.

It answers exactly what :func:`graph.coverage.report` answers on a :class:`View` of the
same graph (a property test holds the two to the same report for random policies and
days; the attendance section is ``graph/column_attendance.py``'s); ``graph/reports.py``
chooses between the two. Days are those of ``graph/days.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from liaison_graph.graph import days
from liaison_graph.graph.column_attendance import participation
from liaison_graph.graph.column_contacts import Ledger, Masses, lookup
from liaison_graph.graph.columnar import EDGE_KINDS, KINDS, LIAISON_CODE, MEMBER, Columns, join
from liaison_graph.graph.coverage import (NONE_KEY, SPECIAL_COMMITTEE, assemble, committee_rows, expected_without_cpc,
                                          group_rows, ratio, scope_root, township_key)
from liaison_graph.graph.days import NO_DAY, OPEN_START
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.policy import (AFFINITY, BREAKDOWNS, CHAIR_COUNCIL, KIND_CODES, MASSES_WAY, STANDING, THROUGH,
                                        TOWNSHIP, Policy, Rule, Select)
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.requirement import EFFECTIVE, NO_AFFINITY, NO_CONTACT, REASONS, WRONG_MECHANISM, Requirement


class Day:
    """One day over the columns: who is current, which edges hold, the contacts of each
    pair (and with the masses) on or before the day; what ``View`` indexes, as masks and
    sorted arrays."""

    def __init__(self, c: Columns, day: str, scope: set[str] | None, committees: dict[str, dict]):
        self.c, self.iso, self.d = c, day, days.day(day)
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
        on_day = c.contact_day <= d  # each pair's contacts on or before the day, a run (the lower end first)
        self.contacts = Ledger(self._unordered_keys(c.contact_src[on_day], c.contact_dst[on_day]),
                               c.contact_day[on_day], c.contact_mode[on_day], d, c.contact_modes)
        self._masses: Masses | None = None
        self._sitting: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _unordered_keys(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.minimum(a, b).astype(np.int64) * self.n + np.maximum(a, b)

    def last_contact(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The last contact day of each pair on or before the day (NO_DAY for none)."""
        at, found = lookup(self.contacts.keys, self._unordered_keys(a, b))
        out = np.full(len(a), NO_DAY, np.int32)
        out[found] = self.contacts.last[at[found]]
        return out

    def judged(self, need: Requirement, a: int, b: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The reason code of each pair ``(x[i], y[i])`` from its contacts (``Requirement.judge``,
        with ``a`` and ``b`` its bounds as days)."""
        return self.contacts.judged(need, a, b, *lookup(self.contacts.keys, self._unordered_keys(x, y)))

    @property
    def masses(self) -> Masses:
        """The contacts with the masses on or before the day (worked out for the first rule of them)."""
        if self._masses is None:
            self._masses = Masses(self.c, self.d)
        return self._masses

    def sitting(self, edge_kind: str) -> tuple[np.ndarray, np.ndarray]:
        """The edges by which members sit in a container of a kind on the day, and their
        (member, container) keys, sorted."""
        if edge_kind not in self._sitting:
            c = self.c
            sits = np.flatnonzero(self.container & (c.edge_kind == EDGE_KINDS.index(edge_kind)))
            self._sitting[edge_kind] = sits, np.sort(c.src[sits].astype(np.int64) * self.n + c.dst[sits])
        return self._sitting[edge_kind]

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
        if select.kinds:
            mask &= np.isin(c.org_kind, [i for i, k in enumerate(c.org_kinds) if k in select.kinds])
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
    """(item, coverer, the coverer's liaison edge) for every way a rule's coverers reach its items."""
    item: np.ndarray
    coverer: np.ndarray
    edge: np.ndarray  # the liaison's edge index; -1: a membership

    @property
    def liaison(self) -> np.ndarray:
        return self.edge >= 0


def coverers(day: Day, rule: Rule, population: np.ndarray) -> Found:
    """What ``Rule.coverers`` gives for each item, as pairs."""
    c = day.c
    eligible = day.selected(rule.by)
    member_items = population & (c.kind == MEMBER)
    items, found_by, via = [], [], []

    def add(item, coverer, edge=None):
        items.append(item)
        found_by.append(coverer)
        via.append(np.full(len(item), -1, np.int64) if edge is None else edge)

    reaching = day.liaison_in & eligible[c.src]
    for way in rule.through:
        if way == MASSES_WAY:  # the member itself, with as many people on record as the rule asks
            item = np.flatnonzero(member_items & eligible & (day.masses.people >= rule.needs.people))
            add(item, item)
        elif way == "liaison":
            e = np.flatnonzero(reaching & population[c.dst])
            add(c.dst[e], c.src[e], e)
        elif way == "membership":
            e = np.flatnonzero(day.container & member_items[c.src] & eligible[c.dst])
            add(c.src[e], c.dst[e])
            e = np.flatnonzero(day.occupant & population[c.dst] & eligible[c.src])
            add(c.dst[e], c.src[e])
        else:
            sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(THROUGH[way])) & member_items[c.src])
            liaisons = np.flatnonzero(reaching)
            i, j = join(c.dst[sits], c.dst[liaisons])
            add(c.src[sits][i], c.src[liaisons][j], liaisons[j])
    if not items:
        return Found(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))
    return Found(np.concatenate(items), np.concatenate(found_by), np.concatenate(via))


def reasons(day: Day, rule: Rule, found: Found, window_days: int) -> np.ndarray:
    """Each node's reason code (``graph.coverage.reason``: the least over the ways its
    coverers reach it; 0 effective), ``len(REASONS)`` for a node nothing covers."""
    c, need = day.c, rule.needs
    a, b = (days.day(bound) for bound in need.bounds(day.iso, window_days))
    code = np.full(len(found.item), EFFECTIVE, np.int8)  # a membership, an organisation's liaison
    if rule.masses:  # its own people judged (no liaison: nothing below applies)
        code = day.masses.reasons(need, a, b)[found.item]
    todo = found.liaison & (c.kind[found.coverer] == MEMBER)
    if need.mechanisms:
        wanted = [k for k, mechanism in enumerate(c.mechanisms) if mechanism in need.mechanisms]
        checked = np.flatnonzero(todo)
        other = checked[~np.isin(c.mechanism[found.edge[checked]], wanted)]  # none (-1) is not among them
        code[other], todo[other] = WRONG_MECHANISM, False
    if need.affinity_required and rule.affinity:
        checked = np.flatnonzero(todo & (c.kind[found.item] == MEMBER))
        apart = checked[~shares(day, found.item[checked], found.coverer[checked], AFFINITY[rule.affinity])]
        code[apart], todo[apart] = NO_AFFINITY, False
    direct = np.flatnonzero(todo & (c.kind[found.item] == MEMBER))
    code[direct] = day.judged(need, a, b, found.coverer[direct], found.item[direct])
    groups = np.flatnonzero(todo & (c.kind[found.item] != MEMBER))
    if len(groups):  # a sector, group or organisation: each current member in it
        occupied = np.flatnonzero(day.occupant)
        i, j = join(found.item[groups], c.dst[occupied])
        least = np.full(len(groups), NO_CONTACT, np.int8)  # no one in it: no contact
        np.minimum.at(least, i, day.judged(need, a, b, found.coverer[groups][i], c.src[occupied][j]))
        code[groups] = least
    out = np.full(day.n, len(REASONS), np.int8)
    np.minimum.at(out, found.item, code)
    return out


def _pair_keys(day: Day, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) * day.n + b


def shares(day: Day, a: np.ndarray, b: np.ndarray, edge_kind: str) -> np.ndarray:
    """Whether each ``a[i]`` and ``b[i]`` sit in one same container by that edge kind."""
    c = day.c
    sits, held = day.sitting(edge_kind)
    i, j = join(a, c.src[sits])
    _, hit = lookup(held, _pair_keys(day, b[i], c.dst[sits][j]))
    return np.bincount(i[hit], minlength=len(a)) > 0


def affinity_matched(day: Day, found: Found, edge_kind: str) -> int:
    """Covered member items sharing a container of a kind with one of their member coverers."""
    c = day.c
    pairs = np.flatnonzero((c.kind[found.item] == MEMBER) & (c.kind[found.coverer] == MEMBER))
    matched = np.zeros(day.n, bool)
    matched[found.item[pairs][shares(day, found.item[pairs], found.coverer[pairs], edge_kind)]] = True
    return int(matched.sum())


def evaluate_rule(day: Day, rule: Rule, window_days: int, by: str | None = None) -> dict:
    c = day.c
    population = day.selected(rule.covers) & day.in_scope
    items = np.flatnonzero(population)
    found = coverers(day, rule, population)
    covered = np.zeros(day.n, bool)
    covered[found.item] = True
    n_covered = int(covered.sum())
    counted = np.bincount(reasons(day, rule, found, window_days)[covered], minlength=len(REASONS))
    effective = int(counted[EFFECTIVE])
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
        # graph.coverage.reason_counts: every reason but effective, in its order
        "not_effective": {name: int(counted[code]) for code, name in enumerate(REASONS) if code != EFFECTIVE},
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
    if by == TOWNSHIP:
        return townships(day, items, covered)
    members = items[c.kind[items] == MEMBER]
    wanted = np.zeros(day.n, bool)
    wanted[members] = True
    sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(BREAKDOWNS[by])) & wanted[c.src])
    groups = c.dst[sits]
    got = np.bincount(groups, weights=covered[c.src[sits]], minlength=day.n)
    where: dict[str, tuple] = {}
    committee_ids = [*c.committee_ids, None]  # -1: none
    for group, total in zip(*np.unique(groups, return_counts=True)):
        counts[c.ids[group]] = [int(total), int(got[group])]
        where[c.ids[group]] = (c.names[group], committee_ids[c.committee[group]])
    placed = np.zeros(day.n, bool)
    placed[c.src[sits]] = True
    alone = members[~placed[members]]
    if len(alone):
        counts[NONE_KEY][0] += len(alone)
        counts[NONE_KEY][1] += int(covered[alone].sum())
    for i in items[c.kind[items] != MEMBER].tolist():
        key = c.ids[i] if KIND_CODES[KINDS[c.kind[i]]] == by else NONE_KEY
        if key != NONE_KEY:
            where[key] = (c.names[i], committee_ids[c.committee[i]])
        counts[key][0] += 1
        counts[key][1] += bool(covered[i])
    return group_rows(counts, where, day.committees)


def townships(day: Day, items: np.ndarray, covered: np.ndarray) -> list[dict]:
    """The breakdown by township (``graph.coverage``): each item in its own township of its committee."""
    c = day.c
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    where: dict[str, tuple] = {}
    committee_ids = [*c.committee_ids, None]  # -1: none
    for i, place, cid in zip(items.tolist(), c.township[items].tolist(), c.committee[items].tolist(), strict=True):
        key = NONE_KEY
        if place >= 0:
            key = township_key(committee_ids[cid], c.townships[place])
            where[key] = (c.townships[place], committee_ids[cid])
        counts[key][0] += 1
        counts[key][1] += bool(covered[i])
    return group_rows(counts, where, day.committees)


def sectors_without_cpc(day: Day, expected: frozenset[str]) -> tuple[list[dict], list[dict]]:
    """Sectors with no current CPC member: those listed, and those left out as expected."""
    c = day.c
    sectors = day.nodes("Sector")
    occupied = np.flatnonzero(day.occupant)
    members = np.bincount(c.dst[occupied], minlength=day.n)
    with_cpc = np.bincount(c.dst[occupied], weights=c.cpc[c.src[occupied]], minlength=day.n) > 0
    lacking = day.by_committee_then_id(sectors[~with_cpc[sectors]]).tolist()
    folded = {name: fold(name or "") for name in {c.names[i] for i in lacking}}
    rows = [(folded[c.names[i]] in expected, {**c.item(i), "members": int(members[i])}) for i in lacking]
    return [row for out, row in rows if not out], [row for out, row in rows if out]


def members_without_special_committee(day: Day) -> list[dict]:
    c = day.c
    members = day.nodes("Member")
    sits = np.flatnonzero(day.container & (c.edge_kind == EDGE_KINDS.index(SPECIAL_COMMITTEE)))
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
    window_start = day.d - window_days  # older than the window (an open start is), no contact within it
    quiet = (last < window_start) & (c.edge_start[e] < window_start)
    e, src, dst, last = e[quiet], src[quiet], dst[quiet], last[quiet]
    since = np.where(last != NO_DAY, last, c.edge_start[e])
    known = since != OPEN_START
    days_quiet = np.where(known, day.d - since, 0)
    order = np.lexsort((c.mechanism[e], c.rank[dst], c.rank[src], -days_quiet, known))  # the last key first
    last_days = days.isos(np.maximum(last[order], 0))
    ids, names, committee_ids, mechanisms = c.ids, c.names, c.committee_ids + [None], c.mechanisms + [None]
    rows = zip(src[order].tolist(), dst[order].tolist(), c.committee[src[order]].tolist(), c.mechanism[e[order]].tolist(),
               np.where(last[order] != NO_DAY, last_days, None).tolist(),
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
        listed, left_out = sectors_without_cpc(on, expected_without_cpc(policy))
        return assemble(policy, day, by, window_days, scope_root(scope, committees),
                        lambda rule, window, by: evaluate_rule(on, rule, window, by),
                        lambda window: {"sectors_without_cpc": listed, "sectors_expected_without_cpc": left_out,
                                        "members_without_special_committee": members_without_special_committee(on),
                                        "quiet_liaisons": quiet_liaisons(on, window),
                                        "attendance": participation(on)})
