"""One person across terms and committees (人员). Member records that share a ``person_id``
(人员编号) are one person: a city's member who also sits on a county's committee, a member
re-appointed for a new term. A record without one is a person of its own. Counts and gaps
stay per record (a seat); a roll-up of people counts each person once.

Records without a common person id that may be one person are proposed, never linked
silently: the same name (folded), the same gender, the same sector (folded), and committees
that overlap — the same committee (another term) or one below the other. Two records that
already hold different person ids are two people (an office kept them apart).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from liaison_graph.graph.model_types import fold
from liaison_graph.graph.natural import natural
from liaison_graph.graph.parts import holds


def person_of(record: dict) -> str:
    """The person a member record is: its ``person_id``, else the record itself."""
    return record.get("person_id") or record["id"]


def _line(committees: dict[str, dict], cid: str | None) -> set[str]:
    """A committee and those above it."""
    seen: set[str] = set()
    while cid and cid not in seen:
        seen.add(cid)
        cid = committees.get(cid, {}).get("parent_id")
    return seen


def overlap(committees: dict[str, dict], a: str | None, b: str | None) -> bool:
    """The same committee, or one below the other."""
    return a in _line(committees, b) or b in _line(committees, a)


def record_item(record: dict, committees: dict[str, dict], day: str) -> dict:
    cid = record.get("committee_id")
    return {"id": record["id"], "name": record.get("name"), "committee_id": cid,
            "committee_name": committees.get(cid, {}).get("name"), "sector": record.get("sector"),
            "start_date": record.get("start_date"), "end_date": record.get("end_date"),
            "current": holds(record, day), "person_id": record.get("person_id")}


def people(records: Iterable[dict], committees: dict[str, dict], day: str) -> dict:
    """The member records on ``day`` and the people they are (each counted once, in all and in
    each committee), and the people with several records (any term), by name."""
    by_person: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_person[person_of(r)].append(r)
    seats = [r for rs in by_person.values() for r in rs if holds(r, day)]
    by_committee: dict[str, list] = defaultdict(list)
    for r in seats:
        by_committee[r.get("committee_id")].append(person_of(r))
    several = [{"person_id": pid, "name": rs[0].get("name"), "current_records": sum(holds(r, day) for r in rs),
                "records": [record_item(r, committees, day) for r in sorted(rs, key=lambda r: (r.get("start_date") or "",
                                                                                             r.get("committee_id") or "", r["id"]))]}
               for pid, rs in by_person.items() if len(rs) > 1]
    several.sort(key=lambda p: (natural(p["name"] or ""), p["person_id"]))
    return {"as_of": day, "members": len(seats), "people": len({person_of(r) for r in seats}),
            "by_committee": [{"key": cid, "name": committees.get(cid, {}).get("name", cid), "members": len(ps),
                              "people": len(set(ps))} for cid, ps in sorted(by_committee.items(), key=lambda i: i[0] or "")],
            "persons": several}


def matches(records: Iterable[dict], committees: dict[str, dict], day: str) -> list[dict]:
    """Groups of records that may be one person and are not yet linked (see above), each
    with the records and why; by name."""
    alike: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        alike[(fold(r.get("name") or ""), r.get("gender"), fold(r.get("sector") or ""))].append(r)
    out = []
    for group in alike.values():
        if len(group) < 2:
            continue
        parent = {r["id"]: r["id"] for r in group}

        def root(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for i, a in enumerate(group):
            for b in group[i + 1:]:
                apart = a.get("person_id") and b.get("person_id") and a["person_id"] != b["person_id"]
                if person_of(a) != person_of(b) and not apart and overlap(committees, a.get("committee_id"),
                                                                          b.get("committee_id")):
                    parent[root(a["id"])] = root(b["id"])
        parts: dict[str, list[dict]] = defaultdict(list)
        for r in group:
            parts[root(r["id"])].append(r)
        for part in parts.values():
            if len({person_of(r) for r in part}) > 1:
                part.sort(key=lambda r: (r.get("start_date") or "", r.get("committee_id") or "", r["id"]))
                same = len({r.get("committee_id") for r in part}) == 1
                out.append({"name": part[0].get("name"), "gender": part[0].get("gender"), "sector": part[0].get("sector"),
                            "reason": "同名、同性别、同界别，" + ("同一政协的不同任期" if same else "上下级政协"),
                            "records": [record_item(r, committees, day) for r in part]})
    out.sort(key=lambda m: (natural(m["name"] or ""), m["records"][0]["id"]))
    return out
