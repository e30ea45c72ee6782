"""Reliability and security: bad input, crashes, concurrency, hostile names, backups and
migrations. Bounded in time; the figures it prints are those of docs/benchmarks.md (the README shows the short table)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liaison_graph.api.auth import create_token
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import LiaisonError
from liaison_graph.graph.sqlite_schema import SCHEMA
from liaison_graph.loaders import load_files
from openpyxl import Workbook

from benchmarks.api_load import free_port, serving
from tests.conftest import EDGE_ROSTER, increment_under_etags, write_json

ROOT = Path(__file__).resolve().parents[2]
FIGURES: dict[str, int] = {"csv_fuzzed": 0, "csv_refused": 0, "csv_loaded": 0}

HEADERS = ["编号", "id", "姓名", "name", "政治面貌", "affiliation", "所属政协", "committee_id", "界别", "sector", "职务",
           "任职开始", "start_date", "所在党组织", "备注", "序号", "", "编 号", "ＩＤ", "未知列"]
CELLS = ["C1", "C2", "NOPE", "M1", "M2", "张伟", "中共党员", "民盟、九三学社", "火星党", "教育界", "主席", "常委",
         "2024-01-01", "2024/13/40", "2024年1月1日", "O2", "O9", "", " ", "=1+1", "+SUM(A1:A9)", "-2", "@cmd",
         "=HYPERLINK(\"http://x\")", "x" * 40_000, "\u202e反转", "换\n行", "\"引号\"", "，", "\x00"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]


@pytest.fixture
def base(tmp_path):
    store = EmbeddedStore(tmp_path / "base.db")
    load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
    yield store
    store.close()


VALID = {"id": None, "name": ["张伟", "王芳", "=1+1", "@cmd", "-2", "\u202e反转"], "affiliation": ["中共党员", "民盟", "民盟、九三学社"],
         "committee_id": ["C1", "C2"], "sector": ["教育界", "+SUM(A1:A9)", "中共"], "备注": ["=HYPERLINK(\"http://x\")", "", "换\n行"]}


@st.composite
def csv_files(draw):
    if draw(st.booleans()):  # a roster as an office writes it, with some cells gone wrong
        headers = list(VALID) if draw(st.booleans()) else ["编号", "姓名", "政治面貌", "所属政协", "界别", "备注"]
        rows = []
        for i in range(draw(st.integers(0, 6))):
            row = []
            for key in VALID:
                value = f"F{i}" if key == "id" else draw(st.sampled_from(VALID[key]))
                row.append(draw(st.sampled_from(CELLS)) if draw(st.integers(0, 9)) == 0 else value)
            rows.append(row if draw(st.integers(0, 9)) else [])
        name = "members.csv"
    else:
        headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
        rows = draw(st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=len(headers) + 1), max_size=6))
        name = draw(st.sampled_from(["members.csv", "liaisons.csv", "unknown.csv"]))
    lines = [headers] + rows
    text = "\n".join(",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n') else c for c in line)
                     for line in lines)
    encoding = draw(st.sampled_from(ENCODINGS + ["utf-8", "gb18030"]))
    return name, text.encode(encoding, errors="replace")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(case=csv_files())
def test_fuzzed_csv_is_refused_with_a_line_or_loaded_never_half(case, base, tmp_path_factory):
    name, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / name
    path.write_bytes(data)
    before = base.dump()
    FIGURES["csv_fuzzed"] += 1
    try:  # the examples share the store: a member may change committee from one to the next (asked for)
        load_files([path], base, moves=True)
    except LiaisonError as exc:
        FIGURES["csv_refused"] += 1
        assert "\n" not in exc.message and exc.message.startswith(name), exc.message
        assert base.dump() == before
        return
    FIGURES["csv_loaded"] += 1
    after = base.dump()
    assert set(before["nodes"]) <= set(after["nodes"])
    text = data.decode("utf-8-sig", errors="ignore") + data.decode("gb18030", errors="ignore")
    for (kind, nid), props in after["nodes"].items():
        if kind == "Member" and (kind, nid) not in before["nodes"]:
            assert props["name"] in text  # what was loaded is what the file said (formula-like text stays text)


def _xlsx(path: Path, build) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    ws.append(["编号", "姓名", "政治面貌", "所属政协", "界别"])
    build(wb, ws)
    wb.save(path)
    return path


XLSX_CASES = {
    "formula without a cached value": (lambda wb, ws: ws.append(["M1", "=\"张\"&\"伟\"", "民盟", "C1", "教育界"]), "必填项「姓名」为空"),
    "duplicated header": (lambda wb, ws: (ws.delete_rows(1), ws.append(["编号", "姓名", "ID", "政治面貌", "所属政协", "界别"])), "表头重复"),
    "hidden sheet is not loaded": (lambda wb, ws: (ws.append(["M1", "张伟", "民盟", "C1", "教育界"]), wb.create_sheet("说明"),
                                                    setattr(ws, "sheet_state", "hidden")), "没有找到任何可导入的表"),
}


@pytest.mark.parametrize("case", list(XLSX_CASES))
def test_malformed_workbooks_are_refused_whole(case, base, tmp_path):
    build, message = XLSX_CASES[case]
    path = _xlsx(tmp_path / "r.xlsx", build)
    before = base.dump()
    with pytest.raises(LiaisonError) as err:
        load_files([path], base)
    assert message in err.value.message and err.value.message.startswith("r.xlsx") and "\n" not in err.value.message
    assert base.dump() == before


def test_a_sheet_of_its_header_and_empty_rows_loads_as_nothing(base, tmp_path):
    """A blank template (a header, then nothing): read, no row, nothing written."""
    path = _xlsx(tmp_path / "r.xlsx", lambda wb, ws: [ws.append([None] * 5) for _ in range(5)])
    before = base.dump()
    report = load_files([path], base)
    assert report.rows == {} and report.result.created == {} and base.dump() == before


def test_merged_data_cells_load_as_the_workbook_shows_them(base, tmp_path):
    """A committee and a sector merged down over two members: both rows hold them (they were
    refused as empty before)."""
    path = _xlsx(tmp_path / "r.xlsx", lambda wb, ws: (ws.append(["M1", "张伟", "民盟", "C1", "教育界"]),
                                                      ws.append(["M2", "李娜", "民盟", None, None]),
                                                      ws.merge_cells("D2:D3"), ws.merge_cells("E2:E3")))
    load_files([path], base)
    members = {nid: props for (kind, nid), props in base.dump()["nodes"].items() if kind == "Member"}
    assert {nid: (members[nid]["committee_id"], members[nid]["sector"]) for nid in ("M1", "M2")} == \
        {"M1": ("C1", "教育界"), "M2": ("C1", "教育界")}


def test_an_oversized_cell_is_refused_not_cut(base, tmp_path):
    """Excel holds at most 32,767 characters in a cell; a file claiming more (written by
    another tool) is refused, not silently truncated."""
    path = _xlsx(tmp_path / "r.xlsx", lambda wb, ws: ws.append(["M1", "PLACEHOLDER", "民盟", "C1", "教育界"]))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"PLACEHOLDER", ("张" * 40_000).encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    before = base.dump()
    with pytest.raises(LiaisonError) as err:
        load_files([path], base)
    assert "单元格内容过长" in err.value.message and "B列" in err.value.message
    assert base.dump() == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(base, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"0" * (1024 * 1024)
            for _ in range(300):  # 300 MB of zeros, a few hundred KB packed
                fh.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(LiaisonError) as err:
        load_files([path], base)
    assert "压缩炸弹" in err.value.message and time.monotonic() - started < 5


def test_a_hundred_thousand_row_csv_loads(tmp_path):
    rows = ["id,name,affiliation,committee_id,sector"] + [f"M{i},委员{i},{'中共党员' if i % 3 == 0 else '民盟'},C1,界别{i % 30}"
                                                          for i in range(100_000)]
    (tmp_path / "members.csv").write_text("\n".join(rows), encoding="utf-8")
    (tmp_path / "committees.csv").write_text("id,name\nC1,测试政协\n", encoding="utf-8")
    with EmbeddedStore(tmp_path / "big.db") as store:
        report = load_files([tmp_path / "committees.csv", tmp_path / "members.csv"], store)
        assert report.rows["members"] == 100_000 and store.stats()["members"] == 100_000


# --- hostile names through every query, on every store ----------------------------------------------
HOSTILE = ["x') DETACH DELETE n //", "`Member`", "$id", "'; DROP TABLE nodes; --", "\\u0000", "名\"字", "{kind}"]


def test_hostile_names_are_data_not_queries(store, tmp_path):
    roster = json.loads(json.dumps(EDGE_ROSTER))
    for i, text in enumerate(HOSTILE):
        roster["members"].append({"id": f"H{i}{text}", "name": text, "affiliation": "民盟", "committee_id": "C1",
                                  "sector": text, "special_committees": text, "activity_group": text})
        roster["liaisons"].append({"from_id": "A1", "to": f"H{i}{text}", "mechanism": text})
    load_files([write_json(tmp_path / "h.json", roster)], store)
    ids = [f"H{i}{t}" for i, t in enumerate(HOSTILE)]
    import datetime as dt

    assert store.existing("Member", ids) == set(ids)
    assert {p["name"] for p in store.node_props("Member", ids).values()} == set(HOSTILE)
    assert store.stats()["members"] == len(roster["members"])
    G = store.subgraph({"C1"})
    assert all(("Member", i) in G for i in ids)
    assert ("C1", HOSTILE[0]) in store.ids_by_name("Member", ["C1"])
    assert all(any(e[4] == i for e in store.edges_of("Member", ["A1"])) for i in ids)
    gaps = {g["id"] for g in store.gaps("non-party-without-liaison", dt.date(2026, 6, 30), "C1")}
    assert not gaps & set(ids)  # A1 (a party member) covers every one of them
    assert store.changes()[-1]["changes"]


# --- crashes --------------------------------------------------------------------------------------------
def test_sigkill_of_the_server_during_edits_loses_no_acknowledged_write(tmp_path):
    db = tmp_path / "served.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        _, token = create_token(store, "P1", "editor", "crash test")
    rnd = random.Random(7)
    acknowledged: list[str] = []
    kills = 4
    for round_no in range(kills):
        port = free_port()
        cmd = [sys.executable, "-m", "liaison_graph.api.cli", "serve", "--db", str(db), "--port", str(port),
               "--workers", "1"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        stop = threading.Event()

        def writer():
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=5) as http:
                i = 0
                while not stop.is_set():
                    mid = f"K{round_no}-{i}"
                    try:
                        r = http.post("/api/v1/members", json={"id": mid, "name": "临时", "affiliation": "民盟",
                                                               "committee_id": "C1", "sector": "民盟"})
                    except httpx.TransportError:
                        return
                    if r.status_code == 201:
                        acknowledged.append(mid)
                    i += 1

        def importer():
            rows = [{"id": f"U{round_no}-{i}", "name": "导入", "affiliation": "民盟", "committee_id": "C2", "sector": "民盟"}
                    for i in range(300)]
            payload = json.dumps({"members": rows}, ensure_ascii=False).encode()
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
                j = 0
                while not stop.is_set():
                    try:
                        http.post("/api/v1/imports", files=[("files", (f"import{j}.json", payload, "application/json"))])
                    except httpx.TransportError:
                        return
                    j += 1

        threads = [threading.Thread(target=writer), threading.Thread(target=importer)]
        for thread in threads:
            thread.start()
        time.sleep(0.3 + rnd.random())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        stop.set()
        for thread in threads:
            thread.join(10)
    with EmbeddedStore(db) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        present = {nid for (kind, nid) in store.dump()["nodes"] if kind == "Member" and nid.startswith("K")}
        audited = {a["target"] for a in store.audit(0, 100_000) if a["action"] == "member.create"}
        assert set(acknowledged) <= present  # every acknowledged write survived
        assert present == audited  # and nothing is there without its audit record, or the other way round
        imported = [nid for (kind, nid) in store.dump()["nodes"] if kind == "Member" and nid.startswith("U")]
        for round_no in range(kills):  # each upload is whole or absent
            assert sum(1 for nid in imported if nid.startswith(f"U{round_no}-")) in (0, 300)
    FIGURES["server_kills"] = kills
    FIGURES["acknowledged_writes"] = len(acknowledged)


# --- concurrency --------------------------------------------------------------------------------------------
def test_concurrent_editors_lose_no_update_and_readers_never_see_half_an_import(tmp_path):
    db = tmp_path / "busy.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        _, token = create_token(store, "P1", "editor", "concurrency")
    clients, increments = 20, 5
    headers = {"Authorization": f"Bearer {token}"}
    with serving(db, free_port()) as base:
        seen_sizes: set[int] = set()
        batch = [{"id": f"IMP{i}", "name": "导入", "affiliation": "民盟", "committee_id": "C2", "sector": "民盟"}
                 for i in range(400)]
        payload = json.dumps({"members": batch}, ensure_ascii=False).encode()
        reading = threading.Event()

        def reader():
            with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                while not reading.is_set():
                    page = http.get("/api/v1/members?committee_id=C2&q=导入&limit=1000").json()
                    seen_sizes.add(page["total"])

        threads = [threading.Thread(target=increment_under_etags, args=(base, headers, increments)) for _ in range(clients)]
        readers = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads + readers:
            t.start()
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            r = http.post("/api/v1/imports", files=[("files", ("import.json", payload, "application/json"))])
            assert r.status_code == 201, r.text
        for t in threads:
            t.join(120)
        reading.set()
        for t in readers:
            t.join(30)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            final = http.get("/api/v1/members/B1").json()["member"]["计数"]
    assert int(final) == clients * increments  # no update lost
    assert seen_sizes <= {0, 400}  # an import is seen whole or not at all
    FIGURES["concurrent_editors"] = clients
    FIGURES["concurrent_readers"] = 3


# --- backups and migrations --------------------------------------------------------------------------------
def test_backup_while_serving_and_restore(tmp_path):
    db = tmp_path / "live.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        _, token = create_token(store, "P1", "editor", "backup")
    with serving(db, free_port()) as base:
        stop = threading.Event()

        def writer():
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
                i = 0
                while not stop.is_set():
                    http.post("/api/v1/members", json={"id": f"W{i}", "name": "写入", "affiliation": "民盟",
                                                       "committee_id": "C1", "sector": "民盟"})
                    i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.5)
        backup = tmp_path / "copy.db"
        out = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), "backup", str(backup)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        stop.set()
        thread.join(10)
    assert out.returncode == 0, out.stderr
    restored = tmp_path / "restored.db"
    out = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(restored), "restore", str(backup)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    with EmbeddedStore(restored) as store:
        written = {nid for (kind, nid) in store.dump()["nodes"] if kind == "Member" and nid.startswith("W")}
        audited = {a["target"] for a in store.audit(0, 100_000) if a["action"] == "member.create"}
        assert written and written == audited  # one moment: data and journal agree
        assert [t.id for t in store.tokens()]  # tokens come back too


def test_a_store_written_by_the_first_version_opens_and_answers(tmp_path):
    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    member = {"id": "M1", "name": "赵敏", "affiliation": ["cdl"], "cpc": False, "committee_id": "C1", "sector": "民盟"}
    db.execute("INSERT INTO nodes VALUES ('Committee', 'C1', 'C1', ?)", (json.dumps({"id": "C1", "name": "县政协",
                                                                                      "committee_id": "C1"}),))
    db.execute("INSERT INTO nodes VALUES ('Member', 'M1', 'C1', ?)", (json.dumps(member, ensure_ascii=False),))
    db.execute("PRAGMA application_id=1279740240")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    import datetime as dt

    with EmbeddedStore(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] >= 3
        assert [g["id"] for g in store.gaps("non-party-without-liaison", dt.date(2026, 1, 1))] == ["M1"]
        assert store.changes() == [] and store.tokens() == []
        from liaison_graph.graph.policy import builtin
        from liaison_graph.graph.reports import store_report

        whole = store_report(store, dt.date(2026, 1, 1), builtin()["two-coverages"])  # from the report columns
        assert [[i["id"] for i in r["uncovered"]] for r in whole["rules"]] == [[], ["M1"]]


def test_zz_report_figures(capsys):
    with capsys.disabled():
        print("\nreliability:", json.dumps(FIGURES))


def test_secure_defaults_serve_on_loopback_with_a_bounded_upload():
    from liaison_graph.api.cli import serve

    params = {p.name: p for p in serve.params}
    assert params["host"].default == "127.0.0.1"
    assert params["max_upload_mb"].default == 20
