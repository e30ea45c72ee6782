"""The Bolt store's schema is a step of its own (`liaison neo4j init`): opening a store
writes nothing, refuses in one line on a database without the schema, and the init is
idempotent. What the driver sends is read from its own debug log (``neo4j.io``: every BEGIN
with its database, access mode and bookmarks, every RUN with its statement)."""

from __future__ import annotations

import json
import logging
import re

import neo4j
import pytest
from liaison_graph.api.cli import main
from liaison_graph.graph.bolt import BoltStore
from liaison_graph.graph.bolt_storage import schema_statements, wanted_schema
from liaison_graph.graph.errors import SchemaMissing

from tests.conftest import EDGE_ROSTER, write_json

pytestmark = pytest.mark.bolt

WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DROP|REMOVE|CALL)\b")  # a statement that may write


def server_schema(server, database: str) -> tuple[list, list]:
    """The constraints and indexes a database holds, listed by the server (not by the store)."""
    with neo4j.GraphDatabase.driver(server.uri, auth=("root", server.password)) as driver, \
            driver.session(database=database) as session:
        constraints = sorted((r["labelsOrTypes"], r["properties"], r["type"]) for r in
                             session.run("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type"))
        indexes = sorted((r["labelsOrTypes"], r["properties"], r["state"]) for r in
                         session.run("SHOW INDEXES YIELD labelsOrTypes, properties, state"))
    return constraints, indexes


def sent(caplog) -> tuple[list[dict], list[str]]:
    """What the driver sent while ``caplog`` recorded: the BEGINs' fields, the RUNs' text."""
    begins, runs = [], []
    for record in caplog.records:
        if record.name.startswith("neo4j") and "C: BEGIN" in record.msg:
            begins.append(record.args[1])
        elif record.name.startswith("neo4j") and "C: RUN" in record.msg:
            runs.append(record.args[1])
    return begins, runs


def args(server, database: str) -> list[str]:
    return ["--neo4j", server.uri, "--neo4j-user", "root", "--neo4j-database", database]


def test_opening_a_store_sends_no_schema_statement_and_no_write(bolt_server, caplog):
    """On a database with the schema: the open reads the constraints and indexes in one read
    transaction on the named database, and sends nothing else."""
    caplog.set_level(logging.DEBUG, logger="neo4j")
    BoltStore(bolt_server.uri, "root", bolt_server.password, bolt_server.database).close()
    begins, runs = sent(caplog)
    assert runs and all(text.lstrip("'\"").startswith("SHOW ") for text in runs), runs
    assert begins and all(b.get("mode") == "r" and b.get("db") == bolt_server.database for b in begins), begins


def test_a_read_command_sends_only_reads(bolt_server, tmp_path, capsys, caplog, monkeypatch):
    """What a read-only account needs: every transaction of a read command is a read one on
    the named database, and no statement writes (the driver's log is the witness: the test
    server's read-only account, ``test_read_only_account.py``, refuses what writes records or
    the schema, not a write transaction that writes nothing)."""
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    assert main([*args(bolt_server, bolt_server.database), "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER))]) == 0
    capsys.readouterr()
    caplog.set_level(logging.DEBUG, logger="neo4j")
    for command in (["stats"], ["gaps", "--rule", "non-party-without-liaison"], ["members", "--q", "王"], ["coverage"]):
        caplog.clear()
        assert main([*args(bolt_server, bolt_server.database), *command]) == 0, capsys.readouterr().err
        begins, runs = sent(caplog)
        assert begins and all(b.get("mode") == "r" and b.get("db") == bolt_server.database for b in begins), command
        assert not [text for text in runs if WRITES.search(text)], command
    capsys.readouterr()


def test_a_database_without_the_schema_is_refused_until_init_or_load(bolt_server, tmp_path, capsys, monkeypatch):
    """A read command on a database without the schema: one Chinese line naming `liaison
    neo4j init`, exit status 3, nothing written. A first `load` there creates the schema
    (the account may), and the read command answers."""
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    before = server_schema(bolt_server, "bare")
    assert before == ([], [])
    with pytest.raises(SchemaMissing):
        BoltStore(bolt_server.uri, "root", bolt_server.password, "bare")
    for command in (["stats"], ["gaps", "--rule", "non-party-without-liaison"], ["token", "list"]):
        assert main([*args(bolt_server, "bare"), *command]) == 3
        out, err = capsys.readouterr()
        missing = sum(map(len, wanted_schema()))
        assert out == "" and err == (f"错误：图数据库中还没有本程序的约束和索引（缺 {missing} 项），请先运行 liaison neo4j init 建立"
                                     f"（库：{bolt_server.uri}（数据库 bare））\n")
    assert server_schema(bolt_server, "bare") == before  # refusing wrote nothing
    assert main([*args(bolt_server, "bare"), "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER))]) == 0
    capsys.readouterr()
    assert main([*args(bolt_server, "bare"), "stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["members"] == 17
    constraints, indexes = server_schema(bolt_server, "bare")
    assert {(c[0][0], c[1][0]) for c in constraints} >= wanted_schema()[0]


def test_neo4j_init_is_idempotent(bolt_server, capsys, monkeypatch):
    """`liaison neo4j init` on an empty database creates every constraint and index and waits
    for them; run again, it creates nothing and the server lists the same schema."""
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    assert server_schema(bolt_server, "fresh") == ([], [])
    constraints, indexes = wanted_schema()
    where = f"{bolt_server.uri}（数据库 fresh）"
    assert main([*args(bolt_server, "fresh"), "neo4j", "init"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out == (f"已就绪：{where} 中有本程序所需的约束 {len(constraints)} 个、索引 {len(indexes)} 个，"
                                 f"索引均已可用（本次新建约束 {len(constraints)} 个、索引 {len(indexes)} 个）\n")
    first = server_schema(bolt_server, "fresh")
    assert {(label, prop[0]) for labels, prop, _ in first[0] for label in labels} == constraints
    online = {(label, prop[0]) for labels, prop, state in first[1] for label in labels if state == "ONLINE"}
    assert online >= indexes and all(state == "ONLINE" for *_, state in first[1])
    monkeypatch.setenv("LIAISON_NEO4J_URI", bolt_server.uri)  # the group's options and the environment work alike
    assert main(["--neo4j-user", "root", "--neo4j-database", "fresh", "neo4j", "init"]) == 0
    out, _ = capsys.readouterr()
    assert out.endswith("（本次无需新建）\n")
    assert server_schema(bolt_server, "fresh") == first
    BoltStore(bolt_server.uri, "root", bolt_server.password, "fresh").close()  # and now a store opens there


def test_the_schema_is_read_off_its_statements():
    """What the open checks is what the statements create: a constraint per kind's id and an
    index per kind's committee, and the service's records."""
    constraints, indexes = wanted_schema()
    assert len(constraints) + len(indexes) == len(schema_statements())
    assert ("Member", "id") in constraints and ("ApiToken", "id") in constraints and ("Sequence", "name") in constraints
    assert ("Member", "committee_id") in indexes and ("ChangeEntry", "seq") in indexes


def test_neo4j_init_help_and_refusals_are_chinese(capsys, monkeypatch):
    monkeypatch.delenv("LIAISON_NEO4J_URI", raising=False)
    assert main(["neo4j", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：liaison neo4j [选项] 命令 [参数]...") and "init  在 Neo4j 图数据库中建立本程序所需的约束和索引" in out
    assert main(["neo4j", "init", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：liaison neo4j init [选项]") and "选项：" in out and "--neo4j URI" in out
    assert "只读账号也可运行各查询命令" in out
    assert main(["neo4j", "init"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "错误：没有指定 Neo4j 图数据库：请用 --neo4j URI 或设置 LIAISON_NEO4J_URI\n"
    assert main(["neo4j", "init", "--neo4j", "bolt://127.0.0.1:9"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("错误：无法连接图数据库")


@pytest.mark.bolt
def test_the_counts_are_one_read_transaction(bolt_server, tmp_path, caplog):
    """``stats`` reads every count in one read transaction (one snapshot), not one a kind."""
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.loaders import load_files

    from tests.conftest import open_backend

    store = open_backend("bolt", tmp_path)
    try:
        load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
        with EmbeddedStore(tmp_path / "e.db") as embedded:
            load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], embedded)
            expected = embedded.stats()
        caplog.set_level(logging.DEBUG, logger="neo4j")
        caplog.clear()
        assert store.stats() == expected
        begins, runs = sent(caplog)
        # one statement a count, and the check that no bounded import is unfinished
        assert len(begins) == 1 and begins[0].get("mode") == "r" and len(runs) == len(expected) + 1
    finally:
        store.close()
