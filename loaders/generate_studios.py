"""A generated committee's studios and stations (委员工作室、工作站、联络站、委员之家).

Drawn from a random source of their own (as the activities and the contacts with the masses
are), so every other row of a generated roster is what it was without them: the studios the
members' rows named before (a township's 委员工作室, one member in three) become rows of the
table, joined by stations in several townships and a 委员之家 or two; members sit in their
township's stations (some in several), each studio has a convener among its members, and a
few functional branches work in a station (党建进工作站). The members' 工作室 cells and the
organisations' 所在工作室 are written as ids.
"""

from __future__ import annotations

import datetime as dt
import random

# How many studios and stations a committee of each level has, the 工作室 of its members' rows among them.
COUNTS = {"national": (2, 5), "province": (6, 12), "city": (8, 18), "county": (6, 17)}
STATION_NAMES = (("工作站", "{}政协委员工作站"), ("联络站", "{}政协委员联络站"))
SECTORS = ("经济界", "农业界", "教育界", "医药卫生界", "工商联", "妇联", "社会福利和社会保障界")


def studios(c, members: list[dict], orgs: list[dict], studio_names: list[str], townships: list[str],
            term_start: dt.date, today: dt.date, seed: int) -> list[dict]:
    """The studios table of one committee; members' ``studio`` and organisations'
    ``studio_id`` rewritten as the ids of the studios they sit or work in."""
    rng = random.Random(f"{seed}:{c.id}:studios")
    rows: list[dict] = []

    def add(name: str, kind: str, township: str | None) -> dict:
        start = term_start + dt.timedelta(days=rng.choice((0, 0, 0, rng.randint(60, 900))))
        row = {"id": f"{c.id}-S{len(rows) + 1:02d}", "name": name, "kind": kind, "committee_id": c.id,
               "township": township, "sector": rng.choice(SECTORS) if rng.random() < 0.5 else None,
               "start_date": start.isoformat(), "end_date": None}
        rows.append(row)
        return row

    for k, name in enumerate(studio_names):  # the members' rows named these before
        add(name, "工作室", townships[k])
    wanted = max(rng.randint(*COUNTS[c.level]), len(rows) + 2)
    for k in range(rng.choice((1, 1, 2))):
        add(f"{c.name}委员之家" if k == 0 else f"{townships[-1]}委员之家", "委员之家", None if k == 0 else townships[-1])
    names = {r["name"] for r in rows}
    while len(rows) < wanted:
        kind, pattern = rng.choice(STATION_NAMES)
        township = rng.choice(townships)
        name = pattern.format(township)
        n = 2
        while name in names:
            name, n = f"{pattern.format(township)}（{n}）", n + 1
        names.add(name)
        add(name, kind, township)
    if len(rows) > 3 and rng.random() < 0.5:  # one station closed before the generated world's day
        rows[-1]["end_date"] = (today - dt.timedelta(days=rng.randint(30, 300))).isoformat()

    by_name = {r["name"]: r["id"] for r in rows}
    stations = [r for r in rows if r["kind"] in ("工作站", "联络站")]
    homes = [r for r in rows if r["kind"] == "委员之家"]
    sitting: dict[str, list[dict]] = {r["id"]: [] for r in rows}
    for m in members:
        ids = [by_name[m["studio"]]] if m.get("studio") else []
        local = [s for s in stations if s["township"] == m.get("township")]
        if local and rng.random() < 0.5:
            ids.append(rng.choice(local)["id"])
        if homes and rng.random() < 0.08:
            ids.append(rng.choice(homes)["id"])
        ids = list(dict.fromkeys(ids))
        m["studio"] = "、".join(ids) or None
        for sid in ids:
            sitting[sid].append(m)
    seated = [m for m in members if not m["end_date"] and m["start_date"] <= today.isoformat()]
    for r in rows:
        pool = [m for m in sitting[r["id"]] if m in seated] or seated
        r["convener_id"] = rng.choice(pool)["id"] if pool and rng.random() < 0.9 else None
    branches = [o for o in orgs if o["kind"] == "branch" and o["name"].endswith("功能型党支部")]
    for o in rng.sample(branches, min(len(branches), rng.randint(1, 3))) if stations else ():
        o["studio_id"] = rng.choice(stations)["id"]
    return rows
