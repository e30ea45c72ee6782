"""The lookups answered from the store's indexes (graph/lookups.py) give what the roster
says, on both stores: every list, page and detail of the lookup routes, for tokens at each
level and many filters, against a naive reference worked out in this file from the
store's dump (the graph's content, read the simplest way).

The roster is a generated city, with a neighbouring city whose members liaise into it, sit
in one of its organisations and talk with its members, so that lists and details read
records from outside the caller's committees, as the graph of its scope once held them."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison_graph.api.app import create_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.liaisons import liaison_item
from liaison_graph.api.service import Service
from liaison_graph.graph.model import model
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate
from tests.conftest import BACKENDS, open_backend, write_json

CITY, A, B, OTHER = "C01", "C01K01", "C01K02", "Z1"
WHO = {"city": CITY, "a": A, "b": B, "other": OTHER}
CODES = model().kind_codes()
DAYS = ["2020-01-01", "2024-06-30", "2026-06-30", "2026-11-01", "2030-01-01"]
EXAMPLES = settings(max_examples=40, deadline=None)


# --- the roster ----------------------------------------------------------------------------
def _roster_from_elsewhere(dump: dict) -> dict:
    """A neighbouring city Z1 whose members reach into the city: liaisons into a member, a
    sector and an organisation of county A and into a city member, a liaison from county A
    out to Z1, two liaisons on the same day between the same two members told apart only by
    their mechanism, a Z1 member in county A's organisation, a contact across, and members
    of Z1 with special committees and ended or future terms."""
    nodes = dump["nodes"]
    a_members = sorted(i for (k, i), p in nodes.items() if k == "Member" and p["committee_id"] == A)
    city_member = sorted(i for (k, i), p in nodes.items() if k == "Member" and p["committee_id"] == CITY)[0]
    a_sector = sorted(i for (k, i), p in nodes.items() if k == "Sector" and p["committee_id"] == A)[0]
    a_org = sorted(i for (k, i), p in nodes.items() if k == "PartyOrg" and p["committee_id"] == A)[-1]
    m1, m2, m3 = a_members[:3]
    return {
        "committees": [{"id": OTHER, "name": "邻市政协", "level": "市", "term": "第十届"}],
        "party_orgs": [{"id": "Z1-O1", "name": "邻市政协党组", "kind": "党组", "committee_id": OTHER}],
        "members": [
            {"id": "Z1-M1", "name": "欧阳明", "affiliation": "中共党员", "committee_id": OTHER, "sector": "中共",
             "party_org_ids": f"Z1-O1、{a_org}", "special_committees": "提案委员会、经济委员会",
             "activity_group": "第一委员活动组", "start_date": "2022-01-10"},
            {"id": "Z1-M2", "name": "司马青", "affiliation": "民盟", "committee_id": OTHER, "sector": "民盟",
             "start_date": "2022-01-10", "end_date": "2025-12-31"},
            {"id": "Z1-M3", "name": "明", "affiliation": "无党派人士", "committee_id": OTHER, "sector": "经济界",
             "start_date": "2026-12-01"},
        ],
        "liaisons": [
            {"from_id": "Z1-M1", "to": m1, "mechanism": "邻市委员联系", "start_date": "2026-01-01"},
            {"from_id": "Z1-M1", "to": m1, "mechanism": "另一机制", "start_date": "2026-01-01"},
            {"from_id": "Z1-M1", "to": m2, "mechanism": "邻市委员联系"},
            {"from_id": "Z1-M1", "target_kind": "界别", "to": a_sector, "mechanism": "联系界别",
             "start_date": "2025-01-01", "end_date": "2026-06-30"},
            {"from_id": "Z1-M1", "target_kind": "党组织", "to": a_org, "mechanism": "联系党组织"},
            {"from_id": "Z1-M2", "to": city_member, "mechanism": "邻市党外委员联系"},
            {"from_id": m3, "to": "Z1-M2", "mechanism": "甲县联系邻市", "start_date": "2024-01-01"},
            {"from_id": "Z1-M1", "to": "Z1-M2", "mechanism": "邻市内部联系"},
        ],
        "contacts": [
            {"from_id": "Z1-M1", "to_id": m1, "date": "2026-05-01", "mode": "走访", "summary": "邻市来访"},
            {"from_id": m1, "to_id": "Z1-M1", "date": "2026-05-01", "mode": "电话", "summary": "回访"},
            {"from_id": "Z1-M1", "to_id": "Z1-M2", "date": "2026-05-02", "mode": "座谈", "summary": "邻市内部"},
        ],
    }


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lookups")
    generate("city", 1, folder / "roster", "csv")
    return folder


class World:
    def __init__(self, store, client: TestClient, tokens: dict[str, str]):
        self.store, self.client, self.tokens = store, client, tokens
        self.dump = store.dump()
        self.ref = Reference(self.dump)

    def get(self, who: str, url: str):
        r = self.client.get(url, headers={"Authorization": f"Bearer {self.tokens[who]}"})
        assert r.status_code == 200, (url, r.text[:300])
        return r.json()


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, roster):
    if request.param == "bolt":
        request.getfixturevalue("bolt_server")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_backend(request.param, Path(tmp))
        try:
            load_files(sorted((roster / "roster").glob("*.csv")), store)
            load_files([write_json(Path(tmp) / "elsewhere.json", _roster_from_elsewhere(store.dump()))], store)
            tokens = {who: create_token(store, cid, "viewer", who)[1] for who, cid in WHO.items()}
            with TestClient(create_app(Service(store))) as client:
                yield World(store, client, tokens)
        finally:
            store.close()


# --- the reference: the roster's content, read the simplest way -------------------------------
def holds(props: dict, day: str | None) -> bool:
    start, end = props.get("start_date"), props.get("end_date")
    return day is None or ((start is None or start <= day) and (end is None or day <= end))


class Reference:
    def __init__(self, dump: dict):
        self.nodes, self.edges = dump["nodes"], dump["edges"]
        self.committees = {i: p for (k, i), p in self.nodes.items() if k == "Committee"}
        self.in_sector = [e for e in self.edges if e[0] == "IN_SECTOR"]

    def scope(self, root: str) -> set[str]:
        out, todo = set(), [root]
        while todo:
            cid = todo.pop()
            out.add(cid)
            todo += [c for c, p in self.committees.items() if p.get("parent_id") == cid]
        return out

    def committee_of(self, node) -> str | None:
        return self.nodes.get(node, {}).get("committee_id")

    def name(self, node) -> str | None:
        return self.nodes.get(node, {}).get("name")

    def nodes_of(self, kind: str, scope: set[str]) -> list[dict]:
        found = [p for (k, _), p in self.nodes.items() if k == kind and p.get("committee_id") in scope]
        return sorted(found, key=lambda p: (p["committee_id"], p["id"]))

    def members(self, scope, day=None, sector=None, cpc=None, q=None, activity_group=None, special_committee=None):
        return [p for p in self.nodes_of("Member", scope) if holds(p, day)
                and (not sector or p.get("sector") == sector)
                and (cpc is None or bool(p.get("cpc")) == cpc)
                and (not q or q in p.get("name", "") or q == p["id"])
                and (not activity_group or p.get("activity_group") == activity_group)
                and (not special_committee or special_committee in (p.get("special_committees") or []))]

    def sectors(self, scope) -> list[dict]:
        out = []
        for p in self.nodes_of("Sector", scope):
            sitting = [e for e in self.in_sector if (e[3], e[4]) == ("Sector", p["id"])]
            out.append({"id": p["id"], "name": p.get("name"), "committee_id": p["committee_id"], "members": len(sitting),
                        "cpc_members": sum(1 for e in sitting if self.nodes[(e[1], e[2])].get("cpc"))})
        return out

    def party_orgs(self, scope, day=None) -> list[dict]:
        return [p for p in self.nodes_of("PartyOrg", scope) if holds(p, day)]

    def liaisons(self, scope, day=None, member_id=None, target_kind=None) -> list[dict]:
        found = []
        for (kind, sk, s, dk, d, key), p in self.edges.items():
            if kind != "LIAISES_WITH" or (self.committee_of((sk, s)) not in scope and self.committee_of((dk, d)) not in scope):
                continue
            if not holds(p, day) or (member_id and member_id not in (s, d)) or (target_kind and CODES[dk] != target_kind):
                continue
            found.append(((s, CODES[dk], d, p.get("start_date") or "", key),
                          liaison_item(s, dk, d, key, p, {(sk, s): self.name((sk, s)), (dk, d): self.name((dk, d))})))
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]

    def member(self, member_id: str) -> dict:
        node = ("Member", member_id)
        out_l, in_l, orgs, contacts = [], [], [], []
        for (kind, sk, s, dk, d, key), p in self.edges.items():
            names = {(sk, s): self.name((sk, s)), (dk, d): self.name((dk, d))}
            order = (s, CODES[dk], d, p.get("start_date") or "", key)
            if (sk, s) == node and kind == "LIAISES_WITH":
                out_l.append((order, liaison_item(s, dk, d, key, p, names)))
            if (dk, d) == node and kind == "LIAISES_WITH":
                in_l.append((order, liaison_item(s, dk, d, key, p, names)))
            if (sk, s) == node and kind == "IN_PARTY_ORG":
                org = self.nodes[(dk, d)]
                orgs.append({"id": d, "name": org.get("name"), "kind": org.get("kind"), "start_date": p.get("start_date"),
                             "end_date": p.get("end_date"), "org_start_date": org.get("start_date"),
                             "org_end_date": org.get("end_date")})
            if kind == "CONTACTED" and (sk, s) == node:
                contacts.append({"from_id": s, "to_id": d, "to_name": self.name((dk, d)), "date": p.get("date"),
                                 "mode": p.get("mode"), "summary": p.get("summary")})
            if kind == "CONTACTED" and (dk, d) == node:
                contacts.append({"from_id": s, "from_name": self.name((sk, s)), "to_id": d, "date": p.get("date"),
                                 "mode": p.get("mode"), "summary": p.get("summary")})
        return {"member": self.nodes[node], "liaisons_out": [i for _, i in sorted(out_l, key=lambda x: x[0])],
                "liaisons_in": [i for _, i in sorted(in_l, key=lambda x: x[0])],
                "party_orgs": sorted(orgs, key=lambda o: o["id"]), "contacts": contacts}

    def party_org(self, org_id: str) -> dict:
        sitting = [{"id": s, "name": self.name((sk, s)), "start_date": p.get("start_date"), "end_date": p.get("end_date")}
                   for (kind, sk, s, dk, d, _), p in self.edges.items() if kind == "IN_PARTY_ORG" and (dk, d) == ("PartyOrg", org_id)]
        return {"party_org": self.nodes[("PartyOrg", org_id)], "members": sorted(sitting, key=lambda m: m["id"])}


def page_of(items: list, limit: int, offset: int) -> dict:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v is not None})


PAGES = st.sampled_from([(1000, 0), (1, 0), (7, 3), (50, 100), (100, 1750), (3, 10_000)])


# --- the tests ---------------------------------------------------------------------------------
@EXAMPLES
@given(data=st.data(), who=st.sampled_from(list(WHO)), day=st.sampled_from([None, *DAYS]), paging=PAGES)
def test_members_are_the_rosters_members_of_the_scope_for_every_filter(world, data, who, day, paging):
    ref = world.ref
    scope = ref.scope(WHO[who])
    mine = ref.nodes_of("Member", scope) or [{}]
    sample = data.draw(st.sampled_from(mine))
    names = sample.get("name", "")
    wanted = {
        "sector": data.draw(st.sampled_from([None, "", sample.get("sector"), "没有这个界别"])),
        "cpc": data.draw(st.sampled_from([None, True, False])),
        "q": data.draw(st.sampled_from([None, "", names[:1] or None, names or None, sample.get("id"), "明"])),
        "activity_group": data.draw(st.sampled_from([None, sample.get("activity_group"), "第一委员活动组"])),
        "special_committee": data.draw(st.sampled_from([None, *(sample.get("special_committees") or [])[:1],
                                                        "提案委员会"])),
    }
    limit, offset = paging
    url = f"/api/v1/members?{query(as_of=day, limit=limit, offset=offset, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in wanted.items()})}"
    assert world.get(who, url) == page_of(ref.members(scope, day, **wanted), limit, offset), url


@pytest.mark.parametrize("who", list(WHO))
def test_a_committee_below_the_token_narrows_every_list(world, who):
    ref = world.ref
    for root in sorted(ref.scope(WHO[who])):
        scope = ref.scope(root)
        assert world.get(who, f"/api/v1/members?committee_id={root}&limit=1000&offset=5") == \
            page_of(ref.members(scope), 1000, 5)
        assert world.get(who, f"/api/v1/sectors?committee_id={root}&limit=1000") == page_of(ref.sectors(scope), 1000, 0)
        assert world.get(who, f"/api/v1/party-orgs?committee_id={root}&limit=1000&as_of=2026-06-30") == \
            page_of(ref.party_orgs(scope, "2026-06-30"), 1000, 0)
        assert world.get(who, f"/api/v1/liaisons?committee_id={root}&limit=1000") == page_of(ref.liaisons(scope), 1000, 0)


@EXAMPLES
@given(who=st.sampled_from(list(WHO)), day=st.sampled_from([None, *DAYS]), paging=PAGES)
def test_sectors_and_party_orgs_page_as_the_roster_says(world, who, day, paging):
    ref, (limit, offset) = world.ref, paging
    scope = ref.scope(WHO[who])
    assert world.get(who, f"/api/v1/sectors?limit={limit}&offset={offset}") == page_of(ref.sectors(scope), limit, offset)
    assert world.get(who, f"/api/v1/party-orgs?{query(as_of=day, limit=limit, offset=offset)}") == \
        page_of(ref.party_orgs(scope, day), limit, offset)


@EXAMPLES
@given(data=st.data(), who=st.sampled_from(list(WHO)), day=st.sampled_from([None, *DAYS]), paging=PAGES,
       target=st.sampled_from([None, "", "member", "sector", "party_org", "special_committee", "Member", "委员"]))
def test_liaisons_are_those_with_an_end_in_the_scope_for_every_filter(world, data, who, day, paging, target):
    ref, (limit, offset) = world.ref, paging
    scope = ref.scope(WHO[who])
    ends = sorted({i for e in ref.edges if e[0] == "LIAISES_WITH" for i in (e[2], e[4])})
    member_id = data.draw(st.sampled_from([None, "", "Z1-M1", "Z1-M2", "无此人", *random.Random(len(ends)).sample(ends, 5)]))
    url = f"/api/v1/liaisons?{query(as_of=day, member_id=member_id, target_kind=target, limit=limit, offset=offset)}"
    assert world.get(who, url) == page_of(ref.liaisons(scope, day, member_id, target), limit, offset), url


def test_liaisons_from_elsewhere_into_the_county_are_listed_and_ordered(world):
    """County A sees the neighbouring city's liaisons into its member, sector and
    organisation, and its own out to that city; not the neighbour's among themselves. Two
    liaisons of the same day between the same members come in the order of their keys."""
    items = world.get("a", "/api/v1/liaisons?limit=1000")["items"]
    from_z1 = [i for i in items if i["from_id"] == "Z1-M1"]
    assert sorted(i["target_kind"] for i in from_z1) == ["member", "member", "member", "party_org", "sector"]
    assert ("Z1-M2", "甲县联系邻市") in {(i["to_id"], i["mechanism"]) for i in items}
    assert not any(i["from_id"].startswith("Z1") and i["to_id"].startswith("Z1") for i in items)
    assert not any(i["from_id"] == "Z1-M2" for i in items)  # into the city, not into county A
    same_day = [i for i in items if i["from_id"] == "Z1-M1" and i["start_date"] == "2026-01-01"]
    assert [i["mechanism"] for i in same_day] == ["另一机制", "邻市委员联系"]  # by key: mechanism after the ends
    assert world.get("other", "/api/v1/liaisons?member_id=Z1-M2&limit=1000")["total"] == 3
    assert world.get("city", "/api/v1/liaisons?member_id=Z1-M2&limit=1000")["total"] == 2


def test_member_and_party_org_details_read_the_nodes_own_edges(world):
    ref = world.ref
    a_org = next(d for (k, _, s, _, d, _) in ref.edges if k == "IN_PARTY_ORG" and s == "Z1-M1" and d != "Z1-O1")
    liaised = sorted({e[4] for e in ref.edges if e[0] == "LIAISES_WITH" and e[2] == "Z1-M1" and e[3] == "Member"
                      and ref.committee_of(e[3:5]) == A})
    a_members = [p["id"] for p in ref.nodes_of("Member", {A})]
    for who, member_id in [("other", "Z1-M1"), ("other", "Z1-M2"), *[("a", m) for m in [*liaised, *a_members[:40]]],
                           ("city", a_members[0]), ("city", ref.nodes_of("Member", {CITY})[0]["id"])]:
        got, want = world.get(who, f"/api/v1/members/{member_id}"), ref.member(member_id)
        assert {k: v for k, v in got.items() if k not in ("etag", "contacts")} == \
            {k: v for k, v in want.items() if k != "contacts"}, member_id
        assert [c["date"] for c in got["contacts"]] == sorted((c["date"] for c in got["contacts"]), reverse=True)
        assert sorted(got["contacts"], key=repr) == sorted(want["contacts"], key=repr), member_id
    for who, org in [("a", a_org), ("other", "Z1-O1"), *[("city", o["id"]) for o in ref.nodes_of("PartyOrg", {A, CITY})]]:
        assert world.get(who, f"/api/v1/party-orgs/{org}") == ref.party_org(org), org
    assert "Z1-M1" in {m["id"] for m in world.get("a", f"/api/v1/party-orgs/{a_org}")["members"]}


def test_committees_page_and_detail(world):
    ref = world.ref
    for who, root in WHO.items():
        scope = ref.scope(root)
        listed = world.get(who, "/api/v1/committees?limit=1000")
        assert [c["id"] for c in listed["items"]] == sorted(scope) and listed["total"] == len(scope)
        assert world.get(who, "/api/v1/committees?limit=2&offset=1")["items"] == listed["items"][1:3]
        for cid in scope:
            detail = world.get(who, f"/api/v1/committees/{cid}")
            assert detail["children"] == sorted(c for c, p in ref.committees.items() if p.get("parent_id") == cid)
            assert ("parent_id" in detail) == (ref.committees[cid].get("parent_id") in scope)


def test_what_lies_outside_the_scope_stays_absent(world):
    c = world.client
    headers = {"Authorization": f"Bearer {world.tokens['a']}"}
    assert c.get(f"/api/v1/members?committee_id={B}", headers=headers).status_code == 403
    assert c.get(f"/api/v1/liaisons?committee_id={OTHER}", headers=headers).status_code == 403
    assert c.get("/api/v1/members/Z1-M1", headers=headers).status_code == 404
    assert c.get("/api/v1/party-orgs/Z1-O1", headers=headers).status_code == 404
    assert c.get(f"/api/v1/committees/{CITY}", headers=headers).status_code == 404
    bad = c.get("/api/v1/members?as_of=not-a-day", headers=headers)
    assert bad.status_code == 422 and "not-a-day" in bad.text


def test_both_stores_answer_the_store_methods_alike(world, tmp_path):
    """The store methods themselves, on the world's store and on an embedded copy of its
    content: the same totals, pages, counts and edges."""
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.lookups import LiaisonFilter, NodeFilter

    if world.store.name == "embedded":
        pytest.skip("compared from the Bolt side")
    with EmbeddedStore(tmp_path / "copy.db") as copy:
        from liaison_graph.graph.sync import copy_store

        copy_store(world.store, copy)
        assert copy.dump() == world.dump
        for root in (CITY, A, OTHER):
            scope = world.ref.scope(root)
            for where in (None, NodeFilter(day="2026-06-30", cpc=True), NodeFilter(q="明"), NodeFilter(sector="经济界")):
                assert copy.list_nodes("Member", scope, where, 13, 2) == world.store.list_nodes("Member", scope, where, 13, 2)
            sectors = [s["id"] for s in copy.list_nodes("Sector", scope, None, 1000, 0)[1]]
            assert copy.sector_counts(sectors) == world.store.sector_counts(sectors)
            for where in (None, LiaisonFilter(day="2026-06-30"), LiaisonFilter(member_id="Z1-M1")):
                assert copy.list_liaisons(scope, where, 20, 1) == world.store.list_liaisons(scope, where, 20, 1)
        for node in (("Member", "Z1-M1"), ("PartyOrg", "Z1-O1")):
            kinds = ("LIAISES_WITH", "CONTACTED", "IN_PARTY_ORG")
            assert copy.edges_around(*node, kinds, kinds) == world.store.edges_around(*node, kinds, kinds)


def test_the_reference_sees_what_the_roster_holds(world):
    """The naive reference is not empty where the tests above lean on it."""
    ref = world.ref
    assert len(ref.members(ref.scope(CITY))) > 1000 and ref.liaisons(ref.scope(A)) and ref.sectors(ref.scope(A))
    assert json.dumps(ref.member("Z1-M1"), ensure_ascii=False).count("C01K01") >= 3


def test_an_unfiltered_total_follows_every_write_here_and_elsewhere(tmp_path):
    """The embedded store keeps each committee's node counts between writes: a write
    through the store, and one through another connection to the file, each change the
    next list's total, as a filtered count (never kept) does."""
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.lookups import NodeFilter
    from liaison_graph.graph.batch import Batch
    from tests.conftest import EDGE_ROSTER

    path = tmp_path / "store.db"
    scope = {"P1", "C1", "C2"}
    with EmbeddedStore(path) as store:
        load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
        assert store.list_nodes("Member", scope, None, 100, 0)[0] == 17
        member = {"id": "N1", "name": "新委员", "committee_id": "C2", "sector": "民革", "cpc": False}
        store.write(Batch(nodes={"Member": {"N1": member}}))
        assert store.list_nodes("Member", scope, None, 100, 0)[0] == 18
        with EmbeddedStore(path) as other:
            other.write(Batch(nodes={"Member": {"N2": {**member, "id": "N2", "committee_id": "C1"}}}))
        total, items = store.list_nodes("Member", scope, None, 100, 0)
        assert total == 19 == len(items) == store.list_nodes("Member", scope, NodeFilter(q="委员"), 100, 0)[0] + 17
        assert store.list_nodes("Member", {"C2"}, None, 100, 0)[0] == 3
        assert [m["id"] for m in store.list_nodes("Member", scope, None, 2, 15)[1]] == ["N2", "B10"]
        assert store.list_liaisons(scope, None, 100, 0)[0] == 7
        liaison = Batch()
        liaison.add_edge("LIAISES_WITH", "Member", "N1", "Member", "D1", "联系|", {"mechanism": "联系"})
        store.write(liaison)
        assert store.list_liaisons(scope, None, 100, 0)[0] == 8
        with EmbeddedStore(path) as other:
            liaison.edges[0].key = "另一联系|"
            other.write(liaison)
        total, rows = store.list_liaisons(scope, None, 100, 0)
        assert total == 9 == len(rows) and [r.key for r in rows if r.src == "N1"] == ["另一联系|", "联系|"]
