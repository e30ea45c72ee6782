"""A large import into a graph server: written in transactions of a bounded size, never seen
half-applied, and finished by running it again after an interruption (docs/ARCHITECTURE.md,
"Bounded imports")."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys

import pytest

from liaison_graph.graph import bolt_writes
from liaison_graph.graph.errors import LoadUnfinished
from liaison_graph.graph.flagship import RULES
from liaison_graph.loaders import load_files
from liaison_graph.loaders.sample import SAMPLE
from tests.conftest import wipe, write_json

pytestmark = pytest.mark.bolt
TX_ROWS = 60
DAY = dt.date(2026, 6, 30)


def bolt(tx_rows: int, fresh: bool = True):
    """A Bolt store on the test server writing in transactions of at most ``tx_rows`` rows;
    emptied of everything unless ``fresh`` is false."""
    from liaison_graph.graph.bolt import BoltStore
    from tests.conftest import _bolt

    s = _bolt["server"]
    store = BoltStore(s.uri, "root", s.password, s.database, batch_size=500, tx_rows=tx_rows)
    if fresh:
        wipe(store)
    return store


def snapshot(store) -> dict:
    """What a reader sees: the whole graph, the counts, both gap lists, the change feed's
    entries by committee."""
    return {"dump": store.dump(), "stats": store.stats(),
            "gaps": {rule: store.gaps(rule, DAY) for rule in RULES},
            "feed": sorted((c["committee_id"] or "", len(c["changes"])) for c in store.changes(0, 10_000))}


@pytest.fixture(scope="module")
def reference(bolt_server):
    """The sample as one transaction writes it, and what that write reported."""
    store = bolt(tx_rows=10**9)
    try:
        result = load_files([SAMPLE], store)
        return snapshot(store), result
    finally:
        wipe(store)
        store.close()


class Transactions:
    """Every write transaction the store runs, as the rows its statements carry."""

    def __init__(self, store):
        self.sizes: list[int] = []
        self.messages: list[tuple[int, int]] = []  # each statement's rows, and the bytes of its change-feed text
        original = store._write_tx
        messages = self.messages

        def counted(work):
            rows = [0]

            class Counting:
                def __init__(self, tx):
                    self.tx = tx

                def run(self, text, params=None, **kw):
                    values = {**(params or {}), **kw}
                    carried = [r for k in ("rows", "ids") if isinstance(values.get(k), list) for r in values[k]]
                    rows[0] += len(carried)
                    messages.append((len(carried), sum(len(r["entities"].encode()) for r in carried
                                                       if isinstance(r, dict) and "entities" in r)))
                    return self.tx.run(text, params, **kw)

            out = original(lambda tx: work(Counting(tx)))
            self.sizes.append(rows[0])
            return out

        store._write_tx = counted


def test_a_large_import_is_cut_into_bounded_transactions_with_the_same_outcome(bolt_server, tmp_path, reference):
    expected, result = reference
    store = bolt(TX_ROWS)
    try:
        seen = Transactions(store)
        got = load_files([SAMPLE], store)
        assert len(seen.sizes) > 10 and max(seen.sizes) <= TX_ROWS  # many, none above the bound
        assert sum(seen.sizes) >= sum(expected["stats"].values()) // 2
        assert (got.result.created, got.result.updated) == (result.result.created, result.result.updated)
        assert snapshot(store) == expected
        assert store._marker() is None
    finally:
        store.close()


COUNTIES = {  # six committees: six change-feed entries of about 200 bytes each
    "committees": [{"id": f"C{i}", "name": f"第{i}县政协", "level": "县"} for i in range(6)],
    "members": [{"id": f"C{i}-M{j}", "name": f"委员{i}{j}", "affiliation": "中共党员" if j else "群众",
                 "committee_id": f"C{i}", "sector": "经济界"} for i in range(6) for j in range(4)],
}


@pytest.mark.parametrize("tx_rows", [10**9, TX_ROWS])  # one transaction; bounded
def test_every_message_is_bounded_in_rows_and_the_feed_in_bytes(bolt_server, tmp_path, monkeypatch, tx_rows):
    """A nation's change feed is tens of megabytes and a server caps a message (ArcadeDB at
    16 MiB): every statement is sent in messages of at most the batch size, the feed's also of
    at most FEED_BYTES of its text (an entry alone when larger), with the same outcome."""
    roster = write_json(tmp_path / "r.json", COUNTIES)
    reference_store = bolt(10**9)
    try:
        load_files([roster], reference_store)
        expected = snapshot(reference_store)
    finally:
        reference_store.close()
    monkeypatch.setattr(bolt_writes, "FEED_BYTES", 300)
    store = bolt(tx_rows)
    store.batch_size = 7
    try:
        seen = Transactions(store)
        load_files([roster], store)
        feed = [(rows, text) for rows, text in seen.messages if text]
        assert max(rows for rows, _ in seen.messages) <= 7
        assert len(feed) >= 3 and all(text <= 300 or rows == 1 for rows, text in feed), feed
        assert sum(rows for rows, _ in feed) == 6
        assert snapshot(store) == expected
    finally:
        store.close()


def interrupted(store, at: int) -> None:
    """The sample loaded into ``store`` until ``at`` steps are in, then the loader stops, as
    a killed process would (nothing after that step is sent)."""
    step = bolt_writes._step

    def failing(store_, key, i, text, params):
        if i == at:
            raise KeyboardInterrupt
        step(store_, key, i, text, params)

    bolt_writes._step = failing
    try:
        with contextlib.suppress(KeyboardInterrupt):
            load_files([SAMPLE], store)
    finally:
        bolt_writes._step = step


@pytest.mark.parametrize("where", [0.0, 0.1, 0.5, 0.99])
def test_an_interrupted_import_is_refused_to_readers_and_finished_by_running_it_again(
        bolt_server, tmp_path, reference, where):
    expected, result = reference
    store = bolt(TX_ROWS)
    try:
        probe = Transactions(store)
        interrupted(store, 10**9)  # a whole run, to count its steps
        steps = len(probe.sizes) - 2  # its first and last transactions aside
        wipe(store)
        at = int(steps * where)
        interrupted(store, at)
        marker = store._marker()
        assert marker is not None and marker["done"] == at and marker["steps"] == steps
        reader = bolt(TX_ROWS, fresh=False)
        try:
            for read in (reader.stats, reader.committees, lambda: reader.gaps(next(iter(RULES)), DAY), reader.dump,
                         lambda: reader.subgraph(None), lambda: reader.changes(0, 10)):
                with pytest.raises(LoadUnfinished, match=f"已写入 {at}/{steps} 批"):
                    read()
            assert reader.tokens() == []  # tokens stay readable: the service can still say why
            other = {"committees": [{"id": "K1", "name": "县政协", "level": "county"}]}
            with pytest.raises(LoadUnfinished):  # another roster may not be written meanwhile
                load_files([write_json(tmp_path / "other.json", other)], reader)
        finally:
            reader.close()
        got = load_files([SAMPLE], store)  # the same import again: the rest of it
        assert (got.result.created, got.result.updated) == (result.result.created, result.result.updated)
        assert snapshot(store) == expected
    finally:
        store.close()


def test_clear_undoes_an_interrupted_first_import(bolt_server, tmp_path):
    store = bolt(TX_ROWS)
    try:
        interrupted(store, 5)
        store.clear()
        assert store._marker() is None and not store.has_roster() and store.stats()["members"] == 0
    finally:
        store.close()


def test_the_command_line_clears_an_interrupted_first_import(bolt_server, tmp_path):
    """What the refusal tells an office to do (``liaison clear``) works: the roster and the
    marker go, and reads answer again."""
    store = bolt(TX_ROWS)
    try:
        interrupted(store, 5)
        assert cli(bolt_server, "stats").wait() == 3
        done = cli(bolt_server, "clear", "--yes")
        out, err = done.communicate()
        assert done.returncode == 0 and "已清空名单" in out, err
        assert store._marker() is None and not store.has_roster()
        assert store.audit(0, 1000)[-1]["action"] == "roster.clear"
    finally:
        store.close()


def cli(server, *args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "liaison_graph.api.cli", "--neo4j", server.uri, "--neo4j-user",
                             "root", "--neo4j-database", server.database, *args],
                            env={**os.environ, "LIAISON_NEO4J_PASSWORD": server.password, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_a_killed_load_command_leaves_readers_refused_and_resumes(bolt_server, tmp_path, reference):
    """The real thing: ``liaison load`` killed (SIGKILL) once its import has begun; readers
    are refused in one line, with exit status 3; the same command again finishes it."""
    expected, _ = reference
    store = bolt(TX_ROWS)
    try:
        loading = cli(bolt_server, "load", str(SAMPLE), env={"LIAISON_NEO4J_TX_ROWS": "20"})
        try:
            while store._marker() is None:  # wait for the import to begin
                assert loading.poll() is None, loading.communicate()
        finally:
            loading.send_signal(signal.SIGKILL)
            loading.communicate()
        marker = store._marker()
        assert marker is not None and marker["done"] < marker["steps"]
        reading = cli(bolt_server, "gaps", "--rule", next(iter(RULES)), "--as-of", DAY.isoformat())
        out, err = reading.communicate()
        assert (reading.returncode, "Traceback" in err) == (3, False), err
        assert "分批导入尚未完成" in err
        assert len(err.strip().splitlines()) == 1
        again = cli(bolt_server, "load", str(SAMPLE), env={"LIAISON_NEO4J_TX_ROWS": "20"})
        out, err = again.communicate()
        assert again.returncode == 0, err
        assert snapshot(store) == expected
    finally:
        store.close()


def test_the_service_answers_503_in_one_line_while_an_import_is_unfinished(bolt_server, tmp_path):
    from fastapi.testclient import TestClient
    from liaison_graph.api.app import serving_app
    from liaison_graph.api.auth import create_token
    from liaison_graph.api.service import Service

    store = bolt(TX_ROWS)
    try:
        load_files([write_json(tmp_path / "c.json", {"committees": [{"id": "XS", "name": "溪山县政协", "level": "县"}]})],
                   store)
        _, secret = create_token(store, "XS", "viewer", "办公室")
        interrupted(store, 3)
        auth = {"Authorization": f"Bearer {secret}"}
        with TestClient(serving_app(Service(store))) as http:
            answer = http.get(f"/api/v1/gaps/{next(iter(RULES))}", headers=auth)
            assert answer.status_code == 503, answer.text
            assert "分批导入尚未完成" in answer.text and "Traceback" not in answer.text
            load_files([SAMPLE], store)  # the same import again: then the service answers
            assert http.get(f"/api/v1/gaps/{next(iter(RULES))}", headers=auth).status_code == 200
    finally:
        store.close()
