"""Text in the product's own workbooks and CSVs: what a spreadsheet would run as a formula
(=, +, -, @, a tab, a carriage return, a line feed first) is written so that it stays
text, and the product's CSVs read back as they were written.

Every writer of a workbook or a CSV goes through this module (xlsx_row, CsvWriter): the
coverage report, the recommendation workbook, the table exports and the command line's CSV.
"""

from __future__ import annotations

import csv
import re

# What makes a spreadsheet read a cell as a formula (or a DDE call), when it starts with it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A CSV cell csv_cell neutralised: its quote, then formula text (or text that was quoted
# before). The same pattern serves Python's re and the bulk CSV engine's expressions.
QUOTED = r"^'('*[=+\-@\t\r\n])"
_QUOTED = re.compile(QUOTED)
# Text openpyxl would write as an error value (openpyxl.cell.cell.ERROR_CODES).
ERROR_VALUES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def csv_cell(value):
    """A CSV cell: text a spreadsheet would run gets a leading ' (OWASP's advice; a
    spreadsheet reads the quote as "this is text"), and so does text that already starts
    with quotes before such text, so that csv_text gives back exactly the value."""
    return csv_row((value,))[0]


def csv_row(values) -> list:
    """csv_cell over a row (written out: an export may have many thousand columns)."""
    return [("'" + v if v.startswith(FORMULA_START) or v.startswith("'") and _QUOTED.match(v) else v)
            if v.__class__ is str else v for v in values]


class CsvWriter:
    """csv.writer for the product's CSVs: each cell as csv_cell writes it, and a row that
    holds a carriage return quoted whole (the csv module leaves a bare CR unquoted when the
    line ends in LF alone, and a reader then starts a new row, and maybe a formula, there)."""

    def __init__(self, stream, lineterminator: str = "\r\n"):
        self._minimal = csv.writer(stream, lineterminator=lineterminator)
        self._quoted = csv.writer(stream, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)
        self._bare_cr = "\r" not in lineterminator

    def writerow(self, values) -> None:
        row = csv_row(values)
        quoted = self._bare_cr and any(v.__class__ is str and "\r" in v for v in row)
        (self._quoted if quoted else self._minimal).writerow(row)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(text: str) -> str:
    """A CSV cell as read: the quote csv_cell put before formula text taken off again, so a
    table export loads back as it was."""
    return text[1:] if _QUOTED.match(text) else text


def _text_cell(ws, text: str):
    from openpyxl.cell.cell import Cell  # workbooks only: reading a CSV does not load openpyxl

    cell = Cell(ws, value=text)
    cell.data_type = "s"  # a string, where openpyxl would write "=…" as a formula and "#N/A" as an error
    # Formatted as text ("@"): it stays text when someone edits it, and nothing shows the
    # guard (a quote prefix would show a ' in the formula bar of Excel and WPS).
    cell.number_format = "@"
    return cell


def xlsx_row(ws, values) -> list:
    """A row for ``ws.append``: every text a spreadsheet would run, or read as an error
    value, becomes a text cell formatted as text, that shows exactly the text, with no quote
    in the cell or the formula bar."""
    return [_text_cell(ws, v) if isinstance(v, str) and (v.startswith(FORMULA_START) or v in ERROR_VALUES) else v
            for v in values]
