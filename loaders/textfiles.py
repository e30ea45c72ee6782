"""Rosters kept as text: the file's encoding found (UTF-8 or GB18030, and text written in
another encoding refused), a CSV's records read into a raw sheet (a large one into text
columns, loaders.bulkread), and a JSON document's tables read into raw sheets.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from liaison_graph.graph import fastpaths
from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.spreadsheet import csv_text
from liaison_graph.loaders.layout import sheet_from_rows, skipped_notes
from liaison_graph.loaders.sheet import RawSheet, ReadResult, SheetColumn, check_header
from liaison_graph.loaders.text import shown

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


def read_csv(path: Path, display: str) -> ReadResult:
    text = _decode(path.read_bytes(), display)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    table = model().table_for(path.stem)
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # The ' a CSV export puts before formula text is not part of the value (bulkread.csv_frame takes it off too).
    records = enumerate(([csv_text(cell) for cell in cells] for cells in lines), start=1)
    in_bulk = text.count("\n") >= fastpaths.CLEAN_AS_COLUMNS_FROM
    try:
        sheet = sheet_from_rows(display, None, table, records, data=not in_bulk)
        if sheet is None:
            raise InputError(Where(display), "无法确定这是哪张表：文件名不是表名，前几行也没有可识别的表头")
        if in_bulk:
            # The column engine (polars) loads only when a large CSV is read; it never imports back.
            from liaison_graph.loaders import bulkread

            frame = bulkread.csv_frame(text, delimiter, sheet)
            sheet.frame = frame if frame is not None else bulkread.records_frame(records, sheet)
            bulkread.skip_frame_rows(sheet)
    except csv.Error as exc:
        raise InputError(Where(display), f"CSV 格式错误：{exc}") from None
    return ReadResult([sheet], skipped_notes(sheet))


def read_json(path: Path, display: str) -> ReadResult:
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
