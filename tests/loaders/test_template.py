"""`liaison template`: the blank roster workbook, read with openpyxl and as XML (not with
the product's own reader), loaded back blank, then with two rows filled in."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from openpyxl import load_workbook

from liaison_graph.api.cli import main
from liaison_graph.graph.model import model

ENUM_COLUMNS = {(t.label, c.label): c for t in model().tables.values() for c in t.columns.values() if c.enum}


@pytest.fixture
def template(tmp_path, capsys):
    path = tmp_path / "名单模板.xlsx"
    assert main(["template", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已写出名单模板") and str(path) in out
    return path


def test_every_table_is_a_sheet_headed_in_chinese_with_its_required_columns_marked(template):
    wb = load_workbook(template)
    assert wb.sheetnames == ["说明", *(t.label for t in model().tables.values())]
    for table in model().tables.values():
        ws = wb[table.label]
        header = [c.value for c in ws[1]]
        assert header == [c.label for c in table.columns.values()]
        for cell, column in zip(ws[1], table.columns.values(), strict=True):
            assert cell.comment is not None and cell.comment.text.startswith(f"{column.label}（{column.name}）")
            assert ("：必填。" in cell.comment.text) == column.required
        assert ws.max_row == 1  # no data row
        for letter, column in zip((c.column_letter for c in ws[1]), table.columns.values(), strict=True):
            assert (ws.column_dimensions[letter].number_format == "@") == (column.text == "id")  # 0001 stays 0001
    # the instructions name every sheet, the required columns and every vocabulary's values
    text = "\n".join(str(v) for row in wb["说明"].iter_rows(values_only=True) for v in row if v)
    for table in model().tables.values():
        assert f"{table.label}（{table.name}）" in text
        for column in table.columns.values():
            assert f"{column.label}（{column.name}）" in text
    for column in ENUM_COLUMNS.values():
        assert "、".join(model().enums[column.enum].labels.values()) in text
    assert "YYYY" not in text and "2021年12月26日" in text and "顿号" in text


def test_closed_vocabularies_are_drop_down_lists_over_the_data_rows(template):
    wb = load_workbook(template)
    found = {}
    for table in model().tables.values():
        ws = wb[table.label]
        letters = {c.value: c.column_letter for c in ws[1]}
        for dv in ws.data_validations.dataValidation:
            assert dv.type == "list" and dv.allow_blank
            (ref,) = str(dv.sqref).split()
            letter = letters_of(ref)
            label = next(h for h, x in letters.items() if x == letter)
            found[(table.label, label)] = (dv, ref)
    assert set(found) == set(ENUM_COLUMNS)
    assert {label for _, label in found} >= {"政治面貌", "职务", "党组职务", "类型", "对象类型", "方式", "性别", "层级"}
    for key, (dv, ref) in found.items():
        column = ENUM_COLUMNS[key]
        assert dv.formula1 == '"' + ",".join(model().enums[column.enum].labels.values()) + '"'
        assert re.fullmatch(r"[A-Z]+2:[A-Z]+1048576", ref)
        assert dv.errorStyle == ("warning" if column.is_list else "stop")  # 政治面貌 may hold two, 顿号 between
    # the sheets' XML as Excel reads it
    with zipfile.ZipFile(template) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    elements = [e for xml in sheets for e in re.findall(r"<dataValidation [^>]*>.*?</dataValidation>", xml, flags=re.S)]
    assert len(elements) == len(ENUM_COLUMNS)
    assert all('type="list"' in e and "<formula1>" in e for e in elements)
    assert any("中共党员,民革" in e for e in elements)


def letters_of(ref: str) -> str:
    return re.match(r"[A-Z]+", ref).group()


def test_a_blank_template_loads_as_nothing(template, tmp_path, capsys):
    db = tmp_path / "blank.db"
    code = main(["load", str(template), "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    assert "读取：0 行" in out and "库未改动" in out and "工作表「说明」" in out
    assert main(["stats", "--db", str(db)]) == 1  # still no roster
    assert "库中没有名单" in capsys.readouterr().err


def test_a_filled_template_loads(template, tmp_path, capsys):
    wb = load_workbook(template)
    wb["政协"].append(["XS", "溪山县政协", "县", None, "第十届"])
    members = wb["委员"]
    header = [c.value for c in members[1]]
    row = dict.fromkeys(header)
    row.update({"编号": "XS-0001", "姓名": "张伟", "性别": "男", "政治面貌": "中共党员、九三学社", "所属政协": "XS",
                "界别": "九三学社", "职务": "常委", "任职开始": "2022-01-10"})
    members.append([row[h] for h in header])
    wb.save(template)
    db = tmp_path / "filled.db"
    code = main(["load", str(template), "--db", str(db), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["rows"] == {"committees": 1, "members": 1}
    assert main(["stats", "--format", "json", "--db", str(db)]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["committees"], counts["members"], counts["sectors"]) == (1, 1, 1)


def test_the_template_never_overwrites_a_file(template, capsys):
    before = template.read_bytes()
    assert main(["template", str(template)]) == 1
    assert "已存在" in capsys.readouterr().err and template.read_bytes() == before
