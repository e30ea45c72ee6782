"""What is due: for each liaison holding on the day, under each rule of a policy it serves,
the last qualifying contact, the day the next is due by and how overdue it is
(``graph/requirement.py: due``), grouped by the member who holds it — the list a chair's
secretary and each party member work from.

A liaison serves a rule when its holder is one the rule's ``by`` selects and it reaches the
rule's items: straight (``liaison``: its target is one), or through what the target holds
(``via_…``: every member of the sector or group it points at that the rule covers, each a
row of its own, for each is contacted on their own). A liaison whose mechanism the rule does
not count, or whose pair lacks the grouping the rule requires, is left out: no contact
makes it effective, and the report says why (``not_effective``). A rule covering a sector or
group counts a contact with any of its members: the row takes that member whose contacts
put the next due day latest.

Under a rule of contacts with the masses, each member the rule's ``by`` selects has a row for
each person among the masses of their sector they have met (by name), due as a liaison would
be, from the contacts with that person; the people not met yet are the report's to count.
"""

from __future__ import annotations

from liaison_graph.graph.coverage import shares_group
from liaison_graph.graph.days import between
from liaison_graph.graph.natural import natural
from liaison_graph.graph.policy import AFFINITY, THROUGH, Policy, Rule
from liaison_graph.graph.requirement import due
from liaison_graph.graph.view import KIND_CODES, View

OVERDUE, DUE, MET = "overdue", "due", "met"  # a row's state: past its day, not yet, this period done
MASSES_KIND = "person"  # a row's to_kind for one of a member's fixed contacts among the masses (no node of the graph)
SECTOR = AFFINITY["sector"]


def _items(view: View, rule: Rule, target) -> list:
    """The items of ``rule`` a liaison to ``target`` reaches."""
    chosen = view.selected(rule.covers)
    if "liaison" in rule.through and target in chosen:
        return [target]
    ways = {THROUGH[w] for w in rule.through if w.startswith("via_")}
    if rule.covers.kind != "member" or not ways:
        return []
    return [m for m in view.occupants(target) if m in chosen and any(target in view.containers(m, e) for e in ways)]


def due_list(view: View, policy: Policy, window_days: int | None = None, within: int | None = None,
             holder: str | None = None) -> dict:
    """Every liaison's due row under the policy's rules, by holder (``holder``: that member's
    alone); ``within``: only those due within that many days of the day (the overdue among
    them)."""
    window = policy.window_days if window_days is None else window_days
    holders: dict = {}
    members = view.nodes("Member") if holder is None else [(n, d) for n, d in view.nodes("Member") if n[1] == holder]
    for member, _ in members:
        for target, edge in view.liaisons_out(member):
            for rule in policy.rules:
                if member not in view.selected(rule.by):
                    continue
                needs = rule.needs
                if needs.mechanisms and edge.get("mechanism") not in needs.mechanisms:
                    continue
                for item in _items(view, rule, target):
                    if needs.affinity_required and not shares_group(view, rule, member, item):
                        continue
                    people = [item] if item[0] == "Member" else list(view.occupants(item))
                    answers = [(due(needs, view.contacts(member, p), view.day, window, edge.get("start_date")), p)
                               for p in people] or [(due(needs, [], view.day, window, edge.get("start_date")), None)]
                    when, person = max(answers, key=lambda a: (a[0].due, a[0].last or ""))
                    row = _row(view, rule, needs.words(window), target, item, person, edge, when)
                    if within is None or row["overdue"] or row["days_left"] <= within:
                        holders.setdefault(member, []).append(row)
    for rule in (r for r in policy.rules if r.masses):
        for member, _ in members:
            if member in view.selected(rule.by):
                for person, contacts in sorted(view.masses(member).items()):
                    when = due(rule.needs, contacts, view.day, window, None)
                    row = _masses_row(view, rule, rule.needs.words(window), member, person, when)
                    if within is None or row["overdue"] or row["days_left"] <= within:
                        holders.setdefault(member, []).append(row)
    out = []
    for member, rows in holders.items():
        rows.sort(key=lambda r: (r["due"], natural(r["to_name"] or ""), r["to_id"], r["rule"]))
        out.append({**view.item(member), "overdue": sum(r["state"] == OVERDUE for r in rows), "items": rows})
    out.sort(key=lambda h: (-h["overdue"], h["committee_id"] or "", natural(h["name"] or ""), h["id"]))
    counts = {state: sum(r["state"] == state for h in out for r in h["items"]) for state in (OVERDUE, DUE, MET)}
    return {"as_of": view.day, "policy": policy.name, "label": policy.label, "window_days": window,
            "within": within, "counts": counts, "holders": out}


def _state(rule: Rule, when) -> str:
    return OVERDUE if when.overdue else MET if when.done >= rule.needs.count else DUE


def _masses_row(view: View, rule: Rule, words: str, member, person: str, when) -> dict:
    """A member's fixed contact among the masses of their sector: the person by name, the
    member's sector as what it is through."""
    sector = next(iter(view.containers(member, SECTOR)), None)
    return {"rule": rule.id, "rule_label": rule.label, "requirement": words, "to_id": person, "to_name": person,
            "to_kind": MASSES_KIND, "to_committee_id": view.data(member).get("committee_id"),
            "via_id": sector and view.data(sector).get("id"), "via_name": sector and view.data(sector).get("name"),
            "contact_id": None, "mechanism": None, "last_contact": when.last, "done": when.done, "due": when.due,
            "days_left": max(0, between(view.day, when.due)), "overdue": when.overdue, "state": _state(rule, when)}


def _row(view: View, rule: Rule, words: str, target, item, person, edge: dict, when) -> dict:
    data = view.data(item)
    state = _state(rule, when)
    return {"rule": rule.id, "rule_label": rule.label, "requirement": words,
            "to_id": data.get("id"), "to_name": data.get("name"), "to_kind": KIND_CODES[item[0]],
            "to_committee_id": data.get("committee_id"),
            "via_id": None if target == item else view.data(target).get("id"),
            "via_name": None if target == item else view.data(target).get("name"),
            "contact_id": None if person is None or person == item else view.data(person).get("id"),
            "mechanism": edge.get("mechanism"), "last_contact": when.last, "done": when.done,
            "due": when.due, "days_left": max(0, between(view.day, when.due)), "overdue": when.overdue, "state": state}
