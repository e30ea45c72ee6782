"""The attendance section of the coverage report over the report columns
(``graph/columnar.py``): this year's participation of the current members asked about, by
CPC / non-CPC / standing, in all, by the member's committee and by each activity group they
sit in today, and who took part in none — what ``graph.attendance.participation`` answers on
a view, worked out as array operations on the activities' participants (one count per
(row, who, attendance) by ``np.bincount``), for ``graph/column_coverage.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from liaison_graph.graph import attendance, days
from liaison_graph.graph.attendance import ATTENDED as THERE, GROUP, INVITED as LISTED, STATUSES, WHO
from liaison_graph.graph.columnar import ACTIVITY, KINDS, MEMBER, join
from liaison_graph.graph.natural import natural
from liaison_graph.graph.policy import STANDING

if TYPE_CHECKING:
    from liaison_graph.graph.column_coverage import Day

INVITED, ATTENDED = STATUSES.index(LISTED), STATUSES.index(THERE)  # their codes
UNKNOWN = len(STATUSES)  # where an attendance model.yaml does not know is counted: in no tally


def participation(day: Day) -> dict:
    """``graph.attendance.participation`` of the view of the same graph, day and scope."""
    c = day.c
    year_start = day.iso[:4] + "-01-01"
    asked = np.zeros(day.n, bool)  # this year's activities in scope, up to the day
    asked[day.nodes(KINDS[ACTIVITY])] = True
    asked &= (c.activity_start >= days.day(year_start)) & (c.activity_start <= day.d)
    members = day.nodes(KINDS[MEMBER])
    current = np.zeros(day.n, bool)
    current[members] = True
    listed = asked[c.attendance_activity]  # every participant of those, current or not
    status = c.attendance_status[listed].astype(np.int64)
    activity, member = c.attendance_activity[listed], c.attendance_member[listed]
    recorded = np.zeros(day.n, bool)  # an activity with someone's attendance recorded
    recorded[activity[status != INVITED]] = True
    counted = current[member]  # the participations of the members of the day
    status, activity, member = np.where(status >= 0, status, UNKNOWN)[counted], activity[counted], member[counted]
    took_part = np.zeros(day.n, bool)
    took_part[member[(status == ATTENDED) | ~recorded[activity]]] = True
    # each participation counted in its member's column (cpc or non_cpc), and again in standing
    standing = np.isin(c.position[member], [k for k, p in enumerate(c.positions) if p in STANDING])
    at = np.concatenate([np.arange(len(member)), np.flatnonzero(standing)])
    who = np.concatenate([np.where(c.cpc[member], WHO.index("cpc"), WHO.index("non_cpc")),
                          np.full(int(standing.sum()), WHO.index("standing"))])
    counts = _Counts(member[at], who, status[at])
    committee = c.committee[member[at]] + 1  # 0: none, the others in the order of committee_ids (sorted)
    by_committee = counts.of(committee, len(c.committee_ids) + 1)
    rows = []
    for code in np.flatnonzero(np.bincount(committee, minlength=len(by_committee))).tolist():
        cid = c.committee_ids[code - 1] if code else None
        rows.append({"key": cid, "name": day.committees.get(cid, {}).get("name", cid), **_tallied(by_committee[code])})
    sits, _ = day.sitting(GROUP)
    i, j = join(counts.member, c.src[sits])  # each count again in each group its member sits in today
    groups, row = np.unique(c.dst[sits][j], return_inverse=True)
    by_group = counts.of(row.reshape(-1), len(groups), i)
    return {"year_start": year_start, "activities": int(asked.sum()), "members": len(members),
            "total": _tallied(counts.of(np.zeros(len(at), np.int64), 1)[0]), "by_committee": rows,
            "by_group": sorted(({**c.item(g), **_tallied(t)} for g, t in zip(groups.tolist(), by_group.tolist(), strict=True)),
                               key=lambda r: (r["committee_id"] or "", natural(r["name"] or ""), r["id"])),
            "members_without_activity": [c.item(i) for i in members[~took_part[members]].tolist()]}


class _Counts:
    """Participations as counted: each one's member, column (into WHO) and attendance (into
    STATUSES, UNKNOWN for one model.yaml does not know)."""

    def __init__(self, member: np.ndarray, who: np.ndarray, status: np.ndarray):
        self.member, self.who, self.status = member, who, status

    def of(self, key: np.ndarray, size: int, pick: np.ndarray | None = None) -> np.ndarray:
        """The counts (row, who, attendance) of the participations ``pick`` (all: None), each
        in its row ``key`` among ``size``."""
        who, status = (self.who, self.status) if pick is None else (self.who[pick], self.status[pick])
        index = (key.astype(np.int64) * len(WHO) + who) * (UNKNOWN + 1) + status
        return np.bincount(index, minlength=size * len(WHO) * (UNKNOWN + 1)).reshape(size, len(WHO), UNKNOWN + 1)


def _tallied(counts: np.ndarray | list) -> dict:
    """One row's counts (who, attendance) as ``graph.attendance`` tallies them."""
    rows = counts.tolist() if isinstance(counts, np.ndarray) else counts
    return {w: attendance.tally(dict(zip(STATUSES, row, strict=False))) for w, row in zip(WHO, rows, strict=True)}
