"""How an export is written out as a file: the graph as node-link JSON, GraphML or GEXF
(Gephi), a roster table as CSV (UTF-8 with a BOM or GB18030, formula-like text quoted) or as
a workbook (header frozen and filtered, columns sized, dates as date cells, formula-like
text kept as text). The verbs (``api/verbs/exports.py``) say what is
exported; this module only writes it."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import networkx as nx
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from liaison_graph.api import graph_formats
from liaison_graph.api.verbs.exports import Table
from liaison_graph.graph.spreadsheet import CsvWriter, xlsx_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_WIDTH_MIN, XLSX_WIDTH_MAX = 6, 60  # a table export's column widths, in characters
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # a stored day (graph/days.py), written as a date cell
# The graph's formats (node-link JSON, GraphML, GEXF) are written in api/graph_formats.py.
GRAPH_MEDIA = graph_formats.GRAPH_MEDIA


def graph_bytes(H: nx.MultiDiGraph, fmt: str) -> bytes:
    """The export graph in a format of ``GRAPH_MEDIA``."""
    return graph_formats.graph_bytes(H, fmt)


# What a table export's CSV may be written in: UTF-8 with a BOM (Excel then reads it as
# UTF-8), or GB18030 for the import dialogs of older systems that read no UTF-8.
CSV_ENCODINGS = ("utf-8", "gb18030")


def table_csv(table: Table, encoding: str = "utf-8") -> bytes:
    """A roster table as CSV: UTF-8 with a BOM, or GB18030 (every character has a GB18030
    code, so nothing is lost); formula-like text quoted as ``graph/spreadsheet.py`` does."""
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    if encoding == "gb18030":
        return buf.getvalue().encode("gb18030")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _width(value) -> int:
    """How many columns of a fixed-width font a value takes in its widest line (a Chinese
    character two)."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))


def table_xlsx(table: Table) -> bytes:
    """A roster table as a workbook a clerk can work in: the header frozen and filtered,
    each column as wide as its text (within bounds), dates as date cells, formula-like text
    as text cells (``graph/spreadsheet.py``)."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.label
    ws.append(xlsx_row(ws, table.headers))
    widths = [_width(h) for h in table.headers]
    for row in table.rows:
        values = [dt.date.fromisoformat(v) if i in table.dates and isinstance(v, str) and ISO_DAY.match(v) else v
                  for i, v in enumerate(row)]
        ws.append(xlsx_row(ws, values))
        for i, v in enumerate(values):
            if v is not None and widths[i] < XLSX_WIDTH_MAX:
                widths[i] = max(widths[i], _width(v))
    for i in table.dates:
        for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, XLSX_WIDTH_MIN), XLSX_WIDTH_MAX) + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
