"""The member's file (履职档案) for people: a Chinese text (``liaison dossier``), and the rows
its printed page (``api/dossier_xlsx.py``) shares with it — one meaning of each cell."""

from __future__ import annotations

from liaison_graph.api.output import KIND_LABELS, table
from liaison_graph.api.output_ledger import DUE_STATES
from liaison_graph.graph.model import model

_M = model()
PERIODS = {"year": "年度", "term": "本届"}


def facts(d: dict) -> list[tuple[str, str]]:
    """Who the member is, as label and value."""
    m = d["member"]
    affiliation = "、".join(_M.enums["affiliation"].label(a) for a in m.get("affiliation") or [])
    term = f"{m.get('start_date') or '不详'} 起" + (f"，{m['end_date']} 止" if m.get("end_date") else "")
    return [("姓名", m.get("name") or m["id"]), ("编号", m["id"]), ("所属政协", m.get("committee_name") or ""),
            ("界别", m.get("sector") or ""), ("政治面貌", affiliation), ("职务", _M.enums["position"].label(m.get("position"))),
            ("党组职务", _M.enums["party_group_role"].label(m.get("party_group_role")) or "无"), ("任职", term),
            ("乡镇街道", m.get("township") or "")]


def title(d: dict) -> str:
    p = d["period"]
    return f"{d['member'].get('name')} 履职档案（{PERIODS[p['kind']]}：{p['from']} 至 {p['to']}）"


def org_rows(d: dict) -> list[list[str]]:
    return [[o["edge_label"], (o["name"] or o["id"]) + ("（临时党支部）" if o["temporary"] else ""),
             _dates(o if o["start_date"] or o["end_date"] else {"start_date": o["org_start_date"], "end_date": o["org_end_date"]})]
            for o in d["organisations"]]


def liaison_rows(rows: list[dict]) -> list[list]:
    return [[r["with_name"] or r["with_id"], KIND_LABELS.get(r["with_kind"], r["with_kind"]), r["mechanism"] or "", _dates(r), r["contacts"],
             r["last_contact"] or "", state(r)] for r in rows]


def state(r: dict) -> str:
    if not r["holding"]:
        return "已结束"
    if r["state"] is None:
        return "不在本政策规则之内"
    return DUE_STATES[r["state"]] + "（" + "、".join(r["rules"]) + "）"


def mode_rows(d: dict) -> list[list]:
    return [[m["mode_label"], m["made"], m["received"]] for m in d["contacts_by_mode"]]


def activity_rows(d: dict) -> list[list[str]]:
    return [[a["name"] or a["id"], a["kind_label"], _dates(a), a["attendance_label"]] for a in d["activities"]]


def gap_rows(d: dict) -> list[list]:
    return [[g["label"], g["from"], g["to"], g["days"]] for g in d["gaps"]]


def _dates(r: dict) -> str:
    start, end = r.get("start_date"), r.get("end_date")
    return f"{start or '不详'} 至 {end or '今'}" if start or end else "不限"


def dossier_text(d: dict) -> str:
    p = d["period"]
    lines = [title(d), "　".join(f"{k}：{v}" for k, v in facts(d) if v), f"按政策：{d['policy_label']}", ""]
    if d.get("other_records"):
        lines += ["同一人员的其他委员记录：" + "；".join(f"{r['committee_name'] or r['committee_id']}（{r['id']}，"
                                                 f"{r['start_date'] or '不详'} 至 {r['end_date'] or '今'}）"
                                                 for r in d["other_records"]), ""]
    lines += ["所在组织与分组", table(["类别", "名称", "起止"], org_rows(d)) if d["organisations"] else "无", ""]
    head = ["对象", "类型", "联系机制", "起止", "期内联系", "最近合规联系", "状态（截至期末）"]
    lines += [f"本人联系的（{len(d['liaisons_held'])}）", table(head, liaison_rows(d["liaisons_held"]))
              if d["liaisons_held"] else "无", ""]
    lines += [f"联系本人的（{len(d['liaisons_received'])}）", table(["联系人", *head[1:]], liaison_rows(d["liaisons_received"]))
              if d["liaisons_received"] else "无", ""]
    lines += [f"联系记录（{len(d['contacts'])} 次）", table(["方式", "本人联系", "被联系"], mode_rows(d)) if d["contacts"] else "无", ""]
    lines += [f"联系界别群众：{d['masses_people']} 人，{len(d['masses_contacts'])} 次", ""]
    lines += [f"参加活动（{len(d['activities'])}）", table(["活动", "类型", "日期", "出勤"], activity_rows(d))
              if d["activities"] else "无", ""]
    lines += [f"覆盖缺口（{p['from']} 至 {p['to']}）", table(["缺口", "起", "止", "天数"], gap_rows(d)) if d["gaps"]
              else "期内没有出现缺口"]
    return "\n".join(lines)
