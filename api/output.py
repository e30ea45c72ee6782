"""Chinese text output for people: aligned tables and summaries."""

from __future__ import annotations

import datetime as dt
import unicodedata

from liaison_graph.api.auth import ROLE_LABELS
from liaison_graph.graph.flagship import RULES
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import TOWNSHIP, flagship
from liaison_graph.graph.requirement import reason_words
from liaison_graph.graph.spreadsheet import CsvWriter
from liaison_graph.graph.store import STAT_KEYS


def kind_label(kind: str) -> str:
    """The Chinese label of a node or edge kind, from the model."""
    m = model()
    return m.nodes[kind].label if kind in m.nodes else m.edges[kind].label


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    sizes = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(pad(c, s) for c, s in zip(row, sizes, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * s for s in sizes))
    return "\n".join(lines)


def committee_name(committees: dict[str, dict], committee_id: str) -> str:
    """A committee as a person reads it: its name, and its id beside it."""
    name = (committees.get(committee_id) or {}).get("name")
    return f"{name}（{committee_id}）" if name and name != committee_id else committee_id


def committee_labels(committees: dict[str, dict]) -> dict[str, str]:
    """Each committee as a table's cell shows it: its name; with its id beside when another
    committee has the same name; its id when it has none."""
    seen: dict[str, int] = {}
    for props in committees.values():
        if props.get("name"):
            seen[props["name"]] = seen.get(props["name"], 0) + 1
    return {cid: (props["name"] if seen[props["name"]] == 1 else f"{props['name']}（{cid}）") if props.get("name") else cid
            for cid, props in committees.items()}


def _committee_cell(labels: dict[str, str] | None, committee_id: str | None) -> str:
    return (labels or {}).get(committee_id, committee_id) if committee_id else ""


def header_line(committees: dict[str, dict], committee_id: str | None, below: bool, location: str) -> str:
    """A report's first line: the committee it speaks for (``below``: with those under it,
    when it has any; none given: the whole store, from its top committees) and the store."""
    parents = {p.get("parent_id") for p in committees.values()}
    if committee_id is not None:
        who = committee_name(committees, committee_id) + (("及其下级政协" if below else "本级") if committee_id in parents else "")
    else:
        roots = sorted(c for c, p in committees.items() if p.get("parent_id") not in committees)
        who = "全库，" + "、".join(committee_name(committees, r) for r in roots[:3])
        who += (f"等 {len(roots)} 个政协" if len(roots) > 3 else "") + ("及其下级政协" if len(committees) > len(roots) else "")
    return f"政协：{who}　库：{location}"


def gaps_table(rule: str, day: dt.date, items: list[dict], committees: dict[str, dict] | None = None) -> str:
    head = f"{RULES[rule]}（截至 {day.isoformat()}）：共 {len(items)} 名"
    if not items:
        return head + "。已全覆盖。"
    labels = committee_labels(committees or {})
    rows = [[i["name"], i["id"], _committee_cell(labels, i["committee_id"]), i["sector"] or ""] for i in items]
    return head + "\n\n" + table(["姓名", "编号", "所属政协", "界别"], rows)


def gaps_csv(items: list[dict], stream, committees: dict[str, dict] | None = None) -> None:
    """A gap list as CSV for a spreadsheet: UTF-8 with a BOM, headed in Chinese, each
    member's committee by name (its id beside it in 政协编号)."""
    labels = committee_labels(committees or {})
    writer = CsvWriter(stream, lineterminator="\n")
    stream.write("\ufeff")
    writer.writerow(["编号", "姓名", "所属政协", "政协编号", "界别"])
    writer.writerows([i["id"], i["name"], _committee_cell(labels, i["committee_id"]), i["committee_id"], i["sector"]]
                     for i in items)


def committees_table(result: dict) -> str:
    """The committee tree (``liaison committees``): each committee indented under its
    parent, its name first and id beside, its own members in office and the two gaps."""
    head = f"政协（截至 {result['as_of']}；人数为本级在任委员，不含下级政协）：共 {len(result['committees'])} 个"
    levels = model().enums["level"].labels
    rows = [["　" * c["depth"] + (c["name"] or c["id"]), c["id"], levels.get(c["level"], c["level"] or ""),
             str(c["members"]), str(c["cpc_members"]), str(c["non_party_members"]),
             *(str(c["gaps"].get(rule, 0)) for rule in RULES)] for c in result["committees"]]
    return head + "\n\n" + table(["政协", "编号", "层级", "委员", "党员委员", "党外委员",
                                   *(RULES_SHORT.get(rule, rule) for rule in RULES)], rows)


def members_table(result: dict, committees: dict[str, dict], q: str | None = None) -> str:
    """Members found (``liaison members``): name, id, committee, sector, party affiliation."""
    items, total = result["items"], result["total"]
    asked = f"姓名包含或编号为「{q}」的" if q else ""
    if not items:
        return f"没有找到{asked}委员。"
    labels, parties = committee_labels(committees), model().enums["affiliation"].labels
    ended = any(i.get("end_date") for i in items)
    rows = [[i.get("name") or "", i["id"], _committee_cell(labels, i.get("committee_id")), i.get("sector") or "",
             "、".join(parties.get(a, a) for a in i.get("affiliation") or [])]
            + ([i.get("end_date") or ""] if ended else []) for i in items]
    shown = f"，列出前 {len(items)} 名（用 --limit 列出更多）" if total > len(items) else ""
    return (f"{asked}委员：共 {total} 名{shown}\n\n"
            + table(["姓名", "编号", "所属政协", "界别", "政治面貌"] + (["离任日期"] if ended else []), rows))


def policies_text(policies: list[dict]) -> str:
    """The built-in liaison systems and their rules, one policy a paragraph."""
    lines = []
    for p in policies:
        names = "、".join(dict.fromkeys([p["label"], *p["aliases"]]))
        lines.append(f"{p['name']}（{names}）" + (f"：{p['source']}" if p["source"] else ""))
        lines += [f"  - {r['id']}：{r['label']}" for r in p["rules"]]
    return "\n".join(lines)


def stats_table(counts: dict[str, int]) -> str:
    return table(["类别", "数量"], [[kind_label(STAT_KEYS[k]), str(v)] for k, v in counts.items()])


def local_time(stamp: str | None) -> str:
    """A stored time (ISO 8601, UTC) in the machine's time zone, to the minute."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def zone_label() -> str:
    """The machine's time zone as a person reads it: 本机时区 UTC+08:00."""
    offset = dt.datetime.now().astimezone().strftime("%z") or "+0000"
    return f"本机时区 UTC{offset[:3]}:{offset[3:]}"


TOKEN_TIMES = ("created_at", "expires_at", "revoked_at")


def tokens_table(rows: list[dict], committees: dict[str, dict] | None = None) -> str:
    """The tokens (never the token itself), one a row, each committee by name; times in the
    machine's time zone."""
    labels = committee_labels(committees or {})
    cells = [[local_time(r[k]) if k in TOKEN_TIMES else _committee_cell(labels, r[k]) if k == "committee_id"
              else ROLE_LABELS.get(r[k], r[k]) if k == "role" else r[k] or "" for k in r] for r in rows]
    return (table(["编号", "政协", "角色", "备注名", "签发时间", "过期时间", "吊销时间", "委员本人"], cells)
            + f"\n（时间为{zone_label()}）")


def load_summary(loaded: dict) -> str:
    """What a load read and wrote (``api/verbs/loading.py``'s answer), for people."""
    read = "，".join(f"{model().tables[k].label} {v} 行" for k, v in loaded["rows"].items())
    written = "；".join(
        f"{kind_label(k)} 新增 {loaded['created'][k]}、更新 {loaded['updated'][k]}" for k in loaded["created"]
    )
    if not loaded["rows"]:  # tables with their headers only (a blank template)
        read, written = "0 行（表中只有表头，没有数据行）", "无，库未改动"
    lines = [f"导入完成：{'、'.join(loaded['files'])}", f"读取：{read}", f"写入：{written}"]
    if loaded["ignored"]:
        lines.append(f"未识别、已跳过：{'；'.join(loaded['ignored'])}")
    return "\n".join(lines)


SHOWN_NAMES = 50  # names a text lists before it says how many more


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


WHO_LABELS = {"cpc": model().enums["affiliation"].label("cpc"), "non_cpc": "党外委员",
              "standing": model().enums["position"].label("standing")}


def _rate(t: dict) -> str:
    return "—" if t["rate"] is None else f"{t['rate'] * 100:.1f}%"


def _attendance_rows(rows: list[dict], name) -> list[list[str]]:
    return [[name(r), *(f"{r[w]['attended']}/{r[w]['excused']}/{r[w]['absent']}（{_rate(r[w])}）"
                        + (f"，受邀 {r[w]['invited']}" if r[w]["invited"] else "") for w in WHO_LABELS)] for r in rows]


ATTENDANCE_HEAD = ["", *(f"{label} 出席/请假/缺席（出勤率），受邀未记" for label in WHO_LABELS.values())]


def attendance_section(section: dict, labels: dict[str, str], several: bool) -> list[str]:
    """The coverage report's lines on this year's participation in activities."""
    lines = ["", f"当年参加活动（{section['year_start']} 起开始的活动 {section['activities']} 项，在任委员 {section['members']} 名）"]
    rows = [{"name": "合计", **section["total"]}, *({**r, "name": _committee_cell(labels, r["key"])}
                                                  for r in (section["by_committee"] if several else []))]
    lines.append(table(["范围", *ATTENDANCE_HEAD[1:]], _attendance_rows(rows, lambda r: r["name"])))
    groups = section["by_group"]
    if groups:
        lines += ["", "按委员活动组", table(["委员活动组", *ATTENDANCE_HEAD[1:]], _attendance_rows(
            groups[:SHOWN_NAMES], lambda r: r["name"] + (f"（{_committee_cell(labels, r['committee_id'])}）" if several else "")))]
        if len(groups) > SHOWN_NAMES:
            lines.append(f"……另有 {len(groups) - SHOWN_NAMES} 个活动组，完整列表见 --format json 或 --xlsx")
    absent = section["members_without_activity"]
    names = "、".join(i.get("name") or i["id"] for i in absent[:SHOWN_NAMES])
    lines += ["", f"当年没有参加任何活动的委员（{len(absent)}）：" + (names + ("等，完整名单见 --format json 或 --xlsx"
                                                                 if len(absent) > SHOWN_NAMES else "") if absent else "无")]
    return lines


def coverage_text(report: dict) -> str:
    """The coverage report for people: headline, rules, breakdowns, findings; committees by
    name (a verb's answer, ``Named``, keeps them)."""
    labels = committee_labels(getattr(report, "committees", None) or {})
    group = model().tables["members"].columns[TOWNSHIP].label if report.get("by") == TOWNSHIP else "分组"  # 乡镇街道
    lines = [f"{report['label']} 覆盖情况（截至 {report['as_of']}，有效联系窗口 {report['window_days']} 天）", ""]
    rows = []
    for h in report["headline"].values():
        rows.append([h["label"], str(h["total"]), str(h["covered"]), pct(h["ratio"]), str(h["effective"]), pct(h["effective_ratio"])])
    lines += ["两个全覆盖", table(["项目", "应覆盖", "已覆盖", "覆盖率", "有效覆盖", "有效覆盖率"], rows), ""]
    rows = [[r["label"], str(r["total"]), str(r["covered"]), pct(r["ratio"]), str(r["effective"]), pct(r["effective_ratio"])]
            for r in report["rules"]]
    lines += ["规则", table(["规则", "应覆盖", "已覆盖", "覆盖率", "有效覆盖", "有效覆盖率"], rows)]
    lines += ["", "有效覆盖的要求，已覆盖而未有效的原因",
              table(["规则", "要求", "未有效（项）"], [[r["label"], r.get("requirement") or "无需联系记录",
                                                 reason_words(r.get("not_effective") or {}) or "无"]
                                                for r in report["rules"]])]
    for r in report["rules"]:
        if r["uncovered"]:
            lines += ["", f"未覆盖：{r['label']}（{len(r['uncovered'])}）",
                      table(["编号", "名称", "所属政协", "界别"],
                            [[i["id"], i.get("name") or "", _committee_cell(labels, i.get("committee_id")), i.get("sector") or ""]
                             for i in r["uncovered"]])]
        if r.get("breakdown"):
            lines += ["", f"分组统计：{r['label']}", breakdown_table(r["breakdown"], labels, several_committees(report), group)]
        cap = r.get("capacity")
        if cap and (cap["over"] or cap["under"]):
            bound = f"{cap['min'] if cap['min'] is not None else 0}–{cap['max'] if cap['max'] is not None else '不限'}"
            body = [[i["id"], i.get("name") or "", str(i["count"]), "超出" if i in cap["over"] else "不足"]
                    for i in cap["over"] + cap["under"]]
            lines += ["", f"联系数量（应为 {bound} 名）：{r['label']}", table(["编号", "姓名", "联系数", "情况"], body)]
    if report["sectors_without_cpc"]:
        lines += ["", "没有党员委员的界别", table(["界别", "所属政协", "委员数"],
                                             [[s["name"], _committee_cell(labels, s["committee_id"]), str(s["members"])]
                                              for s in report["sectors_without_cpc"]])]
    expected = report.get("sectors_expected_without_cpc") or []
    if expected:
        several = len({s["committee_id"] for s in expected}) > 1
        names = [s["name"] + (f"（{_committee_cell(labels, s['committee_id'])}）" if several else "") for s in expected]
        lines += ["", f"（按政策不要求有中共党员委员的界别 {len(expected)} 个未列出：{'、'.join(names[:SHOWN_NAMES])}"
                  + ("等" if len(names) > SHOWN_NAMES else "") + "）"]
    if report["members_without_special_committee"]:
        lines += ["", "未加入专委会的委员（全员入委）", table(["编号", "姓名", "所属政协", "界别"],
                  [[i["id"], i["name"], _committee_cell(labels, i["committee_id"]), i["sector"] or ""]
                   for i in report["members_without_special_committee"]])]
    quiet = report["quiet_liaisons"]
    if quiet:
        lines += ["", f"超过 {report['window_days']} 天没有联系记录的联系（{len(quiet)}，最久的在前；"
                  "开始日期不详又从未联系的排在最前）",
                  table(["联系人", "联系对象", "最近一次联系", "已沉寂天数"],
                        [[f"{q['from_name']}（{q['from_id']}）", f"{q['to_name']}（{q['to_id']}）", q["last_contact"] or "从未",
                          str(q["days_quiet"]) if q["days_quiet"] is not None else "不详"] for q in quiet[:50]])]
        if len(quiet) > 50:
            lines.append(f"……另有 {len(quiet) - 50} 条，完整列表见 --format json 或 --xlsx")
    if report.get("attendance"):
        lines += attendance_section(report["attendance"], labels, several_committees(report))
    return "\n".join(lines)


def several_committees(report: dict) -> bool:
    """Whether a report speaks for several committees (a verb's answer, ``Named``, knows its
    committee and the tree; a plain answer, by the committees its breakdowns name)."""
    committees, root = getattr(report, "committees", None), getattr(report, "root", None)
    if report.get("span") == "own":
        return False
    if committees is None:
        return len({b.get("committee_id") for r in report["rules"] for b in r.get("breakdown") or []} - {None}) > 1
    return len(committees) > 1 if root is None else any(p.get("parent_id") == root for p in committees.values())


def breakdown_table(breakdown: list[dict], labels: dict[str, str] | None = None, several: bool = False, group="分组") -> str:
    """Breakdown rows; a group's committee beside its name when the report spans several
    committees (committee rows are committees themselves)."""
    rollup = "rollup_total" in breakdown[0]
    several = several and "committee_name" in breakdown[0]
    headers = [group, *(["所属政协"] if several else []), "应覆盖", "已覆盖", "覆盖率"] \
        + (["含下级应覆盖", "含下级已覆盖", "含下级覆盖率"] if rollup else [])
    body = [[b["name"], *([(labels or {}).get(b.get("committee_id")) or b.get("committee_name") or b.get("committee_id") or ""]
                          if several else []), str(b["total"]), str(b["covered"]), pct(b["ratio"])]
            + ([str(b["rollup_total"]), str(b["rollup_covered"]), pct(b["rollup_ratio"])] if rollup else [])
            for b in breakdown]
    return table(headers, body)


def counts_text(result: dict) -> str:
    """The two full coverages by committee (``coverage --counts``) for people."""
    lines = [f"{result['label']} 按政协统计（名义覆盖，截至 {result['as_of']}）"]
    for r in result["rules"]:
        lines += ["", f"{r['label']}：应覆盖 {r['total']}，已覆盖 {r['covered']}（{pct(r['ratio'])}）"]
        if r["breakdown"]:
            lines.append(breakdown_table(r["breakdown"]))
    return "\n".join(lines)


KIND_LABELS = {code: model().nodes[kind].label for code, kind in model().node_codes.items()}  # a kind's code -> label


def reach_text(result: dict) -> str:
    head = f"从 {result['from']} 出发 {result['hops']} 步内党的工作可达（截至 {result['as_of']}）：共 {len(result['items'])} 项"
    body = [[str(i["distance"]), KIND_LABELS.get(i["kind"], i["kind"]), i["id"], i.get("name") or ""] for i in result["items"]]
    return head + "\n\n" + table(["步数", "类别", "编号", "名称"], body)


def why_text(result: dict) -> str:
    who = f"{result['name']}（{result['id']}）"
    lines = [f"{who}截至 {result['as_of']}：{'已覆盖' if result['covered'] else '未覆盖'}"]
    for org in result["organisations"]:
        lines.append(f"  所在党组织：{org['name']}（{org['id']}）")
    for chain in result["chains"]:
        lines.append("  联系链：" + " → ".join(f"{p['name']}（{p['id']}{'，党员' if p['cpc'] else ''}）" for p in chain))
    for reason in result["reasons"]:
        lines.append(f"  原因：{reason}")
    return "\n".join(lines)


def diff_text(result: dict, committees: dict[str, dict] | None = None) -> str:
    reasons, labels = result["reasons"], committee_labels(committees or {})
    head = f"{result['from']} → {result['to']}：覆盖变化 {len(result['items'])} 名" + "".join(
        f"\n其间换届：{c['committee_name']} {c['date']}" + (f"（{c['term']}届末）" if c.get("term") else "")
        + "，届末" + "，".join(f"{h['label']} {h['covered']}/{h['total']}" for h in c["headline"].values())
        for c in result.get("term_closings") or [])
    body = [[RULES_SHORT.get(i["rule"], i["rule"]), "新增缺口" if i["change"] == "lost" else "不再缺口", i["name"], i["id"],
             _committee_cell(labels, i["committee_id"]), reasons.get(i["reason"], i["reason"])] for i in result["items"]]
    return head + "\n\n" + table(["规则", "变化", "姓名", "编号", "所属政协", "原因"], body)


RULES_SHORT = {rule.id: rule.short_label for rule in flagship().rules if rule.short_label}


def _number(value: float) -> str:
    """A count that may hold a fraction: 13, 12.5."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _named_list(title: str, items: list[dict], labels: dict[str, str]) -> list[str]:
    """「title N 名：」 and the members by name with their committee, the first SHOWN_NAMES."""
    if not items:
        return [f"{title}：无"]
    names = "、".join(f"{i.get('name') or i['id']}（{_committee_cell(labels, i.get('committee_id'))}）"
                     for i in items[:SHOWN_NAMES])
    more = f"……另有 {len(items) - SHOWN_NAMES} 名，完整列表见 --format json" if len(items) > SHOWN_NAMES else ""
    return [f"{title} {len(items)} 名：{names}", *([more] if more else [])]


def network_text(result: dict) -> str:
    """The network figures for people: members by name with their committee's name (a
    verb's answer, ``Named``, keeps the committees)."""
    labels = committee_labels(getattr(result, "committees", None) or {})
    lines = [f"联系网络（截至 {result['as_of']}）：在任委员 {result['members']} 名，联系 {result['liaisons']} 条", ""]
    lines += ["联系最多的委员", table(["姓名", "编号", "所属政协", "界别", "联系数"],
                                 [[i["name"], i["id"], _committee_cell(labels, i["committee_id"]), i["sector"] or "",
                                   str(i["liaisons"])] for i in result["load"]]), ""]
    lines += ["关键联络人（按经其相通的委员对数排序）",
              table(["姓名", "编号", "所属政协", "界别", "联系圈人数", "经其相通的委员对数", "经过其的联系路径占比"],
                    [[i["name"], i["id"], _committee_cell(labels, i["committee_id"]), i["sector"] or "",
                      str(i.get("part_members", "")), _number(i["paths_through"]) if "paths_through" in i else "",
                      pct(i["path_share"]) if "path_share" in i else ""] for i in result["brokers"]]),
              "（联系圈：经由联系彼此相通的委员；经其相通的委员对数：圈内其他委员两两之间，最短联系路径经过其的对数；"
              "占比：这些对数占圈内其他委员所有对数的比例）", ""]
    lines += _named_list("没有任何联系的党员委员", result["cpc_without_liaison"], labels)
    lines += _named_list("完全孤立的委员", result["isolated"], labels)
    sectors = result["sector_matrix"]["sectors"]
    if sectors:
        lines += ["", "界别 × 界别联系数（行：联系人所在界别；列：联系对象所在界别）",
                  table(["", *sectors], [[a, *map(str, row)] for a, row in zip(sectors, result["sector_matrix"]["counts"])])]
    return "\n".join(lines)


def recommend_text(result: dict) -> str:
    # a verb's answer (Named) keeps the committees, the policy and the names of the members it lists by id
    labels = committee_labels(getattr(result, "committees", None) or {})
    policy, names = getattr(result, "policy", None), getattr(result, "members", None) or {}
    rules = {r.id: getattr(r, "short_label", None) or r.label for r in policy.rules} if policy is not None else {}
    lines = [f"推荐结对（{policy.label if policy is not None else result['policy']}，截至 {result['as_of']}）：{len(result['items'])} 项"
             f"，无法覆盖 {len(result['uncoverable'])} 项，建议设立临时党支部 {len(result['temporary_branches'])} 个", ""]
    if result["items"]:
        lines.append(table(["规则", "联系人/党组织", "联系对象", "所属政协", "亲和代价", "现有联系数"],
                           [[rules.get(i["rule"], i["rule"]), f"{i['from_name']}（{i['from_id']}）", f"{i['to_name']}（{i['to_id']}）",
                             _committee_cell(labels, i["committee_id"]), i["cost"], i["load_before"]]
                            for i in result["items"]]))
        lines.append("")
    if result["uncoverable"]:
        lines.append("无法覆盖")
        lines.append(table(["规则", "编号", "名称", "原因", "最小调整"],
                           [[rules.get(u["rule"], u["rule"]), u["id"], u["name"] or "", u["reason_label"], u["fix_label"]]
                            for u in result["uncoverable"]]))
        lines.append("")
    for b in result["temporary_branches"]:
        lines.append(f"建议设立「{b['party_org_name']}」（{b['start_date']} 至 {b['end_date']}，{b['days']} 天），"
                     f"党员 {len(b['member_ids'])} 名：{'、'.join(f'{names[m]}（{m}）' if m in names else m for m in b['member_ids'])}")
    if result.get("what_if"):
        lines += ["", "采纳后可达到的覆盖率（名义）"]
        lines.append(table(["规则", "现在", "采纳后"],
                           [[w["label"], f"{w['before']['covered']}/{w['before']['total']}（{pct(w['before']['ratio'])}）",
                             f"{w['after']['covered']}/{w['after']['total']}（{pct(w['after']['ratio'])}）"]
                            for w in result["what_if"]]))
    return "\n".join(lines).rstrip()

