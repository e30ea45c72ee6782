"""The member's file as a printed page (``liaison dossier --xlsx``, ``GET
members/{id}/dossier.xlsx``): one sheet a member, A4 landscape, its sections numbered as an
office files them; a committee's files as one workbook, one sheet a member. The cells are
the text's (``api/output_dossier.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from liaison_graph.api import output_dossier as text
from liaison_graph.api.report_sheets import Column, Sheet, chinese_number, day_text, new_workbook

_WIDE = 7  # the widest table: the liaisons


def _sheet(wb, d: dict) -> Sheet:
    m, p = d["member"], d["period"]
    s = Sheet(wb, m.get("name") or m["id"], f"{m.get('committee_name') or ''}委员{m.get('name') or m['id']}履职档案（截至{day_text(p['to'])}）",
              f"{text.PERIODS[p['kind']]}：{day_text(p['from'])}至{day_text(p['to'])}　按政策：{d['policy_label']}",
              [Column(f"c{i}") for i in range(_WIDE)])
    k = 0

    def section(name: str, headers: list[str] | None, rows: list[list], empty: str = "（无）") -> None:
        nonlocal k
        k += 1
        s.section(f"{chinese_number(k)}、{name}")
        if headers:
            s.header(headers)
        if rows:
            s.rows(rows)
        else:
            s.none(empty)

    pairs = text.facts(d)
    section("基本情况", None, [[x for pair in pairs[i:i + 3] for x in pair] for i in range(0, len(pairs), 3)])
    section("所在组织与分组", ["类别", "名称", "起止"], text.org_rows(d))
    head = ["对象", "类型", "联系机制", "起止", "期内联系（次）", "最近合规联系", "状态（截至期末）"]
    section(f"本人联系的（{len(d['liaisons_held'])}）", head, text.liaison_rows(d["liaisons_held"]))
    section(f"联系本人的（{len(d['liaisons_received'])}）", ["联系人", *head[1:]], text.liaison_rows(d["liaisons_received"]))
    section(f"联系记录（{len(d['contacts'])} 次），按方式", ["方式", "本人联系", "被联系"], text.mode_rows(d))
    section("联系界别群众", None, [[f"{d['masses_people']} 人，{len(d['masses_contacts'])} 次"]])
    section(f"参加活动（{len(d['activities'])}）", ["活动", "类型", "日期", "出勤"], text.activity_rows(d))
    section("覆盖缺口", ["缺口", "起", "止", "天数"], text.gap_rows(d), "期内没有出现缺口")
    return s


def write_dossiers_xlsx(files: list[dict], unit: str, path: Path) -> Path:
    """One sheet for each member's file, in the order given; ``unit`` signs them (制表单位)."""
    wb, made = new_workbook(), dt.date.today()
    for d in files:
        _sheet(wb, d).finish(unit, made)
    if not files:
        s = Sheet(wb, "履职档案", "履职档案", "该政协截至当日没有在任委员", [Column("说明")])
        s.none()
        s.finish(unit, made)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
