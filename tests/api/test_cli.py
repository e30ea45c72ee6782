"""The command-line contract of DATA-FORMAT.md, help on every command, committees and
members by name, and every error as one Chinese line with the exit status the README gives it."""

from __future__ import annotations

import re

import datetime as dt
import json
import subprocess
import sys

import click
import pytest
from liaison_graph.api.cli import cli, main

from tests.conftest import EDGE_ROSTER, write_json, write_xlsx


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def loaded(tmp_path, capsys):
    db = tmp_path / "cli.db"
    code, out, err = run(capsys, "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER)), "--db", str(db))
    assert code == 0, err
    assert "委员 17 行" in out
    return db


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def test_every_command_has_help(capsys):
    commands = list(all_commands(cli))
    assert {c[0][0] for c in commands} >= {"load", "gaps", "stats", "generate"}
    for path, command in commands:
        assert command.help and command.help.strip(), path
        code, out, _ = run(capsys, *path, "--help")
        assert code == 0 and out.startswith("用法：liaison") and command.help.split("\n")[0].strip() in out, path
        assert not re.search(r"Usage|Options:|Commands:|Show this message|required\]|default:", out), (path, out)  # help in Chinese too
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)


def test_gaps_json_contract(loaded, capsys):
    code, out, err = run(capsys, "gaps", "--rule", "non-party-without-liaison", "--as-of", "2026-07-01",
                         "--format", "json", "--db", str(loaded))
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert list(doc) == ["rule", "as_of", "count", "items"]
    assert doc["rule"] == "non-party-without-liaison" and doc["as_of"] == "2026-07-01" and doc["count"] == 5
    assert doc["items"][0] == {"id": "B2", "name": "黄磊", "committee_id": "C1", "sector": "民进"}
    assert [i["id"] for i in doc["items"]] == ["B2", "B3", "B4", "B6", "B10"]


def test_gaps_default_day_is_today_and_committee_filter(loaded, capsys):
    code, out, _ = run(capsys, "--db", str(loaded), "gaps", "--rule", "party-member-unorganised",
                       "--committee", "C2", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == dt.date.today().isoformat() and doc["count"] == 0


def test_store_from_environment(loaded, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_DB", str(loaded))
    code, out, _ = run(capsys, "stats", "--format", "json")
    assert code == 0
    assert json.loads(out)["members"] == 17


def test_table_and_csv_for_people(loaded, capsys):
    code, out, _ = run(capsys, "gaps", "--rule", "party-member-unorganised", "--as-of", "2026/7/1", "--db", str(loaded))
    assert code == 0
    assert out.splitlines()[1].startswith("未编入党组织的党员委员（截至 2026-07-01）：共 4 名")  # below the header line
    assert "编号" in out and "王芳" in out
    code, out, _ = run(capsys, "gaps", "--rule", "party-member-unorganised", "--as-of", "2026-07-01",
                       "--format", "csv", "--db", str(loaded))
    lines = out.splitlines()
    assert lines[0] == "\ufeff编号,姓名,所属政协,政协编号,界别" and len(lines) == 5
    assert all(",溪山县政协,C1," in line or ",云岭县政协,C2," in line for line in lines[1:]), lines
    code, out, _ = run(capsys, "stats", "--db", str(loaded))
    assert "委员" in out and "17" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["gaps", "--rule", "non-party-without-liaison", "--as-of", "2026-02-30"], ["--as-of", "2026-02-30"]),
        (["gaps", "--rule", "non-party-without-liaison", "--committee", "ZZ"], ["ZZ"]),
    ],
)
def test_bad_arguments_are_one_line_exit_1(loaded, capsys, args, words):
    code, out, err = run(capsys, *args, "--db", str(loaded))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("错误：")
    for word in words:
        assert word in err


def test_bad_roster_exit_1_one_line_nothing_written(loaded, capsys, tmp_path):
    roster = {"members": [{"id": "N1", "name": "甲", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"},
                          {"id": "N2", "name": "乙", "affiliation": "共青团员", "committee_id": "C1", "sector": "民盟"}]}
    path = write_xlsx(tmp_path / "bad.xlsx", roster, title="名单")
    code, out, err = run(capsys, "load", str(path), "--db", str(loaded))
    assert code == 1 and out == ""
    assert err == "错误：bad.xlsx 工作表「委员」 第5行 C列「政治面貌」：无法识别的政治面貌「共青团员」" \
                  "（可用：中共党员、民革、民盟、民建、民进、农工党、致公党、九三学社、台盟、无党派人士、群众）\n"
    _, out, _ = run(capsys, "stats", "--format", "json", "--db", str(loaded))
    assert json.loads(out)["members"] == 17


def test_not_a_store_file(tmp_path, capsys):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("这不是数据库" * 100, encoding="utf-8")
    code, _, err = run(capsys, "stats", "--db", str(bogus))
    assert code == 1 and err.count("\n") == 1 and "不是 liaison-graph 数据库文件" in err


def test_installed_command_runs_as_a_process(loaded):
    """The console script the README uses: no traceback, JSON on stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "liaison_graph.api.cli", "gaps", "--rule", "party-member-unorganised", "--as-of", "2026-07-01",
         "--format", "json", "--db", str(loaded)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["count"] == 4
    bad = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "load", "/nonexistent/x.xlsx", "--db", str(loaded)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1


def test_load_never_moves_a_member_unless_asked(loaded, tmp_path, capsys):
    """Two counties that number their members alike: the second roster's rows would move the
    first county's members. Refused in one line, nothing written; --allow-move moves them."""
    member = {**next(m for m in EDGE_ROSTER["members"] if m["committee_id"] == "C2"), "committee_id": "C1"}
    member.pop("party_org_ids", None)
    roster = write_json(tmp_path / "other.json", {"members": [member]})
    code, out, err = run(capsys, "load", str(roster), "--db", str(loaded))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "已属于政协「云岭县政协」（C2）" in err and "--allow-move" in err, err
    code, out, err = run(capsys, "gaps", "--rule", "non-party-without-liaison", "--committee", "C2", "--as-of",
                         "2026-07-01", "--format", "json", "--db", str(loaded))
    assert [i["id"] for i in json.loads(out)["items"]] == ["B10"]
    code, out, err = run(capsys, "load", str(roster), "--allow-move", "--db", str(loaded))
    assert code == 0, err
    from liaison_graph.graph.embedded import EmbeddedStore

    with EmbeddedStore(loaded) as store:
        assert store.node_props("Member", [member["id"]])[member["id"]]["committee_id"] == "C1"


def test_two_counties_numbering_alike_are_refused_in_separate_loads(tmp_path, capsys):
    """Each county numbers its members 0001…; loaded one after the other, the second county's
    rows would take the first county's members. Refused, naming the rows and the committee
    they belong to, with the fix; the first county's answers unchanged."""
    db = str(tmp_path / "two.db")
    committees = [{"id": "XS", "name": "溪山县政协", "level": "县"}, {"id": "YL", "name": "云岭县政协", "level": "县"}]
    def county(cid, names):
        return {"members": [{"id": f"000{i}", "name": n, "affiliation": "民盟", "committee_id": cid, "sector": "民盟"}
                            for i, n in enumerate(names, 1)]}
    assert run(capsys, "load", str(write_json(tmp_path / "c.json", {"committees": committees})), "--db", db)[0] == 0
    assert run(capsys, "load", str(write_json(tmp_path / "xs.json", county("XS", ["张伟", "李娜", "王芳"]))), "--db", db)[0] == 0
    gaps = ["gaps", "--rule", "non-party-without-liaison", "--format", "json", "--db", db]
    before = run(capsys, *gaps)[1]
    code, out, err = run(capsys, "load", str(write_json(tmp_path / "yl.json", county("YL", ["赵敏", "钱多", "孙立"]))),
                         "--db", db)
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "yl.json" in err and "第1行" in err and "第2行" in err and "第3行" in err, err
    assert "等 3 条记录已属于政协「溪山县政协」（XS）" in err and "XS-0001" in err, err
    assert run(capsys, *gaps)[1] == before


# --- an empty or missing store never reports coverage ---------------------------------------
READ_COMMANDS = [
    ["gaps", "--rule", "non-party-without-liaison"],
    ["gaps", "--rule", "party-member-unorganised", "--format", "json"],
    ["coverage"],
    ["coverage", "--counts", "--format", "json"],
    ["stats"],
    ["reach", "A1"],
    ["why", "A1"],
    ["diff", "--from", "2026-01-01"],
    ["network"],
    ["recommend"],
    ["backup", "copy.db"],
    ["sync", "--to-neo4j", "bolt://127.0.0.1:9"],
    ["token", "create", "--committee", "C1"],
    ["token", "list"],
    ["token", "revoke", "T1"],
    ["serve", "--port", "0"],
]


@pytest.fixture
def no_server(monkeypatch):
    """`serve` would block in uvicorn: it must refuse before it gets there."""
    import uvicorn

    def refuse(*args, **kwargs):
        raise AssertionError("served a store without a roster")

    monkeypatch.setattr(uvicorn, "run", refuse)


@pytest.mark.parametrize("args", READ_COMMANDS, ids=[" ".join(a[:2]) for a in READ_COMMANDS])
def test_a_read_command_on_a_missing_store_refuses_and_creates_nothing(tmp_path, capsys, monkeypatch, no_server, args):
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "typo.db"
    code, out, err = run(capsys, "--db", str(typo), *args)
    assert code == 1 and out == "", (out, err)
    assert err.count("\n") == 1 and "库中没有名单，请先 liaison load 导入名单" in err and str(typo) in err, err
    assert list(tmp_path.iterdir()) == []  # no store file, no journal, no backup


@pytest.mark.parametrize("args", READ_COMMANDS, ids=[" ".join(a[:2]) for a in READ_COMMANDS])
def test_a_read_command_on_a_store_without_a_roster_refuses(tmp_path, capsys, monkeypatch, no_server, args):
    """A store that exists but holds no member (here: only the committees) is no roster either."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "empty.db"
    committees = write_json(tmp_path / "c.json", {"committees": EDGE_ROSTER["committees"]})
    assert run(capsys, "load", str(committees), "--db", str(db))[0] == 0
    code, out, err = run(capsys, "--db", str(db), *args)
    assert code == 1 and out == "", (out, err)
    assert err == f"错误：库中没有名单，请先 liaison load 导入名单（库：{db}）\n"


def test_reports_for_people_name_the_store_and_the_committee(loaded, capsys):
    """The first line of every text report says which committee it speaks for and which
    store it read; JSON stays as it was."""
    where = f"库：{loaded}"
    code, out, _ = run(capsys, "gaps", "--rule", "party-member-unorganised", "--as-of", "2026-07-01", "--committee", "C1",
                       "--db", str(loaded))
    assert code == 0 and out.splitlines()[0] == f"政协：溪山县政协（C1）　{where}"
    whole = f"政协：全库，青川市政协（P1）及其下级政协　{where}"
    for args in (["stats"], ["coverage", "--as-of", "2026-07-01"], ["coverage", "--counts"], ["network"],
                 ["diff", "--from", "2026-01-01"], ["recommend", "--as-of", "2026-07-01"]):
        code, out, err = run(capsys, *args, "--db", str(loaded))
        assert code == 0 and out.splitlines()[0] == whole, (args, out[:200], err)
    code, out, _ = run(capsys, "coverage", "--committee", "P1", "--db", str(loaded))
    assert out.splitlines()[0] == f"政协：青川市政协（P1）及其下级政协　{where}"
    for args in (["reach", "D1"], ["why", "D1"]):
        code, out, _ = run(capsys, *args, "--db", str(loaded))
        assert code == 0 and out.splitlines()[0] == f"政协：云岭县政协（C2）　{where}"
    code, out, _ = run(capsys, "stats", "--format", "json", "--db", str(loaded))
    assert "库" not in out and json.loads(out)["members"] == 17


# --- progress of a long load, on a terminal only --------------------------------------------
def test_a_long_load_shows_progress_on_a_terminal(tmp_path, capsys, monkeypatch):
    from liaison_graph.api import cli as api_cli

    monkeypatch.setattr(api_cli, "PROGRESS_AFTER_S", 0)  # every load counts as long
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER)), "--db", str(tmp_path / "p.db"))
    assert code == 0 and "导入完成" in out
    lines = [line for line in err.splitlines() if line != "正在导入，请稍候" and not line.startswith("正在导入，请稍候（")]
    assert len(lines) == 3, err
    assert lines[0].startswith(f"已读取并检查 {sum(len(rows) for rows in EDGE_ROSTER.values())} 行（")
    assert lines[1].startswith("已核对引用和上下级关系，待写入 ") and lines[2].startswith("已写入 ")
    assert all(line.endswith(" 秒）") for line in lines)


def test_a_load_shows_no_progress_when_stderr_is_no_terminal(tmp_path, capsys, monkeypatch):
    from liaison_graph.api import cli as api_cli

    monkeypatch.setattr(api_cli, "PROGRESS_AFTER_S", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    code, out, err = run(capsys, "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER)), "--db", str(tmp_path / "p.db"))
    assert code == 0 and "导入完成" in out and err == ""


def test_token_create_and_revoke_write_the_token_and_its_audit_record_together(loaded, capsys, monkeypatch):
    """`token create` and `token revoke` write the token and its audit record in one
    transaction: with the journal write failing, neither is written."""
    from liaison_graph.graph.embedded import EmbeddedStore

    def state():
        with EmbeddedStore(loaded) as store:
            return store.tokens(), store.audit(0, 100_000)

    def fail(*args, **kwargs):
        raise RuntimeError("the journal write failed")

    def journal_fails(m):
        """The embedded store's audit write fails, wherever the store writes it."""
        try:
            from liaison_graph.graph import sqlite_journal
        except ImportError:
            m.setattr(EmbeddedStore, "_journal", fail)
        else:
            m.setattr(sqlite_journal, "audit_row", fail)

    before = state()
    with monkeypatch.context() as m:
        journal_fails(m)
        code, out, err = run(capsys, "token", "create", "--committee", "C1", "--role", "editor", "--db", str(loaded))
    assert code != 0 and out == "" and "the journal write failed" in err
    assert state() == before  # no token without its record

    code, out, err = run(capsys, "token", "create", "--committee", "C1", "--role", "editor", "--db", str(loaded))
    assert code == 0, err
    (token,), trail = state()
    assert out.splitlines()[-1].startswith(f"lg_{token.id}_")
    assert (trail[-1]["action"], trail[-1]["target"], trail[-1]["committee_ids"]) == ("token.create", token.id, ["C1"])

    before = state()
    with monkeypatch.context() as m:
        journal_fails(m)
        code, out, err = run(capsys, "token", "revoke", token.id, "--db", str(loaded))
    assert code != 0 and out == ""
    assert state() == before  # still live, no record

    code, out, err = run(capsys, "token", "revoke", token.id, "--db", str(loaded))
    assert code == 0 and out == f"已吊销令牌 {token.id}\n", err
    (revoked,), trail = state()
    assert revoked.revoked_at and (trail[-1]["action"], trail[-1]["target"]) == ("token.revoke", token.id)
    code, _, err = run(capsys, "token", "revoke", token.id, "--db", str(loaded))
    assert code == 1 and f"找不到未吊销的令牌「{token.id}」" in err
    assert state() == ([revoked], trail)


def test_stats_of_a_committee_and_policies_as_json(loaded, capsys):
    """`stats --committee` counts a committee and those below it (as `GET stats` does), the
    whole store without it; `policies --format json` is what `GET policies` answers."""
    _, out, _ = run(capsys, "stats", "--format", "json", "--db", str(loaded))
    whole = json.loads(out)
    _, out, _ = run(capsys, "stats", "--committee", "C2", "--format", "json", "--db", str(loaded))
    county = json.loads(out)
    assert list(county) == list(whole) and 0 < county["members"] < whole["members"] == 17
    code, out, _ = run(capsys, "stats", "--committee", "C2", "--db", str(loaded))
    assert code == 0 and out.splitlines()[0] == f"政协：云岭县政协（C2）　库：{loaded}"
    code, out, err = run(capsys, "stats", "--committee", "ZZ", "--db", str(loaded))
    assert code == 1 and err.count("\n") == 1 and "ZZ" in err
    code, out, _ = run(capsys, "policies", "--format", "json")
    policies = {p["name"]: p for p in json.loads(out)}
    assert code == 0 and policies["silian"]["label"] and len(policies["silian"]["rules"]) == 4
    _, text, _ = run(capsys, "policies")
    assert text.splitlines()[0].startswith(next(iter(policies)) + "（")


def test_a_policy_file_and_a_bad_day_are_refused_naming_them(loaded, capsys, tmp_path):
    for args, words in ((["coverage", "--policy", str(tmp_path / "missing.yaml")], ["missing.yaml", "不存在"]),
                        (["coverage", "--policy", "五联"], ["五联", ".yaml 政策文件"]),
                        (["diff", "--from", "2026-13-01"], ["--from", "2026-13-01"]),
                        (["diff", "--from", "2026-01-01", "--to", "昨天"], ["--to", "昨天"])):
        code, out, err = run(capsys, *args, "--db", str(loaded))
        assert code == 1 and out == "" and err.count("\n") == 1, (args, err)
        assert all(word in err for word in words), (args, err)
    big = tmp_path / "big.yaml"
    big.write_text("name: big\n" + "#" * 70_000, encoding="utf-8")
    code, _, err = run(capsys, "coverage", "--policy", str(big), "--db", str(loaded))
    assert code == 1 and "政策文件过大：big.yaml" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["token", "create", "--committee", "C1", "--role", "boss"], ["--role", "boss", "viewer"]),
        (["reach", "A1", "--hops", "99"], ["--hops", "99", "1 到 10"]),
        (["reach", "A1", "--hops=abc"], ["--hops", "abc"]),
        (["stats", "--bogus", "1"], ["--bogus"]),
        (["gaps"], ["--rule"]),
        (["reach"], ["ID"]),
        (["gaps", "--rule"], ["--rule"]),
        (["stats", "extra"], ["extra"]),
        (["nosuchcommand"], ["nosuchcommand"]),
    ],
)
def test_usage_errors_are_one_chinese_line_exit_1(loaded, capsys, args, words):
    code, out, err = run(capsys, "--db", str(loaded), *args)
    assert code == 1 and out == "", (out, err)
    assert err.count("\n") == 1 and err.startswith("错误：") and "Usage" not in err and "Error" not in err, err
    for word in words:
        assert word in err, err


def test_version(capsys):
    from importlib.metadata import version

    code, out, err = run(capsys, "--version")
    assert code == 0 and out == f"liaison {version('liaison-graph')}\n" and err == ""


def test_gaps_rule_by_chinese_name(loaded, capsys):
    def ids(rule):
        code, out, err = run(capsys, "gaps", "--rule", rule, "--as-of", "2026-07-01", "--format", "json",
                             "--db", str(loaded))
        assert code == 0, err
        doc = json.loads(out)
        return doc["rule"], [i["id"] for i in doc["items"]]

    expected = ids("non-party-without-liaison")
    assert ids("无党员委员联系的党外委员") == ids("党外委员无党员联系") == expected
    assert ids("党的工作对党外委员全覆盖（党员委员联系党外委员）") == expected
    assert ids("未编入党组织的党员委员") == ids("party-member-unorganised")
    code, out, err = run(capsys, "gaps", "--rule", "党员", "--db", str(loaded))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "「党员」" in err and "未编入党组织的党员委员" in err and "non-party-without-liaison" in err


def test_diff_refuses_from_after_to(loaded, capsys):
    code, out, err = run(capsys, "diff", "--from", "2026-12-01", "--to", "2026-01-01", "--db", str(loaded))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "2026-12-01" in err and "2026-01-01" in err and err.startswith("错误：")
    assert run(capsys, "diff", "--from", "2026-01-01", "--to", "2026-01-01", "--db", str(loaded))[0] == 0


def test_token_list_in_local_time(loaded, capsys, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert run(capsys, "token", "create", "--committee", "C1", "--db", str(loaded))[0] == 0
        code, out, _ = run(capsys, "token", "list", "--format", "json", "--db", str(loaded))
        (row,) = json.loads(out)
        assert code == 0 and row["created_at"].endswith("Z")  # JSON unchanged: UTC
        code, out, _ = run(capsys, "token", "list", "--db", str(loaded))
        stamp = dt.datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")) + dt.timedelta(hours=8)
        assert code == 0 and stamp.strftime("%Y-%m-%d %H:%M") in out and "UTC+08:00" in out, out
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_serve_prints_its_address_and_refuses_a_busy_port(loaded, capsys, monkeypatch):
    import socket

    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: served.append((host, port)))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port), "--db", str(loaded))
        assert code == 3 and out == "" and err.count("\n") == 1 and str(port) in err and err.startswith("错误："), err
    assert served == []
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    code, out, err = run(capsys, "serve", "--port", str(port), "--db", str(loaded))
    assert code == 0 and f"http://127.0.0.1:{port}" in out and served == [("127.0.0.1", port)], err
    code, out, err = run(capsys, "serve", "--demo", "--port", str(port))
    secret = out.splitlines()[1]
    assert code == 0 and f"http://127.0.0.1:{port}/#token={secret}" in out, err


# --- names wherever a person types them -------------------------------------------------------
def test_committees_and_members_are_taken_by_name_as_by_id(loaded, capsys):
    """`--committee` and a member argument take an id in any case, or a name as typed (spaces
    and full-width letters aside; a committee also without 政协): the answer is the id's."""
    def answer(*args):
        code, out, err = run(capsys, *args, "--format", "json", "--db", str(loaded))
        assert code == 0, (args, err)
        return json.loads(out)

    gaps = ["gaps", "--rule", "non-party-without-liaison", "--as-of", "2026-07-01", "--committee"]
    by_id = answer(*gaps, "C1")
    assert by_id["count"] == 4
    for typed in ("c1", "ｃ１", "溪山县政协", "溪山县", "溪山县 政协", "溪山县政协委员会"):
        assert answer(*gaps, typed) == by_id, typed
    coverage = ["coverage", "--as-of", "2026-07-01", "--committee"]
    assert answer(*coverage, "青川市") == answer(*coverage, "P1")
    assert answer("why", "郭婷", "--as-of", "2026-07-01") == answer("why", "b10", "--as-of", "2026-07-01") \
        == answer("why", "B10", "--as-of", "2026-07-01")
    assert answer("reach", "郑 洁", "--as-of", "2026-07-01") == answer("reach", "D1", "--as-of", "2026-07-01")
    code, out, _ = run(capsys, "stats", "--committee", "云岭县", "--db", str(loaded))
    assert code == 0 and out.splitlines()[0] == f"政协：云岭县政协（C2）　库：{loaded}"
    code, out, _ = run(capsys, "why", "郑洁", "--db", str(loaded))
    assert code == 0 and out.splitlines()[0] == f"政协：云岭县政协（C2）　库：{loaded}" and "郑洁（D1）" in out
    code, out, err = run(capsys, "why", "王芳", "--db", str(loaded))  # two members called 王芳
    assert (code, out) == (1, "") and err == "错误：有 2 名委员叫「王芳」，请用编号：王芳（A3，溪山县政协）、王芳（A4，溪山县政协）\n"
    code, out, err = run(capsys, *gaps, "西塘县政协", "--db", str(loaded))
    assert (code, out) == (1, "") and err == "错误：找不到政协「西塘县政协」（编号或名称）；可用 liaison committees 查看政协的名称和编号\n"
    code, out, err = run(capsys, "reach", "无此人", "--db", str(loaded))
    assert (code, out) == (1, "") and "找不到委员或党组织「无此人」" in err and "liaison members --q" in err


def test_committees_lists_the_tree_and_members_finds_by_name(loaded, capsys):
    code, out, err = run(capsys, "committees", "--as-of", "2026-07-01", "--format", "json", "--db", str(loaded))
    tree = json.loads(out)
    assert code == 0 and tree["as_of"] == "2026-07-01"
    assert [(c["id"], c["name"], c["depth"]) for c in tree["committees"]] == \
        [("P1", "青川市政协", 0), ("C1", "溪山县政协", 1), ("C2", "云岭县政协", 1)]
    for c in tree["committees"]:
        assert c["members"] == c["cpc_members"] + c["non_party_members"]
        for rule, count in c["gaps"].items():
            code, out, _ = run(capsys, "gaps", "--rule", rule, "--as-of", "2026-07-01", "--committee", c["id"],
                               "--format", "json", "--db", str(loaded))
            assert json.loads(out)["count"] == count, (c["id"], rule)
    assert sum(c["members"] for c in tree["committees"]) > 0
    code, out, _ = run(capsys, "committees", "--as-of", "2026-07-01", "--db", str(loaded))
    lines = out.splitlines()
    assert code == 0 and lines[0] == f"政协：全库，青川市政协（P1）及其下级政协　库：{loaded}"
    assert lines[5].startswith("青川市政协    P1") and lines[6].startswith("　溪山县政协  C1"), out
    assert "党外委员无党员联系" in lines[3] and "P1" not in lines[3]

    code, out, _ = run(capsys, "members", "--q", "王芳", "--db", str(loaded))
    assert code == 0 and out.splitlines()[1] == "姓名包含或编号为「王芳」的委员：共 2 名"
    assert [line.split()[:3] for line in out.splitlines()[-2:]] == [["王芳", "A3", "溪山县政协"], ["王芳", "A4", "溪山县政协"]]
    code, out, _ = run(capsys, "members", "--q", "A3", "--format", "json", "--db", str(loaded))
    found = json.loads(out)
    assert list(found) == ["total", "limit", "offset", "items"] and [m["id"] for m in found["items"]] == ["A3"]
    code, out, _ = run(capsys, "members", "--q", "王芳", "--committee", "云岭县", "--db", str(loaded))
    assert code == 0 and out.splitlines()[1] == "没有找到姓名包含或编号为「王芳」的委员。"


def test_tables_name_committees_where_json_keeps_ids(loaded, capsys):
    code, out, _ = run(capsys, "gaps", "--rule", "party-member-unorganised", "--as-of", "2026-07-01", "--db", str(loaded))
    rows = out.splitlines()[5:]
    assert code == 0 and rows and all("溪山县政协" in r or "云岭县政协" in r for r in rows)
    assert not any(f" {cid} " in f" {r} " for r in rows for cid in ("C1", "C2"))
    code, out, _ = run(capsys, "diff", "--from", "2026-01-01", "--to", "2026-07-01", "--db", str(loaded))
    assert code == 0 and "溪山县政协" in out.split("\n", 2)[2]
    assert run(capsys, "token", "create", "--committee", "云岭县", "--db", str(loaded))[0] == 0
    code, out, _ = run(capsys, "token", "list", "--db", str(loaded))
    assert code == 0 and "云岭县政协" in out and "只读" in out
    code, out, _ = run(capsys, "token", "list", "--format", "json", "--db", str(loaded))
    assert json.loads(out)[0]["committee_id"] == "C2"


# --- every failure: one Chinese line, the documented exit status ------------------------------
CJK = __import__("re").compile(r"[\u4e00-\u9fff]")
R = "non-party-without-liaison"
ERROR_PATHS = {  # what was typed -> the exit status README's table gives it ({db}: the loaded store)
    "unknown option": (["stats", "--bogus"], 1),
    "bad option value": (["reach", "A1", "--hops", "99"], 1),
    "bad choice": (["stats", "--format", "xml"], 1),
    "missing argument": (["why"], 1),
    "missing option": (["gaps"], 1),
    "option without its value": (["gaps", "--rule"], 1),
    "unknown command": (["nosuchcommand"], 1),
    "extra argument": (["stats", "extra"], 1),
    "bad date": (["gaps", "--rule", R, "--as-of", "2026-02-30"], 1),
    "bad date of diff": (["diff", "--from", "昨天"], 1),
    "diff from after to": (["diff", "--from", "2026-12-01", "--to", "2026-01-01"], 1),
    "bad rule": (["gaps", "--rule", "党员"], 1),
    "unknown policy": (["coverage", "--policy", "五联"], 1),
    "missing policy file": (["coverage", "--policy", "{tmp}/missing.yaml"], 1),
    "counts with another breakdown": (["coverage", "--counts", "--by", "sector"], 1),
    "unknown committee": (["gaps", "--rule", R, "--committee", "西塘县政协"], 1),
    "unknown committee of a token": (["token", "create", "--committee", "西塘"], 1),
    "ambiguous name": (["why", "王芳"], 1),
    "unknown member": (["why", "无此人"], 1),
    "unknown start of reach": (["reach", "XX9"], 1),
    "unknown token": (["token", "revoke", "T404"], 1),
    "template not a workbook": (["template", "{tmp}/t.csv"], 1),
    "json at province scale": (["generate", "--scale", "province", "--out", "{tmp}/g", "--format", "json"], 1),
    "bad roster file": (["load", "{tmp}/bad.json"], 1),
    "missing roster file": (["load", "{tmp}/nowhere.xlsx"], 1),
    "a load that would move a member": (["load", "{tmp}/move.json"], 1),
    "missing --db file": (["stats", "--db", "{tmp}/typo.db"], 1),
    "not a store": (["stats", "--db", "{tmp}/bogus.db"], 1),
    "backup over a file": (["backup", "{db}"], 1),
    "restore of no file": (["restore", "{tmp}/none.db"], 1),
    "store unreachable": (["stats", "--neo4j", "bolt://127.0.0.1:9"], 3),
    "sync to an unreachable server": (["sync", "--to-neo4j", "bolt://127.0.0.1:9"], 3),
    "busy port for serve": (["serve", "--port", "{busy}"], 3),
    "page libraries missing for serve": (["serve", "--port", "0"], 3),
}


ERROR_WORDS = {"ambiguous name": "王芳（A4，溪山县政协）", "bad roster file": "共青团员", "not a store": "不是 liaison-graph",
               "a load that would move a member": "--allow-move", "missing --db file": "typo.db",
               "store unreachable": "无法连接图数据库", "page libraries missing for serve": "npm ci --prefix web",
               "unknown committee": "liaison committees", "unknown member": "liaison members --q"}


@pytest.fixture(scope="module")
def error_world(tmp_path_factory):
    """One loaded store and the files the error paths need; none of them writes."""
    tmp = tmp_path_factory.mktemp("errors")
    db = tmp / "cli.db"
    assert main(["load", str(write_json(tmp / "r.json", EDGE_ROSTER)), "--db", str(db)]) == 0
    write_json(tmp / "bad.json", {"members": [{"id": "N1", "name": "甲", "affiliation": "共青团员", "committee_id": "C1",
                                               "sector": "民盟"}]})
    moved = {**next(m for m in EDGE_ROSTER["members"] if m["committee_id"] == "C2"), "committee_id": "C1"}
    moved.pop("party_org_ids", None)
    write_json(tmp / "move.json", {"members": [moved]})
    (tmp / "bogus.db").write_text("这不是数据库" * 100, encoding="utf-8")
    return tmp, db


@pytest.mark.parametrize("case", list(ERROR_PATHS))
def test_every_error_is_one_chinese_line_with_its_exit_status(error_world, capsys, monkeypatch, no_server, case):
    import socket

    from liaison_graph.api.routes import page

    tmp, db = error_world
    args, status = ERROR_PATHS[case]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        if case == "page libraries missing for serve":
            monkeypatch.setattr(page, "WEB", tmp / "no-web")  # where the page's files are looked for
        typed = [a.format(tmp=tmp, db=db, busy=busy.getsockname()[1]) for a in args]
        capsys.readouterr()
        code, out, err = run(capsys, "--db", str(db), *typed)
    assert (code, out) == (status, ""), (case, code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1 and CJK.search(err), (case, err)
    assert not any(word in err for word in ("Traceback", "Error:", "Usage:")), (case, err)
    assert ERROR_WORDS.get(case, "") in err, (case, err)  # the path meant, not another refusal
    assert not (tmp / "typo.db").exists() and not (tmp / "g").exists()


def test_clear_empties_the_roster_keeps_tokens_and_records_it(loaded, capsys):
    code, out, err = run(capsys, "clear", "--db", str(loaded))
    assert code == 1 and out == "" and err.count("\n") == 1 and "--yes" in err  # refused unless confirmed
    assert run(capsys, "token", "create", "--committee", "C1", "--role", "viewer", "--name", "留下",
               "--db", str(loaded))[0] == 0
    code, out, err = run(capsys, "clear", "--yes", "--db", str(loaded))
    assert code == 0 and "委员 17" in out, err
    from liaison_graph.graph.embedded import EmbeddedStore

    with EmbeddedStore(loaded) as store:
        assert not store.has_roster() and store.stats()["members"] == 0 and store.changes(0) == []
        assert [t.name for t in store.tokens()] == ["留下"]
        last = store.audit(0, 1000)[-1]
        assert (last["action"], last["actor"], last["before"]["members"]) == ("roster.clear", "cli", 17)


def test_a_members_own_token_and_the_review_of_its_contacts(loaded, capsys):
    """``token create --member`` issues a member's own token of the member's committee; a
    contact it records waits, ``contacts pending`` lists it by name, ``contacts confirm``
    makes it count and ``--reject`` sends one back."""
    from liaison_graph.api.verbs import edits
    from liaison_graph.api.verbs.scope import Scope
    from liaison_graph.graph.embedded import EmbeddedStore

    code, out, err = run(capsys, "token", "create", "--member", "张伟", "--db", str(loaded))
    assert code == 0 and "委员本人" in out and "所记联系须经确认" in out and "溪山县政协" in out, err
    code, out, _ = run(capsys, "token", "list", "--format", "json", "--db", str(loaded))
    (member,) = [t for t in json.loads(out) if t["role"] == "member"]
    assert (member["committee_id"], member["member_id"]) == ("C1", "A1")
    as_member = Scope("C1", frozenset({"C1"}), f"token:{member['id']}", "A1", True)
    with EmbeddedStore(loaded) as store:
        for day in ("2026-05-01", "2026-05-02"):
            edits.create_contact(store, as_member, {"from_id": "A1", "to_id": "B1", "date": day, "mode": "走访"})
    code, out, _ = run(capsys, "contacts", "pending", "--db", str(loaded))
    assert code == 0 and "张伟（A1）" in out and "赵敏（B1）" in out and "2026-05-01" in out and "走访" in out
    due = lambda: json.loads(run(capsys, "due", "--as-of", "2026-06-01", "--format", "json",  # noqa: E731
                                 "--db", str(loaded))[1])
    last = lambda: next(i["last_contact"] for h in due()["holders"] if h["id"] == "A1"  # noqa: E731
                        for i in h["items"] if i["to_id"] == "B1")
    assert last() == "2026-03-01"  # the pending ones count nowhere
    code, out, _ = run(capsys, "contacts", "confirm", "A1", "B1", "2026年5月1日", "--mode", "走访", "--db", str(loaded))
    assert code == 0 and "已确认" in out and last() == "2026-05-01"
    code, out, _ = run(capsys, "contacts", "confirm", "A1", "B1", "2026-05-02", "--mode", "走访", "--reject",
                       "--db", str(loaded))
    assert code == 0 and "已退回" in out and last() == "2026-05-01"
    code, out, _ = run(capsys, "contacts", "pending", "--db", str(loaded))
    assert "没有待确认的联系记录" in out
    code, _, err = run(capsys, "contacts", "confirm", "A1", "B1", "2026-05-02", "--db", str(loaded))
    assert code != 0 and "找不到" in err and "待确认" in err
