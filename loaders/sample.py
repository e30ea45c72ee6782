"""The shipped sample: 溪山县政协, a fictional county committee of about 200 members.

    python -m liaison_graph.loaders.sample [PATH]     # rewrites samples/xishan-county.xlsx

Built from the generator's county composition with a fixed seed, then written the way
an office keeps its workbook: a merged title row above each header, 序号 and 备注
columns, dates typed three ways or as Excel date cells, a blank row in the member list,
and the cases the two flagship rules must get right made sure of (a duplicate name, a
party member with two affiliations, a liaison between two non-party members, ended and
future liaisons and terms, a party member only in an expired temporary branch).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from liaison_graph.loaders.generate import Committee, committee_roster
from liaison_graph.loaders.rosterfiles import columns, write_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "xishan-county.xlsx"
COMMITTEE = Committee("XS", "溪山县政协", "county", None)
SEED = 2026
SIZE = 200
TITLES = {
    "committees": "溪山县政协基本情况",
    "party_orgs": "溪山县政协党组织设置情况",
    "studios": "溪山县政协委员工作室（站）名单",
    "members": "溪山县政协第十届委员名单",
    "liaisons": "党员委员联系党外委员安排表",
    "activities": "委员履职活动安排",
    "contacts": "谈心谈话及走访记录台账",
    "masses_contacts": "委员联系界别群众情况登记表",
}
DATE_COLUMNS = {"start_date", "end_date", "date"}


def sample_rows() -> dict[str, list[dict]]:
    """The sample's rows, English column names, ISO dates: the ground truth tests read."""
    roster = committee_roster(COMMITTEE, SEED, SIZE)
    members = roster["members"]
    cpc = [m for m in members if "中共党员" in m["affiliation"]]
    # a second affiliation beside 中共党员 (a cross member of 九三学社)
    two = next(m for m in cpc if "、" not in m["affiliation"] and not m.get("party_group_role"))
    two["affiliation"] = "中共党员、九三学社"
    # a duplicate name: two members called the same, one party and one non-party
    non_cpc = [m for m in members if "中共党员" not in m["affiliation"]]
    non_cpc[-1]["name"] = cpc[-1]["name"]
    for m in members:
        m["备注"] = "已辞去委员职务" if m["end_date"] else ("增补" if m["start_date"] > "2022-01-31" else None)
    roster["activities"] = _activities(members, roster["party_orgs"])
    return roster


def _activities(members: list[dict], orgs: list[dict]) -> list[dict]:
    """Three activities: the plenary (its temporary branch exists; its participants the
    branch's party members and every other seated member, no attendance recorded), a two-week training
    with six party members and no temporary branch yet, and a three-day inspection with its
    attendance recorded (one party member excused, one other member absent)."""
    seated = [m for m in members if not m["end_date"] and m["start_date"] <= "2022-01-31"]
    cpc = [m["id"] for m in seated if "中共党员" in m["affiliation"]]
    others = [m["id"] for m in seated if "中共党员" not in m["affiliation"]]
    plenary = next(o for o in orgs if o["kind"] == "temporary_branch" and o.get("end_date", "") < "2026-06-01")
    in_plenary = [m["id"] for m in members if plenary["id"] in (m.get("party_org_ids") or "")]
    return [
        {"id": "XS-A01", "name": "政协第十届溪山县委员会第五次会议", "committee_id": "XS", "kind": "全会",
         "start_date": plenary["start_date"], "end_date": plenary["end_date"], "member_ids": "、".join(in_plenary + others)},
        {"id": "XS-A02", "name": "2026年度委员履职能力提升培训班", "committee_id": "XS", "kind": "培训",
         "start_date": "2026-11-20", "end_date": "2026-12-04", "member_ids": "、".join(cpc[10:16] + others[20:26])},
        {"id": "XS-A03", "name": "生态环境保护民主监督专题视察", "committee_id": "XS", "kind": "视察",
         "start_date": "2026-09-08", "end_date": "2026-09-10", "attended_ids": "、".join(cpc[20:24] + others[30:34]),
         "excused_ids": cpc[24], "absent_ids": others[34]},
    ]


def _as_typed(row: dict, n: int) -> dict:
    """Dates the way offices type them: ISO, slashes, Chinese, or a real date cell."""
    out = dict(row)
    for k in DATE_COLUMNS & row.keys():
        if not row[k]:
            continue
        day = dt.date.fromisoformat(row[k])
        style = n % 4
        out[k] = (row[k], day.strftime("%Y/%m/%d"), f"{day.year}年{day.month}月{day.day}日", day)[style]
    return out


def write_sample(path: Path = SAMPLE) -> Path:
    rows = sample_rows()
    tables = {}
    for t, table_rows in rows.items():
        typed = [_as_typed(r, i) for i, r in enumerate(table_rows)]
        if t == "members":
            for i, r in enumerate(typed, 1):
                r["序号"] = i
            typed.insert(len(typed) // 2, None)  # the blank row offices leave between pages
        tables[t] = typed
    order = {"members": ["序号", *columns("members"), "备注"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, tables, titles=TITLES, order=order)
    return path


if __name__ == "__main__":
    print(write_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE))
