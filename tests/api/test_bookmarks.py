"""A client reads its own writes on a Bolt store, whichever connection answers next: the
answer to a write carries the writer's bookmarks (``X-Liaison-Bookmarks``), and a request
that sends them back has every transaction it opens wait for them — on another store, with
its own driver and bookmark manager, as another worker or cluster member would be.

ArcadeDB, the test server, is one server and accepts any bookmark, so seeing the write is
not proof enough: the driver's debug log (``neo4j.io``) shows the bookmarks each BEGIN sent.
On the embedded store the header is neither given nor needed, and a stray one is ignored."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.longwork import LongWork
from liaison_graph.api.service import Service
from liaison_graph.graph.bolt import BoltStore
from liaison_graph.loaders import load_files

from tests.conftest import EDGE_ROSTER, open_backend, write_json

HEADER = "X-Liaison-Bookmarks"


def bookmarks_job(store, lock) -> bytes:
    """A long question that answers what its process waits for."""
    return (store.written() or "").encode()


def begins(caplog) -> list[set[str]]:
    """The bookmarks each BEGIN sent while ``caplog`` recorded."""
    return [set(r.args[1].get("bookmarks", ())) for r in caplog.records
            if r.name == "neo4j.io" and "C: BEGIN" in r.msg]


def committed(caplog) -> list[str]:
    """The bookmarks the server answered commits with while ``caplog`` recorded."""
    return [r.args[1]["bookmark"] for r in caplog.records
            if r.name == "neo4j.io" and "S: SUCCESS" in r.msg and isinstance(r.args[1], dict) and "bookmark" in r.args[1]]


@pytest.fixture
def two_stores(bolt_server, tmp_path):
    """The roster on the test server, a writer's store and a reader's (two drivers), and an
    editor's token."""
    writer = open_backend("bolt", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], writer)
    secret = create_token(writer, "P1", "editor", "编辑")[1]
    reader = BoltStore(bolt_server.uri, "root", bolt_server.password, bolt_server.database)
    yield writer, reader, {"Authorization": f"Bearer {secret}"}
    reader.close()
    writer.close()


@pytest.mark.bolt
def test_a_read_sent_with_the_writers_bookmarks_waits_for_them(two_stores, caplog, monkeypatch, bolt_server):
    writer, reader, auth = two_stores
    assert writer.driver is not reader.driver
    caplog.set_level(logging.DEBUG, logger="neo4j")
    with TestClient(serving_app(Service(writer))) as w, TestClient(serving_app(Service(reader))) as r:
        got = w.get("/api/v1/members/B1", headers=auth)
        assert got.status_code == 200 and HEADER not in got.headers  # a read carries none
        caplog.clear()
        done = w.patch("/api/v1/members/B1", json={"计数": "1"}, headers={**auth, "If-Match": got.json()["etag"]})
        assert done.status_code == 200, done.text
        token = done.headers[HEADER]
        assert committed(caplog)[-1] in token.split(",")  # the write's own bookmark is handed out

        caplog.clear()
        seen = r.get("/api/v1/members/B1", headers={**auth, HEADER: token})
        assert seen.status_code == 200 and seen.json()["member"]["计数"] == "1"
        sent = begins(caplog)
        assert sent and all(set(token.split(",")) <= b for b in sent), sent

        caplog.clear()  # without the header the reader has no reason to wait for them
        assert r.get("/api/v1/members/B1", headers=auth).status_code == 200
        assert not any(set(token.split(",")) & b for b in begins(caplog))

        caplog.clear()  # the gap list's fast path waits as well
        gaps = r.get("/api/v1/gaps/non-party-without-liaison", headers={**auth, HEADER: token})
        assert gaps.status_code == 200
        sent = begins(caplog)
        assert sent and all(set(token.split(",")) <= b for b in sent), sent

        refused = r.get("/api/v1/members/B1", headers={**auth, HEADER: "not a bookmark"})
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "bad_argument" and error["field"] == HEADER and "\n" not in error["message"]

    # A long question, answered in its own process, waits for the serving process's
    # bookmarks and the request's.
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    config = {"neo4j": bolt_server.uri, "neo4j_user": "root", "neo4j_database": bolt_server.database}
    service = Service(reader, long_work=LongWork(config))
    try:
        with reader.after(token):
            waited = set(service.answer(bookmarks_job).decode().split(","))
        assert set(token.split(",")) <= waited
        # and the writes made there (an upload) are named by the serving process's answer
        # to the client, and waited for by its own reads
        caplog.clear()
        with TestClient(serving_app(service)) as http:
            member = {"id": "N1", "name": "新委员", "affiliation": "无党派", "committee_id": "C1", "sector": "教育界"}
            upload = http.post("/api/v1/imports", headers=auth, files={"files": (
                "members.json", json.dumps({"members": [member]}, ensure_ascii=False).encode(), "application/json")})
            assert upload.status_code == 201, upload.text
            handed = set(upload.headers[HEADER].split(","))
            there = set(service.long_work.run(bookmarks_job)[0].decode().split(","))  # the long process's own
            assert there and there <= handed and there <= set(reader.bookmarks.get_bookmarks())
            caplog.clear()
            assert http.get("/api/v1/members/N1", headers=auth).json()["member"]["name"] == "新委员"
            sent = begins(caplog)  # the first read waits for them (each later for the bookmark the one before got)
            assert sent and handed <= sent[0], sent
    finally:
        service.long_work.close()


def test_the_embedded_store_neither_gives_nor_needs_bookmarks(world):
    got = world.get("a_editor", "/api/v1/members/" + member_of(world))
    done = world.client.patch(got.url.path, json={"计数": "1"},
                              headers=world.headers("a_editor", **{"If-Match": got.json()["etag"]}))
    assert done.status_code == 200 and HEADER not in done.headers
    seen = world.client.get(got.url.path, headers=world.headers("a_editor", **{HEADER: "not a bookmark"}))
    assert seen.status_code == 200 and seen.json()["member"]["计数"] == "1"


def member_of(world) -> str:
    listed = world.get("a_editor", "/api/v1/members", params={"limit": 1})
    return listed.json()["items"][0]["id"]


def test_the_schema_declares_the_bookmarks_on_every_write_and_no_read():
    from liaison_graph.api.app import create_app

    schema = create_app(Service(None)).openapi()
    writes = reads = 0
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            answers = [a for code, a in operation["responses"].items() if code.startswith("2")]
            declared = [HEADER in a.get("headers", {}) for a in answers]
            if method in ("get", "head", "options"):
                reads += 1
                assert not any(declared), operation["operationId"]
            else:
                writes += 1
                assert declared and all(declared), operation["operationId"]
    assert writes > 10 and reads > 10
