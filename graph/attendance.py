"""Activities and attendance on a view: this year's activities of the committees asked about
(those started from the first of the year up to the day), each with its participants by
attendance (model.yaml: attendance) among CPC members, the others and the standing
committee; the participation of the current members asked about (``participation``, also a
section of the coverage report): the same counts in all, by the member's committee and by
each activity group they sit in today, and who took part in none this year; and, for the
activities not over that expect a temporary branch (``kinds``: a policy's
``temporary_branch_kinds``) or are long, the party members no temporary branch spanning
them holds (``graph/recommend.py: outside_branch``; ``recommend`` proposes the branch where
there are three or more).

A member took part when recorded as there (attended), or listed for an activity of which no
one's attendance is recorded yet (the roster gives only its participants). A rate is the
attended share of those whose attendance is recorded (None: none is). An activity's own
counts take everyone listed for it; the sums count the current members asked about only.
The report columns (``graph/column_coverage.py``) and the database
(``graph/cypher_report.py``) work out ``participation`` too, held equal to this one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from liaison_graph.graph.model import model
from liaison_graph.graph.natural import natural
from liaison_graph.graph.policy import AFFINITY, BRANCH_KINDS, CODE_KINDS, STANDING
from liaison_graph.graph.recommend import outside_branch
from liaison_graph.graph.view import View

_M = model()
STATUSES = tuple(_M.enums["attendance"].labels)  # invited, attended, excused, absent
INVITED, ATTENDED = STATUSES[:2]  # listed with nothing recorded yet; there (model.yaml: attendance, in its order)
KINDS = _M.enums["activity_kind"]
(INVOLVES,) = _M.row_edges(CODE_KINDS["activity"])  # an activity's participants
GROUP = AFFINITY["activity_group"]  # the membership edge of an activity group
WHO = ("cpc", "non_cpc", "standing")


def tally(counts: Counter) -> dict:
    recorded = sum(counts[s] for s in STATUSES if s != INVITED)
    return {**{s: counts[s] for s in STATUSES}, "rate": round(counts[ATTENDED] / recorded, 4) if recorded else None}


def this_year(view: View) -> list:
    """The activities of the committees asked about started this year up to the day, with
    their participants: ``(activity, data, [(member, status)])``, in the activity's order."""
    year = view.day[:4] + "-01-01"
    out = []
    for node, data in view.nodes("Activity"):
        if year <= (data.get("start_date") or "") <= view.day:
            out.append((node, data, [(m, e.get("attendance") or INVITED) for _, m, e in view.G.out_edges(node, data=True)
                                     if e.get("edge_kind") == INVOLVES and m in view.G]))
    return out


def participation(view: View, activities: list | None = None) -> dict:
    """The attendance section of the coverage report: this year's participations of the
    current members of the committees asked about, by CPC / non-CPC / standing, in all, by
    the member's committee and by each activity group they sit in today; and those members
    who took part in none."""
    members = {m for m, _ in view.nodes("Member")}
    total, by_committee, by_group, took_part = tallies(), {}, {}, set()
    activities = this_year(view) if activities is None else activities
    for _, _, seen in activities:
        unrecorded = all(status == INVITED for _, status in seen)
        for member, status in seen:
            if member not in members:
                continue
            if status == ATTENDED or unrecorded:
                took_part.add(member)
            counts = [total, by_committee.setdefault(view.data(member).get("committee_id"), tallies())]
            counts += [by_group.setdefault(g, tallies()) for g in view.containers(member, GROUP)]
            for who in _who(view, member):
                for c in counts:
                    c[who][status] += 1
    return {"year_start": view.day[:4] + "-01-01", "activities": len(activities), "members": len(members),
            "total": tallied(total),
            "by_committee": [{"key": cid, "name": view.committees.get(cid, {}).get("name", cid), **tallied(t)}
                             for cid, t in sorted(by_committee.items(), key=lambda i: i[0] or "")],
            "by_group": sorted(({**view.item(g), **tallied(t)} for g, t in by_group.items()),
                               key=lambda r: (r["committee_id"] or "", natural(r["name"] or ""), r["id"])),
            "members_without_activity": [view.item(m) for m, _ in view.nodes("Member") if m not in took_part]}


def attendance(view: View, kinds: Collection[str] = BRANCH_KINDS) -> dict:
    """This year's activities one by one (each counting everyone listed for it), the
    participation of the members asked about (``participation``), and the party members
    no temporary branch holds."""
    activities, rows = this_year(view), []
    for node, data, seen in activities:
        counts = tallies()
        for member, status in seen:
            for who in _who(view, member):
                counts[who][status] += 1
        rows.append({"id": node[1], "name": data.get("name"), "kind": data.get("kind"),
                     "kind_label": KINDS.label(data.get("kind")), "committee_id": data.get("committee_id"),
                     "start_date": data.get("start_date"), "end_date": data.get("end_date"), **tallied(counts)})
    rows.sort(key=lambda a: (a["start_date"], a["committee_id"] or "", a["id"]))
    section = participation(view, activities)
    return {"as_of": view.day, "year_start": section["year_start"], "activities": rows,
            **{k: section[k] for k in ("by_committee", "by_group", "members_without_activity")},
            "outside_branch": outside_branch(view, kinds)}


def tallies() -> dict[str, Counter]:
    return {who: Counter() for who in WHO}


def tallied(counts: dict[str, Counter]) -> dict:
    return {who: tally(c) for who, c in counts.items()}


def _who(view: View, member) -> list[str]:
    """The columns a participant counts in: CPC or not, and the standing committee."""
    out = ["cpc" if view.is_cpc(member) else "non_cpc"]
    if view.position(member) in STANDING:
        out.append("standing")
    return out
