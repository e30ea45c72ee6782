"""Every workbook and CSV the product writes keeps text a spreadsheet would run (a formula,
a DDE call, a hyperlink) as text; the table exports load back as they were; the table
export is linear in its width."""

from __future__ import annotations

import copy
import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.cli import main
from liaison_graph.api.verbs.exports import table_rows
from liaison_graph.api.service import Service
from liaison_graph.graph.batch import Batch
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.policy import builtin
from liaison_graph.graph.spreadsheet import CsvWriter
from liaison_graph.loaders import load_files

from tests.conftest import EDGE_ROSTER, write_json

DAY = "2026-06-30"
TABLES = ("committees", "party_orgs", "members", "activities", "liaisons", "contacts")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What a spreadsheet runs, or may run, when a cell starts with it.
RUNS = ("=", "+", "-", "@", "\t", "\r", "\n")

LINK = '=HYPERLINK("http://evil","x")'
# Loaded from a roster file: member id -> hostile properties.
LOADED = {
    "A1": {"name": "@SUM(1+1)*cmd|' /C calc'!A0"},
    "A3": {"name": "+A3+1", "township": "=1+1"},
    "A4": {"name": "-A4-1"},
    "A5": {"studio": "'=已带引号"},  # quoted already: loads back with its quote
    "B1": {"name": "=cmd|' /C notepad'!A1", "activity_group": "@组"},
    "B2": {"name": LINK, "sector": "=2+3", "=extra": "=3+4"},
    "B3": {"name": "+1+1", "sector": "-2+3"},
    "B4": {"name": "@SUM(A1:A9)"},
    "B5": {"name": "#N/A"},
}
# Written through the store (a loader strips leading white space): member id -> name.
WRITTEN = {"B6": "\t=1+1", "B8": "\r=1+1", "B10": "\n=1+1"}
HOSTILE = [p for props in LOADED.values() for p in props.values()] + ["=extra"] + list(WRITTEN.values())


def hostile_roster() -> dict:
    roster = copy.deepcopy(EDGE_ROSTER)
    for member in roster["members"]:
        member.update(LOADED.get(member["id"], {}))
    roster["committees"][1]["name"] = "=溪山县政协"
    roster["party_orgs"][1]["name"] = "=机关党支部()"
    roster["liaisons"][0]["mechanism"] = "=联系()"
    roster["contacts"][0]["summary"] = "-议题"
    return roster


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "hostile.db"
    with EmbeddedStore(path) as store:
        load_files([write_json(tmp_path / "roster.json", hostile_roster())], store)
        props = store.node_props("Member", list(WRITTEN))
        store.write(Batch(nodes={"Member": {m: {**props[m], "name": name} for m, name in WRITTEN.items()}}))
    return path


@pytest.fixture
def client(db):
    store = EmbeddedStore(db)
    token = create_token(store, "P1", "admin", "city")[1]
    with TestClient(serving_app(Service(store)), raise_server_exceptions=True) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
    store.close()


def sheet_cells(data: bytes) -> list[str]:
    """Every text cell of every worksheet, read from the XML as Excel reads it; fails if a
    cell holds a formula."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert sheets
        for name in sheets:
            xml = z.read(name)
            assert b"<f>" not in xml and b"<f " not in xml, name
            root = ElementTree.fromstring(xml)
            assert not list(root.iter(f"{MAIN}f")), name
            for c in root.iter(f"{MAIN}c"):
                kind = c.get("t")
                assert kind in (None, "n", "s", "inlineStr", "str"), (name, kind)
                if kind == "inlineStr":
                    texts.append("".join(t.text or "" for t in c.iter(f"{MAIN}t")))
                elif kind == "s":
                    texts.append(shared[int(c.find(f"{MAIN}v").text)])
    return texts


def assert_text_in(data: bytes, wanted: list[str]) -> None:
    cells = sheet_cells(data)
    # XML reads a bare carriage return as a line feed; Excel does the same.
    normal = {c.replace("\r\n", "\n").replace("\r", "\n") for c in cells}
    for text in wanted:
        assert text.replace("\r", "\n") in normal, (text, sorted(normal))


def assert_csv_safe(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(RUNS), cell
    return rows


def uncovered_names() -> list[str]:
    return [LINK, "+1+1", "@SUM(A1:A9)", "#N/A", "\t=1+1", "\r=1+1", "\n=1+1"]


def test_every_workbook_keeps_formula_text_as_text(db, client, tmp_path, capsys):
    for policy in builtin():
        for by in ("sector", "committee"):
            r = client.get(f"/api/v1/coverage.xlsx?policy={policy}&by={by}&as_of={DAY}")
            assert r.status_code == 200, r.text
            sheet_cells(r.content)
    r = client.get(f"/api/v1/coverage.xlsx?by=sector&as_of={DAY}")
    assert_text_in(r.content, uncovered_names() + ["=2+3", "-2+3"])

    report = tmp_path / "report.xlsx"
    assert main(["coverage", "--by", "sector", "--as-of", DAY, "--xlsx", str(report), "--db", str(db)]) == 0
    assert_text_in(report.read_bytes(), uncovered_names() + ["=2+3"])

    pairs = tmp_path / "pairs.xlsx"
    assert main(["recommend", "--as-of", DAY, "--format", "xlsx", "--out", str(pairs), "--db", str(db)]) == 0
    assert_text_in(pairs.read_bytes(), [LINK])
    capsys.readouterr()

    for table in TABLES:
        r = client.get(f"/api/v1/export/tables/{table}?format=xlsx")
        assert r.status_code == 200, r.text
        sheet_cells(r.content)
    r = client.get("/api/v1/export/tables/members?format=xlsx")
    assert_text_in(r.content, HOSTILE)


def test_every_csv_keeps_formula_text_as_text(db, client, capsys):
    for table in TABLES:
        r = client.get(f"/api/v1/export/tables/{table}")
        assert r.status_code == 200, r.text
        if table != "activities":
            assert_csv_safe(r.text)
    flat = [c for row in assert_csv_safe(client.get("/api/v1/export/tables/members").text) for c in row]
    for text in HOSTILE:
        assert ("'" + text if text.lstrip("'").startswith(RUNS) else text) in flat, text
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        assert main(["gaps", "--rule", rule, "--as-of", DAY, "--format", "csv", "--db", str(db)]) == 0
        assert_csv_safe(capsys.readouterr().out)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_exports_load_back_as_they_were(db, client, tmp_path, fmt):
    paths = []
    for table in ("committees", "party_orgs", "members", "liaisons", "contacts"):
        r = client.get(f"/api/v1/export/tables/{table}?format={fmt}")
        paths.append(tmp_path / f"{table}.{fmt}")
        paths[-1].write_bytes(r.content)
    with EmbeddedStore(db) as before, EmbeddedStore(tmp_path / "copy.db") as after:
        load_files(paths, after)
        ids = [m["id"] for m in EDGE_ROSTER["members"]]
        was, now = before.node_props("Member", ids), after.node_props("Member", ids)
        for m in ids:
            for key in ("name", "sector", "township", "activity_group", "studio", "=extra"):
                if key in was[m]:  # a loader strips white space (of each item of a list)
                    want = was[m][key]
                    assert now[m][key] == ([w.strip() for w in want] if isinstance(want, list) else want.strip()), (m, key)
        assert after.node_props("Committee", ["C1"])["C1"]["name"] == "=溪山县政协"
        assert after.node_props("PartyOrg", ["O2"])["O2"]["name"] == "=机关党支部()"


class Key(str):
    """A property name that counts how often it is compared with another."""
    compared = 0

    def __eq__(self, other):
        Key.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_table_export_columns_are_gathered_in_linear_time():
    """Each extra property becomes one column; gathering them compares each name a bounded
    number of times, not once per column already found (many thousand keys took minutes)."""
    keys = [Key(f"附加{i}") for i in range(3000)]
    G = nx.MultiDiGraph()
    G.add_node(("Committee", "C1"), node_kind="Committee", id="C1", name="县政协", level="county")
    for n in range(20):
        props = {"node_kind": "Member", "id": f"M{n}", "name": f"委员{n}", "committee_id": "C1", "sector": "教育界",
                 "affiliation": ["cpc"]}
        props.update({k: f"{n}-{i}" for i, k in enumerate(keys) if i % 20 == n or n == 0})
        G.add_node(("Member", f"M{n}"), **props)
    Key.compared = 0
    headers, rows = table_rows(G, {"C1"}, "members")
    assert Key.compared <= 10 * len(keys), Key.compared
    assert headers[-len(keys):] == keys and len(set(headers)) == len(headers)
    assert len(rows) == 20 and all(len(r) == len(headers) for r in rows)
    assert rows[0][-len(keys):] == [f"0-{i}" for i in range(len(keys))]
    assert rows[1][headers.index("附加1")] == "1-1" and rows[1][headers.index("附加2")] is None


def test_a_large_csv_loads_formula_text_as_the_export_wrote_it(tmp_path):
    """A CSV large enough to be parsed in bulk reads the export's quotes as the small one does."""
    names = {f"X{i}": ["=1+1", "+1", "-1", "@A1", "'=1", "''+1", "'甲", "乙"][i % 8] for i in range(2500)}
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(["编号", "姓名", "政治面貌", "所属政协", "界别"])
    writer.writerows([m, name, "民盟", "C1", name] for m, name in names.items())
    path = tmp_path / "members.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    with EmbeddedStore(tmp_path / "big.db") as store:
        load_files([write_json(tmp_path / "roster.json", EDGE_ROSTER)], store)
        load_files([path], store)
        props = store.node_props("Member", list(names))
    assert {m: p["name"] for m, p in props.items()} == names
    assert {m: p["sector"] for m, p in props.items()} == names
