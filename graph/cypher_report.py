"""A policy's coverage report on the Bolt store, computed in the database: each rule is
compiled from its definition (``graph/policy.py``) into the parameters of one Cypher query
(``cypher/report_rule_items.cypher``) that counts the rule's items by committee, by the
groups they count in and by why a covered one is not effective (the reason code of
``graph/requirement.py``, the least of its coverers', or for a rule of contacts with the
masses the ``people``-th least of the member's own people's; the rule's contact requirement
goes in as parameters, its bounds worked out by ``Requirement.bounds``) and returns the
uncovered ones, and, for its capacity, one that counts
each coverer's items (``cypher/report_rule_load.cypher``); the sections beside the rules are
queries of their own (``cypher/report_*.cypher``): this year's participation in activities
(``graph/attendance.py: participation``) is counted by committee and by activity group, column
and attendance (``cypher/report_attendance*.cypher``), the rows arranged here with the helpers
of ``graph/attendance.py``. What comes back is the answer's size — counts, the uncovered, the
findings — never the graph of the committees asked about.

It answers what ``graph/coverage.py``'s ``report`` answers on the view of the committees'
part: a committee's part holds every edge its items' coverage reads (``graph/parts.py``), so
the rules are evaluated over the whole graph for the items of those committees.
``tests/stores/test_report_in_the_database.py`` holds the two equal on random rosters,
policies, days, windows and breakdowns. All the statements of one report run in one read
transaction: the report is of one snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from liaison_graph.graph import days
from liaison_graph.graph.attendance import ATTENDED, GROUP, INVITED, INVOLVES, WHO, tallied, tallies
from liaison_graph.graph.coverage import (NONE_KEY, SPECIAL_COMMITTEE, assemble, by_quietness, committee_rows,
                                          expected_without_cpc, group_rows, quiet_row, ratio, reason_counts, scope_root,
                                          split_expected, township_key)
from liaison_graph.graph.model import model
from liaison_graph.graph.natural import natural
from liaison_graph.graph.parts import MEMBERSHIP, gap_item
from liaison_graph.graph.policy import (AFFINITY, BREAKDOWNS, CHAIR_COUNCIL, CODE_KINDS, DEFAULT_POSITION, KIND_CODES,
                                        STANDING, TERMED, THROUGH, TOWNSHIP, Policy, Rule, Select)
from liaison_graph.graph.projection import Projection
from liaison_graph.graph.requirement import EFFECTIVE, MODES_DEFAULT, REASONS
from liaison_graph.graph.view import node_item

_KIND_OF_GROUP = {edge: kind for edge, kind in model().membership().items()}  # membership type -> group kind
_REASON = {name: code for code, name in enumerate(REASONS)}  # the reason codes, by name, as the query takes them


def selection(select: Select) -> dict:
    """A selection as the queries' ``$covers`` and ``$by`` take it: null where it does not
    choose (the member flags apply to members only; ``kinds``, the node's ``kind``, to the
    organisations' and the studios' kinds: ``Select.kinds``)."""
    member = select.kind == "member"
    return {"cpc": select.cpc if member else None, "party_group": select.party_group if member else None,
            "standing": select.standing if member else None,
            "chair_council": select.chair_council if member else None,
            "positions": list(select.positions) if member and select.positions else None,
            "kinds": list(select.kinds) if select.kinds else None}


def requirement(rule: Rule, day: str, window_days: int) -> dict:
    """A rule's contact requirement on ``day`` as the query's parameters: what it means is
    ``graph/requirement.py``'s (the bounds worked out there), the query only counts."""
    needs = rule.needs
    a, b = needs.bounds(day, window_days)
    return {"modes": list(needs.modes) or None, "at_least": needs.count, "a": a, "b": b, "people": needs.people,
            "mechanisms": list(needs.mechanisms) or None, "affinity_required": needs.affinity_required,
            "mode_default": MODES_DEFAULT, "reason": _REASON, "member": CODE_KINDS["member"]}


def compiled(rule: Rule, by: str | None) -> tuple[dict, dict]:
    """A rule (and the breakdown asked) as the parameters and the labels of its queries."""
    group = BREAKDOWNS.get(by) if by and by != "committee" else None
    self_group = group is not None and KIND_CODES[rule.covers.node_kind] == by
    params = {"township": by == TOWNSHIP, "covers": selection(rule.covers), "by": selection(rule.by),
              "liaison": "liaison" in rule.through, "membership": "membership" in rule.through, "masses_way": rule.masses,
              "via": sorted(THROUGH[w] for w in rule.through if w.startswith("via_")),
              "affinity": AFFINITY[rule.affinity] if rule.affinity else None,
              "group": None if self_group else group, "self_group": self_group}
    return params, {"dst": rule.covers.node_kind, "src": rule.by.node_kind}


class CypherReport(Projection):
    """The Bolt store's policy report (nothing kept)."""

    name = "report"

    def report(self, store, day: dt.date, policy: Policy, scope: frozenset[str] | None, committees: dict[str, dict],
               by: str | None = None, window_days: int | None = None) -> dict:
        """As ``graph/coverage.py: report`` on the view of the committees ``scope`` (None: the
        whole store) on ``day``."""
        return store.reading(lambda run: _Report(run, day.isoformat(), scope, committees).build(policy, by, window_days))


class _Report:
    def __init__(self, run, day: str, scope, committees: dict[str, dict]):
        self.run, self.day, self.scope, self.committees = run, day, scope, committees
        self.base = {"committee_ids": sorted(committees if scope is None else scope), "all": scope is None,
                     "day": day, "blank": "", "termed": list(TERMED), "memberships": sorted(MEMBERSHIP),
                     "default_position": DEFAULT_POSITION, "standing": sorted(STANDING),
                     "chair_council": sorted(CHAIR_COUNCIL)}

    def build(self, policy: Policy, by: str | None, window_days: int | None) -> dict:
        listed, left_out = split_expected(
            [{**node_item("Sector", r), "members": r["members"]}
             for r in self.run("report_sectors_without_cpc", self.base)],
            expected_without_cpc(policy))
        lacking = sorted((gap_item(r["item"]) for r in self.run("report_without_special_committee",
                                                                 {**self.base, "special": SPECIAL_COMMITTEE})),
                         key=lambda item: item["id"])
        return assemble(policy, self.day, by, window_days, scope_root(self.scope, self.committees), self.rule,
                        lambda window: {"sectors_without_cpc": listed, "sectors_expected_without_cpc": left_out,
                                        "members_without_special_committee": lacking,
                                        "quiet_liaisons": self.quiet(window), "attendance": self.attendance()})

    def attendance(self) -> dict:
        """This year's participation (``graph/attendance.py: participation``): the database
        counts the participations by committee, column and attendance, and by activity group,
        and finds the members who took part in none; the rows are arranged here."""
        year_start = self.day[:4] + "-01-01"
        params = {**self.base, "year_start": year_start, "involves": INVOLVES, "group": GROUP, "who": list(WHO),
                  "invited": INVITED, "attended": ATTENDED}
        total, by_committee, by_group = tallies(), {}, {}
        for r in self.run("report_attendance", params):
            for counts in (total, by_committee.setdefault(r["committee_id"], tallies())):
                counts[r["who"]][r["status"]] += r["participations"]
        for r in self.run("report_attendance_groups", params):
            item = node_item(_KIND_OF_GROUP[GROUP], r["item"])
            by_group.setdefault(item["id"], (item, tallies()))[1][r["who"]][r["status"]] += r["participations"]
        unrecorded = [r["id"] for r in self.run("report_attendance_unrecorded", params)]
        (found,) = self.run("report_attendance_members", {**params, "unrecorded": unrecorded})
        return {"year_start": year_start, "activities": found["activities"], "members": found["members"],
                "total": tallied(total),
                "by_committee": [{"key": cid, "name": self.committees.get(cid, {}).get("name", cid), **tallied(t)}
                                 for cid, t in sorted(by_committee.items(), key=lambda i: i[0] or "")],
                "by_group": sorted(({**item, **tallied(t)} for item, t in by_group.values()),
                                   key=lambda r: (r["committee_id"] or "", natural(r["name"] or ""), r["id"])),
                "members_without_activity": sorted((gap_item(i) for i in found["idle"]), key=lambda i: i["id"])}

    def items(self, rule: Rule, window_days: int, by: str | None) -> tuple[list[dict], dict, dict]:
        """The rule's counts by committee, group and reason code (None: uncovered), with the
        uncovered; its parameters and labels."""
        compiled_params, labels = compiled(rule, by)
        params = {**self.base, **compiled_params, **requirement(rule, self.day, window_days)}
        return self.run("report_rule_items", params, **labels), params, labels

    def rule(self, rule: Rule, window_days: int, by: str | None) -> dict:
        rows, params, labels = self.items(rule, window_days, by)
        total, covered = (sum(r[k] for r in rows) for k in ("total", "covered"))
        effective = sum(r["total"] for r in rows if r["code"] == EFFECTIVE)
        kind = rule.covers.node_kind
        missed = sorted((u for r in rows for u in r["uncovered"]), key=lambda u: (u["committee_id"] or "", u["id"]))
        out = {"id": rule.id, "label": rule.label, "covers": KIND_CODES[kind], "total": total, "covered": covered,
               "ratio": ratio(covered, total), "effective": effective, "effective_ratio": ratio(effective, total),
               "not_effective": reason_counts(r["code"] for r in rows if r["code"] is not None
                                              for _ in range(r["total"])),
               "uncovered": [node_item(kind, u) for u in missed]}
        if rule.capacity:
            low, high = rule.capacity
            found = sorted(self.run("report_rule_load", {**params, "low": low, "high": high}, **labels),
                           key=lambda r: r["item"]["id"])
            coverer = rule.by.node_kind
            out["capacity"] = {
                "min": low, "max": high,
                "over": [{**node_item(coverer, r["item"]), "count": r["load"]} for r in found
                         if high is not None and r["load"] > high],
                "under": [{**node_item(coverer, r["item"]), "count": r["load"]} for r in found
                          if low is not None and r["load"] < low],
            }
        if rule.affinity:
            paired, matched = sum(r["paired"] for r in rows), sum(r["matched"] for r in rows)
            out["affinity"] = {"by": rule.affinity, "matched": matched, "of": paired, "ratio": ratio(matched, paired)}
        if by:
            out["breakdown"] = self.breakdown(rows, by, kind)
        return out

    def breakdown(self, rows: list[dict], by: str, kind: str) -> list[dict]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        where: dict[str, tuple] = {}
        for r in rows:
            for key in (([r["committee_id"] or NONE_KEY]) if by == "committee" else r["groups"] or [NONE_KEY]):
                if by == TOWNSHIP and key != NONE_KEY:  # the township, within the item's committee
                    where[township_key(r["committee_id"], key)] = (key, r["committee_id"])
                    key = township_key(r["committee_id"], key)
                counts[key][0] += r["total"]
                counts[key][1] += r["covered"]
        if by == "committee":
            return committee_rows(counts, self.committees, self.scope)
        if by == TOWNSHIP:
            return group_rows(counts, where, self.committees)
        group_kind = kind if KIND_CODES[kind] == by else _KIND_OF_GROUP[BREAKDOWNS[by]]
        ids = sorted(counts.keys() - {NONE_KEY})
        where = {r["id"]: (r["props"].get("name"), r["props"].get("committee_id"))
                 for r in (self.run("node_props", {"ids": ids}, kind=group_kind) if ids else [])}
        return group_rows(counts, where, self.committees)

    def quiet(self, window_days: int) -> list[dict]:
        rows = self.run("report_quiet_liaisons", {**self.base, "since": days.shifted(self.day, -window_days)})
        return by_quietness([quiet_row({"id": r["from_id"], "name": r["from_name"], "committee_id": r["committee_id"]},
                                       {"id": r["to_id"], "name": r["to_name"]}, r["mechanism"], r["last"],
                                       r["start_date"], self.day) for r in rows])


def rule_counts(run, day: dt.date, policy: Policy, scope: frozenset[str] | None,
                committees: dict[str, dict]) -> dict[str, tuple[int, int, set[str]]]:
    """Each rule's covered and total items of the committees on ``day``, and the committees
    where it leaves one uncovered; ``run`` as ``store.reading`` gives it."""
    asked, out = _Report(run, day.isoformat(), scope, committees), {}
    for rule in policy.rules:
        rows = asked.items(rule, policy.window_days, None)[0]
        out[rule.id] = (sum(r["covered"] for r in rows), sum(r["total"] for r in rows),
                        {u["committee_id"] for r in rows for u in r["uncovered"]})
    return out
