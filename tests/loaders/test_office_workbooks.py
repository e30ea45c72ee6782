"""Rosters as offices write them: cells merged down a block of members, ids shown padded with
zeros, dates typed as numbers, section headers, totals rows and the header repeated on every
printed page. Each is read alike cell by cell and in bulk (a sheet of 2,000 rows or more), by
either workbook reader (openpyxl reads a workbook that holds a formula's error)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from liaison_graph.graph import fastpaths
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import InputError
from liaison_graph.loaders import load_files, read_rows

PATHS = pytest.mark.parametrize("lines", [0, 10**9], ids=["in bulk", "cell by cell"])
READERS = pytest.mark.parametrize("title", ["溪山县政协委员名单", "#VALUE!"], ids=["calamine", "openpyxl"])
HEADER = ["序号", "编号", "姓名", "政治面貌", "所属政协", "界别", "专委会", "委员活动组", "任职开始"]


def _workbook(title: str, rows: list, merges=(), formats=None):
    """A members sheet: a title row merged across (an error in it makes openpyxl the reader),
    the header on row 2, then the rows; ``formats``: cell -> number format."""
    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    ws.append([title])
    ws.merge_cells("A1:I1")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    for cell, number_format in (formats or {}).items():
        ws[cell].number_format = number_format
    return wb


def _read(path, monkeypatch, lines):
    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", lines)
    rows, ignored = read_rows([path])
    return {r.values["id"]: r for r in rows["members"]}, ignored


@PATHS
@READERS
def test_a_cell_merged_down_a_block_gives_every_row_its_value(tmp_path, monkeypatch, lines, title):
    """界别 merged over each block of members, 所属政协 over all of them, 专委会 over two: every
    row of a block holds the value. A merge across columns in a data row is one cell's value
    shown wider: it stays in its first cell."""
    wb = _workbook(title, [
        [1, "M1", "张伟", "民盟", "C1", "经济界", None, "第一组"],
        [2, "M2", "李娜", "中共党员", None, None, None, "第一组"],
        [3, "M3", "王芳", "九三学社", None, None, "经济委员会"],
        [4, "M4", "刘洋", "民建", None, "教育界", "提案委员会", "第二组"],
        [5, "M5", "陈静", "无党派人士", None, None, None, "第二组"],
    ], merges=["E3:E7", "F3:F5", "F6:F7", "G6:G7", "G5:H5"])
    wb.save(path := tmp_path / "merged.xlsx")
    members, ignored = _read(path, monkeypatch, lines)
    assert {m: (r.values["committee_id"], r.values["sector"]) for m, r in members.items()} == {
        "M1": ("C1", "经济界"), "M2": ("C1", "经济界"), "M3": ("C1", "经济界"), "M4": ("C1", "教育界"), "M5": ("C1", "教育界")}
    assert members["M5"].values["special_committees"] == ["提案委员会"]
    assert members["M3"].values["special_committees"] == ["经济委员会"] and members["M3"].values["activity_group"] is None
    assert ignored == []


@PATHS
@READERS
def test_numbers_a_format_pads_with_zeros_are_read_as_shown(tmp_path, monkeypatch, lines, title):
    """0008 shown, 8 stored: the id is 0008, as the office sees and writes it elsewhere; a
    number without such a format (a member's card number) reads as it always did."""
    wb = _workbook(title, [
        [1, 8, "张伟", "民盟", 1, "经济界"],
        [2, 12, "李娜", "民盟", 1, "经济界"],
        [3, 320102001, "王芳", "民盟", 1, "经济界"],
        [4, 7, "刘洋", "民盟", 1, "经济界"],
        [5, 1003.0, "陈静", "民盟", 1, "经济界"],
    ], formats={"B3": "0000", "B4": "00000", "B6": '"XS-"0000', "E3": "00", "E4": "00", "E5": "00", "E6": "00"})
    wb.save(path := tmp_path / "padded.xlsx")
    members, _ = _read(path, monkeypatch, lines)
    assert {m: r.values["committee_id"] for m, r in members.items()} == {
        "0008": "01", "00012": "01", "320102001": "01", "XS-0007": "01", "1003": "1"}


@PATHS
@READERS
def test_a_date_typed_as_a_number_is_a_day_written_yyyymmdd(tmp_path, monkeypatch, lines, title):
    wb = _workbook(title, [
        [1, "M1", "张伟", "民盟", "C1", "经济界", None, None, 20220106],
        [2, "M2", "李娜", "民盟", "C1", "经济界", None, None, 20230105.0],
        [3, "M3", "王芳", "民盟", "C1", "经济界", None, None, 44931],  # a serial day, as Excel stores a date
        [4, "M4", "刘洋", "民盟", "C1", "经济界", None, None, dt.date(2024, 2, 29)],
    ])
    wb.save(path := tmp_path / "dates.xlsx")
    members, _ = _read(path, monkeypatch, lines)
    assert {m: r.values["start_date"] for m, r in members.items()} == {
        "M1": "2022-01-06", "M2": "2023-01-05", "M3": "2023-01-05", "M4": "2024-02-29"}
    wb["委员"].append([5, "M5", "陈静", "民盟", "C1", "经济界", None, None, 20221345])
    wb.save(path)
    with pytest.raises(InputError) as err:
        _read(path, monkeypatch, lines)
    assert err.value.message.startswith("dates.xlsx 工作表「委员」 第7行 I列「任职开始」：无法识别的日期「20221345」"), err.value.message


SKIPPED_NOTES = [
    "{file} 第3、6行（分组标题或说明行，如「一、中共」）",
    "{file} 第7、11行（重复的表头行）",
    "{file} 第10、12行（合计行，如「合　计」）",
]


def _skipping_rows(header):
    return [
        ["一、中共"],
        [1, "M1", "张伟", "中共党员", "C1", "中共"],
        [2, "M2", "李娜", "中共党员", "C1", "中共"],
        ["二、经济界（共 2 人）"],
        header,  # the header again, at the top of the next printed page
        [3, "M3", "王芳", "民建", "C1", "经济界"],
        [4, "M4", "刘洋", "民建", "C1", "经济界"],
        ["合　计", None, "4 人"],
        header,
        ["共 4 人"],
    ]


@PATHS
def test_section_headers_totals_and_the_header_again_are_left_out_and_noted_in_a_workbook(tmp_path, monkeypatch, lines):
    wb = _workbook("溪山县政协委员名单", _skipping_rows(HEADER), merges=["A3:I3"])
    wb.save(path := tmp_path / "office.xlsx")
    members, ignored = _read(path, monkeypatch, lines)
    assert {m: r.row_no for m, r in members.items()} == {"M1": 4, "M2": 5, "M3": 8, "M4": 9}
    assert ignored == [note.format(file="office.xlsx 工作表「委员」") for note in SKIPPED_NOTES]


@PATHS
def test_section_headers_totals_and_the_header_again_are_left_out_and_noted_in_a_gb18030_csv(tmp_path, monkeypatch, lines):
    lines_ = [["溪山县政协委员名单"], HEADER, *_skipping_rows(HEADER)]
    text = "\r\n".join(",".join("" if c is None else str(c) for c in row) for row in lines_)
    (path := tmp_path / "委员名单.csv").write_bytes(text.encode("gb18030"))
    members, ignored = _read(path, monkeypatch, lines)
    assert {m: r.row_no for m, r in members.items()} == {"M1": 4, "M2": 5, "M3": 8, "M4": 9}
    assert ignored == [note.format(file="委员名单.csv") for note in SKIPPED_NOTES]


@PATHS
def test_a_name_alone_in_the_first_column_is_a_member_row_with_cells_missing(tmp_path, monkeypatch, lines):
    """Only a heading is left out: a row that holds a name alone is a member the clerk has not
    finished, refused as such, never skipped."""
    wb = Workbook()
    ws = wb.active
    ws.title = "委员"
    for row in (["溪山县政协委员名单"], ["姓名", "编号", "政治面貌", "所属政协", "界别"], ["张伟", "M1", "民盟", "C1", "经济界"],
                ["李娜"]):
        ws.append(row)
    wb.save(path := tmp_path / "names.xlsx")
    with pytest.raises(InputError) as err:
        _read(path, monkeypatch, lines)
    assert "第4行" in err.value.message and "必填项" in err.value.message, err.value.message


@PATHS
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("second", "words"), [
    (["序号", "编号", "姓名", "政治面貌", "界别", "所属政协"], "E列「界别」：这一行又是一行表头，但与第2行的表头不同（这一列在第2行是「所属政协」）"),
    ([None, "联系人编号", "对象类型", "联系对象", "联系机制"], "B列「联系人编号」：这一行又是一行表头，但与第2行的表头不同（这一列在第2行是「编号」）"),
], ids=["columns moved", "another table"])
def test_a_header_of_other_columns_below_the_data_is_refused_naming_it(tmp_path, monkeypatch, lines, fmt, second, words):
    """Two tables pasted into one sheet: the rows below the second header would be read into
    the first one's columns."""
    rows = [[1, "M1", "张伟", "民盟", "C1", "经济界"], second, [2, "M2", "李娜", "民盟", "经济界", "C1"]]
    if fmt == "xlsx":
        _workbook("溪山县政协委员名单", rows).save(path := tmp_path / "two.xlsx")
        place = "two.xlsx 工作表「委员」 第4行 "
    else:
        text = "\n".join(",".join("" if c is None else str(c) for c in row) for row in [["名单"], HEADER, *rows])
        (path := tmp_path / "委员.csv").write_bytes(text.encode("gb18030"))
        place = "委员.csv 第4行 "
    with pytest.raises(InputError) as err:
        _read(path, monkeypatch, lines)
    assert err.value.message.startswith(place + words), err.value.message


def test_an_office_roster_loads_with_its_skipped_rows_in_the_report(tmp_path):
    """The whole way: merged sectors, ids padded with zeros, a section header merged across,
    a totals row; the members stored as the workbook shows them, the report naming what it
    left out."""
    wb = _workbook("溪山县政协委员名单", [
        ["一、经济界"],
        [1, 1, "张伟", "民建", "C1", "经济界", None, None, 20220106],
        [2, 2, "李娜", "民建", None, None, None, None, 20220106],
        ["合计", None, "2 人"],
    ], merges=["A3:I3", "E4:E5", "F4:F5"], formats={"B4": "0000", "B5": "0000"})
    committees = wb.create_sheet("政协")
    committees.append(["编号", "名称", "层级"])
    committees.append(["C1", "溪山县政协", "县"])
    wb.save(path := tmp_path / "office.xlsx")
    with EmbeddedStore(tmp_path / "s.db") as store:
        report = load_files([path], store)
        members = {nid: props for (kind, nid), props in store.dump()["nodes"].items() if kind == "Member"}
    assert {nid: (p["sector"], p["start_date"]) for nid, p in members.items()} == {
        "0001": ("经济界", "2022-01-06"), "0002": ("经济界", "2022-01-06")}
    assert report.ignored == ["office.xlsx 工作表「委员」 第3行（分组标题或说明行，如「一、经济界」）",
                              "office.xlsx 工作表「委员」 第6行（合计行，如「合计」）"]


# --- bulk and cell by cell alike, whatever the mix -------------------------------------------
SECTORS = ["中共", "经济界", "教育界"]


@st.composite
def office_sheets(draw):
    """Blocks of members under a section header, each block's sector (and maybe committee)
    merged down it, the header repeated and totals rows between; what must be read."""
    rows, merges, expected, notes = [], [], {}, {"section": [], "header": [], "totals": []}
    number = 2  # the header's row
    for b in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            rows.append([f"{'一二三四'[b]}、{SECTORS[b % 3]}"])
            number += 1
            notes["section"].append(number)
            if draw(st.booleans()):
                merges.append(f"A{number}:I{number}")
        size = draw(st.integers(1, 4))
        merged = size > 1 and draw(st.booleans())
        committee_merged = size > 1 and draw(st.booleans())
        for i in range(size):
            mid = f"M{b}{i}"
            first = i == 0
            rows.append([len(expected) + 1, mid, "张伟", "民盟",
                         "C1" if first or not committee_merged else None, SECTORS[b % 3] if first or not merged else None])
            number += 1
            expected[mid] = (number, SECTORS[b % 3])
        if merged:
            merges.append(f"F{number - size + 1}:F{number}")
        if committee_merged:
            merges.append(f"E{number - size + 1}:E{number}")
        extra = draw(st.sampled_from([None, "header", "totals"]))
        if extra is not None:
            rows.append(HEADER if extra == "header" else ["合计", None, f"{size} 人"])
            number += 1
            notes[extra].append(number)
    return rows, merges, expected, notes


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(sheet=office_sheets(), title=st.sampled_from(["名单", "#VALUE!"]))
def test_office_sheets_read_alike_in_bulk_and_cell_by_cell(sheet, title, tmp_path_factory, monkeypatch):
    rows, merges, expected, notes = sheet
    path = tmp_path_factory.mktemp("office") / "office.xlsx"
    _workbook(title, rows, merges).save(path)
    for lines in (0, 10**9):
        members, ignored = _read(path, monkeypatch, lines)
        assert {m: (r.row_no, r.values["sector"]) for m, r in members.items()} == expected
        assert all(r.values["committee_id"] == "C1" for r in members.values())
        words = {"section": "分组标题或说明行", "header": "重复的表头行", "totals": "合计行"}
        assert {kind: _noted(ignored, words[kind]) for kind, numbers in notes.items() if numbers} == \
            {kind: numbers for kind, numbers in notes.items() if numbers}


def _noted(ignored: list[str], word: str) -> list[int]:
    line = next(i for i in ignored if word in i)
    return [int(n) for n in line.split(" 第", 1)[1].split("行", 1)[0].split("、")]
