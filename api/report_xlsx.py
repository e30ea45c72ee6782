"""The coverage report and the recommendation as workbooks an organisation office prints
and files: everything in Chinese, committees and rules by name, the committee and the day
in every title; the page setup, styles and signature lines are ``api/report_sheets.py``.

The names come with the answer (``api/verbs/questions.py``: ``Named``); an answer without
them (a plain dict) is written with what it holds itself, ids where it has no name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from liaison_graph.api.output import KIND_LABELS, WHO_LABELS, several_committees
from liaison_graph.api.report_sheets import COUNT, DAY, RATIO, Column, Sheet, chinese_number, day, day_text, new_workbook
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import TOWNSHIP
from liaison_graph.graph.natural import natural
from liaison_graph.graph.recommend import AFFINITY_ORDER, KEPT, OTHER
from liaison_graph.graph.requirement import reason_words
from liaison_graph.graph.view import OWN


class _Names:
    """The names a workbook reads: committees, the policy and its rules, members."""

    def __init__(self, result: dict):
        self.committees: dict[str, dict] = getattr(result, "committees", None) or {}
        self.root: str | None = getattr(result, "root", result.get("committee_id"))
        self.policy = getattr(result, "policy", None)
        self.members: dict[str, str] = getattr(result, "members", None) or {}
        self.alone = result.get("span") == OWN  # the committee alone (本级), not those below it
        rules = self.policy.rules if self.policy is not None else []
        self.rules = {r.id: r for r in rules}

    def committee(self, cid: str | None) -> str:
        return (self.committees.get(cid) or {}).get("name") or cid or ""

    def speaks_for(self) -> str:
        """Whom the report speaks for: the committee (and those below it), or the whole store."""
        c = self.committees
        if self.root is not None:
            below = any(p.get("parent_id") == self.root for p in c.values())
            return self.committee(self.root) + (("本级" if self.alone else "及其下级政协") if below else "")
        roots = sorted(k for k, p in c.items() if p.get("parent_id") not in c)
        if not roots:
            return "全部政协"
        who = "、".join(self.committee(r) for r in roots[:3]) + (f"等 {len(roots)} 个政协" if len(roots) > 3 else "")
        return who + ("及其下级政协" if len(c) > len(roots) else "")

    def unit(self) -> str:
        """制表单位: the committee the report speaks for (the first top one for the whole store)."""
        if self.root is not None:
            return self.committee(self.root)
        roots = sorted(k for k, p in self.committees.items() if p.get("parent_id") not in self.committees)
        return self.committee(roots[0]) if roots else ""

    def policy_label(self, name: str) -> str:
        return self.policy.label if self.policy is not None else name

    def rule(self, rule_id: str, label: str | None = None) -> str:
        r = self.rules.get(rule_id)
        return r.label if r else (label or _FLAGSHIP.get(rule_id) or rule_id)

    def rule_short(self, rule_id: str, label: str | None = None) -> str:
        r = self.rules.get(rule_id)
        return (r.short_label or r.label) if r else self.rule(rule_id, label)

    def gap(self, rule_id: str, label: str) -> str:
        r = self.rules.get(rule_id)
        return r.gap_label if r and r.gap_label else f"未覆盖：{label}"


def _flagship_labels() -> dict[str, str]:
    from liaison_graph.graph.policy import flagship

    return {r.id: r.label for r in flagship().rules}


_FLAGSHIP = _flagship_labels()
BREAKDOWN_LABELS = {**KIND_LABELS, TOWNSHIP: model().tables["members"].columns[TOWNSHIP].label}
_KINDS = model().enums["party_org_kind"]
TEMPORARY = _KINDS.label(_KINDS.the("temporary"))
_RATIOS = ["应覆盖", "已覆盖", "覆盖率", "有效覆盖", "有效覆盖率"]
_RATIO_FORMATS = [None, COUNT, COUNT, RATIO, COUNT, RATIO]


def _ratio(covered: int, total: int) -> float:
    return covered / total if total else 1.0


def _member_columns(unit_name: str = "姓名") -> list[Column]:
    return [Column("序号", COUNT), Column(unit_name), Column("编号"), Column("所属政协"), Column("界别")]


def _list(sheet: Sheet, rows: list[list], unit: str, extra: list | None = None) -> None:
    """The rows of a numbered list, or （无）, and its 合计 (how many, and ``extra`` sums)."""
    if rows:
        sheet.rows([[k, *row] for k, row in enumerate(rows, 1)])
    else:
        sheet.none()
    formats = [None, f'0" {unit}"'] + [c.format for c in sheet.columns[2:]]
    sheet.total([len(rows), *(extra or [None] * (len(sheet.columns) - 2))], formats)


def write_coverage_xlsx(report: dict, path: Path) -> Path:
    names, made = _Names(report), dt.date.today()
    wb = new_workbook()
    who, when = names.speaks_for(), f"（截至 {day_text(report['as_of'])}）"
    unit, label = names.unit(), report["label"]
    by = report.get("by")
    sheets: list[tuple[str, int, str, str]] = []  # (what, how many, unit, its sheet), for the overview

    def titled(name: str, what: str, subtitle: str, columns: list[Column]) -> Sheet:
        return Sheet(wb, name, f"{who}{what}{when}", subtitle, columns)

    overview = titled("概览", f"{label}覆盖情况", f"有效联系窗口 {report['window_days']} 天（联系记录合乎各规则的要求才计为有效覆盖，见下）",
                      [Column("项目"), *(Column(h) for h in _RATIOS)])
    later: list = []
    for r in report["rules"]:
        short = names.rule_short(r["id"], r["label"])
        covers_member = r.get("covers", "member") == "member"
        gap = names.gap(r["id"], r["label"])
        kind = KIND_LABELS.get(r.get("covers", "member"), "名称")
        columns = _member_columns() if covers_member else [Column("序号", COUNT), Column(kind), Column("所属政协")]
        s = titled(gap, gap, f"{names.policy_label(report['policy'])}：{r['label']}", columns)
        s.header(repeat=True)
        rows = [[i.get("name") or i["id"], i["id"], names.committee(i.get("committee_id")), i.get("sector") or ""]
                if covers_member else [i.get("name") or i["id"], names.committee(i.get("committee_id"))]
                for i in sorted(r["uncovered"], key=lambda i: (natural(i.get("name")), i["id"]) if not covers_member
                                else (i["id"],))]
        _list(s, rows, "名" if covers_member else "个")
        later.append(s)
        sheets.append((gap, len(rows), "名" if covers_member else "个", s.ws.title))
        if r.get("breakdown"):
            group = BREAKDOWN_LABELS.get(by or "", "分组")  # a kind's label, the township column's
            rollup = "rollup_total" in r["breakdown"][0]
            groups = r["breakdown"]  # a committee's groups together, in natural order (graph/coverage.py)
            several = by != "committee" and several_committees(report)  # each group's committee beside it
            columns = [Column("序号", COUNT), Column(group), *([Column("所属政协")] if several else []),
                       Column("应覆盖", COUNT), Column("已覆盖", COUNT), Column("覆盖率", RATIO)]
            columns += [Column("含下级应覆盖", COUNT), Column("含下级已覆盖", COUNT), Column("含下级覆盖率", RATIO)] if rollup else []
            s = titled(f"按{group}统计-{short}", f"按{group}统计：{short}", r["label"], columns)
            s.header(repeat=True)
            s.rows([[k, b["name"], *([b.get("committee_name") or names.committee(b.get("committee_id"))] if several else []),
                     b["total"], b["covered"], b["ratio"]]
                    + ([b["rollup_total"], b["rollup_covered"], b["rollup_ratio"]] if rollup else [])
                    for k, b in enumerate(groups, 1)])
            summed = sum(b["total"] for b in groups) == r["total"] and sum(b["covered"] for b in groups) == r["covered"]
            s.rows([["合计" if summed else "合计（每项只计一次）", None, *([None] if several else []), r["total"], r["covered"],
                     _ratio(r["covered"], r["total"])] + ([None] * 3 if rollup else [])], bold=True)
            later.append(s)
        cap = r.get("capacity")
        if cap:
            bound = f"{cap['min'] if cap['min'] is not None else 0}–{cap['max'] if cap['max'] is not None else '不限'}"
            s = titled(f"联系数量-{short}", f"联系数量不在 {bound} 名之内：{short}", r["label"],
                       [Column("序号", COUNT), Column("姓名"), Column("编号"), Column("联系数", COUNT), Column("情况")])
            s.header(repeat=True)
            rows = [[i.get("name") or i["id"], i["id"], i["count"], "超出"] for i in cap["over"]]
            rows += [[i.get("name") or i["id"], i["id"], i["count"], "不足"] for i in cap["under"]]
            _list(s, rows, "名")
            later.append(s)
            sheets.append((f"联系数量不在 {bound} 名之内（{short}）", len(rows), "名", s.ws.title))

    expected = report.get("sectors_expected_without_cpc") or []
    left_out = "、".join(dict.fromkeys(x["name"] for x in expected))
    s = titled("没有党员委员的界别", "没有党员委员的界别", "界别中没有一名中共党员委员"
               + (f"（按政策不要求有中共党员委员的界别 {len(expected)} 个未列入：{left_out}）" if expected else ""),
               [Column("序号", COUNT), Column("界别"), Column("所属政协"), Column("委员数", COUNT)])
    s.header(repeat=True)
    sectors = sorted(report["sectors_without_cpc"], key=lambda x: (natural(x["name"]), x.get("committee_id") or ""))
    _list(s, [[x["name"], names.committee(x.get("committee_id")), x["members"]] for x in sectors], "个",
          [None, sum(x["members"] for x in sectors)])
    later.append(s)
    sheets.append(("没有党员委员的界别", len(sectors), "个", s.ws.title))

    s = titled("未加入专委会的委员", "未加入专委会的委员", "全员入委：每名委员都应加入一个专门委员会", _member_columns())
    s.header(repeat=True)
    _list(s, [[i["name"], i["id"], names.committee(i.get("committee_id")), i.get("sector") or ""]
               for i in report["members_without_special_committee"]], "名")
    later.append(s)
    sheets.append(("未加入专委会的委员", len(report["members_without_special_committee"]), "名", s.ws.title))

    quiet = report["quiet_liaisons"]
    s = titled("联系沉寂", f"超过 {report['window_days']} 天没有联系记录的联系",
               "建立已超过窗口期、窗口期内没有联系记录的联系；最久没有联系的在前，开始日期不详又从未联系的排在最前",
               [Column("序号", COUNT), Column("联系人"), Column("联系对象"), Column("联系方式"), Column("所属政协"),
                Column("最近一次联系", DAY), Column("已沉寂天数", COUNT)])
    s.header(repeat=True)
    _list(s, [[q["from_name"] or q["from_id"], q["to_name"] or q["to_id"], q.get("mechanism") or "",
               names.committee(q.get("committee_id")), day(q["last_contact"]) or "从未联系",
               q["days_quiet"] if q["days_quiet"] is not None else "不详"] for q in quiet],
          "条")
    later.append(s)
    sheets.append((f"超过 {report['window_days']} 天没有联系记录的联系", len(quiet), "条", s.ws.title))

    if report.get("attendance"):
        later += _attendance_sheets(report["attendance"], titled, names, several_committees(report), sheets)
    _overview(overview, report, names, sheets)
    for sheet in [overview, *later]:
        sheet.finish(unit, made)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _attendance_sheets(section: dict, titled, names: _Names, several: bool, sheets: list) -> list[Sheet]:
    """This year's participation in activities: in all, by committee and by activity group,
    each by CPC / non-CPC / standing; and the members who took part in none."""
    columns = [Column("序号", COUNT), Column("范围")]
    for label in WHO_LABELS.values():
        columns += [Column(f"{label}出席", COUNT), Column(f"{label}请假缺席", COUNT), Column(f"{label}出勤率", RATIO)]
    s = titled("活动出勤", "活动出勤", f"{day_text(section['year_start'])}起开始的活动 {section['activities']} 项；"
               "出勤率为出席人次占已记出席情况人次之比，受邀而尚未记录的不计", columns)
    s.header(repeat=True)
    rows = [("合计", section["total"])]
    rows += [(names.committee(r["key"]), r) for r in section["by_committee"]] if several else []
    rows += [(r["name"] + (f"（{names.committee(r.get('committee_id'))}）" if several else ""), r) for r in section["by_group"]]
    s.rows([[k, name, *(v for w in WHO_LABELS for v in (r[w]["attended"], r[w]["excused"] + r[w]["absent"],
                                                         "—" if r[w]["rate"] is None else r[w]["rate"]))]
            for k, (name, r) in enumerate(rows, 1)])
    absent = section["members_without_activity"]
    t = titled("当年未参加活动的委员", "当年没有参加任何活动的委员", f"在任委员 {section['members']} 名中，"
               f"{day_text(section['year_start'])}起没有出席任何活动的", _member_columns())
    t.header(repeat=True)
    _list(t, [[i["name"], i["id"], names.committee(i.get("committee_id")), i.get("sector") or ""] for i in absent], "名")
    sheets.append(("当年没有参加任何活动的委员", len(absent), "名", t.ws.title))
    return [s, t]


def _overview(s: Sheet, report: dict, names: _Names, sheets: list[tuple[str, int, str, str]]) -> None:
    """The headline sheet: the two full coverages with their 合计, the policy's rules when
    they are not those two, and what needs doing, each a labelled section."""
    heads = list(report["headline"].values())
    k = 1
    s.section(f"{chinese_number(k)}、两个全覆盖")
    s.header(["项目", *_RATIOS])
    s.rows([[h["label"], h["total"], h["covered"], h["ratio"], h["effective"], h["effective_ratio"]] for h in heads],
           _RATIO_FORMATS)
    total, covered, effective = (sum(h[key] for h in heads) for key in ("total", "covered", "effective"))
    s.total([total, covered, _ratio(covered, total), effective, _ratio(effective, total)], _RATIO_FORMATS)
    same = [(h["label"], h["total"], h["covered"]) for h in heads] == [(r["label"], r["total"], r["covered"])
                                                                       for r in report["rules"]]
    if not same:
        k += 1
        s.section(f"{chinese_number(k)}、{names.policy_label(report['policy'])}各项规则")
        s.header(["规则", *_RATIOS])
        s.rows([[r["label"], r["total"], r["covered"], r["ratio"], r["effective"], r["effective_ratio"]]
                for r in report["rules"]], _RATIO_FORMATS)
    k += 1
    s.section(f"{chinese_number(k)}、有效覆盖的要求")
    s.header(["规则", "要求", "已覆盖而未有效（原因与项数）"])
    s.rows([[r["label"], r.get("requirement") or "无需联系记录", reason_words(r.get("not_effective") or {}) or "无"]
            for r in report["rules"]])
    k += 1
    s.section(f"{chinese_number(k)}、需要处理的问题")
    s.header(["问题", "数量"])
    s.rows([[f"{what}（见工作表「{sheet}」）", n] for what, n, unit, sheet in sheets], [None, COUNT])
    s.total([f"{sum(n for _, n, _, _ in sheets)} 项"], [None, None])


def _affinity(item: dict) -> str:
    """How close a proposed pair is, in words (``graph/recommend.py``: the affinity cost)."""
    cost = item["cost"]
    if item.get("target_kind", "member") != "member":
        return "联系人在其中" if cost == 1 else "联系人不在其中"
    shared = {rank: f"同一{model().edges[kind].label}" for rank, kind in enumerate(AFFINITY_ORDER, start=1)}
    shared[len(AFFINITY_ORDER) + 1] = "同一乡镇（街道）"
    shared[KEPT] = "上届结对，双方连任"
    return shared.get(cost, "没有共同归属" if cost == OTHER else str(cost))


def write_recommend_xlsx(result: dict, path: Path) -> Path:
    names, made = _Names(result), dt.date.today()
    wb = new_workbook()
    policy = names.policy_label(result["policy"])
    title_of = f"（{policy}，截至 {day_text(result['as_of'])}）"
    who, unit = names.speaks_for(), names.unit()
    labels = {w["rule"]: w["label"] for w in result.get("what_if", [])}
    sheets = []

    s = Sheet(wb, "推荐结对", f"{who}推荐结对{title_of}", "为未覆盖的委员推荐联系人或党组织：遵守联系数量上限，亲和优先",
              [Column("序号", COUNT), Column("规则"), Column("方式"), Column("联系人或党组织"), Column("联系对象"),
               Column("所属政协"), Column("亲和关系"), Column("现有联系数", COUNT)])
    s.header(repeat=True)
    _list(s, [[names.rule_short(i["rule"], labels.get(i["rule"])), "编入党组织" if i.get("kind") == "membership" else "建立联系",
               i["from_name"] or i["from_id"], i["to_name"] or i["to_id"], names.committee(i.get("committee_id")), _affinity(i),
               i["load_before"]] for i in result["items"]], "项")
    sheets.append(s)

    s = Sheet(wb, "无法覆盖", f"{who}无法覆盖的对象{title_of}", "没有可推荐的联系人或党组织，以及最小的调整",
              [Column("序号", COUNT), Column("规则"), Column("名称"), Column("编号"), Column("所属政协"), Column("原因"),
               Column("最小调整")])
    s.header(repeat=True)
    _list(s, [[names.rule_short(u["rule"], labels.get(u["rule"])), u.get("name") or u["id"], u["id"],
               names.committee(u.get("committee_id")), u["reason_label"], u["fix_label"]] for u in result["uncoverable"]], "项")
    sheets.append(s)

    s = Sheet(wb, f"建议设立的{TEMPORARY}", f"{who}建议设立的{TEMPORARY}{title_of}",
              f"活动超过 5 天、有 3 名以上党员委员参加而没有{TEMPORARY}的", [Column("序号", COUNT), Column("活动"), Column("开始", DAY),
                                                            Column("结束", DAY), Column("天数", COUNT), Column(TEMPORARY),
                                                            Column("党员委员")])
    s.header(repeat=True)
    branches = result["temporary_branches"]
    _list(s, [[b["activity_name"], day(b["start_date"]), day(b["end_date"]), b["days"], b["party_org_name"],
               "、".join(names.members.get(m) or m for m in b["member_ids"])] for b in branches], "个")
    sheets.append(s)

    s = Sheet(wb, "采纳后覆盖", f"{who}采纳后可达到的覆盖率{title_of}", "名义覆盖：推荐全部采纳之后",
              [Column("规则"), Column("应覆盖", COUNT), Column("现已覆盖", COUNT), Column("现覆盖率", RATIO),
               Column("采纳后已覆盖", COUNT), Column("采纳后覆盖率", RATIO)])
    s.header(repeat=True)
    what_if = result.get("what_if", [])
    if what_if:
        s.rows([[names.rule(w["rule"], w["label"]), w["before"]["total"], w["before"]["covered"], w["before"]["ratio"],
                 w["after"]["covered"], w["after"]["ratio"]] for w in what_if])
    else:
        s.none()
    sheets.append(s)

    for sheet in sheets:
        sheet.finish(unit, made)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_digest_xlsx(result: dict, path: Path) -> Path:
    """A digest as a workbook to print: one sheet, its items by kind, each with its note."""
    names, made = _Names(result), dt.date.today()
    wb = new_workbook()
    s = Sheet(wb, "动态摘要", f"{names.speaks_for()}动态摘要（{day_text(result['since'])} 至 {day_text(result['as_of'])}）",
              f"共 {len(result['items'])} 项，未确认 {result['open']} 项；下一期自 {result['cursor']} 起",
              [Column("序号", COUNT), Column("类别"), Column("事项"), Column("所属政协"), Column("确认情况")])
    s.header(repeat=True)
    _list(s, [[i["kind_label"], i["text"], names.committee(i.get("committee_id")),
               (i["ack"]["note"] or "已确认") if i.get("ack") else ""] for i in result["items"]], "项")
    s.finish(names.unit(), made)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
