"""A large sheet read in bulk: its rows below the header made into text columns (one per
file column, named by its index; a CSV's parsed by the column engine, a worksheet's cells
written as the text the cell-by-cell path reads from them), and the rows that are not data
blanked in them, as loaders.layout leaves them out of a sheet read cell by cell. The bulk
path (loaders.bulk) then cleans the columns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import polars as pl

from liaison_graph.graph.spreadsheet import QUOTED
from liaison_graph.loaders.dates import parse_date
from liaison_graph.loaders.layout import MIN_HEADER_MATCHES, SPACE_CHARS, header_words, row_kind
from liaison_graph.loaders.sheet import CellError, RawSheet
from liaison_graph.loaders.text import cell_text

log = logging.getLogger(__name__)


def _frame_schema(sheet: RawSheet) -> dict:
    width = max(c.index for c in sheet.columns) + 1
    return {str(i): pl.String for i in range(width)}


def csv_frame(text: str, delimiter: str, sheet: RawSheet) -> pl.DataFrame | None:
    """The rows below the header, parsed in bulk into text columns; None when the file is
    one the bulk parser reads differently from the csv module (bare carriage returns, or a
    quoting fault), which then reads it record by record."""
    if "\r" in text and "\n" not in text:
        return None
    try:
        frame = pl.read_csv(text.encode(), has_header=False, separator=delimiter, quote_char='"', skip_rows=sheet.header_row,
                            schema=_frame_schema(sheet), truncate_ragged_lines=True, raise_if_empty=False,
                            extra_columns="ignore", missing_columns="insert")
    except pl.exceptions.PolarsError as exc:
        log.debug("bulk CSV parse of %s fell back to records: %s", sheet.file, exc)
        return None
    # as graph.spreadsheet.csv_text, cell by cell; only a cell that starts with ' can change
    return frame.with_columns(pl.when(pl.col(c).str.starts_with("'")).then(pl.col(c).str.replace(QUOTED, "${1}"))
                              .otherwise(pl.col(c)).alias(c) for c in frame.columns)


def records_frame(records: Iterator[tuple[int, list]], sheet: RawSheet) -> pl.DataFrame:
    """The rows below the header from the csv module's records (their cells past the header's
    width dropped, missing ones empty)."""
    schema = _frame_schema(sheet)
    width = len(schema)
    rows = [(cells + [None] * width)[:width] for _, cells in records]
    return pl.DataFrame(rows, schema=schema, orient="row")


def cells_frame(rows: list[tuple[int, list]], sheet: RawSheet) -> pl.DataFrame | None:
    """A worksheet's rows below the header as text columns, each cell the text the cell-by-cell
    path reads from it: a number, truth value or date cell as that path writes it as text, and
    a date cell in a date column as its ISO day (an Excel serial day too). None when only that
    path gives the same answer: a date cell it refuses (a time of day, a day out of range), a
    formula's error, or a row that holds something only right of the header's columns (it
    keeps such a row)."""
    width = len(_frame_schema(sheet))
    dates = {c.index for c in sheet.columns if c.column and sheet.table.columns[c.column].type == "date"}
    columns = list(zip(*(cells for _, cells in rows))) if rows else [()] * width
    for beyond in columns[width:]:
        if any(cell is not None and str(cell).strip() for cell in beyond):  # a row the cell path keeps (loaders.layout)
            return None
    data = {}
    for index, cells in enumerate(columns[:width]):
        if any(cell is not None and type(cell) is not str for cell in cells):
            if any(isinstance(cell, CellError) for cell in cells):
                return None
            try:
                cells = [cell if cell is None or type(cell) is str else parse_date(cell) if index in dates else cell_text(cell)
                         for cell in cells]
            except (ValueError, OverflowError):
                return None
        data[str(index)] = cells
    return pl.DataFrame(data, schema=_frame_schema(sheet))


def skip_frame_rows(sheet: RawSheet, across: frozenset = frozenset()) -> None:
    """As loaders.layout.keep_rows, for a sheet read in bulk: the rows that are not data rows are blanked in
    its frame (the bulk path leaves blank rows out, and their positions keep the row numbers).
    Engine expressions pick every row row_kind could name (two cells that say a header word;
    a required cell empty in a row that holds something), cell operations only a hash or a
    length costs on most columns; row_kind decides."""
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
