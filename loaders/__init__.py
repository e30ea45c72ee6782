"""Roster files in → validated rows → one transaction into a store.

``load_files(paths, store)`` reads every file, checks every row and every reference
before writing anything, then hands the store one batch. Any fault raises an
:class:`~graph.errors.InputError` naming file, sheet, row and column, and the store is
left untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError, Where
from graph.store import Store, WriteResult
from loaders.build import build_batch
from loaders.read import read_file
from loaders.validate import Row, check_duplicates, parse_sheet

log = logging.getLogger(__name__)

TABLE_ORDER = ("committees", "party_orgs", "members", "liaisons", "contacts")


@dataclass
class LoadReport:
    files: list[str]
    rows: dict[str, int]  # table -> rows read
    result: WriteResult
    ignored: list[str] = field(default_factory=list)


def read_rows(paths: list[Path]) -> tuple[dict[str, list[Row]], list[str]]:
    """Read and check every row of every file; nothing is written."""
    rows: dict[str, list[Row]] = {name: [] for name in TABLE_ORDER}
    ignored: list[str] = []
    seen_files: dict[Path, str] = {}
    for path in paths:
        resolved = path.resolve()
        if resolved in seen_files:
            raise InputError(Where(path.name), "同一文件在本次导入中出现了两次")
        seen_files[resolved] = path.name
        result = read_file(path)
        ignored.extend(result.ignored)
        for sheet in result.sheets:
            rows[sheet.table.name].extend(parse_sheet(sheet))
    check_duplicates(rows)
    return rows, ignored


def load_files(paths: list[Path], store: Store) -> LoadReport:
    rows, ignored = read_rows(paths)
    if not any(rows.values()):
        raise InputError(Where("、".join(p.name for p in paths)), "没有找到任何可导入的表（政协、党组织、委员、联系、联系记录）")
    batch = build_batch(rows, store)
    result = store.write(batch)
    counts = {name: len(r) for name, r in rows.items() if r}
    log.info("loaded %s: %s", [p.name for p in paths], counts)
    return LoadReport([p.name for p in paths], counts, result, ignored)
