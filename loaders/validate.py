"""Parse and check raw rows: types, vocabularies, dates, required values, duplicates.

The output is :class:`Row` objects holding clean values (enum codes, ISO dates, lists),
each remembering where it came from so later checks can still name file, sheet, row
and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import Column, Table
from liaison_graph.loaders.dates import parse_date
from liaison_graph.loaders.sheet import CellError, RawSheet, SheetColumn, check_header
from liaison_graph.loaders.text import cell_text, fold_id, fold_name, shown, strip_text, text_fault

LIST_SEPARATORS = re.compile(r"[、，,；;／/\n]+")


@dataclass(slots=True)
class Row:
    table: str
    values: dict  # column name -> clean value (None when empty)
    extra: dict  # unknown columns: header -> text
    origin: Where  # file and sheet
    row_no: int
    cells: dict  # column name -> SheetColumn, to name the column at fault

    @property
    def where(self) -> Where:
        return Where(self.origin.file, self.origin.sheet, self.row_no)

    def at(self, column: str) -> Where:
        col = self.cells.get(column)
        return self.where.at(col.letter, col.header) if col else self.where.at(None, model().tables[self.table].columns[column].label)

    def fail(self, column: str, problem: str, value=None) -> InputError:
        return InputError(self.at(column), problem, value)


MAX_CELL = 32_767  # what an Excel cell can hold
TEMPORARY = model().the("party_org_kind", "temporary")  # a temporary branch: needs its 撤销日期


def _formula_error(where: Where, raw: CellError) -> InputError:
    return InputError(where, f"单元格是公式错误「{raw}」，请修正公式或改填内容", str(raw))


def _parse_cell(column: Column, raw, where: Where):
    """Clean one cell according to its column's type; raise InputError if it is bad."""
    if isinstance(raw, CellError):
        raise _formula_error(where, raw)
    if isinstance(raw, str) and len(raw) > MAX_CELL:
        raise InputError(where, f"单元格内容过长（{len(raw)} 个字符，上限 {MAX_CELL}）")
    if column.type == "date":
        if cell_text(raw) is None:
            return None
        try:
            return parse_date(cell_text(raw) if isinstance(raw, str) else raw)
        except (ValueError, OverflowError):
            raise InputError(where, f"无法识别的日期「{cell_text(raw)}」（应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年M月D日）", raw) from None
    if isinstance(raw, (list, tuple)) and not column.is_list:  # a JSON list
        raise InputError(where, f"{column.label}只能填一个值，不能是列表", raw)
    parts = _parts(column, raw)
    if parts is None:
        return [] if column.is_list else None
    parts = [t for t in (_text_part(column, part, where) for part in parts) if t]
    if column.enum:
        vocab = model().enums[column.enum]
        parsed = []
        for part in parts:
            code = vocab.parse(part)
            if code is None:
                allowed = "、".join(vocab.labels.values())
                raise InputError(where, f"无法识别的{column.label}「{part}」（可用：{allowed}）", part)
            if code not in parsed:
                parsed.append(code)
        parts = parsed
    if column.is_list:
        items = list(dict.fromkeys(parts))
        if len(items) > column.max_items:
            raise InputError(where, f"{column.label}最多填{column.max_items}项，这一格有{len(items)}项", len(items))
        return items
    return parts[0] if parts else None


def _parts(column: Column, raw) -> list[str] | None:
    """The texts of a cell (a list cell's items), each without the spaces and invisible
    characters at its ends; None when the cell is blank."""
    if isinstance(raw, (list, tuple)):  # a JSON list
        return [t for t in (cell_text(item) for item in raw) if t]
    text = cell_text(raw)
    if text is None:
        return None
    parts = [strip_text(p) for p in LIST_SEPARATORS.split(text)] if column.is_list else [text]
    return [p for p in parts if p]


def _text_part(column: Column, text: str, where: Where) -> str:
    """One text (a cell, an item of a list cell, a vocabulary's word) of a column: refused if it holds
    what its kind may not (loaders.text); an id read with ASCII letters and digits, a name
    folded (loaders.text.fold_name)."""
    fault = text_fault(text, column.text)
    if fault is not None:
        raise InputError(where, f"{column.label}{fault}", text)
    if column.text == "id":
        return fold_id(text)
    return fold_name(text) if column.text == "name" else text


def cell_flags(column: Column, raw) -> frozenset[str]:
    """The properties the words of a clean cell set besides naming their values
    (model.yaml ``flags``: 中共预备党员 sets cpc_probationary)."""
    vocab = model().enums[column.enum] if column.enum else None
    if vocab is None or not vocab.flags or isinstance(raw, CellError):
        return frozenset()
    return frozenset(filter(None, map(vocab.flag, _parts(column, raw) or ())))


def clean_extra(raw, where: Where) -> str | None:
    """An extra column's cell as kept: its text (free text: it may hold tabs and line
    breaks), None when blank."""
    if isinstance(raw, CellError):
        raise _formula_error(where, raw)
    text = cell_text(raw)
    if text is not None:
        if len(text) > MAX_CELL:
            raise InputError(where, f"单元格内容过长（{len(text)} 个字符，上限 {MAX_CELL}）")
        fault = text_fault(text, "free")
        if fault is not None:
            raise InputError(where, f"单元格{fault}", text)
    return text


def check_extra_fields(table_name: str, fields: dict, source: str) -> None:
    """Fields an edit sets beyond its table's columns (a liaison's notes), checked as a
    roster row's extra columns are: their names, how many, their texts."""
    table = model().tables[table_name]
    extras = 0
    for index, (name, value) in enumerate(fields.items()):
        col = SheetColumn(index, name, name, table.column_for(name))
        if col.column is None:
            extras += 1
            where = Where(source, table_name, 1, shown(name), shown(name))
            check_header(table, col, where, extras)
            clean_extra(value, where)


def clean_value(column: Column, raw, where: Where):
    """One cell's clean value: parsed, defaulted, and present when the column requires it."""
    value = _parse_cell(column, raw, where)
    if value in (None, []) and column.default is not None:
        value = column.default
    if column.required and value in (None, []):
        raise InputError(where, f"必填项「{column.label}」为空")
    return value


def parse_cells(sheet: RawSheet) -> list[Row]:
    """Clean every data row of a sheet read cell by cell (``loaders.parse_sheet`` chooses)."""
    table = sheet.table
    origin = sheet.where()
    by_column: dict[str, SheetColumn] = {c.column: c for c in sheet.columns if c.column}
    extras = [c for c in sheet.columns if not c.column]
    rows = []
    # Most cells repeat (a committee, a sector, a party, a date): each distinct text of a
    # column is parsed once. A bad one still fails where it first stands.
    seen: dict[str, dict] = {name: {} for name in table.columns}
    flags_seen: dict[tuple, frozenset] = {}  # (column, text) -> the flags its words set
    for row_no, cells in sheet.rows:
        base = sheet.where(row_no)
        values = {}
        for name, column in table.columns.items():
            col = by_column.get(name)
            raw = cells[col.index] if col and col.index < len(cells) else None
            known = seen[name]
            key = raw if type(raw) is str or raw is None else None  # a text, not a formula's error
            if key is not None and key in known:
                value = known[key]
                value = list(value) if isinstance(value, list) else value
            else:
                where = base.at(col.letter, col.header) if col else base.at(None, column.label)
                value = clean_value(column, raw, where)
                if key is not None and len(known) < 10_000:
                    known[key] = list(value) if isinstance(value, list) else value
            values[name] = value
        for flag, name in table.flags.items():
            col = by_column.get(name)
            raw = cells[col.index] if col and col.index < len(cells) else None
            key = (name, raw) if type(raw) is str else None
            found = flags_seen.get(key) if key is not None else None
            if found is None:
                found = cell_flags(table.columns[name], raw)
                if key is not None and len(flags_seen) < 10_000:
                    flags_seen[key] = found
            values[flag] = True if flag in found else None
        extra = {}
        for col in extras:
            text = clean_extra(cells[col.index] if col.index < len(cells) else None, base.at(col.letter, col.header))
            if text is not None:
                extra[col.header] = text
        row = Row(table.name, values, extra, origin, row_no, by_column)
        check_row(row)
        rows.append(row)
    return rows


def check_row(row: Row) -> None:
    v = row.values
    start_col, end_col = ("start_date", "end_date")
    if v.get(start_col) and v.get(end_col) and v[end_col] < v[start_col]:
        raise row.fail(end_col, f"结束日期 {v[end_col]} 早于开始日期 {v[start_col]}", v[end_col])
    if row.table == "party_orgs" and v["kind"] == TEMPORARY and not v.get("end_date"):
        raise row.fail("end_date", f"{model().label('party_org_kind', TEMPORARY)}必须填写撤销日期")
    if row.table == "committees" and v.get("parent_id") == v["id"]:
        raise row.fail("parent_id", "上级编号不能是自己", v["parent_id"])
    if row.table == "party_orgs" and v.get("parent_id") == v["id"]:
        raise row.fail("parent_id", "上级编号不能是自己", v["parent_id"])


def key_of(table: Table, row: Row) -> tuple:
    return tuple(row.values.get(k) for k in table.key)


def check_duplicates(rows_by_table: dict) -> None:
    """Refuse two rows of one table (table name -> loaders.tables.TableRows) with the same
    key (id, or a liaison's or contact's identifying columns) anywhere in the files of one
    load."""
    for name, rows in rows_by_table.items():
        table = model().tables[name]
        if rows.keys_distinct(table):
            continue  # no two alike: the usual case, settled without a loop over the rows
        seen: dict[tuple, Row] = {}
        for row in rows:
            key = key_of(table, row)
            if key in seen:
                place = seen[key].where.describe()
                what = "编号" if table.key == ("id",) else "记录"
                raise row.fail(table.key[0], f"{what}重复，与 {place} 相同", key[0])
            seen[key] = row
