"""Hostile input: property names a graph library, an export or a store uses itself, text
that a person cannot see or that breaks the files made from it, unbounded extras, rosters
in the wrong encoding. Through every write path (the command line's load of CSV, XLSX and
JSON, the API's member and liaison edits, its uploads), then every read: nothing answers
500, a refusal names the file, sheet, row and column, and what loads is read back whole."""

from __future__ import annotations

import copy
import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.graph import fastpaths
from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.cli import main
from liaison_graph.api.verbs.exports import export_graph
from liaison_graph.api.service import Service
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import InputError
from liaison_graph.graph.model import model
from liaison_graph.loaders import load_files
from tests.conftest import EDGE_ROSTER, write_csvs, write_json, write_xlsx

# Parameter names of the graph library's node and edge calls, keys the exports write
# themselves, and odd text: each is a fine name for an office's extra column.
LIBRARY_WORDS = ["node_for_adding", "nodes_for_adding", "u_for_edge", "v_for_edge", "u_of_edge", "v_of_edge",
                 "ebunch_to_add", "attr", "self", "key", "data", "default", "keys", "u", "v", "n"]
EXPORT_WORDS = ["type", "label", "source", "target", "start", "end", "pid", "viz", "spells", "slices", "links"]
ODD_WORDS = ["a.b", "$.name", "a[0]", "[]", "'单引号'", '"双引号"', "back\\slash", "<tag>", "&amp;", "a b", "备注😀",
             "ｘｙ", "x" * 100, "名" * 100, "__class__", "props", "kind", "committee"]
ACCEPTED = LIBRARY_WORDS + EXPORT_WORDS + ODD_WORDS
# Names the stores keep for themselves: refused on every table of that sort, however typed.
RESERVED_NODE = ["node_kind", "cpc", "_lock", "NODE_KIND", "Ｃｐｃ"]
RESERVED_EDGE = ["edge_kind", "key", "_lock", "Edge_Kind"]
BAD_NAMES = ["a\u202eb", "a\u200bb", "a\x07b", "a\x1bb", "\ufeffa", "x" * 101]

READS = ["stats", "gaps/non-party-without-liaison", "gaps/party-member-unorganised", "coverage?by=committee",
         "coverage?policy=silian&by=sector", "coverage/counts", "coverage.xlsx?by=committee", "members?limit=1000",
         "members/A1", "members/B1", "liaisons?member_id=A1", "party-orgs", "committees", "committees/C1", "sectors",
         "network", "reach/A1?hops=3", "why/B1", "diff?from=2022-01-01", "recommend?policy=pairing", "changes?limit=1000",
         "export/graph", "export/graph?format=graphml", "export/graph?format=gexf",
         *[f"export/tables/{t}?format={f}" for t in ("committees", "party_orgs", "members", "activities", "liaisons",
                                                      "contacts") for f in ("csv", "xlsx")]]


@dataclass
class Office:
    store: EmbeddedStore
    client: TestClient
    headers: dict
    folder: Path

    def get(self, url: str):
        return self.client.get(f"/api/v1/{url}", headers=self.headers)

    def send(self, method: str, url: str, tag: str | None = None, **kw):
        headers = {**self.headers, **({"If-Match": tag} if tag else {})}
        return self.client.request(method, f"/api/v1/{url}", headers=headers, **kw)


@pytest.fixture
def office(tmp_path):
    store = EmbeddedStore(tmp_path / "store.db")
    load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
    client = TestClient(serving_app(Service(store, max_upload_bytes=5_000_000)), raise_server_exceptions=False)
    token = create_token(store, "P1", "admin", "组织办公室")[1]
    yield Office(store, client, {"Authorization": f"Bearer {token}"}, tmp_path)
    client.close()
    store.close()


def every_read_answers(office: Office) -> None:
    """Every read, over the whole store and over a county: each answers, and the XML exports
    are well-formed XML."""
    office.store.subgraph(None), office.store.subgraph({"C1"}), office.store.stats()  # the store's own reads
    for url in READS:
        for committee in ("P1", "C1"):
            full = f"{url}{'&' if '?' in url else '?'}committee_id={committee}"
            r = office.get(full)
            assert r.status_code == 200, (full, r.status_code, r.text[:300])
            if "graphml" in url or "gexf" in url:
                ET.fromstring(r.content)  # well-formed


def tables_load_back(office: Office) -> dict:
    """The committee's roster exports load into an empty store as they are; its dump."""
    folder = office.folder / "exported"
    folder.mkdir(exist_ok=True)
    paths = []
    for table in ("committees", "party_orgs", "members", "liaisons", "contacts"):
        r = office.get(f"export/tables/{table}?format=csv&committee_id=P1")
        assert r.status_code == 200, r.text
        (folder / f"{table}.csv").write_bytes(r.content)
        paths.append(folder / f"{table}.csv")
    with EmbeddedStore(office.folder / "again.db") as again:
        load_files(paths, again)
        return again.dump()


def _members_with(roster: dict, names: list[str], value: str = "值") -> dict:
    roster = copy.deepcopy(roster)
    for table in ("members", "liaisons"):
        for row in roster.get(table, []):
            row.update(dict.fromkeys(names, value))
    return roster


def _write(fmt: str, folder: Path, roster: dict) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        return [write_json(folder / "r.json", roster)]
    if fmt == "xlsx":
        return [write_xlsx(folder / "r.xlsx", roster, title="名单")]
    return write_csvs(folder / "csv", roster, chinese=True)


# --- property names ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_names_a_graph_library_or_an_export_uses_load_and_every_read_answers(office, capsys, fmt):
    names = [n for n in ACCEPTED if n != "key"]  # a liaison's key is the stores' own: below
    roster = _members_with({"members": EDGE_ROSTER["members"], "liaisons": EDGE_ROSTER["liaisons"]}, names)
    for row in roster["members"]:
        row["key"] = "值"  # an office's column headed key, on a table of nodes
    paths = _write(fmt, office.folder / fmt, roster)
    assert main(["load", *map(str, paths), "--db", str(office.folder / "store.db")]) == 0, capsys.readouterr().err
    member = office.store.node_props("Member", ["A1"])["A1"]
    for name in [*names, "key"]:
        assert member[name] == "值", name
    assert member["cpc"] is True
    every_read_answers(office)
    dump = tables_load_back(office)
    stored = {k[1]: v for k, v in dump["nodes"].items() if k[0] == "Member"}
    assert all(stored["A1"][name] == "值" for name in names)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize(("table", "name"), [*[("members", n) for n in RESERVED_NODE],
                                             *[("liaisons", n) for n in RESERVED_EDGE],
                                             ("committees", "committee_id"), ("contacts", "key")])
def test_a_name_the_stores_keep_is_refused_naming_the_column(office, capsys, fmt, table, name):
    roster = {table: [dict(row, **{name: "x"}) for row in EDGE_ROSTER[table]]}
    before = office.store.dump()
    paths = _write(fmt, office.folder / fmt, roster)
    assert main(["load", *map(str, paths), "--db", str(office.folder / "store.db")]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"「{name}」" in err and "保留" in err, err
    assert err.startswith("错误：" + paths[0].name if fmt != "csv" else f"错误：{table}.csv 第1行")
    if fmt == "xlsx":
        assert "第3行" in err  # the header row, below the title and a blank row
    assert office.store.dump() == before


def test_api_edits_with_hostile_field_names(office):
    """POST and PATCH of members and liaisons, and an upload, with every hostile name as a
    field: accepted ones are stored under their names, reserved and unreadable ones refused
    naming the field; never 500, and every read answers after."""
    new = {"id": "N1", "name": "林晓", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"}
    body = {**new, **dict.fromkeys(ACCEPTED, "值")}
    r = office.send("POST", "members", json=body)
    assert r.status_code == 201, r.text
    tag = r.json()["etag"]
    r = office.send("PATCH", "members/N1", tag, json={"node_for_adding": "改", "u_for_edge": None})
    assert r.status_code == 200, r.text
    stored = office.store.node_props("Member", ["N1"])["N1"]
    assert stored["node_for_adding"] == "改" and "u_for_edge" not in stored and stored["key"] == "值"
    tag = r.json()["etag"]
    for name in RESERVED_NODE + BAD_NAMES:
        edits = [("POST", "members", {**new, "id": "N2", name: "x"}, None), ("PATCH", "members/N1", {name: "x"}, tag)]
        for method, url, json_body, etag in edits[:1] if name == "cpc" else edits:  # an edit leaves cpc to the store
            r = office.send(method, url, etag, json=json_body)
            assert r.status_code == 422, (name, r.status_code, r.text)
            assert r.json()["error"]["field"], r.text
    words = ["node_for_adding", "u_for_edge", "v_for_edge", "u_of_edge", "v_of_edge", "type", "source", "id"]
    r = office.send("POST", "liaisons", json={"from_id": "A3", "to": "N1", **dict.fromkeys(words, "值")})
    assert r.status_code == 201, r.text
    lid, tag = r.json()["item"]["liaison_id"], r.json()["etag"]
    for name in RESERVED_EDGE + BAD_NAMES:
        r = office.send("POST", "liaisons", json={"from_id": "A5", "to": "N1", name: "x"})
        assert r.status_code == 422, (name, r.text)
        r = office.send("PATCH", f"liaisons/{lid}", tag, json={name: "x"})
        assert r.status_code == 422, (name, r.text)
    r = office.send("PATCH", f"liaisons/{lid}", tag, json={"v_of_edge": "改", "source": "改"})
    assert r.status_code == 200, r.text
    upload = "编号,姓名,政治面貌,所属政协,界别,u_of_edge,node_for_adding,key\nN3,周明,民盟,C1,民盟,1,2,3\n".encode()
    r = office.send("POST", "imports", files=[("files", ("members.csv", upload, "text/csv"))])
    assert r.status_code == 201, r.text
    bad = "编号,姓名,政治面貌,所属政协,界别,node_kind\nN4,周明,民盟,C1,民盟,1\n".encode()
    r = office.send("POST", "imports", files=[("files", ("members.csv", bad, "text/csv"))])
    assert r.status_code == 422 and "node_kind" in r.json()["error"]["message"], r.text
    assert not office.store.node_props("Member", ["N2", "N4"])
    every_read_answers(office)
    tables_load_back(office)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.one_of(st.text(min_size=1, max_size=110), st.sampled_from(ACCEPTED + RESERVED_NODE + BAD_NAMES)),
       fmt=st.sampled_from(["csv", "json"]))
def test_any_name_is_refused_naming_its_column_or_loads_and_the_graph_builds(tmp_path_factory, name, fmt):
    folder = tmp_path_factory.mktemp("names")
    roster = {k: EDGE_ROSTER[k] for k in ("committees", "party_orgs", "members", "liaisons")}
    roster = _members_with(roster, [name])
    with EmbeddedStore(folder / "s.db") as store:
        try:
            load_files(_write(fmt, folder, roster), store)
        except InputError as exc:
            assert "\n" not in exc.message, exc.message
            if fmt == "csv" and "\x00" in name:  # a NUL byte makes the file binary: refused as a whole file
                assert "二进制" in exc.message and exc.message.startswith("members.csv"), exc.message
            else:
                assert exc.details.get("header") and "列「" in exc.message, exc.message
            assert store.stats()["members"] == 0
            return
        G = store.subgraph(None)
        assert store.subgraph({"C1"}).number_of_nodes() > 10
        buf = io.BytesIO()
        nx.write_graphml(export_graph(G, {"P1", "C1", "C2"}), buf)  # GEXF: through the API, above
        ET.fromstring(buf.getvalue())
        stored = name if fmt == "json" else name.strip()
        if stored and model().tables["members"].column_for(stored) is None:
            assert store.node_props("Member", ["A1"])["A1"][stored] == "值"


# --- bounds ---------------------------------------------------------------------------------------
def test_extra_columns_are_bounded_per_table(office):
    many = {f"列{i}": "x" for i in range(101)}
    row = dict(EDGE_ROSTER["members"][0], **many)
    with pytest.raises(InputError) as err:
        load_files([write_json(office.folder / "m.json", {"members": [row]})], office.store)
    assert "列100" in err.value.message and "100" in err.value.message and "自定义列过多" in err.value.message
    assert err.value.message.startswith("m.json 工作表「members」 第1行")
    for fmt in ("csv", "xlsx"):
        with pytest.raises(InputError) as err:
            load_files(_write(fmt, office.folder / fmt, {"members": [row]}), office.store)
        assert "自定义列过多" in err.value.message and "「列100」" in err.value.message
    del row["列100"]
    load_files([write_json(office.folder / "ok.json", {"members": [row]})], office.store)
    assert office.store.node_props("Member", ["A1"])["A1"]["列99"] == "x"


def test_a_hundred_thousand_keys_on_one_row_are_refused(office):
    row = dict(EDGE_ROSTER["members"][0], id="N9", **{f"k{i}": "x" for i in range(100_000)})
    with pytest.raises(InputError) as err:
        load_files([write_json(office.folder / "wide.json", {"members": [row]})], office.store)
    assert "自定义列过多" in err.value.message and "「k100」" in err.value.message
    r = office.send("POST", "members", json=dict(EDGE_ROSTER["members"][0], id="N9", **{f"k{i}": "x" for i in range(101)}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "k100", r.text[:300]
    assert not office.store.node_props("Member", ["N9"])


def test_a_long_column_name_is_refused(office):
    for fmt in ("csv", "json"):
        with pytest.raises(InputError) as err:
            load_files(_write(fmt, office.folder / fmt, _members_with({"members": EDGE_ROSTER["members"]}, ["长" * 101])),
                       office.store)
        assert "列名过长" in err.value.message and "上限 100" in err.value.message


@pytest.mark.parametrize("lines", [0, 10**9], ids=["in bulk", "cell by cell"])
@pytest.mark.parametrize(("column", "header", "limit"), [("special_committees", "专委会", 20),
                                                         ("party_org_ids", "所在党组织", 50),
                                                         ("affiliation", "政治面貌", 5)])
def test_list_cells_are_bounded(office, monkeypatch, lines, column, header, limit):

    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
    orgs = [{"id": f"Q{i}", "name": f"支部{i}", "kind": "党支部", "committee_id": "C1"} for i in range(limit + 1)]
    values = {"special_committees": [f"专{i}" for i in range(5_000)], "party_org_ids": [o["id"] for o in orgs],
              "affiliation": ["民盟", "民进", "民建", "九三学社", "致公党", "台盟"]}[column]
    members = copy.deepcopy(EDGE_ROSTER["members"])
    members[2][column] = "、".join(values)
    paths = write_csvs(office.folder / "many", {"party_orgs": orgs, "members": members}, chinese=True)
    with pytest.raises(InputError) as err:
        load_files(paths, office.store)
    assert err.value.message.startswith("members.csv 第4行"), err.value.message
    assert f"「{header}」" in err.value.message and f"最多填{limit}项" in err.value.message
    members[2][column] = "、".join(values[:limit])
    load_files(write_csvs(office.folder / "fit", {"party_orgs": orgs, "members": members}, chinese=True), office.store)
    assert len(office.store.node_props("Member", ["A3"])["A3"][column]) == limit


def test_an_activity_lists_a_plenary_but_not_more(office):
    ids = [f"M{i:04d}" for i in range(3001)]
    members = [{"id": i, "name": "委员", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"} for i in ids]
    activity = {"id": "H1", "name": "全体会议", "committee_id": "C1", "kind": "全会", "start_date": "2026-01-05",
                "end_date": "2026-01-08", "member_ids": ids}
    with pytest.raises(InputError) as err:
        load_files([write_json(office.folder / "a.json", {"members": members, "activities": [activity]})], office.store)
    assert "参加委员最多填3000项" in err.value.message and "第1行" in err.value.message
    activity["member_ids"] = ids[:2200]
    load_files([write_json(office.folder / "b.json", {"members": members, "activities": [activity]})], office.store)
    assert len(office.store.node_props("Activity", ["H1"])["H1"]["member_ids"]) == 2200


# --- text: what a person cannot see, and look-alike ids -------------------------------------------
UNSEEN = {"\u202e": "文字方向控制符", "\u2066": "文字方向控制符", "\u202a": "文字方向控制符", "\u2069": "文字方向控制符",
          "\x07": "控制字符", "\x85": "控制字符", "\t": "制表符", "\uffff": "非字符"}  # a zero-width space goes unseen: test_loaders
CELLS = [("members", 2, "id", "编号"), ("members", 2, "name", "姓名"), ("members", 2, "sector", "界别"),
         ("members", 2, "special_committees", "专委会"), ("liaisons", 1, "to", "联系对象"), ("liaisons", 1, "from_id", "联系人编号")]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
@pytest.mark.parametrize(("char", "cell"), [(c, cell) for i, c in enumerate(UNSEEN) for cell in CELLS[i % 3::3]],
                         ids=lambda v: f"U+{ord(v):04X}" if isinstance(v, str) else v[2])
def test_ids_and_names_that_hide_characters_are_refused_naming_the_cell(tmp_path, fmt, char, cell):
    table, index, column, label = cell
    if fmt == "xlsx" and (ord(char) < 0x20 or char == "\uffff"):
        pytest.skip("a workbook cannot hold it")
    roster = copy.deepcopy({k: EDGE_ROSTER[k] for k in ("committees", "party_orgs", "members", "liaisons")})
    roster[table][index][column] = "甲" + char + "乙"
    with EmbeddedStore(tmp_path / "s.db") as store, pytest.raises(InputError) as err:
        load_files(_write(fmt, tmp_path / fmt, roster), store)
    message = err.value.message
    shown = column if fmt == "json" else label
    assert f"U+{ord(char):04X}" in message and UNSEEN[char] in message and f"列「{shown}」" in message, message
    assert f"第{index + {'json': 1, 'csv': 2, 'xlsx': 4}[fmt]}行" in message, message
    assert "\n" not in message and char not in message


def test_a_lone_surrogate_in_json_is_refused(office):
    text = json.dumps({"members": [dict(EDGE_ROSTER["members"][0], name="张\ud800伟")]})
    path = office.folder / "s.json"
    path.write_text(text, encoding="utf-8")  # json.dumps wrote the surrogate as an escape
    with pytest.raises(InputError) as err:
        load_files([path], office.store)
    assert "U+D800" in err.value.message and "「name」" in err.value.message


def test_free_text_keeps_tabs_and_line_breaks_but_no_control_characters(office):
    contacts = [dict(EDGE_ROSTER["contacts"][0], summary="第一点\n第二点\t完", 备注="甲\n乙\u200d丙")]
    load_files([write_json(office.folder / "ok.json", {"contacts": contacts})], office.store)
    (edge,) = [e for e in office.store.dump()["edges"].items() if e[0][0] == "CONTACTED"]
    assert edge[1]["summary"] == "第一点\n第二点\t完" and edge[1]["备注"] == "甲\n乙\u200d丙"
    every_read_answers(office)
    tables_load_back(office)
    for column, value in (("summary", "第一点\x0b第二点"), ("备注", "甲\x1b[31m乙")):
        bad = [dict(EDGE_ROSTER["contacts"][0], **{column: value})]
        with pytest.raises(InputError) as err:
            load_files([write_json(office.folder / "bad.json", {"contacts": bad})], office.store)
        assert "控制字符" in err.value.message and f"「{column}」" in err.value.message


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_header_that_hides_characters_is_refused_and_one_broken_over_two_lines_loads(office, fmt):
    roster = _members_with({"members": EDGE_ROSTER["members"]}, ["备\u200b注"])
    with pytest.raises(InputError) as err:
        load_files(_write(fmt, office.folder / fmt, roster), office.store)
    assert "列名含不可见的零宽字符 U+200B" in err.value.message and "\u200b" not in err.value.message
    roster = {"members": [{"所属\n政协" if k == "committee_id" else k: v for k, v in m.items()} | {"联系\n电话": "1"}
                          for m in EDGE_ROSTER["members"]]}
    load_files(_write(fmt, office.folder / f"{fmt}-2", roster), office.store)
    assert office.store.node_props("Member", ["A1"])["A1"]["联系\n电话"] == "1"


@pytest.mark.parametrize("lines", [0, 10**9], ids=["in bulk", "cell by cell"])
def test_an_id_typed_in_full_width_is_the_same_id(office, monkeypatch, lines):

    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
    members = [{"id": "Ｘ１", "name": "全角", "affiliation": "民盟", "committee_id": "Ｃ１", "sector": "民盟"},
               {"id": "X2", "name": "半角", "affiliation": "中共党员", "committee_id": "C1", "sector": "中共",
                "party_org_ids": "Ｏ２、O2"}]
    liaisons = [{"from_id": "Ｘ２", "to": "X1", "mechanism": "结对"}, {"from_id": "A1", "to": "Ｘ１", "mechanism": "结对"},
                {"from_id": "A1", "to": "Ｘ２", "mechanism": "结对"}]
    load_files(write_csvs(office.folder / "fw", {"members": members, "liaisons": liaisons}, chinese=True), office.store)
    stored = office.store.node_props("Member", ["X1", "Ｘ１", "X2"])
    assert set(stored) == {"X1", "X2"} and stored["X1"]["committee_id"] == "C1"
    assert stored["X2"]["party_org_ids"] == ["O2"]
    liaisons = {(k[2], k[4]) for k in office.store.dump()["edges"] if k[0] == "LIAISES_WITH"}
    assert {("X2", "X1"), ("A1", "X1"), ("A1", "X2")} <= liaisons
    r = office.send("POST", "members", json={"id": "Ｎ７", "name": "全角", "affiliation": "民盟", "committee_id": "C1",
                                             "sector": "民盟"})
    assert r.status_code == 201 and r.json()["item"]["id"] == "N7", r.text
    assert office.send("POST", "members", json={"id": "N7", "name": "又", "affiliation": "民盟", "committee_id": "C1",
                                                "sector": "民盟"}).status_code == 409
    members[0]["name"] = "（全角）ＡＢ"  # a name is kept as typed
    load_files([write_json(office.folder / "n.json", {"members": members[:1]})], office.store)
    assert office.store.node_props("Member", ["X1"])["X1"]["name"] == "（全角）ＡＢ"


# --- encodings --------------------------------------------------------------------------------------
TRADITIONAL = ("編號,姓名,政治面貌,所屬政協,界別\nT1,陳志明,民盟,C1,經濟界\nT2,黃淑華,民進,C1,教育界\n"
               "T3,林國樑,無黨派人士,C1,醫藥衛生界\n")
SIMPLIFIED = "编号,姓名,政治面貌,所属政协,界别\nT1,陈志明,民盟,C1,经济界\nT2,黄淑华,民进,C1,教育界\nT3,林国梁,民建,C1,医药卫生界\n"


def test_a_roster_in_big5_or_shift_jis_is_refused_and_a_real_gb18030_one_with_rare_characters_loads(office):
    path = office.folder / "members.csv"
    rare = bytes.fromhex("fe51").decode("gb18030")  # a character the codec reads as private use (GB18030-2005)
    made = "\ue001"  # a character an office made for a name, in the user-defined area
    text = (SIMPLIFIED + f"T4,王堃{rare},民盟,C1,民盟\nT5,李{made},民盟,C1,民盟\nT6,張國樑,民盟,C1,民盟\n"
            + "".join(f"T{i},赵喆犇,民盟,C1,民盟\n" for i in range(7, 40)))
    path.write_bytes(text.encode("gb18030"))
    load_files([path], office.store)
    stored = office.store.node_props("Member", ["T4", "T5", "T6"])
    assert stored["T4"]["name"] == f"王堃{rare}" and stored["T5"]["name"] == f"李{made}" and stored["T6"]["name"] == "張國樑"
    traditional = SIMPLIFIED.split("\n", 1)[0] + "\nT8,陳志明,民盟,C1,經濟界\nT9,黃淑華,民进,C1,醫藥衛生界\n"
    path.write_bytes(traditional.encode("gb18030"))  # traditional characters, in GB18030
    load_files([path], office.store)
    assert office.store.node_props("Member", ["T9"])["T9"]["sector"] == "醫藥衛生界"
    before = office.store.dump()
    for text, encoding in ((TRADITIONAL, "big5"), (SIMPLIFIED, "big5"), (TRADITIONAL, "cp932"), (SIMPLIFIED, "shift_jis")):
        path.write_bytes(text.encode(encoding, errors="replace"))
        with pytest.raises(InputError) as err:
            load_files([path], office.store)
        message = err.value.message
        assert message.startswith("members.csv：") and "UTF-8 或 GB18030" in message, (encoding, message)
        assert "另存为" in message and "乱码" in message
    assert office.store.dump() == before


def test_the_format_characters_refused_cover_this_python():
    from liaison_graph.loaders.text import FORMAT

    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cf":
            assert any(lo <= code <= hi for lo, hi in FORMAT), hex(code)
