"""What every printed workbook shares: A4 landscape fit to one page wide, the title rows
repeated on every page, borders, number formats (``0.0%`` ratios, days as dates), page
numbers, the 合计 rows and the 制表单位 / 制表人 / 审核人 / 日期 lines an office signs.

A sheet is written top to bottom through :class:`Sheet`; every cell holds a value, never a
formula (a 合计 is worked out here), and text a spreadsheet would run is kept as text
(``graph/spreadsheet.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from liaison_graph.api.output import width
from liaison_graph.graph.spreadsheet import xlsx_row

RATIO, COUNT, DAY = "0.0%", "0", 'yyyy"年"m"月"d"日"'
BODY, TITLE = "宋体", "黑体"
_LINE = Side(style="thin")
_BOX = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 44  # a column wider than this wraps its text


@dataclass(frozen=True)
class Column:
    header: str
    format: str | None = None  # RATIO, COUNT, DAY or None (text)
    unit: str = ""  # shown after a 合计's number: 名, 个, 条


def day(iso: str | None) -> dt.date | None:
    """An ISO day as a date cell's value (None stays empty)."""
    return dt.date.fromisoformat(iso) if iso else None


def day_text(value: str | dt.date) -> str:
    """A day as Chinese text: 2026年11月30日."""
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日"


def chinese_number(n: int) -> str:
    """一, 二 … 十, 十一 …: the numbering of a report's sections."""
    tens, ones = divmod(n, 10)
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return ("" if tens == 1 else digits[tens]) + "十" + ("" if ones == 0 else digits[ones])


def sheet_name(wb: Workbook, name: str) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _FORBIDDEN.sub("、", name)[:31]
    taken, k, out = set(wb.sheetnames), 2, base
    while out in taken:
        out = f"{base[:27]}（{k}）"
        k += 1
    return out


class Sheet:
    """One printed sheet: a title (with the committee and the day), a line under it, then
    tables with their header rows, then the lines an office signs."""

    def __init__(self, wb: Workbook, name: str, title: str, subtitle: str, columns: list[Column]):
        self.ws = wb.create_sheet(sheet_name(wb, name))
        self.columns = columns
        self.widths = [width(c.header) for c in columns]
        self.spans: list[tuple[int, str, int]] = []  # rows written across every column: (row, text, size)
        self._across(title, Font(name=TITLE, bold=True, size=16), "center")
        self._across(subtitle, Font(name=BODY, size=11), "center")
        self.ws.print_title_rows = "1:2"

    @property
    def row(self) -> int:
        return self.ws.max_row  # the last row written (every row is appended, a blank one as [None])

    def _across(self, text: str, font: Font, align: str, size: int = 0) -> None:
        """A row of one text over every column (a title, a section, a signature line)."""
        self.ws.append(xlsx_row(self.ws, [text]))
        r = self.row
        self.ws.cell(r, 1).font = font
        self.ws.cell(r, 1).alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if len(self.columns) > 1:
            self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(self.columns))
        self.spans.append((r, text, font.sz or 11))

    def section(self, text: str) -> None:
        """A labelled section of a sheet (一、两个全覆盖 …), after a blank row."""
        self.ws.append([None])
        self._across(text, Font(name=TITLE, bold=True, size=12), "left")

    def header(self, headers: list[str] | None = None, repeat: bool = False) -> None:
        headers = headers or [c.header for c in self.columns]
        self.ws.append(xlsx_row(self.ws, headers))
        r = self.row
        for i in range(len(headers)):
            cell = self.ws.cell(r, i + 1)
            cell.font = Font(name=BODY, bold=True)
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self.widths[i] = max(self.widths[i], width(str(headers[i] or "")))
        if repeat:  # the header of the sheet's one table: printed on every page, kept in view
            self.ws.print_title_rows = f"1:{r}"
            self.ws.freeze_panes = f"A{r + 1}"

    def rows(self, rows: list[list], formats: list[str | None] | None = None, bold: bool = False) -> None:
        formats = formats or [c.format for c in self.columns]
        for values in rows:
            self.ws.append(xlsx_row(self.ws, values))
            for i in range(len(values)):
                cell = self.ws.cell(self.row, i + 1)
                cell.border = _BOX
                cell.font = Font(name=BODY, bold=bold)
                fmt = formats[i] if i < len(formats) else None
                if fmt and cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = fmt
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                else:
                    cell.alignment = Alignment(vertical="center", wrap_text=True)
                self.widths[i] = max(self.widths[i], self._shown(cell.value, fmt))

    def total(self, values: list, formats: list[str | None] | None = None) -> None:
        """The 合计 row (its values worked out by the caller: never a formula)."""
        self.rows([["合计", *values]], formats, bold=True)

    def none(self, text: str = "（无）") -> None:
        """The row of an empty table, so a filed sheet says so."""
        self.rows([[text] + [None] * (len(self.columns) - 1)], [None] * len(self.columns))

    @staticmethod
    def _shown(value, fmt: str | None) -> int:
        if value is None:
            return 0
        if fmt == RATIO and isinstance(value, (int, float)):
            return 7
        if fmt == DAY and isinstance(value, dt.date):
            return 15
        return width(str(value))

    def finish(self, unit: str, made: dt.date) -> None:
        """The lines an office signs, then column widths, title heights and the page setup."""
        self.ws.append([None])
        gap = "\u3000" * 6
        self._across(f"制表单位：{unit}{gap}制表人：{gap}审核人：{gap}日期：{day_text(made)}", Font(name=BODY, size=11), "left")
        ws = self.ws
        widths = [min(MAX_WIDTH, max(6, w + 2)) for w in self.widths]
        wanted = max(width(t) * size / 11 for _, t, size in self.spans[:1] + self.spans[-1:]) + 4
        if sum(widths) < wanted:  # a narrow table is widened to carry its title and the signature line
            widths = [w * wanted / sum(widths) for w in widths]
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
        spans = {r for r, _, _ in self.spans}
        for r, text, size in self.spans:  # a text wider than the sheet wraps onto more lines
            ws.row_dimensions[r].height = _lines(width(text) * size / 11, sum(widths)) * size * 1.6
        for cells in ws.iter_rows(min_row=1, max_row=ws.max_row):
            if cells[0].row not in spans:  # a cell's text wider than its column wraps: the row grows
                lines = max((_lines(width(c.value), widths[c.column - 1]) for c in cells if isinstance(c.value, str)), default=1)
                if lines > 1:
                    ws.row_dimensions[cells[0].row].height = lines * 15
        setup = ws.page_setup
        setup.orientation, setup.paperSize = "landscape", ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"
        ws.oddFooter.center.size = 10


def _lines(text_width: float, column_width: float) -> int:
    return max(1, -int(-text_width // max(column_width - 2, 1)))


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb
