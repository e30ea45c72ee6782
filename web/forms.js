// The office's forms on the page, for a token that may write (editor, admin): record a
// contact, add a liaison, upload roster files; and, in a member's panel, edit the member and
// end a liaison it holds. Loaded before app.js, which calls window.liaisonForms once the
// caller is known; a viewer's page never gets a write control. Its ``send`` (the token, the
// bookmarks, the API's message on a refusal) is also how a member's own page writes (web/member.js).
//
// Each form names people, never asks for an id: a member is picked by name from the
// committee's members (a list to choose from as one types). While a request runs the submit
// button is disabled; a refusal shows the API's one-line message in the form and keeps what
// was typed. document.body.dataset.written and .refused count the writes done and refused.
"use strict";

window.liaisonForms = (() => {
  const MODES = ["谈心谈话", "走访", "座谈", "电话", "其他"];
  const MECHANISM = "党员委员联系党外委员";
  const MECHANISMS = ["党员委员联系党外委员", "党组成员联系党外委员", "党组成员联系界别", "党组成员联系专委会"];
  const POSITIONS = [["member", "委员"], ["standing", "常委"], ["secretary_general", "秘书长"],
    ["vice_chair", "副主席"], ["chair", "主席"]];
  // What an upload created or updated, by kind (model.yaml's nodes and edges).
  const KINDS = { Committee: "政协", PartyOrg: "党组织", Member: "委员", Sector: "界别", SpecialCommittee: "专委会",
    ActivityGroup: "委员活动组", Studio: "委员工作室", Activity: "活动", LIAISES_WITH: "联系", CONTACTED: "联系记录",
    committees: "政协", party_orgs: "党组织", members: "委员", liaisons: "联系", activities: "活动", contacts: "联系记录" };
  const LIST_SPLIT = /[、,，;；\s]+/;

  let page = null;
  let flash = null;        // {id, text}: the line to show when the member's panel is drawn again
  let people = null;       // the member list the pickers offer, and the page data it came from

  // --- helpers ---------------------------------------------------------------------------------
  const esc = (text) => (page && page.escapeHtml ? page.escapeHtml(text)
    : String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])));

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  const day = () => (page && page.state && page.state.asOf) || today();
  const canWrite = () => Boolean(page && typeof page.canWrite === "function" && page.canWrite());

  function count(key) {
    document.body.dataset[key] = String(Number(document.body.dataset[key] || 0) + 1);
  }

  class Refused extends Error {}

  // A write: JSON or multipart, with the bearer token; a refusal throws the API's message.
  async function send(method, path, body, ifMatch) {
    const headers = { Authorization: `Bearer ${page.state.token}` };
    if (page.state.bookmarks) headers["X-Liaison-Bookmarks"] = page.state.bookmarks;
    const init = { method, headers };
    if (ifMatch) headers["If-Match"] = `"${ifMatch}"`;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new Refused("无法连接服务器，请检查网络后重试");
    }
    const bookmarks = response.headers.get("X-Liaison-Bookmarks"); // on a Bolt store: later reads wait for this write
    if (bookmarks) page.state.bookmarks = bookmarks;
    let answer = null;
    try { answer = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      const error = new Refused((answer && answer.error && answer.error.message) || `请求失败（${response.status}）`);
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  // Runs one submission of ``form``: the submit button off while it runs, the outcome shown
  // in the form, the page reloaded after a write (then ``after``, if given).
  async function submit(form, action, after) {
    const button = form.querySelector("[type=submit]");
    const error = form.querySelector(".form-error");
    const done = form.querySelector(".form-ok");
    error.hidden = true;
    error.textContent = "";
    if (done) { done.hidden = true; done.textContent = ""; }
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      let text;
      try {
        text = await action();
      } catch (err) {
        error.textContent = err.message || String(err);
        error.hidden = false;
        count("refused");
        return;
      }
      if (done) { done.textContent = text; done.hidden = false; }
      await reloadPage();
      if (after) await after(text);
      count("written");
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  async function reloadPage() {
    try {
      if (typeof page.reload === "function") await page.reload();
    } catch (err) {
      if (typeof page.showMessage === "function") page.showMessage(err.message);
    }
  }

  // --- the member picker: by name (and sector when names repeat), from the page's members ------
  function members() {
    const data = page.state && page.state.data;
    if (people && people.data === data) return people;
    const nodes = (data && data.nodes) || [];
    // With the committees below shown too, a member is told by committee as well as sector.
    const several = new Set(nodes.map((n) => n.committee_id)).size > 1;
    const label = (n) => {
      const where = [several ? n.committee_name : "", n.sector].filter(Boolean).join(" · ");
      return where ? `${n.name}（${where}）` : n.name || n.id;
    };
    const seen = new Map();
    for (const n of nodes) seen.set(label(n), (seen.get(label(n)) || 0) + 1);
    const byLabel = new Map();
    const byName = new Map();
    const byId = new Map();
    for (const n of nodes) {
      // The rare two of one name in one sector: told apart by their number, which they pick.
      const text = seen.get(label(n)) > 1 ? `${label(n)} ${n.id}` : label(n);
      byLabel.set(text, n.id);
      byId.set(n.id, text);
      if (!byName.has(n.name)) byName.set(n.name, []);
      byName.get(n.name).push(n.id);
    }
    people = { data, byLabel, byName, byId,
      options: [...byLabel.keys()].sort((a, b) => a.localeCompare(b, "zh")) };
    const list = document.getElementById("lf-members");
    if (list) list.innerHTML = people.options.map((t) => `<option value="${esc(t)}"></option>`).join("");
    return people;
  }

  function setPerson(input, id, name) {
    const known = members().byId.get(id);
    input.value = known || name || "";
    input.dataset.id = id || "";
    input.dataset.label = input.value;
  }

  // The member an input names: the one prefilled, the one picked from the list, or the only
  // member of the typed name; otherwise a Chinese line saying what is wrong.
  function person(input, role) {
    const text = input.value.trim();
    if (!text) throw new Refused(`请填写${role}`);
    if (input.dataset.id && input.dataset.label === input.value) return { id: input.dataset.id, name: text.replace(/（.*$/, "") };
    const p = members();
    const found = p.byLabel.get(text);
    const name = text.replace(/（.*$/, "").trim();
    if (found) return { id: found, name };
    const named = p.byName.get(name) || [];
    if (named.length === 1) return { id: named[0], name };
    if (named.length > 1) throw new Refused(`有 ${named.length} 名委员叫「${name}」，请从列表中选择${role}`);
    throw new Refused(`本政协没有名为「${name}」的委员，请从列表中选择${role}`);
  }

  // --- the work panel --------------------------------------------------------------------------
  const field = (label, control) => `<label class="field"><span>${esc(label)}</span>${control}</label>`;
  const personInput = (name, placeholder) => `<input name="${name}" list="lf-members" autocomplete="off" required placeholder="${esc(placeholder)}">`;
  const outcome = '<p class="form-error" role="alert" hidden></p><p class="form-ok" role="status" hidden></p>';
  // One form of the work panel, folded under its title: its parts, where it answers, its button.
  const box = (id, title, formId, parts, button) => `
        <details class="form-box" id="${id}">
          <summary>${esc(title)}</summary>
          <form class="form" id="${formId}" novalidate>
            ${parts.join("\n            ")}
            ${outcome}
            <button type="submit">${esc(button)}</button>
          </form>
        </details>`;

  function modes() {
    const given = page.state && page.state.data && page.state.data.contact_modes;
    return given && given.length ? given : MODES;
  }

  function workPanelHtml() {
    return `
      <h2>工作台</h2>
      <datalist id="lf-members"></datalist>
      <datalist id="lf-mechanisms">${MECHANISMS.map((m) => `<option value="${esc(m)}"></option>`).join("")}</datalist>
      <div class="form-boxes">
        ${box("lf-contact", "记录联系", "contact-form", [
          field("联系人", personInput("from", "输入姓名，从列表中选择")),
          field("联系对象", personInput("to", "输入姓名，从列表中选择")),
          field("日期", '<input name="date" type="date" required>'),
          field("方式", `<select name="mode">${modes().map((m) => `<option>${esc(m)}</option>`).join("")}</select>`),
          field("内容摘要", '<textarea name="summary" rows="3" maxlength="2000" placeholder="谈了什么、委员的意见建议"></textarea>'),
        ], "记录联系")}
        ${box("lf-liaison", "新增联系", "liaison-form", [
          field("联系人", personInput("from", "党员委员姓名")),
          field("联系对象", personInput("to", "被联系委员姓名")),
          field("联系机制", `<input name="mechanism" list="lf-mechanisms" value="${esc(MECHANISM)}">`),
          field("开始日期", '<input name="start_date" type="date" required>'),
        ], "新增联系")}
        ${box("lf-upload", "上传名单", "upload-form", [
          field("名单文件（.xlsx、.csv、.json，可多选）", '<input name="files" type="file" multiple accept=".xlsx,.csv,.json" required>'),
          '<p class="form-note">全部通过校验才写入；有错时指出文件、行和列，库里不作任何改动。</p>',
        ], "上传")}
      </div>`;
  }

  function mount(p) {
    page = p;
    people = null;
    const panel = document.getElementById("work-panel");
    if (!panel) return;
    if (!canWrite()) {
      panel.innerHTML = "";
      panel.hidden = true;
      return;
    }
    panel.innerHTML = workPanelHtml();
    panel.hidden = false;
    members();
    for (const form of panel.querySelectorAll("form")) {
      for (const input of form.querySelectorAll("input[list='lf-members']")) {
        input.addEventListener("focus", members);
        input.addEventListener("input", () => { if (input.value !== input.dataset.label) input.dataset.id = ""; });
      }
    }
    panel.querySelector("#lf-contact").addEventListener("toggle", (e) => { if (e.target.open) fillDays(); });
    panel.querySelector("#lf-liaison").addEventListener("toggle", (e) => { if (e.target.open) fillDays(); });
    panel.querySelector("#contact-form").addEventListener("submit", (e) => { e.preventDefault(); submit(e.target, recordContact); });
    panel.querySelector("#liaison-form").addEventListener("submit", (e) => { e.preventDefault(); submit(e.target, addLiaison); });
    panel.querySelector("#upload-form").addEventListener("submit", (e) => { e.preventDefault(); submit(e.target, upload); });
    fillDays();
  }

  function fillDays() {
    const panel = document.getElementById("work-panel");
    for (const input of panel.querySelectorAll("input[type=date]")) if (!input.value) input.value = day();
    const select = panel.querySelector("#contact-form [name=mode]");
    const want = modes();
    if (select && [...select.options].map((o) => o.value).join() !== want.join()) {
      const keep = select.value;
      select.innerHTML = want.map((m) => `<option>${esc(m)}</option>`).join("");
      if (want.includes(keep)) select.value = keep;
    }
  }

  async function recordContact() {
    const form = document.getElementById("contact-form");
    const from = person(form.elements.from, "联系人");
    const to = person(form.elements.to, "联系对象");
    const date = form.elements.date.value;
    if (!date) throw new Refused("请填写日期");
    const mode = form.elements.mode.value;
    const summary = form.elements.summary.value.trim();
    const body = { from_id: from.id, to_id: to.id, date, mode };
    if (summary) body.summary = summary;
    await send("POST", "/api/v1/contacts", body);
    form.elements.summary.value = "";
    return `已记录：${from.name} → ${to.name}，${date} ${mode}`;
  }

  async function addLiaison() {
    const form = document.getElementById("liaison-form");
    const from = person(form.elements.from, "联系人");
    const to = person(form.elements.to, "联系对象");
    const mechanism = form.elements.mechanism.value.trim();
    const start = form.elements.start_date.value;
    if (!start) throw new Refused("请填写开始日期");
    const body = { from_id: from.id, target_kind: "委员", to: to.id, start_date: start };
    if (mechanism) body.mechanism = mechanism;
    await send("POST", "/api/v1/liaisons", body);
    return `已新增联系：${from.name} → ${to.name}（${mechanism || "联系"}，${start} 起）`;
  }

  async function upload() {
    const form = document.getElementById("upload-form");
    const files = [...form.elements.files.files];
    if (!files.length) throw new Refused("请选择要上传的名单文件");
    const body = new FormData();
    for (const f of files) body.append("files", f, f.name);
    const out = await send("POST", "/api/v1/imports", body);
    const tally = (counts) => Object.entries(counts || {}).filter(([kind, n]) => n && KINDS[kind])
      .map(([kind, n]) => `${KINDS[kind]} ${n} 条`).join("、");
    const created = tally(out.created);
    const updated = tally(out.updated);
    form.elements.files.value = "";
    return `已导入 ${(out.files || files.map((f) => f.name)).join("、")}：`
      + [created && `新增 ${created}`, updated && `更新 ${updated}`].filter(Boolean).join("；")
      + (created || updated ? "" : "没有新的内容");
  }

  function open(id, values) {
    if (!canWrite()) return;
    const box = document.getElementById(id);
    if (!box) return;
    box.open = true;
    fillDays();
    const form = box.querySelector("form");
    for (const input of form.querySelectorAll("input[type=date]")) input.value = day();  // the page's day
    if ("from_id" in values || "from_name" in values) setPerson(form.elements.from, values.from_id, values.from_name);
    if ("to_id" in values || "to_name" in values) setPerson(form.elements.to, values.to_id, values.to_name);
    form.querySelector(".form-error").hidden = true;
    form.querySelector(".form-ok").hidden = true;
    box.scrollIntoView({ block: "start", behavior: "auto" });
    const first = [...form.querySelectorAll("input:not([type=file]), select, textarea")].find((el) => !el.value.trim());
    (first || form.querySelector("[type=submit]")).focus({ preventScroll: true });
  }

  const openContact = (values = {}) => open("lf-contact", values);
  const openLiaison = (values = {}) => open("lf-liaison", { to_id: values.to_id || "", to_name: values.to_name || "" });

  // --- a member's panel: record a contact, edit the member, end a liaison it holds ------------
  const current = (l) => !l.end_date || l.end_date > day();

  function member(detail, container) {
    if (!container || !canWrite()) return;
    const m = detail.member;
    const held = (detail.liaisons_out || []).filter(current);
    const note = flash && flash.id === m.id ? flash.text : "";
    flash = null;
    const position = m.position || "member";
    container.innerHTML = `
      <div class="form-actions">
        <button type="button" data-act="contact">记录联系</button>
        <button type="button" data-act="edit">编辑委员</button>
      </div>
      <p class="form-ok" role="status"${note ? "" : " hidden"}>${esc(note)}</p>
      <form class="form member-form" hidden novalidate>
        ${field("姓名", `<input name="name" required maxlength="100" value="${esc(m.name)}">`)}
        ${field("界别", `<input name="sector" required maxlength="100" list="lf-sectors" value="${esc(m.sector || "")}">`)}
        ${field("委员活动组", `<input name="activity_group" maxlength="100" list="lf-groups" value="${esc(m.activity_group || "")}">`)}
        ${field("职务", `<select name="position">${POSITIONS.map(([code, label]) => `<option value="${code}"${code === position ? " selected" : ""}>${esc(label)}</option>`).join("")}</select>`)}
        ${field("专委会（多个用顿号分开）", `<input name="special_committees" value="${esc((m.special_committees || []).join("、"))}">`)}
        <datalist id="lf-sectors">${((page.state.data || {}).sectors || []).map((s) => `<option value="${esc(s)}"></option>`).join("")}</datalist>
        <datalist id="lf-groups">${((page.state.data || {}).activity_groups || []).map((s) => `<option value="${esc(s)}"></option>`).join("")}</datalist>
        <p class="form-note" hidden></p>
        <p class="form-error" role="alert" hidden></p>
        <div class="form-actions">
          <button type="submit">保存修改</button>
          <button type="button" data-act="reread" hidden>重新读取</button>
          <button type="button" data-act="cancel">取消</button>
        </div>
      </form>
      ${held.length ? `<h4>结束联系</h4><ul class="liaison-ends">${held.map((l, i) => `
        <li data-liaison="${esc(l.liaison_id)}">
          <span>${esc(l.to_name || l.to_id)}（${esc(l.mechanism || "联系")}，${esc(l.start_date || "")} 起）</span>
          <button type="button" data-end="${i}">结束联系</button>
          <form class="form end-form" hidden novalidate>
            ${field("结束日期", `<input name="date" type="date" required value="${esc(day())}">`)}
            <p class="form-error" role="alert" hidden></p>
            <div class="form-actions"><button type="submit">确认结束</button><button type="button" data-act="cancel">取消</button></div>
          </form>
        </li>`).join("")}</ul>` : ""}`;

    const edit = container.querySelector(".member-form");
    let etag = detail.etag;
    let shown = values(edit);  // what the form showed when drawn: only fields changed since are sent
    container.querySelector("[data-act=contact]").addEventListener("click", () => openContact(contactFor(detail)));
    container.querySelector("[data-act=edit]").addEventListener("click", () => {
      edit.hidden = false;
      edit.elements.name.focus();
    });
    edit.querySelector("[data-act=cancel]").addEventListener("click", () => { edit.hidden = true; });
    const reread = edit.querySelector("[data-act=reread]");
    reread.addEventListener("click", async () => {
      reread.disabled = true;
      try {
        const fresh = await page.api(`/api/v1/members/${encodeURIComponent(m.id)}`);
        const typed = values(edit);
        const now = values(null, fresh.member);
        // Someone else's change shows; what this user changed stays as typed.
        for (const [k, v] of Object.entries(now)) if (typed[k] === shown[k]) edit.elements[k].value = v;
        shown = now;
        etag = fresh.etag;
        edit.querySelector(".form-error").hidden = true;
        const note = edit.querySelector(".form-note");
        note.textContent = "已读取最新信息，请核对后再保存。";
        note.hidden = false;
        reread.hidden = true;
      } catch (err) {
        const error = edit.querySelector(".form-error");
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        reread.disabled = false;
      }
    });
    edit.addEventListener("submit", (e) => {
      e.preventDefault();
      edit.querySelector(".form-note").hidden = true;
      submitMember(edit, m.id, async () => {
        const typed = values(edit);
        const patch = {};
        for (const [k, v] of Object.entries(typed)) {
          if (v === shown[k]) continue;
          if (k === "special_committees") patch[k] = v ? v.split(LIST_SPLIT).filter(Boolean) : null;
          else patch[k] = v || null;
        }
        if (!Object.keys(patch).length) throw new Refused("没有修改任何内容");
        if ("name" in patch && !patch.name) throw new Refused("请填写姓名");
        if ("sector" in patch && !patch.sector) throw new Refused("请填写界别");
        try {
          await send("PATCH", `/api/v1/members/${encodeURIComponent(m.id)}`, patch, etag);
        } catch (err) {
          if (err.status === 409) {
            reread.hidden = false;
            throw new Refused(`「${m.name}」的信息已被他人修改：请点“重新读取”，核对后再保存。`);
          }
          throw err;
        }
        return `已保存：${typed.name || m.name} 的信息已更新`;
      });
    });

    container.querySelectorAll("[data-end]").forEach((button) => {
      const l = held[Number(button.dataset.end)];
      const form = button.nextElementSibling;
      button.addEventListener("click", () => {
        form.hidden = false;
        button.hidden = true;
        form.elements.date.focus();
      });
      form.querySelector("[data-act=cancel]").addEventListener("click", () => { form.hidden = true; button.hidden = false; });
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        submitMember(form, m.id, async () => {
          const date = form.elements.date.value;
          if (!date) throw new Refused("请填写结束日期");
          await send("POST", `/api/v1/liaisons/${encodeURIComponent(l.liaison_id)}/end`, { date }, l.etag);
          return `已结束联系：${m.name} → ${l.to_name || l.to_id}，${date} 止`;
        });
      });
    });
  }

  // A write from the member's panel: the panel is drawn again after the reload, with the
  // outcome line on it (or, where it cannot be, the line in the page's message box).
  function submitMember(form, id, action) {
    return submit(form, action, async (text) => {
      flash = { id, text };
      try {
        if (typeof page.showMember === "function") await page.showMember(id);
      } catch (err) { /* the line is shown below */ }
      if (flash && typeof page.showMessage === "function") page.showMessage(text);
      flash = null;
    });
  }

  // The contact form's two sides for a member: a party member contacts, a non-party member is
  // contacted; the other side is filled where the member holds (or is held by) one liaison.
  function contactFor(detail) {
    const m = detail.member;
    const node = ((page.state.data || {}).nodes || []).find((n) => n.id === m.id) || {};
    const cpc = node.party ? node.party === "cpc" : Boolean(m.cpc);
    const toMember = (l) => current(l) && (l.target_kind || "member") === "member";
    if (cpc) {
      const out = (detail.liaisons_out || []).filter(toMember);
      const other = out.length === 1 ? out[0] : null;
      return { from_id: m.id, from_name: m.name, to_id: other ? other.to_id : "", to_name: other ? other.to_name : "" };
    }
    const held = (detail.liaisons_in || []).filter(toMember);
    const other = held.length === 1 ? held[0] : null;
    return { from_id: other ? other.from_id : "", from_name: other ? other.from_name : "", to_id: m.id, to_name: m.name };
  }

  function values(form, member) {
    if (form) {
      const out = {};
      for (const k of ["name", "sector", "activity_group", "position", "special_committees"]) out[k] = form.elements[k].value.trim();
      return out;
    }
    return { name: member.name || "", sector: member.sector || "", activity_group: member.activity_group || "",
      position: member.position || "member", special_committees: (member.special_committees || []).join("、") };
  }

  return { mount, member, openContact, openLiaison, send };
})();
