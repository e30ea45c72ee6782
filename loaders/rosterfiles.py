"""A roster's tables written as an office's files would hold them: a CSV per table (English
headers), one JSON document, or one workbook (a sheet per table, Chinese sheet names,
headers and values; streamed, or with a title above a table and columns of the office's
own). The fictional rosters (loaders.generate) and the shipped sample (loaders.sample) are
written through here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from liaison_graph.graph.model import model

Roster = dict[str, list[dict]]  # table -> rows, English column names


def columns(table: str) -> list[str]:
    return list(model().tables[table].columns)


def write_csvs(out_dir: Path, tables: Sequence[str], parts: Iterable[Roster]) -> dict[str, int]:
    """A CSV per table in ``out_dir``, written as the parts come (the nation never sits in
    memory); rows per table."""
    counts = dict.fromkeys(tables, 0)
    files = {t: open(out_dir / f"{t}.csv", "w", encoding="utf-8", newline="") for t in tables}
    try:
        writers = {t: csv.DictWriter(f, columns(t), lineterminator="\n") for t, f in files.items()}
        for w in writers.values():
            w.writeheader()
        for roster in parts:
            for t in tables:
                writers[t].writerows(roster[t])
                counts[t] += len(roster[t])
    finally:
        for f in files.values():
            f.close()
    return counts


def write_json(path: Path, tables: Sequence[str], parts: Iterable[Roster]) -> dict[str, int]:
    """One JSON document of every table, empty values left out; rows per table."""
    rows: dict[str, list[dict]] = {t: [] for t in tables}
    for roster in parts:
        for t in tables:
            rows[t].extend(roster[t])
    clean = {t: [{k: v for k, v in r.items() if v is not None} for r in table_rows] for t, table_rows in rows.items()}
    path.write_text(json.dumps(clean, ensure_ascii=False, indent=1), encoding="utf-8")
    return {t: len(table_rows) for t, table_rows in rows.items()}


def stream_workbook(path: Path, tables: Sequence[str], parts: Iterable[Roster]) -> dict[str, int]:
    """One workbook, a sheet per table as write_workbook makes them, written as the parts
    come (the nation's 1.8 million rows never sit in memory); rows per table."""
    from openpyxl import Workbook

    m = model()
    wb = Workbook(write_only=True)
    sheets = {t: wb.create_sheet(m.tables[t].label) for t in tables}
    cols = {t: columns(t) for t in tables}
    for t, ws in sheets.items():
        ws.append(_headers(m.tables[t], cols[t]))
    counts = dict.fromkeys(tables, 0)
    for roster in parts:
        for t, ws in sheets.items():
            for row in roster[t]:
                ws.append(_cells(m, m.tables[t], cols[t], row))
            counts[t] += len(roster[t])
    wb.save(path)
    return counts


def write_workbook(path: Path, tables: dict[str, list[dict]], titles: dict[str, str] | None = None,
                   order: dict[str, list[str]] | None = None) -> None:
    """One sheet per table, Chinese sheet names and headers, values shown in Chinese.

    ``titles`` puts a merged title row above a table's header, ``order`` sets a table's
    columns (unknown ones such as 序号 or 备注 included); a ``None`` row is left blank.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    m = model()
    wb = Workbook()
    wb.remove(wb.active)
    for t, rows in tables.items():
        table = m.tables[t]
        ws = wb.create_sheet(table.label)
        cols = (order or {}).get(t) or columns(t)
        headers = _headers(table, cols)
        title = (titles or {}).get(t)
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
            ws.cell(1, 1).font = Font(bold=True, size=14)
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
        ws.append(headers)
        for row in rows:
            if row is None:
                ws.append([])
                continue
            ws.append(_cells(m, table, cols, row))
    wb.save(path)


def _headers(table, cols: list[str]) -> list[str]:
    """A sheet's header row: each column's Chinese label (an unknown one as it is)."""
    return [table.columns[k].label if k in table.columns else k for k in cols]


def _cells(m, table, cols: list[str], row: dict) -> list:
    return [_shown(m, table, k, row.get(k)) for k in cols]


def _shown(m, table, column: str, value):
    """An English code as the Chinese label an office would type; dates and text as they are."""
    if value is None or column not in table.columns or not isinstance(value, str):
        return value
    enum = table.columns[column].enum
    if not enum:
        return value
    return "、".join(m.label(enum, v) for v in value.split("、"))
