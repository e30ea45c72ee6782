"""Roster table exports (``GET /api/v1/export/tables/{table}``) load back unchanged, on every
store: every table exported, one cell edited, everything loaded back (through an upload
with the token, or ``liaison load`` for the whole store), and the whole store compared. The
workbook is one a clerk can work in; the CSV is UTF-8 with a BOM, or GB18030 when asked."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from liaison_graph.api.app import create_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.formats import table_csv, table_xlsx
from liaison_graph.api.service import Service
from liaison_graph.api.verbs import exports
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.model import model
from liaison_graph.loaders import load_files
from tests.conftest import EDGE_ROSTER, write_json

TABLES = exports.TABLES
PHONE = "+8613800000000"  # formula-like text a clerk types: a CSV quotes it, a workbook keeps it as text


def roster() -> dict:
    """The hand-made roster, with a city organisation leading one of a county's, an
    activity, members' contacts with the masses, and formula-like text."""
    r = copy.deepcopy(EDGE_ROSTER)
    r["party_orgs"] += [{"id": "PO1", "name": "青川市政协党组", "kind": "党组", "committee_id": "P1"},
                        {"id": "O7", "name": "云岭县政协党组", "kind": "党组", "committee_id": "C2", "parent_id": "PO1"}]
    r["activities"] = [{"id": "H1", "name": "委员履职培训班", "committee_id": "C1", "kind": "培训",
                        "start_date": "2025-03-01", "end_date": "2025-03-05", "member_ids": "A1、A2"}]
    r["members"][0] = {**r["members"][0], "township": PHONE, "备注": "=1+1"}
    # studios and stations: of the table (a term, a convener, an organisation working in one), and
    # one named only on a member's row (of the table's default kind); named by id and by name
    r["studios"] = [{"id": "ST1", "name": "城关联络站", "kind": "联络站", "committee_id": "C1", "township": "城关镇",
                     "sector": "经济界", "convener_id": "A2", "start_date": "2024-01-01", "end_date": "2027-12-31"},
                    {"id": "ST2", "name": "溪山委员之家", "kind": "委员之家", "committee_id": "C1"}]
    r["party_orgs"][1] = {**r["party_orgs"][1], "studio_id": "ST1"}
    r["members"][1] = {**r["members"][1], "studio": "ST1、溪山委员之家、老街工作室"}
    r["masses_contacts"] = [{"from_id": "A1", "person": "李群", "unit": "社区居民", "date": "2025-03-02", "mode": "走访"},
                            {"from_id": "A2", "person": "周众", "date": "2025-03-03", "summary": "听取意见\n第二行"}]
    return r


class Office:
    def __init__(self, store, tmp_path):
        self.store, self.tmp = store, tmp_path
        load_files([write_json(tmp_path / "roster.json", roster())], store)
        self.client = TestClient(create_app(Service(store)), raise_server_exceptions=False)
        self.tokens = {c: create_token(store, c, "admin", f"{c}-admin")[1] for c in ("P1", "C1", "C2")}

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def export(self, who: str | None, table: str, fmt: str = "csv", encoding: str = "utf-8") -> bytes:
        """A table as the token's export gives it (``who`` None: the whole store, as the
        command line reads it, written by the same writers)."""
        if who is None:
            t = exports.table(self.store, WHOLE, table)
            return table_xlsx(t) if fmt == "xlsx" else table_csv(t, encoding)
        r = self.client.get(f"/api/v1/export/tables/{table}?format={fmt}&encoding={encoding}", headers=self.headers(who))
        assert r.status_code == 200, r.text
        return r.content

    def load(self, who: str | None, files: dict[str, bytes]) -> None:
        if who is None:
            paths = []
            for name, content in files.items():
                (path := self.tmp / name).write_bytes(content)
                paths.append(path)
            load_files(paths, self.store)
            return
        r = self.client.post("/api/v1/imports", headers=self.headers(who),
                             files=[("files", (name, content, "application/octet-stream")) for name, content in files.items()])
        assert r.status_code == 201, r.text


@pytest.fixture
def office(store, tmp_path):
    o = Office(store, tmp_path)
    yield o
    o.client.close()


def csv_rows(content: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def edit_csv(content: bytes, encoding: str, key: str, header: str, value: str) -> bytes:
    """The CSV with one cell changed: the column ``header`` of the row whose first cell is ``key``."""
    rows = csv_rows(content, "utf-8-sig" if encoding == "utf-8" else encoding)
    col = rows[0].index(header)
    (row,) = [r for r in rows[1:] if r[0] == key]
    row[col] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode() if encoding == "utf-8" else buf.getvalue().encode(encoding)


def edit_xlsx(content: bytes, key: str, header: str, value: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    col = [c.value for c in ws[1]].index(header) + 1
    (row,) = [r for r in ws.iter_rows(min_row=2) if r[0].value == key]
    row[col - 1].value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FORMATS = [("csv", "utf-8"), ("csv", "gb18030"), ("xlsx", "utf-8")]


@pytest.mark.parametrize("who", [None, "P1"], ids=["whole-store", "city-token"])
@pytest.mark.parametrize(("fmt", "encoding"), FORMATS, ids=["csv", "csv-gb18030", "xlsx"])
def test_every_table_loads_back_unchanged_but_for_the_edited_cell(office, who, fmt, encoding):
    before = office.store.dump()
    files = {f"{t}.{fmt}": office.export(who, t, fmt, encoding) for t in TABLES}
    name = "张伟（改）"
    files[f"members.{fmt}"] = (edit_xlsx(files["members.xlsx"], "A1", "姓名", name) if fmt == "xlsx" else
                               edit_csv(files[f"members.{fmt}"], encoding, "A1", "姓名", name))
    office.load(who, files)
    expected = copy.deepcopy(before)
    expected["nodes"][("Member", "A1")]["name"] = name
    assert office.store.dump() == expected


@pytest.mark.parametrize(("fmt", "encoding"), FORMATS, ids=["csv", "csv-gb18030", "xlsx"])
def test_the_whole_stores_tables_make_the_same_store_afresh(office, fmt, encoding):
    """Loaded into an empty store, the whole store's tables give it back node for node and
    edge for edge: no row is missing (a load back into the same store would not notice one)."""
    paths = []
    for t in TABLES:
        (path := office.tmp / f"afresh-{t}.{fmt}").write_bytes(office.export(None, t, fmt, encoding))
        paths.append(path)
    with EmbeddedStore(office.tmp / "afresh.db") as fresh:
        load_files(paths, fresh)
        assert fresh.dump() == office.store.dump()


def test_the_hierarchy_is_exported_whole(office):
    for who in (None, "P1"):
        orgs = {r[0]: r for r in csv_rows(office.export(who, "party_orgs"))[1:]}
        header = csv_rows(office.export(who, "party_orgs"))[0]
        parent = header.index("上级编号")
        assert {k: r[parent] for k, r in orgs.items() if r[parent]} == {"O2": "O1", "O3": "O1", "O7": "PO1"}
        committees = csv_rows(office.export(who, "committees"))
        assert committees[0] == [c.label for c in model().tables["committees"].columns.values()]  # no committee_id
        assert {r[0]: r[3] for r in committees[1:]} == {"P1": "", "C1": "P1", "C2": "P1"}


def test_a_county_token_exports_its_own_hierarchy_and_nothing_above(office):
    orgs = csv_rows(office.export("C1", "party_orgs"))
    parent = orgs[0].index("上级编号")
    assert {r[0]: r[parent] for r in orgs[1:]} == {"O1": "", "O2": "O1", "O3": "O1", "O4": "", "O5": ""}
    # county C2's organisation led by the city's: the city's organisation is not named
    orgs = csv_rows(office.export("C2", "party_orgs"))
    assert {r[0]: r[parent] for r in orgs[1:]} == {"O6": "", "O7": ""}
    assert b"PO1" not in office.export("C2", "party_orgs", "xlsx")
    # the county's own row does not name its city
    committees = csv_rows(office.export("C1", "committees"))
    assert committees[1:] == [["C1", "溪山县政协", "县", "", "第十届"]]
    # the city's token, asking for the county, sees the county's parent
    r = office.client.get("/api/v1/export/tables/committees?committee_id=C1", headers=office.headers("P1"))
    assert csv_rows(r.content)[1:] == [["C1", "溪山县政协", "县", "P1", "第十届"]]


@pytest.mark.parametrize(("fmt", "encoding"), FORMATS, ids=["csv", "csv-gb18030", "xlsx"])
def test_a_county_tokens_tables_below_its_committee_load_back_unchanged(office, fmt, encoding):
    before = office.store.dump()
    tables = [t for t in TABLES if t != "committees"]
    files = {f"{t}.{fmt}": office.export("C1", t, fmt, encoding) for t in tables}
    files[f"party_orgs.{fmt}"] = (edit_xlsx(files["party_orgs.xlsx"], "O2", "名称", "机关第一党支部") if fmt == "xlsx" else
                                  edit_csv(files[f"party_orgs.{fmt}"], encoding, "O2", "名称", "机关第一党支部"))
    office.load("C1", files)
    expected = copy.deepcopy(before)
    expected["nodes"][("PartyOrg", "O2")]["name"] = "机关第一党支部"
    assert office.store.dump() == expected


def test_a_county_tokens_committees_export_loads_back_unchanged(office):
    before = office.store.dump()
    office.load("C1", {"committees.csv": office.export("C1", "committees")})
    assert office.store.dump() == before


def test_csv_is_utf8_with_a_bom_or_gb18030_on_request(office):
    utf8 = office.export("P1", "members")
    assert utf8.startswith(b"\xef\xbb\xbf")
    gb = office.export("P1", "members", encoding="gb18030")
    assert not gb.startswith(b"\xef\xbb\xbf") and not gb.startswith("\ufeff".encode("gb18030"))
    assert gb.decode("gb18030") == utf8.decode("utf-8-sig")
    r = office.client.get("/api/v1/export/tables/members?encoding=gb18030", headers=office.headers("P1"))
    assert r.headers["content-type"].startswith("text/csv; charset=gb18030")
    r = office.client.get("/api/v1/export/tables/members?encoding=big5", headers=office.headers("P1"))
    assert r.status_code == 422
    text = utf8.decode("utf-8-sig")
    assert f"'{PHONE}" in text and "'=1+1" in text  # quoted in a CSV; the loader takes the quote off


def test_the_workbook_is_one_a_clerk_can_work_in(office):
    for table in TABLES:
        ws = load_workbook(io.BytesIO(office.export("P1", table, "xlsx"))).active
        assert ws.title == model().tables[table].label
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == ws.dimensions
        headers = [c.value for c in ws[1]]
        for i in range(1, len(headers) + 1):
            from openpyxl.utils import get_column_letter

            assert ws.column_dimensions[get_column_letter(i)].width >= len(headers[i - 1])
    ws = load_workbook(io.BytesIO(office.export("P1", "activities", "xlsx"))).active
    headers = [c.value for c in ws[1]]
    start = ws.cell(2, headers.index("开始日期") + 1)
    assert start.is_date and start.value.date() == dt.date(2025, 3, 1) and start.number_format == "yyyy-mm-dd"
    ws = load_workbook(io.BytesIO(office.export("P1", "members", "xlsx"))).active
    headers = [c.value for c in ws[1]]
    a1 = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "A1")
    for header, text in (("乡镇街道", PHONE), ("备注", "=1+1")):
        cell = a1[headers.index(header)]
        assert cell.value == text and cell.data_type == "s"  # a text cell showing the text, with no quote
        assert not cell.quotePrefix and cell.number_format == "@"  # kept as text when edited, nothing shown
    assert ws.cell(2, headers.index("任职开始") + 1).is_date
