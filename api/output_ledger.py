"""The liaison ledger's answers as text for people: what is due, the contacts waiting for
the office, the digest (the other answers' texts: ``api/output.py``)."""

from __future__ import annotations

from liaison_graph.api.output import ATTENDANCE_HEAD, _attendance_rows, _committee_cell, committee_labels, table
from liaison_graph.graph.due import MASSES_KIND

DUE_STATES = {"overdue": "逾期", "due": "待联系", "met": "本期已完成"}


def due_text(result: dict) -> str:
    """What is due, by the member who holds each liaison (the most overdue first)."""
    labels = committee_labels(getattr(result, "committees", None) or {})
    c = result["counts"]
    within = f"，{result['within']} 天内到期及已逾期的" if result.get("within") is not None else ""
    lines = [f"{result['label']} 待联系（截至 {result['as_of']}{within}）",
             f"已逾期 {c['overdue']} 项，待联系 {c['due']} 项，本期已完成 {c['met']} 项"]
    if not result["holders"]:
        return "\n".join([*lines, "", "没有需要列出的联系。"])
    for h in result["holders"]:
        late = f"：逾期 {h['overdue']} 项" if h["overdue"] else ""
        lines += ["", f"{h['name']}（{_committee_cell(labels, h.get('committee_id'))}，{h.get('sector') or ''}）{late}"]
        lines.append(table(["联系对象", "经由", "要求", "最近一次联系", "本期次数", "应联系日", "情况"], [
            [i["to_name"] or i["to_id"], _through(i), i["requirement"] or "", i["last_contact"] or "从未",
             str(i["done"]), i["due"], f"逾期 {i['overdue']} 天" if i["overdue"] else
             DUE_STATES["met"] if i["state"] == "met" else f"还有 {i['days_left']} 天"] for i in h["items"]]))
    return "\n".join(lines)


def _through(item: dict) -> str:
    """What a due row's contact is through: a group, the masses of the holder's sector, or nothing."""
    if item.get("to_kind") == MASSES_KIND:
        return f"界别群众（{item['via_name']}）" if item.get("via_name") else "界别群众"
    return item["via_name"] or "直接联系"


def pending_text(result: dict) -> str:
    """The contacts waiting for the office's confirmation."""
    if not result["items"]:
        return "没有待确认的联系记录。"
    return f"待确认的联系记录（{result['count']}，最早的在前）\n" + table(
        ["日期", "联系人", "联系对象", "方式", "内容摘要"],
        [[i["date"], f"{i['from_name']}（{i['from_id']}）",
          f"{i['to_name']}（{i['to_id']}）" if i.get("to_id") else f"{i['person']}（界别群众{'，' + i['unit'] if i.get('unit') else ''}）",
          i["mode_label"] or "",
          i["summary"] or ""] for i in result["items"]])


def digest_text(result: dict) -> str:
    """A digest for people: what changed since the last one, by kind, acknowledged items marked."""
    lines = [f"动态摘要（{result['since']} 至 {result['as_of']}）：共 {len(result['items'])} 项，未确认 {result['open']} 项",
             f"下一期请用 --since {result['cursor']}"]
    if not result["items"]:
        return "\n".join([*lines, "", "这段时间没有需要处理的变化。"])
    kind = None
    for i in result["items"]:
        if i["kind"] != kind:
            kind = i["kind"]
            lines += ["", f"{i['kind_label']}（{result['counts'][kind]}）"]
        ack = i.get("ack")
        mark = f"　[已确认：{ack['note'] or ''}]" if ack else ""
        lines.append(f"- {i['text']}{mark}　（{i['key']}）")
    return "\n".join(lines)


def attendance_text(result: dict) -> str:
    """This year's activities and attendance, by committee and group, and who took part in none."""
    labels = committee_labels(getattr(result, "committees", None) or {})
    head = ATTENDANCE_HEAD
    lines = [f"活动与出勤（{result['year_start']} 至 {result['as_of']} 开始的活动 {len(result['activities'])} 项）"]
    if result["activities"]:
        lines += ["", table(["活动", *head[1:]], _attendance_rows(
            result["activities"], lambda a: f"{a['name']}（{a['kind_label']}，{a['start_date']}）"))]
        lines += ["", "按政协", table(["政协", *head[1:]], _attendance_rows(
            result["by_committee"], lambda r: _committee_cell(labels, r["key"])))]
        if result["by_group"]:
            lines += ["", "按委员活动组", table(["委员活动组", *head[1:]], _attendance_rows(
                result["by_group"], lambda r: f"{r['name']}（{_committee_cell(labels, r['committee_id'])}）"))]
    absent = result["members_without_activity"]
    lines += ["", f"当年没有参加任何活动的委员（{len(absent)}）"]
    lines.append(table(["姓名", "编号", "所属政协", "界别"], [[m.get("name") or "", m["id"], _committee_cell(
        labels, m.get("committee_id")), m.get("sector") or ""] for m in absent[:200]]) if absent else "无")
    if len(absent) > 200:
        lines.append(f"……另有 {len(absent) - 200} 名，完整名单见 --format json")
    outside = result.get("outside_branch") or []
    lines += ["", f"应设临时党支部的活动中未编入临时党支部的党员（{sum(len(g['members']) for g in outside)}）"]
    lines += [f"- {g['activity_name']}（{g['start_date']} 至 {g['end_date']}）：" + "、".join(
        f"{i.get('name')}（{i['id']}）" for i in g["members"]) for g in outside] or ["无"]
    return "\n".join(lines)
