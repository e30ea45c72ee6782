"""The coverage report: every rule of a policy evaluated on one day's view.

For each rule: covered / total / ratio, nominal and effective (a liaison is effective
when the pair's contacts meet the rule's requirement, by default one contact within
``window_days`` before the day: ``graph/requirement.py``), the reasons the covered items
that are not effective are not, the
uncovered items, a breakdown by sector, special committee, activity group or committee
(each committee and the roll-up of the committees below it), capacity findings and
affinity. Beside the rules: the two full coverages as a headline, sectors with no CPC
member (beside them, those the policy expects none in: ``sectors_expected_without_cpc``),
members in no special committee (全员入委), liaisons gone quiet, and this year's
participation in activities (``graph/attendance.py``: participation).

A breakdown by sector, special committee or activity group has a row for each group node:
each committee has its own (第一委员活动组 of eight counties is eight rows), named with its
committee, by committee and then the natural order of the names (``graph/natural.py``). A
breakdown by township has a row for each township of each committee (``township_key``): a
member or a studio counts in its own ``township``, an item without one in NONE_KEY.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from liaison_graph.graph import days, requirement
from liaison_graph.graph.attendance import participation
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.natural import natural
from liaison_graph.graph.parts import bulk
from liaison_graph.graph.policy import AFFINITY, BREAKDOWNS, LIAISON, PARTY_SECTORS, TOWNSHIP, Policy, Rule, flagship
from liaison_graph.graph.requirement import EFFECTIVE, REASONS
from liaison_graph.graph.store import Store
from liaison_graph.graph.view import KIND_CODES, View, children_of, scope_of

NONE_KEY = "（无）"
SPECIAL_COMMITTEE = AFFINITY["special_committee"]  # the membership edge of a special committee (全员入委)
# The sector names (folded) of the parties' own sectors, where no CPC member is expected: the
# labels and spellings of the democratic parties and of 无党派人士 (model.yaml: affiliation).
_AFFILIATION = model().enums["affiliation"]
_OWN_CODES = _AFFILIATION.marked("democratic") | {_AFFILIATION.the("independent")}
PARTY_OWN = frozenset(word for word, code in _AFFILIATION.lookup.items() if code in _OWN_CODES and word != code)


def ratio(covered: int, total: int) -> float:
    return round(covered / total, 4) if total else 1.0


def population(view: View, rule: Rule) -> list:
    """The nodes in the view's scope a rule applies to on its day, sorted."""
    chosen = view.selected(rule.covers)
    return [node for node, _ in view.nodes(rule.covers.node_kind) if node in chosen]


def uncovered(view: View, rule: Rule) -> list:
    """The nodes of a rule's population no coverer covers, sorted as ``population``."""
    return [node for node in population(view, rule) if not rule.covered(view, node)]


def reason(view: View, rule: Rule, coverer, edge, item, bounds: tuple[str, str]) -> int:
    """Why a coverer's liaison does not make the item effective (``graph/requirement.py``; 0:
    it does), from its contacts with the item (for a sector or group: with each member in
    it); membership, and an organisation's liaison, need no contact; a rule of contacts with the
    masses judges the item's own fixed contacts."""
    if rule.masses:
        return requirement.masses_reason(rule.needs, list(view.masses(item).values()), *bounds)
    if edge is None or coverer[0] != "Member":
        return EFFECTIVE
    targets = [item] if item[0] == "Member" else list(view.occupants(item))
    return requirement.reason(rule.needs, edge.get("mechanism"), shares_group(view, rule, coverer, item),
                              [view.contacts(coverer, t) for t in targets], *bounds)


def shares_group(view: View, rule: Rule, coverer, item) -> bool:
    """Whether a member item sits in a group of the rule's affinity with its coverer (an item
    that is no member, or a rule without affinity: it does)."""
    if not rule.affinity or item[0] != "Member":
        return True
    grouping = AFFINITY[rule.affinity]
    return bool(set(view.containers(item, grouping)) & set(view.containers(coverer, grouping)))


def requirement_words(rule: Rule, window: int) -> str | None:
    """What makes the rule's liaisons effective, in Chinese; None for a rule of memberships
    alone (no liaison, nothing to contact)."""
    return rule.needs.words(window) if set(rule.through) - {"membership"} else None


def reason_counts(codes) -> dict[str, int]:
    """How many covered items are not effective, by reason (every reason, in its order)."""
    counted = Counter(codes)
    return {name: counted.get(code, 0) for code, name in enumerate(REASONS) if code != EFFECTIVE}


def evaluate_rule(view: View, rule: Rule, window_days: int, by: str | None = None) -> dict:
    items = population(view, rule)
    bounds = rule.needs.bounds(view.day, window_days)
    covered, effective_covered, missed, reasons = [], 0, [], []
    load: dict = defaultdict(set)
    affinity_pairs = affinity_matched = 0
    for item in items:
        found = rule.coverers(view, item)
        if not found:
            missed.append(item)
            continue
        covered.append(item)
        code = min(reason(view, rule, c, e, item, bounds) for c, e in found)
        effective_covered += code == EFFECTIVE
        reasons.append(code)
        for coverer, edge in found:
            if edge is not None and edge["edge_kind"] == LIAISON:
                load[coverer].add(item)
        if rule.affinity and item[0] == "Member":
            affinity_pairs += 1
            shared = set(view.containers(item, AFFINITY[rule.affinity]))
            if any(shared & set(view.containers(c, AFFINITY[rule.affinity])) for c, _ in found if c[0] == "Member"):
                affinity_matched += 1
    out = {
        "id": rule.id,
        "label": rule.label,
        "covers": KIND_CODES[rule.covers.node_kind],
        "total": len(items),
        "covered": len(covered),
        "ratio": ratio(len(covered), len(items)),
        "effective": effective_covered,
        "effective_ratio": ratio(effective_covered, len(items)),
        "not_effective": reason_counts(reasons),
        "uncovered": [view.item(n) for n in sorted(missed, key=lambda n: (view.data(n).get("committee_id") or "", n[1]))],
    }
    if rule.capacity:
        low, high = rule.capacity
        eligible = view.selected(rule.by)
        coverers = sorted(node for node, _ in view.nodes(rule.by.node_kind) if node in eligible)
        counts = {c: len(load.get(c, ())) for c in coverers}
        out["capacity"] = {
            "min": low,
            "max": high,
            "over": [{**view.item(c), "count": n} for c, n in counts.items() if high is not None and n > high],
            "under": [{**view.item(c), "count": n} for c, n in counts.items() if low is not None and n < low],
        }
    if rule.affinity:
        out["affinity"] = {"by": rule.affinity, "matched": affinity_matched, "of": affinity_pairs,
                           "ratio": ratio(affinity_matched, affinity_pairs)}
    if by:
        out["breakdown"] = breakdown(view, items, set(covered), by)
    return out


def township_key(committee_id: str | None, township: str) -> str:
    """The key of a township's row in a breakdown: the township within its committee."""
    return f"{committee_id or ''}:{township}"


def _groups(view: View, node, by: str) -> list:
    """The groups an item counts in: its committee's id, its township, or the group nodes
    (NONE_KEY: none)."""
    if by == "committee":
        return [view.data(node).get("committee_id") or NONE_KEY]
    if by == TOWNSHIP:
        return [view.data(node).get(TOWNSHIP) or NONE_KEY]
    if node[0] == "Member":
        return view.containers(node, BREAKDOWNS[by]) or [NONE_KEY]
    return [node] if KIND_CODES[node[0]] == by else [NONE_KEY]


def breakdown(view: View, items: list, covered: set, by: str) -> list[dict]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    where: dict[str, tuple] = {}
    for item in items:
        for group in _groups(view, item, by):
            key = group
            if by == TOWNSHIP and group != NONE_KEY:
                cid = view.data(item).get("committee_id")
                key = township_key(cid, group)
                where[key] = (group, cid)
            elif by != "committee" and group != NONE_KEY:
                key, data = group[1], view.data(group)
                where[key] = (data.get("name"), data.get("committee_id"))
            counts[key][0] += 1
            counts[key][1] += item in covered
    if by == "committee":
        return committee_rows(counts, view.committees, view.scope)
    return group_rows(counts, where, view.committees)


def group_rows(counts: dict, where: dict[str, tuple], committees: dict[str, dict]) -> list[dict]:
    """Breakdown rows by a grouping from ``{group id: [total, covered]}`` and ``{group id:
    (name, committee id)}``: a row for each group node, by committee, then the names in
    natural order (第二 before 第十), then the id; NONE_KEY (members in none) last."""
    def order(key: str) -> tuple:
        name, cid = where.get(key, (None, None))
        return key == NONE_KEY, cid or "", natural(name), key

    rows = []
    for key in sorted(counts, key=order):
        total, got = counts[key]
        name, cid = where.get(key, (NONE_KEY, None))
        rows.append({"key": key, "name": name, "committee_id": cid,
                     "committee_name": committees.get(cid, {}).get("name") if cid else None,
                     "total": total, "covered": got, "ratio": ratio(got, total)})
    return rows


def committee_rows(counts: dict, committees: dict[str, dict], scope: set[str] | None) -> list[dict]:
    """Breakdown rows by committee from ``{committee: [total, covered]}``: each committee's
    own figures and the roll-up of the committees below it (every committee of the scope;
    over the whole store, those with someone to cover)."""
    children = children_of(committees)
    rolled: dict[str, tuple[int, int]] = {}

    def rollup(cid: str) -> tuple[int, int]:
        if cid not in rolled:
            own = counts.get(cid, [0, 0])
            below = [rollup(c) for c in children.get(cid, ())]
            rolled[cid] = (own[0] + sum(t for t, _ in below), own[1] + sum(g for _, g in below))
        return rolled[cid]

    rows = []
    for cid in sorted(counts.keys() | (scope or set())):
        total, got = rollup(cid)
        own = counts.get(cid, [0, 0])
        rows.append({"key": cid, "name": committees.get(cid, {}).get("name", cid), "total": own[0],
                     "covered": own[1], "ratio": ratio(own[1], own[0]),
                     "rollup_total": total, "rollup_covered": got, "rollup_ratio": ratio(got, total)})
    return rows


def flagship_counts(store: Store, day: dt.date, committee_id: str | None = None) -> dict:
    """The two full coverages by committee, nominal: the totals and the by-committee
    breakdown of ``report(view, two-coverages, by="committee")``, answered from the gap
    indexes the store maintains on every write, without building the graph (the whole
    nation in well under a second once the indexes are in memory)."""
    scope, committees = scope_of(store, committee_id)
    policy = flagship()
    rules = []
    for rule in policy.rules:
        counts = {cid: [total, covered] for cid, (total, covered) in store.flagship_counts(rule.id, day, scope).items()
                  if total}
        total, covered = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
        rules.append({"id": rule.id, "label": rule.label, "total": total, "covered": covered,
                      "ratio": ratio(covered, total), "breakdown": committee_rows(counts, committees, scope)})
    return {"policy": policy.name, "label": policy.label, "as_of": day.isoformat(), "committee_id": committee_id,
            "by": "committee", "rules": rules}


def quiet_liaisons(view: View, window_days: int) -> list[dict]:
    """Member-to-member liaisons holding today that are older than the window (started
    before its first day, or at an unknown time) with no contact within it, in the order of
    ``by_quietness``."""
    window_start = days.shifted(view.day, -window_days)
    out = []
    for member, data in view.nodes("Member"):
        for target, edge in view.liaisons_out(member):
            start = edge.get("start_date")
            if target[0] != "Member" or (start is not None and start >= window_start):
                continue
            last = view.last_contact(member, target)
            if last is None or last < window_start:
                out.append(quiet_row(data, view.data(target), edge.get("mechanism"), last, start, view.day))
    return by_quietness(out)


def quiet_row(source: dict, target: dict, mechanism: str | None, last: str | None, start: str | None,
              day: str) -> dict:
    """A quiet liaison as a report lists it. Days quiet: since the last contact, else since
    the start (None: neither is known)."""
    since = last or start
    return {"from_id": source.get("id"), "from_name": source.get("name"), "to_id": target.get("id"),
            "to_name": target.get("name"), "committee_id": source.get("committee_id"), "mechanism": mechanism,
            "last_contact": last, "days_quiet": days.between(since, day) if since else None}


def by_quietness(rows: list[dict]) -> list[dict]:
    """Quiet liaisons: those quiet since an unknown time first, then the longest quiet, then
    by the two members' ids."""
    return sorted(rows, key=lambda r: (r["days_quiet"] is not None, -(r["days_quiet"] or 0), r["from_id"], r["to_id"],
                                       r["mechanism"] or ""))


def expected_without_cpc(policy: Policy) -> frozenset[str]:
    """The sector names (folded) where a policy expects no CPC member."""
    names = set()
    for name in policy.sectors_expected_without_cpc:
        names |= PARTY_OWN if name == PARTY_SECTORS else {fold(name)}
    return frozenset(names)


def sectors_without_cpc(view: View, expected: frozenset[str] = frozenset()) -> tuple[list[dict], list[dict]]:
    """Sectors with no current CPC member: those listed, and those left out as expected."""
    return split_expected([{**view.item(sector), "members": len(view.occupants(sector))}
                           for sector, _ in view.nodes("Sector")
                           if not any(view.is_cpc(m) for m in view.occupants(sector))], expected)


def split_expected(rows: list[dict], expected: frozenset[str]) -> tuple[list[dict], list[dict]]:
    """Sectors without a CPC member, by committee and id: those listed, and those whose
    names (folded) are among ``expected``."""
    rows = sorted(rows, key=lambda r: (r["committee_id"] or "", r["id"]))
    return ([r for r in rows if fold(r["name"] or "") not in expected],
            [r for r in rows if fold(r["name"] or "") in expected])


def members_without_special_committee(view: View) -> list[dict]:
    return [view.item(m) for m, _ in sorted(view.nodes("Member"))
            if not any(True for _ in view.containers(m, SPECIAL_COMMITTEE))]


def report(view: View, policy: Policy, by: str | None = None, window_days: int | None = None) -> dict:
    with bulk():
        return _report(view, policy, by, window_days)


def _report(view: View, policy: Policy, by: str | None, window_days: int | None) -> dict:
    listed, left_out = sectors_without_cpc(view, expected_without_cpc(policy))
    return assemble(policy, view.day, by, window_days, scope_root(view.scope, view.committees),
                    lambda rule, window, by: evaluate_rule(view, rule, window, by),
                    lambda window: {"sectors_without_cpc": listed, "sectors_expected_without_cpc": left_out,
                                    "members_without_special_committee": members_without_special_committee(view),
                                    "quiet_liaisons": quiet_liaisons(view, window),
                                    "attendance": participation(view)})


def assemble(policy: Policy, day: str, by: str | None, window_days: int | None, committee_id: str | None,
             evaluate, findings) -> dict:
    """A report's shape, whatever works out its rules: ``evaluate(rule, window, by)`` gives
    one rule's result, ``findings(window)`` the sections beside the rules; the two full
    coverages head it (worked out apart when the policy does not hold them)."""
    window = policy.window_days if window_days is None else window_days
    heads = flagship()
    rules = [{**evaluate(rule, window, by), "requirement": requirement_words(rule, window)} for rule in policy.rules]
    done = dict(zip(policy.rules, rules, strict=True))
    headline = {}
    for key, rule_id in heads.headline:  # as the flagship policy names them, whatever the order of its rules
        rule = heads.rule(rule_id)
        r = done.get(rule) or evaluate(rule, window, None)
        headline[key] = {"label": rule.label, "total": r["total"], "covered": r["covered"], "ratio": r["ratio"],
                         "effective": r["effective"], "effective_ratio": r["effective_ratio"]}
    return {"policy": policy.name, "label": policy.label, "as_of": day, "window_days": window,
            "committee_id": committee_id, "by": by, "headline": headline, "rules": rules, **findings(window)}


def scope_root(scope: set[str] | None, committees: dict[str, dict]) -> str | None:
    """The committee a scope was asked for: the one whose parent lies outside it."""
    for cid in sorted(scope or ()):
        if len(scope) == 1 or committees.get(cid, {}).get("parent_id") not in scope:
            return cid
    return None
