"""What a read sheet is, before its rows are cleaned: its columns as the office headed them,
its raw rows (or, read in bulk, its text columns), what reading a file gives, and the check
of a header cell. The readers (read.py and the modules it dispatches to) make sheets; the
cell path (validate.py) and the bulk path (bulk.py) clean them; none imports another for
these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import Table, fold
from liaison_graph.loaders.text import text_fault

if TYPE_CHECKING:
    import polars as pl


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
    header_cells: tuple[str, ...] = ()  # the header row's texts as written
    _words: frozenset[str] | None = field(default=None, repr=False)  # see header_words
    # Rows between the data rows that are not data (see row_kind), left out: kind -> (row number, text).
    skipped: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def where(self, row: int | None = None, col: SheetColumn | None = None) -> Where:
        return Where(self.file, self.sheet, row, col.letter if col else None, col.header if col else None)


@dataclass
class ReadResult:
    sheets: list[RawSheet]
    ignored: list[str]  # sheets or files that hold no known table


class CellError(str):
    """A cell that holds a formula's error (#N/A, #REF!, ...), not a value: refused where the
    roster needs what it stands for."""


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
