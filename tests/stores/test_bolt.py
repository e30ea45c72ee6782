"""What is particular to the Bolt store: its query catalogue, atomic writes, the same
answers as the embedded store on random rosters, `sync`, and the CLI on a Bolt server."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liaison_graph.api.cli import main
from liaison_graph.cypher import PLACEHOLDER, catalog, query
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.coverage import report
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import ModelError
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import builtin
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.reach import network, reach, why
from liaison_graph.graph.view import View, open_view, subtree
from liaison_graph.loaders import load_files

from tests.conftest import EDGE_EXPECTED, EDGE_ROSTER, open_backend, write_json
from tests.questions.test_columnar import ACROSS, rich_rosters
from tests.questions.test_properties import PROBE_DAYS, SETTINGS, rosters


def test_catalogue_uses_only_model_labels_and_parameters():
    names = set(catalog())
    assert {"upsert_nodes", "upsert_edges", "gap_by_liaison", "gap_by_membership"} <= names
    m = model()
    for name, text in catalog().items():
        for label in re.findall(r"[(\[]\w*:(\w+)", text):
            assert label in m.nodes or label in m.edges or label in m.records, (name, label)
        assert "'" not in text and '"' not in text, f"{name}: literals belong in $parameters"
        assert set(PLACEHOLDER.findall(text)) <= {"kind", "src", "dst", "rel"}


def test_query_refuses_names_outside_the_model():
    assert "`Member`" in query("existing_ids", kind="Member")
    with pytest.raises(ModelError):
        query("existing_ids", kind="Member`) DETACH DELETE (x")
    with pytest.raises(ModelError):
        query("upsert_edges", rel="LIAISES_WITH", src="Member")  # dst missing


@pytest.mark.parametrize("backend", ["embedded", pytest.param("bolt", marks=pytest.mark.bolt)], indirect=True)
def test_a_write_that_fails_midway_leaves_nothing(backend, tmp_path):
    with open_backend(backend, tmp_path) as store:
        load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
        before = store.dump()
        batch = Batch()
        batch.add_node("Committee", "C9", {"id": "C9", "name": "新政协", "committee_id": "C9"})
        batch.add_node("Member", "M9", {"id": "M9", "name": "甲", "committee_id": "C9", "bad": {1, 2}})
        with pytest.raises((TypeError, ValueError)):  # the value cannot be stored
            store.write(batch)
        assert store.dump() == before


@pytest.mark.bolt
@SETTINGS
@given(roster=rosters())
def test_bolt_and_embedded_give_identical_answers(bolt_server, roster):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_json(Path(tmp) / "r.json", roster)
        with EmbeddedStore(Path(tmp) / "e.db") as embedded, open_backend("bolt", Path(tmp)) as bolt:
            load_files([path], embedded)
            load_files([path], bolt)
            assert bolt.dump() == embedded.dump()
            assert bolt.stats() == embedded.stats()
            for rule in EDGE_EXPECTED:
                for day in PROBE_DAYS:
                    d = dt.date.fromisoformat(day)
                    assert bolt.gaps(rule, d) == embedded.gaps(rule, d), (rule, day)
                    for c in roster["committees"]:
                        assert bolt.gaps(rule, d, c["id"]) == embedded.gaps(rule, d, c["id"])
            # every later question: policies, reach, why, diagnostics
            for day in (dt.date(2024, 7, 1), dt.date(2025, 12, 31)):
                views = [open_view(s, day) for s in (embedded, bolt)]
                for policy in builtin().values():
                    a, b = (report(v, policy, "sector") for v in views)
                    assert a == b, policy.name
                assert network(views[0]) == network(views[1])
                for member in roster["members"][:3]:
                    assert reach(views[0], member["id"], 3) == reach(views[1], member["id"], 3)
                    # the verb (on the member's committee): walked in the database on Bolt
                    asked = [questions.reach(s, Scope(), member["id"], 3, day) for s in (embedded, bolt)]
                    assert asked[0] == asked[1]
                    assert why(views[0], member["id"]) == why(views[1], member["id"])


@pytest.mark.bolt
@settings(SETTINGS, max_examples=100)
@given(roster=rich_rosters().filter(lambda r: len(r["committees"]) > 1), day=st.sampled_from(PROBE_DAYS))
def test_bolt_committee_parts_answer_as_the_whole_graph(bolt_server, roster, day):
    """A county's part read from the Bolt store answers as the whole graph's view of that
    county, for rules whose answer may come from another committee."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_json(Path(tmp) / "r.json", roster)
        with EmbeddedStore(Path(tmp) / "e.db") as embedded, open_backend("bolt", Path(tmp)) as bolt:
            load_files([path], embedded)
            load_files([path], bolt)
            G, committees = embedded.graph(), embedded.committees()
            for root in sorted(committees)[1:]:
                expected = report(View(G, day, subtree(committees, root), committees), ACROSS, "sector")
                assert report(open_view(bolt, dt.date.fromisoformat(day), root), ACROSS, "sector") == expected


@pytest.mark.bolt
def test_cli_on_bolt_and_sync(bolt_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    db = tmp_path / "e.db"
    assert main(["load", str(write_json(tmp_path / "r.json", EDGE_ROSTER)), "--db", str(db)]) == 0
    bolt_args = ["--neo4j", bolt_server.uri, "--neo4j-user", "root", "--neo4j-database", bolt_server.database]
    assert main(["sync", "--to-neo4j", bolt_server.uri, "--replace", "--db", str(db), *bolt_args[2:]]) == 0
    capsys.readouterr()
    assert main([*bolt_args, "gaps", "--rule", "non-party-without-liaison", "--as-of", "2026-07-01", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in doc["items"]] == EDGE_EXPECTED["non-party-without-liaison"]["2026-07-01"]
    monkeypatch.setenv("LIAISON_NEO4J_URI", bolt_server.uri)
    monkeypatch.setenv("LIAISON_NEO4J_USER", "root")
    monkeypatch.setenv("LIAISON_NEO4J_DATABASE", bolt_server.database)
    assert main(["stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["members"] == 17
    with EmbeddedStore(db) as embedded, open_backend("bolt", tmp_path, fresh=False) as bolt:
        assert bolt.dump() == embedded.dump()


@pytest.mark.bolt
def test_cli_refuses_an_empty_graph(bolt_server, tmp_path, capsys, monkeypatch):
    """A read command on a Bolt graph without a roster refuses as on an empty file, naming
    the server; loading the roster there makes it answer."""
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    open_backend("bolt", tmp_path).close()  # emptied
    bolt_args = ["--neo4j", bolt_server.uri, "--neo4j-user", "root", "--neo4j-database", bolt_server.database]
    for args in (["gaps", "--rule", "non-party-without-liaison", "--format", "json"], ["coverage"], ["stats"]):
        assert main([*bolt_args, *args]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == (f"错误：库中没有名单，请先 liaison load 导入名单"
                                     f"（库：{bolt_server.uri}（数据库 {bolt_server.database}））\n")
    assert main([*bolt_args, "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER))]) == 0
    capsys.readouterr()
    assert main([*bolt_args, "stats"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == \
        f"政协：全库，青川市政协（P1）及其下级政协　库：{bolt_server.uri}（数据库 {bolt_server.database}）"


def test_unreachable_server_is_one_line(capsys):
    """The environment, not what was typed: exit status 3 (README, exit statuses)."""
    code = main(["--neo4j", "bolt://127.0.0.1:9", "stats"])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "无法连接图数据库" in err


def test_a_store_that_cannot_connect_closes_its_driver(bolt_server):
    """Refused (wrong password, or no server), the store closes the driver it made."""
    import gc
    import warnings

    from liaison_graph.graph.bolt import BoltStore
    from liaison_graph.graph.errors import StoreError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for uri, password in ((bolt_server.uri, "not-the-password"), ("bolt://127.0.0.1:9", "x")):
            with pytest.raises(StoreError):
                BoltStore(uri, "root", password, bolt_server.database)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning) and "Driver" in str(w.message)]


@pytest.mark.bolt
def test_the_bolt_store_keeps_committees_and_tokens_until_they_change(bolt_server, tmp_path):
    """The committee table and the tokens are kept between calls — the same dict while no
    committee changes, so the scopes worked out from it are kept too — and read again at once
    when another driver changes them: a token issued or revoked, a committee renamed."""
    from liaison_graph.api.auth import create_token, revoke_token
    from liaison_graph.graph.bolt import BoltStore

    mine = open_backend("bolt", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], mine)
    other = BoltStore(bolt_server.uri, "root", bolt_server.password, bolt_server.database)
    try:
        table, before = mine.committees(), mine.tokens()
        assert mine.committees() is table and subtree(table, "P1") is subtree(mine.committees(), "P1")
        record, _ = create_token(other, "C1", "editor", "另一处")
        assert mine.token(record.id) == record and mine.tokens() == [*before, record]
        assert mine.committees() is table  # a token changes no committee
        revoke_token(other, record.id)
        assert mine.token(record.id).revoked_at is not None
        renamed = {**EDGE_ROSTER, "committees": [{**c, "name": "改名县政协"} if c["id"] == "C2" else c
                                                  for c in EDGE_ROSTER["committees"]]}
        load_files([write_json(tmp_path / "renamed.json", renamed)], other)
        changed = mine.committees()
        assert changed is not table and changed["C2"]["name"] == "改名县政协"
        assert mine.committees() is changed
    finally:
        other.close()
        mine.close()
