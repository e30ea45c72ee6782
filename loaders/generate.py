"""Fictional rosters at any scale, following the composition rules of the field.

``generate(scale, seed, out_dir, fmt)`` writes one roster — a county committee, a city
with its counties, a province with its cities and counties, or the whole system — as
CSV files (English headers, one file per table, streamed so the nation scale never sits
in memory), or as one ``.xlsx`` (a sheet per table, Chinese sheet names and headers, also
streamed), or for the two small scales as one ``.json``. Same scale and seed, same rows
(as CSV, same bytes).

Composition (DOMAIN.md): CPC members under 40% of a committee, under 35% of its
standing committee and at most half of its vice-chairs; every member in one sector and
at least one special committee; sectors merged into activity groups, each with a
functional branch; a party group led by the chair; a running and an expired temporary
branch; party members paired with non-party members of their group (结对子), party-group
members liaising with sectors and special committees, a ledger of contacts, a year of
activities with attendance, members' contacts with the masses of their sector, and studios
and stations in the townships (loaders/generate_studios.py).
Deliberate gaps, as offices really have them: about 7% of non-party members without a
current party-member liaison (some with an ended or future one, some only with a
non-party liaison), about 3% of party members only in the expired temporary branch and
about 2% in no organisation at all.

The files are written by loaders.rosterfiles.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from liaison_graph.loaders.generate_studios import studios as studio_rows
from liaison_graph.loaders.generate_tree import PLACE, Committee, hierarchy
from liaison_graph.loaders.rosterfiles import stream_workbook, write_csvs, write_json

TABLES = ("committees", "party_orgs", "studios", "members", "activities", "liaisons", "contacts", "masses_contacts")
TODAY = dt.date(2026, 11, 1)  # the generated world's "now": fixed so output never drifts

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇建文斌波宁凯晨浩然欣怡子涵雨轩梓博文昊天佳琪思远志国海燕春梅晓东光荣德清林"
)

DEMOCRATIC = {"rcck": "民革", "cdl": "民盟", "cndca": "民建", "capd": "民进", "cpwdp": "农工党",
              "zgd": "致公党", "jiusan": "九三学社", "tdsl": "台盟"}
OTHER_SECTORS = [
    "经济界", "农业界", "教育界", "科学技术界", "医药卫生界", "文化艺术界", "新闻出版界", "体育界",
    "社会科学界", "工商联", "工会", "共青团", "妇联", "科协", "侨联", "台联", "少数民族界", "宗教界",
    "社会福利和社会保障界", "对外友好界", "特别邀请人士", "环境资源界",
]
SPECIAL_COMMITTEES = [
    "提案委员会", "经济委员会", "农业和农村委员会", "教科卫体委员会", "社会和法制委员会",
    "文化文史和学习委员会", "人口资源环境委员会", "港澳台侨和外事委员会", "民族和宗教委员会",
    "城乡建设委员会",
]
MODES = ["talk", "visit", "forum", "phone", "other"]
SUMMARIES = [
    "了解委员履职情况和意见建议", "围绕界别群众关切交流", "通报近期重点协商议题", "听取对提案办理的意见",
    "走访委员所在单位", "节日走访慰问", "交流调研成果", "征求对常委会工作报告的意见",
]
CHINESE_NUMERALS = "零一二三四五六七八九十"

MECH_PAIR = "党员委员联系党外委员"
MECH_PEER = "界别内联系"
MECH_SECTOR = "党组成员联系界别"
MECH_SPECIAL = "党组成员联系专委会"
MECH_BRANCH = "党组书记联系党支部"


@dataclass(frozen=True)
class Level:
    code: str
    size: tuple[int, int]
    vice_chairs: tuple[int, int]
    sectors: int
    special_committees: int
    groups: int
    studios: int
    term: int
    term_start: dt.date


LEVELS = {
    "national": Level("national", (2169, 2169), (24, 24), 34, 10, 14, 0, 14, dt.date(2023, 3, 4)),
    "province": Level("province", (600, 900), (10, 14), 30, 9, 12, 4, 13, dt.date(2023, 1, 12)),
    "city": Level("city", (300, 500), (7, 10), 25, 7, 8, 8, 10, dt.date(2021, 12, 20)),
    "county": Level("county", (150, 200), (5, 8), 18, 5, 6, 6, 10, dt.date(2021, 12, 26)),
}
ALL_SECTORS = ["中共", *DEMOCRATIC.values(), "无党派人士", *OTHER_SECTORS]


def numeral(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def iso(day: dt.date) -> str:
    return day.isoformat()


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))


def committee_roster(c: Committee, seed: int, size: int | None = None) -> dict[str, list[dict]]:
    """Every row of one committee: its party organisations, members, liaisons, contacts."""
    rng = random.Random(f"{seed}:{c.id}")
    lv = LEVELS[c.level]
    n = size or rng.randint(*lv.size)
    term_start = lv.term_start + dt.timedelta(days=rng.randint(-20, 20)) if c.level != "national" else lv.term_start
    term_end = term_start.replace(year=term_start.year + 5) - dt.timedelta(days=1)
    committee = {"id": c.id, "name": c.name, "level": c.level, "parent_id": c.parent_id,
                 "term": f"第{numeral(lv.term)}届"}

    # sectors, special committees, activity groups (sectors merged into groups), studios
    present_parties = [p for p in DEMOCRATIC if c.level != "county" or rng.random() < 0.6]
    sectors = ["中共", *(DEMOCRATIC[p] for p in present_parties), "无党派人士"]
    others = rng.sample(OTHER_SECTORS, min(len(OTHER_SECTORS), max(4, lv.sectors - len(sectors))))
    sectors += others
    specials = SPECIAL_COMMITTEES[: lv.special_committees]
    group_names = [f"第{numeral(i + 1)}委员活动组" for i in range(lv.groups)]
    shuffled = sectors[:]
    rng.shuffle(shuffled)
    group_of_sector = {s: group_names[i % lv.groups] for i, s in enumerate(shuffled)}
    townships = [f"{''.join(rng.sample(PLACE, 2))}{rng.choice(('镇', '镇', '乡', '街道'))}" for _ in range(max(lv.studios, 3))]
    studios = [f"{t}委员工作室" for t in townships[: lv.studios]]

    # positions and the CPC quota
    vice = rng.randint(*lv.vice_chairs)
    standing_total = max(vice + 2, round(n * rng.uniform(0.14, 0.18)))
    positions = ["chair"] + ["vice_chair"] * vice + ["secretary_general"] + ["standing"] * (standing_total - vice - 2)
    positions += ["member"] * (n - len(positions))
    cpc_total = int(n * rng.uniform(0.33, 0.39))
    cpc_vice = vice // 2
    cpc_standing = max(0, int(standing_total * 0.35) - 2 - cpc_vice)
    cpc_plain = max(0, cpc_total - 2 - cpc_vice - cpc_standing)
    standing_idx = [i for i, p in enumerate(positions) if p == "standing"]
    plain_idx = [i for i, p in enumerate(positions) if p == "member"]
    cpc = {0, vice + 1} | set(range(1, 1 + cpc_vice))
    cpc |= set(rng.sample(standing_idx, min(cpc_standing, len(standing_idx))))
    cpc |= set(rng.sample(plain_idx, min(cpc_plain, len(plain_idx))))

    members = []
    for i, position in enumerate(positions):
        mid = f"{c.id}-M{i + 1:04d}"
        if i in cpc:
            affiliation = ["中共党员"]
            if rng.random() < 0.004:
                affiliation.append(DEMOCRATIC[rng.choice(list(DEMOCRATIC))])
            sector = "中共" if rng.random() < 0.3 else rng.choice(others)
        else:
            roll = rng.random()
            if roll < 0.55 and present_parties:
                party = rng.choice(present_parties)
                affiliation = [DEMOCRATIC[party]]
                sector = DEMOCRATIC[party] if rng.random() < 0.7 else rng.choice(others)
            elif roll < 0.75:
                affiliation, sector = ["无党派人士"], "无党派人士" if rng.random() < 0.5 else rng.choice(others)
            else:
                affiliation, sector = ["群众"], rng.choice(others)
        start, end = term_start, None
        roll = rng.random()
        if roll < 0.03:  # added mid-term (增补)
            start = term_start + dt.timedelta(days=rng.randint(200, 1300))
        elif roll < 0.045:  # left (辞去委员职务)
            end = term_start + dt.timedelta(days=rng.randint(100, 1400))
        elif roll < 0.05:  # approved, not yet seated
            start = TODAY + dt.timedelta(days=rng.randint(20, 60))
        specials_of = rng.sample(specials, 2 if rng.random() < 0.15 else 1)
        row = {
            "id": mid, "name": person_name(rng), "gender": rng.choice(("male", "female")),
            "affiliation": "、".join(affiliation), "committee_id": c.id, "sector": sector,
            "position": position, "special_committees": "、".join(specials_of),
            "activity_group": group_of_sector[sector],
            "studio": rng.choice(studios) if studios and rng.random() < 0.3 else None,
            "township": rng.choice(townships) if rng.random() < 0.6 else None,
            "start_date": iso(start), "end_date": iso(end) if end else None,
        }
        members.append(row)
    is_cpc = [i in cpc for i in range(n)]

    # party group: the chair is secretary; CPC vice-chairs and the secretary-general sit on it
    members[0]["party_group_role"] = "secretary"
    pg_members = [0]
    for k, i in enumerate(range(1, 1 + cpc_vice)):
        members[i]["party_group_role"] = "deputy_secretary" if k == 0 else "member"
        pg_members.append(i)
    members[vice + 1]["party_group_role"] = "member"
    pg_members.append(vice + 1)

    orgs, org_id = [], iter(f"{c.id}-O{k:02d}" for k in range(1, 1000))

    def org(name, kind, parent=None, start=term_start, end=None):
        row = {"id": next(org_id), "name": name, "kind": kind, "committee_id": c.id, "parent_id": parent,
               "start_date": iso(start) if start else None, "end_date": iso(end) if end else None}
        orgs.append(row)
        return row["id"]

    party_group = org(f"{c.name}党组", "party_group")
    organ = org(f"{c.name}机关党组" if c.level != "county" else f"{c.name}机关党支部",
                "organ_party_group" if c.level != "county" else "branch", party_group)
    branch_of_group = {g: org(f"{g}功能型党支部", "branch", party_group) for g in group_names}
    cells = {}
    if c.level in ("national", "province", "city"):
        cells = {g: org(f"{g}党小组", "party_cell", branch_of_group[g]) for g in group_names}
        for s in specials:
            org(f"{s}分党组", "sub_party_group", party_group)
    running = org("党员履职临时党支部", "temporary_branch", party_group, term_start, term_end)
    plenary = dt.date(TODAY.year, 1, 8) + dt.timedelta(days=rng.randint(0, 20))
    expired = org(f"{plenary.year}年全会临时党支部", "temporary_branch", party_group, plenary,
                  plenary + dt.timedelta(days=rng.randint(3, 5)))

    for i, row in enumerate(members):
        if not is_cpc[i]:
            continue
        roll = rng.random()
        if roll < 0.02:
            ids = []  # in no organisation of the committee
        elif roll < 0.05:
            ids = [expired]  # only the plenary's temporary branch, long dissolved
        else:
            ids = [branch_of_group[row["activity_group"]]]
            if cells and rng.random() < 0.5:
                ids.append(cells[row["activity_group"]])
            if rng.random() < 0.2:
                ids.append(running)
            if rng.random() < 0.4:
                ids.append(expired)
        if i in pg_members:
            ids.insert(0, party_group)
        row["party_org_ids"] = "、".join(ids) or None

    # liaisons
    liaisons, contacts = [], []
    latest = TODAY - dt.timedelta(days=1)

    def liaise(frm, to, kind="member", mechanism=MECH_PAIR, start=term_start, end=None):
        liaisons.append({"from_id": frm, "target_kind": kind, "to": to, "mechanism": mechanism,
                         "start_date": iso(start) if start else None, "end_date": iso(end) if end else None})

    cpc_by_group: dict[str, list[int]] = {}
    for i, row in enumerate(members):
        if is_cpc[i] and not row["end_date"] and row["start_date"] <= iso(TODAY):
            cpc_by_group.setdefault(row["activity_group"], []).append(i)
    all_cpc = [i for lst in cpc_by_group.values() for i in lst]
    non_cpc = [i for i in range(n) if not is_cpc[i]]
    for i in non_cpc:
        row = members[i]
        pool = cpc_by_group.get(row["activity_group"]) or all_cpc
        same_sector = [j for j in pool if members[j]["sector"] == row["sector"]]
        liaison = rng.choice(same_sector or pool)
        start = max(term_start, dt.date.fromisoformat(row["start_date"]))
        roll = rng.random()
        if roll < 0.025:  # ended when the liaison was reassigned, never replaced
            liaise(members[liaison]["id"], row["id"], start=start, end=start + dt.timedelta(days=rng.randint(200, 900)))
            continue
        if roll < 0.04:  # paired from next month only
            liaise(members[liaison]["id"], row["id"], start=TODAY + dt.timedelta(days=rng.randint(10, 40)))
            continue
        if roll < 0.055:  # only a fellow non-party member of the sector keeps in touch
            peers = [j for j in non_cpc if j != i and members[j]["sector"] == row["sector"]] or [j for j in non_cpc if j != i]
            liaise(members[rng.choice(peers)]["id"], row["id"], mechanism=MECH_PEER, start=start)
            continue
        if roll < 0.07:
            continue  # nobody at all
        if rng.random() < 0.06:  # an earlier pairing, ended at a reshuffle
            first = rng.choice(pool)
            switch = start + dt.timedelta(days=rng.randint(180, 700))
            liaise(members[first]["id"], row["id"], start=start, end=switch - dt.timedelta(days=1))
            start = switch
        liaise(members[liaison]["id"], row["id"], start=start)
        if rng.random() < 0.75:  # the ledger: talks and visits in the last year or so
            for _ in range(rng.randint(1, 3)):
                day = latest - dt.timedelta(days=rng.randint(0, 420))
                if day >= start:
                    contacts.append({"from_id": members[liaison]["id"], "to_id": row["id"], "date": iso(day),
                                     "mode": rng.choice(MODES), "summary": rng.choice(SUMMARIES)})
    used_sectors = list(dict.fromkeys(m["sector"] for m in members))  # a sector exists once someone sits in it
    for k, i in enumerate(pg_members):
        frm = members[i]["id"]
        for sector in rng.sample(used_sectors, min(3, len(used_sectors))):
            liaise(frm, sector, "sector", MECH_SECTOR)
        used = sorted({s for m in members for s in m["special_committees"].split("、")}, key=specials.index)
        liaise(frm, used[k % len(used)], "special_committee", MECH_SPECIAL)
    liaise(members[0]["id"], organ, "party_org", MECH_BRANCH)
    liaise(members[0]["id"], running, "party_org", MECH_BRANCH)

    # contacts keyed (from, to, date, mode): drop repeats of the same day and mode
    contacts = list({(r["from_id"], r["to_id"], r["date"], r["mode"]): r for r in contacts}.values())
    placed = studio_rows(c, members, orgs, studios, townships, term_start, TODAY, seed)  # a random source of its own
    return {"committees": [committee], "party_orgs": orgs, "studios": placed, "members": members,
            "activities": activities(c, members, plenary, seed), "liaisons": liaisons, "contacts": contacts,
            "masses_contacts": masses_contacts(c, members, seed)}


# A committee's year of activities: (kind, name, days, who is asked: all, CPC, a share).
ACTIVITIES = (("全体会议", "全体会议", None, "all"), ("培训", "委员履职能力提升培训班", 5, 0.3),
              ("视察", "专题视察", 2, 0.08), ("调研", "专题调研", 3, 0.06), ("主题党日", "主题党日活动", 1, "cpc"),
              ("委员讲堂", "委员讲堂", 1, 0.1), ("培训", "新任委员培训", 3, 0.1))


def activities(c: Committee, members: list[dict], plenary: dt.date, seed: int) -> list[dict]:
    """A committee's activities of the year before ``TODAY`` and the weeks after it, with who
    attended, was excused or absent (nothing recorded yet for those not over). Drawn from a
    random source of their own, so the rest of the roster is what it was without them. The
    plenary falls within the days of the year's plenary temporary branch."""
    rng = random.Random(f"{seed}:{c.id}:activities")
    seated = [m for m in members if not m["end_date"] and m["start_date"] <= iso(TODAY)]
    cpc = [m for m in seated if "中共党员" in m["affiliation"]]
    out = []
    for k, (kind, name, length, who) in enumerate(ACTIVITIES):
        if kind == "全体会议":
            start, end = plenary, plenary + dt.timedelta(days=2)
        else:
            start = TODAY + dt.timedelta(days=rng.randint(-330, 40))
            end = start + dt.timedelta(days=length - 1)
        asked = seated if who == "all" else cpc if who == "cpc" else \
            rng.sample(seated, max(1, min(len(seated), round(len(seated) * who))))
        row = {"id": f"{c.id}-A{k + 1:02d}", "name": f"{start.year}年{name}", "committee_id": c.id, "kind": kind,
               "start_date": iso(start), "end_date": iso(end)}
        if end >= TODAY:  # not over: asked, nothing recorded yet
            row["member_ids"] = "、".join(m["id"] for m in asked)
        else:
            state = {"attended_ids": [], "excused_ids": [], "absent_ids": []}
            for m in asked:
                roll = rng.random()
                state["attended_ids" if roll < 0.86 else "excused_ids" if roll < 0.96 else "absent_ids"].append(m["id"])
            row.update({column: "、".join(ids) for column, ids in state.items() if ids})
        out.append(row)
    return out


MASSES_UNITS = ("社区居民", "企业职工", "村民代表", "行业协会会员", "个体工商户", "学校教师", "医务人员", "新就业形态劳动者")
MASSES_SUMMARIES = ("听取群众对民生实事的意见", "走访了解企业经营困难", "宣讲政策、解疑释惑", "收集社情民意信息",
                    "围绕提案选题听取意见", "节日走访慰问")


def masses_contacts(c: Committee, members: list[dict], seed: int) -> list[dict]:
    """Members' contacts with people of their sector (委员联系界别群众), in the months before
    ``TODAY``: about two in five of the seated members keep two to four fixed contacts,
    each met once or twice, so some meet a quarterly requirement and some fall short.
    Drawn from a random source of their own, so the rest of the roster is what it was."""
    rng = random.Random(f"{seed}:{c.id}:masses")
    seated = [m for m in members if not m["end_date"] and m["start_date"] <= iso(TODAY)]
    out = {}
    for m in seated:
        if rng.random() >= 0.4:
            continue
        people: set[str] = set()
        wanted = rng.choice((2, 3, 3, 3, 4))
        while len(people) < wanted:
            people.add(person_name(rng))
        for person in sorted(people):
            unit = rng.choice(MASSES_UNITS)
            for _ in range(rng.randint(1, 2)):
                row = {"from_id": m["id"], "person": person, "unit": unit,
                       "date": iso(TODAY - dt.timedelta(days=rng.randint(0, 240))), "mode": rng.choice(MODES),
                       "summary": rng.choice(MASSES_SUMMARIES)}
                out[(m["id"], person, row["date"], row["mode"])] = row  # keyed as the table is: one of each
    return list(out.values())


def rosters(scale: str, seed: int) -> Iterator[dict[str, list[dict]]]:
    rng = random.Random(f"{seed}:{scale}")
    for c in hierarchy(scale, rng):
        yield committee_roster(c, seed)


def generate(scale: str, seed: int, out_dir: Path, fmt: str = "csv") -> dict[str, int]:
    """Write the roster of one scale into ``out_dir``; returns rows per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csvs(out_dir, TABLES, rosters(scale, seed))
    name = f"roster-{scale}-{seed}"
    if fmt == "xlsx":
        return stream_workbook(out_dir / f"{name}.xlsx", TABLES, rosters(scale, seed))
    if scale not in ("county", "city"):
        raise ValueError(f"{fmt} output is for the county and city scales only")
    return write_json(out_dir / f"{name}.json", TABLES, rosters(scale, seed))
