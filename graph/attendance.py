"""Activities and attendance on a view: this year's activities of the committees asked about
(those started from the first of the year up to the day), each with its participants by
attendance (model.yaml: attendance) among CPC members, the others and the standing
committee; the same summed by committee and by activity group; and the current members who
took part in none this year; and, for the activities not over that expect a temporary branch (``kinds``:
a policy's ``temporary_branch_kinds``) or are long, the party members no temporary branch
spanning them holds (``graph/recommend.py: outside_branch``; ``recommend`` proposes the
branch where there are three or more).

A member took part when recorded as there (attended), or listed for an activity of which no
one's attendance is recorded yet (the roster gives only its participants). A rate is the
attended share of those whose attendance is recorded (None: none is).
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
KINDS = _M.enums["activity_kind"]
(INVOLVES,) = _M.row_edges(CODE_KINDS["activity"])  # an activity's participants
GROUP = AFFINITY["activity_group"]  # the membership edge of an activity group
WHO = ("cpc", "non_cpc", "standing")


def _tally(counts: Counter) -> dict:
    recorded = sum(counts[s] for s in STATUSES if s != "invited")
    return {**{s: counts[s] for s in STATUSES}, "rate": round(counts["attended"] / recorded, 4) if recorded else None}


def attendance(view: View, kinds: Collection[str] = BRANCH_KINDS) -> dict:
    year = view.day[:4] + "-01-01"
    activities, by_committee, by_group, took_part = [], {}, {}, set()
    for node, data in view.nodes("Activity"):
        start = data.get("start_date") or ""
        if not year <= start <= view.day:
            continue
        seen = [(m, e.get("attendance") or "invited") for _, m, e in view.G.out_edges(node, data=True)
                if e.get("edge_kind") == INVOLVES and m in view.G]
        unrecorded = all(status == "invited" for _, status in seen)
        counts = {who: Counter() for who in WHO}
        for member, status in seen:
            if status == "attended" or unrecorded:
                took_part.add(member)
            groups = [by_committee.setdefault(view.data(member).get("committee_id"), {w: Counter() for w in WHO})]
            groups += [by_group.setdefault(g, {w: Counter() for w in WHO}) for g in view.containers(member, GROUP)]
            for who in _who(view, member):
                counts[who][status] += 1
                for group in groups:
                    group[who][status] += 1
        activities.append({"id": node[1], "name": data.get("name"), "kind": data.get("kind"),
                           "kind_label": KINDS.label(data.get("kind")), "committee_id": data.get("committee_id"),
                           "start_date": start, "end_date": data.get("end_date"),
                           **{who: _tally(c) for who, c in counts.items()}})
    activities.sort(key=lambda a: (a["start_date"], a["committee_id"] or "", a["id"]))
    return {"as_of": view.day, "year_start": year, "activities": activities,
            "by_committee": [{"key": cid, **{w: _tally(c) for w, c in t.items()}} for cid, t in sorted(by_committee.items(),
                                                                                                    key=lambda i: i[0] or "")],
            "by_group": sorted(({**view.item(g), **{w: _tally(c) for w, c in t.items()}} for g, t in by_group.items()),
                               key=lambda r: (r["committee_id"] or "", natural(r["name"] or ""), r["id"])),
            "members_without_activity": [view.item(m) for m, _ in view.nodes("Member") if m not in took_part],
            "outside_branch": outside_branch(view, kinds)}


def _who(view: View, member) -> list[str]:
    """The columns a participant counts in: CPC or not, and the standing committee."""
    out = ["cpc" if view.is_cpc(member) else "non_cpc"]
    if view.position(member) in STANDING:
        out.append("standing")
    return out
