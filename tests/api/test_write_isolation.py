"""Write isolation: every write route and every upload table, aimed by a county's editor at
its own committee, its neighbour, its city and a committee of another tree, to create, upsert
an existing id, re-parent, move or end. The foreign cases are refused (403 or 404, the one
error shape) and leave the store exactly as it was; the own cases are written. The scope is
the tree as it is before the write, on every path (graph.guard)."""

from __future__ import annotations

import json
import shutil

import pytest
from liaison_graph.graph.batch import etag
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files

from tests.api_fixtures import CITY, A, B, build_city

OTHER = "Z01"  # the root of another tree
TARGETS = {"own": A, "neighbour": B, "parent": CITY, "other_tree": OTHER}
FOREIGN = ("neighbour", "parent", "other_tree")
ERROR_KEYS = {"status", "code", "message", "field", "value", "details"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The generated city, another tree beside it, and one activity per committee."""
    folder = tmp_path_factory.mktemp("isolation")
    path = build_city(folder)
    extra = {
        "committees": [{"id": OTHER, "name": "远山省政协", "level": "province"}],
        "party_orgs": [{"id": "Z01-O01", "name": "远山省政协党组", "kind": "党组", "committee_id": OTHER}],
        "members": [{"id": "Z01-M0001", "name": "远方", "affiliation": "中共党员", "committee_id": OTHER,
                     "sector": "中共", "party_org_ids": "Z01-O01"},
                    {"id": "Z01-M0002", "name": "远客", "affiliation": "民盟", "committee_id": OTHER, "sector": "民盟"}],
        "liaisons": [{"from_id": "Z01-M0001", "to": "Z01-M0002", "mechanism": "党员委员联系党外委员"}],
        "activities": [{"id": f"{c}-A01", "name": "视察", "committee_id": c, "start_date": "2026-03-01",
                        "end_date": "2026-03-03"} for c in (A, B, CITY, OTHER)],
    }
    roster = folder / "extra.json"
    roster.write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")
    with EmbeddedStore(path) as store:
        load_files([roster], store)
    return path


def snapshot(store) -> tuple:
    """Everything a write could change: the graph, the journal, the tokens."""
    return store.dump(), store.changes(0, 1_000_000), store.audit(0, 1_000_000), store.tokens()


def first(store, kind: str, committee: str, offset: int = 0) -> str:
    row = store.db.execute("SELECT id FROM nodes WHERE kind = ? AND committee_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                           (kind, committee, offset)).fetchone()
    return row[0]


def second(store, kind: str, committee: str) -> str:
    return first(store, kind, committee, 1)


def props(store, kind: str, node_id: str) -> dict:
    return store.node_props(kind, [node_id])[node_id]


def member_row(store, member_id: str, **changes) -> dict:
    """A member's roster row as stored, with some columns changed."""
    p = {k: v for k, v in props(store, "Member", member_id).items() if k != "cpc"}
    return {**p, **changes}


def a_liaison(store, committee: str) -> tuple:
    return store.db.execute(
        "SELECT e.src, e.dst_kind, e.dst, e.key, e.props FROM edges e JOIN nodes n ON n.kind = 'Member' AND n.id = e.src "
        "WHERE e.kind = 'LIAISES_WITH' AND n.committee_id = ? ORDER BY e.src, e.dst LIMIT 1", (committee,)).fetchone()


def upload(world, rows: dict, **params):
    files = [("files", ("roster.json", json.dumps(rows, ensure_ascii=False).encode(), "application/json"))]
    return world.client.post("/api/v1/imports", files=files, params=params, headers=world.headers("a_editor"))


def send(world, method: str, url: str, body: dict | None = None, tag: str | None = None):
    headers = world.headers("a_editor", **({"If-Match": f'"{tag}"'} if tag else {}))
    return world.client.request(method, url, json=body, headers=headers)


# --- the write table: (name, function(world, target committee) -> response) -------------

def up_create_committee(w, t):
    return upload(w, {"committees": [{"id": f"{t}-NEW", "name": "新设政协", "level": "county", "parent_id": t}]})


def up_change_committee(w, t):
    c = props(w.store, "Committee", t)
    return upload(w, {"committees": [{**{k: v for k, v in c.items() if k != "committee_id"}, "name": c["name"] + "（改）"}]})


def up_reparent_committee(w, t):
    c = props(w.store, "Committee", t)
    row = {k: v for k, v in c.items() if k != "committee_id"}
    return upload(w, {"committees": [{**row, "parent_id": B if t == A else A}]})


def up_detach_committee(w, t):
    c = props(w.store, "Committee", t)
    return upload(w, {"committees": [{k: v for k, v in c.items() if k not in ("committee_id", "parent_id")}]})


def up_create_member(w, t):
    return upload(w, {"members": [{"id": f"{t}-NEWM", "name": "新委员", "affiliation": "民进", "committee_id": t,
                                   "sector": "民进"}]})


def up_upsert_member(w, t):
    m = first(w.store, "Member", t)
    return upload(w, {"members": [member_row(w.store, m, name="改名")]})


def up_take_member(w, t):
    m = first(w.store, "Member", t)
    return upload(w, {"members": [member_row(w.store, m, committee_id=A, party_org_ids=[], sector="特邀")]})


def up_create_party_org(w, t):
    return upload(w, {"party_orgs": [{"id": f"{t}-NEWO", "name": "新支部", "kind": "党支部", "committee_id": t}]})


def up_take_party_org(w, t):
    o = first(w.store, "PartyOrg", t)
    row = {k: v for k, v in props(w.store, "PartyOrg", o).items() if k != "parent_id"}
    return upload(w, {"party_orgs": [{**row, "committee_id": A, "name": "我的支部"}]})


def up_create_activity(w, t):
    return upload(w, {"activities": [{"id": f"{t}-NEWA", "name": "调研", "committee_id": t, "start_date": "2026-04-01",
                                      "end_date": "2026-04-02"}]})


def up_take_activity(w, t):
    return upload(w, {"activities": [{"id": f"{t}-A01", "name": "视察", "committee_id": A, "start_date": "2026-03-01",
                                      "end_date": "2026-03-03"}]})


def up_liaison_to_sector(w, t):
    sector = props(w.store, "Sector", first(w.store, "Sector", t))["id"]
    return upload(w, {"liaisons": [{"from_id": first(w.store, "Member", A), "target_kind": "界别", "to": sector}]})


def up_member_into_org(w, t):
    m = first(w.store, "Member", A)
    return upload(w, {"members": [member_row(w.store, m, party_org_ids=[first(w.store, "PartyOrg", t)])]})


def api_create_member(w, t):
    return send(w, "POST", "/api/v1/members", {"id": f"{t}-NEWM", "name": "新委员", "affiliation": "民进",
                                                "committee_id": t, "sector": "民进"})


def api_patch_member(w, t):
    m = first(w.store, "Member", t)
    return send(w, "PATCH", f"/api/v1/members/{m}", {"name": "改名"}, etag(props(w.store, "Member", m)))


def api_move_member(w, t):
    m = first(w.store, "Member", A)
    return send(w, "PATCH", f"/api/v1/members/{m}", {"committee_id": t, "party_org_ids": None},
                etag(props(w.store, "Member", m)))


def api_end_member(w, t):
    m = first(w.store, "Member", t)
    return send(w, "POST", f"/api/v1/members/{m}/end", {"date": "2026-06-30"}, etag(props(w.store, "Member", m)))


def _liaison_url(w, t, end: bool):
    from liaison_graph.api.liaisons import liaison_id

    src, dst_kind, dst, key, p = a_liaison(w.store, t)
    return f"/api/v1/liaisons/{liaison_id(src, dst_kind, dst, key)}" + ("/end" if end else ""), etag(json.loads(p))


def api_patch_liaison(w, t):
    url, tag = _liaison_url(w, t, False)
    return send(w, "PATCH", url, {"end_date": "2026-06-30"}, tag)


def api_end_liaison(w, t):
    url, tag = _liaison_url(w, t, True)
    return send(w, "POST", url, {"date": "2026-06-30"}, tag)


def org_not_of(store, member_id: str, committee: str) -> str:
    """A party organisation of the committee the member is not in."""
    held = set(props(store, "Member", member_id).get("party_org_ids") or [])
    orgs = store.db.execute("SELECT id FROM nodes WHERE kind = 'PartyOrg' AND committee_id = ? ORDER BY id", (committee,))
    return next(o for (o,) in orgs if o not in held)


def api_membership_of(w, t):
    m = first(w.store, "Member", t)
    return send(w, "POST", "/api/v1/memberships", {"member_id": m, "party_org_id": org_not_of(w.store, m, A)})


def api_membership_in(w, t):
    m = first(w.store, "Member", A)
    return send(w, "POST", "/api/v1/memberships", {"member_id": m, "party_org_id": org_not_of(w.store, m, t)})


def api_end_membership(w, t):
    m = first(w.store, "Member", t)
    org = props(w.store, "Member", m)["party_org_ids"][0]
    return send(w, "POST", "/api/v1/memberships/end", {"member_id": m, "party_org_id": org, "date": "2026-06-30"})


def api_accept(w, t):
    return send(w, "POST", "/api/v1/recommend/accept", {"committee_id": t, "as_of": "2026-06-30"})


def between(how: str, table: str, outward: bool):
    """A liaison or a contact between the caller's member and the target's, from the caller's
    (``outward``) or to it, by upload or by the edit route."""
    def write(w, t):
        src, dst = (A, t) if outward else (t, A)
        ends = ("from_id", "to") if table == "liaisons" else ("from_id", "to_id")
        row = {ends[0]: first(w.store, "Member", src), ends[1]: second(w.store, "Member", dst),
               **({"mechanism": "试探"} if table == "liaisons" else {"date": "2026-05-01", "mode": "谈心谈话"})}
        return upload(w, {table: [row]}) if how == "upload" else send(w, "POST", f"/api/v1/{table}", row)
    return write


up_liaison_to, up_liaison_from = between("upload", "liaisons", True), between("upload", "liaisons", False)
up_contact_to, up_contact_from = between("upload", "contacts", True), between("upload", "contacts", False)
api_liaison_to, api_liaison_from = between("api", "liaisons", True), between("api", "liaisons", False)
api_contact_to, api_contact_from = between("api", "contacts", True), between("api", "contacts", False)


WRITES = {name: fn for name, fn in globals().items() if name.startswith(("up_", "api_"))}
# Own cases that are refused by design: the caller's own committee keeps its parent, and
# moving a member to the committee it is already in is no move.
OWN_REFUSED = {"up_reparent_committee": 403}
# Own cases that change nothing by design: a parent the caller cannot see, left empty, is
# kept (as the caller's own export leaves it out), so the row writes what is stored already.
OWN_UNCHANGED = {"up_detach_committee"}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_county_writes_only_inside_its_scope(world, write):
    fn = WRITES[write]
    for target in FOREIGN:
        before = snapshot(world.store)
        response = fn(world, TARGETS[target])
        assert response.status_code in (403, 404), (write, target, response.status_code, response.text)
        error = response.json()["error"]
        assert set(error) == ERROR_KEYS and error["code"] in ("forbidden", "not_found"), (write, target, error)
        assert snapshot(world.store) == before, (write, target)
    before = snapshot(world.store)
    response = fn(world, A)
    if write in OWN_REFUSED:
        assert response.status_code == OWN_REFUSED[write], response.text
        assert snapshot(world.store) == before
    elif write in OWN_UNCHANGED:
        assert response.status_code in (200, 201), (write, response.text)
        assert world.store.dump() == before[0], write  # the roster as it was (the audit records the upload)
        assert props(world.store, "Committee", A)["parent_id"] == CITY
    elif write != "api_move_member":  # moving a member to its own committee is no write to test here
        assert response.status_code in (200, 201), (write, response.text)
        assert snapshot(world.store) != before, write


def test_an_upload_cannot_make_a_cycle_or_take_the_city(world):
    """The city under its own county: refused, and the city's questions still answer."""
    city = {k: v for k, v in props(world.store, "Committee", CITY).items() if k != "committee_id"}
    before = snapshot(world.store)
    r = world.client.post("/api/v1/imports", headers=world.headers("city_admin"), files=[(
        "files", ("c.json", json.dumps({"committees": [{**city, "parent_id": A}]}).encode(), "application/json"))])
    assert r.status_code in (403, 422), r.text
    assert snapshot(world.store) == before
    for url in ("/api/v1/coverage/counts", "/api/v1/coverage?by=committee"):
        assert world.get("city_admin", url).status_code == 200


def test_the_cli_refuses_a_cycle_and_a_silent_move(world, tmp_path):
    from liaison_graph.graph.errors import LiaisonError

    store = world.store
    city = {k: v for k, v in props(store, "Committee", CITY).items() if k != "committee_id"}
    cycle = tmp_path / "cycle.json"
    cycle.write_text(json.dumps({"committees": [{**city, "parent_id": A}]}, ensure_ascii=False), encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(LiaisonError, match="循环"):
        load_files([cycle], store, moves=True)
    m = first(store, "Member", B)
    move = tmp_path / "move.json"
    move.write_text(json.dumps({"members": [member_row(store, m, committee_id=A, party_org_ids=[])]},
                               ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LiaisonError, match="已属于政协"):
        load_files([move], store)
    assert snapshot(store) == before
    load_files([move], store, moves=True)  # asked for: moved, and both committees hear of it
    assert props(store, "Member", m)["committee_id"] == A
    last = store.changes(0, 1_000_000)
    cursor = max(c["cursor"] for c in last) - 2
    heard = {c["committee_id"] for c in store.changes(cursor, 100) if {"kind": "Member", "id": m} in c["changes"]}
    assert {A, B} <= heard


def test_a_sub_committee_moves_only_when_asked(world):
    """Inside the scope a re-parenting is allowed, but only as an explicit act."""
    city_upload = lambda rows, **p: world.client.post(  # noqa: E731
        "/api/v1/imports", headers=world.headers("city_admin"), params=p,
        files=[("files", ("c.json", json.dumps(rows, ensure_ascii=False).encode(), "application/json"))])
    sub = {"id": f"{A}-SUB", "name": "河塘县某街道政协联络组", "level": "county", "parent_id": A}
    assert city_upload({"committees": [sub]}).status_code == 201
    before = snapshot(world.store)
    r = city_upload({"committees": [{**sub, "parent_id": B}]})
    error = r.json()["error"]
    assert r.status_code == 422 and error["field"] == "parent_id" and error["details"]["row"] == 1, r.text
    assert snapshot(world.store) == before
    assert city_upload({"committees": [{**sub, "parent_id": B}]}, allow_move="true").status_code == 201
    assert props(world.store, "Committee", f"{A}-SUB")["parent_id"] == B


def test_an_import_audit_record_keeps_what_it_overwrote(world):
    m = first(world.store, "Member", A)
    old = props(world.store, "Member", m)
    assert upload(world, {"members": [member_row(world.store, m, name="新名字")]}).status_code == 201
    record = world.store.audit(0, 1_000_000)[-1]
    assert record["action"] == "import" and A in record["committee_ids"]
    (before,) = [n for n in record["before"]["nodes"] if n["id"] == m]
    (after,) = [n for n in record["after"]["nodes"] if n["id"] == m]
    assert before["name"] == old["name"] and after["name"] == "新名字"
    assert before["committee_id"] == after["committee_id"] == A


def test_a_template_copy_is_the_template(template, tmp_path):
    """The fixture's own check: a copy of the store is the same store (so a snapshot compares)."""
    path = tmp_path / "copy.db"
    shutil.copy(template, path)
    with EmbeddedStore(template) as a, EmbeddedStore(path) as b:
        assert snapshot(a) == snapshot(b)


def test_a_move_reaches_the_audit_trail_and_feed_of_both_committees(world):
    """The city moves a county A member to county B (asked for): A's admin sees the audit
    record — what the member held in A, and of B only the member's id, name and committee —
    and A's change feed lists the member, as B's does."""
    from liaison_graph.api.auth import create_token

    world.tokens["b_admin"] = create_token(world.store, B, "admin", "b_admin")[1]
    m = first(world.store, "Member", A)
    row = member_row(world.store, m, committee_id=B, party_org_ids=[], sector="特邀")
    r = world.client.post("/api/v1/imports", headers=world.headers("city_admin"), params={"allow_move": "true"},
                          files=[("files", ("move.json", json.dumps({"members": [row]}).encode(), "application/json"))])
    assert r.status_code == 201, r.text
    for who, own, other in (("a_admin", A, B), ("b_admin", B, A)):
        records = [x for x in world.get(who, "/api/v1/audit").json()["items"] if x["action"] == "import"]
        record = records[-1]
        assert record["committee_ids"] == [own] and record["partial"] is True
        nodes = record["before"]["nodes"] + record["after"]["nodes"]
        mine = [n for n in nodes if n["committee_id"] == own]
        theirs = [n for n in nodes if n["committee_id"] == other]
        assert mine and theirs and all(set(n) <= {"kind", "id", "name", "committee_id"} for n in theirs), nodes
        assert any(len(n) > 3 for n in mine), mine  # its own side keeps what changed
        feed = world.get(who, "/api/v1/changes").json()["items"]
        assert any({"kind": "Member", "id": m} in entry["changes"] for entry in feed), who
