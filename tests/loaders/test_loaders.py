"""Loaders: every format, header variants, kept extras, and bad input refused whole."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liaison_graph.graph import fastpaths
from liaison_graph.graph.errors import InputError
from liaison_graph.loaders import load_files
from openpyxl import Workbook, load_workbook

from tests.conftest import EDGE_ROSTER, write_csvs, write_json, write_xlsx


def _stored_members(store):
    return {k[1]: v for k, v in store.dump()["nodes"].items() if k[0] == "Member"}


def test_same_roster_in_every_format_gives_the_same_graph(tmp_path):
    from liaison_graph.graph.embedded import EmbeddedStore

    dumps = []
    inputs = {
        "json": [write_json(tmp_path / "r.json", EDGE_ROSTER)],
        "xlsx": [write_xlsx(tmp_path / "r.xlsx", EDGE_ROSTER, title="溪山县政协第十届委员名单")],
        "csv-utf8": write_csvs(tmp_path / "u8", EDGE_ROSTER),
        "csv-bom-zh": write_csvs(tmp_path / "bom", EDGE_ROSTER, encoding="utf-8-sig", chinese=True),
        "csv-gb18030-zh": write_csvs(tmp_path / "gb", EDGE_ROSTER, encoding="gb18030", chinese=True),
    }
    for name, paths in inputs.items():
        with EmbeddedStore(tmp_path / f"{name}.db") as s:
            load_files(paths, s)
            dumps.append((name, s.dump()))
    first = dumps[0][1]
    assert len(first["nodes"]) > 30
    for name, dump in dumps[1:]:
        assert dump == first, name


def test_office_made_sheet_title_rows_blank_rows_extras_and_date_cells(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "委员名单"
    ws.append(["溪山县政协第十届委员名单"])
    ws.merge_cells("A1:H1")
    ws.append(["制表：办公室", None, None, "2026年3月"])
    ws.append(["序号", " 编 号 ", "姓　名", "政治面貌", "界别", "所属政协", "任职开始", "备注"])
    ws.append([1, 1001, "张伟", "中共党员", "中共", "C1", dt.datetime(2022, 1, 10), "党组成员"])
    ws.append([])
    ws.append([2, 1002, "赵敏", "民盟；无党派人士", "民盟", "C1", "2022年1月10日", None])
    ws2 = wb.create_sheet("政协")
    ws2.append(["ｉｄ", "名称"])  # full-width English header
    ws2.append(["C1", "溪山县政协"])
    ws3 = wb.create_sheet("说明")
    ws3.append(["本表由办公室填写"])
    path = tmp_path / "office.xlsx"
    wb.save(path)

    report = load_files([path], store)
    members = _stored_members(store)
    assert members["1001"]["序号"] == "1" and members["1001"]["备注"] == "党组成员"
    assert members["1001"]["start_date"] == "2022-01-10" and members["1002"]["start_date"] == "2022-01-10"
    assert members["1002"]["affiliation"] == ["cdl", "non_party"]
    assert members["1001"]["position"] == "member"  # default
    assert any("说明" in i for i in report.ignored)


BAD_CASES = [
    # (description, table, row index, column, new value, words the message must hold)
    ("unknown affiliation", "members", 2, "affiliation", "共青团员", ["共青团员", "政治面貌"]),
    ("unknown party org kind", "party_orgs", 1, "kind", "党委会", ["党委会", "类型"]),
    ("impossible date", "members", 0, "start_date", "2025-02-30", ["2025-02-30", "任职开始"]),
    ("end before start", "liaisons", 3, "end_date", "2022-12-31", ["早于", "结束日期"]),
    ("duplicate id", "members", 5, "id", "A1", ["重复", "编号"]),
    ("dangling committee", "members", 4, "committee_id", "C9", ["C9", "所属政协"]),
    ("dangling party org", "members", 0, "party_org_ids", "O2、O99", ["O99", "所在党组织"]),
    ("dangling liaison source", "liaisons", 0, "from_id", "Z1", ["Z1", "联系人编号"]),
    ("unknown sector target", "liaisons", 2, "to", "金融界", ["金融界", "联系对象"]),
    ("ambiguous member name", "liaisons", 0, "to", "王芳", ["歧义", "联系对象"]),
    ("temporary branch without end", "party_orgs", 2, "end_date", None, ["临时党支部", "撤销日期"]),
    ("missing required value", "members", 1, "name", "", ["姓名", "为空"]),
    ("contact date missing", "contacts", 0, "date", None, ["日期"]),
    ("masses contact of no member", "masses_contacts", 1, "from_id", "Z1", ["Z1", "委员编号"]),
    ("masses contact without a person", "masses_contacts", 0, "person", "", ["群众姓名", "为空"]),
]
# members' contacts with the masses of their sector, loaded beside each bad case
MASSES = [{"from_id": "A1", "person": "李群", "unit": "社区居民", "date": "2026-03-01", "mode": "走访"},
          {"from_id": "B1", "person": "周众", "date": "2026-03-02"}]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_refused_whole_naming_where(store, tmp_path, case, fmt):
    _, table, index, column, value, words = case
    load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
    before = store.dump()
    roster = copy.deepcopy(EDGE_ROSTER)
    roster["members"].append({"id": "N1", "name": "新委员", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"})
    roster["masses_contacts"] = copy.deepcopy(MASSES)
    roster[table][index][column] = value
    if fmt == "xlsx":
        paths = [write_xlsx(tmp_path / "bad.xlsx", roster, title="名单")]
        sheet = {"members": "委员", "party_orgs": "党组织", "liaisons": "联系", "contacts": "联系记录",
                 "masses_contacts": "界别群众联系"}[table]
        row = index + 4  # title, blank, header, then data rows from 1
        expected_place = f"bad.xlsx 工作表「{sheet}」 第{row}行"
    else:
        paths = write_csvs(tmp_path / "bad", roster, chinese=True)
        expected_place = f"{table}.csv 第{index + 2}行"
    with pytest.raises(InputError) as err:
        load_files(paths, store)
    message = err.value.message
    assert "\n" not in message
    assert message.startswith(expected_place), message
    assert "列「" in message
    for word in words:
        assert word in message, message
    assert store.dump() == before
    assert "N1" not in _stored_members(store)


def test_missing_required_column(store, tmp_path):
    roster = copy.deepcopy(EDGE_ROSTER)
    for row in roster["members"]:
        del row["affiliation"]
    with pytest.raises(InputError) as err:
        load_files(write_csvs(tmp_path / "c", roster, chinese=True), store)
    assert err.value.message.startswith("members.csv 第1行") and "缺少必填列「政治面貌」" in err.value.message
    assert store.stats()["members"] == 0


def test_duplicate_header_is_refused(store, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("编号,姓名,政治面貌,界别,所属政协,id\nA,甲,民盟,民盟,C1,A\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_files([path], store)
    assert "表头重复" in err.value.message and "F列「id」" in err.value.message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("roster.xlsx", "编号,姓名\n1,甲\n".encode(), ["roster.xlsx", "不是有效的 Excel"]),
        ("members.csv", b"PK\x03\x04\x00\x00binary", ["members.csv", "不是 CSV"]),
        ("roster.json", b'{"members": [', ["roster.json", "JSON 格式错误"]),
        ("roster.json", b"[1, 2]", ["roster.json", "顶层应为对象"]),
        ("roster.xls", b"\xd0\xcf\x11\xe0", ["roster.xls", "另存为 .xlsx"]),
        ("members.csv", "编号,姓名\n".encode("utf-16"), ["members.csv"]),
    ],
)
def test_file_that_is_not_what_its_name_says(store, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_files([path], store)
    for word in words:
        assert word in err.value.message
    assert store.stats()["members"] == 0


def test_a_later_bad_file_stops_the_whole_load(store, tmp_path):
    good = write_json(tmp_path / "good.json", EDGE_ROSTER)
    bad = tmp_path / "liaisons.csv"
    bad.write_text("联系人编号,联系对象\nA1,Q404\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_files([good, bad], store)
    assert err.value.message.startswith("liaisons.csv 第2行 B列「联系对象」")
    assert store.stats() == dict.fromkeys(store.stats(), 0)


def test_xlsx_header_is_found_below_titles_and_columns_in_any_order(store, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {k: [dict(reversed(list(r.items()))) for r in v] for k, v in EDGE_ROSTER.items()},
                      title="溪山县政协第十届委员名单")
    load_files([path], store)
    assert store.stats()["members"] == 17
    wb = load_workbook(path)
    assert wb["委员"]["A1"].value == "溪山县政协第十届委员名单"


# --- the bulk CSV path against the cell-by-cell path ------------------------------------------
MEMBER_HEADERS = ["编号", "姓名", "政治面貌", "所属政协", "界别", "开始日期", "结束日期", "专委会", "党组织", "职务", "备注"]
MEMBER_CELLS = {  # header: (values an office writes, values that go wrong or are odd)
    "编号": (["M1", "M2", " M3 ", "M4", "M5", "M6", "Ｍ７", "M\u200b8", "\ufeffＭ\u200d９\u3000"], ["", "M1", "Ｍ１", "M\t9"]),
    "姓名": (["张伟", " 王芳\u3000", "=1+1", "x" * 40, "（全角）", "李　娜", "\ufeff李\u200b娜 ", "John  Smith", "阿依古丽 · 买买提",
            "Ｌｉ\u3000Ｎａ\u00ad", "\u200e王\u200f"], ["", "名" * 32_768, "张\u202e伟", "王\x07芳", "\u2066李"]),
    "政治面貌": (["中共党员", "民盟", "民盟、九三学社", "群众", "中共党员;民盟", "中共预备党员", "无党派民主人士、\u200b民盟 ",
              "预备党员"], ["不存在的党派", ""]),
    "所属政协": (["C1", "C2", "Ｃ２", "C1\u200b"], ["", "C\u20661"]),
    "界别": (["教育界", "中共", " 经济界 ", "经\u3000济界", "\ufeff民盟"], ["", "\u200b"]),
    "开始日期": (["2023-01-05", "2023/1/5", "2023年1月5日", "20230105", "", "2023-01-05 00:00:00", "\ufeff2023-01-05\u200b"],
             ["2023-02-30", "明天"]),
    "结束日期": (["", "2027-01-01"], ["2022-12-31"]),
    "专委会": (["", "提案委员会", "提案委员会、经济委员会", "提案委员会，，提案委员会", " / ", "、".join("专" * 20),
             "提案\u3000委员会、\u200b经济委员会", "\u200b、提案委员会"],
            ["、".join(f"专{i}" for i in range(21)), "提案\x0b委员会", "经济\u200d委员会"]),
    "党组织": (["", "O1", "O1、O2", "O2;O1、O2", "Ｏ１、O1", "O1\x1f、O2", "\ufeffO1、O\u200b2 "], ["O\x011、O2", "O\ufffe1"]),
    "职务": (["", "委员", "常委", "主席", "\u200b常委"], ["国王"]),
    "备注": (["", "换\n行", "\"引号\"", " 空格 ", "制\t表", "零宽\u200b", "\ufeff新任\u200b", "甲\u200d乙", "\u200b"],
           ["长" * 32_768, "响\x07铃", "\x1b[31m"]),
}


def _cell_path(path, text):
    """The rows as the cell-by-cell path reads them (the path every workbook and JSON file takes)."""
    import csv
    import io

    from liaison_graph.graph.model import model
    from liaison_graph.loaders import parse_sheet
    from liaison_graph.loaders.layout import sheet_from_rows

    sheet = sheet_from_rows(path.name, None, model().table_for(path.stem),
                             enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1))
    return parse_sheet(sheet)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bulk_csv_cleaning_equals_the_cell_path(data, tmp_path_factory, monkeypatch):
    """A large CSV is cleaned in bulk; whatever the cells, it must give the rows, or the
    refusal (same file, row, column and words), that cleaning cell by cell gives."""
    from liaison_graph.loaders import parse_sheet
    from liaison_graph.loaders.read import read_file

    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", 0)  # every file in bulk, however small

    headers = data.draw(st.permutations(MEMBER_HEADERS))
    lines = [headers]
    for _ in range(data.draw(st.integers(0, 8))):
        kind = data.draw(st.integers(0, 9))
        if kind == 0:
            lines.append([])  # a blank line
        elif kind == 1:
            lines.append([""] * len(headers))  # a row of empty cells
        else:
            row = [data.draw(st.sampled_from(MEMBER_CELLS[h][0] if data.draw(st.integers(0, 30)) or not MEMBER_CELLS[h][1]
                                             else MEMBER_CELLS[h][1])) for h in headers]
            lines.append(row[:data.draw(st.integers(1, len(row)))] if kind == 2 else row)  # some rows short
    text = "\n".join(",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n') else c for c in line)
                     for line in lines)
    path = tmp_path_factory.mktemp("bulk") / "members.csv"
    path.write_text(text, encoding="utf-8")

    def outcome(parse):
        try:
            return [(r.row_no, r.values, r.extra) for r in parse()]
        except InputError as exc:
            return exc.message

    sheet = read_file(path).sheets[0]
    assert sheet.frame is not None
    bulk = outcome(lambda: parse_sheet(sheet))
    cells = outcome(lambda: _cell_path(path, text))
    assert bulk == cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_generated_roster_loads_the_same_in_bulk_and_cell_by_cell(tmp_path, monkeypatch, fmt):
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.loaders import bulk
    from liaison_graph.loaders.generate import generate

    generate("city", 3, tmp_path / "roster", fmt)
    paths = sorted((tmp_path / "roster").glob(f"*.{fmt}"))
    read_in_bulk = []
    monkeypatch.setattr(bulk, "parse_frame", lambda sheet, parse=bulk.parse_frame: read_in_bulk.append(sheet.sheet) or parse(sheet))
    dumps = []
    for name, lines in (("bulk", 0), ("cells", 10**9)):
        monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
        with EmbeddedStore(tmp_path / f"{name}.db") as store:
            load_files(paths, store)
            dumps.append(store.dump())
    assert len(read_in_bulk) == 8  # every table of the first load (activities, studios, contacts with the masses), none of the second
    assert dumps[0] == dumps[1] and len(dumps[0]["nodes"]) > 1000


def test_a_small_load_never_loads_the_column_engine(tmp_path):
    """The column engine (polars) is imported only where a size in graph/fastpaths.py takes
    it: importing the loaders and loading the sample (a workbook of a few hundred rows) leave
    it unloaded, and a load of a large CSV loads it."""
    import subprocess
    import sys

    from liaison_graph.loaders.generate import generate

    generate("county", 1, tmp_path / "roster", "csv")
    code = ("import sys; from pathlib import Path; from liaison_graph.graph import fastpaths; "
            "from liaison_graph.graph.embedded import EmbeddedStore; from liaison_graph.loaders import load_files; "
            "from liaison_graph.loaders.sample import SAMPLE; "
            "store = EmbeddedStore(Path(sys.argv[1])); load_files([SAMPLE], store); store.close(); "
            "print('polars' in sys.modules); fastpaths.CLEAN_AS_COLUMNS_FROM = 0; "
            "store = EmbeddedStore(Path(sys.argv[2])); load_files(sorted(Path(sys.argv[3]).glob('*.csv')), store); "
            "store.close(); print('polars' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "sample.db"), str(tmp_path / "large.db"),
                           str(tmp_path / "roster")], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


WORKBOOK_CELLS = {  # header: (cells as an office's workbook holds them, typed and not only text; cells that go wrong)
    "编号": (["M1", "M2", 1003, 1004.0, " M5 ", "Ｍ６", "M\u200b9"], ["Ｍ１"]),
    "姓名": (["张伟", " 王芳\u3000", 12.5, True, "=1+1", "李　娜", "\ufeffJohn  Smith"], ["张\u202e伟"]),
    "政治面貌": (["中共党员", "民盟、九三学社", "群众", "中共预备党员\u200b"], [7, "不存在的党派"]),
    "所属政协": (["C1", 2], ["#N/A"]),  # a formula's error (a lookup that found nothing)
    "界别": (["教育界", "中共", False], []),
    "任职开始": (["2023-01-05", dt.date(2023, 1, 5), dt.datetime(2023, 1, 5), 44931],
             [dt.datetime(2023, 1, 5, 9, 30), 44931.5, 0, 3_000_000, True, "明天", dt.time(8, 0)]),
    "任职结束": ([None, dt.date(2027, 1, 1), 46388], [dt.date(2022, 12, 31)]),
    "专委会": ([None, "提案委员会、经济委员会", 3], []),
    "职务": ([None, "常委"], [1]),
    "备注": ([None, 0.1, -0.0, dt.date(2024, 2, 29), "零宽\u200b", "换\n行"], ["长" * 32_768, "#REF!"]),
}


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bulk_worksheet_cleaning_equals_the_cell_path(data, tmp_path_factory, monkeypatch):
    """A large worksheet is made into text columns and cleaned in bulk; whatever its cells
    hold (numbers, truth values, date and time cells, serial days, blank rows, titles above
    the header, a cell right of the header), it must give the rows, or the refusal, that
    cleaning cell by cell gives."""
    from liaison_graph.loaders import parse_sheet
    from liaison_graph.loaders.read import read_file

    headers = data.draw(st.permutations(list(WORKBOOK_CELLS)))
    offset = data.draw(st.integers(0, 2))  # blank columns left of the table
    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    for _ in range(data.draw(st.integers(0, 2))):
        ws.append(["溪山县政协委员名单"])  # a title row above the header
    ws.append([None] * offset + headers)
    only_cells_can = False  # a cell only the cell path reads right: a date cell it refuses, or one right of the header
    for _ in range(data.draw(st.integers(0, 8))):
        kind = data.draw(st.integers(0, 30))
        if kind == 0:
            ws.append([])  # a blank row
        elif kind == 1:
            ws.append([None] * (offset + len(headers)) + ["表外备注"])  # something right of the header only
            only_cells_can = True
        else:
            row = []
            for h in headers:
                good, odd = WORKBOOK_CELLS[h]
                row.append(data.draw(st.sampled_from(good if data.draw(st.integers(0, 40)) or not odd else odd)))
                only_cells_can |= h == "任职开始" and row[-1] in odd and not isinstance(row[-1], str) \
                    or row[-1] in ("#N/A", "#REF!")
            ws.append([None] * offset + row)
    path = tmp_path_factory.mktemp("sheets") / "members.xlsx"
    wb.save(path)

    def outcome(lines):
        monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
        sheet = read_file(path).sheets[0]
        try:
            return [(r.row_no, r.values, r.extra) for r in parse_sheet(sheet)], sheet.frame is not None
        except InputError as exc:
            return exc.message, sheet.frame is not None

    (bulk, in_bulk), (cells, _) = outcome(0), outcome(10**9)
    assert bulk == cells
    assert in_bulk is not only_cells_can  # handed back to the cell path only for a cell it alone reads right


@pytest.mark.parametrize("lines", [0, 10**9], ids=["in bulk", "cell by cell"])
def test_a_formula_error_in_the_roster_is_refused_where_it_stands(store, tmp_path, monkeypatch, lines):
    """A lookup that found nothing (#N/A) is not an empty cell: a member whose party
    organisation is #N/A must not be counted as unorganised. The load is refused naming the
    cell; an error outside the table (a title, a column with no header) does not matter."""

    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
    load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
    before = store.dump()
    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    ws.append(["#VALUE!"])  # a title row that went wrong
    ws.append(["编号", "姓名", "政治面貌", "所属政协", "界别", "所在党组织", None])
    ws.append(["N1", "新委员", "中共党员", "C1", "中共", "O1", "#DIV/0!"])
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    load_files([path], store)
    assert _stored_members(store)["N1"]["name"] == "新委员"
    ws.append(["N2", "另一委员", "中共党员", "C1", "中共", "#N/A"])
    wb.save(path)
    after_first = store.dump()
    with pytest.raises(InputError) as err:
        load_files([path], store)
    assert err.value.message.startswith("errors.xlsx 工作表「委员」 第4行 F列「所在党组织」"), err.value.message
    assert "公式错误「#N/A」" in err.value.message
    assert store.dump() == after_first != before


def test_a_worksheet_that_starts_right_and_below_names_the_right_cell(store, tmp_path, monkeypatch):
    """The cells are named as the workbook shows them, whether the sheet is read in bulk or
    cell by cell, when the table starts at column C, row 4."""

    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    ws["C4"], ws["D4"], ws["E4"], ws["F4"], ws["G4"] = "编号", "姓名", "政治面貌", "所属政协", "界别"
    ws.append([None, None, "M1", "张伟", "民盟", "C1", "教育界"])
    ws.append([None, None, "M2", "王芳", "共青团员", "C1", "教育界"])
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    for lines in (0, 10**9):
        monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
        with pytest.raises(InputError) as err:
            load_files([path], store)
        assert err.value.message.startswith("offset.xlsx 工作表「委员」 第6行 E列「政治面貌」"), err.value.message


# --- rosters as offices write them: padded names, pasted invisible characters, names for ids --------
def _members_csv(path, lines: list[list[str]]):
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(lines)
    return path


@pytest.mark.parametrize("older", [False, True], ids=["both in the file", "the padded one stored by an older load"])
def test_a_name_padded_for_alignment_is_a_namesake_not_another_person(store, tmp_path, older):
    """An office pads a two-character name with a full-width space (黄　磊). Beside a 黄磊, a
    liaison to 黄磊 by name is ambiguous: refused with both ids, never given silently to one."""
    from liaison_graph.graph.batch import Batch

    roster = copy.deepcopy(EDGE_ROSTER)
    padded = {"id": "B9", "name": "黄　磊", "affiliation": "民进", "committee_id": "C1", "sector": "民进"}
    roster["liaisons"] = [{"from_id": "A1", "to": "黄磊", "mechanism": "按姓名"}]
    if older:
        load_files([write_json(tmp_path / "base.json", {k: roster[k] for k in ("committees", "party_orgs", "members")})],
                   store)
        written = Batch()  # as a load before names were folded kept it
        written.add_node("Member", "B9", {**padded, "affiliation": ["capd"], "cpc": False})
        written.add_edge("SERVES_ON", "Member", "B9", "Committee", "C1")
        store.write(written)
        roster = {"liaisons": roster["liaisons"]}
    else:
        roster["members"].append(padded)
    before = store.dump()
    with pytest.raises(InputError) as err:
        load_files([write_json(tmp_path / "r.json", roster)], store)
    message = err.value.message
    assert "歧义" in message and "B2" in message and "B9" in message and "列「to」" in message, message
    assert store.dump() == before


@pytest.mark.parametrize("lines", [0, 10**9], ids=["in bulk", "cell by cell"])
def test_names_and_ids_as_offices_type_them(store, tmp_path, monkeypatch, lines):
    """Spaces that align a name, spaces and invisible characters pasted along, full-width
    ids: stored as the clean roster would be, by either path."""

    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
    load_files([write_json(tmp_path / "base.json", {k: EDGE_ROSTER[k] for k in ("committees", "party_orgs")})], store)
    path = _members_csv(tmp_path / "members.csv", [
        ["编号", "姓名", "政治面貌", "所属政协", "界别", "专委会", "所在党组织", "备注"],
        ["\ufeffＸＳ－０１８０", "李　娜", " 中共预备党员\u200b", "C1", " 经济界\u200b", "提案委员会、\u200b经济 委员会",
         "Ｏ２\u200d", "\u200b新任 "],
        ["XS-0181\u200b", "  John \u3000 Smith\u00ad ", "无党派民主人士", "Ｃ１", "经\u3000济界", "", "", "甲\u200d乙"],
        ["XS-0182", "阿依古丽 · 买买提", "中共党员", "C1", "民盟", "", "O2", ""],
    ])
    load_files([path], store)
    members = _stored_members(store)
    assert sorted(members) == ["XS-0180", "XS-0181", "XS-0182"]
    first, second, third = (members[i] for i in sorted(members))
    assert (first["name"], second["name"], third["name"]) == ("李娜", "John Smith", "阿依古丽·买买提")
    assert first["sector"] == second["sector"] == "经济界" and first["special_committees"] == ["提案委员会", "经济委员会"]
    assert first["party_org_ids"] == ["O2"] and second["committee_id"] == "C1"
    assert first["备注"] == "新任" and second["备注"] == "甲\u200d乙"  # free text keeps a joiner inside
    assert first["affiliation"] == ["cpc"] and first["cpc"] and first["cpc_probationary"] is True
    assert "cpc_probationary" not in third and second["affiliation"] == ["non_party"]
    sectors = [k[1] for k in store.dump()["nodes"] if k[0] == "Sector"]
    assert sectors == ["C1:民盟", "C1:经济界"] or sorted(sectors) == ["C1:民盟", "C1:经济界"]


def test_every_reference_column_takes_an_unambiguous_name(store, tmp_path):
    """A liaison's source, a contact's two members, a member with the masses, a member's
    committee and party organisations, an organisation's parent, an activity's members: by name
    where the name is unambiguous, stored as the ids they name."""
    roster = copy.deepcopy(EDGE_ROSTER)
    roster["members"][0].update(committee_id="溪山县政协", party_org_ids="机关党支部、O3")
    roster["party_orgs"][1]["parent_id"] = "溪山县政协党组"
    roster["liaisons"] = [{"from_id": "张　伟", "to": "赵敏", "mechanism": "按姓名"},
                          {"from_id": "郑洁", "to": "郭婷", "mechanism": "按姓名"}]
    roster["contacts"] = [{"from_id": "张伟", "to_id": "赵　敏", "date": "2026-03-01", "mode": "谈心谈话"}]
    roster["masses_contacts"] = [{"from_id": "赵敏", "person": "李群", "date": "2026-03-01"}]
    roster["activities"] = [{"id": "H1", "name": "培训", "committee_id": "C1", "start_date": "2026-06-01",
                             "end_date": "2026-06-08", "member_ids": "刘洋、A6"}]
    load_files([write_json(tmp_path / "r.json", roster)], store)
    dump = store.dump()
    a1 = dump["nodes"][("Member", "A1")]
    assert a1["committee_id"] == "C1" and a1["party_org_ids"] == ["O2", "O3"]
    assert dump["nodes"][("PartyOrg", "O2")]["parent_id"] == "O1"
    assert ("LED_BY", "PartyOrg", "O2", "PartyOrg", "O1", "") in dump["edges"]
    assert {(k[2], k[4]) for k in dump["edges"] if k[0] == "LIAISES_WITH"} == {("A1", "B1"), ("D1", "B10")}
    assert [(k[2], k[4]) for k in dump["edges"] if k[0] == "CONTACTED"] == [("A1", "B1")]
    # with the masses: under the sector the member sits in, the person kept on the edge
    assert [(k[2], k[4], k[5]) for k in dump["edges"] if k[0] == "CONTACTED_MASSES"] == [
        ("B1", "C1:" + next(m["sector"] for m in roster["members"] if m["id"] == "B1"), "李群|2026-03-01|other")]
    assert dump["nodes"][("Activity", "H1")]["member_ids"] == ["A5", "A6"]


@pytest.mark.parametrize(("table", "column", "value", "words"), [
    ("liaisons", "from_id", "王　芳", ["歧义", "A3", "A4", "联系人编号"]),
    ("contacts", "to_id", "王芳", ["歧义", "A3", "A4", "联系对象编号"]),
])
def test_an_ambiguous_name_is_refused_listing_what_it_could_mean(store, tmp_path, table, column, value, words):
    roster = copy.deepcopy(EDGE_ROSTER)
    roster[table][0][column] = value
    with pytest.raises(InputError) as err:
        load_files(write_csvs(tmp_path / "c", roster, chinese=True), store)
    message = err.value.message
    assert message.startswith(f"{table}.csv 第2行"), message
    for word in words:
        assert word in message, message
    assert store.stats()["members"] == 0


def test_vocabulary_and_headers_as_offices_write_them(store, tmp_path):
    """无党派民主人士 is 无党派人士; a kind of branch named for what it gathers is a 党支部 (a
    temporary one a 临时党支部); a header may carry a colon, an asterisk or （必填）."""
    load_files([write_json(tmp_path / "base.json", {"committees": EDGE_ROSTER["committees"]})], store)
    orgs = _members_csv(tmp_path / "party_orgs.csv", [
        ["*编号", "名称：", "类型*", "所属政协（必填）", "撤销日期"],
        ["Q1", "界别联合", "联合党支部", "C1", ""], ["Q2", "功能型", "功能型党支部", "C1", ""],
        ["Q3", "界别", "界别党支部", "C1", ""], ["Q4", "培训", "委员培训临时党支部", "C1", "2026-06-30"],
        ["Q5", "机关", "机关党支部", "C1", ""]])
    members = _members_csv(tmp_path / "members.csv", [
        ["编号：", "*姓名", "政治面貌:", "所属政协*", "界别（必填）"], ["N1", "甲", "无党派民主人士", "C1", "经济界"]])
    load_files([orgs, members], store)
    kinds = {k[1]: v["kind"] for k, v in store.dump()["nodes"].items() if k[0] == "PartyOrg"}
    assert kinds == {"Q1": "branch", "Q2": "branch", "Q3": "branch", "Q4": "temporary_branch", "Q5": "branch"}
    assert _stored_members(store)["N1"]["affiliation"] == ["non_party"]


def test_a_probationary_member_is_cpc_and_exports_and_edits_keep_the_wording(tmp_path):
    """中共预备党员 is a CPC member (cpc_probationary kept on the member); the members table
    exported writes 中共预备党员 again, so it loads back the same, and an edit keeps it."""
    from fastapi.testclient import TestClient
    from liaison_graph.api.app import serving_app
    from liaison_graph.api.auth import create_token
    from liaison_graph.api.service import Service
    from liaison_graph.graph.embedded import EmbeddedStore

    roster = copy.deepcopy(EDGE_ROSTER)
    roster["members"][0]["affiliation"] = "中共预备党员"
    with EmbeddedStore(tmp_path / "a.db") as store:
        load_files([write_json(tmp_path / "r.json", roster)], store)
        a1 = _stored_members(store)["A1"]
        assert a1["affiliation"] == ["cpc"] and a1["cpc"] is True and a1["cpc_probationary"] is True
        assert "A1" not in [i["id"] for i in store.gaps("party-member-unorganised", dt.date(2026, 7, 1))]
        client = TestClient(serving_app(Service(store)), raise_server_exceptions=False)
        headers = {"Authorization": f"Bearer {create_token(store, 'P1', 'admin', '组织办公室')[1]}"}
        exported = {}
        for table in ("committees", "party_orgs", "members"):
            r = client.get(f"/api/v1/export/tables/{table}", headers=headers)
            assert r.status_code == 200
            (tmp_path / f"{table}.csv").write_text(r.text, encoding="utf-8")
            exported[table] = r.text
        assert "中共预备党员" in exported["members"] and "cpc_probationary" not in exported["members"]
        members = _stored_members(store)
        member = client.get("/api/v1/members/A1", headers=headers).json()
        r = client.patch("/api/v1/members/A1", json={"township": "某镇"}, headers={**headers, "If-Match": f'"{member["etag"]}"'})
        assert r.status_code == 200, r.text
        assert _stored_members(store)["A1"]["cpc_probationary"] is True
        client.close()
    with EmbeddedStore(tmp_path / "b.db") as again:
        load_files([tmp_path / f"{t}.csv" for t in ("committees", "party_orgs", "members")], again)
        assert _stored_members(again) == members
