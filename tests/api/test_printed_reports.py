"""The printed reports: the coverage workbook (``coverage --xlsx``; the HTTP API writes the
same one) and the recommendation workbook (``recommend --format xlsx``), as an office
prints them. The workbooks are checked cell by cell; where LibreOffice is installed each
is printed to PDF (one conversion for all) and its pages are counted and measured."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_graph.api import output
from liaison_graph.api.cli import main
from liaison_graph.api.report_xlsx import write_coverage_xlsx
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.natural import natural
from liaison_graph.loaders import load_files
from tests.conftest import write_json

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "xishan-county.xlsx"
DAY = "2026-11-30"
IDS = re.compile(r"two-coverages|party-member-unorganised|non-party-without-liaison|(?<![\w-])XS(?![\w-])")  # the committee's id


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The county sample's workbooks: coverage (by activity group), recommendation, and two
    single-sheet copies of the coverage report (the overview, the quiet liaisons)."""
    tmp = tmp_path_factory.mktemp("printed")
    db = str(tmp / "county.db")
    assert main(["load", str(SAMPLE), "--db", db]) == 0
    out = {"coverage": tmp / "coverage.xlsx", "recommend": tmp / "recommend.xlsx", "digest": tmp / "digest.xlsx",
           "dossier": tmp / "dossier.xlsx"}
    assert main(["dossier", "邵刚", "--db", db, "--as-of", DAY, "--policy", "四联", "--xlsx", str(out["dossier"])]) == 0
    assert main(["digest", "--db", db, "--as-of", DAY, "--since", "2026-09-01", "--policy", "fuxing", "--format", "xlsx",
                 "--out", str(out["digest"])]) == 0
    assert main(["coverage", "--db", db, "--as-of", DAY, "--by", "activity_group", "--xlsx", str(out["coverage"])]) == 0
    assert main(["recommend", "--db", db, "--as-of", DAY, "--format", "xlsx", "--out", str(out["recommend"])]) == 0
    for name, keep in (("overview", "概览"), ("quiet", "联系沉寂")):
        wb = load_workbook(out["coverage"])
        for ws in list(wb.worksheets):
            if ws.title != keep:
                wb.remove(ws)
        wb.save(tmp / f"{name}.xlsx")
        out[name] = tmp / f"{name}.xlsx"
    return out


def cells(path: Path):
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            yield from (c for c in row if c.value is not None)


@pytest.mark.parametrize("name", ["coverage", "recommend", "digest", "dossier"])
def test_no_formula_no_id_every_page_set_up(books, name):
    wb = load_workbook(books[name])
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert "溪山县政协" in texts[0] and "2026年11月30日" in texts[0], texts[0]  # the committee and the day in the title
        assert any(t.startswith("制表单位：溪山县政协") and "制表人：" in t and "审核人：" in t and "日期：" in t for t in texts)
        assert "序号" not in texts or any(t.startswith("合计") for t in texts), ws.title  # every numbered list
    for c in cells(books[name]):
        assert c.data_type != "f", (c.parent.title, c.coordinate, c.value)
        assert not (isinstance(c.value, str) and IDS.search(c.value)), (c.parent.title, c.coordinate, c.value)
        assert not (isinstance(c.value, float) and c.number_format == "General"), (c.parent.title, c.coordinate, c.value)
    assert not any(re.search(r"\d$", t) for t in wb.sheetnames), wb.sheetnames  # no 未覆盖1, 分组1


def test_coverage_overview_sections_and_natural_order(books):
    wb = load_workbook(books["coverage"])
    overview = [c.value for row in wb["概览"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "一、两个全覆盖" in overview and "二、有效覆盖的要求" in overview and "三、需要处理的问题" in overview
    assert "180 天内联系至少 1 次" in overview  # the flagship rule's requirement, in words
    assert overview.count("合计") == 2
    grouped = next(ws for ws in wb.worksheets if ws.title.startswith("按委员活动组统计"))
    names = [r[1] for r in grouped.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert names and names == sorted(names, key=natural)
    ratios = [c for c in cells(books["coverage"]) if isinstance(c.value, float)]
    assert ratios and all(c.number_format == "0.0%" for c in ratios)


def test_a_members_file_has_its_sections_in_order(books):
    ws = load_workbook(books["dossier"]).worksheets[0]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    sections = [t for t in texts if re.match(r"^[一二三四五六七八]、", t)]
    assert [t.split("、", 1)[1][:4] for t in sections] == ["基本情况", "所在组织", "本人联系", "联系本人", "联系记录", "联系界别",
                                                          "参加活动", "覆盖缺口"]
    assert ws.title == "邵刚" and "溪山县政协委员邵刚履职档案" in texts[0] and "年度：2026年1月1日至2026年11月30日" in texts[1]
    assert "未覆盖：委员联系界别群众" in texts and "生态环境保护民主监督专题视察" in texts


def test_coverage_workbook_carries_this_years_attendance(books, tmp_path):
    """The attendance sheets hold the report's figures: the 合计 row by CPC / non-CPC /
    standing, each activity group, and the members who took part in none, by name."""
    store = EmbeddedStore(tmp_path / "county.db")
    load_files([SAMPLE], store)
    report = questions.coverage(store, WHOLE, PolicyAsked(), dt.date.fromisoformat(DAY))
    store.close()
    section = report["attendance"]
    wb = load_workbook(books["coverage"])
    rows = {r[1]: r[2:] for r in wb["活动出勤"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)}
    total = section["total"]
    assert rows["合计"] == tuple(v for w in ("cpc", "non_cpc", "standing") for v in (
        total[w]["attended"], total[w]["excused"] + total[w]["absent"], total[w]["rate"] if total[w]["rate"] is not None else "—"))
    assert total["cpc"]["attended"] > 0 and section["by_group"]
    assert [name for name in rows if name != "合计"] == [g["name"] for g in section["by_group"]]
    listed = [r[1] for r in wb["当年未参加活动的委员"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert listed == [i["name"] for i in section["members_without_activity"]] and listed
    text = output.coverage_text(report)
    assert f"当年没有参加任何活动的委员（{len(listed)}）：{listed[0]}" in text


@pytest.fixture(scope="module")
def pdfs(books, tmp_path_factory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("未安装 LibreOffice（soffice），不能打印为 PDF")
    out = tmp_path_factory.mktemp("pdf")
    profile = (out / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, books.values())], check=True, capture_output=True, timeout=300)
    return {name: out / f"{path.stem}.pdf" for name, path in books.items()}


def pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height, read from its MediaBox (inherited from /Pages when absent)."""
    data = pdf.read_bytes()
    box = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
    default = box.search(data)
    sizes = []
    for m in re.finditer(rb"/Type\s*/Page(?![s\w])(.*?)endobj", data, re.S):
        own = box.search(m.group(1)) or default
        x0, y0, x1, y1 = map(float, own.groups())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


@pytest.mark.parametrize("name, over", [("coverage", 3), ("recommend", 0), ("overview", 0), ("quiet", 2),
                                        ("digest", 2), ("dossier", 0)])
def test_printed_pdf(books, pdfs, name, over):
    """Every sheet one page wide: a page a sheet, the 63 quiet liaisons on three at most and
    the 36 members who took part in no activity this year on two, a member's file on one page."""
    most = len(load_workbook(books[name]).sheetnames) + over
    sizes = pages(pdfs[name])
    assert 1 <= len(sizes) <= most, (name, len(sizes))
    assert all(w > h for w, h in sizes), sizes  # landscape
    assert all(abs(max(w, h) - 841.89) < 2 and abs(min(w, h) - 595.3) < 2 for w, h in sizes), sizes  # A4


def test_natural_order_reads_digits_and_chinese_numerals_as_numbers():
    names = ["第一组", "第2组", "第三组", "第九组", "第十组", "第十一组", "第二十组", "第一百零一组"]
    assert sorted(reversed(names), key=natural) == names
    assert sorted(["十一组", "十组", "二组", "一组"], key=natural) == ["一组", "二组", "十组", "十一组"]
    assert sorted(["10组", "9组", "1组"], key=natural) == ["1组", "9组", "10组"]
    assert sorted(["经济界二组", "经济界十组", "经济界一组"], key=natural) == ["经济界一组", "经济界二组", "经济界十组"]


# --- a city of two counties whose activity groups have the same names ----------------------------
CITY_DAY = dt.date(2025, 6, 30)
CITY = {
    "committees": [{"id": "C-CITY", "name": "某市政协", "level": "市"},
                   {"id": "C-JIA", "name": "甲县政协", "level": "县", "parent_id": "C-CITY"},
                   {"id": "C-YI", "name": "乙县政协", "level": "县", "parent_id": "C-CITY"}],
    "members": [
        {"id": "a0", "name": "甲一", "affiliation": "中共党员", "committee_id": "C-JIA", "sector": "中共",
         "activity_group": "第一委员活动组"},
        {"id": "a1", "name": "甲二", "affiliation": "民盟", "committee_id": "C-JIA", "sector": "民盟",
         "activity_group": "第一委员活动组"},
        {"id": "a2", "name": "甲三", "affiliation": "群众", "committee_id": "C-JIA", "sector": "经济界",
         "activity_group": "第二委员活动组"},
        {"id": "b0", "name": "乙一", "affiliation": "中共党员", "committee_id": "C-YI", "sector": "中共"},
        {"id": "b1", "name": "乙二", "affiliation": "群众", "committee_id": "C-YI", "sector": "经济界",
         "activity_group": "第一委员活动组"},
        {"id": "b2", "name": "乙三", "affiliation": "九三学社", "committee_id": "C-YI", "sector": "九三学社",
         "activity_group": "第二委员活动组"},
    ],
    "liaisons": [{"from_id": "a0", "to": "a1", "start_date": "2024-01-01"}, {"from_id": "a1", "to": "a2"}],
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("city")
    with EmbeddedStore(tmp / "c.db") as store:
        load_files([write_json(tmp / "c.json", CITY)], store)
        yield (questions.coverage(store, WHOLE, PolicyAsked(), CITY_DAY, None, "activity_group"),
               questions.network(store, WHOLE, CITY_DAY), tmp)


def test_a_citys_report_text_shows_each_countys_group_with_the_countys_name(city):
    report, _, _ = city
    text = output.coverage_text(report)
    assert "C-JIA" not in text and "C-YI" not in text  # committees by name
    rows = [line.split()[:2] for line in text.splitlines() if line.startswith("第")]
    assert rows == [["第一委员活动组", "甲县政协"],  # the party members: a0 (b0 in none)
                    ["第一委员活动组", "甲县政协"], ["第二委员活动组", "甲县政协"],  # the non-party members
                    ["第一委员活动组", "乙县政协"], ["第二委员活动组", "乙县政协"]]
    assert "不要求有中共党员委员的界别 2 个未列出：民盟（甲县政协）、九三学社（乙县政协）" in text


def test_a_citys_printed_report_has_a_row_for_each_countys_group(city):
    report, _, tmp = city
    path = write_coverage_xlsx(report, tmp / "city.xlsx")
    wb = load_workbook(path)
    party, non_party = (ws for ws in wb.worksheets if ws.title.startswith("按委员活动组统计"))
    for ws in (party, non_party):
        header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
        assert header[:3] == ("序号", "委员活动组", "所属政协")
    rows = [r[1:3] for r in non_party.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert rows == [("第一委员活动组", "甲县政协"), ("第二委员活动组", "甲县政协"), ("第一委员活动组", "乙县政协"),
                    ("第二委员活动组", "乙县政协")]
    assert [r[1:3] for r in party.iter_rows(values_only=True) if isinstance(r[0], int)] == \
        [("第一委员活动组", "甲县政协"), ("（无）", None)]
    sectors = [r[1:3] for r in wb["没有党员委员的界别"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert sectors == [("经济界", "甲县政协"), ("经济界", "乙县政协")]
    for c in cells(path):
        assert not (isinstance(c.value, str) and ("C-JIA" in c.value or "C-YI" in c.value)), (c.parent.title, c.value)


def test_the_network_text_names_brokers_share_and_the_members_without_liaison(city):
    _, network, _ = city
    text = output.network_text(network)
    assert "C-JIA" not in text and "C-YI" not in text
    brokers = next(part for part in text.split("\n\n") if part.startswith("关键联络人"))
    broker = next(line for line in brokers.splitlines() if line.startswith("甲二"))
    assert "甲县政协" in broker and "100.0%" in broker  # a0 and a2 are joined through a1 alone
    assert "经过其的联系路径占比" in text
    assert "没有任何联系的党员委员 1 名：乙一（乙县政协）" in text
    assert "完全孤立的委员 3 名：乙一（乙县政协）、乙二（乙县政协）、乙三（乙县政协）" in text
    many = type(network)({**network, "cpc_without_liaison": [{"id": f"m{i}", "name": f"委员{i}", "committee_id": "C-YI",
                                                              "sector": None} for i in range(60)]},
                         network.committees, None, None)
    text = output.network_text(many)
    assert "没有任何联系的党员委员 60 名：委员0（乙县政协）" in text and "委员49（乙县政协）" in text
    assert "委员50（" not in text and "……另有 10 名，完整列表见 --format json" in text
