"""A read-only account runs every read command: the test server's reader (``READER`` of
``tests/bolt_server.py``) may read the records of the main database and neither write one nor
change the schema, and the server enforces it (the first test). Every read command answers
the reader exactly as it answers the account that wrote the roster; every write command, and
a write through the HTTP service, is refused in one Chinese line, and nothing changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import neo4j
import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.cli import main
from liaison_graph.api.service import Service
from liaison_graph.graph.bolt import BoltStore
from liaison_graph.loaders import load_files
from neo4j.exceptions import Forbidden
from openpyxl import load_workbook

from tests.conftest import EDGE_ROSTER, open_backend, write_json

pytestmark = pytest.mark.bolt

WROTE = "写入图数据库失败，未写入任何数据：账号 reader 没有写入权限（只读账号只能运行查询命令）"  # a refused write

ROOT = Path(__file__).resolve().parents[2]
DAY = "2025-01-07"
# Every command that reads the store, with its output formats and files (FILE: a path of the
# account's own, compared after). Left out: `policies`, `template` and `generate`, which open no
# store; `backup` and `restore`, for the embedded store only; `serve`, which runs until stopped
# (its app is asked below); and the writes (`load`, `sync`, `neo4j init`, `token create|revoke`,
# `recommend --accept`), refused in the next test.
READS = [
    ["stats"], ["stats", "--format", "json"], ["stats", "--committee", "C1"],
    ["committees", "--as-of", DAY], ["committees", "--format", "json"],
    ["gaps", "--rule", "non-party-without-liaison", "--as-of", DAY],
    ["gaps", "--rule", "party-member-unorganised", "--format", "csv"],
    ["gaps", "--rule", "non-party-without-liaison", "--committee", "C1", "--format", "json"],
    ["coverage", "--as-of", DAY], ["coverage", "--by", "sector", "--format", "json"], ["coverage", "--counts"],
    ["coverage", "--as-of", DAY, "--xlsx", "FILE.xlsx"],
    ["members", "--q", "王"], ["members", "--committee", "C1", "--as-of", DAY, "--format", "json"],
    ["reach", "A1", "--as-of", DAY], ["reach", "O2", "--hops", "3", "--format", "json"],
    ["why", "B1", "--as-of", DAY], ["why", "B2", "--format", "json"],
    ["diff", "--from", "2024-01-01", "--to", "2026-12-31"],
    ["network", "--as-of", DAY], ["network", "--committee", "C1", "--format", "json"],
    ["recommend", "--as-of", DAY], ["recommend", "--format", "json"],
    ["recommend", "--as-of", DAY, "--format", "xlsx", "--out", "FILE.xlsx"],
    ["token", "list"], ["token", "list", "--format", "json"],
    ["export", "--neo4j-admin", "FILE"],
]


def account_args(server, user: str, database: str | None = None) -> list[str]:
    return ["--neo4j", server.uri, "--neo4j-user", user, "--neo4j-database", database or server.database]


def cli(server, user: str, password: str, *command: str, database: str | None = None):
    """The command line in a process of its own, as an account (the password, as always, in
    the environment)."""
    env = {**os.environ, "LIAISON_NEO4J_PASSWORD": password}
    env.pop("LIAISON_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", *account_args(server, user, database), *command],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def contents(path: Path):
    """What a file or a folder of files holds: a workbook's cell values, a text's text."""
    if path.is_dir():
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())}
    if path.suffix == ".xlsx":
        workbook = load_workbook(path)
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}
    return path.read_text(encoding="utf-8")


def state(store) -> tuple:
    """Everything the store holds, read by the account that wrote it."""
    return store.dump(), store.stats(), store.tokens(), store.audit(0, 1000), store.changes(0, 1000)


@pytest.fixture
def roster(bolt_server, tmp_path):
    """The roster on the main database, written by the main account, with a token of it."""
    store = open_backend("bolt", tmp_path)
    load_files([write_json(tmp_path / "r.json", EDGE_ROSTER)], store)
    record, secret = create_token(store, "P1", "admin", "办公室")
    yield store, record, secret
    store.close()


def test_the_reader_may_read_and_not_write(bolt_server, roster):
    """The account is what the tests take it for: the server lets it read the roster, and
    refuses it every write and every change of the schema with Neo4j's own code."""
    name, password = bolt_server.reader
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=(name, password)) as driver, \
            driver.session(database=bolt_server.database) as session:
        assert session.run("MATCH (m:Member) RETURN count(m) AS n").single()["n"] == 17
        for statement in ("CREATE (:Member {id: 'X1'})", "MATCH (m:Member {id: 'B1'}) SET m.name = '改'",
                          "MATCH (m:Member {id: 'B1'}) DETACH DELETE m",
                          "CREATE INDEX reader_index IF NOT EXISTS FOR (n:Member) ON (n.name)"):
            with pytest.raises(Forbidden) as refused:
                session.run(statement).consume()
            assert refused.value.code == "Neo.ClientError.Security.Forbidden", statement


def test_every_read_command_answers_the_reader_as_the_writer(bolt_server, roster, tmp_path, capsys, monkeypatch):
    """Each read command, as the reader: exit status 0, nothing on stderr, and the very output
    (and files) the main account gets."""
    reader, reader_password = bolt_server.reader
    for number, command in enumerate(READS):
        answers = []
        for user, password in (("root", bolt_server.password), (reader, reader_password)):
            monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", password)
            out_path = tmp_path / f"{user}-{number}"
            given = [str(out_path.with_suffix(Path(arg).suffix)) if arg.startswith("FILE") else arg for arg in command]
            status = main([*account_args(bolt_server, user), *given])
            out, err = capsys.readouterr()
            assert (status, err) == (0, ""), (user, command, err)
            written = [Path(arg) for arg, asked in zip(given, command) if asked.startswith("FILE")]
            answers.append((out.replace(str(out_path), "OUT"), [contents(p) for p in written]))
        assert answers[0] == answers[1], command
        assert answers[1][0].strip(), command  # an answer, not an empty one


def test_every_write_command_refuses_the_reader_in_one_line(bolt_server, roster, tmp_path):
    """Each write command, as the reader, in a process of its own: exit status 1, nothing on
    stdout, one Chinese line on stderr (no traceback, no English), and nothing written."""
    store, record, _ = roster
    before = state(store)
    reader, password = bolt_server.reader
    roster_file = write_json(tmp_path / "r.json", EDGE_ROSTER)
    embedded = tmp_path / "source.db"
    assert main(["--db", str(embedded), "load", str(roster_file)]) == 0
    refusals = [
        (["load", str(roster_file)], WROTE),
        (["token", "create", "--committee", "P1", "--name", "只读"], WROTE),
        (["token", "revoke", record.id], WROTE),
        (["recommend", "--as-of", DAY, "--accept"], WROTE),
        (["sync", "--to-neo4j", bolt_server.uri, "--db", str(embedded)], WROTE),
        (["sync", "--to-neo4j", bolt_server.uri, "--db", str(embedded), "--replace"],
         "清空图数据库失败：账号 reader 没有写入权限（只读账号只能运行查询命令）"),
        (["neo4j", "init"], "无法在图数据库中建立约束和索引：账号 reader 没有修改数据库结构的权限，"
                            "请用有此权限的账号运行 liaison neo4j init"),
    ]
    for command, line in refusals:
        done = cli(bolt_server, reader, password, *command)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", f"错误：{line}\n"), command
    assert state(store) == before


def test_a_database_the_reader_may_not_read_is_refused_in_one_line(bolt_server, roster):
    """The reader's group is on the main database alone: asked for another, a read command
    ends in one line naming the account and the database, exit status 3 (the store cannot be
    opened), without a traceback."""
    reader, password = bolt_server.reader
    done = cli(bolt_server, reader, password, "stats", database="bare")
    assert done.returncode == 3 and done.stdout == "" and "Traceback" not in done.stderr
    where = f"{bolt_server.uri}（数据库 bare）"
    assert done.stderr.splitlines()[-1] == f"错误：账号 reader 没有读取图数据库的权限（库：{where}）"


def test_the_service_on_the_reader_answers_reads_and_refuses_writes(bolt_server, roster):
    """The HTTP service opened on the reader: its reads (gaps, tables, the graph, the change
    feed, the audit trail) answer as the main account's service does, with a token the main
    account made; a write is refused (503, one Chinese line) and nothing changes."""
    store, _, secret = roster
    auth = {"Authorization": f"Bearer {secret}"}
    reads = [f"/api/v1/gaps/non-party-without-liaison?as_of={DAY}", "/api/v1/stats", "/api/v1/members/B1",
             "/api/v1/export/tables/members?format=csv", "/api/v1/export/graph?format=graphml",
             "/api/v1/changes", "/api/v1/audit"]
    reader = BoltStore(bolt_server.uri, *bolt_server.reader, bolt_server.database)
    try:
        with TestClient(serving_app(Service(store))) as writer_app, \
                TestClient(serving_app(Service(reader))) as reader_app:
            for url in reads:
                mine, theirs = writer_app.get(url, headers=auth), reader_app.get(url, headers=auth)
                assert (theirs.status_code, theirs.content) == (200, mine.content), url
            before = state(store)
            etag = reader_app.get("/api/v1/members/B1", headers=auth).json()["etag"]
            refused = reader_app.patch("/api/v1/members/B1", json={"计数": "1"}, headers={**auth, "If-Match": etag})
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["message"] == WROTE
            assert state(store) == before
    finally:
        reader.close()
