"""The service on several worker processes over one embedded store: every acknowledged write
is there, whichever worker answers next; concurrent editors of one member lose no update;
a write checked in one process while another changes the roster is checked again, and
refused if the check no longer holds; the workers die with the process that started them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from liaison_graph.api.auth import create_token
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import Conflict, Forbidden, NotFound
from liaison_graph.graph.guard import check_write
from liaison_graph.loaders import load_files

from benchmarks.api_load import free_port
from tests.conftest import EDGE_ROSTER, increment_under_etags, write_json


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def until(condition, what: str, limit: float = 60.0):
    """Wait for a state (polled), failing with ``what`` if it never comes."""
    stop = time.monotonic() + limit
    while not (value := condition()):
        assert time.monotonic() < stop, what
        time.sleep(0.05)
    return value


@pytest.fixture
def two_workers(tmp_path):
    db = tmp_path / "w.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        _, token = create_token(store, "P1", "editor", "workers")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "liaison_graph.api.cli", "serve", "--db", str(db), "--port", str(port),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    base = f"http://127.0.0.1:{port}"

    def ready():
        try:
            return httpx.get(base + "/readyz", timeout=1).status_code == 200 and len(children(proc.pid)) >= 2
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-500:]
            return False

    until(ready, "the service never came up on two workers")
    try:
        yield proc, base, {"Authorization": f"Bearer {token}"}, db
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)


def test_two_workers_lose_no_update_and_every_read_sees_the_writes_before_it(two_workers):
    proc, base, headers, _ = two_workers
    clients, increments = 8, 4

    # each read after a write, whichever worker answers it, sees that write or a later one
    threads = [threading.Thread(target=increment_under_etags, args=(base, headers, increments, True))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        assert http.get("/api/v1/members/B1").json()["member"]["计数"] == str(clients * increments)


def test_the_workers_die_with_the_process_that_started_them(two_workers):
    """The service killed outright: its workers end, and so does each worker's process for the
    long questions."""
    proc, _, _, _ = two_workers
    workers = children(proc.pid)
    assert len(workers) >= 2
    # (one child of the service is multiprocessing's resource tracker, which starts none)
    until(lambda: sum(bool(children(pid)) for pid in workers) >= 2, "a worker never started its long questions' process")
    processes = [*workers, *(pid for w in workers for pid in children(w))]
    proc.kill()
    proc.wait(30)
    until(lambda: not any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in processes),
          "a worker or its long questions' process outlived the service that started it")


def _state(pid: int) -> str:
    try:
        return "zombie" if (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
    except OSError:
        return "zombie"


def test_a_write_checked_before_another_process_wrote_is_checked_again(tmp_path):
    """The write rule read the tree; another connection then wrote. An unrelated write does
    not stop the first (checked again, the same); a move of the node it edits does."""
    db = tmp_path / "s.db"
    with EmbeddedStore(db) as first:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], first)
        b1 = first.node_props("Member", ["B1"])["B1"]
        edit = Batch(nodes={"Member": {"B1": {**b1, "name": "赵敏一"}}})
        check_write(first, edit, "C1")
        with EmbeddedStore(db) as other:  # an unrelated write by another process
            p1 = other.node_props("Committee", ["P1"])["P1"]
            other.write(Batch(nodes={"Committee": {"P1": {**p1, "term": "第十一届"}}}))
        first.write(edit)
        assert first.node_props("Member", ["B1"])["B1"]["name"] == "赵敏一"

        edit = Batch(nodes={"Member": {"B1": {**b1, "name": "赵敏二"}}})
        check_write(first, edit, "C1")
        with EmbeddedStore(db) as other:  # the member moves to the other county meanwhile
            moved = {**other.node_props("Member", ["B1"])["B1"], "committee_id": "C2"}
            other.write(Batch(nodes={"Member": {"B1": moved}}))
        with pytest.raises((Forbidden, Conflict, NotFound)):  # as absent, refused: never moved back
            first.write(edit)
        assert first.node_props("Member", ["B1"])["B1"]["committee_id"] == "C2"  # not moved back
        assert first.node_props("Member", ["B1"])["B1"]["name"] == "赵敏一"


def hold_until(store, lock, flag: str, started: str) -> bytes:
    """A long question that lasts until the test says so (a job of the long questions'
    process): it marks that it runs, then waits for the flag file."""
    Path(started).write_text(str(os.getpid()))
    while not Path(flag).exists():
        time.sleep(0.01)
    return b"done"


def test_short_questions_never_wait_behind_a_long_one(tmp_path):
    """The long questions (reports, recommendations, network, diff, exports) run in a process
    of their own: while it works on one, a gap list, a lookup and an edit are answered, and
    it answers what the service's own connection would."""
    from fastapi.testclient import TestClient
    from liaison_graph.api.app import serving_app
    from liaison_graph.api.longwork import LongWork
    from liaison_graph.api.service import Service

    db = tmp_path / "s.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        _, token = create_token(store, "P1", "editor", "long")
    service = Service(EmbeddedStore(db), long_work=LongWork({"db": str(db)}))
    assert service.long_work.pid() != os.getpid()
    headers = {"Authorization": f"Bearer {token}"}
    answers: dict = {}
    flag, started = tmp_path / "flag", tmp_path / "started"
    with TestClient(serving_app(service)) as http:
        long = threading.Thread(target=lambda: answers.setdefault("long", service.answer(
            hold_until, str(flag), str(started))))
        long.start()
        while not started.exists():  # the long process is at work
            time.sleep(0.01)
        answers["gaps"] = http.get("/api/v1/gaps/non-party-without-liaison?committee_id=C1", headers=headers)
        answers["member"] = http.get("/api/v1/members/B1", headers=headers)
        tag = answers["member"].json()["etag"]
        answers["edit"] = http.patch("/api/v1/members/B1", json={"备注": "长问题进行中"},
                                     headers={**headers, "If-Match": tag})
        assert long.is_alive() and not flag.exists()  # all answered while the long one still ran
        assert [answers[k].status_code for k in ("gaps", "member", "edit")] == [200, 200, 200]
        flag.write_text("go")
        long.join(60)
        assert answers["long"] == b"done"
        assert int(started.read_text()) == service.long_work.pid()
        # an upload is a long job too: written there, read here at once
        member = {"id": "N1", "name": "新委员", "affiliation": "无党派", "committee_id": "C1", "sector": "教育界"}
        upload = http.post("/api/v1/imports", headers=headers, files={"files": (
            "members.json", json.dumps({"members": [member]}, ensure_ascii=False).encode(), "application/json")})
        assert upload.status_code == 201 and upload.json()["created"]["Member"] == 1
        assert http.get("/api/v1/members/N1", headers=headers).json()["member"]["name"] == "新委员"
        bad = {"members": [{**member, "id": "N2", "committee_id": "C9"}]}
        refused = http.post("/api/v1/imports", headers=headers, files={"files": (
            "members.json", json.dumps(bad, ensure_ascii=False).encode(), "application/json")})
        # the long process sees the edit made on the serving connection, and answers as it would
        report = http.get("/api/v1/coverage?committee_id=C1", headers=headers)
        network = http.get("/api/v1/network?committee_id=C1", headers=headers)
        missing = http.get("/api/v1/coverage?committee_id=NOPE", headers=headers)
        assert http.get("/api/v1/members/B1", headers=headers).json()["member"]["备注"] == "长问题进行中"
        # the long process killed: that question is refused as unavailable, the next has a new one
        os.kill(service.long_work.pid(), signal.SIGKILL)
        lost = http.get("/api/v1/coverage?committee_id=C1", headers=headers)
        assert lost.status_code == 503 and "统计进程" in lost.json()["error"]["message"]
        assert http.get("/api/v1/coverage?committee_id=C1", headers=headers).json() == report.json()
    here = Service(EmbeddedStore(db))
    with TestClient(serving_app(here)) as http:
        assert report.status_code == network.status_code == 200
        assert report.json() == http.get("/api/v1/coverage?committee_id=C1", headers=headers).json()
        assert network.json() == http.get("/api/v1/network?committee_id=C1", headers=headers).json()
        assert missing.status_code == 404
        assert missing.json() == http.get("/api/v1/coverage?committee_id=NOPE", headers=headers).json()
        assert refused.status_code == 422 and "C9" in refused.json()["error"]["message"]
        assert refused.json() == http.post("/api/v1/imports", headers=headers, files={"files": (
            "members.json", json.dumps(bad, ensure_ascii=False).encode(), "application/json")}).json()
    here.close()
    service.close()


def test_a_long_process_that_cannot_open_the_store_says_why(tmp_path):
    """Its store gone (moved, unreadable): each long question is refused with the store's own
    one-line reason, not as a lost process, and the process stays to try again."""
    from liaison_graph.api.longwork import LongWork
    from liaison_graph.graph.errors import StoreError

    work = LongWork({"db": str(tmp_path / "missing.db")})
    try:
        first = work.pid()
        with pytest.raises(StoreError) as refused:
            work.run(hold_until, str(tmp_path / "flag"), str(tmp_path / "started"))
        assert "missing.db" in refused.value.message and "\n" not in refused.value.message
        assert work.pid() == first
    finally:
        work.close()
