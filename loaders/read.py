"""Read roster files into raw sheets: detect the format, find the header row, map headers.

``read_file(path)`` yields :class:`RawSheet` objects, one per table found: the table of
the model it holds, where each column sits, and its data rows with their row numbers.
Values stay raw here (cell values as the file holds them); ``loaders.validate`` parses
them. Anything that is not what its name says is refused with an :class:`InputError`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import InputError, Where
from graph.model import Table, fold, model
from graph.spreadsheet import csv_text
from loaders.text import shown, text_fault

if TYPE_CHECKING:
    import polars as pl

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20  # a header sits within the first rows, below a title or two
MIN_HEADER_MATCHES = 2
MAX_FILE_BYTES = 200 * 1024 * 1024  # a roster file, as stored
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024  # everything inside a workbook, unpacked
MAX_XLSX_RATIO = 200  # unpacked / packed, for any part over 10 MB: more is a zip bomb
MAX_XLSX_PARTS = 10_000
# A CSV of this many lines, or a worksheet of this many rows, or more is parsed and checked
# in bulk (loaders.bulk); a smaller one cell by cell, which costs less than the bulk engine's
# fixed few milliseconds per column. Both give the same rows or the same refusal.
BULK_MIN_LINES = 2_000


@dataclass
class SheetColumn:
    index: int
    letter: str  # column letter (xlsx, csv) or key (json)
    header: str  # the header as the office wrote it
    column: str | None  # the model's column, or None for an extra column kept as-is


@dataclass
class RawSheet:
    file: str
    sheet: str | None
    table: Table
    columns: list[SheetColumn]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)
    header_row: int = 0
    # A large CSV's or worksheet's data as text columns (one per file column, named by its
    # index), read in bulk; its first row is the row after the header. Blank rows are still in it.
    frame: pl.DataFrame | None = None

    def where(self, row: int | None = None, col: SheetColumn | None = None) -> Where:
        return Where(self.file, self.sheet, row, col.letter if col else None, col.header if col else None)


@dataclass
class ReadResult:
    sheets: list[RawSheet]
    ignored: list[str]  # sheets or files that hold no known table


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _match_header(cells: list, table: Table | None) -> tuple[Table, dict[int, str]] | None:
    """If this row is a header (names at least two known columns), return its table
    and the mapping cell index -> column."""
    candidates = [table] if table else list(model().tables.values())
    best = None
    for cand in candidates:
        matched = {}
        for i, cell in enumerate(cells):
            text = _cell_text(cell)
            if text and (col := cand.column_for(text)):
                matched[i] = col
        if len(set(matched.values())) >= MIN_HEADER_MATCHES:
            required = sum(1 for c in cand.columns.values() if c.required and c.name in matched.values())
            score = (required, len(set(matched.values())))
            if best is None or score > best[0]:
                best = (score, cand, matched)
    return (best[1], best[2]) if best else None


def check_header(table: Table, col: SheetColumn, where: Where, extras: int) -> None:
    """Refuse a header (a sheet's header cell or a JSON row's key) that cannot name a
    property: a character a name may not hold, and, for an extra column (``extras``: how
    many the table has with it), an empty or over-long name, a name the stores keep for
    themselves (model.yaml ``reserved``) or one extra column more than the model allows."""
    fault = text_fault(col.header, "header")
    if fault is not None:
        raise InputError(where, f"列名{fault}")
    if col.column is not None:
        return
    limits = model().limits
    if not col.header.strip():
        raise InputError(where, "列名（字段名）为空")
    if len(col.header) > limits.name_length:
        raise InputError(where, f"列名过长（{len(col.header)} 个字符，上限 {limits.name_length}）")
    if fold(col.header) in model().reserved_names(table.name):
        raise InputError(where, f"「{col.header}」是系统保留的名称，不能用作自定义列名或字段名，请改名后再导入")
    if extras > limits.extra_columns:
        raise InputError(where, f"自定义列过多：{table.label}表除系统列外最多 {limits.extra_columns} 列，请删去不需要的列")


def column_letter(number: int) -> str:
    """A spreadsheet column's letters: 1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _sheet_from_rows(
    file: str, sheet: str | None, table: Table | None, rows: Iterator[tuple[int, list]], letter=column_letter,
    data: bool = True,
) -> RawSheet | None:
    """Find the header among the first rows and build the sheet; None if no header. With
    ``data`` false the rows after the header are left to the caller."""
    for row_no, cells in rows:
        found = _match_header(cells, table)
        if found is None:
            if row_no >= HEADER_SCAN_ROWS:
                return None
            continue
        table_found, mapping = found
        columns, seen, extras = [], {}, 0
        for i, cell in enumerate(cells):
            text = _cell_text(cell)
            if not text:
                continue
            col = SheetColumn(i, letter(i + 1), text, mapping.get(i))
            extras += col.column is None
            check_header(table_found, col, Where(file, sheet, row_no, col.letter, shown(text)), extras)
            key = col.column or fold(text)
            if key in seen:
                where = Where(file, sheet, row_no, col.letter, text)
                raise InputError(where, f"表头重复，与{seen[key].letter}列「{seen[key].header}」指同一列")
            seen[key] = col
            columns.append(col)
        raw = RawSheet(file, sheet, table_found, columns, header_row=row_no)
        present = {c.column for c in columns}
        for name, column in table_found.columns.items():
            if column.required and name not in present:
                where = Where(file, sheet, row_no)
                raise InputError(where, f"缺少必填列「{column.label}」（{name}）")
        if data:
            keep_rows(raw, rows)
        return raw
    return None


def keep_rows(sheet: RawSheet, rows: Iterable[tuple[int, list]]) -> None:
    """The sheet's data rows, cell by cell: every row that holds something."""
    for r_no, r_cells in rows:
        if any(_cell_text(c) for c in r_cells):
            sheet.rows.append((r_no, list(r_cells)))


def _check_zip(path: Path, display: str) -> None:
    """Refuse a workbook whose parts would unpack to far more than it holds (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(Where(display), "不是有效的 Excel (.xlsx) 文件") from None
    if len(parts) > MAX_XLSX_PARTS:
        raise InputError(Where(display), f"Excel 文件内部条目过多（{len(parts)} 个），拒绝读取")
    total = sum(p.file_size for p in parts)
    suspicious = [p for p in parts if p.file_size > 10 * 1024 * 1024 and p.file_size > MAX_XLSX_RATIO * max(p.compress_size, 1)]
    if total > MAX_XLSX_UNPACKED or suspicious:
        raise InputError(Where(display), f"Excel 文件解压后过大（{total // (1024 * 1024)} MB），疑似压缩炸弹，拒绝读取")


class CellError(str):
    """A cell that holds a formula's error (#N/A, #REF!, ...), not a value: refused where the
    roster needs what it stands for."""


ERROR_CELL_MARKS = (b' t="e"', b" t='e'")  # a worksheet's error cell, in the file's XML


def _has_error_cells(path: Path) -> bool:
    """Whether a worksheet of the workbook holds an error cell (read through once, in chunks)."""
    with zipfile.ZipFile(path) as z:
        for part in z.infolist():
            if not part.filename.startswith("xl/worksheets/"):
                continue
            with z.open(part) as fh:
                tail = b""
                while chunk := fh.read(1 << 24):
                    data = tail + chunk
                    if any(mark in data for mark in ERROR_CELL_MARKS):
                        return True
                    tail = data[-8:]
    return False


def _calamine_sheets(path: Path) -> Iterator[tuple[str, bool, int, Iterator[tuple[int, list]]]]:
    """Each worksheet's name, whether it is visible, its height and its rows, read by calamine in
    compiled code (an order faster than an XML parser in Python). It reads an error cell as
    empty, so a workbook that holds one is read by openpyxl instead."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet:
                sheet = workbook.get_sheet_by_name(meta.name)
                yield meta.name, meta.visible == SheetVisibleEnum.Visible, sheet.height, _calamine_rows(sheet)
    finally:
        workbook.close()


def _calamine_rows(sheet) -> Iterator[tuple[int, list]]:
    """A worksheet's rows from the first, numbered as the workbook shows them, their cells from
    column A (an empty cell is "", which every path reads as blank), so row numbers and column
    letters name the right cell."""
    if sheet.start is None:  # an empty sheet
        return
    rows = enumerate(sheet.iter_rows(), start=1)  # the rows come from row 1, their cells from the first used column
    if sheet.start[1]:
        pad = [None] * sheet.start[1]
        rows = ((row_no, pad + cells) for row_no, cells in rows)
    yield from rows


def _openpyxl_sheets(path: Path) -> Iterator[tuple[str, bool, int, Iterator[tuple[int, list]]]]:
    """As _calamine_sheets, by openpyxl, which tells an error cell (a CellError) from a value."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in workbook.worksheets:
            rows = ((i, [CellError(c.value) if c.data_type == "e" else c.value for c in r])
                    for i, r in enumerate(ws.iter_rows(), start=1))
            yield ws.title, ws.sheet_state == "visible", ws.max_row or 0, rows
    finally:
        workbook.close()


def _read_xlsx(path: Path, display: str) -> ReadResult:
    # The readers are imported by the one format that needs them: every other command starts faster.
    from openpyxl.utils.exceptions import InvalidFileException
    from python_calamine import CalamineError

    _check_zip(path, display)
    try:
        sheets = _openpyxl_sheets(path) if _has_error_cells(path) else _calamine_sheets(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        log.debug("cannot unpack %s: %s", path, exc)
        raise InputError(Where(display), "Excel 文件已损坏，无法读取") from None
    result = ReadResult([], [])
    opened = False
    try:
        for name, visible, height, rows in sheets:
            opened = True
            if not visible:  # offices hide old or scratch sheets: they are not the roster
                result.ignored.append(f"{display} 隐藏的工作表「{name}」")
                continue
            table = model().table_for(name)
            in_bulk = height >= BULK_MIN_LINES
            sheet = _sheet_from_rows(display, name, table, rows, data=not in_bulk)
            if sheet is not None and in_bulk:
                from loaders import bulk  # the columnar engine loads only when a large sheet is read

                rest = list(rows)
                sheet.frame = bulk.cells_frame(rest, sheet)
                if sheet.frame is None:
                    keep_rows(sheet, rest)
            if sheet is None:
                if table is not None:
                    raise InputError(Where(display, name), f"找不到表头行（前{HEADER_SCAN_ROWS}行中没有一行含两个以上已知列名）")
                result.ignored.append(f"{display} 工作表「{name}」")
            else:
                result.sheets.append(sheet)
    except (CalamineError, InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        log.debug("cannot read %s: %s", path, exc)
        problem = "Excel 文件已损坏，无法读取" if opened else "不是有效的 Excel (.xlsx) 文件"
        raise InputError(Where(display), problem) from None
    finally:
        sheets.close()
    return result


# Text in another encoding read as GB18030 (measured on roster text): Big5 lands in its
# user-defined areas, which Python reads as private use U+E000–E765 (a quarter to a half of
# the characters past ASCII; a real roster holds none, or a rare character an office made
# for a name); Shift-JIS reads without a fault as rare characters outside GB2312 (nearly
# all of them; a real roster's are nearly all inside it). The private-use characters the
# codec gives for real GB18030 characters (U+E766–E864) are not counted.
ENCODING_SAMPLE = 1_000_000  # characters looked at
BIG5_PRIVATE = re.compile("[\ue000-\ue765]")
BIG5_MIN, BIG5_SHARE = 3, 0.05  # at least this many such characters, and this share of those past ASCII
SJIS_MIN, SJIS_SHARE = 10, 0.9  # at least this many characters past ASCII, and this share outside GB2312


def _decode(data: bytes, display: str) -> str:
    if b"\x00" in data[:65536]:
        raise InputError(Where(display), "不是 CSV 文本文件（含二进制内容）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InputError(Where(display), "无法识别文件编码（应为 UTF-8 或 GB18030），请另存为 UTF-8 或 GB18030 编码后再导入") from None
    if _foreign(text, data):
        raise InputError(Where(display), "文件编码不对：按 GB18030 读出的是乱码（像是 Big5 或 Shift-JIS 编码），"
                                         "请另存为 UTF-8 或 GB18030 编码后再导入")
    return text


def _foreign(text: str, data: bytes) -> bool:
    """Whether text read as GB18030 was written in another encoding (Big5, Shift-JIS)."""
    sample = text[:ENCODING_SAMPLE]
    ascii_chars = len(sample.encode("ascii", "ignore"))
    wide = len(sample) - ascii_chars
    if not wide:
        return False
    private = len(BIG5_PRIVATE.findall(sample))
    if private >= BIG5_MIN and private >= BIG5_SHARE * wide:
        return True
    common = (len(sample.encode("gb2312", "ignore")) - ascii_chars) // 2
    if wide >= SJIS_MIN and wide - common >= SJIS_SHARE * wide:
        try:
            data.decode("cp932")
        except UnicodeDecodeError:
            return False
        return True
    return False


def _read_csv(path: Path, display: str) -> ReadResult:
    text = _decode(path.read_bytes(), display)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    table = model().table_for(path.stem)
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # The ' a CSV export puts before formula text is not part of the value (bulk.csv_frame takes it off too).
    records = enumerate(([csv_text(cell) for cell in cells] for cells in lines), start=1)
    in_bulk = text.count("\n") >= BULK_MIN_LINES
    try:
        sheet = _sheet_from_rows(display, None, table, records, data=not in_bulk)
        if sheet is None:
            raise InputError(Where(display), "无法确定这是哪张表：文件名不是表名，前几行也没有可识别的表头")
        if in_bulk:
            from loaders import bulk  # the columnar engine loads only when a large CSV is read

            frame = bulk.csv_frame(text, delimiter, sheet)
            sheet.frame = frame if frame is not None else bulk.records_frame(records, sheet)
    except csv.Error as exc:
        raise InputError(Where(display), f"CSV 格式错误：{exc}") from None
    return ReadResult([sheet], [])


def _read_json(path: Path, display: str) -> ReadResult:
    try:
        doc = json.loads(_decode(path.read_bytes(), display))
    except json.JSONDecodeError as exc:
        raise InputError(Where(display, row=exc.lineno), f"JSON 格式错误：{exc.msg}（第{exc.colno}列）") from None
    return read_json_doc(doc, display)


def read_json_doc(doc, display: str) -> ReadResult:
    """Tables from a parsed JSON document (a file, or the body of an API request)."""
    if not isinstance(doc, dict):
        raise InputError(Where(display), "JSON 顶层应为对象，键为表名（如 members）")
    result = ReadResult([], [])
    for key, rows in doc.items():
        table = model().table_for(key)
        if table is None:
            result.ignored.append(f"{display} 键「{key}」")
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(Where(display, key), "应为由对象组成的列表")
        headers: dict[str, SheetColumn] = {}
        extras = 0
        for i, row in enumerate(rows, start=1):
            for name in row:
                if name not in headers:
                    col = SheetColumn(len(headers), name, name, table.column_for(name))
                    extras += col.column is None
                    check_header(table, col, Where(display, key, i, shown(name), shown(name)), extras)
                    headers[name] = col
        sheet = RawSheet(display, key, table, list(headers.values()))
        seen: dict[str, SheetColumn] = {}
        for col in sheet.columns:
            same = col.column or fold(col.header)  # an extra field folded as a sheet's header is
            if same in seen:
                raise InputError(sheet.where(None, col), f"与「{seen[same].header}」指同一列")
            seen[same] = col
        for name, column in table.columns.items():
            if column.required and name not in seen and rows:
                raise InputError(Where(display, key), f"缺少必填列「{column.label}」（{name}）")
        for i, row in enumerate(rows, start=1):
            sheet.rows.append((i, [row.get(c.header) for c in sheet.columns]))
        result.sheets.append(sheet)
    return result


READERS = {".xlsx": _read_xlsx, ".xlsm": _read_xlsx, ".csv": _read_csv, ".json": _read_json}


def read_file(path: Path) -> ReadResult:
    """Read one roster file of any supported format."""
    display = path.name
    if not path.is_file():
        raise InputError(Where(display), "文件不存在或不是普通文件")
    reader = READERS.get(path.suffix.lower())
    if reader is not None and path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(Where(display), f"文件过大（{path.stat().st_size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
    if reader is None:
        hint = "，请另存为 .xlsx" if path.suffix.lower() == ".xls" else ""
        raise InputError(Where(display), f"不支持的文件类型「{path.suffix or '无扩展名'}」（支持 .xlsx .csv .json）{hint}")
    return reader(path, display)
