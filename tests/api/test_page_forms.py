"""The page's forms (web/forms.js) in a real headless Chromium (Debian's), driven by
Playwright, against a real `liaison serve` process on loopback: an editor records a
contact, adds and ends a liaison, edits a member (a stale version refused, then saved after
reading again) and uploads a roster (a bad row refused with its place); a viewer gets no
write control; the contact form at phone and desktop width.

Every wait is for the page's state (its counters of writes done and refused), never for time."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest
from liaison_graph.api.auth import create_token
from liaison_graph.graph.embedded import EmbeddedStore
from playwright.sync_api import expect

from benchmarks.api_load import free_port, prepared_store, serving

TODAY = dt.date.today().isoformat()
WAIT = 30_000


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The sample county served, with an editor's and a viewer's token."""
    db, viewer, _ = prepared_store(tmp_path_factory.mktemp("forms"))
    with EmbeddedStore(db) as store:
        _, editor = create_token(store, "XS", "editor", "组织办公室")
    with serving(db, free_port()) as base:
        yield {"base": base, "editor": editor, "viewer": viewer, "db": db}


def get(office, path, token=None):
    r = httpx.get(office["base"] + path, headers={"Authorization": f"Bearer {token or office['editor']}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def members(office) -> list[dict]:
    return get(office, f"/api/v1/page/network?committee_id=XS&as_of={TODAY}")["nodes"]


def unique_names(office) -> dict[str, dict]:
    """The members whose name no other member of the committee has, by id."""
    nodes = members(office)
    names = Counter(n["name"] for n in nodes)
    return {n["id"]: n for n in nodes if names[n["name"]] == 1}


def open_page(browser, office, token=None, width=1500, height=1300, phone=False):
    """The page, once its network is drawn and its dashboard filled."""
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{office['base']}/#token={token or office['editor']}&as_of={TODAY}")  # the test's day past midnight too
    page.wait_for_selector("body[data-dashboard='1'][data-ready='1']", timeout=60_000)
    return page, errors


def counted(page, key: str) -> int:
    return int(page.evaluate(f"document.body.dataset.{key} || '0'"))


def after(page, key: str, action) -> None:
    """Do ``action`` and wait until the page counts one more write (``written``) or refusal
    (``refused``)."""
    before = counted(page, key)
    action()
    page.wait_for_function(f"n => Number(document.body.dataset.{key} || 0) > n", arg=before, timeout=WAIT)


def show_member(page, member_id: str) -> None:
    page.evaluate("id => window.liaisonPage.showMember(id)", member_id)
    page.wait_for_selector(f"body[data-member='{member_id}'] #detail-actions button", timeout=WAIT)


def test_a_contact_recorded_from_a_quiet_liaison_makes_it_effective(browser, office):
    named = unique_names(office)
    quiet = get(office, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}")["quiet_liaisons"][:50]
    pair = next(q for q in quiet if q["from_id"] in named and q["to_id"] in named)
    page, errors = open_page(browser, office)
    page.click(f"#quiet tr[data-from='{pair['from_id']}'][data-to='{pair['to_id']}'] button.record-contact")
    form = page.locator("#contact-form")
    expect(form).to_be_visible()
    assert form.locator("[name=from]").input_value().startswith(pair["from_name"])
    assert form.locator("[name=to]").input_value().startswith(pair["to_name"])
    assert form.locator("[name=date]").input_value() == TODAY
    # the first empty field has the focus: the summary, both people being filled
    assert page.evaluate("document.activeElement.name") == "summary"
    form.locator("[name=mode]").select_option("谈心谈话")
    form.locator("[name=summary]").fill("听取对教育界提案的意见")
    after(page, "written", lambda: form.locator("[type=submit]").click())
    expect(form.locator(".form-ok")).to_have_text(f"已记录：{pair['from_name']} → {pair['to_name']}，{TODAY} 谈心谈话")
    assert form.locator("[type=submit]").is_enabled()
    contacts = get(office, f"/api/v1/members/{pair['to_id']}")["contacts"]
    assert any(c["from_id"] == pair["from_id"] and c["date"] == TODAY and c["summary"] == "听取对教育界提案的意见"
               for c in contacts)
    still = get(office, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}")["quiet_liaisons"]
    assert not any(q["from_id"] == pair["from_id"] and q["to_id"] == pair["to_id"] for q in still)
    # and the page, reloaded after the write, no longer lists it as quiet
    expect(page.locator(f"#quiet tr[data-from='{pair['from_id']}'][data-to='{pair['to_id']}']")).to_have_count(0)
    assert errors == []
    page.context.close()


def test_an_upload_refused_shows_its_fault_and_writes_nothing(browser, office):
    bad = "id,name,affiliation,committee_id,sector\nXS-M9901,林晓,民盟,ZZ,民盟\n".encode()
    good = "id,name,affiliation,committee_id,sector\nXS-M9901,林晓,民盟,XS,民盟\n".encode()
    cursor = get(office, "/api/v1/changes?since=0&limit=1000")["next"]
    # what the API says of this file (nothing is written: the check fails before any write)
    r = httpx.post(office["base"] + "/api/v1/imports", headers={"Authorization": f"Bearer {office['editor']}"},
                   files=[("files", ("members.csv", bad, "text/csv"))], timeout=30)
    assert r.status_code == 422
    expected = r.json()["error"]["message"]
    assert "members.csv" in expected and "第2行" in expected
    page, errors = open_page(browser, office)
    page.click("#lf-upload > summary")
    form = page.locator("#upload-form")
    form.locator("[name=files]").set_input_files([{"name": "members.csv", "mimeType": "text/csv", "buffer": bad}])
    after(page, "refused", lambda: form.locator("[type=submit]").click())
    expect(form.locator(".form-error")).to_have_text(expected)
    assert form.locator("[type=submit]").is_enabled()
    assert form.locator("[name=files]").evaluate("el => el.files.length") == 1  # the choice is kept
    assert get(office, f"/api/v1/changes?since={cursor}&limit=1000")["items"] == []
    missing = httpx.get(office["base"] + "/api/v1/members/XS-M9901",
                        headers={"Authorization": f"Bearer {office['editor']}"}, timeout=30)
    assert missing.status_code == 404
    # the row put right, the same form takes it
    form.locator("[name=files]").set_input_files([{"name": "members.csv", "mimeType": "text/csv", "buffer": good}])
    after(page, "written", lambda: form.locator("[type=submit]").click())
    expect(form.locator(".form-ok")).to_contain_text("已导入 members.csv")
    expect(form.locator(".form-ok")).to_contain_text("委员 1 条")
    expect(form.locator(".form-error")).to_be_hidden()
    assert get(office, "/api/v1/members/XS-M9901")["member"]["name"] == "林晓"
    assert errors == []
    page.context.close()


def test_a_viewer_sees_no_write_control(browser, office):
    page, errors = open_page(browser, office, token=office["viewer"])
    assert page.locator("#work-panel").is_hidden()
    assert page.eval_on_selector("#work-panel", "el => el.children.length") == 0
    member_id = page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')[0]")
    page.evaluate("id => window.liaisonPage.showMember(id)", member_id)
    page.wait_for_selector(f"body[data-member='{member_id}']", timeout=WAIT)
    # the forms' own entry points do nothing for a viewer
    page.evaluate("window.liaisonForms.openContact({to_id: 'XS-M0001', to_name: '某某'})")
    page.evaluate("window.liaisonForms.openLiaison({to_id: 'XS-M0001', to_name: '某某'})")
    assert page.locator("#work-panel").is_hidden()
    assert page.locator("#detail-actions").count() == 0
    assert page.locator("form").count() == 0
    for selector in ("button.record-contact", "button.add-liaison", "#work-panel button", "#detail button:not(#detail-file-download)",
                     "input[type=file]", "textarea"):
        assert page.locator(selector).count() == 0, selector
    assert page.locator("#accept").is_hidden()
    assert errors == []
    page.context.close()


def test_add_a_liaison_from_the_gap_list_and_end_it_from_the_member_panel(browser, office):
    named = unique_names(office)
    page, errors = open_page(browser, office)
    gaps = page.evaluate("window.liaisonPage.gapListIds('non-party-without-liaison')")
    target = named[next(g for g in gaps if g in named)]
    holder = next(n for n in named.values() if n["party"] == "cpc")
    start = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    page.click(f"#gap-list button.add-liaison[data-id='{target['id']}']")
    form = page.locator("#liaison-form")
    expect(form).to_be_visible()
    assert form.locator("[name=to]").input_value().startswith(target["name"])
    assert form.locator("[name=mechanism]").input_value() == "党员委员联系党外委员"
    assert page.evaluate("document.activeElement.name") == "from"
    form.locator("[name=from]").fill(holder["name"])  # typed by name, not picked: still one member
    form.locator("[name=start_date]").fill(start)
    after(page, "written", lambda: form.locator("[type=submit]").click())
    expect(form.locator(".form-ok")).to_have_text(
        f"已新增联系：{holder['name']} → {target['name']}（党员委员联系党外委员，{start} 起）")
    held = [l for l in get(office, f"/api/v1/members/{holder['id']}")["liaisons_out"] if l["to_id"] == target["id"]]
    assert len(held) == 1 and held[0]["start_date"] == start and held[0]["end_date"] is None
    assert target["id"] not in page.evaluate("window.liaisonPage.gapIds('non-party-without-liaison')")

    show_member(page, holder["id"])
    row = page.locator(f"#detail-actions li[data-liaison='{held[0]['liaison_id']}']")
    row.locator("button", has_text="结束联系").click()
    end = row.locator("form.end-form")
    assert end.locator("[name=date]").input_value() == TODAY
    after(page, "written", lambda: end.locator("[type=submit]").click())
    # the panel is drawn again with the outcome; the ended liaison is no longer offered
    page.wait_for_selector(f"body[data-member='{holder['id']}'] #detail-actions .form-ok:not([hidden])", timeout=WAIT)
    expect(page.locator("#detail-actions .form-ok")).to_have_text(
        f"已结束联系：{holder['name']} → {target['name']}，{TODAY} 止")
    expect(page.locator(f"#detail-actions li[data-liaison='{held[0]['liaison_id']}']")).to_have_count(0)
    ended = [l for l in get(office, f"/api/v1/members/{holder['id']}")["liaisons_out"] if l["to_id"] == target["id"]]
    assert [l["end_date"] for l in ended] == [TODAY]
    assert errors == []
    page.context.close()


def test_a_stale_member_edit_is_refused_then_saved_after_reading_again(browser, office):
    named = unique_names(office)
    member = next(n for n in named.values() if n["party"] != "cpc" and n["activity_group"])
    groups = sorted({n["activity_group"] for n in members(office) if n["activity_group"]})
    other_group = next(g for g in groups if g != member["activity_group"])
    page, errors = open_page(browser, office)
    show_member(page, member["id"])
    page.click("#detail-actions button:has-text('编辑委员')")
    form = page.locator("#detail-actions form.member-form")
    expect(form).to_be_visible()
    assert form.locator("[name=name]").input_value() == member["name"]
    # someone else changes the member meanwhile
    detail = get(office, f"/api/v1/members/{member['id']}")
    r = httpx.patch(f"{office['base']}/api/v1/members/{member['id']}", json={"activity_group": other_group},
                    headers={"Authorization": f"Bearer {office['editor']}", "If-Match": f'"{detail["etag"]}"'}, timeout=30)
    assert r.status_code == 200, r.text
    renamed = member["name"] + "新"
    form.locator("[name=name]").fill(renamed)
    form.locator("[name=position]").select_option(label="常委")
    after(page, "refused", lambda: form.locator("[type=submit]").click())
    expect(form.locator(".form-error")).to_contain_text("已被他人修改")
    expect(form).to_be_visible()
    assert form.locator("[name=name]").input_value() == renamed  # what was typed stays
    assert form.locator("[type=submit]").is_enabled()
    assert get(office, f"/api/v1/members/{member['id']}")["member"]["name"] == member["name"]
    form.locator("button", has_text="重新读取").click()
    expect(form.locator(".form-note")).to_be_visible()
    expect(form.locator("[name=activity_group]")).to_have_value(other_group)  # the other change shows
    assert form.locator("[name=name]").input_value() == renamed
    after(page, "written", lambda: form.locator("[type=submit]").click())
    saved = get(office, f"/api/v1/members/{member['id']}")["member"]
    assert (saved["name"], saved["activity_group"], saved["position"]) == (renamed, other_group, "standing")
    page.wait_for_selector(f"body[data-member='{member['id']}'] #detail-actions .form-ok:not([hidden])", timeout=WAIT)
    expect(page.locator("#detail-name")).to_have_text(renamed)
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width,height,phone", [(390, 844, True), (1440, 900, False)], ids=["phone", "desktop"])
def test_the_contact_form_fits_the_screen_and_works(browser, office, tmp_path_factory, width, height, phone):
    named = {i: n for i, n in unique_names(office).items() if not i.startswith("XS-M99")}  # none a test added
    cpc = sorted((n for n in named.values() if n["party"] == "cpc"), key=lambda n: n["id"])
    others = sorted((n for n in named.values() if n["party"] != "cpc"), key=lambda n: n["id"])
    who, whom = (cpc[-1], others[-1]) if phone else (cpc[-2], others[-2])
    page, errors = open_page(browser, office, width=width, height=height, phone=phone)
    summary = page.locator("#lf-contact > summary")
    summary.tap() if phone else summary.click()
    form = page.locator("#contact-form")
    expect(form).to_be_visible()
    form.locator("[name=from]").fill(who["name"])
    form.locator("[name=to]").fill(whom["name"])
    form.locator("[name=summary]").fill("走访了解委员所在企业情况")
    form.locator("[name=mode]").select_option("走访")
    form.scroll_into_view_if_needed()
    inner = page.evaluate("window.innerWidth")
    assert inner == width
    assert page.evaluate("document.documentElement.scrollWidth") <= inner
    controls = form.locator("input, select, textarea, button[type=submit]")
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= inner, (i, box)
        assert box["height"] >= 40, (i, box)
        size = controls.nth(i).evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 16, (i, size)
    submit = form.locator("[type=submit]")
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= inner and box["y"] + box["height"] <= height
    shots = tmp_path_factory.getbasetemp() / "screenshots"
    shots.mkdir(exist_ok=True)
    page.locator("#work-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"contact-form-{width}x{height}.png"))
    after(page, "written", (lambda: submit.tap()) if phone else submit.click)
    expect(form.locator(".form-ok")).to_have_text(f"已记录：{who['name']} → {whom['name']}，{TODAY} 走访")
    assert page.evaluate("document.documentElement.scrollWidth") <= inner
    contacts = get(office, f"/api/v1/members/{whom['id']}")["contacts"]
    assert any(c["from_id"] == who["id"] and c["date"] == TODAY and c["summary"] == "走访了解委员所在企业情况"
               for c in contacts)
    assert errors == []
    page.context.close()


def test_a_contact_recorded_from_the_due_list_meets_the_requirement(browser, office):
    """Under 复兴区's rule (a contact a quarter within one's group), an overdue liaison picked
    from the 待联系 panel: the contact recorded there turns it met, and the panel drops it."""
    named = unique_names(office)
    listed = get(office, f"/api/v1/due?committee_id=XS&as_of={TODAY}&policy=fuxing&within=30")
    holder, row = next((h, i) for h in listed["holders"] for i in h["items"]
                       if i["state"] == "overdue" and h["id"] in named and i["to_id"] in named)
    page, errors = open_page(browser, office)
    shown = f"#due tr[data-from='{holder['id']}'][data-to='{row['to_id']}']"
    before = counted(page, "due")
    page.select_option("#due-policy", "fuxing")
    page.wait_for_function("n => Number(document.body.dataset.due || 0) > n", arg=before, timeout=WAIT)
    expect(page.locator(shown)).to_have_class("overdue")
    page.click(f"{shown} button.record-contact")
    form = page.locator("#contact-form")
    assert form.locator("[name=from]").input_value().startswith(holder["name"])
    form.locator("[name=mode]").select_option("走访")
    form.locator("[name=summary]").fill("走访了解履职情况")
    after(page, "written", lambda: form.locator("[type=submit]").click())
    expect(page.locator(shown)).to_have_count(0)  # met this quarter: due by the next one's end, past 30 days
    again = get(office, f"/api/v1/due?committee_id=XS&as_of={TODAY}&policy=fuxing")
    mine = next(i for h in again["holders"] if h["id"] == holder["id"] for i in h["items"] if i["to_id"] == row["to_id"])
    assert (mine["state"], mine["last_contact"], mine["done"]) == ("met", TODAY, 1)
    assert errors == []
    page.context.close()


def phone_page(browser, office, token: str, policy: str):
    """A member's own page on a phone, under ``policy``: (its context, the page, its errors)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{office['base']}/#token={token}&as_of={TODAY}")
    page.wait_for_selector("body[data-mine='1']", timeout=60_000)
    shown = counted(page, "mine")
    page.select_option("#mine-policy", policy)
    page.wait_for_function("n => Number(document.body.dataset.mine || 0) > n", arg=shown, timeout=WAIT)
    return context, page, errors


def test_a_member_records_a_contact_on_a_phone_and_sees_the_liaison_turn_effective(browser, office):
    """A member's own token opens a page of their own liaisons on a phone: a visit recorded
    there (without the office's confirmation) turns the overdue liaison met; with a token
    whose contacts wait for the office, the same record leaves it overdue and says so."""
    named = unique_names(office)
    listed = get(office, f"/api/v1/due?committee_id=XS&as_of={TODAY}&policy=fuxing")
    picks = [(h, i) for h in listed["holders"] for i in h["items"]
             if i["state"] == "overdue" and h["id"] in named and i["to_id"] in named]
    (holder, row), (waiting, other) = picks[0], next(p for p in picks if p[0]["id"] != picks[0][0]["id"])
    with EmbeddedStore(office["db"]) as store:
        trusted = create_token(store, "XS", "member", "本人", member_id=holder["id"], confirm=False)[1]
        checked = create_token(store, "XS", "member", "本人", member_id=waiting["id"], confirm=True)[1]
    for token, who, item, turns in ((trusted, holder, row, "met"), (checked, waiting, other, "overdue")):
        context, page, errors = phone_page(browser, office, token, "fuxing")
        expect(page.locator("#mine-name")).to_have_text(who["name"])
        assert page.locator("#network-panel").is_hidden() and page.locator("#dashboard").is_hidden()
        card = page.locator(f"#mine-list li[data-to='{item['to_id']}'][data-rule='{item['rule']}']")
        expect(card).to_have_class("mine overdue")
        card.locator("button.mine-record").click()
        form = card.locator("form")
        form.locator("[name=mode]").select_option("走访")
        form.locator("[name=summary]").fill("走访了解履职情况")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        after(page, "written", lambda: form.locator("[type=submit]").click())
        card = page.locator(f"#mine-list li[data-to='{item['to_id']}'][data-rule='{item['rule']}']")
        expect(card).to_have_class(f"mine {turns}")
        note = page.inner_text("#mine-note")
        assert item["to_name"] in note and (("待组织办公室确认" in note) == (turns == "overdue"))
        assert errors == []
        context.close()
    mine = get(office, f"/api/v1/due?committee_id=XS&as_of={TODAY}&policy=fuxing")
    state = {(h["id"], i["to_id"]): (i["state"], i["last_contact"]) for h in mine["holders"] for i in h["items"]}
    assert state[holder["id"], row["to_id"]] == ("met", TODAY)
    assert state[waiting["id"], other["to_id"]][0] == "overdue"
    pending = get(office, "/api/v1/contacts/pending")["items"]
    assert [(p["from_id"], p["to_id"]) for p in pending] == [(waiting["id"], other["to_id"])]


def test_a_member_keeps_their_contacts_with_the_masses_on_a_phone(browser, office):
    """Under 四联 every member keeps three fixed contacts among the masses of their sector, each
    met every quarter: a member whose three people are not all met this quarter or the last
    records a visit to each overdue one on their phone, and a new person through the form;
    each card turns met, and the member counts as effective in the committee's report."""
    named = unique_names(office)
    rule = "members-to-sector-masses"
    listed = get(office, f"/api/v1/due?committee_id=XS&as_of={TODAY}&policy=silian")
    people = {h["id"]: [i for i in h["items"] if i["to_kind"] == "person"] for h in listed["holders"] if h["id"] in named}
    holder = next(mid for mid, items in people.items() if len(items) == 3 and any(i["state"] == "overdue" for i in items))

    def effective() -> int:
        report = get(office, f"/api/v1/coverage?committee_id=XS&as_of={TODAY}&policy=silian")
        return next(r for r in report["rules"] if r["id"] == rule)["effective"]

    before = effective()
    with EmbeddedStore(office["db"]) as store:
        token = create_token(store, "XS", "member", "本人", member_id=holder, confirm=False)[1]
    context, page, errors = phone_page(browser, office, token, "silian")
    for item in (i for i in people[holder] if i["state"] == "overdue"):
        card = page.locator(f"#mine-list li[data-to='{item['to_id']}'][data-rule='{rule}']")
        expect(card).to_have_class("mine overdue")
        expect(card.locator(".via")).to_contain_text("界别群众")
        card.locator("button.mine-record").click()
        card.locator("form [name=mode]").select_option("走访")
        after(page, "written", lambda: card.locator("form [type=submit]").click())
        expect(page.locator(f"#mine-list li[data-to='{item['to_id']}'][data-rule='{rule}']")).to_have_class("mine met")
    page.locator("#mine-masses summary").click()
    form = page.locator("#mine-masses-form")
    form.locator("[name=person]").fill("新联系群众")
    form.locator("[name=unit]").fill("社区居民")
    form.locator("[name=summary]").fill("听取对社区养老服务的意见")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    after(page, "written", lambda: form.locator("[type=submit]").click())
    expect(page.locator(f"#mine-list li[data-to='新联系群众'][data-rule='{rule}']")).to_have_class("mine met")
    assert "界别群众 新联系群众" in page.inner_text("#mine-note")
    assert errors == []
    context.close()
    assert effective() == before + 1  # three people, each met this quarter
