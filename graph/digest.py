"""A digest: what changed for coverage since the last one, for an office to act on instead
of polling — new gaps with their reason (the diff between the last digest's day and this
one's), liaisons that fell overdue since then or fall due within ``DUE_AHEAD`` days (the due
list), temporary branches ending within ``AHEAD`` days, and activities a temporary branch
may still be proposed for (``graph/recommend.py: temporary_branches``). Each item has a key
that stays the same from one digest to the next (the office acknowledges an item by it, with
a note) and a line in Chinese naming people and things by name.

The cursor handed back is the day the digest is for: the next digest, given it, lists what
changed after it.
"""

from __future__ import annotations

import datetime as dt

from liaison_graph.graph import days
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.model import model
from liaison_graph.graph.recommend import TEMPORARY, temporary_branches
from liaison_graph.graph.view import View

KINDS = model().enums["digest_item"]
AHEAD = 14  # days ahead a temporary branch's end is listed
DUE_AHEAD = 7  # days ahead a liaison's due day is listed
SINCE_DAYS = 7  # without a cursor: what changed in the week before the day


def since_day(cursor: str | None, day: dt.date) -> dt.date:
    """The day the last digest was for (its cursor), else a week before ``day``; never after it."""
    if cursor is None or cursor == "":
        return day - dt.timedelta(days=SINCE_DAYS)
    try:
        since = dt.date.fromisoformat(cursor)
    except ValueError:
        raise BadArgument(f"since 应是上一期摘要给出的游标（日期，如 2026-06-30），不是「{cursor}」",
                          field="since", value=cursor) from None
    if since > day:
        raise BadArgument(f"since（{cursor}）晚于摘要日 {day.isoformat()}", field="since", value=cursor)
    return since


def items(view: View, since: str, gaps: list[dict], due: dict, reasons: dict[str, str], kinds) -> list[dict]:
    """The digest's items on the day's view: ``gaps`` the diff's items since ``since``,
    ``due`` the due list (``graph/due.py``) of the day, ``kinds`` the activity kinds that
    expect a temporary branch (the policy's)."""
    out = []
    for g in gaps:
        if g["change"] == "lost":
            out.append(_item("new_gap", f"gap:{g['rule']}:{g['id']}", g.get("committee_id"),
                             f"{g.get('name')}：{reasons.get(g['reason'], g['reason'])}",
                             rule=g["rule"], member_id=g["id"], reason=g["reason"]))
    ahead = days.shifted(view.day, DUE_AHEAD)
    for holder in due["holders"]:
        for row in holder["items"]:
            fell = row["state"] == "overdue" and since < row["due"] < view.day
            coming = row["state"] != "met" and view.day <= row["due"] <= ahead
            if fell or coming:
                kind = "became_overdue" if fell else "coming_due"
                when = f"已逾期 {row['overdue']} 天" if fell else f"应在 {row['due']} 前联系"
                out.append(_item(kind, f"due:{row['rule']}:{holder['id']}:{row['to_id']}:{row['due']}",
                                 holder.get("committee_id"), f"{holder.get('name')} → {row.get('to_name')}：{when}",
                                 rule=row["rule"], member_id=holder["id"], to_id=row["to_id"], due=row["due"]))
    end_by = days.shifted(view.day, AHEAD)
    for org, data in view.nodes("PartyOrg"):
        end = data.get("end_date")
        if data.get("kind") == TEMPORARY and end is not None and view.day <= end <= end_by:
            out.append(_item("branch_expiring", f"branch:{org[1]}:{end}", data.get("committee_id"),
                             f"{data.get('name')} 将于 {end} 到期", party_org_id=org[1], end_date=end))
    for b in temporary_branches(view, kinds):
        out.append(_item("activity_without_branch", f"activity:{b['activity_id']}", b["committee_id"],
                         f"{b['activity_name']}（{b['start_date']} 至 {b['end_date']}，党员 {len(b['member_ids'])} 名）"
                         f"尚无临时党支部", activity_id=b["activity_id"], start_date=b["start_date"],
                         end_date=b["end_date"]))
    order = {kind: i for i, kind in enumerate(KINDS.labels)}
    return sorted(out, key=lambda i: (order[i["kind"]], i["committee_id"] or "", i["key"]))


def _item(kind: str, key: str, committee_id: str | None, text: str, **more) -> dict:
    return {"key": key, "kind": kind, "kind_label": KINDS.label(kind), "committee_id": committee_id, "text": text,
            **more}
