"""The web page in a real headless Chromium (Debian's), driven by Playwright, against a
real `liaison serve` process on loopback."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from liaison_graph.api.auth import create_token
from benchmarks.api_load import free_port, prepared_store, serving
from liaison_graph.graph.embedded import EmbeddedStore
from tests.api_fixtures import A, build_city

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TODAY = dt.date.today().isoformat()


@pytest.fixture(scope="module")
def browser():
    assert shutil.which("chromium") or CHROMIUM, "Debian's chromium is needed (the README's test command installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db, token, _ = prepared_store(tmp_path_factory.mktemp("page"))
    with serving(db, free_port()) as base:
        yield base, token


def api(base, token, path):
    r = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def open_page(browser, base, token, slowdown: int = 1):
    """The page, once its network is drawn and its dashboard filled. ``slowdown`` slows the
    browser's processor that many times, as on a busy machine."""
    page = browser.new_page(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    if slowdown > 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/#token={token}")
    page.wait_for_selector("body[data-dashboard='1'][data-ready='1']", timeout=60_000)
    return page, errors


def filtered(page, action) -> None:
    """Do ``action`` (a filter or a search) and wait until the page has applied it: the page
    counts each application in ``body[data-filtered]``."""
    before = int(page.evaluate("document.body.dataset.filtered || '0'"))
    action()
    page.wait_for_function("n => Number(document.body.dataset.filtered || 0) > n", arg=before, timeout=30_000)


def test_the_network_shows_the_committee_and_its_gaps_as_the_api_does(browser, sample):
    base, token = sample
    page, errors = open_page(browser, base, token)
    members = api(base, token, f"/api/v1/members?committee_id=XS&as_of={TODAY}&limit=1000")["items"]
    assert page.evaluate("window.liaisonPage.memberIds()") == sorted(m["id"] for m in members)
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        gaps = api(base, token, f"/api/v1/gaps/{rule}?committee_id=XS&as_of={TODAY}")["items"]
        assert page.evaluate(f"window.liaisonPage.gapIds('{rule}')") == sorted(g["id"] for g in gaps)
    headline = api(base, token, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}")["headline"]
    shown = page.inner_text("#headline-party_work")
    assert f"{headline['party_work']['covered']} / {headline['party_work']['total']}" in shown
    assert page.locator("#chart-sector svg").count() == 1 and page.locator("#quiet tbody tr").count() > 0
    assert errors == []
    page.close()


def test_a_filter_a_search_and_a_click(browser, sample):
    """On a slow machine too: the browser slowed down, the dashboard fills the headline above
    the network after the network is drawn, and a click still lands on the member under it."""
    base, token = sample
    page, errors = open_page(browser, base, token, slowdown=8)
    members = api(base, token, f"/api/v1/members?committee_id=XS&as_of={TODAY}&limit=1000")["items"]
    sector = sorted({m["sector"] for m in members})[1]
    filtered(page, lambda: page.select_option("#filter-sector", sector))
    assert page.evaluate("window.liaisonPage.fadedIds()") == sorted(m["id"] for m in members if m["sector"] != sector)
    filtered(page, lambda: page.select_option("#filter-sector", ""))
    assert page.evaluate("window.liaisonPage.fadedIds()") == []
    target = next(m for m in members if m["id"] == page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')[0]"))
    filtered(page, lambda: page.fill("#search", target["name"]))
    assert target["id"] in page.evaluate("window.liaisonPage.state.cy.nodes('.match').map(n => n.id())")
    pos = page.evaluate(f"window.liaisonPage.renderedPosition('{target['id']}')")
    box = page.locator("#cy").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    expect(page.locator("#detail-name")).to_have_text(target["name"], timeout=30_000)
    expect(page.locator("#detail")).to_contain_text("未覆盖")  # and why: the reasons the API gives
    why = api(base, token, f"/api/v1/why/{target['id']}?as_of={TODAY}")
    assert why["reasons"]
    expect(page.locator("#detail-reasons")).to_contain_text(why["reasons"][0])
    assert errors == []
    page.close()


def test_as_of_picker_downloads_and_a_screenshot_that_is_not_blank(browser, sample, tmp_path):
    base, token = sample
    page, errors = open_page(browser, base, token)
    day = "2026-01-18"  # the plenary's temporary branch holds: fewer unorganised party members
    page.fill("#as-of", day)
    page.dispatch_event("#as-of", "change")
    page.wait_for_selector("body[data-dashboard='1']", timeout=30_000)
    gaps = api(base, token, f"/api/v1/gaps/party-member-unorganised?committee_id=XS&as_of={day}")["items"]
    assert page.evaluate("window.liaisonPage.gapIds('party-member-unorganised')") == sorted(g["id"] for g in gaps)
    with page.expect_download() as got:
        page.click("#download-xlsx")
    path = tmp_path / "report.xlsx"
    got.value.save_as(path)
    assert "概览" in load_workbook(path).sheetnames
    with page.expect_download() as got:
        page.click("#download-png")
    png = tmp_path / "network.png"
    got.value.save_as(png)
    assert Image.open(png).size[0] > 500
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
    colours = len(set(shot.resize((shot.width // 2, shot.height // 2)).getdata()))
    assert colours > 200, colours  # a blank or unstyled page has a handful
    assert errors == []
    page.close()


def test_a_county_page_never_shows_another_county(browser, tmp_path):
    db = build_city(tmp_path)
    with EmbeddedStore(db) as store:
        _, token = create_token(store, A, "viewer", "county")
    with serving(db, free_port()) as base:
        page, errors = open_page(browser, base, token)
        options = page.eval_on_selector_all("#committee option", "els => els.map(e => e.value)")
        assert options == [A]
        ids = page.evaluate("window.liaisonPage.memberIds()")
        assert ids and all(i.startswith(A + "-") for i in ids)
        text = page.inner_text("body")
        assert "杉桥县" not in text and "潭川市政协" not in text  # the neighbour county and the city
        page.close()
        assert errors == []


def test_without_a_token_the_page_asks_for_one(browser, sample):
    base, _ = sample
    page = browser.new_page()
    page.goto(base + "/")
    page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    assert page.locator("#main").is_hidden()
    page.fill("#token-input", "lg_000000000000_" + "x" * 40)
    page.click("#token-save")
    page.wait_for_selector("#message:not([hidden])", timeout=10_000)
    assert "令牌" in page.inner_text("#message")
    page.close()


def test_recommend_then_accept_from_the_page(browser, tmp_path):
    db, _, _ = prepared_store(tmp_path)
    with EmbeddedStore(db) as store:
        _, token = create_token(store, "XS", "editor", "office")
    with serving(db, free_port()) as base:
        page, errors = open_page(browser, base, token)
        assert page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')") != []
        page.click("#recommend")
        page.wait_for_selector("#recommend-table", timeout=30_000)
        proposed = api(base, token, f"/api/v1/recommend?committee_id=XS&as_of={TODAY}")
        assert page.locator("#recommend-table tbody tr").count() == len(proposed["items"])
        assert "100.0%" in page.inner_text("#what-if")
        page.click("#accept")
        page.wait_for_selector("#accepted", timeout=30_000)
        page.wait_for_selector("body[data-dashboard='1']", timeout=30_000)
        assert page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')") == []
        assert api(base, token, f"/api/v1/gaps/non-party-without-liaison?committee_id=XS&as_of={TODAY}")["count"] == 0
        assert errors == []
        page.close()
