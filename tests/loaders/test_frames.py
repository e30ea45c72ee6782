"""A large import is built as columns (loaders.frames), not row by row: it must give the
batch, the store file and the change feed that the row-by-row build gives, and leave to
that build everything it does not cover, so every refusal still names its place."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
import numpy as np
import polars
from liaison_graph import loaders
from liaison_graph.graph import columnar, fastpaths, gapindex, import_columns, projections, table_columns
from liaison_graph.graph.coverage import report
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import InputError
from liaison_graph.graph.policy import builtin
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.view import open_view
from liaison_graph.loaders import frames, load_files, read_rows
from liaison_graph.loaders.build import build_batch
from liaison_graph.loaders import framebatch
from liaison_graph.loaders.framebatch import EDGE_COLUMNS, FrameBatch
from liaison_graph.loaders.generate import generate

from tests.conftest import write_csvs, write_json
from tests.questions.test_columnar import rich_rosters

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# What can be put into a random roster that the columns leave to the row-by-row build.
TWISTS = ["none", "none", "member named", "unknown party org", "oneself", "unknown sector", "unknown committee",
          "extra headers", "stored first", "liaison to unknown member", "one liaison twice", "masses of unknown member"]


def _twist(roster: dict, twist: str) -> tuple[dict, dict | None]:
    """The roster with one twist, and what to load into the store before it (or None)."""
    roster = {k: [dict(r) for r in v] for k, v in roster.items()}
    members, liaisons = roster["members"], roster.setdefault("liaisons", [])
    source = members[0]
    if twist == "member named":  # by the name of a member of the same committee
        named = [m for m in members[1:] if m["committee_id"] == source["committee_id"]]
        if named:
            liaisons.append({"from_id": source["id"], "target_kind": "委员", "to": named[0]["name"], "mechanism": "按姓名"})
    elif twist == "unknown party org":
        members[-1]["party_org_ids"] = "NO-SUCH-ORG"
    elif twist == "oneself":
        liaisons.append({"from_id": source["id"], "target_kind": "委员", "to": source["id"], "mechanism": "自己"})
    elif twist == "unknown sector":
        liaisons.append({"from_id": source["id"], "target_kind": "界别", "to": "没有这个界别", "mechanism": "界别"})
    elif twist == "unknown committee":
        members[-1]["committee_id"] = "NO-SUCH-COMMITTEE"
    elif twist == "liaison to unknown member":
        liaisons.append({"from_id": source["id"], "target_kind": "委员", "to": "M-NONE", "mechanism": "无此人"})
    elif twist == "extra headers":
        for i, m in enumerate(members):
            m.update({"备注": f"备注{i}" if i % 2 else None, "key": "写在表外", "kind": "表外类别"})
        for c in roster["committees"]:  # names the stores keep (cpc, committee_id) are refused: see test_hostile_input
            c.update({"sector": "表外界别", "node_for_adding": "是"})
    elif twist == "masses of unknown member":
        roster["masses_contacts"] = [*roster.get("masses_contacts", []),
                                     {"from_id": "M-NONE", "person": "张群", "date": "2025-01-01"}]
    elif twist == "one liaison twice":  # to a sector by its name and by its id scoped to the committee
        sector, committee = source["sector"], source["committee_id"]
        liaisons += [{"from_id": source["id"], "target_kind": "界别", "to": to, "mechanism": "界别"}
                     for to in (sector, f"{committee}:{sector}")]
    if not liaisons:
        del roster["liaisons"]
    if twist == "stored first":  # committees, organisations and half the members already in the store
        half = members[: len(members) // 2]  # at least one member is left to the import
        first = {"committees": roster["committees"], "party_orgs": roster.get("party_orgs", []), "members": half}
        later = {k: v for k, v in roster.items() if k not in ("committees", "party_orgs")}
        later["members"] = members[len(half):]
        return {k: v for k, v in later.items() if v}, {k: v for k, v in first.items() if v}
    return roster, None


def _rows(folder: Path, roster: dict, fmt: str, monkeypatch):
    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", 0)  # every CSV read in bulk, however small
    if fmt == "csv":
        paths = write_csvs(folder / "csv", roster)
    else:
        paths = [write_json(folder / "roster.json", roster)]
    return paths


def _edges(batch) -> list[tuple]:
    return sorted((e.kind, e.src_kind, e.src, e.dst_kind, e.dst, e.key, sorted(e.props.items())) for e in batch.edges)


def _file(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        return {table: sorted(db.execute(f"SELECT * FROM {table}"))
                for table in ("nodes", "edges", "member_index", "cover_spans")} | {
            "changes": [row[2:] for row in db.execute("SELECT * FROM changes ORDER BY seq")],
            "audit": [row[2:] for row in db.execute("SELECT * FROM audit ORDER BY seq")]}
    finally:
        db.close()


@SETTINGS
@given(roster=rich_rosters(), twist=st.sampled_from(TWISTS), fmt=st.sampled_from(["csv", "json"]))
def test_an_import_built_as_columns_is_the_import_built_row_by_row(roster, twist, fmt, monkeypatch):
    roster, first = _twist(roster, twist)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = _rows(tmp, roster, fmt, monkeypatch)
        files = {}
        for way, threshold in (("columns", 0), ("rows", 10**12)):
            monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", threshold)
            with EmbeddedStore(tmp / f"{way}.db") as store:
                if first:
                    load_files([write_json(tmp / "first.json", first)], store)
                try:
                    by_rows = build_batch(read_rows(paths)[0], store)
                except InputError:
                    by_rows = None
                built = frames.build(read_rows(paths)[0], store)
                event(f"{way}: {'refused' if by_rows is None else 'rows only' if built is None else 'built as columns'}")
                if by_rows is None:  # refused row by row: never built as columns
                    assert built is None
                    continue
                if built is not None:
                    assert built.nodes == by_rows.nodes and list(built.nodes) == list(by_rows.nodes)
                    assert _edges(built) == _edges(by_rows)
                    assert built.replace_row_edges == by_rows.replace_row_edges
                report = load_files(paths, store)
                files[way] = (report.rows, report.result.created, report.result.updated, _file(tmp / f"{way}.db"))
                # written whole from its columns: the report columns kept with it are the tables'
                kept = _kept_columns_are_the_tables(store)
                assert kept or not (way == "columns" and built is not None and not first)
        assert files.get("columns") == files.get("rows")


def _columns(c: columnar.Columns) -> tuple:
    """What report columns say, by node (kind, id): each node's fields, its place in the
    order of (kind, id), and the edges and contacts between them (a copy followed from the
    change feed holds its new nodes at the end: the same columns in another order)."""
    kinds = [columnar.KINDS[k] for k in c.kind.tolist()]
    key = list(zip(kinds, c.ids, strict=True))

    def named(names: list, codes: np.ndarray) -> list:
        return [None if code < 0 else names[code] for code in codes.tolist()]

    fields = zip(key, c.names, c.sectors, named(c.committee_ids, c.committee), named(c.positions, c.position),
                 named(c.org_kinds, c.org_kind), c.start.tolist(), c.end.tolist(), c.cpc.tolist(),
                 c.party_group.tolist(), strict=True)
    ranked = [key[i] for i in np.argsort(c.rank, kind="stable")]
    edges = sorted(zip(map(key.__getitem__, c.src.tolist()), map(key.__getitem__, c.dst.tolist()),
                       c.edge_kind.tolist(), c.edge_start.tolist(), c.edge_end.tolist(),
                       named(c.mechanisms, c.mechanism), strict=True), key=repr)
    contacts = sorted(zip(map(key.__getitem__, c.contact_src.tolist()), map(key.__getitem__, c.contact_dst.tolist()),
                          c.contact_day.tolist(), strict=True))
    attendance = sorted(zip(map(key.__getitem__, c.attendance_activity.tolist()),
                            map(key.__getitem__, c.attendance_member.tolist()), c.attendance_status.tolist(), strict=True))
    started = sorted((key[i], day) for i, day in enumerate(c.activity_start.tolist()))
    return sorted(fields, key=repr), ranked, edges, contacts, attendance, started


def _kept_columns_are_the_tables(store: EmbeddedStore) -> bool:
    """Whether the file keeps report columns as of its roster; if it does, they say what the
    columns built from its tables say."""
    kept = store.projection("report_columns")._kept(store)
    if kept is None:
        return False
    assert _columns(kept) == _columns(projections.ReportColumns().build(store))
    return True


@settings(SETTINGS, max_examples=40)
@given(st.lists(st.tuples(*[st.sampled_from(["", "a", "a:", "界", "\U0001F600"])] * 6), max_size=40))
def test_the_edges_of_a_batch_held_as_columns_are_written_in_the_tables_key_order(keys):
    """The order a large import's edges are inserted in (framebatch._key_order) is the order
    SQLite's own key on those six texts gives them (each page of the table then written
    once): texts compared byte by byte, a prefix first, CJK and four-byte characters after
    ASCII, equal keys in the batch's order."""
    frame = polars.DataFrame([list(k) for k in keys] or None, schema=list(EDGE_COLUMNS[:6]), orient="row")
    order = framebatch._key_order(frame, EDGE_COLUMNS[:6]).tolist()
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE t ({', '.join(EDGE_COLUMNS[:6])}, i, PRIMARY KEY ({', '.join(EDGE_COLUMNS[:6])}, i)) WITHOUT ROWID")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [(*k, i) for i, k in enumerate(keys)])
    assert order == [i for (i,) in db.execute("SELECT i FROM t")]


def test_a_generated_roster_is_built_as_columns_and_stored_as_row_by_row(tmp_path, monkeypatch):
    """A whole generated roster, with references across committees, sectors and groups by
    name: written from its columns into an empty file (through a rollback journal), the
    file holds what the row-by-row build writes, and goes back to the WAL journal."""

    generate("city", 5, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    monkeypatch.setattr(fastpaths, "WRITE_INDEXES_LAST_FROM", 1_000)  # the city's import counts as large
    written = []
    for way, threshold in (("columns", 0), ("rows", 10**12)):
        monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", threshold)
        with EmbeddedStore(tmp_path / f"{way}.db") as store:
            batch, _, _ = loaders.prepare_files(paths, store)
            assert (batch.as_columns() is not None) == (way == "columns")
            report = load_files(paths, store)
            mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
            assert mode == "wal"
        written.append((report.rows, report.result.created, report.result.updated, _file(tmp_path / f"{way}.db")))
    assert written[0] == written[1]
    assert written[0][3]["changes"] and written[0][3]["cover_spans"]


def _first_day_not_iso(values: polars.DataFrame) -> polars.DataFrame:
    """Member values with the first member's start day written as the loaders never write it."""
    return values.with_columns(polars.when(polars.int_range(polars.len()) == 0).then(polars.lit("2024-1-5"))
                               .otherwise("start_date").alias("start_date"))


def test_the_report_columns_of_a_first_import_are_kept_with_it_from_its_columns(tmp_path, monkeypatch):
    """A first import into an empty file, written from its columns, keeps the report columns
    worked out from those columns (graph/import_columns.py) in the file, as of its roster:
    what the columns built from the tables say; the first report after it, in another
    process, reads them and builds nothing. A value the columns do not hold as the tables'
    JSON would give it leaves them to be built from the tables."""
    generate("city", 5, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    day, policy = dt.date(2026, 11, 1), builtin()["two-coverages"]
    with EmbeddedStore(tmp_path / "s.db") as store:
        load_files(paths, store)
        assert _kept_columns_are_the_tables(store)
    with EmbeddedStore(tmp_path / "s.db") as fresh:
        with mock.patch.object(projections.ReportColumns, "build", side_effect=AssertionError("built again")):
            found = store_report(fresh, day, policy)
        assert found == report(open_view(fresh, day), policy) and found["rules"][1]["uncovered"]

    monkeypatch.setattr(fastpaths, "COLUMNS_FROM_IMPORT_FROM", 10**12)  # the slower way: built by the first report
    with EmbeddedStore(tmp_path / "slow.db") as store:
        load_files(paths, store)
        assert not _kept_columns_are_the_tables(store)
        assert store_report(store, day, policy) == found

    monkeypatch.setattr(fastpaths, "COLUMNS_FROM_IMPORT_FROM", 0)
    with EmbeddedStore(tmp_path / "odd.db") as store:
        batch, _, _ = loaders.prepare_files(paths, store)
        values = batch.node_values["Member"]
        batch.node_values["Member"] = _first_day_not_iso(values)
        assert import_columns.build(batch, table_columns.EDGE_KINDS) is None  # a day not as ISO text
        batch.node_values["Member"] = values.with_columns(polars.col("cpc").cast(polars.String))
        assert import_columns.build(batch, table_columns.EDGE_KINDS) is None  # a flag held as text
        store.write(batch)
        assert not _kept_columns_are_the_tables(store)


def test_the_gap_index_of_a_first_import_from_its_columns_is_the_one_the_sql_writes(tmp_path, monkeypatch):
    """A first import into an empty file, written from its columns, works its gap index out
    from those columns (gapindex.fill_from_columns): the same member rows and the same
    spans, in the same order, as the SQL over the rows it wrote; and a day the columns do
    not hold as ISO text leaves the index to the SQL, with the same rows."""
    generate("city", 5, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    filled = []
    monkeypatch.setattr(gapindex, "fill_from_columns",
                        lambda db, columns, fill=gapindex.fill_from_columns: filled.append(fill(db, columns)) or filled[-1])

    def index(path: Path) -> tuple[list, list]:
        db = sqlite3.connect(path)
        try:
            return (list(db.execute("SELECT * FROM member_index ORDER BY id")),
                    list(db.execute("SELECT rowid, * FROM cover_spans ORDER BY rowid")))
        finally:
            db.close()

    found = {}
    for way, threshold in (("columns", 0), ("sql", 10**12)):
        monkeypatch.setattr(fastpaths, "GAP_INDEX_FROM_COLUMNS_FROM", threshold)
        with EmbeddedStore(tmp_path / f"{way}.db") as store:
            load_files(paths, store)
        found[way] = index(tmp_path / f"{way}.db")
    assert filled == [True]
    assert found["columns"] == found["sql"] and found["columns"][0] and found["columns"][1]

    monkeypatch.setattr(fastpaths, "GAP_INDEX_FROM_COLUMNS_FROM", 0)
    with EmbeddedStore(tmp_path / "odd.db") as store:
        batch, _, _ = loaders.prepare_files(paths, store)
        values = batch.node_values["Member"]
        batch.node_values["Member"] = _first_day_not_iso(values)
        assert gapindex.fill_from_columns(store.db, batch) is False  # nothing written: the SQL then
        assert store.db.execute("SELECT count(*) FROM member_index").fetchone()[0] == 0
        del batch.node_values["Member"]
        assert gapindex.fill_from_columns(store.db, batch) is False
        store.write(batch)
    assert filled[-1] is False and index(tmp_path / "odd.db") == found["sql"]


def test_a_large_import_with_the_file_open_elsewhere_stays_in_the_wal(tmp_path, monkeypatch):
    """Another connection has the file open: the import keeps the WAL journal (and still
    writes all of it), and that reader sees the whole import once it is committed."""

    generate("county", 2, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    monkeypatch.setattr(fastpaths, "WRITE_INDEXES_LAST_FROM", 100)
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    with EmbeddedStore(tmp_path / "open.db") as store, EmbeddedStore(tmp_path / "open.db") as reader:
        assert reader.stats()["members"] == 0
        load_files(paths, store)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert reader.stats()["members"] == store.stats()["members"] > 0


def test_reading_a_batch_built_as_columns_as_rows_leaves_it_written_from_its_columns(tmp_path, monkeypatch):
    """Reading a batch built as columns as rows (as the write rule, the Bolt store or the
    membership dates may) never changes what it is: the rows are made once and cannot be
    changed in place, the columns stay the batch, the store writes it from them, and the
    file holds what the row-by-row build writes. Whoever changes the batch assigns its rows
    (an import through the API keeps earlier membership dates so): the store then writes
    those rows, and what they changed is stored."""
    generate("county", 3, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    from_columns = []
    monkeypatch.setattr(FrameBatch, "node_rows", lambda batch, rows=FrameBatch.node_rows: from_columns.append(batch) or rows(batch))
    written = []
    for way, threshold in (("columns", 0), ("rows", 10**12)):
        monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", threshold)
        with EmbeddedStore(tmp_path / f"{way}.db") as store:
            batch, _, _ = loaders.prepare_files(paths, store)
            if way == "columns":
                by_columns = batch
                assert batch.as_columns() is batch
                size = batch.rows()
                nodes, edges = batch.nodes, batch.edges
                assert sum(map(len, nodes.values())) + len(edges) == size > 0
                assert batch.nodes is nodes and batch.edges is edges  # made once
                with pytest.raises(TypeError):
                    nodes["Member"]["M-new"] = {"name": "新委员"}
                with pytest.raises(AttributeError):
                    edges.append(edges[0])
                assert batch.as_columns() is batch and batch.rows() == size and not batch.rows_changed
            store.write(batch)
        written.append(_file(tmp_path / f"{way}.db"))
    assert len(from_columns) == 1 and from_columns[0] is by_columns  # written from its columns; the row build from rows
    assert written[0] == written[1] and written[0]["nodes"] and written[0]["changes"]

    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    with EmbeddedStore(tmp_path / "changed.db") as store:
        batch, _, _ = loaders.prepare_files(paths, store)
        member = next(iter(batch.nodes["Member"]))
        batch.nodes = {kind: {nid: {**props, "name": "改过的名字"} if nid == member else props for nid, props in by_id.items()}
                       for kind, by_id in batch.nodes.items()}
        assert batch.rows_changed and batch.as_columns() is None
        store.write(batch)
        assert store.node_props("Member", [member])[member]["name"] == "改过的名字"
        assert len(from_columns) == 1  # written from its rows


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_fault_in_a_large_import_is_refused_with_its_place(tmp_path, monkeypatch, fmt):
    roster = {"committees": [{"id": "C1", "name": "县政协", "level": "县"}],
              "members": [{"id": "M1", "name": "甲", "affiliation": "中共党员", "committee_id": "C1", "sector": "中共"},
                          {"id": "M2", "name": "乙", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟"}],
              "liaisons": [{"from_id": "M1", "to": "M9"}]}
    paths = _rows(tmp_path, roster, fmt, monkeypatch)
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    with EmbeddedStore(tmp_path / "a.db") as store:
        with pytest.raises(InputError) as caught:
            load_files(paths, store)
        place = "liaisons.csv 第2行" if fmt == "csv" else "roster.json 工作表「liaisons」 第1行"
        assert caught.value.message.startswith(place) and "「to」" in caught.value.message and "M9" in caught.value.message
        assert store.stats()["members"] == 0


def test_every_store_takes_an_import_built_as_columns(store, tmp_path, monkeypatch):
    """The Bolt store writes the rows of a batch built as columns: it holds what the
    embedded store holds after the same import built row by row."""
    generate("county", 4, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    batch, _, _ = loaders.prepare_files(paths, store)
    assert batch.as_columns() is batch
    load_files(paths, store)
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 10**12)
    with EmbeddedStore(tmp_path / "rows.db") as by_rows:
        load_files(paths, by_rows)
        assert store.dump() == by_rows.dump()
        assert store.stats() == by_rows.stats()


def test_one_liaison_given_twice_is_left_to_the_row_build_which_keeps_one(tmp_path, monkeypatch):
    """A group named once by its name and once by its id scoped to the committee is one
    liaison: written from columns, its key would be written twice."""
    roster = {"committees": [{"id": "K1", "name": "县政协", "level": "county"}],
              "members": [{"id": f"M{i}", "name": f"委员{i}", "committee_id": "K1", "sector": "经济界",
                           "affiliation": "中共" if i == 1 else "无党派", "activity_group": "第一组",
                           "start_date": "2023-01-01"} for i in (1, 2)],
              "liaisons": [{"from_id": "M1", "target_kind": "委员活动组", "to": to, "mechanism": "活动组"}
                           for to in ("第一组", "K1:第一组")]}
    path = write_json(tmp_path / "roster.json", roster)
    monkeypatch.setattr(fastpaths, "BUILD_AS_COLUMNS_FROM", 0)
    with EmbeddedStore(tmp_path / "store.db") as store:
        assert frames.build(read_rows([path])[0], store) is None
        load_files([path], store)
        assert store.db.execute("SELECT count(*) FROM edges WHERE kind = 'LIAISES_WITH'").fetchone()[0] == 1
