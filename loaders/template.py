"""The blank roster workbook an office fills in (``liaison template FILE.xlsx``).

Everything in it comes from the model (graph/model.yaml): a sheet per roster table, named
with the table's Chinese label; a header row of the columns' Chinese labels (exactly what
the loader reads back), the required ones in red with a note saying so; a drop-down list
(an Excel data validation) over the data rows of every column with a closed vocabulary;
id columns formatted as text, so that 0001 stays 0001. A first sheet, 说明, says what each
sheet holds, which columns are required, how dates and lists are written and which values
each vocabulary takes. No cell of 说明 is a header the loader would take for a table's, so
a filled-in template loads as it is; a blank one loads as nothing.
"""

from __future__ import annotations

from pathlib import Path

from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import Column, Table, fold

INSTRUCTIONS = "说明"
LAST_ROW = 1_048_576  # the last row of a worksheet: the drop-down lists hold for every data row
DATE_FORMATS = "2021-12-26、2021/12/26、2021.12.26、2021年12月26日、20211226 或 Excel 日期单元格"
LIST_SEPARATORS = "顿号「、」、逗号、分号、斜杠或换行"
REQUIRED_FONT = "C00000"
REQUIRED_FILL = "FFF2CC"
HEADER_FILL = "DDEBF7"

TABLE_NOTES = {
    "committees": "政协组织：本政协及其上下级政协，每行一个。最上级政协的“上级编号”留空。",
    "party_orgs": "党组织：政协党组、机关党组、分党组、机关党委、党支部（含功能型党支部、界别联合党支部）、临时党支部、党小组，每行一个。",
    "members": "委员名单：每名委员一行，写明政治面貌、界别、职务，以及所在的专委会、委员活动组和党组织。",
    "liaisons": "联系安排：谁（联系人，委员编号）联系谁（委员、界别、专委会、委员活动组或党组织），何时开始、何时结束。",
    "activities": "履职活动：全会、培训、视察、调研、出访等，及参加的委员和出席情况（用于临时党支部和出勤统计）。",
    "contacts": "联系记录（台账）：联系人与联系对象之间每一次谈心谈话、走访、座谈、电话。",
    "masses_contacts": "界别群众联系：委员与本界别政协之外的群众的每一次联系（谁、单位或身份、日期、方式）。",
}
COLUMN_NOTES = {
    ("committees", "parent_id"): "上级政协的编号；最上级政协留空。",
    ("party_orgs", "parent_id"): "上级党组织的编号（如党支部所属的党组）。",
    ("party_orgs", "end_date"): "临时党支部必须填写撤销日期。",
    ("members", "sector"): "界别名称，如 经济界、中共；同一政协内按名称识别。",
    ("members", "special_committees"): "专委会名称，可填多个。",
    ("members", "activity_group"): "委员活动组名称。",
    ("members", "party_org_ids"): "所在党组织的编号，可填多个（党组成员同时在党组和党支部时都填）。",
    ("liaisons", "from_id"): "联系人的委员编号。",
    ("liaisons", "to"): "对象类型为委员或党组织时填编号（本政协内不重名时也可填姓名、名称）；"
                        "为界别、专委会、委员活动组时填名称。",
    ("liaisons", "mechanism"): "联系制度的名称，如 党员委员联系党外委员、党组成员联系界别。",
    ("activities", "member_ids"): "受邀参加活动的委员编号，可填多个。",
    ("activities", "attended_ids"): "实际出席的委员编号，可填多个（出席情况记在这三列，同一人只记一处）。",
    ("activities", "excused_ids"): "请假的委员编号，可填多个。",
    ("activities", "absent_ids"): "缺席的委员编号，可填多个。",
    ("contacts", "from_id"): "联系人的委员编号。",
    ("contacts", "to_id"): "联系对象的委员编号。",
    ("masses_contacts", "from_id"): "联系群众的委员编号。",
    ("masses_contacts", "person"): "群众的姓名；同一委员名下同名的是同一个固定联系对象。",
}


def column_note(table: Table, column: Column) -> str:
    """What a column takes, for a person: required or not, its format, its vocabulary."""
    m = model()
    parts = [f"{column.label}（{column.name}）：{'必填' if column.required else '选填'}。"]
    if column.name == "id" and table.key == ("id",):
        parts.append("本表内不得重复；各县编号可能相同时请加前缀，如 XS-0001。")
    if (table.name, column.name) in COLUMN_NOTES:
        parts.append(COLUMN_NOTES[(table.name, column.name)])
    elif column.ref and column.name != "id":
        parts.append(f"填写{m.nodes[column.ref].label}的编号（本次导入的文件中或库中已有）。")
    if column.type == "date":
        parts.append(f"日期，可写作 {DATE_FORMATS}。")
    if column.enum:
        labels = "、".join(m.enums[column.enum].labels.values())
        parts.append(f"从下拉列表中选：{labels}。")
        if column.is_list:
            parts.append("兼有多项时用顿号分隔直接输入，如 中共党员、九三学社。")
    if column.is_list and not column.enum:
        parts.append(f"可填多项，用{LIST_SEPARATORS}分隔，最多 {column.max_items} 项。")
    if column.default:
        parts.append(f"不填时按“{m.label(column.enum, column.default) if column.enum else column.default}”。")
    if column.text == "free":
        parts.append("可以换行。")
    return "".join(parts)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _validation(column: Column):
    """The drop-down list of a column with a closed vocabulary: the model's labels. A list
    column (政治面貌) may hold two values, so typing past the list warns instead of refusing."""
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = list(model().enums[column.enum].labels.values())
    several = column.is_list
    return DataValidation(
        type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorStyle="warning" if several else "stop",
        errorTitle=f"{column.label}不在列表中"[:32],
        error=(f"请从列表中选择{column.label}；兼有多项时用顿号分隔，如 中共党员、九三学社。" if several
               else f"请从列表中选择{column.label}：{'、'.join(labels)}")[:255],
        promptTitle=column.label[:32],
        prompt=(f"从列表中选择{'；兼有多项时用顿号分隔' if several else ''}")[:255],
    )


def _table_sheet(wb, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(table.label)
    ws.append([c.label for c in table.columns.values()])
    for index, column in enumerate(table.columns.values(), start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color=REQUIRED_FONT if column.required else None)
        cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL if column.required else HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = column_note(table, column)
        cell.comment = Comment(note, "liaison-graph", width=300, height=40 + 18 * (_width(note) // 36 + 1))
        dimension = ws.column_dimensions[letter]
        dimension.width = max(10, _width(column.label) + 4, 16 if column.type == "date" or column.enum else 0)
        if column.text == "id":  # typed ids stay text: 0001 is not the number 1
            dimension.number_format = "@"
        if column.enum:
            validation = _validation(column)
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.freeze_panes = "A2"


def _instructions(ws) -> None:
    """The 说明 sheet: no cell of it equals a column's header, so the loader passes it by."""
    from openpyxl.styles import Alignment, Font

    m = model()
    rows: list[list[str]] = [
        ["委员名单模板 填写说明"],
        ["本工作簿每张工作表是一张名单表，表名和第一行表头不要改动；从第二行起每行填一条。不用的表可以留空或删除。"],
        ["红色表头为必填列；把鼠标停在表头上可看到该列的填写要求。带下拉箭头的列请从列表中选择。"],
        ["填好后用 liaison load 文件名.xlsx 导入：全部通过检查才写入，有问题时指出工作表、行和列，一行都不写。"],
        [],
        ["工作表", "内容", "必填列"],
    ]
    for table in m.tables.values():
        required = "、".join(f"{c.label}（{c.name}）" for c in table.columns.values() if c.required)
        rows.append([f"{table.label}（{table.name}）", TABLE_NOTES.get(table.name, table.label), required])
    rows += [[], ["各列填写要求"], ["工作表", "列（英文名）", "是否必填", "填写要求"]]
    for table in m.tables.values():
        for column in table.columns.values():
            rows.append([f"{table.label}（{table.name}）", f"{column.label}（{column.name}）",
                         "必填" if column.required else "选填", column_note(table, column)])
    rows += [
        [],
        ["日期", f"可写作 {DATE_FORMATS}。不能带具体时刻。"],
        ["多项", f"一格填多项时用{LIST_SEPARATORS}分隔，如 提案委员会、经济委员会。"],
        ["编号", "编号在本表内不得重复。几个县的编号可能相同时，请加上本县前缀，如 XS-0001；全角字母数字按半角读。"],
        [],
        ["选项", "可填的值", "也认得的写法"],
    ]
    used = {c.enum for t in m.tables.values() for c in t.columns.values() if c.enum}
    for name, enum in m.enums.items():
        if name not in used:
            continue
        columns = "、".join(dict.fromkeys(f"{t.label}·{c.label}" for t in m.tables.values()
                                          for c in t.columns.values() if c.enum == name))
        aliases = "、".join(word for word, code in _aliases(name))
        rows.append([f"{columns}（{name}）", "、".join(enum.labels.values()), aliases])
    for row in rows:
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (26, 40, 40, 80), strict=True):
        ws.column_dimensions[letter].width = width


def _aliases(enum: str) -> list[tuple[str, str]]:
    """The other words the loader reads as a vocabulary's values (model.yaml ``aliases``,
    as the model folds them), beside the labels and the English codes."""
    vocab = model().enums[enum]
    own = {fold(word) for code, label in vocab.labels.items() for word in (code, label)}
    words = [(word, code) for word, code in vocab.lookup.items() if word not in own]
    return words + [(f"以「{suffix}」结尾的名称", code) for suffix, code in getattr(vocab, "suffixes", ())]


def write_template(path: Path) -> Path:
    """Write the blank roster workbook to ``path``; refuse to overwrite a file."""
    from openpyxl import Workbook

    if path.exists():
        raise BadArgument(f"文件 {path} 已存在：模板不会覆盖已有文件，请换一个文件名", value=str(path))
    wb = Workbook()
    _instructions(wb.active)
    wb.active.title = INSTRUCTIONS
    for table in model().tables.values():
        _table_sheet(wb, table)
    wb.save(path)
    return path
