// A member's own page (a token of role member): the liaisons the member holds and what is
// due on each (GET /api/v1/due, under the chosen policy), and a contact recorded from each
// (POST /api/v1/contacts); under a policy counting contacts with the masses of one's sector,
// the people the member keeps contact with, each recordable again, and a form for a new
// one (POST /api/v1/masses-contacts); sized for a phone. app.js hands over here once /api/v1/me says
// the token is a member's; nothing else of the page is shown or asked for.
// document.body.dataset.mine counts the lists shown, .written and .refused the writes.
"use strict";

window.liaisonMember = (() => {
  const MODES = ["谈心谈话", "走访", "座谈", "电话", "其他"];
  const STATES = { overdue: "逾期", due: "待联系", met: "本期已完成" };
  let page = null;
  let rows = [];

  const esc = (text) => page.escapeHtml(text);
  const bump = (key) => { document.body.dataset[key] = String(Number(document.body.dataset[key] || 0) + 1); };

  function when(i) {
    if (i.overdue) return `逾期 ${i.overdue} 天（应在 ${i.due} 前）`;
    if (i.state === "met") return `本期已完成，下次在 ${i.due} 前`;
    return `还有 ${i.days_left} 天（${i.due} 前）`;
  }

  function card(i, k) {
    return `<li class="mine ${esc(i.state)}" data-to="${esc(i.to_id)}" data-rule="${esc(i.rule)}">
      <div class="mine-head"><b>${esc(i.to_name || i.to_id)}</b>${i.to_kind === "person" ? `<span class="via">界别群众（${esc(i.via_name || "")}）</span>`
        : i.via_name ? `<span class="via">经由 ${esc(i.via_name)}</span>` : ""}
        <span class="state">${esc(STATES[i.state])}</span></div>
      <div class="mine-line">${esc(i.requirement || "")}；最近一次：${esc(i.last_contact || "从未")}；${esc(when(i))}</div>
      ${i.to_kind === "member" || i.to_kind === "person" ? `<button type="button" class="mine-record" data-index="${k}">记录联系</button>
      <form class="mine-form" data-index="${k}" hidden novalidate>
        <label>日期 <input name="date" type="date" required value="${esc(page.state.asOf)}"></label>
        <label>方式 <select name="mode">${MODES.map((m) => `<option>${esc(m)}</option>`).join("")}</select></label>
        <label>内容摘要 <textarea name="summary" rows="3" maxlength="2000" placeholder="谈了什么、对方的意见建议"></textarea></label>
        <p class="form-error" role="alert" hidden></p>
        <button type="submit">保存</button> <button type="button" data-act="cancel">取消</button>
      </form>` : ""}</li>`;
  }

  async function show() {
    const policy = document.getElementById("mine-policy").value;
    const r = await page.api(`/api/v1/due?as_of=${encodeURIComponent(page.state.asOf)}&policy=${encodeURIComponent(policy)}`);
    rows = r.holders.length ? r.holders[0].items : [];
    const c = r.counts;
    document.getElementById("mine-counts").textContent = `已逾期 ${c.overdue} 项，待联系 ${c.due} 项，本期已完成 ${c.met} 项`;
    document.getElementById("mine-list").innerHTML = rows.map(card).join("") || '<li class="hint">没有本人负责的联系。</li>';
    bump("mine");
  }

  // One write from one of the page's forms, through the office forms' one way to write: the
  // list shown again and a note of what was recorded, or the refusal beside the form.
  async function submit(form, path, body, whom) {
    const error = form.querySelector(".form-error");
    const button = form.querySelector("[type=submit]");
    error.hidden = true;
    button.disabled = true;
    try {
      await window.liaisonForms.send("POST", path, body);
      const note = page.state.me.confirm ? "已记录，待组织办公室确认后计入" : "已记录";
      if (form.id === "mine-masses-form") {
        form.reset();
        form.elements.date.value = page.state.asOf;
      }
      await show();
      document.getElementById("mine-note").textContent = `${note}：${whom}，${body.date} ${body.mode}`;
      bump("written");
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      bump("refused");
    } finally {
      button.disabled = false;
    }
  }

  function record(form) {
    const i = rows[Number(form.dataset.index)];
    const masses = i.to_kind === "person";  // a person of the member's sector, by name
    const body = { from_id: page.state.me.member_id, [masses ? "person" : "to_id"]: i.to_id, date: form.elements.date.value,
      mode: form.elements.mode.value, summary: form.elements.summary.value.trim() || undefined };
    return submit(form, masses ? "/api/v1/masses-contacts" : "/api/v1/contacts", body, i.to_name || i.to_id);
  }

  function recordMasses(form) {
    const value = (name) => form.elements[name].value.trim() || undefined;
    const body = { from_id: page.state.me.member_id, person: value("person"), unit: value("unit"),
      date: form.elements.date.value, mode: form.elements.mode.value, summary: value("summary") };
    return submit(form, "/api/v1/masses-contacts", body, `界别群众 ${body.person}`);
  }

  async function start(p) {
    page = p;
    window.liaisonForms.mount(p);  // its writes only: a member's page shows none of the office's forms
    for (const id of ["headline", "work-panel", "network-panel", "due-panel", "attendance-panel", "recommend-panel", "dashboard"]) {
      const section = document.getElementById(id);
      if (section) section.hidden = true;
    }
    document.getElementById("controls").querySelectorAll("label, .switch").forEach((el) => {
      if (!el.querySelector("#as-of")) el.hidden = true;
    });
    const panel = document.getElementById("mine-panel");
    panel.hidden = false;
    document.getElementById("mine-name").textContent = page.state.me.member_name || page.state.me.member_id;
    const policies = await page.api("/api/v1/policies");
    document.getElementById("mine-policy").innerHTML = policies.map((x) => `<option value="${esc(x.name)}">${esc(x.label)}</option>`).join("");
    document.getElementById("mine-policy").addEventListener("change", () => show().catch((e) => page.showMessage(e.message)));
    document.getElementById("mine-list").addEventListener("click", (e) => {
      const open = e.target.closest("button.mine-record");
      if (open) {
        const form = open.nextElementSibling;
        form.hidden = false;
        form.elements.summary.focus();
        return;
      }
      if (e.target.dataset.act === "cancel") e.target.closest("form").hidden = true;
    });
    document.getElementById("mine-list").addEventListener("submit", (e) => { e.preventDefault(); record(e.target); });
    document.getElementById("mine-list").insertAdjacentHTML("afterend", `<details id="mine-masses">
      <summary>记录联系界别群众（新的固定联系对象）</summary>
      <form id="mine-masses-form" novalidate>
        <label>群众姓名 <input name="person" required maxlength="100"></label>
        <label>单位或身份 <input name="unit" maxlength="200" placeholder="如 某某社区居民、某某公司职工"></label>
        <label>日期 <input name="date" type="date" required value="${esc(page.state.asOf)}"></label>
        <label>方式 <select name="mode">${MODES.map((m) => `<option>${esc(m)}</option>`).join("")}</select></label>
        <label>内容摘要 <textarea name="summary" rows="3" maxlength="2000"></textarea></label>
        <p class="form-error" role="alert" hidden></p>
        <button type="submit">保存</button>
      </form>
    </details>`);  // built here, not in the page: only a member's page has it
    const masses = document.getElementById("mine-masses-form");
    masses.addEventListener("submit", (e) => { e.preventDefault(); recordMasses(masses); });
    await show();
  }

  return { start, show, rows: () => rows };
})();
