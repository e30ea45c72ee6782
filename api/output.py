"""Chinese text output for people: aligned tables and summaries."""

from __future__ import annotations

import datetime as dt
import unicodedata

from graph.model import model
from graph.store import RULES, STAT_KEYS

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


def gaps_table(rule: str, day: dt.date, items: list[dict]) -> str:
    head = f"{RULES[rule]}（截至 {day.isoformat()}）：共 {len(items)} 名"
    if not items:
        return head + "。已全覆盖。"
    rows = [[i["id"], i["name"], i["committee_id"], i["sector"]] for i in items]
    return head + "\n\n" + table(["编号", "姓名", "所属政协", "界别"], rows)


def stats_table(counts: dict[str, int]) -> str:
    return table(["类别", "数量"], [[kind_label(STAT_KEYS[k]), str(v)] for k, v in counts.items()])


def load_summary(report) -> str:
    read = "，".join(f"{model().tables[k].label} {v} 行" for k, v in report.rows.items())
    result = report.result
    written = "；".join(
        f"{kind_label(k)} 新增 {result.created[k]}、更新 {result.updated[k]}" for k in result.created
    )
    lines = [f"导入完成：{'、'.join(report.files)}", f"读取：{read}", f"写入：{written}"]
    if report.ignored:
        lines.append(f"未识别、已跳过：{'；'.join(report.ignored)}")
    return "\n".join(lines)
