"""The HTTP API on the embedded store: every endpoint, tenant isolation over the whole
route list, edits with versions, uploads, feeds, the change feed, the audit trail and
the one error shape."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import create_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.fast import FastGaps
from liaison_graph.api.liaisons import liaison_id
from liaison_graph.api.service import Service
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.coverage import report
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.lookups import NodeFilter
from liaison_graph.graph.policy import builtin
from liaison_graph.graph.view import open_view
from liaison_graph.loaders import load_files
from openpyxl import load_workbook

from tests.conftest import ONE_EACH
from tests.api_fixtures import CITY, LEAK, A, B

DAY = "2026-06-30"
ERROR_KEYS = {"status", "code", "message", "field", "value", "details"}


def some(store, kind: str, committee: str) -> str:
    G = store.subgraph({committee})
    return sorted(n[1] for n, d in G.nodes(data=True) if n[0] == kind and d.get("committee_id") == committee)[0]


def a_liaison(store, committee: str) -> tuple:
    G = store.subgraph({committee})
    return sorted((s[1], d[0], d[1], k[1]) for s, d, k, e in G.edges(keys=True, data=True)
                  if e["edge_kind"] == "LIAISES_WITH" and G.nodes[s].get("committee_id") == committee)[0]


def member_tag(world, who, member_id) -> str:
    return world.get(who, f"/api/v1/members/{member_id}").json()["etag"]


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    err = response.json()["error"]
    assert set(err) == ERROR_KEYS and err["status"] == status and err["message"]
    assert "Traceback" not in response.text
    if code:
        assert err["code"] == code
    return err


# --- tenant isolation, driven by the route list -----------------------------------------
def isolation_cases(world) -> dict[tuple[str, str], list[dict]]:
    """For every route: requests from county A's tokens aimed at the city or county B.
    ``ok`` lists the statuses allowed; whatever the status, nothing of B may come back."""
    s = world.store
    bm, am = some(s, "Member", B), some(s, "Member", A)
    bo, ao = some(s, "PartyOrg", B), some(s, "PartyOrg", A)
    bl = liaison_id(*a_liaison(s, B))
    btag = member_tag(world, "city_admin", bm)
    denied = (403, 404)
    return {
        ("GET", "/api/v1/gaps/{rule}"): [
            dict(url=f"/api/v1/gaps/non-party-without-liaison?committee_id={B}", ok=denied),
            dict(url="/api/v1/gaps/party-member-unorganised", ok=(200,)),
        ],
        ("GET", "/api/v1/policies"): [dict(url="/api/v1/policies", ok=(200,))],
        ("GET", "/api/v1/coverage/counts"): [dict(url=f"/api/v1/coverage/counts?committee_id={B}", ok=denied),
                                            dict(url="/api/v1/coverage/counts", ok=(200,))],
        ("GET", "/api/v1/coverage"): [dict(url=f"/api/v1/coverage?committee_id={B}", ok=denied),
                                      dict(url=f"/api/v1/coverage?committee_id={CITY}", ok=denied),
                                      dict(url="/api/v1/coverage?by=committee&policy=silian", ok=(200,))],
        ("GET", "/api/v1/coverage.xlsx"): [dict(url=f"/api/v1/coverage.xlsx?committee_id={B}", ok=denied),
                                           dict(url="/api/v1/coverage.xlsx?by=committee", ok=(200,))],
        ("GET", "/api/v1/reach/{node_id}"): [dict(url=f"/api/v1/reach/{bm}", ok=denied),
                                             dict(url=f"/api/v1/reach/{bo}?hops=3", ok=denied),
                                             dict(url=f"/api/v1/reach/{ao}?hops=3", ok=(200,))],
        ("GET", "/api/v1/why/{member_id}"): [dict(url=f"/api/v1/why/{bm}", ok=denied)],
        ("GET", "/api/v1/diff"): [dict(url=f"/api/v1/diff?from=2022-01-01&committee_id={B}", ok=denied),
                                  dict(url="/api/v1/diff?from=2022-01-01", ok=(200,))],
        ("GET", "/api/v1/network"): [dict(url=f"/api/v1/network?committee_id={B}", ok=denied),
                                     dict(url="/api/v1/network", ok=(200,))],
        ("GET", "/api/v1/stats"): [dict(url=f"/api/v1/stats?committee_id={B}", ok=denied),
                                   dict(url="/api/v1/stats", ok=(200,))],
        ("GET", "/api/v1/me"): [dict(url="/api/v1/me", ok=(200,))],
        ("GET", "/api/v1/committees"): [dict(url="/api/v1/committees", ok=(200,))],
        ("GET", "/api/v1/committees/{committee_id}"): [dict(url=f"/api/v1/committees/{B}", ok=denied),
                                                       dict(url=f"/api/v1/committees/{CITY}", ok=denied)],
        ("GET", "/api/v1/members"): [dict(url=f"/api/v1/members?committee_id={B}", ok=denied),
                                     dict(url=f"/api/v1/members?q={bm}", ok=(200,)),
                                     dict(url="/api/v1/members?limit=1000", ok=(200,))],
        ("GET", "/api/v1/members/{member_id}"): [dict(url=f"/api/v1/members/{bm}", ok=denied)],
        ("GET", "/api/v1/members/{member_id}/dossier"): [dict(url=f"/api/v1/members/{bm}/dossier", ok=denied),
                                                         dict(url=f"/api/v1/members/{am}/dossier?term=true", ok=(200,))],
        ("GET", "/api/v1/members/{member_id}/dossier.xlsx"): [dict(url=f"/api/v1/members/{bm}/dossier.xlsx", ok=denied),
                                                              dict(url=f"/api/v1/members/{am}/dossier.xlsx", ok=(200,))],
        ("GET", "/api/v1/persons"): [dict(url=f"/api/v1/persons?committee_id={B}", ok=denied),
                                     dict(url=f"/api/v1/persons?committee_id={CITY}", ok=denied),
                                     dict(url="/api/v1/persons", ok=(200,))],
        ("GET", "/api/v1/persons/matches"): [dict(url=f"/api/v1/persons/matches?committee_id={B}", ok=denied),
                                             dict(url="/api/v1/persons/matches", ok=(200,))],
        ("POST", "/api/v1/persons/link"): [dict(url="/api/v1/persons/link", ok=denied, json={"member_ids": [am, bm]}),
                                           dict(url="/api/v1/persons/link", ok=denied, json={"member_ids": [bm, am]})],
        ("POST", "/api/v1/persons/separate"): [dict(url="/api/v1/persons/separate", ok=denied,
                                                    json={"member_ids": [am, bm]})],
        ("GET", "/api/v1/committees/{committee_id}/dossiers.xlsx"): [
            dict(url=f"/api/v1/committees/{B}/dossiers.xlsx", ok=denied),
            dict(url=f"/api/v1/committees/{CITY}/dossiers.xlsx", ok=denied)],
        ("POST", "/api/v1/members"): [dict(url="/api/v1/members", ok=denied, json={
            "id": "X-1", "name": "林晓", "affiliation": "民盟", "committee_id": B, "sector": "民盟"})],
        ("PATCH", "/api/v1/members/{member_id}"): [dict(url=f"/api/v1/members/{bm}", ok=denied,
                                                        json={"township": "某镇"}, headers={"If-Match": btag})],
        ("POST", "/api/v1/members/{member_id}/end"): [dict(url=f"/api/v1/members/{bm}/end", ok=denied,
                                                           json={"date": DAY}, headers={"If-Match": btag})],
        ("GET", "/api/v1/sectors"): [dict(url=f"/api/v1/sectors?committee_id={B}", ok=denied),
                                     dict(url="/api/v1/sectors", ok=(200,))],
        ("GET", "/api/v1/party-orgs"): [dict(url=f"/api/v1/party-orgs?committee_id={B}", ok=denied),
                                        dict(url="/api/v1/party-orgs", ok=(200,))],
        ("GET", "/api/v1/party-orgs/{org_id}"): [dict(url=f"/api/v1/party-orgs/{bo}", ok=denied)],
        ("GET", "/api/v1/liaisons"): [dict(url=f"/api/v1/liaisons?committee_id={B}", ok=denied),
                                      dict(url=f"/api/v1/liaisons?member_id={bm}", ok=(200,))],
        ("POST", "/api/v1/liaisons"): [dict(url="/api/v1/liaisons", ok=denied, json={"from_id": bm, "to": am}),
                                       dict(url="/api/v1/liaisons", ok=denied, json={"from_id": am, "to": bm})],
        ("PATCH", "/api/v1/liaisons/{liaison_id}"): [dict(url=f"/api/v1/liaisons/{bl}", ok=denied,
                                                          json={"end_date": DAY}, headers={"If-Match": "x"})],
        ("POST", "/api/v1/liaisons/{liaison_id}/end"): [dict(url=f"/api/v1/liaisons/{bl}/end", ok=denied,
                                                             json={"date": DAY}, headers={"If-Match": "x"})],
        ("POST", "/api/v1/memberships"): [dict(url="/api/v1/memberships", ok=denied,
                                               json={"member_id": bm, "party_org_id": ao}),
                                          dict(url="/api/v1/memberships", ok=denied,
                                               json={"member_id": am, "party_org_id": bo})],
        ("POST", "/api/v1/memberships/end"): [dict(url="/api/v1/memberships/end", ok=denied,
                                                   json={"member_id": bm, "party_org_id": bo, "date": DAY})],
        ("POST", "/api/v1/contacts"): [dict(url="/api/v1/contacts", ok=denied,
                                            json={"from_id": am, "to_id": bm, "date": DAY, "mode": "走访"})],
        ("POST", "/api/v1/masses-contacts"): [dict(url="/api/v1/masses-contacts", ok=denied,
                                                   json={"from_id": bm, "person": "李群", "date": DAY, "mode": "走访"})],
        ("GET", "/api/v1/attendance"): [dict(url=f"/api/v1/attendance?committee_id={B}", ok=denied),
                                        dict(url=f"/api/v1/attendance?as_of={DAY}", ok=(200,))],
        ("GET", "/api/v1/digest"): [dict(url=f"/api/v1/digest?committee_id={B}", ok=denied),
                                    dict(url=f"/api/v1/digest?committee_id={CITY}", ok=denied),
                                    dict(url=f"/api/v1/digest?as_of={DAY}&since=2026-01-01&policy=fuxing", ok=(200,))],
        ("GET", "/api/v1/digest.xlsx"): [dict(url=f"/api/v1/digest.xlsx?committee_id={B}", ok=denied),
                                         dict(url=f"/api/v1/digest.xlsx?as_of={DAY}&since=2026-01-01", ok=(200,))],
        ("POST", "/api/v1/digest/ack"): [dict(url="/api/v1/digest/ack", ok=denied,
                                              json={"key": "activity:X", "note": "已办", "committee_id": B})],
        ("GET", "/api/v1/contacts/pending"): [dict(url=f"/api/v1/contacts/pending?committee_id={B}", ok=denied),
                                              dict(url="/api/v1/contacts/pending", ok=(200,))],
        ("POST", "/api/v1/contacts/review"): [dict(url="/api/v1/contacts/review", ok=denied,
                                                   json={"from_id": bm, "to_id": am, "date": DAY, "mode": "走访"}),
                                              dict(url="/api/v1/contacts/review", ok=denied,
                                                   json={"from_id": am, "to_id": bm, "date": DAY, "accept": False}),
                                              dict(url="/api/v1/contacts/review", ok=denied,
                                                   json={"from_id": bm, "person": "李群", "date": DAY})],
        ("POST", "/api/v1/imports"): [dict(url="/api/v1/imports", ok=denied, files=[("files", (
            "members.csv", "id,name,affiliation,committee_id,sector\nX-2,林晓,民盟,C01K02,民盟\n".encode(), "text/csv"))])],
        ("GET", "/api/v1/terms"): [dict(url=f"/api/v1/terms?committee_id={B}", ok=denied),
                                   dict(url=f"/api/v1/terms?committee_id={CITY}", ok=denied), dict(url="/api/v1/terms", ok=(200,))],
        ("POST", "/api/v1/terms/close"): [dict(url="/api/v1/terms/close", ok=denied, json={"committee_id": c, "date": DAY})
                                          for c in (B, CITY)],
        ("POST", "/api/v1/terms/open"): [dict(url="/api/v1/terms/open", ok=denied, data={"committee_id": B, "term": "第二届"},
                                              files=[("files", ("members.csv", "id,name,affiliation,committee_id,sector\n"
                                                                "X-3,林晓,民盟,C01K02,民盟\n".encode(), "text/csv"))])],
        ("GET", "/api/v1/export/graph"): [dict(url=f"/api/v1/export/graph?committee_id={B}", ok=denied),
                                          dict(url="/api/v1/export/graph", ok=(200,)),
                                          dict(url="/api/v1/export/graph?format=gexf", ok=(200,))],
        ("GET", "/api/v1/export/tables/{table}"): [
            dict(url=f"/api/v1/export/tables/members?committee_id={B}", ok=denied),
            *[dict(url=f"/api/v1/export/tables/{t}", ok=(200,)) for t in ("committees", "party_orgs", "studios",
                                                                          "members", "activities", "liaisons",
                                                                          "contacts", "masses_contacts")],
            dict(url="/api/v1/export/tables/members?format=xlsx", ok=(200,))],
        ("GET", "/api/v1/changes"): [dict(url="/api/v1/changes?limit=1000", ok=(200,))],
        ("GET", "/api/v1/recommend"): [dict(url=f"/api/v1/recommend?committee_id={B}", ok=denied),
                                       dict(url=f"/api/v1/recommend?as_of={DAY}&policy=pairing", ok=(200,))],
        ("POST", "/api/v1/recommend/accept"): [dict(url="/api/v1/recommend/accept", ok=denied,
                                                    json={"committee_id": B, "as_of": DAY}),
                                               dict(url="/api/v1/recommend/accept", ok=denied,
                                                    json={"committee_id": CITY, "as_of": DAY})],
        ("GET", "/api/v1/page/network"): [dict(url=f"/api/v1/page/network?committee_id={B}", ok=denied),
                                          dict(url=f"/api/v1/page/network?committee_id={CITY}", ok=denied),
                                          dict(url="/api/v1/page/network", ok=(200,))],
        ("GET", "/api/v1/audit"): [dict(url="/api/v1/audit", ok=(200,), who="a_admin")],
        ("GET", "/api/v1/due"): [dict(url=f"/api/v1/due?committee_id={B}", ok=denied),
                                 dict(url=f"/api/v1/due?as_of={DAY}&policy=fuxing", ok=(200,)),
                                 dict(url=f"/api/v1/due?as_of={DAY}&within=30", ok=(200,))],
        ("POST", "/api/v1/coverage"): [dict(url="/api/v1/coverage", ok=denied, json={"committee_id": B}),
                                       dict(url="/api/v1/coverage", ok=(200,),
                                            json={"policy_document": ONE_EACH, "by": "committee"})],
        ("POST", "/api/v1/coverage.xlsx"): [dict(url="/api/v1/coverage.xlsx", ok=denied, json={"committee_id": CITY}),
                                            dict(url="/api/v1/coverage.xlsx", ok=(200,), json={"by": "committee"})],
        ("POST", "/api/v1/recommend"): [dict(url="/api/v1/recommend", ok=denied, json={"committee_id": B}),
                                        dict(url="/api/v1/recommend", ok=(200,),
                                             json={"policy_document": ONE_EACH, "as_of": DAY})],
    }


def api_routes(app) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in app.openapi()["paths"].items() if path.startswith("/api/v1")
            for method in ops}


def body_text(response) -> str:
    if response.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return response.text


def test_every_route_keeps_a_county_to_itself(world):
    cases = isolation_cases(world)
    assert api_routes(world.client.app) == set(cases), "every /api/v1 route needs an isolation case"
    before = world.store.dump()
    for (method, _), requests in cases.items():
        for req in requests:
            who = req.get("who", "a_editor")
            headers = {**world.headers(who), **req.get("headers", {})}
            r = world.client.request(method, req["url"], headers=headers, json=req.get("json"), files=req.get("files"),
                                     data=req.get("data"))
            assert r.status_code in req["ok"], (method, req["url"], r.status_code, r.text[:300])
            text = body_text(r)
            asked = req["url"] + json.dumps(req.get("json"), ensure_ascii=False) + json.dumps(req.get("headers", {}))
            asked += "".join(f[1][1].decode() for f in req.get("files") or [])
            for echoed in sorted(set(re.findall(r"C01[A-Z0-9-]*", asked)), key=len, reverse=True):
                text = text.replace(echoed, "")  # an error may name what was asked for; that is no leak
            assert not LEAK.search(text), (method, req["url"], text[max(0, LEAK.search(text).start() - 80):][:200])
    assert world.store.dump() == before  # nothing out of scope was written


MEMBER_ROUTES = {("GET", "/api/v1/me"), ("GET", "/api/v1/policies"), ("GET", "/api/v1/due"), ("POST", "/api/v1/contacts"),
                 ("POST", "/api/v1/masses-contacts")}


def test_a_members_own_token_reads_and_writes_its_own_liaisons_contacts_only(world):
    """A member's own token (``token create --member``) in the isolation table: every route
    but the member's four refuses it, whatever it asks; it sees only the liaisons the member
    holds and records contacts only for them, kept pending until the office confirms."""
    listed = world.get("a_viewer", f"/api/v1/due?as_of={DAY}").json()["holders"]
    holder, row = next((h, i) for h in listed for i in h["items"] if i["to_kind"] == "member" and not i["via_id"])
    view = open_view(world.store, dt.date.fromisoformat(DAY), A)
    me = ("Member", holder["id"])
    reached = {t for t, _ in view.liaisons_out(me)} | {m for t, _ in view.liaisons_out(me) for m in view.occupants(t)}
    stranger = next(m[1] for m, _ in view.nodes("Member") if m != me and m not in reached)
    world.tokens["member"] = create_token(world.store, A, "member", "本人", member_id=holder["id"], confirm=True)[1]
    before = world.store.dump()
    for (method, path), requests in isolation_cases(world).items():
        if (method, path) in MEMBER_ROUTES:
            continue
        for req in requests:
            r = world.client.request(method, req["url"], headers={**world.headers("member"), **req.get("headers", {})},
                                     json=req.get("json"), files=req.get("files"), data=req.get("data"))
            assert_error(r, 403, "forbidden")
    assert world.store.dump() == before
    me_answer = world.get("member", "/api/v1/me").json()
    assert (me_answer["role"], me_answer["member_id"], me_answer["confirm"]) == ("member", holder["id"], True)
    mine = world.get("member", f"/api/v1/due?as_of={DAY}").json()
    assert [h["id"] for h in mine["holders"]] == [holder["id"]] and mine["holders"][0]["items"] == holder["items"]
    assert_error(world.get("member", f"/api/v1/due?committee_id={B}"), 403)
    # contacts: only its own liaisons', kept pending
    post = lambda frm, to: world.client.post("/api/v1/contacts", headers=world.headers("member"), json={  # noqa: E731
        "from_id": frm, "to_id": to, "date": DAY, "mode": "谈心谈话", "summary": "本人记录"})
    assert_error(post(holder["id"], stranger), 403)
    assert_error(post(stranger, row["to_id"]), 403)
    assert world.store.dump() == before
    assert post(row["to_id"], holder["id"]).status_code == 201  # either direction
    assert world.get("member", f"/api/v1/due?as_of={DAY}").json()["holders"][0]["items"] == holder["items"]  # pending
    assert_error(world.get("member", "/api/v1/contacts/pending"), 403)
    pending = world.get("a_viewer", "/api/v1/contacts/pending").json()
    assert [(i["from_id"], i["to_id"], i["date"]) for i in pending["items"]] == [(row["to_id"], holder["id"], DAY)]
    review = {"from_id": row["to_id"], "to_id": holder["id"], "date": DAY, "mode": "谈心谈话"}
    assert_error(world.client.post("/api/v1/contacts/review", headers=world.headers("a_viewer"), json=review), 403)
    assert world.client.post("/api/v1/contacts/review", headers=world.headers("a_editor"), json=review).status_code == 200
    after = next(i for i in world.get("member", f"/api/v1/due?as_of={DAY}").json()["holders"][0]["items"]
                 if i["to_id"] == row["to_id"] and i["rule"] == row["rule"])
    assert after["last_contact"] == DAY and world.get("a_viewer", "/api/v1/contacts/pending").json()["count"] == 0
    # with the masses of the member's sector: the member's own alone, kept pending, then counted under 四联
    masses = lambda frm: world.client.post("/api/v1/masses-contacts", headers=world.headers("member"), json={  # noqa: E731
        "from_id": frm, "person": "李群众", "unit": "社区居民", "date": DAY, "mode": "走访"})
    assert_error(masses(stranger), 403)
    assert masses(holder["id"]).status_code == 201
    people = lambda: [i["to_id"] for h in world.get("member", f"/api/v1/due?as_of={DAY}&policy=silian").json()["holders"]  # noqa: E731
                      for i in h["items"] if i["to_kind"] == "person"]
    assert "李群众" not in people()  # pending: counted nowhere
    pending = world.get("a_viewer", "/api/v1/contacts/pending").json()["items"]
    assert [(i["from_id"], i["person"], i["unit"], i.get("to_id")) for i in pending] == [(holder["id"], "李群众", "社区居民", None)]
    review = {"from_id": holder["id"], "person": "李群众", "date": DAY, "mode": "走访"}
    assert world.client.post("/api/v1/contacts/review", headers=world.headers("a_editor"), json=review).status_code == 200
    assert "李群众" in people() and world.get("a_viewer", "/api/v1/contacts/pending").json()["count"] == 0


def test_every_route_wants_a_token(world):
    for method, path in api_routes(world.client.app):
        url = path.replace("{", "").replace("}", "")
        r = world.client.request(method, url, headers={"Authorization": "Bearer lg_000000000000_" + "x" * 40})
        assert_error(r, 401, "unauthorized")
        assert_error(world.client.request(method, url), 401, "unauthorized")


def test_a_city_token_sees_its_counties_and_a_county_sees_only_itself(world):
    city = world.get("city_admin", "/api/v1/committees?limit=1000").json()
    county = world.get("a_viewer", "/api/v1/committees").json()
    assert {c["id"] for c in county["items"]} == {A}
    assert {CITY, A, B} <= {c["id"] for c in city["items"]}
    rolled = world.get("city_admin", f"/api/v1/coverage?by=committee&as_of={DAY}").json()
    rows = {r["key"]: r for r in rolled["rules"][1]["breakdown"]}
    assert rows[CITY]["rollup_total"] > rows[CITY]["total"] and A in rows and B in rows


# --- queries --------------------------------------------------------------------------------
def test_gaps_answer_the_cli_contract(world):
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        r = world.get("a_viewer", f"/api/v1/gaps/{rule}?as_of={DAY}&committee_id={A}")
        assert r.status_code == 200
        expected = world.store.gaps(rule, __import__("datetime").date.fromisoformat(DAY), A)
        assert r.json() == {"rule": rule, "as_of": DAY, "count": len(expected), "items": expected}
        assert expected, "the generated county has gaps"
        whole = world.get("city_admin", f"/api/v1/gaps/{rule}?as_of={DAY}").json()
        assert {i["committee_id"] for i in whole["items"]} > {A}
        mine = world.get("a_viewer", f"/api/v1/gaps/{rule}?as_of={DAY}").json()
        assert mine["items"] == [i for i in whole["items"] if i["committee_id"] == A]


def test_the_gap_fast_path_answers_as_the_application_does(world):
    """``serve`` answers gap lists before the framework; every answer, right or refused,
    must be the application's own (status and body), and a change to the store shows."""
    bare = TestClient(create_app(world.client.app.service))
    fast = world.client
    assert isinstance(fast.app, FastGaps)
    rule = "non-party-without-liaison"
    cases = [("a_viewer", f"/api/v1/gaps/{rule}?as_of={DAY}&committee_id={A}"),
             ("a_viewer", f"/api/v1/gaps/{rule}?as_of={DAY}"),
             ("city_admin", f"/api/v1/gaps/party-member-unorganised?as_of={DAY}&committee_id={B}"),
             ("a_viewer", f"/api/v1/gaps/{rule}?committee_id={B}"),  # out of scope
             ("a_viewer", f"/api/v1/gaps/{rule}?as_of=2024-13-45"),
             ("a_viewer", f"/api/v1/gaps/{rule}?as_of={DAY}&as_of=2020-01-01"),
             ("a_viewer", f"/api/v1/gaps/{rule}?as_of={'9' * 41}"),
             ("a_viewer", "/api/v1/gaps/no-such-rule"),
             (None, f"/api/v1/gaps/{rule}"),
             ("revoked", f"/api/v1/gaps/{rule}")]
    answered = fast.app.answered
    for who, url in cases:
        headers = {"Authorization": "Bearer lg_000000000000_" + "x" * 30} if who == "revoked" else \
            {"Authorization": f"Bearer {world.tokens[who]}"} if who else {}
        a, b = fast.get(url, headers=headers), bare.get(url, headers=headers)
        assert (a.status_code, a.json()) == (b.status_code, b.json()), url
        assert a.headers["content-type"] == b.headers["content-type"]
    assert fast.app.answered - answered == 3, "the three well-formed, allowed requests are the ones answered before the framework"
    before = fast.get(cases[0][1], headers={"Authorization": f"Bearer {world.tokens['a_viewer']}"}).json()
    gap = before["items"][0]["id"]
    world.store.write(Batch(nodes={"Member": {gap: {**world.store.node_props("Member", [gap])[gap], "end_date": "2000-01-01"}}}))
    after = fast.get(cases[0][1], headers={"Authorization": f"Bearer {world.tokens['a_viewer']}"}).json()
    assert after["count"] == before["count"] - 1 and gap not in {i["id"] for i in after["items"]}


def test_coverage_counts_are_the_reports_numbers_from_the_indexes(world):
    """The two full coverages by committee from the maintained indexes equal the full
    report's totals and by-committee breakdown, for a county token and for the city's."""
    day = __import__("datetime").date.fromisoformat(DAY)
    for who, root in (("a_viewer", A), ("city_admin", CITY)):
        counts = world.get(who, f"/api/v1/coverage/counts?as_of={DAY}").json()
        full = report(open_view(world.store, day, root), builtin()["two-coverages"], by="committee")
        assert counts["as_of"] == DAY and counts["committee_id"] == root
        for got, want in zip(counts["rules"], full["rules"], strict=True):
            assert {k: got[k] for k in ("id", "total", "covered", "ratio", "breakdown")} == \
                {k: want[k] for k in ("id", "total", "covered", "ratio", "breakdown")}
        assert any(r["covered"] < r["total"] for r in counts["rules"]), "the generated roster has gaps"
    assert_error(world.get("a_viewer", f"/api/v1/coverage/counts?committee_id={B}"), 403)


def test_coverage_json_and_xlsx(world):
    r = world.get("a_viewer", f"/api/v1/coverage?policy=四联&by=sector&as_of={DAY}")
    expected = report(open_view(world.store, __import__("datetime").date.fromisoformat(DAY), A), builtin()["silian"],
                      by="sector")
    expected["span"] = "tree"  # the committee and those below it, unless asked for the committee alone
    assert r.status_code == 200 and r.json() == json.loads(json.dumps(expected, ensure_ascii=False))
    x = world.get("a_viewer", f"/api/v1/coverage.xlsx?as_of={DAY}")
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    assert "概览" in load_workbook(io.BytesIO(x.content)).sheetnames
    assert_error(world.get("a_viewer", "/api/v1/coverage?policy=/etc/passwd"), 422, "unknown_rule")
    assert_error(world.get("a_viewer", "/api/v1/coverage?by=nonsense"), 422, "validation_error")


def test_reach_why_diff_network_stats_policies(world):
    am = some(world.store, "Member", A)
    reach = world.get("a_viewer", f"/api/v1/reach/{am}?hops=2&as_of={DAY}").json()
    assert reach["from"] == am and reach["as_of"] == DAY and all(i["distance"] <= 2 for i in reach["items"])
    why = world.get("a_viewer", f"/api/v1/why/{am}?as_of={DAY}").json()
    gap = sorted(gap_ids(world, "non-party-without-liaison"))[0]
    uncovered = world.get("a_viewer", f"/api/v1/why/{gap}?as_of={DAY}").json()
    assert why["id"] == am and why["as_of"] == DAY and uncovered["covered"] is False and uncovered["reasons"]
    assert_error(world.get("a_viewer", "/api/v1/why/NOPE"), 404)
    diff = world.get("a_viewer", "/api/v1/diff?from=2022-01-01&to=2026-06-30").json()
    assert diff["from"] == "2022-01-01" and isinstance(diff["items"], list)
    net = world.get("a_viewer", f"/api/v1/network?as_of={DAY}&top=3").json()
    assert len(net["brokers"]) <= 3
    stats = world.get("a_viewer", "/api/v1/stats").json()
    members = world.get("a_viewer", "/api/v1/members?limit=1").json()["total"]
    assert stats["members"] == members > 0
    assert {p["name"] for p in world.get("a_viewer", "/api/v1/policies").json()} >= {"two-coverages", "silian"}
    assert_error(world.get("a_viewer", "/api/v1/reach/x?hops=99"), 422, "validation_error")
    assert_error(world.get("a_viewer", "/api/v1/diff?from=notaday"), 422, "bad_argument")
    later = assert_error(world.get("a_viewer", "/api/v1/diff?from=2026-12-01&to=2026-01-01"), 422, "bad_argument")
    assert "2026-12-01" in later["message"] and "2026-01-01" in later["message"]


def test_lookups_filter_and_page(world):
    all_ = world.get("a_viewer", "/api/v1/members?limit=1000").json()
    cpc = world.get("a_viewer", "/api/v1/members?cpc=true&limit=1000").json()
    assert 0 < cpc["total"] < all_["total"] and all(m["cpc"] for m in cpc["items"])
    page2 = world.get("a_viewer", "/api/v1/members?limit=10&offset=10").json()
    assert page2["items"] == all_["items"][10:20]
    sector = all_["items"][0]["sector"]
    by_sector = world.get("a_viewer", f"/api/v1/members?sector={sector}").json()
    assert by_sector["total"] >= 1 and {m["sector"] for m in by_sector["items"]} == {sector}
    named = all_["items"][3]
    assert named["id"] in {m["id"] for m in world.get("a_viewer", f"/api/v1/members?q={named['name']}").json()["items"]}
    detail = world.get("a_viewer", f"/api/v1/members/{named['id']}")
    assert detail.headers["etag"].strip('"') == detail.json()["etag"]
    sectors = world.get("a_viewer", "/api/v1/sectors").json()["items"]
    assert sum(s["members"] for s in sectors) >= all_["total"]
    org = world.get("a_viewer", "/api/v1/party-orgs").json()["items"][0]
    assert world.get("a_viewer", f"/api/v1/party-orgs/{org['id']}").json()["party_org"]["id"] == org["id"]
    liaisons = world.get("a_viewer", "/api/v1/liaisons?limit=5").json()
    assert liaisons["total"] > 0 and all(i["liaison_id"] for i in liaisons["items"])
    assert world.get("a_viewer", f"/api/v1/committees/{A}").json()["id"] == A


# --- edits -----------------------------------------------------------------------------------
NEW = {"id": "C01K01-M9001", "name": "林晓", "affiliation": "民盟", "committee_id": A, "sector": "民盟",
       "special_committees": ["提案委员会"], "start_date": "2026-01-01"}


def gap_ids(world, rule, who="a_viewer"):
    return {i["id"] for i in world.get(who, f"/api/v1/gaps/{rule}?as_of={DAY}&committee_id={A}").json()["items"]}


def test_create_member_then_cover_then_end_the_liaison(world):
    r = world.client.post("/api/v1/members", json=NEW, headers=world.headers("a_editor"))
    assert r.status_code == 201 and r.json()["item"]["affiliation"] == ["cdl"]
    assert NEW["id"] in gap_ids(world, "non-party-without-liaison")
    assert_error(world.client.post("/api/v1/members", json=NEW, headers=world.headers("a_editor")), 409, "conflict")
    cpc = world.get("a_viewer", "/api/v1/members?cpc=true&limit=1").json()["items"][0]["id"]
    r = world.client.post("/api/v1/liaisons", headers=world.headers("a_editor"),
                          json={"from_id": cpc, "to": NEW["id"], "mechanism": "党员委员联系党外委员", "start_date": "2026-02-01"})
    assert r.status_code == 201, r.text
    created = r.json()["item"]
    assert NEW["id"] not in gap_ids(world, "non-party-without-liaison")
    assert_error(world.client.post("/api/v1/liaisons", headers=world.headers("a_editor"),
                                   json={"from_id": cpc, "to": NEW["id"], "mechanism": "党员委员联系党外委员",
                                         "start_date": "2026-02-01"}), 409)
    lid = created["liaison_id"]
    assert_error(world.client.post(f"/api/v1/liaisons/{lid}/end", json={"date": "2026-03-01"},
                                   headers=world.headers("a_editor")), 428, "precondition_required")
    assert_error(world.client.post(f"/api/v1/liaisons/{lid}/end", json={"date": "2026-03-01"},
                                   headers=world.headers("a_editor", **{"If-Match": "stale"})), 409, "conflict")
    r = world.client.patch(f"/api/v1/liaisons/{lid}", json={"备注": "换届后调整"},
                           headers=world.headers("a_editor", **{"If-Match": f'"{created["etag"]}"'}))
    assert r.status_code == 200 and r.json()["item"]["extra"] == {"备注": "换届后调整"}
    assert_error(world.client.patch(f"/api/v1/liaisons/{lid}", json={"end_date": "2026-01-01"},
                                    headers=world.headers("a_editor", **{"If-Match": r.json()["etag"]})), 422)
    r = world.client.post(f"/api/v1/liaisons/{lid}/end", json={"date": "2026-03-01"},
                          headers=world.headers("a_editor", **{"If-Match": f'"{r.json()["etag"]}"'}))
    assert r.status_code == 200 and r.json()["item"]["end_date"] == "2026-03-01"
    assert NEW["id"] in gap_ids(world, "non-party-without-liaison")
    actions = [a["action"] for a in world.get("a_admin", "/api/v1/audit").json()["items"]]
    assert actions[-4:] == ["member.create", "liaison.create", "liaison.update", "liaison.end"]


def test_member_edit_needs_the_current_version_and_two_editors_cannot_both_win(world):
    mid = some(world.store, "Member", A)
    tag = member_tag(world, "a_editor", mid)
    assert_error(world.client.patch(f"/api/v1/members/{mid}", json={"township": "东镇"},
                                    headers=world.headers("a_editor")), 428)
    first = world.client.patch(f"/api/v1/members/{mid}", json={"township": "东镇"},
                               headers=world.headers("a_editor", **{"If-Match": tag}))
    second = world.client.patch(f"/api/v1/members/{mid}", json={"township": "西镇"},
                                headers=world.headers("a_editor", **{"If-Match": tag}))
    assert first.status_code == 200 and first.json()["etag"] != tag
    assert_error(second, 409, "conflict")
    assert world.store.node_props("Member", [mid])[mid]["township"] == "东镇"
    record = world.get("a_admin", "/api/v1/audit").json()["items"][-1]
    assert record["action"] == "member.update" and record["actor"].startswith("token:")
    assert record["after"]["township"] == "东镇" and record["before"].get("township") != "东镇"
    bad = world.client.patch(f"/api/v1/members/{mid}", json={"affiliation": "火星党"},
                             headers=world.headers("a_editor", **{"If-Match": first.json()["etag"]}))
    err = assert_error(bad, 422, "bad_argument")
    assert err["field"] == "affiliation" and err["value"] == "火星党"
    end = world.client.post(f"/api/v1/members/{mid}/end", json={"date": "2026-05-01"},
                            headers=world.headers("a_editor", **{"If-Match": first.json()["etag"]}))
    assert end.status_code == 200 and end.json()["item"]["end_date"] == "2026-05-01"
    assert mid not in {m["id"] for m in world.get("a_viewer", f"/api/v1/members?as_of={DAY}&limit=1000").json()["items"]}


def test_memberships_and_contacts(world):
    gaps = gap_ids(world, "party-member-unorganised")
    mid = sorted(gaps)[0]
    org = world.get("a_viewer", f"/api/v1/party-orgs?as_of={DAY}").json()["items"][0]["id"]
    r = world.client.post("/api/v1/memberships", json={"member_id": mid, "party_org_id": org, "start_date": "2026-01-01"},
                          headers=world.headers("a_editor"))
    assert r.status_code == 201, r.text
    assert mid not in gap_ids(world, "party-member-unorganised")
    # a later edit of the member keeps the membership's dates
    tag = member_tag(world, "a_editor", mid)
    world.client.patch(f"/api/v1/members/{mid}", json={"township": "东镇"},
                       headers=world.headers("a_editor", **{"If-Match": tag}))
    orgs = world.get("a_viewer", f"/api/v1/members/{mid}").json()["party_orgs"]
    assert {"id": org, "start_date": "2026-01-01"}.items() <= next(o for o in orgs if o["id"] == org).items()
    r = world.client.post("/api/v1/memberships/end", json={"member_id": mid, "party_org_id": org, "date": "2026-03-01"},
                          headers=world.headers("a_editor"))
    assert r.status_code == 200 and mid in gap_ids(world, "party-member-unorganised")
    other = sorted(m["id"] for m in world.get("a_viewer", "/api/v1/members?cpc=false&limit=5").json()["items"])[0]
    r = world.client.post("/api/v1/contacts", json={"from_id": mid, "to_id": other, "date": "2026-06-01", "mode": "谈心谈话",
                                                    "summary": "了解履职情况"}, headers=world.headers("a_editor"))
    assert r.status_code == 201 and r.json()["item"]["mode"] == "talk"
    contacts = world.get("a_viewer", f"/api/v1/members/{other}").json()["contacts"]
    assert contacts[0]["date"] == "2026-06-01" and contacts[0]["from_id"] == mid
    assert_error(world.client.post("/api/v1/contacts", json={"from_id": mid, "to_id": other, "date": "昨天"},
                                   headers=world.headers("a_editor")), 422)


def test_roles(world):
    assert_error(world.client.post("/api/v1/members", json=NEW, headers=world.headers("a_viewer")), 403, "forbidden")
    assert_error(world.get("a_editor", "/api/v1/audit"), 403, "forbidden")


# --- uploads ---------------------------------------------------------------------------------
def test_upload_is_all_or_nothing_with_the_row_at_fault(world):
    before = world.store.dump()
    bad = ("id,name,affiliation,committee_id,sector\n"
           f"C01K01-M9101,甲,民盟,{A},民盟\nC01K01-M9102,乙,火星党,{A},民盟\n")
    r = world.client.post("/api/v1/imports", files=[("files", ("members.csv", bad.encode(), "text/csv"))],
                          headers=world.headers("a_editor"))
    err = assert_error(r, 422, "input_error")
    assert err["details"]["row"] == 3 and err["details"]["file"] == "members.csv" and err["value"] == "火星党"
    assert world.store.dump() == before
    big = ("id,name,affiliation,committee_id,sector\n" + f"C01K01-M9,甲,民盟,{A},民盟\n" * 20000).encode()
    assert_error(world.client.post("/api/v1/imports", files=[("files", ("members.csv", big, "text/csv"))],
                                   headers=world.headers("a_editor")), 413, "too_large")
    good = bad.replace("火星党", "九三学社")
    r = world.client.post("/api/v1/imports", files=[("files", ("members.csv", good.encode(), "text/csv"))],
                          headers=world.headers("a_editor"))
    assert r.status_code == 201 and r.json()["created"]["Member"] == 2
    assert world.get("a_admin", "/api/v1/audit").json()["items"][-1]["action"] == "import"


def test_upload_file_names_are_made_safe(world):
    """A file's name is the client's: directories are dropped, a name that is no name is
    replaced and a long one is cut (keeping its extension); never a server error."""
    good = f"id,name,affiliation,committee_id,sector\nC01K01-M9201,甲,民盟,{A},民盟\n".encode()

    def upload(name, data=good):
        return world.client.post("/api/v1/imports", files=[("files", (name, data, "text/csv"))],
                                 headers=world.headers("a_editor"))

    for name in ("..", "x/..", ".", "a" * 300 + ".csv", "名" * 300 + ".csv", "a\x00b.csv"):
        err = assert_error(upload(name, b"id\n"), 422, "input_error")
        assert 0 < len(err["details"]["file"]) <= 100 and err["details"]["file"] not in ("..", ".")
    r = upload("名" * 300 + ".csv")  # a CSV whose name is no table's is known by its header
    assert r.status_code == 201 and r.json()["files"][0].endswith("名.csv") and len(r.json()["files"][0]) <= 100
    r = upload("../../members.csv", good.replace(b"9201", b"9202"))
    assert r.status_code == 201 and r.json()["files"] == ["members.csv"] and r.json()["created"]["Member"] == 1
    r = upload("C:\\名单\\members.csv", good.replace(b"9201", b"9203"))
    assert r.status_code == 201 and r.json()["files"] == ["members.csv"]


# --- what reaches the application: the token and the size before the body, text after it -----
LIMIT = 1024 * 1024  # the JSON body limit by default
CHUNK = 64 * 1024


def call(app, path: str, headers: dict, chunks: list[bytes], method: str = "POST") -> tuple[int, dict, int]:
    """One request straight to the ASGI application, its body fed chunk by chunk as a server
    would: the status, the JSON answer and how many body bytes the application pulled."""
    import asyncio

    pulled, sent = [], []

    async def receive():
        if len(pulled) < len(chunks):
            pulled.append(chunks[len(pulled)])
            return {"type": "http.request", "body": pulled[-1], "more_body": len(pulled) < len(chunks)}
        await asyncio.Event().wait()  # the client is still there; it never disconnects

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    answer = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(answer), sum(len(c) for c in pulled)


def shaped(status: int, answer: dict, code: str) -> dict:
    err = answer["error"]
    assert set(err) == ERROR_KEYS and err["status"] == status and err["code"] == code and err["message"]
    return err


def stream(size: int) -> list[bytes]:
    """A JSON body of about ``size`` bytes, in chunks."""
    notes = {f"备注{i}": "x" * 30_000 for i in range(size // 30_000 + 1)}  # a cell holds 32,767 characters
    text = json.dumps({**NEW, **notes}).encode()
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]


def test_a_body_without_a_token_is_refused_before_it_is_read(world):
    app = world.client.app
    body = stream(3 * LIMIT)
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz"}
    for path, headers in (("/api/v1/members", {"Content-Length": "300000000", "Content-Type": "application/json"}),
                          ("/api/v1/members", {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}),
                          ("/api/v1/members", {"Content-Length": "300000000", "Authorization": "Bearer lg_nonsense"}),
                          ("/api/v1/imports", {"Content-Length": "300000000", **multipart}),
                          ("/api/v1/imports", {"Transfer-Encoding": "chunked", **multipart}),
                          ("/api/v1/no-such-route", {"Transfer-Encoding": "chunked"})):
        status, answer, pulled = call(app, path, headers, body)
        shaped(status, answer, "unauthorized")
        assert status == 401 and pulled == 0, (path, headers, status, pulled)
    revoked = create_token(world.store, A, "editor", "revoked")
    world.store.revoke_token(revoked[0].id, "2026-01-01T00:00:00Z")
    status, answer, pulled = call(app, "/api/v1/members", {"Authorization": f"Bearer {revoked[1]}",
                                                           "Content-Type": "application/json"}, body)
    assert (status, pulled) == (401, 0) and "吊销" in shaped(status, answer, "unauthorized")["message"]


def test_a_body_over_the_limit_is_refused_with_413_as_it_streams(world):
    app, editor = world.client.app, world.headers("a_editor")
    before = world.store.dump()
    status, answer, pulled = call(app, "/api/v1/members", {**editor, "Content-Length": "300000000"}, stream(3 * LIMIT))
    assert (status, pulled) == (413, 0)  # refused on its declared length, unread
    shaped(status, answer, "too_large")
    status, answer, pulled = call(app, "/api/v1/members", {**editor, "Transfer-Encoding": "chunked"}, stream(3 * LIMIT))
    assert status == 413 and LIMIT < pulled <= LIMIT + CHUNK  # counted as it came, cut off at the limit
    shaped(status, answer, "too_large")
    part = (b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="members.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n")
    status, answer, pulled = call(app, "/api/v1/imports", {**editor, "Transfer-Encoding": "chunked",
                                                           "Content-Type": "multipart/form-data; boundary=xyz"},
                                  [part] + [b"x" * CHUNK] * 200)  # 13 MB; the world takes 200 KB
    assert status == 413 and pulled <= 200_000 + 64 * 1024 + CHUNK
    shaped(status, answer, "too_large")
    assert world.store.dump() == before
    # a JSON body over the limit the ordinary way (TestClient, with its length)
    r = world.client.post("/api/v1/members", json={**NEW, "备注": "x" * (2 * LIMIT)}, headers=editor)
    assert_error(r, 413, "too_large")
    # a body under the limit, streamed, is read whole and written
    status, answer, _ = call(app, "/api/v1/members", {**editor, "Transfer-Encoding": "chunked",
                                                      "Content-Type": "application/json"}, stream(LIMIT // 2))
    assert status == 201 and answer["item"]["id"] == NEW["id"], answer


def test_json_limit_is_the_services(world):
    from liaison_graph.api.app import create_app

    small = TestClient(create_app(Service(world.store, max_json_bytes=1000)))
    assert_error(small.post("/api/v1/members", json={**NEW, "备注": "x" * 2000}, headers=world.headers("a_editor")),
                 413, "too_large")
    r = small.post("/api/v1/members", json=NEW, headers=world.headers("a_editor"))
    assert r.status_code == 201


def test_lone_surrogates_in_a_json_body_are_refused_naming_the_field(world):
    before = world.store.dump()
    editor = {**world.headers("a_editor"), "Content-Type": "application/json"}
    mid = some(world.store, "Member", A)
    row = json.dumps(NEW, ensure_ascii=False)[:-1]
    contact = f'{{"from_id": "{mid}", "to_id": "{mid}", "date": "2026-06-01", "summary": "\\udfff"}}'
    cases = [("/api/v1/members", row.replace("林晓", "林\\ud800晓") + "}", "name"),
             ("/api/v1/members", row + ', "备注": "\\udc00"}', "备注"),
             ("/api/v1/members", row + ', "special_committees": ["提案委员会", "\\ud83d"]}', "special_committees.1"),
             ("/api/v1/members", row + ', "\\ud800": "x"}', "\\ud800"),
             ("/api/v1/liaisons", f'{{"from_id": "{mid}", "to": "\\ud800", "mechanism": "党员委员联系党外委员"}}', "to"),
             ("/api/v1/contacts", contact, "summary")]
    for path, text, field in cases:
        err = assert_error(world.client.post(path, content=text.encode(), headers=editor), 422, "validation_error")
        assert err["field"] == field, (path, text, err)
    tag = member_tag(world, "a_editor", mid)
    r = world.client.patch(f"/api/v1/members/{mid}", content=b'{"township": "\\ud800"}',
                           headers={**editor, "If-Match": tag})
    assert assert_error(r, 422, "validation_error")["field"] == "township"
    assert world.store.dump() == before
    # a surrogate pair is one character, and welcome; an escaped backslash is no escape
    r = world.client.post("/api/v1/members", content=(row + ', "备注": "\\ud83d\\ude00 \\\\ud800"}').encode(),
                          headers=editor)
    assert r.status_code == 201 and r.json()["item"]["备注"] == "\U0001F600 \\ud800"


# --- feeds -----------------------------------------------------------------------------------
def test_graph_feeds(world):
    nl = world.get("a_viewer", "/api/v1/export/graph").json()
    G = nx.node_link_graph(nl, edges="links")
    members = world.get("a_viewer", "/api/v1/members?limit=1000").json()["total"]
    assert sum(1 for _, d in G.nodes(data=True) if d["type"] == "member") == members
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        r = world.get("a_viewer", f"/api/v1/export/graph?format={fmt}")
        H = reader(io.BytesIO(r.content))
        assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()


def test_table_feeds_load_back_into_a_fresh_store(world, tmp_path):
    paths = []
    for table in ("committees", "party_orgs", "studios", "members", "liaisons", "contacts"):
        r = world.get("a_viewer", f"/api/v1/export/tables/{table}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        path = tmp_path / f"{table}.csv"
        path.write_bytes(r.content)
        paths.append(path)
    # the county's committee row names its city as parent; load it as a root here
    rows = list(csv.reader(io.StringIO(paths[0].read_text(encoding="utf-8-sig"))))
    parent = rows[0].index("上级编号")
    for row in rows[1:]:
        row[parent] = ""
    with paths[0].open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with EmbeddedStore(tmp_path / "copy.db") as copy:
        load_files(paths, copy)
        for rule in ("non-party-without-liaison", "party-member-unorganised"):
            day = __import__("datetime").date.fromisoformat(DAY)
            assert copy.gaps(rule, day, A) == world.store.gaps(rule, day, A)


def test_exports_neutralise_formulas(world):
    mid = some(world.store, "Member", A)
    tag = member_tag(world, "a_editor", mid)
    r = world.client.patch(f"/api/v1/members/{mid}", json={"township": "=HYPERLINK(\"http://x\")"},
                           headers=world.headers("a_editor", **{"If-Match": tag}))
    assert r.status_code == 200
    text = world.get("a_viewer", "/api/v1/export/tables/members").text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    x = world.get("a_viewer", "/api/v1/export/tables/members?format=xlsx")
    cells = [c for row in load_workbook(io.BytesIO(x.content)).active.iter_rows() for c in row]
    assert any(c.value == "=HYPERLINK(\"http://x\")" and c.data_type == "s" for c in cells)  # a text cell, no quote


def test_change_feed_follows_writes_in_scope(world):
    start = world.get("a_viewer", "/api/v1/changes?limit=1000").json()
    assert start["items"] and all(e["committee_id"] == A for e in start["items"])
    cursor = start["next"]
    world.client.post("/api/v1/members", json=NEW, headers=world.headers("a_editor"))
    after = world.get("a_viewer", f"/api/v1/changes?since={cursor}").json()
    changed = [c for e in after["items"] for c in e["changes"]]
    assert {"kind": "Member", "id": NEW["id"]} in changed and all(c.get("id", "").startswith(A) for c in changed)
    assert world.get("a_viewer", f"/api/v1/changes?since={after['next']}").json()["items"] == []
    assert world.get("b_viewer", f"/api/v1/changes?since={cursor}").json()["items"] == []


def test_audit_survives_a_restart(world):
    world.client.post("/api/v1/members", json=NEW, headers=world.headers("a_editor"))
    seen = world.get("a_admin", "/api/v1/audit").json()["items"]
    world.client.close()
    world.store.close()
    store = EmbeddedStore(world.path)
    from fastapi.testclient import TestClient

    world.store, world.client = store, TestClient(create_app(Service(store)))
    assert world.get("a_admin", "/api/v1/audit").json()["items"] == seen
    assert seen[-1]["action"] == "member.create" and seen[-1]["after"]["id"] == NEW["id"]


# --- tokens ----------------------------------------------------------------------------------
def test_revoked_and_expired_tokens_are_refused(world):
    token_id = world.tokens["a_viewer"].split("_")[1]
    assert world.get("a_viewer", "/api/v1/me").status_code == 200
    world.store.revoke_token(token_id, "2026-01-01T00:00:00Z")
    assert_error(world.get("a_viewer", "/api/v1/me"), 401)
    from liaison_graph.api.auth import create_token

    record, token = create_token(world.store, A, "viewer", expires_days=1)
    r = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["expires_at"] == record.expires_at
    stored = [t for t in world.store.tokens() if t.id == record.id][0]
    assert token.split("_", 2)[2] not in json.dumps(stored.__dict__)  # only the hash is kept


# --- the one error shape, health, schema ---------------------------------------------------------
def test_one_error_shape_for_every_failure(world, monkeypatch):
    assert_error(world.client.get("/api/v1/members"), 401, "unauthorized")
    assert world.client.get("/api/v1/members").headers["www-authenticate"] == "Bearer"
    assert_error(world.get("a_viewer", "/api/v1/nowhere"), 404, "not_found")
    assert_error(world.get("a_viewer", f"/api/v1/members?committee_id={B}"), 403, "forbidden")
    assert_error(world.get("a_viewer", "/api/v1/members?limit=0"), 422, "validation_error")
    assert_error(world.client.delete("/api/v1/members", headers=world.headers("a_viewer")), 405)
    err = assert_error(world.client.post("/api/v1/members", json={"id": "x"}, headers=world.headers("a_editor")), 422)
    assert err["field"] == "name" and err["details"]["problems"]

    def broken(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(world.store, "node_props", broken)
    r = world.get("a_viewer", f"/api/v1/members/{some(world.store.__class__(world.path), 'Member', A)}")
    assert_error(r, 500, "server_error")
    assert "secret internals" not in r.text


def test_health_and_readiness(world):
    assert world.client.get("/healthz").json() == {"status": "ok"}
    assert world.client.get("/readyz").json() == {"status": "ok"}


def test_openapi_is_complete_enough_for_a_client_generator(world):
    spec = world.client.get("/openapi.json").json()
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert op.get("operationId"), (method, path)
            if path.startswith("/api/v1"):
                assert {"401", "403", "422", "500"} <= set(op["responses"]), (method, path)
                assert op.get("security"), (method, path)
    assert spec["components"]["schemas"]["ErrorOut"]


# --- one verb, two edges: the command line and the API answer every question alike -----------
def cli_answer(capsys, world, *args):
    """A command's JSON on the world's store (the command line speaks for the whole store)."""
    from liaison_graph.api.cli import main

    code = main(["--db", str(world.path), *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, (args, err)
    return json.loads(out)


def cli_refusal(capsys, world, *args) -> str:
    from liaison_graph.api.cli import main

    code = main(["--db", str(world.path), *args])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("错误："), (args, out, err)
    return err[len("错误："):].strip()


def test_the_cli_and_the_api_answer_each_verb_alike(world, capsys):
    """Each question asked of the same committee through both edges gets the same answer;
    the command line's whole store is a token's of the top committee (stats included)."""
    gap = sorted(gap_ids(world, "non-party-without-liaison"))[0]
    org = some(world.store, "PartyOrg", A)
    pairs = [
        (["stats"], "city_admin", "/api/v1/stats"),
        (["stats", "--committee", A], "a_viewer", "/api/v1/stats"),
        (["stats", "--committee", B], "city_admin", f"/api/v1/stats?committee_id={B}"),
        (["gaps", "--rule", "non-party-without-liaison", "--as-of", DAY, "--committee", A], "a_viewer",
         f"/api/v1/gaps/non-party-without-liaison?as_of={DAY}&committee_id={A}"),
        (["gaps", "--rule", "party-member-unorganised", "--as-of", DAY], "city_admin",
         f"/api/v1/gaps/party-member-unorganised?as_of={DAY}"),
        (["coverage", "--policy", "四联", "--by", "sector", "--as-of", DAY, "--committee", A], "a_viewer",
         f"/api/v1/coverage?policy=四联&by=sector&as_of={DAY}"),
        (["coverage", "--by", "committee", "--as-of", DAY, "--committee", CITY], "city_admin",
         f"/api/v1/coverage?by=committee&as_of={DAY}"),
        (["coverage", "--counts", "--as-of", DAY, "--committee", CITY], "city_admin", f"/api/v1/coverage/counts?as_of={DAY}"),
        (["reach", org, "--hops", "3", "--as-of", DAY], "city_admin", f"/api/v1/reach/{org}?hops=3&as_of={DAY}"),
        (["why", gap, "--as-of", DAY], "city_admin", f"/api/v1/why/{gap}?as_of={DAY}"),
        (["diff", "--from", "2022-01-01", "--to", DAY, "--committee", A], "a_viewer",
         f"/api/v1/diff?from=2022-01-01&to={DAY}"),
        (["network", "--as-of", DAY, "--top", "3", "--committee", A], "a_viewer", f"/api/v1/network?as_of={DAY}&top=3"),
        (["recommend", "--policy", "pairing", "--as-of", DAY, "--committee", A], "a_viewer",
         f"/api/v1/recommend?policy=pairing&as_of={DAY}"),
        (["policies"], "a_viewer", "/api/v1/policies"),
        (["attendance", "--committee", A, "--as-of", DAY], "a_viewer", f"/api/v1/attendance?as_of={DAY}"),
        (["digest", "--committee", A, "--as-of", DAY, "--since", "2026-01-01", "--policy", "fuxing"], "a_viewer",
         f"/api/v1/digest?as_of={DAY}&since=2026-01-01&policy=fuxing"),
        (["due", "--policy", "hangzhou", "--as-of", DAY, "--committee", A, "--within", "60"], "a_viewer",
         f"/api/v1/due?policy=hangzhou&as_of={DAY}&within=60"),
        (["members", "--q", "王", "--committee", A], "a_viewer", "/api/v1/members?q=王"),
        (["persons", "list", "--committee", A, "--as-of", DAY], "a_viewer", f"/api/v1/persons?as_of={DAY}"),
        (["persons", "match", "--committee", CITY, "--as-of", DAY], "city_admin", f"/api/v1/persons/matches?as_of={DAY}"),
        (["term", "list", "--committee", A], "a_viewer", "/api/v1/terms"),
        (["dossier", gap, "--term", "--policy", "silian", "--as-of", DAY, "--format", "json"], "city_admin",
         f"/api/v1/members/{gap}/dossier?term=true&policy=silian&as_of={DAY}"),
    ]
    for args, who, url in pairs:
        api = world.get(who, url)
        assert api.status_code == 200, (url, api.text[:300])
        assert cli_answer(capsys, world, *args) == api.json(), args
        assert args[0] != "due" or api.json()["holders"], "the due list is not empty"
        assert args[0] != "digest" or api.json()["items"], "the digest is not empty"
        assert args[0] != "attendance" or api.json()["activities"], "the county had activities this year"
        assert args[0] != "dossier" or api.json()["liaisons_received"] or api.json()["gaps"], "a gap's file says so"
    whole = cli_answer(capsys, world, "stats")
    assert whole == world.store.stats() and whole["members"] > cli_answer(capsys, world, "stats", "--committee", A)["members"]
    # and the refusals alike
    said = cli_refusal(capsys, world, "why", "NOPE")  # the command line adds where to look the member up
    assert said == world.get("city_admin", "/api/v1/why/NOPE").json()["error"]["message"] + "；可用 liaison members --q 姓名 查找委员的编号"
    assert cli_refusal(capsys, world, "coverage", "--policy", "五联") .startswith(
        world.get("a_viewer", "/api/v1/coverage?policy=五联").json()["error"]["message"])


def test_a_term_closed_and_opened_through_the_api(world):
    """换届 by an admin of the county: a dry run writes nothing, an editor may not, the close is
    listed with its coverage, and the new term's roster says who stayed, came and left."""
    before = world.store.dump()
    body = {"committee_id": A, "date": DAY, "dry_run": True}
    assert_error(world.client.post("/api/v1/terms/close", headers=world.headers("a_editor"), json=body), 403)
    dry = world.client.post("/api/v1/terms/close", headers=world.headers("a_admin"), json=body)
    assert dry.status_code == 200 and dry.json()["ended"]["Member"] > 0 and world.store.dump() == before
    done = world.client.post("/api/v1/terms/close", headers=world.headers("a_admin"), json={**body, "dry_run": False}).json()
    assert done["ended"] == dry.json()["ended"] and done["cursor"]
    assert [(c["committee_id"], c["date"]) for c in world.get("a_viewer", "/api/v1/terms").json()] == [(A, DAY)]
    member = world.store.node_props("Member", [some(world.store, "Member", A)])
    (old, props), = member.items()
    roster = ("id,name,person_id,gender,affiliation,committee_id,sector,start_date\n"
              f"{old}-2,{props['name']},{old},{props.get('gender') or ''},民盟,{A},{props['sector']},2026-07-01\n"
              f"{A}-NEW,林新,,男,民建,{A},民建,2026-07-01\n")
    opened = world.client.post("/api/v1/terms/open", headers=world.headers("a_admin"), data={"committee_id": A, "term": "第二届"},
                               files=[("files", ("members.csv", roster.encode(), "text/csv"))])
    assert opened.status_code == 200, opened.text
    moved = opened.json()
    assert ([r["id"] for r in moved["stayed"]], [r["id"] for r in moved["came"]]) == ([f"{old}-2"], [f"{A}-NEW"])
    assert len(moved["left"]) == done["ended"]["Member"] - 1
    assert world.get("a_viewer", f"/api/v1/committees/{A}").json()["term"] == "第二届"


def test_the_members_file_as_a_page_and_a_committees_as_a_workbook(world):
    """A member's file prints on one sheet named for the member; a committee's workbook has
    a sheet for each of its current members, and none for those of the counties below."""
    current = world.get("a_viewer", f"/api/v1/members?committee_id={A}&limit=1000&as_of={DAY}").json()
    first = current["items"][0]
    r = world.get("a_viewer", f"/api/v1/members/{first['id']}/dossier.xlsx?as_of={DAY}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(r.content))
    title = book.worksheets[0]["A1"].value
    assert book.sheetnames == [first["name"]] and first["name"] in title and "履职档案" in title
    r = world.get("city_admin", f"/api/v1/committees/{A}/dossiers.xlsx?as_of={DAY}&year=2026")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) == current["total"]
    assert world.get("a_viewer", f"/api/v1/members/{first['id']}/dossier?year=2026&term=true").json()["error"]["field"] == "year"


def test_a_policy_document_is_taken_by_the_cli_and_the_api_alike(world, capsys, tmp_path):
    """A policy of the caller's own: a --policy file on the command line, the same text as a
    request's policy_document; the same answers, the same faults refused, the same limit."""
    from liaison_graph.api.verbs.policies import POLICY_DOCUMENT_MAX

    path = tmp_path / "one-each.yaml"
    path.write_text(ONE_EACH, encoding="utf-8")
    viewer = world.headers("a_viewer")
    for verb, extra in (("coverage", ["--by", "sector"]), ("recommend", [])):
        cli = cli_answer(capsys, world, verb, "--policy", str(path), "--as-of", DAY, "--committee", A, *extra)
        body = {"policy_document": ONE_EACH, "as_of": DAY, **({"by": "sector"} if extra else {})}
        api = world.client.post(f"/api/v1/{verb}", json=body, headers=viewer)
        assert api.status_code == 200 and api.json() == cli, (verb, api.text[:300])
        assert cli["policy"] == "one-each"
    # a built-in asked by POST is the GET's answer
    posted = world.client.post("/api/v1/coverage", json={"policy": "silian", "as_of": DAY}, headers=viewer).json()
    assert posted == world.get("a_viewer", f"/api/v1/coverage?policy=silian&as_of={DAY}").json()
    workbook = world.client.post("/api/v1/coverage.xlsx", json={"policy_document": ONE_EACH, "as_of": DAY}, headers=viewer)
    assert workbook.status_code == 200 and "概览" in load_workbook(io.BytesIO(workbook.content)).sheetnames
    # a fault: the same line at fault and the same problem; the file's name or the field's
    bad = ONE_EACH.replace("cpc: true", "cpc: maybe")
    path.write_text(bad, encoding="utf-8")
    said = cli_refusal(capsys, world, "coverage", "--policy", str(path), "--committee", A)
    err = assert_error(world.client.post("/api/v1/coverage", json={"policy_document": bad}, headers=viewer), 422,
                       "input_error")
    assert said.startswith("one-each.yaml 第8行：") and err["message"].startswith("policy_document 第8行：")
    assert said.split("：", 1)[1] == err["message"].split("：", 1)[1]
    # too large for either
    path.write_text(ONE_EACH + "#" * POLICY_DOCUMENT_MAX, encoding="utf-8")
    assert "政策文件过大" in cli_refusal(capsys, world, "coverage", "--policy", str(path))
    err = assert_error(world.client.post("/api/v1/coverage", json={"policy_document": ONE_EACH + "#" * POLICY_DOCUMENT_MAX},
                                         headers=viewer), 422, "validation_error")
    assert err["field"] == "policy_document"
    # a name and a document at once
    err = assert_error(world.client.post("/api/v1/recommend/accept", json={"policy": "pairing", "policy_document": ONE_EACH},
                                         headers=world.headers("a_editor")), 422, "bad_argument")
    assert err["field"] == "policy"


def test_a_scope_keeps_tokens_and_backups_to_itself(world, tmp_path):
    """The token verbs and backups for a county's scope: its own tokens only, none of
    another committee's to make or revoke, no backup of the whole store; a token change and
    its audit record by the scope's actor."""
    from liaison_graph.api.verbs import backups, tokens
    from liaison_graph.api.verbs.scope import WHOLE, Scope
    from liaison_graph.graph.errors import Forbidden, NotFound

    county = Scope(A, frozenset({A}), "token:test")
    every = tokens.tokens(world.store, WHOLE)
    assert {t["committee_id"] for t in every} == {CITY, A, B}
    assert tokens.tokens(world.store, county) == [t for t in every if t["committee_id"] == A]
    city = next(t for t in every if t["committee_id"] == CITY)
    with pytest.raises(NotFound):
        tokens.revoke(world.store, county, city["id"])
    with pytest.raises(Forbidden):
        tokens.create(world.store, county, B, "viewer")
    with pytest.raises(Forbidden):
        backups.backup(world.store, county, tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
    issued = tokens.create(world.store, county, A, "viewer", "县")
    record = world.store.audit(0, 100_000)[-1]
    assert (record["actor"], record["action"], record["target"]) == ("token:test", "token.create", issued.record.id)
    tokens.revoke(world.store, county, issued.record.id)
    assert world.store.audit(0, 100_000)[-1]["action"] == "token.revoke"
    assert all(t.revoked_at is None for t in world.store.tokens() if t.id == city["id"])


def test_committees_and_members_are_taken_by_name_within_the_tokens_scope(world):
    """`committee_id` and the member paths take a name as the command line does, through the
    same functions: ids first (in any case), a name only within the token's scope; a name
    several answer to is refused listing them."""
    committees = world.store.committees()
    a_name, b_name = committees[A]["name"], committees[B]["name"]
    _, members = world.store.list_nodes("Member", set(committees), None, 100_000, 0)
    names = {c: [m["name"] for m in members if m["committee_id"] == c] for c in (A, B)}
    twice = next(n for n in names[A] if names[A].count(n) == 1 and names[B].count(n) == 1)  # one in A, one in B
    in_a = next(m["id"] for m in members if m["committee_id"] == A and m["name"] == twice)
    in_b = next(m["id"] for m in members if m["committee_id"] == B and m["name"] == twice)

    def body(who, url, **params):
        r = world.client.get(url, params=params, headers=world.headers(who))
        assert r.status_code == 200, (url, params, r.text)
        return r.json()

    gaps = f"/api/v1/gaps/non-party-without-liaison?as_of={DAY}"
    by_id = body("city_admin", gaps, committee_id=A)
    assert by_id["count"] > 0
    for typed in (A.lower(), a_name, a_name.removesuffix("政协"), f" {a_name} "):
        assert body("city_admin", gaps, committee_id=typed) == by_id, typed  # also through the fast path
        assert body("a_viewer", "/api/v1/stats", committee_id=typed) == body("a_viewer", "/api/v1/stats", committee_id=A)
    assert body("a_viewer", "/api/v1/members", committee_id=a_name, q=twice)["items"][0]["id"] == in_a
    assert body("a_viewer", f"/api/v1/why/{twice}", as_of=DAY) == body("a_viewer", f"/api/v1/why/{in_a}", as_of=DAY)
    assert body("b_viewer", f"/api/v1/why/{twice}", as_of=DAY)["id"] == in_b  # each county sees its own
    assert body("a_viewer", f"/api/v1/reach/{twice}")["from"] == in_a
    assert body("a_viewer", f"/api/v1/members/{twice}")["member"]["id"] == in_a
    assert body("a_viewer", f"/api/v1/members/{in_a.lower()}")["member"]["id"] == in_a
    # outside the scope: a name is not found, an id is refused as it always was
    err = assert_error(world.get("a_viewer", f"/api/v1/stats?committee_id={b_name}"), 404, "committee_not_found")
    assert b_name in err["message"]
    assert_error(world.get("a_viewer", f"/api/v1/stats?committee_id={B}"), 403, "forbidden")
    only_b = next(n for n in names[B] if n not in names[A])
    assert_error(world.get("a_viewer", f"/api/v1/why/{only_b}"), 404, "member_not_found")
    # the city sees both: refused, naming each as 姓名（编号，政协名）
    err = assert_error(world.get("city_admin", f"/api/v1/why/{twice}"), 422, "ambiguous")
    assert f"{twice}（{in_a}，{a_name}）" in err["message"] and f"{twice}（{in_b}，{b_name}）" in err["message"]
    assert err["details"]["candidates"] == [in_a, in_b]


def test_span_own_counts_the_committee_alone_and_tree_with_those_below(world, capsys):
    """The page's 本级 / 含下级: the API's span and the command line's --span give the same
    answer, and own counts exactly the committee's own members."""
    from liaison_graph.api.cli import main

    own_members = [m for m in world.store.list_nodes("Member", {CITY}, NodeFilter(day=dt.date(2026, 6, 30)), 10_000, 0)[1]]
    answers = {}
    for span in ("own", "tree"):
        r = world.get("city_admin", f"/api/v1/coverage?committee_id={CITY}&as_of={DAY}&span={span}")
        assert r.status_code == 200, r.text
        answers[span] = r.json()
        assert answers[span]["span"] == span
        code = main(["coverage", "--committee", CITY, "--as-of", DAY, "--span", span, "--format", "json",
                     "--db", str(world.path)])
        out, _ = capsys.readouterr()
        assert code == 0 and json.loads(out)["headline"] == answers[span]["headline"]
    work = {span: a["headline"]["party_work"]["total"] for span, a in answers.items()}
    assert work["own"] == sum(1 for m in own_members if not m.get("cpc")) < work["tree"]
    assert {q["committee_id"] for q in answers["own"]["quiet_liaisons"]} <= {CITY}
    page = world.get("city_admin", f"/api/v1/page/network?committee_id={CITY}&as_of={DAY}&span=tree").json()
    assert page["committees"] > 1 and len(page["nodes"]) > len(own_members)
    name = world.store.committees()[CITY]["name"]
    for span, says in (("own", f"{name}本级"), ("tree", f"{name}及其下级政协")):
        x = world.get("city_admin", f"/api/v1/coverage.xlsx?committee_id={CITY}&as_of={DAY}&span={span}")
        titles = [ws["A1"].value for ws in load_workbook(io.BytesIO(x.content)).worksheets]
        assert all(says in t for t in titles), titles  # the printed report says which
    bad = world.get("city_admin", f"/api/v1/coverage?committee_id={CITY}&span=both")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "span"
