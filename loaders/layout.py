"""How a table sits in a sheet, whatever the file: the header row found among the first rows
and its cells mapped to the model's columns, and which rows below it are data.

``sheet_from_rows`` finds the header and makes the :class:`RawSheet`; ``keep_rows`` keeps
its data rows cell by cell, leaving out what ``row_kind`` names (a repeated header, a
totals row, a section header), each noted for the load's report (``skipped_notes``). The
bulk path asks ``row_kind`` of the rows it picks (loaders.bulkread). Values stay raw here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from liaison_graph.graph.errors import InputError, Where
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import Table, fold
from liaison_graph.loaders.sheet import RawSheet, SheetColumn, check_header
from liaison_graph.loaders.text import cell_text, shown

HEADER_SCAN_ROWS = 20  # a header sits within the first rows, below a title or two
MIN_HEADER_MATCHES = 2


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
            # a table whose required columns are all named, then the one naming most of its columns
            # (a studio's header names a party organisation's required ones too), then most required
            wanted = [c.name in matched.values() for c in cand.columns.values() if c.required]
            score = (all(wanted), len(set(matched.values())), sum(wanted))
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


def sheet_from_rows(
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


def skipped_notes(sheet: RawSheet) -> list[str]:
    """The load report's lines for the rows row_kind left out of a sheet: one per kind."""
    notes = []
    place = Where(sheet.file, sheet.sheet).describe()
    for kind, rows in sheet.skipped.items():
        numbers = "、".join(str(n) for n, _ in rows[:10]) + ("" if len(rows) <= 10 else f"等 {len(rows)} ")
        example = "" if kind == "header" else f"，如「{shown(rows[0][1])}」"
        notes.append(f"{place} 第{numbers}行（{SKIPPED_WORDS[kind]}{example}）")
    return notes
