"""The committees of one scale of the fictional system (loaders.generate): a county, a city
with its counties, a province with its cities and counties, or the whole system of 31
provinces, 330 cities and 2,800 counties, parents before children, each with a place name
of its own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

PLACE = list("溪山河湖云岭青松泉桥石阳安平宁丰兴和源城江川临北南东西岚霞枫竹梅兰桂柳杉庆昌泰嘉永福德定远新康华阜沙峰谷原州塘浦渡潭岗")


@dataclass
class Committee:
    id: str
    name: str
    level: str
    parent_id: str | None


def hierarchy(scale: str, rng: random.Random) -> Iterator[Committee]:
    """The committees of one scale, parents before children."""
    names = _place_names(rng)
    if scale == "county":
        yield Committee("K01", next(names) + "县政协", "county", None)
        return
    if scale == "city":
        yield from _city("C01", None, 8 + (rng.random() < 0.5), names, rng)
        return
    if scale == "province":
        yield from _province("P01", None, [8 + (rng.random() < 0.5) for _ in range(11)], names, rng)
        return
    # the whole system: 31 provinces, 330 cities, 2,800 counties (8 or 9 per city)
    yield Committee("CN", "全国政协", "national", None)
    nine = set(rng.sample(range(330), 2800 - 8 * 330))
    counties = [8 + (i in nine) for i in range(330)]
    for p in range(31):
        first, last = p * 330 // 31, (p + 1) * 330 // 31
        yield from _province(f"P{p + 1:02d}", "CN", counties[first:last], names, rng)


def _province(pid, parent, counties_per_city, names, rng):
    yield Committee(pid, next(names) + "省政协", "province", parent)
    for c, counties in enumerate(counties_per_city, 1):
        yield from _city(f"{pid}C{c:02d}", pid, counties, names, rng)


def _city(cid, parent, counties, names, rng):
    yield Committee(cid, next(names) + "市政协", "city", parent)
    for k in range(1, counties + 1):
        suffix = rng.choice(("县", "县", "区"))
        yield Committee(f"{cid}K{k:02d}", next(names) + suffix + "政协", "county", cid)


def _place_names(rng: random.Random) -> Iterator[str]:
    """Unique fictional place names: two characters while they last, then three."""
    seen = set()
    misses = 0
    while True:
        name = "".join(rng.sample(PLACE, 2 if misses < 100 else 3))
        if name in seen:
            misses += 1
            continue
        seen.add(name)
        yield name
