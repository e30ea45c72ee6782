"""Workbooks (.xlsx, .xlsm) read into raw sheets: each visible worksheet's header found, its
merged cells read as the workbook shows them, its rows kept cell by cell, or, for a large
sheet, made into text columns (loaders.bulkread).

Cells are read by calamine, or by openpyxl when a sheet holds a formula's error cell or a
number padded with zeros that the XML scan cannot place (loaders.xlsxparts).
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from liaison_graph.graph import fastpaths
from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import model
from liaison_graph.loaders.layout import HEADER_SCAN_ROWS, keep_rows, sheet_from_rows, skipped_notes
from liaison_graph.loaders.sheet import CellError, ReadResult
from liaison_graph.loaders.xlsxparts import (
    ZeroFormat,
    check_zip,
    has_error_cells,
    merged_ranges,
    padding_format,
    workbook_parts,
    zero_cells,
    zero_styles,
)

log = logging.getLogger(__name__)


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
    place (see loaders.xlsxparts.zero_cells)."""
    if has_error_cells(path):
        return _openpyxl_sheets(path)
    padded: dict[str, dict[int, dict[int, ZeroFormat]]] = {}
    with zipfile.ZipFile(path) as z:
        parts, styles = workbook_parts(z)
        padding = zero_styles(z, styles)
        for name, part in parts.items() if padding else ():
            if part in z.namelist():
                cells = zero_cells(z, part, padding)
                if cells is None:
                    return _openpyxl_sheets(path)
                padded[name] = cells
    return _calamine_sheets(path, padded)


def _calamine_sheets(path: Path, padded: dict[str, dict[int, dict[int, ZeroFormat]]]) -> Iterator[WorkbookSheet]:
    """Each worksheet, read by calamine in compiled code (an order faster than an XML parser in
    Python), its merged ranges as calamine reads them. It does not tell a number's format:
    ``padded`` holds, by sheet, the cells whose number a format pads with zeros (loaders.xlsxparts.zero_cells)."""
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
        parts, _ = workbook_parts(z)
        merges = {name: merged_ranges(z, part) for name, part in parts.items() if part in z.namelist()}
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


def read_xlsx(path: Path, display: str) -> ReadResult:
    """Every table a workbook holds, a sheet each; hidden sheets and sheets of no table are noted."""
    # The readers are imported by the one format that needs them: every other command starts faster.
    from openpyxl.utils.exceptions import InvalidFileException
    from python_calamine import CalamineError

    check_zip(path, display)
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
            sheet = sheet_from_rows(display, ws.name, table, ws.rows, data=False)
            if sheet is None:
                if table is not None:
                    raise InputError(Where(display, ws.name), f"找不到表头行（前{HEADER_SCAN_ROWS}行中没有一行含两个以上已知列名）")
                result.ignored.append(f"{display} 工作表「{ws.name}」")
                continue
            body, across = merged_body(ws.rows, ws.merges, sheet.header_row)
            if ws.height >= fastpaths.CLEAN_AS_COLUMNS_FROM:
                # The column engine (polars) loads only when a large sheet is read; it never imports back.
                from liaison_graph.loaders import bulkread

                rest = list(body)
                sheet.frame = bulkread.cells_frame(rest, sheet)
                if sheet.frame is None:
                    keep_rows(sheet, rest, across)
                else:
                    bulkread.skip_frame_rows(sheet, across)
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
