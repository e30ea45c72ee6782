"""Shared fixtures: one store fixture parametrised over every backend, roster writers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.model import model

BACKENDS = [pytest.param("embedded"), pytest.param("bolt", marks=pytest.mark.bolt)]
_bolt: dict = {}


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    """A real Bolt server (ArcadeDB), started once for the session on loopback, its database
    given the store's schema (what `liaison neo4j init` does; a store opened later refuses
    without it)."""
    from liaison_graph.graph.bolt import BoltStore
    from tests.bolt_server import BoltServer

    server = BoltServer(tmp_path_factory.mktemp("bolt"))
    try:
        BoltStore(server.uri, "root", server.password, server.database, schema="create").close()
    except BaseException:
        server.stop()
        raise
    _bolt["server"] = server
    yield server
    server.stop()


def wipe(store) -> None:
    """A Bolt store's graph emptied of everything, tokens and audit trail too (``clear``
    spares those, as the embedded store's does)."""
    from liaison_graph.cypher import query

    with store.driver.session(database=store.database) as session:
        session.execute_write(lambda tx: tx.run(query("clear_all")).consume())


def open_backend(name: str, tmp_path: Path, fresh: bool = True):
    """A store of backend ``name``; ``fresh=False`` reopens what the last one wrote."""
    if name == "embedded":
        return EmbeddedStore(tmp_path / "store.db")
    if name == "bolt":
        from liaison_graph.graph.bolt import BoltStore

        server = _bolt["server"]
        store = BoltStore(server.uri, "root", server.password, server.database, batch_size=500)
        if fresh:
            wipe(store)
        return store
    raise ValueError(name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "bolt":
        request.getfixturevalue("bolt_server")
    return request.param


@pytest.fixture
def store(backend, tmp_path):
    s = open_backend(backend, tmp_path)
    yield s
    s.close()


def write_json(path: Path, tables: dict) -> Path:
    path.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    return path


def write_csvs(folder: Path, tables: dict, encoding: str = "utf-8", chinese: bool = False) -> list[Path]:
    """One CSV per table, named by the English table name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        headers = list(dict.fromkeys(k for row in rows for k in row))
        labels = [_label(name, h) if chinese else h for h in headers]
        path = folder / f"{name}.csv"
        with path.open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(labels)
            for row in rows:
                writer.writerow([_cell(row.get(h)) for h in headers])
        paths.append(path)
    return paths


def write_xlsx(path: Path, tables: dict, title: str | None = None) -> Path:
    """One sheet per table, named and headed in Chinese, as offices make them."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(model().tables[name].label)
        headers = list(dict.fromkeys(k for row in rows for k in row))
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 2))
            ws.append([])
        ws.append([_label(name, h) for h in headers])
        for row in rows:
            ws.append([_cell(row.get(h)) for h in headers])
    wb.save(path)
    return path


def _label(table: str, header: str) -> str:
    column = model().tables[table].columns.get(header)
    return column.label if column else header


def _cell(value):
    return "、".join(value) if isinstance(value, list) else value


# A small hand-made roster that exercises every edge of the two flagship rules.
# The expectations in test_contract.py are worked out by hand from it.
EDGE_ROSTER = {
    "committees": [
        {"id": "P1", "name": "青川市政协", "level": "市", "term": "第十届"},
        {"id": "C1", "name": "溪山县政协", "level": "县", "parent_id": "P1", "term": "第十届"},
        {"id": "C2", "name": "云岭县政协", "level": "县", "parent_id": "P1", "term": "第十届"},
    ],
    "party_orgs": [
        {"id": "O1", "name": "溪山县政协党组", "kind": "党组", "committee_id": "C1"},
        {"id": "O2", "name": "机关党支部", "kind": "党支部", "committee_id": "C1", "parent_id": "O1", "start_date": "2022-01-01"},
        {"id": "O3", "name": "十届四次会议临时党支部", "kind": "临时党支部", "committee_id": "C1", "parent_id": "O1",
         "start_date": "2025-01-05", "end_date": "2025-01-09"},
        {"id": "O4", "name": "原经济界党支部", "kind": "党支部", "committee_id": "C1", "end_date": "2024-12-31"},
        {"id": "O5", "name": "委员培训临时党支部", "kind": "临时党支部", "committee_id": "C1",
         "start_date": "2026-06-01", "end_date": "2026-06-30"},
        {"id": "O6", "name": "云岭县政协机关党支部", "kind": "党支部", "committee_id": "C2"},
    ],
    "members": [
        {"id": "A1", "name": "张伟", "affiliation": "中共党员", "committee_id": "C1", "sector": "中共", "position": "常委",
         "party_org_ids": "O2", "start_date": "2022-01-10"},
        {"id": "A2", "name": "李娜", "affiliation": "中共党员、九三学社", "committee_id": "C1", "sector": "九三学社",
         "party_org_ids": "O3", "start_date": "2022-01-10"},
        {"id": "A3", "name": "王芳", "affiliation": "中共党员", "committee_id": "C1", "sector": "教育界", "start_date": "2022-01-10"},
        {"id": "A4", "name": "王芳", "affiliation": "中共党员", "committee_id": "C1", "sector": "医药卫生界",
         "party_org_ids": "O5", "start_date": "2022-01-10"},
        {"id": "A5", "name": "刘洋", "affiliation": "中共党员", "committee_id": "C1", "sector": "经济界",
         "party_org_ids": "O4", "start_date": "2022-01-10"},
        {"id": "A6", "name": "陈静", "affiliation": "中共党员", "committee_id": "C1", "sector": "工会",
         "start_date": "2022-01-10", "end_date": "2025-12-31"},
        {"id": "A7", "name": "杨勇", "affiliation": "中共党员", "committee_id": "C1", "sector": "农业界",
         "party_org_ids": "O2", "start_date": "2026-07-01"},
        {"id": "B1", "name": "赵敏", "affiliation": "民盟", "committee_id": "C1", "sector": "民盟", "start_date": "2022-01-10"},
        {"id": "B2", "name": "黄磊", "affiliation": "民进", "committee_id": "C1", "sector": "民进", "start_date": "2022-01-10"},
        {"id": "B3", "name": "周杰", "affiliation": "无党派人士", "committee_id": "C1", "sector": "经济界", "start_date": "2022-01-10"},
        {"id": "B4", "name": "吴刚", "affiliation": "民建", "committee_id": "C1", "sector": "民建", "start_date": "2022-01-10"},
        {"id": "B5", "name": "徐丽", "affiliation": "农工党", "committee_id": "C1", "sector": "医药卫生界", "start_date": "2022-01-10"},
        {"id": "B6", "name": "孙强", "affiliation": "群众", "committee_id": "C1", "sector": "工会", "start_date": "2022-01-10"},
        {"id": "B7", "name": "马超", "affiliation": "九三学社", "committee_id": "C1", "sector": "九三学社",
         "start_date": "2022-01-10", "end_date": "2024-12-31"},
        {"id": "B8", "name": "朱红", "affiliation": "致公党", "committee_id": "C1", "sector": "农业界", "start_date": "2022-01-10"},
        {"id": "D1", "name": "郑洁", "affiliation": "中共党员", "committee_id": "C2", "sector": "中共", "party_org_ids": "O6"},
        {"id": "B10", "name": "郭婷", "affiliation": "民革", "committee_id": "C2", "sector": "民革"},
    ],
    "liaisons": [
        {"from_id": "A1", "to": "B1", "mechanism": "党员委员联系党外委员"},
        {"from_id": "B3", "to": "B2", "mechanism": "结对子"},
        {"from_id": "A1", "target_kind": "界别", "to": "经济界", "mechanism": "党组成员联系界别"},
        {"from_id": "A1", "to": "B4", "mechanism": "党员委员联系党外委员", "start_date": "2023-01-01", "end_date": "2025-06-30"},
        {"from_id": "A3", "to": "B5", "mechanism": "党员委员联系党外委员", "start_date": "2026-07-01"},
        {"from_id": "A6", "to": "B6", "mechanism": "党员委员联系党外委员"},
        {"from_id": "A7", "to": "B8", "mechanism": "党员委员联系党外委员", "start_date": "2026-01-01"},
    ],
    "contacts": [
        {"from_id": "A1", "to_id": "B1", "date": "2026-03-01", "mode": "谈心谈话", "summary": "交流界别协商议题"},
    ],
}

# Hand-worked answers: as-of day -> member ids, sorted by committee then id.
EDGE_EXPECTED = {
    "non-party-without-liaison": {
        "2025-01-07": ["B2", "B3", "B5", "B8", "B10"],
        "2025-06-30": ["B2", "B3", "B5", "B8", "B10"],
        "2025-07-01": ["B2", "B3", "B4", "B5", "B8", "B10"],
        "2026-06-30": ["B2", "B3", "B4", "B5", "B6", "B8", "B10"],
        "2026-07-01": ["B2", "B3", "B4", "B6", "B10"],
    },
    "party-member-unorganised": {
        "2024-12-31": ["A2", "A3", "A4", "A6"],
        "2025-01-05": ["A3", "A4", "A5", "A6"],
        "2025-01-09": ["A3", "A4", "A5", "A6"],
        "2025-01-10": ["A2", "A3", "A4", "A5", "A6"],
        "2026-06-30": ["A2", "A3", "A5"],
        "2026-07-01": ["A2", "A3", "A4", "A5"],
    },
}


# A policy of the caller's own: one non-party member for each party member at the most.
ONE_EACH = """
name: one-each
label: 每人一名
rules:
  - id: pair
    label: 党员委员联系党外委员（每人至多一名）
    covers: {kind: member, cpc: false}
    by: {kind: member, cpc: true}
    through: [liaison]
    capacity: {min: 1, max: 1}
"""


def increment_under_etags(base: str, headers: dict, increments: int, read_back: bool = False) -> None:
    """One editor of member B1 (of EDGE_ROSTER) over HTTP: ``increments`` times read its
    counter and ETag and write the counter plus one with ``If-Match``, reading again after
    a 409. ``read_back``: after each write, a read sees it or a later one."""
    import httpx

    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        done = 0
        while done < increments:
            r = http.get("/api/v1/members/B1")
            tag, count = r.json()["etag"], int(r.json()["member"].get("计数", 0))
            w = http.patch("/api/v1/members/B1", json={"计数": str(count + 1)}, headers={"If-Match": tag})
            if w.status_code == 200:
                done += 1
                if read_back:
                    seen = int(http.get("/api/v1/members/B1").json()["member"]["计数"])
                    assert seen >= count + 1, (seen, count)
            else:
                assert w.status_code == 409, w.text
