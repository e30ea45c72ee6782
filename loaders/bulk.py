"""Rosters checked in bulk: a large sheet read as text columns (loaders.bulkread) is cleaned
column by column with the same rules as the cell-by-cell path.

Plain text and id lists are cleaned by vectorised string operations; dates and
vocabularies by parsing each distinct text once and mapping the column; the checks across
columns run as column expressions. A fault is reported where it first stands (the earliest
row; in a row, the first column), with the message the cell-by-cell path gives. The clean
rows stay columns (SheetRows) until a row is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from liaison_graph.graph.errors import InputError
from liaison_graph.graph.model_types import Column, Table
from liaison_graph.loaders import text as chars
from liaison_graph.loaders.sheet import RawSheet, SheetColumn
from liaison_graph.loaders.validate import MAX_CELL, TEMPORARY, Row, cell_flags, check_row, clean_extra, clean_value

LIST_ITEM = "[^、，,；;／/\n]+"  # what stands between LIST_SEPARATORS, in the bulk engine's syntax


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    """A cell's text as loaders.validate.cell_text gives it: without the spaces and invisible
    characters at its ends; null when blank."""
    stripped = expr.str.strip_chars(chars.ENDS)
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def _blank_row_cell(expr: pl.Expr) -> pl.Expr:
    """Whether a cell leaves its row blank, as loaders.layout keeps rows (spaces alone)."""
    return expr.is_null() | (expr.str.strip_chars(chars.WHITESPACE).str.len_chars() == 0)


def parse_frame(sheet: RawSheet) -> SheetRows:
    """Clean a sheet read in bulk, column by column: plain text and id lists by vectorised
    string operations; dates and vocabularies by parsing each distinct text once and
    mapping the column. Every column is cleaned in one pass of the engine, its faults
    found in the same pass. A fault is reported where it first stands (the earliest row;
    in a row, the first column), as the cell-by-cell path would."""
    table = sheet.table
    frame = sheet.frame.with_row_index("_pos")
    frame = frame.filter(~pl.all_horizontal(_blank_row_cell(pl.col(c)) for c in sheet.frame.columns))
    by_column = {c.column: c for c in sheet.columns if c.column}
    extras = [c for c in sheet.columns if not c.column]
    mapped = {name: by_column[name] for name, column in table.columns.items()
              if name in by_column and (column.type == "date" or column.enum)}
    distinct = frame.select(pl.col(str(c.index)).unique().implode().alias(n) for n, c in mapped.items()).row(0, named=True) \
        if mapped and frame.height else dict.fromkeys(mapped, [])
    cleaned, faults = [], []  # faults: (order, expression true where the cell is at fault)
    for order, (name, column) in enumerate(table.columns.items()):
        dtype = pl.List(pl.String) if column.is_list else pl.String
        col = by_column.get(name)
        if col is None:
            constant = clean_value(column, None, sheet.where(None, None).at(None, column.label))
            cleaned.append(pl.lit(constant, dtype=dtype).alias(name))
            continue
        raw = pl.col(str(col.index))
        if name in mapped:
            value, fault = _mapped(sheet, column, col, raw, distinct[name], dtype)
        else:
            value, fault = _plain(column, raw)
        cleaned.append(value.alias(name))
        faults.append((order, (raw.str.len_chars() > MAX_CELL) | fault))
    for flag, name in table.flags.items():  # what a column's words set besides their values (中共预备党员)
        col, column = by_column.get(name), table.columns[name]
        texts = [t for t in distinct.get(name, ()) if t is not None and flag in cell_flags(column, t)] if col else []
        flagged = pl.col(str(col.index)).is_in(pl.Series(texts, dtype=pl.String).implode()) if texts else pl.lit(False)
        cleaned.append(pl.when(flagged).then(True).otherwise(None).alias(flag))
    for order, col in enumerate(extras, start=len(table.columns)):
        text = _blank_to_null(pl.col(str(col.index)))
        cleaned.append(text.alias(f"_extra{order}"))
        faults.append((order, (text.str.len_chars() > MAX_CELL) | text.str.contains(chars.ENGINE_PATTERNS["free"])))
    parsed = frame.with_columns(*cleaned)  # the file's columns are named by position, the clean ones by name
    checks = _row_checks(table, set(table.columns))
    if checks:
        faults.append((len(table.columns) + len(extras), pl.any_horizontal(checks)))
    firsts = parsed.select(expr.fill_null(False).arg_true().first().alias(str(order)) for order, expr in faults).row(0) \
        if faults and parsed.height else ()
    found = [(at, order) for at, (order, _) in zip(firsts, faults) if at is not None]
    if found:
        _raise_at(sheet, table, by_column, extras, frame, parsed, *min(found))
    return SheetRows(sheet, parsed.select("_pos", *table.value_names, *_extra_names(table, len(extras))),
                     [c.header for c in extras])


def _extra_names(table: Table, count: int) -> list[str]:
    """The clean columns of a sheet's extra headers, numbered on after the table's own."""
    return [f"_extra{order}" for order in range(len(table.columns), len(table.columns) + count)]


class SheetRows(Sequence):
    """A sheet's clean rows, held as columns: one per column of the table, one per extra
    header and the rows' positions. Row objects are made only when a row is asked for;
    a large import is built from the columns themselves (loaders.frames)."""

    def __init__(self, sheet: RawSheet, parsed: pl.DataFrame, extra_headers: list[str]):
        self.table, self.origin, self.header_row = sheet.table, sheet.where(), sheet.header_row
        self.by_column = {c.column: c for c in sheet.columns if c.column}
        self.extra_headers = extra_headers
        self.parsed = parsed
        self._rows: list[Row] | None = None

    def __len__(self) -> int:
        return self.parsed.height

    def __getitem__(self, index):
        return self.rows()[index]

    def columns(self) -> tuple[pl.DataFrame, list[str]]:
        """The clean columns by name, then one column per extra header (named by its order
        among them), and the extra headers."""
        extra = _extra_names(self.table, len(self.extra_headers))
        return self.parsed.select(*self.table.value_names, *extra), self.extra_headers

    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = self._make_rows()
        return self._rows

    def _make_rows(self) -> list[Row]:
        parsed, table, by_column = self.parsed, self.table, self.by_column
        names = list(table.value_names)
        row_numbers = (parsed["_pos"] + self.header_row + 1).to_list()
        rows = zip(*(_python_values(parsed[name]) for name in names))
        if not self.extra_headers:
            return [Row(table.name, dict(zip(names, v)), {}, self.origin, n, by_column) for v, n in zip(rows, row_numbers)]
        extra_rows = zip(*(_python_values(parsed[name]) for name in _extra_names(table, len(self.extra_headers))))
        return [Row(table.name, dict(zip(names, v)), {h: t for h, t in zip(self.extra_headers, texts) if t is not None},
                    self.origin, n, by_column) for v, n, texts in zip(rows, row_numbers, extra_rows)]


def _raise_at(sheet: RawSheet, table: Table, by_column: dict, extras: list, frame: pl.DataFrame, parsed: pl.DataFrame,
              at: int, order: int) -> None:
    """Raise the fault found in bulk at row position ``at``, column ``order``, with the
    words and place the cell-by-cell path gives."""
    where = sheet.where(int(parsed["_pos"][at]) + sheet.header_row + 1)
    columns = list(table.columns.values())
    if order < len(columns):
        column = columns[order]
        col = by_column[column.name]
        clean_value(column, frame[str(col.index)][at], where.at(col.letter, col.header))
    elif order < len(columns) + len(extras):
        col = extras[order - len(columns)]
        clean_extra(frame[str(col.index)][at], where.at(col.letter, col.header))
    check_row(Row(table.name, {name: parsed[name][at] for name in table.columns}, {}, sheet.where(), where.row, by_column))
    raise AssertionError("a fault found in bulk was not found again")  # pragma: no cover


def _python_values(series: pl.Series) -> list:
    """A column as Python values. Repeated texts share one string object: a nation roster
    repeats its committees, sectors, parties and dates hundreds of thousands of times, and
    each row's values live on as a node's properties."""
    values = series.to_list()
    if series.dtype == pl.String and series.n_unique() * 4 < len(series):
        shared = {v: v for v in series.unique().to_list()}
        values = [shared[v] for v in values]
    return values


def _plain(column: Column, raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text and id lists, by string operations: the clean value, and where it is at fault
    (as ``clean_value``: a character its text kind refuses, more items than the column
    takes, an empty required cell); ids and names folded as loaders.text folds them."""
    text = _blank_to_null(raw)
    refused = chars.ENGINE_PATTERNS[column.text]
    if column.is_list:
        parts = text.str.extract_all(LIST_ITEM).list.eval(_blank_to_null(pl.element())).list.drop_nulls()
        bad = parts.list.eval(pl.element().str.contains(refused)).list.any()
        if column.text in FOLDS:
            parts = parts.list.eval(FOLDS[column.text](pl.element()))
        text = parts.list.unique(maintain_order=True).fill_null(pl.lit([], dtype=pl.List(pl.String)))
        empty = text.list.len() == 0
        bad = bad | (text.list.len() > column.max_items)
    else:
        bad = text.str.contains(refused)
        if column.text in FOLDS:
            text = FOLDS[column.text](text)
        empty = text.is_null()
    return text, bad | empty if column.required else bad


def _visible(text: pl.Expr) -> pl.Expr:
    """Without invisible characters anywhere and spaces at the ends (as loaders.text)."""
    return text.str.replace_all(chars.ENGINE_INVISIBLE, "").str.strip_chars(chars.ENDS)


def fold_id_expr(text: pl.Expr) -> pl.Expr:
    """As loaders.text.fold_id: no invisible characters, full-width letters, digits and signs as ASCII."""
    return _visible(text).str.replace_many(chars.FULL_WIDTH_CHARS, chars.ASCII_CHARS)


def fold_name_expr(text: pl.Expr) -> pl.Expr:
    """As loaders.text.fold_name: no invisible characters; the spaces inside taken out, or made
    one space in a name with Latin letters."""
    text = _visible(text)
    return pl.when(text.str.contains(chars.ENGINE_LATIN)).then(text.str.replace_all(chars.ENGINE_SPACES, " ")) \
        .otherwise(text.str.replace_all(chars.ENGINE_SPACES, ""))


FOLDS = {"id": fold_id_expr, "name": fold_name_expr}  # text kind -> how the engine folds it


def _mapped(sheet: RawSheet, column: Column, col: SheetColumn, raw: pl.Expr, distinct: list,
            dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """Dates and vocabularies: each distinct text parsed once, the column mapped."""
    keys, values, bad, null_value = [], [], [], None
    for text in distinct:
        try:
            value = clean_value(column, text, sheet.where(None, col))
        except InputError:
            bad.append(text)
            continue
        if text is None:
            null_value = value
        else:
            keys.append(text)
            values.append(value)
    out = raw.replace_strict(keys, values, default=None, return_dtype=dtype) if keys else pl.lit(None, dtype=dtype)
    if null_value is not None:
        out = out.fill_null(pl.lit(null_value, dtype=dtype))
    wrong = [b for b in bad if b is not None]
    fault = raw.is_in(pl.Series(wrong, dtype=pl.String).implode()) if wrong else pl.lit(False)
    return out, fault | raw.is_null() if None in bad else fault


def _row_checks(table: Table, names: set[str]) -> list[pl.Expr]:
    """The rules across a row's columns (see ``check_row``), as column expressions."""
    checks = []
    if {"start_date", "end_date"} <= names:
        checks.append(pl.col("end_date") < pl.col("start_date"))
    if table.name == "party_orgs":
        checks.append((pl.col("kind") == TEMPORARY) & pl.col("end_date").is_null())
    if table.name in ("committees", "party_orgs"):
        checks.append(pl.col("parent_id") == pl.col("id"))
    return checks
