"""The web page in a real headless Chromium (Debian's), driven by Playwright, against a
real `liaison serve` process on loopback."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from liaison_graph.api.auth import create_token
from benchmarks.api_load import free_port, prepared_store, serving
from liaison_graph.graph.embedded import EmbeddedStore
from tests.api_fixtures import A, CITY, build_city

TODAY = dt.date.today().isoformat()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db, token, _ = prepared_store(tmp_path_factory.mktemp("page"))
    with serving(db, free_port()) as base:
        yield base, token


def api(base, token, path):
    r = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def open_page(browser, base, token, slowdown: int = 1, day: str = TODAY):
    """The page on ``day``, once its network is drawn and its dashboard filled. ``slowdown``
    slows the browser's processor that many times, as on a busy machine."""
    page = browser.new_page(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    if slowdown > 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/#token={token}&as_of={day}")  # the test's day, past midnight too
    page.wait_for_selector("body[data-dashboard='1'][data-ready='1']", timeout=60_000)
    return page, errors


def filtered(page, action) -> None:
    """Do ``action`` (a filter or a search) and wait until the page has applied it: the page
    counts each application in ``body[data-filtered]``."""
    before = int(page.evaluate("document.body.dataset.filtered || '0'"))
    action()
    page.wait_for_function("n => Number(document.body.dataset.filtered || 0) > n", arg=before, timeout=30_000)


def test_the_network_and_the_gap_list_show_the_committee_and_its_gaps_as_the_api_does(browser, sample):
    base, token = sample
    page, errors = open_page(browser, base, token)
    members = api(base, token, f"/api/v1/members?committee_id=XS&as_of={TODAY}&limit=1000")["items"]
    assert page.evaluate("window.liaisonPage.memberIds()") == sorted(m["id"] for m in members)
    for rule in ("non-party-without-liaison", "party-member-unorganised"):
        gaps = api(base, token, f"/api/v1/gaps/{rule}?committee_id=XS&as_of={TODAY}")["items"]
        assert page.evaluate(f"window.liaisonPage.gapIds('{rule}')") == sorted(g["id"] for g in gaps)
        # the list beside the network names the same members, readable without zooming
        assert page.evaluate(f"window.liaisonPage.gapListIds('{rule}')") == sorted(g["id"] for g in gaps)
        assert page.inner_text(f"#gap-list .gap-count[data-rule='{rule}']") == str(len(gaps))
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#gap-list .gap-member')).fontSize)")
    assert size >= 14
    headline = api(base, token, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}")["headline"]
    shown = page.inner_text("#headline-party_work")
    assert f"{headline['party_work']['covered']} / {headline['party_work']['total']}" in shown
    assert page.locator("#chart-sector svg").count() == 1 and page.locator("#quiet tbody tr").count() > 0
    # this year's activities, as the API lists them, and the due list under the chosen policy
    activities = api(base, token, f"/api/v1/attendance?committee_id=XS&as_of={TODAY}&span=own")["activities"]
    expect(page.locator("#attendance tbody tr[data-id]")).to_have_count(len(activities))
    # the login screen's controls are gone once in, and were hidden before
    assert page.locator("#controls").is_visible() and page.locator("#login").is_hidden()
    assert errors == []
    page.close()


def test_a_gap_member_picked_from_the_list_keeps_its_gap_ring_when_selected(browser, sample):
    base, token = sample
    page, errors = open_page(browser, base, token)
    first = page.evaluate("window.liaisonPage.gapListIds('non-party-without-liaison')[0]")
    page.click(f"#gap-list button.gap-member[data-id='{first}']")
    page.wait_for_function("id => document.body.dataset.member === id", arg=first, timeout=30_000)
    ring = page.evaluate(f"""(() => {{ const n = window.liaisonPage.state.cy.getElementById('{first}');
        return [n.selected(), n.style('border-color'), n.numericStyle('border-width')]; }})()""")
    assert ring[0] is True and ring[1] == "rgb(255,152,0)" and ring[2] >= 4, ring
    name = next(m["name"] for m in api(base, token, f"/api/v1/members?q={first}&committee_id=XS")["items"])
    expect(page.locator("#detail-name")).to_have_text(name)
    # the member's file for this year: its figures and gaps as the API gives them, and its page
    file = api(base, token, f"/api/v1/members/{first}/dossier?as_of={TODAY}")
    expect(page.locator("#detail-file")).to_have_text(f"联系记录 {len(file['contacts'])} 次 · 联系界别群众 "
                                                      f"{file['masses_people']} 人 · 参加活动 {len(file['activities'])} 项")
    assert file["gaps"] and page.locator("#detail-file-gaps li").count() == len(file["gaps"])
    with page.expect_download() as got:
        page.click("#detail-file-download")
    assert got.value.suggested_filename.startswith(f"{name}履职档案") and got.value.suggested_filename.endswith(".xlsx")
    with open(got.value.path(), "rb") as saved:
        assert load_workbook(io.BytesIO(saved.read())).sheetnames == [name]
    # a viewer: nothing on the page writes
    assert page.locator("#work-panel").is_hidden() and page.locator("#detail-actions").count() == 0
    assert page.locator("#accept").is_hidden() and page.locator(".record-contact, .add-liaison").count() == 0
    assert errors == []
    page.close()


def test_a_filter_a_search_and_a_click(browser, sample):
    """On a slow machine too: the browser slowed down, the dashboard fills the headline above
    the network after the network is drawn, and a click still lands on the member under it."""
    base, token = sample
    page, errors = open_page(browser, base, token, slowdown=8)
    members = api(base, token, f"/api/v1/members?committee_id=XS&as_of={TODAY}&limit=1000")["items"]
    sector = sorted({m["sector"] for m in members})[1]
    whole = page.evaluate("window.liaisonPage.state.cy.extent()")
    filtered(page, lambda: page.select_option("#filter-sector", sector))
    assert page.evaluate("window.liaisonPage.fadedIds()") == sorted(m["id"] for m in members if m["sector"] != sector)
    # the counts are of what is left, the gap list too, and the view is fitted to it
    inside = [m for m in members if m["sector"] == sector]
    assert page.inner_text("#counts").startswith(f"委员 {len(inside)} 名（筛选后")
    gaps = api(base, token, f"/api/v1/gaps/non-party-without-liaison?committee_id=XS&as_of={TODAY}")["items"]
    assert page.evaluate("window.liaisonPage.gapListIds('non-party-without-liaison')") == sorted(
        g["id"] for g in gaps if g["sector"] == sector)
    fitted = page.evaluate("window.liaisonPage.state.cy.extent()")
    assert fitted["w"] < whole["w"], (fitted, whole)
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
    name = api(base, token, "/api/v1/committees/XS")["name"]
    with page.expect_download() as got:
        page.click("#download-xlsx")
    # every download is titled with the committee, the scope and the day
    assert got.value.suggested_filename == f"覆盖情况-{name}-本级-{day}.xlsx"
    path = tmp_path / "report.xlsx"
    got.value.save_as(path)
    assert "概览" in load_workbook(path).sheetnames
    with page.expect_download() as got:
        page.click("#download-png")
    assert got.value.suggested_filename == f"联系网络-{name}-本级-{day}.png"
    png = tmp_path / "network.png"
    got.value.save_as(png)
    image = Image.open(png).convert("RGB")
    assert image.size[0] > 500 and image.getpixel((2, 2)) == (255, 255, 255)
    # one SVG a chart, on white, carrying its title, the committee and the day
    buttons = page.locator("button.download-svg")
    assert buttons.count() == 3
    for i in range(3):
        with page.expect_download() as got:
            buttons.nth(i).click()
        svg = tmp_path / f"chart-{i}.svg"
        got.value.save_as(svg)
        assert got.value.suggested_filename.endswith(f"-{name}-本级-{day}.svg")
        root = ElementTree.parse(svg).getroot()
        assert root.tag.endswith("svg")
        text = "".join(root.itertext())
        assert name in text and day in text
        fills = [e.get("fill") for e in root.iter() if e.tag.endswith("rect")]
        assert fills and fills[0] in ("#ffffff", "#fff", "rgb(255,255,255)", "white"), fills[:3]
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


def test_a_link_names_the_day_the_page_answers_for(browser, sample):
    base, token = sample
    page, errors = open_page(browser, base, token, day="2024-06-30")
    assert page.input_value("#as-of") == "2024-06-30"
    assert "统计日 2024-06-30" in page.inner_text("#scope-line")
    page.close()
    assert errors == []


def test_without_a_token_the_page_asks_for_one(browser, sample):
    base, _ = sample
    page = browser.new_page()
    page.goto(base + "/")
    page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    assert page.locator("#main").is_hidden()
    assert page.locator("#controls").is_hidden()  # no controls that cannot be used yet
    page.fill("#token-input", "lg_000000000000_" + "x" * 40)
    page.click("#token-save")
    page.wait_for_selector("#message:not([hidden])", timeout=10_000)
    assert "令牌" in page.inner_text("#message")
    assert page.locator("#controls").is_hidden()
    page.close()


def test_recommend_then_accept_behind_a_confirmation_from_the_page(browser, tmp_path):
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
        rules = {r["id"]: r["label"] for p in api(base, token, "/api/v1/policies") for r in p["rules"]}
        first_rule = page.inner_text("#recommend-table tbody tr:first-child td:first-child")
        assert first_rule == rules[proposed["items"][0]["rule"]]  # the rule's name, not its id
        page.click("#accept")
        # nothing is written until the list of what will be written is confirmed
        expect(page.locator("#accept-confirm")).to_be_visible()
        assert page.locator("#accept-list tbody tr").count() == len(proposed["items"])
        assert api(base, token, f"/api/v1/recommend?committee_id=XS&as_of={TODAY}")["items"] == proposed["items"]
        # a refusal is shown beside the button, which can be pressed again
        page.route("**/api/v1/recommend/accept", lambda route: route.fulfill(
            status=409, content_type="application/json",
            body='{"error": {"code": "conflict", "message": "数据已被他人修改，请刷新后重试"}}'))
        page.click("#accept-yes")
        expect(page.locator("#accept-error")).to_have_text("数据已被他人修改，请刷新后重试")
        expect(page.locator("#accept-yes")).to_be_enabled()
        page.unroute("**/api/v1/recommend/accept")
        page.click("#accept-yes")
        page.wait_for_selector("#accepted", timeout=30_000)
        page.wait_for_selector("body[data-dashboard='1']", timeout=30_000)
        assert page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')") == []
        assert api(base, token, f"/api/v1/gaps/non-party-without-liaison?committee_id=XS&as_of={TODAY}")["count"] == 0
        # the liaisons just written are not "quiet": they are younger than the window
        quiet = api(base, token, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}")["quiet_liaisons"]
        new = {(i["from_id"], i["to_id"]) for i in proposed["items"] if i["kind"] != "membership"}
        assert not new & {(q["from_id"], q["to_id"]) for q in quiet}
        assert errors == []
        page.close()


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    db = build_city(tmp_path_factory.mktemp("city"))
    with EmbeddedStore(db) as store:
        _, token = create_token(store, CITY, "viewer", "city office")
    with serving(db, free_port()) as base:
        yield base, token


def reloaded(page, action) -> None:
    """Do ``action`` and wait until the page has loaded again (``body[data-loads]`` counts up)."""
    before = int(page.evaluate("document.body.dataset.loads || '0'"))
    action()
    page.wait_for_function("n => Number(document.body.dataset.loads || 0) > n && document.body.dataset.dashboard === '1'",
                           arg=before, timeout=60_000)


def test_the_scope_switch_governs_cards_charts_and_network_together(browser, city):
    base, token = city
    page, errors = open_page(browser, base, token)
    members, offset = [], 0
    while offset == len(members):
        members += api(base, token, f"/api/v1/members?committee_id={CITY}&as_of={TODAY}&limit=1000&offset={offset}")["items"]
        offset += 1000
    assert {m["committee_id"] for m in members} > {CITY}  # the list is of the city and its counties
    for span, expected in (("own", [m for m in members if m["committee_id"] == CITY]), ("tree", members)):
        if span == "tree":
            reloaded(page, lambda: page.check("input[name='levels'][value='tree']"))
        assert page.evaluate("window.liaisonPage.memberIds()") == sorted(m["id"] for m in expected)
        report = api(base, token, f"/api/v1/coverage?committee_id={CITY}&as_of={TODAY}&span={span}&by=activity_group")
        for key in ("party_org", "party_work"):
            h = report["headline"][key]
            assert f"已覆盖 {h['covered']} / {h['total']}" in page.inner_text(f"#headline-{key}")
        work = next(r for r in report["rules"] if r["id"] == "non-party-without-liaison")
        assert work["total"] == sum(1 for m in expected if not m.get("cpc"))
        rows = page.evaluate("window.liaisonPage.chartRows('chart-group')")
        assert len(rows) == len(work["breakdown"]) and len(set(rows)) == len(rows)  # no two committees' groups merged
        gaps = api(base, token, f"/api/v1/gaps/non-party-without-liaison?as_of={TODAY}")["items"]  # the token's scope
        ids = {m["id"] for m in expected}
        assert page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')") == sorted(
            g["id"] for g in gaps if g["id"] in ids)
        assert ("下级" in page.inner_text("#scope-line")) == (span == "tree")
    # the charts grow with their rows, and the groups come in natural order: 第一, 第二 … 第十
    rows = page.evaluate("window.liaisonPage.chartRows('chart-group')")
    height = page.evaluate("document.getElementById('chart-group').getBoundingClientRect().height")
    assert height >= 20 * len(rows), (height, len(rows))
    county = [r for r in rows if r.endswith("）") and r.split("（")[-1] == rows[0].split("（")[-1]]
    numbers = "一二三四五六七八九十"
    order = [numbers.index(r[1]) for r in county if r.startswith("第") and r[1] in numbers and r[2] != "十"]
    assert order == sorted(order) and len(order) >= 3, county
    assert errors == []
    page.close()
