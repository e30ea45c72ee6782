"""What a request is checked against, kept in memory: each committee's scope is worked out
once per committee table (graph/view.py: ``subtree``) and must be the scope worked out
afresh, for every committee of a generated city, and again after every change of the table
(a committee added under a county, one re-parented, a write that changes no committee),
written through the service's connection or another; a token revoked or issued by another
connection is seen by the service at once."""

from __future__ import annotations

import json

from liaison_graph.api.auth import authenticate, create_token, revoke_token
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.view import _subtree, scope_of, subtree
from liaison_graph.loaders import load_files

from tests.api_fixtures import CITY, A, B

NEW = f"{A}X01"  # a committee added under county A
RULE = "non-party-without-liaison"


def naive(committees: dict[str, dict]) -> dict[str, frozenset[str]]:
    """Each committee's scope, from its ancestors: those committees whose chain of parents
    passes through it."""
    def chain(cid: str) -> list[str]:
        seen = [cid]
        while committees.get(seen[-1], {}).get("parent_id") and len(seen) <= len(committees):
            seen.append(committees[seen[-1]]["parent_id"])
        return seen

    chains = {cid: chain(cid) for cid in committees}
    return {root: frozenset(cid for cid, up in chains.items() if root in up) for root in committees}


def assert_scopes(store, tokens: dict[str, str] | None = None) -> dict[str, frozenset[str]]:
    """Every committee's kept scope is the one worked out afresh, and a token's caller
    carries its committee's."""
    committees = store.committees()
    expected = naive(committees)
    for cid, scope in expected.items():
        kept = subtree(committees, cid)
        assert isinstance(kept, frozenset) and kept == _subtree(committees, cid) == scope, cid
        assert subtree(committees, cid) is kept  # kept, not worked out again, while the table stands
        assert scope_of(store, cid)[0] == scope
    for cid, header in (tokens or {}).items():
        assert authenticate(store, f"Bearer {header}").scope == expected[cid], cid
    return expected


def committee_rows(tmp_path, name: str, rows: list[dict]):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"committees": rows}, ensure_ascii=False), encoding="utf-8")
    return [path]


def row(store, cid: str, parent: str) -> dict:
    """A committee's roster row as it is, under another parent."""
    props = store.committees()[cid]
    return {"id": cid, "name": props["name"], "level": props["level"], "parent_id": parent}


def test_every_kept_scope_is_the_fresh_one_and_follows_each_change_of_the_table(world, tmp_path):
    store = world.store
    tokens = {cid: create_token(store, cid, "viewer", f"scope-{cid}")[1] for cid in sorted(store.committees())}
    before = assert_scopes(store, tokens)
    assert len(before) >= 9 and before[CITY] >= {CITY, A, B} and before[A] == {A}

    # a committee added under a county: its county's scope and the city's take it in
    load_files(committee_rows(tmp_path, "added", [{"id": NEW, "name": "新设政协", "level": "county", "parent_id": A}]),
               store)
    after = assert_scopes(store, tokens)
    assert after[A] == {A, NEW} and NEW in after[CITY] and after[B] == before[B]
    assert world.get("a_viewer", "/api/v1/me").json()["scope"] == sorted({A, NEW})

    # the same committee re-parented (asked for, as --allow-move does) from county A to county B
    load_files(committee_rows(tmp_path, "moved", [row(store, NEW, B)]), store, moves=True)
    moved = assert_scopes(store, tokens)
    assert moved[A] == {A} and moved[B] == before[B] | {NEW} and moved[CITY] == after[CITY]
    assert world.get("a_viewer", "/api/v1/me").json()["scope"] == [A]
    assert world.get("b_viewer", "/api/v1/me").json()["scope"] == sorted(moved[B])

    # a county re-parented under its neighbour: the neighbour's scope takes the county's whole tree
    load_files(committee_rows(tmp_path, "county", [row(store, B, A)]), store, moves=True)
    nested = assert_scopes(store, tokens)
    assert nested[A] == {A} | moved[B] and nested[CITY] == moved[CITY]

    # a write that changes no committee: a new table, the same tree
    member = store.db.execute("SELECT id FROM nodes WHERE kind = 'Member' AND committee_id = ? LIMIT 1", (A,)).fetchone()[0]
    props = store.node_props("Member", [member])[member]
    store.write(Batch(nodes={"Member": {member: {**props, "township": "东镇"}}}))
    assert assert_scopes(store, tokens) == nested


def test_another_connections_change_of_the_committees_is_seen_at_once(world, tmp_path):
    store = world.store
    assert world.get("a_viewer", "/api/v1/me").json()["scope"] == [A]
    with EmbeddedStore(world.path) as other:
        load_files(committee_rows(tmp_path, "added", [{"id": NEW, "name": "新设政协", "level": "county",
                                                       "parent_id": A}]), other)
    assert world.get("a_viewer", "/api/v1/me").json()["scope"] == sorted({A, NEW})
    assert world.get("a_viewer", f"/api/v1/committees/{NEW}").status_code == 200
    assert world.get("b_viewer", f"/api/v1/committees/{NEW}").status_code == 404
    assert_scopes(store)


def test_a_token_revoked_or_issued_by_another_connection_is_seen_at_once(world):
    gaps = f"/api/v1/gaps/{RULE}?as_of=2026-06-30"  # answered before the framework by `serve`
    for url in ("/api/v1/me", gaps):  # the tables read and kept
        assert world.get("a_viewer", url).status_code == 200
    token_id = world.tokens["a_viewer"].split("_")[1]
    with EmbeddedStore(world.path) as other:
        revoke_token(other, token_id, actor="test")
        record, issued = create_token(other, A, "viewer", "issued elsewhere")
    for url in ("/api/v1/me", gaps):
        refused = world.get("a_viewer", url)
        assert refused.status_code == 401 and "吊销" in refused.json()["error"]["message"], url
        headers = {"Authorization": f"Bearer {issued}"}
        assert world.client.get(url, headers=headers).status_code == 200, url
    # a body is refused before it is read, by the same check
    r = world.client.post("/api/v1/contacts", headers=world.headers("a_viewer"), json={})
    assert r.status_code == 401 and "吊销" in r.json()["error"]["message"]
    assert world.store.token(token_id).revoked_at and world.store.token(record.id).revoked_at is None
    assert world.store.token("000000000000") is None
