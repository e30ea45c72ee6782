"""Read roster files into raw sheets: detect the format, find the header row, map headers.

``read_file(path)`` yields :class:`RawSheet` objects, one per table found: the table of
the model it holds, where each column sits, and its data rows with their row numbers.
Values stay raw here (cell values as the file holds them); ``loaders.validate`` parses
them. Anything that is not what its name says is refused with an :class:`InputError`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import math
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from liaison_graph.graph import fastpaths
from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import Table, fold, model
from liaison_graph.graph.spreadsheet import csv_text
from liaison_graph.loaders.sheet import CellError, RawSheet, SheetColumn, check_header  # noqa: F401 - read.X as before
from liaison_graph.loaders.text import cell_text, shown

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20  # a header sits within the first rows, below a title or two
MIN_HEADER_MATCHES = 2
MAX_FILE_BYTES = 200 * 1024 * 1024  # a roster file, as stored
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024  # everything inside a workbook, unpacked
MAX_XLSX_RATIO = 200  # unpacked / packed, for any part over 10 MB: more is a zip bomb
MAX_XLSX_PARTS = 10_000


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
        raw = RawSheet(file, sheet, table_found, columns, header_row=row_no,
                       header_cells=tuple(t for t in _raw_texts(cells, len(cells)) if t))
        present = {c.column for c in columns}
        for name, column in table_found.columns.items():
            if column.required and name not in present:
                where = Where(file, sheet, row_no)
                raise InputError(where, f"缺少必填列「{column.label}」（{name}）")
        if data:
            keep_rows(raw, rows)
        return raw
    return None


def keep_rows(sheet: RawSheet, rows: Iterable[tuple[int, list]], across: frozenset = frozenset()) -> None:
    """The sheet's data rows, cell by cell: every row that holds something and is not a
    section header, a totals row or the header again (row_kind). ``across``: the cells (row
    number, column index) a merge across columns starts at."""
    width = max(c.index for c in sheet.columns) + 1
    for r_no, r_cells in rows:
        if any(_cell_text(c) for c in r_cells) and row_kind(sheet, r_no, _raw_texts(r_cells, width), across) is None:
            sheet.rows.append((r_no, list(r_cells)))


# Rows an office writes between the data rows that are not data. A clerk expects them left
# out, and told so in the load's report (its "ignored" list):
# - the header again: two or more of its cells say exactly what the sheet's header cells or
#   the model's column names say. An office repeats the header on every printed page, or
#   pastes two parts of one table together: left out when its columns stand where the
#   sheet's header has them. A header of other columns (moved, or another table's) is
#   refused, naming it: the rows below it would be read into the wrong columns.
# - a totals row: a required cell is empty, and its first cell that holds anything says it
#   is one ("合计", "总 计", "共 35 人");
# - a section header: one cell of text alone, merged across columns, or in the table's first
#   column worded as a heading (HEADING: "一、经济界", "（二）教育界", "第一组", "经济界委员");
#   a name alone there is a member row with cells missing, refused as such.
# The cell-by-cell path asks row_kind of each row; the bulk path (skip_frame_rows) of the rows
# an engine expression picks, which is every row row_kind could name.
_S = "[ \u3000]*"  # spaced out to line up: 合  计, 合　计
TOTALS = re.compile(f"^(?:合{_S}计|总{_S}计|小{_S}计|共{_S}计|总{_S}共|共{_S}[0-9０-９]+{_S}[人名])")
# A heading as offices number or word them: 一、经济界  （二）教育界  3. 科技界  第一组  经济界委员
HEADING = re.compile(f"^(?:[一二三四五六七八九十]+{_S}[、.．]|[（(]{_S}[一二三四五六七八九十0-9０-９]+{_S}[）)]|"
                     f"[0-9０-９]+{_S}[、.．]|第.+[组界部类]|.*(?:界|界别|组|委员会|党支部|名单)(?:委员|成员)?[：:]?$)")
SPACE_CHARS = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # what str.strip() takes off, for the engine
SKIPPED_WORDS = {"section": "分组标题或说明行", "totals": "合计行", "header": "重复的表头行"}


def _raw_texts(cells: list, width: int) -> list[str | None]:
    """A row's first ``width`` cells as the texts the bulk path holds for them: a text as it
    is, another value as the text a person reads in it, None when empty."""
    texts = [cell if isinstance(cell, str) else cell_text(cell) for cell in cells[:width]]
    return texts + [None] * (width - len(texts))


def header_words(sheet: RawSheet) -> frozenset[str]:
    """What a cell says, exactly, when it names a column: the sheet's header cells as written,
    and every table's column names (folded as the model keeps them: 编号, id, 所属政协, …)."""
    if sheet._words is None:
        sheet._words = _model_words() | frozenset(sheet.header_cells) | {c.header for c in sheet.columns}
    return sheet._words


@functools.cache
def _model_words() -> frozenset[str]:
    return frozenset(h for table in model().tables.values() for h in table.headers)


def _required_empty(sheet: RawSheet, texts: list[str | None]) -> bool:
    return any(texts[c.index] is None for c in sheet.columns if c.column and sheet.table.columns[c.column].required)


def row_kind(sheet: RawSheet, row_no: int, raws: list[str | None], across: frozenset) -> str | None:
    """What a row of the sheet's body is when it is no data row (a key of SKIPPED_WORDS),
    noted in ``sheet.skipped``; None for a data row. A header of other columns is refused."""
    texts = [t.strip() or None if t is not None else None for t in raws]
    filled = [(i, t) for i, t in enumerate(texts) if t]
    if not filled:
        return None
    index, first = filled[0]
    words = header_words(sheet)
    kind = None
    if sum(t in words for t in raws if t) >= MIN_HEADER_MATCHES:
        kind = _header_kind(sheet, row_no, texts, len(filled))
    if kind is None and _required_empty(sheet, texts):
        if TOTALS.match(first):
            kind = "totals"
        elif len(filled) == 1 and ((row_no, index) in across or index <= sheet.columns[0].index and HEADING.match(first)):
            kind = "section"
    if kind is not None:
        sheet.skipped.setdefault(kind, []).append((row_no, first))
    return kind


def _header_kind(sheet: RawSheet, row_no: int, texts: list, filled: int) -> str | None:
    """"header" when the row repeats the sheet's header (its known columns where the header
    has them); None when it names too few columns to be a header; refused when it is a header
    of other columns."""
    same = _match_header(texts, sheet.table)
    found = same or _match_header(texts, None)
    if found is None or 2 * len(found[1]) < filled:
        return None
    at = {c.index: c for c in sheet.columns}
    if same is not None and all(i in at and at[i].column == column for i, column in same[1].items()):
        return "header"
    table, mapping = found
    for i, column in sorted(mapping.items()):
        if table is not sheet.table or i not in at or at[i].column != column:
            was = f"「{at[i].header}」" if i in at else "空白"
            where = Where(sheet.file, sheet.sheet, row_no, column_letter(i + 1), shown(texts[i]))
            raise InputError(where, f"这一行又是一行表头，但与第{sheet.header_row}行的表头不同（这一列在第{sheet.header_row}行是{was}）："
                                    "一张工作表只能放一张表，请把这一行起的表移到另一张工作表或另一个文件，"
                                    "或让它的列与上面的表头一致")
    return "header"  # pragma: no cover - a mapping that differs differs at some column


def skip_frame_rows(sheet: RawSheet, across: frozenset = frozenset()) -> None:
    """As keep_rows, for a sheet read in bulk: the rows that are not data rows are blanked in
    its frame (the bulk path leaves blank rows out, and their positions keep the row numbers).
    Engine expressions pick every row row_kind could name (two cells that say a header word;
    a required cell empty in a row that holds something), cell operations only a hash or a
    length costs on most columns; row_kind decides."""
    import polars as pl

    frame = sheet.frame
    if frame is None or not frame.height:
        return
    words = pl.Series(sorted(header_words(sheet)), dtype=pl.String).implode()
    headers = pl.sum_horizontal(pl.col(c).is_in(words).fill_null(False).cast(pl.Int32) for c in frame.columns)
    something = pl.any_horizontal((pl.col(c).str.len_bytes() > 0).fill_null(False) for c in frame.columns)
    required = [str(c.index) for c in sheet.columns if c.column and sheet.table.columns[c.column].required]
    empty = pl.any_horizontal((pl.col(c).str.strip_chars(SPACE_CHARS).str.len_bytes() == 0).fill_null(True) for c in required)
    picked = frame.with_row_index("_at").filter((headers >= MIN_HEADER_MATCHES) | something & empty)
    skip = [at for at, *raws in picked.iter_rows() if row_kind(sheet, sheet.header_row + 1 + at, raws, across) is not None]
    if skip:
        blank = pl.int_range(pl.len()).is_in(skip)
        sheet.frame = frame.with_columns(pl.when(blank).then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns)


def skipped_notes(sheet: RawSheet) -> list[str]:
    """The load report's lines for the rows row_kind left out of a sheet: one per kind."""
    notes = []
    place = Where(sheet.file, sheet.sheet).describe()
    for kind, rows in sheet.skipped.items():
        numbers = "、".join(str(n) for n, _ in rows[:10]) + ("" if len(rows) <= 10 else f"等 {len(rows)} ")
        example = "" if kind == "header" else f"，如「{shown(rows[0][1])}」"
        notes.append(f"{place} 第{numbers}行（{SKIPPED_WORDS[kind]}{example}）")
    return notes


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


# What a workbook says beyond its cells' values, read from its XML where the readers do not
# tell it: which cells are merged, and which numbers are shown padded with zeros.
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CHUNK = 1 << 24
CELL_REF = re.compile(rb"""\sr=["']([A-Z]{1,3})([0-9]{1,7})["']""")
CELL_TYPE = re.compile(rb"""\st=["']([a-zA-Z]+)["']""")
MERGE_REF = re.compile(rb"""<(?:\w+:)?mergeCell\s[^>]*?ref=["']([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})["']""")
# A number format that shows a whole number as digits padded with zeros, maybe between
# literal text: 0000, 00000, "XS"0000, \N0000 (an id or a postal code typed as a number).
ZERO_FORMAT = re.compile(r"""^((?:"[^"]*"|\\.|[-_ /()])*)(0+)((?:"[^"]*"|\\.|[-_ /()])*)$""")


@dataclass(frozen=True)
class ZeroFormat:
    before: str
    zeros: int
    after: str

    def shown(self, value):
        """A number as the format shows it, or the number itself when the format shows it as
        a plain number would be shown (General: no padding, no text around it)."""
        if value.__class__ not in (int, float) or not math.isfinite(value):
            return value
        whole = int(Decimal(repr(abs(value))).quantize(Decimal(1), ROUND_HALF_UP))
        text = ("-" if value < 0 and whole else "") + self.before + str(whole).zfill(self.zeros) + self.after
        return value if text == str(value).removesuffix(".0") else text


def _literal(text: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m[1] if m[1] is not None else m[2], text)


@functools.lru_cache(maxsize=256)
def padding_format(code: str | None) -> ZeroFormat | None:
    """The format, if it shows a whole number otherwise than General does (zeros before it,
    text around it)."""
    m = ZERO_FORMAT.match(code or "")
    if m is None or len(m[2]) < 2 and not m[1] and not m[3]:
        return None
    return ZeroFormat(_literal(m[1]), len(m[2]), _literal(m[3]))


def _column_index(letters: bytes) -> int:
    """A column's 0-based index from its letters: A → 0."""
    index = 0
    for c in letters:
        index = index * 26 + c - 64
    return index - 1


def _part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            parts = parts[:-1]
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _workbook_parts(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """The worksheets' parts by sheet name, and the styles part; none when the workbook is laid
    out otherwise (the readers then say what they make of it)."""
    try:
        return _parts_of(z)
    except (KeyError, ElementTree.ParseError) as exc:
        log.debug("workbook parts not found: %s", exc)
        return {}, None


def _parts_of(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets, styles = {}, None
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        path = _part_path("xl/workbook.xml", rel.get("Target", ""))
        targets[rel.get("Id")] = path
        if rel.get("Type", "").endswith("/styles"):
            styles = path
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    sheets = {s.get("name"): targets.get(s.get(f"{NS_REL}id")) for s in book.iter(f"{NS_MAIN}sheet")}
    return sheets, styles


def _zero_styles(z: zipfile.ZipFile, styles: str | None) -> dict[int, ZeroFormat]:
    """The cell styles (cellXfs index, a cell's s="…") whose number format pads with zeros."""
    if styles is None or styles not in z.namelist():
        return {}
    try:
        root = ElementTree.fromstring(z.read(styles))
    except ElementTree.ParseError as exc:
        log.debug("styles not read: %s", exc)
        return {}
    codes = {int(f.get("numFmtId", -1)): f.get("formatCode") for f in root.iter(f"{NS_MAIN}numFmt")}
    found = {}
    xfs = root.find(f"{NS_MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else ()):
        fmt = padding_format(codes.get(int(xf.get("numFmtId", 0))))
        if fmt is not None:
            found[index] = fmt
    return found


def _scan(z: zipfile.ZipFile, part: str, needles: list[bytes], found) -> None:
    """Read a part in chunks and hand ``found`` each chunk with where each needle stands in it
    (whole tags: a chunk keeps the tail its last tag may run into)."""
    with z.open(part) as fh:
        tail = b""
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            cut = max(0, len(data) - 4096)
            found(data, [at for needle in needles for at in _all(data, needle)])
            tail = data[cut:]


def _all(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at != -1:
        yield at
        at = data.find(needle, at + 1)


def _zero_cells(z: zipfile.ZipFile, part: str, styles: dict[int, ZeroFormat]) -> dict[int, dict[int, ZeroFormat]] | None:
    """The number cells of a worksheet shown padded with zeros: row number -> column index ->
    format. None when a styled cell does not say where it stands (no r="…": then openpyxl
    reads the workbook)."""
    cells: dict[int, dict[int, ZeroFormat]] = {}
    needles = [f" s={q}{k}{q}".encode() for k in styles for q in "\"'"]
    lost = []

    def found(data: bytes, places: list[int]) -> None:
        for at in places:
            start, end = data.rfind(b"<", 0, at), data.find(b">", at)
            if start == -1 or end == -1:
                continue
            tag = data[start:end]
            if not tag.startswith((b"<c ", b"<x:c ")):
                continue
            kind = CELL_TYPE.search(tag)
            if kind is not None and kind[1] != b"n":
                continue  # text, a truth value, an error: shown as it is
            ref = CELL_REF.search(tag)
            if ref is None:
                lost.append(at)
                return
            style = int(re.search(rb"""\ss=["'](\d+)""", tag)[1])
            cells.setdefault(int(ref[2]), {})[_column_index(ref[1])] = styles[style]

    _scan(z, part, needles, found)
    return None if lost else cells


def _merges(z: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """A worksheet's merged ranges: (top row, left column index, bottom row, right column index)."""
    merges = []

    def found(data: bytes, places: list[int]) -> None:
        for at in places:
            m = MERGE_REF.match(data, max(data.rfind(b"<", 0, at), 0))
            if m:
                merges.append((int(m[2]), _column_index(m[1]), int(m[4]), _column_index(m[3])))

    _scan(z, part, [b"mergeCell "], found)
    return list(dict.fromkeys(merges))  # a range the chunks' overlap found twice


@dataclass
class WorkbookSheet:
    name: str
    visible: bool
    height: int
    rows: Iterator[tuple[int, list]]
    merges: list[tuple[int, int, int, int]]  # (top row, left column, bottom row, right column), rows from 1, columns from 0


def _open_sheets(path: Path) -> Iterator[WorkbookSheet]:
    """The workbook's worksheets, read by calamine; by openpyxl when a sheet holds an error cell
    (calamine reads it as empty) or a number shown padded with zeros that the XML scan cannot
    place (see _zero_cells)."""
    if _has_error_cells(path):
        return _openpyxl_sheets(path)
    padded: dict[str, dict[int, dict[int, ZeroFormat]]] = {}
    with zipfile.ZipFile(path) as z:
        parts, styles = _workbook_parts(z)
        zero_styles = _zero_styles(z, styles)
        for name, part in parts.items() if zero_styles else ():
            if part in z.namelist():
                cells = _zero_cells(z, part, zero_styles)
                if cells is None:
                    return _openpyxl_sheets(path)
                padded[name] = cells
    return _calamine_sheets(path, padded)


def _calamine_sheets(path: Path, padded: dict[str, dict[int, dict[int, ZeroFormat]]]) -> Iterator[WorkbookSheet]:
    """Each worksheet, read by calamine in compiled code (an order faster than an XML parser in
    Python), its merged ranges as calamine reads them. It does not tell a number's format:
    ``padded`` holds, by sheet, the cells whose number a format pads with zeros (_zero_cells)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet:
                sheet = workbook.get_sheet_by_name(meta.name)
                merges = [(top + 1, left, bottom + 1, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()]
                rows = _calamine_rows(sheet)
                if padded.get(meta.name):
                    rows = _shown(rows, padded[meta.name])
                yield WorkbookSheet(meta.name, meta.visible == SheetVisibleEnum.Visible, sheet.height, rows, merges)
    finally:
        workbook.close()


def _shown(rows: Iterator[tuple[int, list]], padded: dict[int, dict[int, ZeroFormat]]) -> Iterator[tuple[int, list]]:
    """Rows with their numbers a format pads with zeros as the workbook shows them (0008)."""
    for row_no, cells in rows:
        for index, fmt in padded.get(row_no, {}).items():
            if index < len(cells):
                cells[index] = fmt.shown(cells[index])
        yield row_no, cells


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


def _openpyxl_sheets(path: Path) -> Iterator[WorkbookSheet]:
    """As _calamine_sheets, by openpyxl, which tells an error cell (a CellError) from a value and
    a number's format; the merged ranges are read from each sheet's XML."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as z:
        parts, _ = _workbook_parts(z)
        merges = {name: _merges(z, part) for name, part in parts.items() if part in z.namelist()}
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in workbook.worksheets:
            rows = ((i, [_openpyxl_value(c) for c in r]) for i, r in enumerate(ws.iter_rows(), start=1))
            yield WorkbookSheet(ws.title, ws.sheet_state == "visible", ws.max_row or 0, rows, merges.get(ws.title, []))
    finally:
        workbook.close()


def _openpyxl_value(cell):
    if cell.data_type == "e":
        return CellError(cell.value)
    if cell.data_type == "n" and cell.value is not None and cell.has_style:
        fmt = padding_format(cell.number_format)
        if fmt is not None:
            return fmt.shown(cell.value)
    return cell.value


def merged_body(rows: Iterator[tuple[int, list]], merges: list[tuple[int, int, int, int]],
                header_row: int) -> tuple[Iterator[tuple[int, list]], frozenset]:
    """The rows below the header with each merge down one column read as its value in every
    cell it covers (界别 merged over a block of members: each of them is in it), as the
    workbook shows it; and the cells (row, column index) where a merge across columns starts
    (a section header, a note: not one column's value, so left where it stands)."""
    down: dict[int, list[tuple[int, int]]] = {}
    across = set()
    for top, left, bottom, right in merges:
        if top <= header_row:
            continue  # a title, or the header itself
        if left == right and bottom > top:
            down.setdefault(top, []).append((left, bottom))
        elif right > left:
            across.add((top, left))
    return (_filled(rows, down) if down else rows), frozenset(across)


def _filled(rows: Iterator[tuple[int, list]], down: dict[int, list[tuple[int, int]]]) -> Iterator[tuple[int, list]]:
    active: dict[int, tuple[object, int]] = {}  # column index -> (the merge's value, its last row)
    for row_no, cells in rows:
        for index, bottom in down.get(row_no, ()):
            active[index] = (cells[index] if index < len(cells) else None, bottom)
        if active:
            for index, (value, bottom) in list(active.items()):
                if row_no > bottom:
                    del active[index]
                    continue
                if index >= len(cells):
                    cells = list(cells) + [None] * (index + 1 - len(cells))
                cells[index] = value
        yield row_no, cells


def _read_xlsx(path: Path, display: str) -> ReadResult:
    # The readers are imported by the one format that needs them: every other command starts faster.
    from openpyxl.utils.exceptions import InvalidFileException
    from python_calamine import CalamineError

    _check_zip(path, display)
    try:
        sheets = _open_sheets(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        log.debug("cannot unpack %s: %s", path, exc)
        raise InputError(Where(display), "Excel 文件已损坏，无法读取") from None
    result = ReadResult([], [])
    opened = False
    try:
        for ws in sheets:
            opened = True
            if not ws.visible:  # offices hide old or scratch sheets: they are not the roster
                result.ignored.append(f"{display} 隐藏的工作表「{ws.name}」")
                continue
            table = model().table_for(ws.name)
            sheet = _sheet_from_rows(display, ws.name, table, ws.rows, data=False)
            if sheet is None:
                if table is not None:
                    raise InputError(Where(display, ws.name), f"找不到表头行（前{HEADER_SCAN_ROWS}行中没有一行含两个以上已知列名）")
                result.ignored.append(f"{display} 工作表「{ws.name}」")
                continue
            body, across = merged_body(ws.rows, ws.merges, sheet.header_row)
            if ws.height >= fastpaths.CLEAN_AS_COLUMNS_FROM:
                from liaison_graph.loaders import bulk  # the columnar engine loads only when a large sheet is read

                rest = list(body)
                sheet.frame = bulk.cells_frame(rest, sheet)
                if sheet.frame is None:
                    keep_rows(sheet, rest, across)
                else:
                    skip_frame_rows(sheet, across)
            else:
                keep_rows(sheet, body, across)
            result.sheets.append(sheet)
            result.ignored.extend(skipped_notes(sheet))
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
    in_bulk = text.count("\n") >= fastpaths.CLEAN_AS_COLUMNS_FROM
    try:
        sheet = _sheet_from_rows(display, None, table, records, data=not in_bulk)
        if sheet is None:
            raise InputError(Where(display), "无法确定这是哪张表：文件名不是表名，前几行也没有可识别的表头")
        if in_bulk:
            from liaison_graph.loaders import bulk  # the columnar engine loads only when a large CSV is read

            frame = bulk.csv_frame(text, delimiter, sheet)
            sheet.frame = frame if frame is not None else bulk.records_frame(records, sheet)
            skip_frame_rows(sheet)
    except csv.Error as exc:
        raise InputError(Where(display), f"CSV 格式错误：{exc}") from None
    return ReadResult([sheet], skipped_notes(sheet))


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
