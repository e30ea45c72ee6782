"""Rosters read and checked in bulk: a CSV's rows parsed into text columns by a columnar
engine, then cleaned column by column with the same rules as the cell-by-cell path.

Plain text and id lists are cleaned by vectorised string operations; dates and
vocabularies by parsing each distinct text once and mapping the column; the checks across
columns run as column expressions. A fault is reported where it first stands (the earliest
row; in a row, the first column), with the message the cell-by-cell path gives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import polars as pl

from graph.errors import InputError
from graph.model import Column, Table
from loaders.read import RawSheet, SheetColumn
from loaders.validate import MAX_CELL, Row, check_row, clean_value

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
        return pl.read_csv(text.encode(), has_header=False, separator=delimiter, quote_char='"', skip_rows=sheet.header_row,
                           schema=_frame_schema(sheet), truncate_ragged_lines=True, raise_if_empty=False,
                           extra_columns="ignore", missing_columns="insert")
    except pl.exceptions.PolarsError as exc:
        log.debug("bulk CSV parse of %s fell back to records: %s", sheet.file, exc)
        return None


def records_frame(records: Iterator[tuple[int, list]], sheet: RawSheet) -> pl.DataFrame:
    """The rows below the header from the csv module's records (their cells past the header's
    width dropped, missing ones empty)."""
    schema = _frame_schema(sheet)
    width = len(schema)
    rows = [(cells + [None] * width)[:width] for _, cells in records]
    return pl.DataFrame(rows, schema=schema, orient="row")


# What Python's str.strip() removes, so a column cleaned in bulk equals one cleaned cell by cell.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
LIST_PATTERN = "[、，,；;／/\n]+"  # LIST_SEPARATORS, in the bulk engine's syntax


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars(WHITESPACE)
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def _first(mask: pl.Series) -> int | None:
    """The position of the first true value, or None."""
    found = mask.fill_null(False).arg_true()
    return int(found[0]) if len(found) else None


def parse_frame(sheet: RawSheet) -> list[Row]:
    """Clean a sheet read in bulk, column by column: plain text and id lists by vectorised
    string operations; dates and vocabularies by parsing each distinct text once and
    mapping the column. A fault is reported where it first stands (the earliest row; in a
    row, the first column), as the cell-by-cell path would."""
    table = sheet.table
    frame = sheet.frame.with_row_index("_pos")
    frame = frame.filter(~pl.all_horizontal(_blank_to_null(pl.col(c)).is_null() for c in sheet.frame.columns))
    positions = frame["_pos"]
    by_column = {c.column: c for c in sheet.columns if c.column}
    faults: list[tuple[int, int, object]] = []  # (position in frame, order, what to raise)
    values: dict[str, pl.Series] = {}
    for order, (name, column) in enumerate(table.columns.items()):
        col = by_column.get(name)
        if col is None:
            constant = clean_value(column, None, sheet.where(None, None).at(None, column.label))
            dtype = pl.List(pl.String) if column.is_list else pl.String
            values[name] = pl.Series(name, [constant] * frame.height, dtype=dtype)
            continue
        raw = frame[str(col.index)]
        series, fault = _clean_column(sheet, column, col, raw)
        values[name] = series.alias(name)
        if fault is not None:
            faults.append((fault, order, ("cell", column, col, raw[fault])))
    extras = [c for c in sheet.columns if not c.column]
    extra_values = {}
    for order, col in enumerate(extras, start=len(table.columns)):
        text = frame.select(_blank_to_null(pl.col(str(col.index)))).to_series()
        if (at := _first(text.str.len_chars() > MAX_CELL)) is not None:
            faults.append((at, order, ("long", col, text[at])))
        extra_values[col.header] = text
    parsed = pl.DataFrame(values)
    if (at := _first(_row_faults(table, parsed))) is not None:
        faults.append((at, len(table.columns) + len(extras), ("row", None, None, None)))
    if faults:
        at, _, (what, *detail) = min(faults, key=lambda f: f[:2])
        where = sheet.where(int(positions[at]) + sheet.header_row + 1)
        if what == "cell":
            column, col, raw = detail
            clean_value(column, raw, where.at(col.letter, col.header))
        elif what == "long":
            col, text = detail
            raise InputError(where.at(col.letter, col.header), f"单元格内容过长（{len(text)} 个字符，上限 {MAX_CELL}）")
        check_row(Row(table.name, parsed.row(at, named=True), {}, sheet.where(), where.row, by_column))
        raise AssertionError("a row fault found in bulk was not found again")  # pragma: no cover
    origin = sheet.where()
    row_numbers = (positions + sheet.header_row + 1).to_list()
    names = parsed.columns
    rows = zip(*(_python_values(parsed[name]) for name in names))
    if not extras:
        return [Row(table.name, dict(zip(names, v)), {}, origin, n, by_column) for v, n in zip(rows, row_numbers)]
    headers = list(extra_values)
    extra_rows = zip(*(_python_values(text) for text in extra_values.values()))
    return [Row(table.name, dict(zip(names, v)), {h: t for h, t in zip(headers, texts) if t is not None}, origin, n, by_column)
            for v, n, texts in zip(rows, row_numbers, extra_rows)]


def _python_values(series: pl.Series) -> list:
    """A column as Python values. Repeated texts share one string object: a nation roster
    repeats its committees, sectors, parties and dates hundreds of thousands of times, and
    each row's values live on as a node's properties."""
    values = series.to_list()
    if series.dtype == pl.String and series.n_unique() * 4 < len(series):
        shared = {v: v for v in series.unique().to_list()}
        values = [shared[v] for v in values]
    return values


def _earliest(*positions: int | None) -> int | None:
    found = [p for p in positions if p is not None]
    return min(found) if found else None


def _clean_column(sheet: RawSheet, column: Column, col: SheetColumn, raw: pl.Series) -> tuple[pl.Series, int | None]:
    """A column's clean values, and the position of its first faulty cell (or None)."""
    fault = _first(raw.str.len_chars() > MAX_CELL)
    if column.type != "date" and not column.enum:  # text and id lists, in bulk
        text = raw.to_frame().select(_blank_to_null(pl.col(raw.name))).to_series()
        if column.is_list:
            parts = text.str.replace_all(LIST_PATTERN, "\x00").str.split("\x00")
            text = parts.list.eval(_blank_to_null(pl.element())).list.drop_nulls().list.unique(maintain_order=True)
            text = text.fill_null(pl.lit([], dtype=pl.List(pl.String)))
            empty = text.list.len() == 0
        else:
            empty = text.is_null()
        return text, _earliest(fault, _first(empty)) if column.required else fault
    # dates and vocabularies: each distinct text parsed once, the column mapped
    dtype = pl.List(pl.String) if column.is_list else pl.String
    keys, cleaned, bad, null_value = [], [], [], None
    for value in raw.unique().to_list():
        try:
            parsed = clean_value(column, value, sheet.where(None, col))
        except InputError:
            bad.append(value)
            continue
        if value is None:
            null_value = parsed
        else:
            keys.append(value)
            cleaned.append(parsed)
    if bad:
        mask = raw.is_in([b for b in bad if b is not None])
        fault = _earliest(fault, _first(mask | raw.is_null() if None in bad else mask))
    series = (raw.replace_strict(keys, cleaned, default=None, return_dtype=dtype) if keys
              else pl.Series(raw.name, [None] * len(raw), dtype=dtype))
    if null_value is not None:
        series = series.fill_null(pl.lit(null_value, dtype=dtype))
    return series, fault


def _row_faults(table: Table, parsed: pl.DataFrame) -> pl.Series:
    """Rows that break a rule across columns (see ``check_row``), in bulk."""
    checks = []
    names = set(parsed.columns)
    if {"start_date", "end_date"} <= names:
        checks.append(pl.col("end_date") < pl.col("start_date"))
    if table.name == "party_orgs":
        checks.append((pl.col("kind") == "temporary_branch") & pl.col("end_date").is_null())
    if table.name in ("committees", "party_orgs"):
        checks.append(pl.col("parent_id") == pl.col("id"))
    if not checks or parsed.height == 0:
        return pl.Series([False] * parsed.height, dtype=pl.Boolean)
    return parsed.select(pl.any_horizontal(checks).fill_null(False)).to_series()
