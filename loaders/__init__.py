"""Roster files in → validated rows → one transaction into a store.

``load_files(paths, store)`` reads every file, checks every row and every reference
before writing anything, then hands the store one batch. Any fault raises an
:class:`~graph.errors.InputError` naming file, sheet, row and column, and the store is
left untouched. An import of ``fastpaths.BUILD_AS_COLUMNS_FROM`` rows or more is built as columns
(loaders.frames) when it can be; otherwise, and always for a smaller one, row by row
(loaders.build).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from liaison_graph.graph import fastpaths
from liaison_graph.graph.batch import Audit, Batch, EdgeRow, WriteResult
from liaison_graph.graph.errors import BadArgument, Conflict, InputError, LiaisonError, Where
from liaison_graph.graph.guard import WriteCheck, check_write
from liaison_graph.loaders.hidden import keep_hidden_references
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store
from liaison_graph.loaders.build import build_batch
from liaison_graph.loaders.read import read_file
from liaison_graph.loaders.tables import TableRows
from liaison_graph.loaders.textfiles import read_json_doc
from liaison_graph.loaders.validate import Row, check_duplicates, parse_cells

log = logging.getLogger(__name__)

TABLE_ORDER = ("committees", "party_orgs", "studios", "members", "activities", "liaisons", "contacts", "masses_contacts")


@dataclass
class LoadReport:
    files: list[str]
    rows: dict[str, int]  # table -> rows read
    result: WriteResult
    ignored: list[str] = field(default_factory=list)


def _collect(results) -> tuple[dict[str, TableRows], list[str]]:
    """Parse the sheets of each read result as it comes; a file's raw cells are let go
    before the next file is read."""
    rows: dict[str, TableRows] = {name: TableRows() for name in TABLE_ORDER}
    ignored: list[str] = []
    for result in results:
        ignored.extend(result.ignored)
        while result.sheets:
            sheet = result.sheets.pop(0)
            rows[sheet.table.name].add(parse_sheet(sheet))
    check_duplicates(rows)
    return rows, ignored


def parse_sheet(sheet) -> list[Row]:
    """Clean every data row of a sheet: in bulk when it was read as text columns (a sheet of
    ``fastpaths.CLEAN_AS_COLUMNS_FROM`` rows or more: loaders.bulk), else cell by cell (loaders.validate). The
    one place the two paths meet; tests/loaders/test_loaders.py holds them equal."""
    if sheet.frame is not None:
        # The column engine (polars) loads only when a large sheet was read; it never imports back.
        from liaison_graph.loaders import bulk

        return bulk.parse_frame(sheet)
    return parse_cells(sheet)


def read_rows(paths: list[Path]) -> tuple[dict[str, TableRows], list[str]]:
    """Read and check every row of every file; nothing is written."""
    seen_files: dict[Path, str] = {}
    for path in paths:  # refuse a repeated file before reading anything
        resolved = path.resolve()
        if resolved in seen_files:
            raise InputError(Where(path.name), "同一文件在本次导入中出现了两次")
        seen_files[resolved] = path.name
    return _collect(read_file(path) for path in paths)


def prepare(rows: dict[str, TableRows], store: Store, source: str) -> Batch:
    """Resolve checked rows against the store into one batch (nothing is written); the
    memberships a member's row lists again keep the dates an edit gave them."""
    if not any(rows.values()):
        raise InputError(Where(source), "没有找到任何可导入的表（政协、党组织、委员、联系、联系记录）")
    batch = None
    if sum(map(len, rows.values())) >= fastpaths.BUILD_AS_COLUMNS_FROM:
        # The column engine (polars) loads only for a large import; it never imports back.
        from liaison_graph.loaders import frames

        batch = frames.build(rows, store)
    if batch is None:
        batch = build_batch(rows, store)
    keep_membership_dates(batch, store)
    return batch


def prepare_files(paths: list[Path], store: Store, progress=None) -> tuple[Batch, dict[str, int], list[str]]:
    rows, ignored = read_rows(paths)
    counts = {name: len(r) for name, r in rows.items() if r}
    if progress:
        progress("read", sum(counts.values()))
    if not counts and any(r.parts for r in rows.values()):  # tables with their headers and no row (a blank template)
        return Batch(), counts, ignored
    return prepare(rows, store, "、".join(p.name for p in paths)), counts, ignored


def prepare_doc(doc, store: Store, source: str) -> tuple[Batch, dict[str, int]]:
    """Rows given as a JSON document ({"members": [{…}], …}), checked as a file would be."""
    rows, _ = _collect([read_json_doc(doc, source)])
    counts = {name: len(r) for name, r in rows.items() if r}
    return prepare(rows, store, source), counts


def load_files(paths: list[Path], store: Store, actor: str = "cli", root: str | None = None,
               moves: bool = False, progress=None) -> LoadReport:
    """Import roster files: read and check them, check the write against the tree as it is
    (``root``: the caller's committee, whose scope the write must stay in; ``moves``: the
    caller asks for nodes to move between committees), then one transaction with its audit
    record. The command line and the API's upload both come here. ``progress(stage, count)``,
    when given, hears of each stage: "read" (rows), "checked" and "written" (nodes and edges).
    Files whose tables hold no row (a blank template) write nothing."""
    with store.importing():
        return _load_files(paths, store, actor, root, moves, progress)


def _load_files(paths, store, actor, root, moves, progress) -> LoadReport:
    batch, counts, ignored = prepare_files(paths, store, progress)
    files = [p.name for p in paths]
    if not batch.rows():
        return LoadReport(files, counts, WriteResult({}, {}), ignored)
    if root is not None:
        keep_hidden_references(store, batch, root)
    try:
        check = check_write(store, batch, root, moves)
    except (Conflict, BadArgument) as exc:  # a move or a cycle: named at the row that asks for it
        raise at_row(paths, exc) from None
    batch.audit = import_audit(actor, files, counts, check)
    if progress:
        progress("checked", batch.rows())
    result = store.write(batch)
    if progress:
        progress("written", batch.rows())
    log.info("loaded %s: %s", files, counts)
    return LoadReport(files, counts, result, ignored)


def at_row(paths: list[Path], exc: LiaisonError) -> LiaisonError:
    """The write rule's refusal of a node, as a fault of the row that writes it (file, sheet,
    row, column). The files are read again, only on this path; the refusal stands as it is
    when no row is found."""
    kind, nid, column = exc.details.get("kind"), exc.details.get("id"), exc.details.get("field")
    table = model().nodes[kind].table if kind in model().nodes else None
    if table is None:
        return exc
    rows, _ = read_rows(paths)
    others = set(exc.details.get("ids") or []) - {nid}
    found, also = None, []
    for row in rows.get(table, []):
        if row.values.get("id") == nid and found is None:
            found = row
        elif row.values.get("id") in others:
            also.append(f"{row.origin.file} 第{row.row_no}行")
    if found is None:
        return exc
    more = f"（另见 {'、'.join(also[:5])}{' 等' if len(also) > 5 else ''}）" if also else ""
    return InputError(found.at(column), exc.message + more, exc.details.get("value"))


def import_audit(actor: str, files: list[str], counts: dict[str, int], check: WriteCheck) -> Audit:
    """An import's audit record: the committees it touches (a node's before and after), and
    for each node it overwrites the fields it changes, before and after."""
    before, changed = check.audit_before_after()
    after = {"files": files, "rows": counts}
    if changed:
        after["nodes"] = changed
    return Audit(actor=actor, action="import", committee_ids=check.committees, target="、".join(files),
                 before=before, after=after)


def keep_membership_dates(batch: Batch, store: Store) -> None:
    """A member's row rebuilds their party-organisation edges; keep the dates an earlier
    membership edit gave those that the row still lists (a roster holds no such dates)."""
    columns = batch.as_columns()
    if columns is not None:
        ids = columns.sources("IN_PARTY_ORG")
    else:
        ids = {e.src for e in batch.edges if e.kind == "IN_PARTY_ORG" and e.src_kind == "Member"}
    if not ids:
        return
    dated = {(e[2], e[4], e[5]): e[6] for e in store.edges_of("Member", ids, "IN_PARTY_ORG") if e[6]}
    if not dated:
        return  # nothing to keep: the batch stays as it was built
    batch.edges = [EdgeRow(e.kind, e.src_kind, e.src, e.dst_kind, e.dst, e.key, dated.get((e.src, e.dst, e.key), e.props))
                   if e.kind == "IN_PARTY_ORG" else e for e in batch.edges]
