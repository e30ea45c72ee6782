"""The recommendation (``graph/recommend.py``) for the committees asked about, with the
coverage it would reach, worked out on one view of their part or a few committees' part
at a time.

The embedded store answers on the view of the committees' part (``on_view``), and for a
nation's number of committees as the Bolt store does: it reads the parts of a few
committees at a time (``by_parts``), and only of the committees where something can be
proposed: those with an item some rule leaves uncovered, and those with an activity a
temporary branch may be proposed for. The process then holds a few committees' part at
once, never the graph of every committee below the one asked about (``graph/reports.py``
switches between the two). This is exact because:

- the proposals of a committee read only its part: its uncovered targets and sources, their
  liaisons and memberships, its party organisations and their occupants, its activities and
  their participants (``graph/parts.py``: a committee's part holds every edge its items'
  coverage reads, and the far ends of those edges);
- coverage only grows when the proposals are added (new liaisons, memberships and
  temporary branches, all holding on the day), so the what-if is the coverage before (given,
  computed in the database) plus what the proposals add in the parts read; what they add
  outside the part they were made in (members of another committee sitting in a group a
  pairing points at; the participants of a temporary branch) is counted on that other part,
  read again when it was worked out before the proposals it needed.

``tests/stores/test_recommend_in_the_database.py`` holds the two ways equal on random
rosters, activities and policies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from liaison_graph.graph.coverage import evaluate_rule, ratio
from liaison_graph.graph.policy import CODE_KINDS, Policy
from liaison_graph.graph.recommend import accept_rows, proposals, scenario, skipped_rules, temporary_branches
from liaison_graph.graph.view import View

ReadPart = Callable[[Sequence[str]], View]  # the view, on the day, of these committees' part
PART_COMMITTEES = 16  # committees whose part ``by_parts`` is given to read at once


@dataclass(frozen=True)
class Recommendation:
    result: dict  # as_of, policy, items, uncoverable, temporary_branches, skipped_rules, what_if
    rows: dict[str, list[dict]]  # the proposals as roster rows, to accept them (graph/recommend.py: accept_rows)
    names: dict[str, str]  # the temporary branches' members: id -> name
    committees: dict[str, dict]  # the committee table


def on_view(view: View, policy: Policy) -> Recommendation:
    """The recommendation for the committees of a view of their whole part."""
    tally = _Tally(policy, view.day, temporary_branches(view, policy.temporary_branch_kinds))
    tally.add(view, 0)
    return tally.finish(tally.before, view.committees)


def by_parts(read: ReadPart, policy: Policy, day: str, committees: dict[str, dict], before: dict[str, tuple[int, int]],
             gaps: set[str], live: set[str], size: int) -> Recommendation:
    """The recommendation for the committees whose coverage ``before`` gives (each rule's
    covered and total items), reading the part of at most ``size`` committees at a time:
    those with an uncovered item (``gaps``), and those with an activity a temporary branch
    may be proposed for (``live``)."""
    branches = [b for chunk in _chunks(live, size)
                for b in temporary_branches(read(chunk), policy.temporary_branch_kinds)]
    tally = _Tally(policy, day, branches)
    chunks = _chunks(gaps | {b["committee_id"] for b in branches}, size)
    touched: set[str] = set()
    for i, chunk in enumerate(chunks):
        touched |= tally.add(read(chunk), i)
    for i, chunk in enumerate(chunks):  # their what-if again, with every proposal
        if touched & set(chunk):
            tally.add(read(chunk), i, again=True)
    return tally.finish(before, committees)


def _chunks(committee_ids: set[str], size: int) -> list[list[str]]:
    ordered = sorted(committee_ids)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


@dataclass
class _Tally:
    policy: Policy
    day: str
    branches: list[dict]  # every temporary branch proposed
    items: list[dict] = field(default_factory=list)
    left: list[dict] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    members: dict[str, dict] = field(default_factory=dict)  # member rows by id, merged across parts
    names: dict[str, str] = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # the pairings' sources: node -> data
    before: dict[str, tuple[int, int]] = field(default_factory=dict)  # the parts' own coverage, each rule
    added: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)  # part -> rule -> covered, total added

    def add(self, view: View, part: int, again: bool = False) -> set[str]:
        """A part's proposals, rows and what-if; the committees outside it whose members
        sit where its pairings point."""
        if not again:
            items, left = proposals(view, self.policy)
            self.items += items
            self.left += left
            mine = [b for b in self.branches if view.in_scope(b)]
            self._merge(accept_rows(view, {"items": items, "temporary_branches": mine}, self.policy))
            self.names.update({m: view.data(("Member", m)).get("name") or m for b in mine for m in b["member_ids"]})
            self.sources.update({("Member", i["from_id"]): view.data(("Member", i["from_id"]))
                                 for i in items if i["kind"] == "liaison"})
        after = scenario(view, {"items": self.items, "temporary_branches": self.branches}, self.policy, self.sources)
        window = self.policy.window_days
        self.added[part] = {}
        for rule in self.policy.rules:
            was, now = evaluate_rule(view, rule, window), evaluate_rule(after, rule, window)
            if not again:
                covered, total = self.before.get(rule.id, (0, 0))
                self.before[rule.id] = (covered + was["covered"], total + was["total"])
            self.added[part][rule.id] = (now["covered"] - was["covered"], now["total"] - was["total"])
        return set() if again else {
            view.data(m).get("committee_id") for item in items if item["kind"] == "liaison"
            for m in view.occupants((CODE_KINDS[item["target_kind"]], item["to_id"]))
            if not view.in_scope(view.data(m))}

    def _merge(self, rows: dict[str, list[dict]]) -> None:
        for table in ("party_orgs", "liaisons"):
            self.rows.setdefault(table, []).extend(rows.get(table, []))
        for row in rows.get("members", []):
            held = self.members.setdefault(row["id"], row)
            if held is not row:  # one member enrolled from two parts: every organisation kept
                held["party_org_ids"] = list(dict.fromkeys([*held.get("party_org_ids", []),
                                                            *row.get("party_org_ids", [])]))

    def finish(self, before: dict[str, tuple[int, int]], committees: dict[str, dict]) -> Recommendation:
        order = {rule.id: i for i, rule in enumerate(self.policy.rules)}
        what_if = []
        for rule in self.policy.rules:
            covered, total = before.get(rule.id, (0, 0))
            more = [added[rule.id] for added in self.added.values()]
            after = (covered + sum(c for c, _ in more), total + sum(t for _, t in more))
            what_if.append({"rule": rule.id, "label": rule.label,
                            "before": {"covered": covered, "total": total, "ratio": ratio(covered, total)},
                            "after": {"covered": after[0], "total": after[1], "ratio": ratio(*after)}})
        result = {
            "as_of": self.day, "policy": self.policy.name,
            "items": sorted(self.items, key=lambda i: (order[i["rule"]], i["committee_id"] or "", i["to_id"])),
            "uncoverable": sorted(self.left, key=lambda i: (order[i["rule"]], i["committee_id"] or "", i["id"])),
            "temporary_branches": sorted(self.branches, key=lambda b: b["activity_id"]),
            "skipped_rules": skipped_rules(self.policy), "what_if": what_if}
        rows = {"party_orgs": self.rows.get("party_orgs"), "members": list(self.members.values()),
                "liaisons": self.rows.get("liaisons")}  # as graph/recommend.py: accept_rows gives them
        rows = {k: v for k, v in rows.items() if v}
        return Recommendation(result, rows, self.names, committees)
