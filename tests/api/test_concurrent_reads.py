"""Reads at once where the store allows it, writes one at a time everywhere.

The service reads a store under ``Service.reading``: the lock its writes take, unless the
store may be read by several threads at once (``Store.concurrent_reads``: the Bolt store).
These tests hold the first of two reads inside the store until the second has either
entered it too or is seen waiting for the service's lock, whichever comes first — a state,
never a length of time; a state that never comes fails the test after ``WAIT``. Two requests
go through the application from two threads, as two clients' would.

On the embedded store the second read waits for the lock; on the Bolt store it is in the
store beside the first, for a list answered in the threadpool and for the gap list answered
before the framework. Two edits of one member with the same ``If-Match`` are still one at a
time on the Bolt store: the second reads the member after the first has written it and is
refused (409) before it writes. A token written or revoked by another connection after the
service started is seen at once."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token, revoke_token
from liaison_graph.api.service import Service
from liaison_graph.graph.bolt import BoltStore
from liaison_graph.loaders import load_files

from tests.conftest import EDGE_ROSTER, open_backend, write_json

WAIT = 60  # seconds: a state that never comes fails the test instead of hanging it


class Watched:
    """The service's lock, telling when a thread finds it held and waits for it."""

    def __init__(self, lock, moved: threading.Event):
        self.lock, self.moved = lock, moved
        self.waited = threading.Event()

    def __enter__(self):
        if not self.lock.acquire(blocking=False):
            self.waited.set()
            self.moved.set()
            self.lock.acquire()
        return self

    def __exit__(self, *exc):
        self.lock.release()


class Held:
    """A store method whose first call holds, inside the store, until a second call has
    entered or someone waits for the service's lock."""

    def __init__(self, store, name: str, service: Service):
        self.method = getattr(store, name)
        self.moved, self.first_in = threading.Event(), threading.Event()
        self.calls, self.inside, self.overlapped = 0, 0, False
        self.guard = threading.Lock()
        self.lock = Watched(service.lock, self.moved)
        if service.reading is service.lock:
            service.reading = self.lock
        service.lock = self.lock
        setattr(store, name, self)

    def __call__(self, *args, **kwargs):
        with self.guard:
            self.calls += 1
            first = self.calls == 1
            self.inside += 1
            self.overlapped = self.overlapped or self.inside > 1
            if not first:
                self.moved.set()
        try:
            if first:
                self.first_in.set()
                assert self.moved.wait(WAIT), "neither a second call nor a waiter for the lock came"
            return self.method(*args, **kwargs)
        finally:
            with self.guard:
                self.inside -= 1


def two_at_once(client: TestClient, held: Held, first, second) -> list:
    """``first(client)`` in a thread; once its call is held in the store, ``second(client)``
    in another; both answers."""
    answers: list = [None, None]

    def run(i, ask):
        answers[i] = ask(client)

    one = threading.Thread(target=run, args=(0, first))
    one.start()
    assert held.first_in.wait(WAIT), "the first request never reached the store"
    two = threading.Thread(target=run, args=(1, second))
    two.start()
    one.join(WAIT)
    two.join(WAIT)
    assert not one.is_alive() and not two.is_alive()
    return answers


@pytest.fixture
def served(backend, tmp_path):
    """The hand-made roster in a store of each kind, served in-process, with an editor's token."""
    store = open_backend(backend, tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    secret = create_token(store, "P1", "editor", "编辑")[1]
    service = Service(store)
    with TestClient(serving_app(service)) as client:
        yield store, service, client, {"Authorization": f"Bearer {secret}"}
    store.close()


def held_twice(served, url: str, method: str) -> Held:
    """Two requests for ``url`` at once, the first held in the store's ``method``: both answered alike."""
    store, service, client, auth = served
    held = Held(store, method, service)
    first, second = two_at_once(client, held, lambda c: c.get(url, headers=auth), lambda c: c.get(url, headers=auth))
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json() == second.json() and held.calls == 2
    return held


def test_two_reads_are_in_the_store_at_once_only_where_it_allows(served, backend):
    held = held_twice(served, "/api/v1/members?committee_id=C1", "list_nodes")  # a route of the threadpool
    if backend == "bolt":
        assert held.overlapped and not held.lock.waited.is_set()
    else:
        assert held.lock.waited.is_set() and not held.overlapped


@pytest.mark.bolt
@pytest.mark.parametrize("backend", ["bolt"], indirect=True)
def test_two_gap_lists_asked_on_the_event_loop_are_read_at_once_on_bolt(served):
    # answered before the framework, on the loop for the embedded store: on Bolt beside it
    held = held_twice(served, "/api/v1/gaps/non-party-without-liaison?as_of=2026-07-01", "gaps")
    assert held.overlapped and not held.lock.waited.is_set()


@pytest.mark.bolt
def test_two_edits_with_one_version_are_one_at_a_time_on_bolt(bolt_server, tmp_path):
    store = open_backend("bolt", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    auth = {"Authorization": f"Bearer {create_token(store, 'P1', 'editor', '编辑')[1]}"}
    service = Service(store)
    assert service.reading is not service.lock  # reads at once here; writes must still wait
    with TestClient(serving_app(service)) as client:
        tag = client.get("/api/v1/members/B1", headers=auth).json()["etag"]
        held = Held(store, "write", service)

        def edit(value):
            return lambda c: c.patch("/api/v1/members/B1", json={"计数": value}, headers={**auth, "If-Match": tag})

        answers = two_at_once(client, held, edit("1"), edit("2"))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], [a.text for a in answers]
        # the second waited for the first to write, read its version and was refused before
        # writing: the check in the write's own transaction was not what stopped it
        assert held.lock.waited.is_set() and held.calls == 1 and not held.overlapped
        refused = next(a for a in answers if a.status_code == 409).json()["error"]
        assert refused["code"] == "conflict" and refused["message"].startswith("委员「B1」"), refused
        won = next(a for a in answers if a.status_code == 200).json()["item"]["计数"]
        assert client.get("/api/v1/members/B1", headers=auth).json()["member"]["计数"] == won
    assert [a["target"] for a in store.audit(0, 1000) if a["action"] == "member.update"] == ["B1"]
    store.close()


@pytest.mark.bolt
def test_a_token_written_or_revoked_elsewhere_after_the_start_is_seen_at_once(bolt_server, tmp_path):
    store = open_backend("bolt", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    first = create_token(store, "P1", "viewer", "先")[1]
    other = BoltStore(bolt_server.uri, "root", bolt_server.password, bolt_server.database)  # the command line's
    try:
        with TestClient(serving_app(Service(store))) as client:
            assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
            record, later = create_token(other, "C1", "viewer", "后")
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {later}"})
            assert me.status_code == 200 and me.json()["token_id"] == record.id, me.text
            assert client.get("/api/v1/members?committee_id=C1",
                              headers={"Authorization": f"Bearer {later}"}).status_code == 200
            revoke_token(other, record.id)
            refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {later}"})
            assert refused.status_code == 401 and "吊销" in refused.json()["error"]["message"], refused.text
            assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    finally:
        other.close()
        store.close()
