"""The printed reports: the coverage workbook (``coverage --xlsx``; the HTTP API writes the
same one) and the recommendation workbook (``recommend --format xlsx``), as an office
prints them. The workbooks are checked cell by cell; where LibreOffice is installed each
is printed to PDF (one conversion for all) and its pages are counted and measured."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_graph.api.cli import main
from liaison_graph.api.report_sheets import natural

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
    out = {"coverage": tmp / "coverage.xlsx", "recommend": tmp / "recommend.xlsx"}
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


@pytest.mark.parametrize("name", ["coverage", "recommend"])
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
    assert "一、两个全覆盖" in overview and "二、需要处理的问题" in overview
    assert overview.count("合计") == 2
    grouped = next(ws for ws in wb.worksheets if ws.title.startswith("按委员活动组统计"))
    names = [r[1] for r in grouped.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert names and names == sorted(names, key=natural)
    ratios = [c for c in cells(books["coverage"]) if isinstance(c.value, float)]
    assert ratios and all(c.number_format == "0.0%" for c in ratios)


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


@pytest.mark.parametrize("name, over", [("coverage", 2), ("recommend", 0), ("overview", 0), ("quiet", 2)])
def test_printed_pdf(books, pdfs, name, over):
    """Every sheet one page wide: a page a sheet, the 63 quiet liaisons on three at most."""
    most = len(load_workbook(books[name]).sheetnames) + over
    sizes = pages(pdfs[name])
    assert 1 <= len(sizes) <= most, (name, len(sizes))
    assert all(w > h for w, h in sizes), sizes  # landscape
    assert all(abs(max(w, h) - 841.89) < 2 and abs(min(w, h) - 595.3) < 2 for w, h in sizes), sizes  # A4
