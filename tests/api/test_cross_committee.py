"""Records that join members of two committees (a city member liaising with a county
member, a contact between members of two counties), made by the city's editor: a county's
token sees those of its own members, with the other side by id, name and committee only,
and never the records among the others that the county's part of the graph holds."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from tests.api_fixtures import A, B, CITY, open_world

DAY = "2026-06-30"
MASKED = {"id", "name", "committee_id"}
# What a record of the county's own may add beside a foreign member's id, name and committee.
ABOUT_THE_ANSWER = {"kind", "distance"}
ENDS = (("from_id", "to_id"), ("src", "dst"), ("source", "target"), ("member_id", "party_org_id"))


def members_of(store, committee: str) -> dict[str, dict]:
    G = store.subgraph({committee})
    return {n[1]: d for n, d in sorted(G.nodes(data=True)) if n[0] == "Member" and d.get("committee_id") == committee}


def sector_of(store, committee: str, name: str) -> str:
    G = store.subgraph({committee})
    return next(n[1] for n, d in G.nodes(data=True)
                if n[0] == "Sector" and d.get("committee_id") == committee and d.get("name") == name)


class Cross:
    """The city's editor joins members of the city, county A and county B."""

    def __init__(self, world):
        self.world = world
        s = world.store
        city, a, b = members_of(s, CITY), members_of(s, A), members_of(s, B)
        # a city party-group member
        self.x = next(i for i, d in city.items() if d.get("cpc") and d.get("party_group_role"))
        self.m = next(i for i, d in a.items() if not d.get("cpc"))   # county A, non-party
        self.m2 = next(i for i, d in a.items() if d.get("cpc"))      # county A, CPC
        self.y = next(i for i, d in b.items() if d.get("cpc") and d.get("position") not in (None, "member"))
        self.y2 = next(i for i, d in b.items() if not d.get("cpc") and d.get("sector"))
        self.city_sector = sector_of(s, CITY, city[self.x]["sector"])
        self.y2_sector = sector_of(s, B, b[self.y2]["sector"])
        self.foreign = {self.x, self.y, self.y2}
        self.a_nodes = {n[1] for n, d in s.subgraph({A}).nodes(data=True) if d.get("committee_id") == A}
        # Text that exists only on the foreign members or on records among them.
        self.secrets = ["城西秘镇", "城西秘镇工作室", "乙县秘镇", "乙县秘镇工作室", "乙县二秘镇", "乙县二秘镇工作室",
                        "市联系乙县秘机制", "市乙秘密谈话", "乙县内部秘密谈话"]
        for mid, town in ((self.x, "城西秘镇"), (self.y, "乙县秘镇"), (self.y2, "乙县二秘镇")):
            tag = world.get("city_admin", f"/api/v1/members/{mid}").json()["etag"]
            self._ok(world.client.patch(f"/api/v1/members/{mid}", json={"township": town, "studio": town + "工作室"},
                                        headers=world.headers("city_admin", **{"If-Match": tag})))
        for row in ({"from_id": self.x, "to": self.m, "mechanism": "市委员联系县委员"},
                    {"from_id": self.y, "to": self.m, "mechanism": "乙县委员联系甲县委员"},
                    {"from_id": self.y2, "to": self.m, "mechanism": "乙县党外委员联系甲县委员"},
                    {"from_id": self.m2, "to": self.y2, "mechanism": "甲县党员联系乙县委员"},
                    {"from_id": self.m2, "target_kind": "sector", "to": self.city_sector, "mechanism": "甲县党员联系市界别"},
                    {"from_id": self.x, "to": self.y2, "mechanism": "市联系乙县秘机制"}):
            self._ok(self.post("/api/v1/liaisons", {**row, "start_date": "2026-01-01"}))
        for row in ({"from_id": self.m, "to_id": self.y, "date": "2026-05-01", "mode": "走访", "summary": "甲乙之间的谈话"},
                    {"from_id": self.y2, "to_id": self.m2, "date": "2026-05-02", "mode": "座谈", "summary": "乙甲之间的谈话"},
                    {"from_id": self.x, "to_id": self.m, "date": "2026-05-04", "mode": "谈心谈话", "summary": "市甲之间的谈话"}):
            self._ok(self.post("/api/v1/contacts", row))
        upload = (f"from_id,to_id,date,mode,summary\n{self.x},{self.y},2026-05-03,谈心谈话,市乙秘密谈话\n"
                  f"{self.y},{self.y2},2026-05-05,谈心谈话,乙县内部秘密谈话\n")
        self._ok(world.client.post("/api/v1/imports", headers=world.headers("city_admin"),
                                   files=[("files", ("contacts.csv", upload.encode(), "text/csv"))]))

    def post(self, url, body):
        return self.world.client.post(url, json=body, headers=self.world.headers("city_admin"))

    @staticmethod
    def _ok(response):
        assert response.status_code in (200, 201), response.text

    def a_org(self) -> str:
        G = self.world.store.subgraph({A})
        return sorted(n[1] for n, d in G.nodes(data=True) if n[0] == "PartyOrg" and d.get("committee_id") == A)[0]

    def is_a(self, value) -> bool:
        return isinstance(value, str) and (value in self.a_nodes or value.split(":", 1)[-1] in self.a_nodes)

    def is_foreign(self, value) -> bool:
        return isinstance(value, str) and (value in self.foreign or value.split(":", 1)[-1] in self.foreign)


@pytest.fixture
def cross(template, tmp_path):
    w = open_world(template, tmp_path)
    yield Cross(w)
    w.close()


def body_text(response) -> str:
    if response.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return response.text


def read_cases(c: Cross) -> dict[str, list[str]]:
    """Every read route under /api/v1, asked by county A about its members who sit beside
    the foreign ones."""
    m, m2, x, y = c.m, c.m2, c.x, c.y
    org = c.a_org()
    return {
        "/api/v1/gaps/{rule}": [f"/api/v1/gaps/{r}?as_of={DAY}" for r in ("non-party-without-liaison",
                                                                           "party-member-unorganised")],
        "/api/v1/policies": ["/api/v1/policies"],
        "/api/v1/coverage/counts": [f"/api/v1/coverage/counts?as_of={DAY}"],
        "/api/v1/coverage": [f"/api/v1/coverage?as_of={DAY}&window=30&by={by}&policy={p}"
                             for by in ("sector", "committee") for p in ("two-coverages", "silian", "pairing")],
        "/api/v1/coverage.xlsx": [f"/api/v1/coverage.xlsx?as_of={DAY}&by=sector"],
        "/api/v1/reach/{node_id}": [f"/api/v1/reach/{n}?hops=3&as_of={DAY}" for n in (m, m2, org)],
        "/api/v1/why/{member_id}": [f"/api/v1/why/{n}?as_of={DAY}" for n in (m, m2)],
        "/api/v1/diff": [f"/api/v1/diff?from=2025-06-30&to={DAY}"],
        "/api/v1/network": [f"/api/v1/network?as_of={DAY}&top=1000"],
        "/api/v1/stats": ["/api/v1/stats"],
        "/api/v1/recommend": [f"/api/v1/recommend?as_of={DAY}", f"/api/v1/recommend?as_of={DAY}&policy=pairing"],
        "/api/v1/me": ["/api/v1/me"],
        "/api/v1/committees": ["/api/v1/committees"],
        "/api/v1/committees/{committee_id}": [f"/api/v1/committees/{A}"],
        "/api/v1/members": ["/api/v1/members?limit=1000", f"/api/v1/members?q={x}", f"/api/v1/members?q={y}"],
        "/api/v1/members/{member_id}": [f"/api/v1/members/{n}" for n in (m, m2)],
        "/api/v1/members/{member_id}/dossier": [f"/api/v1/members/{n}/dossier?as_of={DAY}&{p}" for n in (m, m2)
                                                for p in ("term=true", "year=2026&policy=silian")],
        "/api/v1/members/{member_id}/dossier.xlsx": [f"/api/v1/members/{n}/dossier.xlsx?as_of={DAY}" for n in (m, m2)],
        "/api/v1/committees/{committee_id}/dossiers.xlsx": [f"/api/v1/committees/{A}/dossiers.xlsx?as_of={DAY}"],
        "/api/v1/persons": [f"/api/v1/persons?as_of={DAY}"],
        "/api/v1/persons/matches": [f"/api/v1/persons/matches?as_of={DAY}"],
        "/api/v1/terms": ["/api/v1/terms"],
        "/api/v1/sectors": ["/api/v1/sectors?limit=1000"],
        "/api/v1/party-orgs": ["/api/v1/party-orgs?limit=1000"],
        "/api/v1/party-orgs/{org_id}": [f"/api/v1/party-orgs/{org}"],
        "/api/v1/liaisons": ["/api/v1/liaisons?limit=1000",
                             *[f"/api/v1/liaisons?member_id={n}&limit=1000" for n in (m, m2, x, y, c.y2)]],
        "/api/v1/export/graph": [f"/api/v1/export/graph?format={f}" for f in ("node-link", "graphml", "gexf")],
        "/api/v1/export/tables/{table}": [
            f"/api/v1/export/tables/{t}?format={f}" for f in ("csv", "xlsx")
            for t in ("committees", "party_orgs", "members", "activities", "liaisons", "contacts", "masses_contacts")],
        "/api/v1/changes": ["/api/v1/changes?limit=1000"],
        "/api/v1/audit": ["/api/v1/audit?limit=1000"],
        "/api/v1/page/network": [f"/api/v1/page/network?as_of={DAY}"],
        "/api/v1/due": [f"/api/v1/due?as_of={DAY}&policy={p}" for p in ("two-coverages", "fuxing", "hangzhou")],
        "/api/v1/digest": [f"/api/v1/digest?as_of={DAY}&since=2025-06-30"],
        "/api/v1/digest.xlsx": [f"/api/v1/digest.xlsx?as_of={DAY}&since=2025-06-30"],
        "/api/v1/attendance": [f"/api/v1/attendance?as_of={DAY}"],
        "/api/v1/contacts/pending": ["/api/v1/contacts/pending"],
    }


def foreign_detail(c: Cross, value, where: str = "") -> list[str]:
    """What a JSON answer shows of a foreign member beyond its id, name and committee, and
    the records it holds that involve none of county A's members or nodes."""
    found = []
    if isinstance(value, dict):
        ids = [k for k in ("id", "member_id") if c.is_foreign(value.get(k))]
        if "id" in ids and set(value) - MASKED - ABOUT_THE_ANSWER:
            found.append(f"{where}: {value['id']} shown with {sorted(set(value) - MASKED - ABOUT_THE_ANSWER)}")
        for a, b in ENDS:
            if a in value and b in value and not (c.is_a(value[a]) or c.is_a(value[b])):
                if c.is_foreign(value[a]) or c.is_foreign(value[b]):
                    found.append(f"{where}: a record of others {value[a]} → {value[b]}")
        for k, v in value.items():
            found += foreign_detail(c, v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += foreign_detail(c, v, f"{where}[{i}]")
    return found


def test_a_county_sees_a_foreign_member_beside_its_own_by_id_name_and_committee_only(cross):
    c, w = cross, cross.world
    cases = read_cases(c)
    routes = {path for path, ops in w.client.app.openapi()["paths"].items()
              if path.startswith("/api/v1") and "get" in ops}
    assert routes == set(cases), "every read route needs a case here"
    leaks = []
    for urls in cases.values():
        for url in urls:
            r = w.get("a_admin" if url.startswith("/api/v1/audit") else "a_viewer", url)
            assert r.status_code == 200, (url, r.text[:300])
            text = body_text(r)
            leaks += [f"{url}: {s}" for s in c.secrets if s in text]
            if r.headers.get("content-type", "").startswith("application/json"):
                leaks += [f"{url} {f}" for f in foreign_detail(c, r.json())]
    assert not leaks, "\n".join(leaks)


def test_why_shows_a_foreign_liaising_member_by_id_name_and_committee_only(cross):
    c, w = cross, cross.world
    why = w.get("a_viewer", f"/api/v1/why/{c.m}?as_of={DAY}").json()
    firsts = {chain[0]["id"]: chain[0] for chain in why["chains"]}
    assert firsts[c.x] == {"id": c.x, "name": w.store.node_props("Member", [c.x])[c.x]["name"], "committee_id": CITY}
    assert set(firsts[c.y]) == MASKED and firsts[c.y]["committee_id"] == B
    assert why["chains"][0][-1]["id"] == c.m and {"cpc", "position"} <= set(why["chains"][0][-1])  # its own, whole
    # The non-party member of B who liaises with m does not cover m; why not is about B's member: not said.
    about_y2 = [r for r in why["reasons"] if c.y2 in r]
    assert about_y2 and not any("中共党员" in r or "在任" in r for r in about_y2), about_y2
    # The city sees its own member whole, and why B's member does not cover m.
    city = w.get("city_admin", f"/api/v1/why/{c.m}?as_of={DAY}").json()
    x_whole = next(chain[0] for chain in city["chains"] if chain[0]["id"] == c.x)
    assert x_whole["position"] and x_whole["party_group_role"] and x_whole["cpc"] is True
    assert any(c.y2 in r and "不是中共党员" in r for r in city["reasons"])


def test_reach_follows_only_records_that_involve_the_county(cross):
    c, w = cross, cross.world
    items = {i["id"]: i for i in w.get("a_viewer", f"/api/v1/reach/{c.m2}?hops=3&as_of={DAY}").json()["items"]}
    # Its own liaisons reach the B member and the city sector, and B's member's liaison into m reaches m.
    assert items[c.y2]["distance"] == 1 and items[c.city_sector]["distance"] == 1 and c.m in items
    # Not who sits in the city sector (a city member's membership), nor B's member's sector.
    assert c.x not in items and c.y2_sector not in items, sorted(i for i in items if not c.is_a(i))
    assert all(set(i) == {"id", "kind", "name", "distance"} for i in items.values())
    city = {i["id"] for i in w.get("city_admin", f"/api/v1/reach/{c.m2}?hops=3&as_of={DAY}").json()["items"]}
    assert {c.x, c.y2_sector} <= city  # the city sees what its own and B's members sit in


def test_liaisons_list_the_ones_into_the_countys_members_too(cross):
    c, w = cross, cross.world
    into_m = w.get("a_viewer", f"/api/v1/liaisons?member_id={c.m}&limit=1000").json()["items"]
    assert {i["from_id"] for i in into_m} >= {c.x, c.y, c.y2}
    mine = w.get("a_viewer", "/api/v1/liaisons?limit=1000").json()["items"]
    pairs = {(i["from_id"], i["to_id"]) for i in mine}
    assert {(c.x, c.m), (c.m2, c.y2), (c.m2, c.city_sector)} <= pairs
    assert (c.x, c.y2) not in pairs and all(c.is_a(a) or c.is_a(b) for a, b in pairs)
    x_item = next(i for i in into_m if i["from_id"] == c.x)
    assert x_item["mechanism"] == "市委员联系县委员" and x_item["from_name"]
    # Seen is not owned: county A cannot change the city's liaison.
    r = w.client.post(f"/api/v1/liaisons/{x_item['liaison_id']}/end", json={"date": DAY},
                      headers=w.headers("a_editor", **{"If-Match": x_item["etag"]}))
    assert r.status_code == 404, r.text
    assert json.loads(w.get("a_viewer", f"/api/v1/liaisons?member_id={c.x}&limit=1000").text)["items"] == \
        [i for i in into_m if i["from_id"] == c.x]
