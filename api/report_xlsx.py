"""The coverage report as a workbook an organisation office can print and file."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from liaison_graph.graph.model import model
from liaison_graph.graph.spreadsheet import xlsx_row


def _sheet(wb: Workbook, title: str, heading: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(xlsx_row(ws, [heading]))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 1))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(xlsx_row(ws, headers))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(xlsx_row(ws, row))
    for i, header in enumerate(headers, 1):
        longest = max([len(str(header))] + [len(str(r[i - 1])) for r in rows if i - 1 < len(r)])
        ws.column_dimensions[get_column_letter(i)].width = min(40, 4 + longest * 2)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"


def write_coverage_xlsx(report: dict, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    when = f"（截至 {report['as_of']}）"
    summary = [[h["label"], h["total"], h["covered"], h["ratio"], h["effective"], h["effective_ratio"]]
               for h in report["headline"].values()]
    summary += [[r["label"], r["total"], r["covered"], r["ratio"], r["effective"], r["effective_ratio"]] for r in report["rules"]]
    _sheet(wb, "概览", f"{report['label']}覆盖情况{when}", ["项目", "应覆盖", "已覆盖", "覆盖率", "有效覆盖", "有效覆盖率"], summary)
    for k, r in enumerate(report["rules"], 1):
        rows = [[i["id"], i.get("name"), i.get("committee_id"), i.get("sector") or ""] for i in r["uncovered"]]
        _sheet(wb, f"未覆盖{k}", f"未覆盖：{r['label']}{when}", ["编号", "名称", "所属政协", "界别"], rows)
        if r.get("breakdown"):
            rows = [[b["name"], b["total"], b["covered"], b["ratio"], b.get("rollup_total", ""), b.get("rollup_covered", ""),
                     b.get("rollup_ratio", "")] for b in r["breakdown"]]
            _sheet(wb, f"分组{k}", f"分组统计：{r['label']}{when}",
                   ["分组", "应覆盖", "已覆盖", "覆盖率", "含下级应覆盖", "含下级已覆盖", "含下级覆盖率"], rows)
        if r.get("capacity"):
            cap = r["capacity"]
            rows = [[i["id"], i["name"], i["count"], "超出"] for i in cap["over"]]
            rows += [[i["id"], i["name"], i["count"], "不足"] for i in cap["under"]]
            _sheet(wb, f"联系数量{k}", f"联系数量（{cap['min']}–{cap['max']}）：{r['label']}{when}", ["编号", "姓名", "联系数", "情况"], rows)
    _sheet(wb, "无党员界别", f"没有党员委员的界别{when}", ["界别", "所属政协", "委员数"],
           [[s["name"], s["committee_id"], s["members"]] for s in report["sectors_without_cpc"]])
    _sheet(wb, "未入专委会", f"未加入专委会的委员{when}", ["编号", "姓名", "所属政协", "界别"],
           [[i["id"], i["name"], i["committee_id"], i["sector"]] for i in report["members_without_special_committee"]])
    _sheet(wb, "联系沉寂", f"超过 {report['window_days']} 天没有联系记录的联系{when}",
           ["联系人编号", "联系人", "联系对象编号", "联系对象", "最近一次联系", "已沉寂天数"],
           [[q["from_id"], q["from_name"], q["to_id"], q["to_name"], q["last_contact"] or "从未", q["days_quiet"]]
            for q in report["quiet_liaisons"]])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_recommend_xlsx(result: dict, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    when = f"（{result['policy']}，截至 {result['as_of']}）"
    _sheet(wb, "推荐结对", f"推荐结对{when}", ["规则", "联系人/党组织编号", "联系人/党组织", "联系对象编号", "联系对象", "所属政协",
                                          "亲和代价", "现有联系数"],
           [[i["rule"], i["from_id"], i["from_name"], i["to_id"], i["to_name"], i["committee_id"], i["cost"],
             i["load_before"]] for i in result["items"]])
    _sheet(wb, "无法覆盖", f"无法覆盖{when}", ["规则", "编号", "名称", "所属政协", "原因", "最小调整"],
           [[u["rule"], u["id"], u["name"], u["committee_id"], u["reason_label"], u["fix_label"]] for u in result["uncoverable"]])
    kinds = model().enums["party_org_kind"]
    temporary, branch = kinds.label(kinds.the("temporary")), kinds.label(kinds.the("suggested"))
    _sheet(wb, temporary, f"建议设立的{temporary}{when}", ["活动", "开始", "结束", "天数", branch, "党员"],
           [[b["activity_name"], b["start_date"], b["end_date"], b["days"], b["party_org_name"], "、".join(b["member_ids"])]
            for b in result["temporary_branches"]])
    _sheet(wb, "采纳后覆盖", f"采纳后可达到的覆盖率{when}", ["规则", "现已覆盖", "应覆盖", "现覆盖率", "采纳后已覆盖", "采纳后覆盖率"],
           [[w["label"], w["before"]["covered"], w["before"]["total"], w["before"]["ratio"], w["after"]["covered"],
             w["after"]["ratio"]] for w in result.get("what_if", [])])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
