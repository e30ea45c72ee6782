// The liaison-graph page: one committee's liaison network (cytoscape.js), its gap members as
// a list beside it, and its coverage dashboard (Apache ECharts), over the HTTP API with the
// caller's bearer token. The scope switch (本级 / 含下级) governs every number, chart and the
// network alike. The forms that write (web/forms.js) are shown to editors only.
"use strict";

const PARTY = { cpc: "中共党员", democratic: "民主党派", non_party: "无党派及其他" };
const COLOURS = { cpc: "#c8102e", democratic: "#1f6fb2", non_party: "#3a9d5d" };
const WORK = "non-party-without-liaison";
const ORG = "party-member-unorganised";
const GAP_LABELS = { [WORK]: "无党员委员联系的党外委员", [ORG]: "未编入党组织的党员委员" };
const SPAN_LABELS = { own: "本级", tree: "含下级" };
const ROLE_LABELS = { member: "委员本人", viewer: "只读", editor: "编辑", admin: "管理员" };
const WRITERS = new Set(["editor", "admin"]);

const state = {
  token: null, me: null, committee: null, committees: [], span: "own", asOf: null, data: null,
  cy: null, charts: {}, reports: null, ruleLabels: {}, recommendation: null, due: [],
  bookmarks: null, // X-Liaison-Bookmarks of the last write: sent back so reads see it (README: reading your own writes)
};
const $ = (id) => document.getElementById(id);

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function showMessage(text) {
  const box = $("message");
  box.textContent = text || "";
  box.hidden = !text;
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function showLogin() {
  $("login").hidden = false;
  $("main").hidden = true;
  $("controls").hidden = true;
}

// The headers of every request: the token, and the bookmarks of this page's last write.
function authHeaders(extra = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...extra };
  if (state.bookmarks) headers["X-Liaison-Bookmarks"] = state.bookmarks;
  return headers;
}

// A write's answer names the writes later reads must wait for (only on a Bolt store).
function rememberWrite(response) {
  const bookmarks = response.headers.get("X-Liaison-Bookmarks");
  if (bookmarks) state.bookmarks = bookmarks;
}

async function api(path, asBlob = false) {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) {
    let message = `请求失败（${response.status}）`;
    try { message = (await response.json()).error.message || message; } catch (e) { /* not JSON */ }
    if (response.status === 401) {
      sessionStorage.removeItem("liaison-token");
      showLogin();
    }
    throw new Error(message);
  }
  return asBlob ? response.blob() : response.json();
}

function query(params) {
  return Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

function pct(ratio) { return `${(ratio * 100).toFixed(1)}%`; }
const canWrite = () => Boolean(state.me && WRITERS.has(state.me.role));
const committeeName = () => (state.committees.find((c) => c.id === state.committee) || {}).name || state.committee;
const hasBelow = (cid) => state.committees.some((c) => c.parent_id === cid);
const asked = () => ({ committee_id: state.committee, as_of: state.asOf, span: state.span });

// What every download and exported chart is titled with: the committee, the scope, the day.
function titled(what) { return `${what}-${committeeName()}-${SPAN_LABELS[state.span]}-${state.asOf}`; }
function subtitle() { return `${committeeName()}（${SPAN_LABELS[state.span]}）· 统计日 ${state.asOf}`; }

// Natural order for names such as 第一…第十一委员活动组 and 2组, 10组.
const NUMERALS = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
function chineseNumber(text) {
  let total = 0, digit = 0;
  for (const ch of text) {
    if (ch in NUMERALS) digit = NUMERALS[ch];
    else if (ch === "十") { total += (digit || 1) * 10; digit = 0; }
    else if (ch === "百") { total += (digit || 1) * 100; digit = 0; }
  }
  return total + digit;
}
function naturalKey(name) {
  return String(name ?? "").replace(/[零〇一二两三四五六七八九十百]+/g, (m) => String(chineseNumber(m)).padStart(6, "0"))
    .replace(/\d+/g, (m) => m.padStart(6, "0"));
}
const naturally = (a, b) => naturalKey(a).localeCompare(naturalKey(b), "zh");

// --- layout: members clustered by sector, activity group or committee; clusters on a grid ---------
function groupKey(n, key) {
  const value = key === "committee" ? n.committee_name : n[key];
  if (!value) return "（无）";
  return key !== "committee" && state.span === "tree" && state.data.committees > 1 ? `${n.committee_name} ${value}` : value;
}

function positions(nodes, key) {
  const groups = new Map();
  for (const n of nodes) {
    const g = groupKey(n, key);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(n);
  }
  const names = [...groups.keys()].sort(naturally);
  const spacing = 34;  // gap members are drawn larger: at this spacing no two touch
  const radius = Math.max(...[...groups.values()].map((m) => spacing * Math.sqrt(m.length) * 0.62 + 30));
  const cols = Math.ceil(Math.sqrt(names.length * 1.6));
  const cell = radius * 2 + 40;
  const out = {};
  const labels = [];
  names.forEach((name, i) => {
    const cx = (i % cols) * cell;
    const cy = Math.floor(i / cols) * cell;
    labels.push({ name, x: cx, y: cy - radius - 6 });
    // gap members first: the middle of each cluster, where the eye goes
    const members = groups.get(name).slice().sort((a, b) => Number(Boolean(b.gap)) - Number(Boolean(a.gap)));
    members.forEach((n, j) => {  // a sunflower spiral: even density, no overlaps
      const r = spacing * 0.62 * Math.sqrt(j + 0.5);
      const a = j * 2.39996;
      out[n.id] = { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
    });
  });
  return { out, labels };
}

function renderNetwork() {
  const data = state.data;
  const key = $("group-by").value;
  const { out, labels } = positions(data.nodes, key);
  const elements = [];
  labels.forEach((l, i) => elements.push({ group: "nodes", data: { id: `group-${i}`, name: l.name },
    position: { x: l.x, y: l.y }, classes: "group-label", selectable: false, grabbable: false }));
  for (const n of data.nodes) {
    const classes = ["member", n.party];
    if (n.gap) classes.push("gap", n.gap === WORK ? "gap-work" : "gap-org");
    elements.push({ group: "nodes", data: { ...n }, position: out[n.id], classes: classes.join(" ") });
  }
  data.edges.forEach((e, i) => elements.push({ group: "edges",
    data: { id: `e${i}`, source: e.from, target: e.to, mechanism: e.mechanism } }));
  if (state.cy) state.cy.destroy();
  document.body.dataset.ready = "";
  const big = data.nodes.length > 800;
  const cy = cytoscape({
    container: $("cy"), elements, layout: { name: "preset", fit: true, padding: 20 },
    minZoom: 0.05, maxZoom: 4, textureOnViewport: big, hideEdgesOnViewport: big,
    style: [
      { selector: "node.member", style: { width: 14, height: 14, "background-color": "#888", label: "data(name)",
        "font-size": 9, "min-zoomed-font-size": 8, "text-valign": "bottom", "text-margin-y": 2 } },
      ...Object.entries(COLOURS).map(([k, c]) => ({ selector: `node.${k}`, style: { "background-color": c } })),
      // gap members: larger, ringed, their names drawn at any zoom and on top
      { selector: "node.gap", style: { width: 20, height: 20, "border-width": 4, "border-color": "#ff9800",
        "font-size": 18, "min-zoomed-font-size": 0, "font-weight": "bold", "z-index": 10,
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
      { selector: "node.gap-org", style: { "border-color": "#6a1b9a", "border-style": "double", "border-width": 6 } },
      { selector: "node.group-label", style: { label: "data(name)", "background-opacity": 0, width: 1, height: 1,
        "font-size": 20, color: "#444", "text-valign": "center", "min-zoomed-font-size": 3 } },
      { selector: "edge", style: { width: 0.8, "line-color": "#9e9e9e", "curve-style": "haystack", opacity: 0.6 } },
      { selector: ".faded", style: { opacity: 0.08 } },
      // a match or a selection is shown beneath the node: its gap ring stays
      { selector: "node.match", style: { "underlay-color": "#000", "underlay-opacity": 0.35, "underlay-padding": 8, "z-index": 20 } },
      { selector: "node:selected", style: { "underlay-color": "#1565c0", "underlay-opacity": 0.5, "underlay-padding": 9,
        "underlay-shape": "ellipse", "z-index": 30 } },
    ],
  });
  cy.on("tap", "node.member", (evt) => showMember(evt.target.id()));
  cy.ready(() => { document.body.dataset.ready = "1"; });
  state.cy = cy;
  applyFilters();
}

function fillSelect(id, values) {
  const select = $(id);
  const keep = select.value;
  select.innerHTML = '<option value="">全部</option>' + values.map((v) => `<option>${escapeHtml(v)}</option>`).join("");
  if (values.includes(keep)) select.value = keep;
}

function matchesFilters(n) {
  const sector = $("filter-sector").value;
  const special = $("filter-special").value;
  const group = $("filter-group").value;
  return !((sector && n.sector !== sector) || (special && !(n.special_committees || []).includes(special))
    || (group && n.activity_group !== group));
}

// Filters fade the others, count what is left, list its gaps and fit the view to it.
function applyFilters() {
  const cy = state.cy;
  if (!cy) return;
  const text = $("search").value.trim();
  const shown = state.data.nodes.filter(matchesFilters);
  const ids = new Set(shown.map((n) => n.id));
  cy.batch(() => {
    cy.elements().removeClass("faded match");
    const hidden = cy.nodes(".member").filter((n) => !ids.has(n.id()));
    hidden.addClass("faded");
    hidden.connectedEdges().addClass("faded");
  });
  let found = cy.collection();
  if (text) {
    found = cy.nodes(".member").filter((n) => (n.data("name") || "").includes(text) || n.id().toLowerCase() === text.toLowerCase());
    found.addClass("match");
  }
  const visible = cy.nodes(".member").filter((n) => ids.has(n.id()));
  if (found.length) cy.fit(found, 120);
  else if (visible.length && visible.length < state.data.nodes.length) cy.fit(visible, 40);
  else cy.fit(undefined, 20);
  const edges = state.data.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).length;
  const gaps = { [WORK]: 0, [ORG]: 0 };
  shown.forEach((n) => { if (n.gap) gaps[n.gap] += 1; });
  const filteredNote = shown.length < state.data.nodes.length ? `（筛选后，共 ${state.data.nodes.length} 名）` : "";
  $("counts").textContent = `委员 ${shown.length} 名${filteredNote}，联系 ${edges} 条；`
    + `${GAP_LABELS[WORK]} ${gaps[WORK]} 名，${GAP_LABELS[ORG]} ${gaps[ORG]} 名`;
  renderGapList(shown);
  // Each filter or search applied counts up: a test waits for the count, not for time.
  document.body.dataset.filtered = String(Number(document.body.dataset.filtered || 0) + 1);
}

// --- the gap members, as a list beside the network ------------------------------------------------
function renderGapList(shown) {
  const multi = state.span === "tree" && state.data.committees > 1;
  const section = (rule) => {
    const members = shown.filter((n) => n.gap === rule).sort((a, b) => naturally(a.committee_name, b.committee_name)
      || a.name.localeCompare(b.name, "zh"));
    const items = members.map((n) => `<li data-id="${escapeHtml(n.id)}"><button type="button" class="gap-member" data-id="${escapeHtml(n.id)}">`
      + `${escapeHtml(n.name)}</button><span class="gap-where">${escapeHtml(multi ? `${n.committee_name} · ` : "")}${escapeHtml(n.sector || "")}</span>`
      + (rule === WORK && canWrite() ? `<button type="button" class="add-liaison" data-id="${escapeHtml(n.id)}" title="为其新增党员委员联系人">＋联系</button>` : "")
      + "</li>").join("");
    return `<h3 class="gap-title ${rule === WORK ? "gap-work" : "gap-org"}">${escapeHtml(GAP_LABELS[rule])}（<span class="gap-count" data-rule="${rule}">${members.length}</span>）</h3>`
      + `<ul class="gap-items" data-rule="${rule}">${items || "<li class=\"hint\">无</li>"}</ul>`;
  };
  $("gap-list").innerHTML = section(WORK) + section(ORG);
}

function selectMember(id) {
  const node = state.cy && state.cy.getElementById(id);
  if (node && node.length) {
    state.cy.nodes(":selected").unselect();
    node.select();
    state.cy.zoom({ level: Math.max(state.cy.zoom(), 1.2), renderedPosition: node.renderedPosition() });
    state.cy.center(node);
  }
  return showMember(id);
}

// --- one member: liaisons, contacts, and the chains that cover them (or why none does) ------------
async function showMember(id) {
  const panel = $("detail");
  panel.innerHTML = "<p class=\"hint\">正在读取……</p>";
  try {
    const [detail, why, file] = await Promise.all([
      api(`/api/v1/members/${encodeURIComponent(id)}`),
      api(`/api/v1/why/${encodeURIComponent(id)}?${query({ as_of: state.asOf })}`),
      api(`/api/v1/members/${encodeURIComponent(id)}/dossier?${query({ as_of: state.asOf })}`),
    ]);
    const m = detail.member;
    const node = state.data.nodes.find((n) => n.id === id) || {};
    const chains = (why.chains || []).map((chain) => `<li>${chain.map((p) => escapeHtml(p.name || p.id)).join(" → ")}</li>`).join("");
    const orgs = (why.organisations || []).map((o) => `<li>${escapeHtml(o.name)}</li>`).join("");
    const reasons = (why.reasons || []).map((r) => `<li>${escapeHtml(r)}</li>`).join("");
    const liaison = (l, out) => `<li>${escapeHtml(out ? (l.to_name || l.to_id) : (l.from_name || l.from_id))}`
      + `（${escapeHtml(l.mechanism || "联系")}，${escapeHtml(l.start_date || "")}${l.end_date ? " 至 " + escapeHtml(l.end_date) : " 起"}）</li>`;
    const contacts = detail.contacts.slice(0, 8).map((c) => `<li>${escapeHtml(c.date)} ${escapeHtml(c.from_name || m.name)} → `
      + `${escapeHtml(c.to_name || m.name)}：${escapeHtml(c.summary || c.mode || "")}</li>`).join("");
    panel.innerHTML = `
      <h3 id="detail-name">${escapeHtml(m.name)}</h3>
      <p>${escapeHtml(node.committee_name || committeeName())} · ${escapeHtml(PARTY[node.party] || "")} · ${escapeHtml(m.sector || "")}
         ${m.activity_group ? " · " + escapeHtml(m.activity_group) : ""}</p>
      <p>覆盖情况（${escapeHtml(why.as_of)}）：<span class="${why.covered ? "covered" : "uncovered"}">${why.covered ? "已覆盖" : "未覆盖"}</span>
         ${node.gap ? "<br>" + escapeHtml(GAP_LABELS[node.gap]) : ""}</p>
      <div id="detail-actions"></div>
      ${chains ? `<h4>联系链</h4><ul>${chains}</ul>` : ""}
      ${orgs ? `<h4>所在党组织</h4><ul>${orgs}</ul>` : ""}
      ${reasons ? `<h4>原因</h4><ul id="detail-reasons">${reasons}</ul>` : ""}
      <h4>联系的对象（${detail.liaisons_out.length}）</h4><ul>${detail.liaisons_out.map((l) => liaison(l, true)).join("")}</ul>
      <h4>联系本人的委员（${detail.liaisons_in.length}）</h4><ul>${detail.liaisons_in.map((l) => liaison(l, false)).join("")}</ul>
      <h4>最近联系记录</h4><ul>${contacts || "<li>无</li>"}</ul>
      <h4>履职档案（${escapeHtml(file.period.from)} 至 ${escapeHtml(file.period.to)}）</h4>
      ${(file.other_records || []).length ? `<p id="detail-other-records">同一人员的其他委员记录：${file.other_records.map((r) =>
        `${escapeHtml(r.committee_name || r.committee_id)}（${escapeHtml(r.start_date || "")} 至 ${escapeHtml(r.end_date || "今")}）`).join("；")}</p>` : ""}
      <p id="detail-file">联系记录 ${file.contacts.length} 次 · 联系界别群众 ${file.masses_people} 人 · 参加活动 ${file.activities.length} 项</p>
      <ul id="detail-file-gaps">${file.gaps.map((g) => `<li>${escapeHtml(g.label)}：${escapeHtml(g.from)} 至 ${escapeHtml(g.to)}（${g.days} 天）</li>`).join("")
        || "<li>期内没有出现缺口</li>"}</ul>
      <button id="detail-file-download" type="button">下载履职档案（Excel）</button>`;
    $("detail-file-download").addEventListener("click", async () => {
      try {
        const blob = await api(`/api/v1/members/${encodeURIComponent(id)}/dossier.xlsx?${query({ as_of: state.asOf })}`, true);
        download(blob, `${m.name}履职档案（截至${state.asOf}）.xlsx`);
      } catch (err) { showMessage(err.message); }
    });
    if (canWrite() && window.liaisonForms) window.liaisonForms.member(detail, $("detail-actions"));
    else $("detail-actions").remove();
    document.body.dataset.member = id;
  } catch (err) {
    panel.innerHTML = `<p class="uncovered">${escapeHtml(err.message)}</p>`;
  }
}

// --- dashboard --------------------------------------------------------------------------------------
function chartRows(rows) {
  const multi = new Set(rows.map((r) => r.committee_id).filter(Boolean)).size > 1;
  return rows.map((r) => ({ ...r, label: multi && r.committee_name ? `${r.name}（${r.committee_name}）` : r.name }))
    .sort((a, b) => (a.name === "（无）") - (b.name === "（无）") || naturally(a.label, b.label));
}

function chartBase(title) {
  return { animation: false, backgroundColor: "#ffffff",
    title: { text: title, subtext: subtitle(), left: 0, textStyle: { fontSize: 14 }, subtextStyle: { fontSize: 12 } } };
}

// One horizontal bar a row: the chart grows with its rows, names and values are never cut.
function barChart(id, title, rows) {
  const el = $(id);
  const sorted = chartRows(rows);
  el.style.height = `${Math.max(220, sorted.length * 26 + 90)}px`;
  const chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    ...chartBase(title),
    grid: { left: 10, right: 70, top: 60, bottom: 30, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: sorted.map((r) => r.label), axisLabel: { interval: 0, fontSize: 12 } },
    tooltip: { trigger: "item", formatter: (p) => `${escapeHtml(sorted[p.dataIndex].label)}：${sorted[p.dataIndex].covered}/${sorted[p.dataIndex].total}` },
    series: [{ type: "bar", name: title, barMaxWidth: 18, data: sorted.map((r) => +(r.ratio * 100).toFixed(1)),
      itemStyle: { color: (p) => (sorted[p.dataIndex].ratio < 1 ? "#ff9800" : "#3a9d5d") },
      label: { show: true, position: "right", formatter: (p) => `${sorted[p.dataIndex].covered}/${sorted[p.dataIndex].total}` } }],
  });
  state.charts[id] = { chart, title };
}

function effectiveChart(h) {
  const chart = echarts.init($("chart-effective"), null, { renderer: "svg" });
  const title = "名义覆盖与有效覆盖";
  chart.setOption({
    ...chartBase(title),
    legend: { top: 40 }, grid: { left: 10, right: 20, top: 80, bottom: 20, containLabel: true },
    xAxis: { type: "category", data: ["党的组织覆盖党员委员", "党的工作覆盖党外委员"], axisLabel: { interval: 0 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "名义覆盖", type: "bar", data: [h.party_org.ratio, h.party_work.ratio].map((r) => +(r * 100).toFixed(1)), itemStyle: { color: "#a61b29" },
        label: { show: true, position: "top", formatter: "{c}%" } },
      { name: "有效覆盖", type: "bar", data: [h.party_org.effective_ratio, h.party_work.effective_ratio].map((r) => +(r * 100).toFixed(1)), itemStyle: { color: "#e0a458" },
        label: { show: true, position: "top", formatter: "{c}%" } },
    ],
  });
  state.charts["chart-effective"] = { chart, title };
}

async function loadDashboard() {
  const [bySector, byGroup] = await Promise.all([
    api(`/api/v1/coverage?${query({ ...asked(), by: "sector" })}`),
    api(`/api/v1/coverage?${query({ ...asked(), by: "activity_group" })}`),
  ]);
  state.reports = { bySector, byGroup };
  const h = bySector.headline;
  $("headline").innerHTML = ["party_org", "party_work"].map((k) => `
    <div class="card" id="headline-${k}"><div class="label">${escapeHtml(h[k].label)}</div>
      <div class="figure">${pct(h[k].ratio)}</div>
      <div class="sub">已覆盖 ${h[k].covered} / ${h[k].total}；有效覆盖 ${pct(h[k].effective_ratio)}（${bySector.window_days} 天内有联系记录）</div></div>`).join("");
  Object.values(state.charts).forEach((c) => c.chart.dispose());
  state.charts = {};
  const work = (report) => report.rules.find((r) => r.id === WORK);
  barChart("chart-sector", "按界别：党的工作对党外委员覆盖率", work(bySector).breakdown);
  barChart("chart-group", "按委员活动组：党的工作对党外委员覆盖率", work(byGroup).breakdown);
  effectiveChart(h);
  const quiet = bySector.quiet_liaisons;
  const names = Object.fromEntries(state.committees.map((c) => [c.id, c.name]));
  $("quiet-count").textContent = quiet.length;
  $("quiet").querySelector("tbody").innerHTML = quiet.slice(0, 50).map((q, i) => `<tr data-from="${escapeHtml(q.from_id)}" data-to="${escapeHtml(q.to_id)}">`
    + `<td>${escapeHtml(q.from_name)}</td><td>${escapeHtml(q.to_name)}</td><td>${escapeHtml(names[q.committee_id] || "")}</td>`
    + `<td>${escapeHtml(q.mechanism || "")}</td><td>${escapeHtml(q.last_contact || "从未联系")}</td><td>${q.days_quiet ?? "不详"}</td>`
    + `<td class="act">${canWrite() ? `<button type="button" class="record-contact" data-index="${i}">记录联系</button>` : ""}</td></tr>`).join("");
}

// --- what is due (待联系): each liaison's next contact under the chosen policy ------------------
async function loadDue() {
  if (!$("due-policy").options.length) {
    const policies = await api("/api/v1/policies");
    $("due-policy").innerHTML = policies.map((p) => `<option value="${escapeHtml(p.name)}">${escapeHtml(p.label)}</option>`).join("");
  }
  const within = $("due-within").value;
  const r = await api(`/api/v1/due?${query({ ...asked(), policy: $("due-policy").value, ...(within ? { within } : {}) })}`);
  state.due = r.holders.flatMap((h) => h.items.map((i) => ({ ...i, from_id: h.id, from_name: h.name })));
  $("due-count").textContent = state.due.length;
  $("due-overdue").textContent = r.counts.overdue;
  const when = (i) => (i.overdue ? `逾期 ${i.overdue} 天` : i.state === "met" ? "本期已完成" : `还有 ${i.days_left} 天`);
  $("due").querySelector("tbody").innerHTML = state.due.slice(0, 200).map((i, k) => `<tr class="${i.state}" data-from="${escapeHtml(i.from_id)}" data-to="${escapeHtml(i.to_id)}">`
    + `<td>${escapeHtml(i.from_name)}</td><td>${escapeHtml(i.to_name || i.to_id)}</td><td>${escapeHtml(i.to_kind === "person" ? `界别群众（${i.via_name || ""}）` : i.via_name || "直接联系")}</td>`
    + `<td>${escapeHtml(i.requirement || "")}</td><td>${escapeHtml(i.last_contact || "从未联系")}</td><td>${escapeHtml(i.due)}</td><td>${when(i)}</td>`
    + `<td class="act">${canWrite() && i.to_kind === "member" ? `<button type="button" class="record-contact" data-index="${k}">记录联系</button>` : ""}</td></tr>`).join("")
    || '<tr><td colspan="8" class="hint">没有需要列出的联系。</td></tr>';
  document.body.dataset.due = String(Number(document.body.dataset.due || 0) + 1);  // for tests: the list shown
}

// --- activities and attendance this year ---------------------------------------------------
async function loadAttendance() {
  const r = await api(`/api/v1/attendance?${query(asked())}`);
  const cell = (t) => `${t.attended}/${t.excused}/${t.absent}` + (t.rate === null ? "" : `（${pct(t.rate)}）`) + (t.invited ? `，受邀 ${t.invited}` : "");
  $("attendance").querySelector("tbody").innerHTML = r.activities.map((a) => `<tr data-id="${escapeHtml(a.id)}"><td>${escapeHtml(a.name)}</td>`
    + `<td>${escapeHtml(a.kind_label)}</td><td>${escapeHtml(a.start_date)}</td><td>${cell(a.cpc)}</td><td>${cell(a.non_cpc)}</td><td>${cell(a.standing)}</td></tr>`).join("")
    || '<tr><td colspan="6" class="hint">当年还没有活动。</td></tr>';
  $("attendance-summary").textContent = `${r.year_start} 以来开始的活动 ${r.activities.length} 项；当年没有参加任何活动的委员 ${r.members_without_activity.length} 名。`;
}

function scopeLine() {
  const d = state.data;
  const where = state.span === "tree" && d.committees > 1 ? `${d.committee_name}及其下级政协（共 ${d.committees} 个政协）` : `${d.committee_name}本级`;
  $("scope-line").textContent = `统计范围：${where}；委员 ${d.nodes.length} 名；统计日 ${d.as_of}。以下卡片、图表、名单和网络均按此范围。`;
}

async function load() {
  showMessage("");
  document.body.dataset.ready = "";
  document.body.dataset.dashboard = "";
  try {
    state.data = await api(`/api/v1/page/network?${query(asked())}`);
    fillSelect("filter-sector", state.data.sectors);
    fillSelect("filter-special", state.data.special_committees);
    fillSelect("filter-group", state.data.activity_groups);
    scopeLine();
    renderNetwork();
    $("detail").innerHTML = '<p class="hint">点击图中或名单中的委员，查看其联系、联系记录和覆盖情况。</p>';
    await loadDashboard();
    await loadDue();
    await loadAttendance();
    // The headline filled above the network moved it down; cytoscape keeps where its
    // container was (for mapping clicks to nodes) until told, so a click would miss.
    if (state.cy) state.cy.resize();
    document.body.dataset.dashboard = "1";
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  } catch (err) {
    showMessage(err.message);
  }
}

// --- recommendations: shown to all, accepted by editors after a confirmation listing the writes ----
function recommendRows(items) {
  return items.map((i) => `<tr><td>${escapeHtml(state.ruleLabels[i.rule] || "")}</td><td>${escapeHtml(i.kind === "membership" ? "编入党组织" : "建立联系")}</td>`
    + `<td>${escapeHtml(i.from_name)}</td><td>${escapeHtml(i.to_name)}</td><td>${i.cost ?? ""}</td><td>${i.load_before ?? ""}</td></tr>`).join("");
}
const RECOMMEND_HEAD = "<thead><tr><th>规则</th><th>方式</th><th>联系人/党组织</th><th>对象</th><th>亲和代价</th><th>现有联系数</th></tr></thead>";

async function showRecommendation() {
  const box = $("recommend-result");
  $("accept-confirm").hidden = true;
  box.innerHTML = "<p class=\"hint\">正在计算……</p>";
  try {
    if (!Object.keys(state.ruleLabels).length) {
      for (const p of await api("/api/v1/policies")) for (const r of p.rules || []) state.ruleLabels[r.id] = state.ruleLabels[r.id] || r.label;
    }
    const r = await api(`/api/v1/recommend?${query({ as_of: state.asOf, committee_id: state.committee })}`);
    state.recommendation = r;
    const left = r.uncoverable.map((u) => `<li>${escapeHtml(u.name || u.id)}：${escapeHtml(u.reason_label)}；${escapeHtml(u.fix_label)}</li>`).join("");
    const branches = r.temporary_branches.map((b) => `<li>${escapeHtml(b.party_org_name)}（${escapeHtml(b.start_date)} 至 ${escapeHtml(b.end_date)}，党员 ${b.member_ids.length} 名）</li>`).join("");
    const whatIf = r.what_if.map((w) => `<li>${escapeHtml(w.label)}：${pct(w.before.ratio)} → <b>${pct(w.after.ratio)}</b></li>`).join("");
    box.innerHTML = `<p>推荐 ${r.items.length} 项。采纳后：</p><ul id="what-if">${whatIf}</ul>`
      + (r.items.length ? `<div class="table-wrap"><table id="recommend-table">${RECOMMEND_HEAD}<tbody>${recommendRows(r.items)}</tbody></table></div>` : "")
      + (left ? `<h3>无法覆盖</h3><ul>${left}</ul>` : "")
      + (branches ? `<h3>建议设立临时党支部</h3><ul>${branches}</ul>` : "");
    const writes = r.items.length + r.temporary_branches.length;
    $("accept").hidden = !canWrite();
    $("accept").disabled = !writes;
    $("accept").textContent = `采纳推荐（${writes} 项）……`;
  } catch (err) {
    box.innerHTML = `<p class="uncovered">${escapeHtml(err.message)}</p>`;
  }
}

function confirmAccept() {
  const r = state.recommendation;
  if (!r || !canWrite()) return;
  const branches = r.temporary_branches.map((b) => `<li>设立${escapeHtml(b.party_org_name)}（${escapeHtml(b.start_date)} 至 ${escapeHtml(b.end_date)}）</li>`).join("");
  const box = $("accept-confirm");
  box.innerHTML = `<h3>确认写入以下 ${r.items.length + r.temporary_branches.length} 项（联系自 ${escapeHtml(state.asOf)} 起，记入审计）</h3>`
    + (r.items.length ? `<div class="table-wrap"><table id="accept-list">${RECOMMEND_HEAD}<tbody>${recommendRows(r.items)}</tbody></table></div>` : "")
    + (branches ? `<ul>${branches}</ul>` : "")
    + '<p class="form-error" id="accept-error" hidden></p>'
    + '<button type="button" id="accept-yes">确认写入</button> <button type="button" id="accept-no">取消</button>';
  box.hidden = false;
  $("accept").disabled = true;
  $("accept-no").addEventListener("click", () => { box.hidden = true; $("accept").disabled = false; });
  $("accept-yes").addEventListener("click", acceptRecommendation);
  box.scrollIntoView({ block: "nearest" });
}

async function acceptRecommendation() {
  const yes = $("accept-yes");
  yes.disabled = true;
  $("accept-no").disabled = true;
  try {
    const response = await fetch("/api/v1/recommend/accept", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({ as_of: state.asOf, committee_id: state.committee }),
    });
    rememberWrite(response);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || `请求失败（${response.status}）`);
    $("accept-confirm").hidden = true;
    $("accept").hidden = true;
    $("recommend-result").innerHTML = `<p class="covered" id="accepted">已采纳并写入 ${body.items} 项。</p>`;
    await load();
  } catch (err) {
    const line = $("accept-error");
    line.textContent = err.message;
    line.hidden = false;
    yes.disabled = false;
    $("accept-no").disabled = false;
  }
}

// --- downloads: each titled with the committee, the scope and the day -------------------------------
function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

async function downloadNetwork() {
  if (!state.cy) return;
  const png = state.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
  const image = await createImageBitmap(png);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(image.width, 900);
  canvas.height = image.height + 90;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#222";
  ctx.font = 'bold 32px "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif';
  ctx.fillText(`联系网络：${subtitle()}`, 20, 50);
  ctx.drawImage(image, 0, 90);
  canvas.toBlob((blob) => download(blob, `${titled("联系网络")}.png`), "image/png");
}

function downloadChart(id) {
  const c = state.charts[id];
  if (!c) return;
  const url = c.chart.getDataURL({ type: "svg", backgroundColor: "#ffffff" });
  fetch(url).then((r) => r.blob()).then((blob) => download(blob, `${titled(c.title.replace(/[：:]/g, "-"))}.svg`));
}

// --- start ---------------------------------------------------------------------------------------
async function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromHash = hash.get("token");
  const dayAsked = hash.get("as_of");  // a link to a given day: #as_of=2026-06-30
  if (dayAsked && /^\d{4}-\d{2}-\d{2}$/.test(dayAsked)) state.dayAsked = dayAsked;
  if (fromHash) {
    sessionStorage.setItem("liaison-token", fromHash);
    history.replaceState(null, "", location.pathname);
  }
  state.token = sessionStorage.getItem("liaison-token");
  if (!state.token) { showLogin(); return; }
  if (typeof cytoscape === "undefined" || typeof echarts === "undefined") {
    showMessage("页面依赖（cytoscape、echarts）未安装：请管理员在项目目录运行 npm ci --prefix web 后重新启动服务");
    return;
  }
  try {
    state.me = await api("/api/v1/me");
    if (state.me.role === "member") {  // a member's own token: their liaisons alone (web/member.js)
      state.asOf = state.dayAsked || today();
      $("as-of").value = state.asOf;
      $("whoami").textContent = `角色：${ROLE_LABELS.member}`;
      $("login").hidden = true;
      $("controls").hidden = false;
      $("main").hidden = false;
      await window.liaisonMember.start(window.liaisonPage);
      document.body.dataset.ready = "1";
      return;
    }
    state.committees = (await api("/api/v1/committees?limit=1000")).items;
  } catch (err) {
    showMessage(err.message);
    return;
  }
  $("committee").innerHTML = state.committees.map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(c.name)}</option>`).join("");
  state.committee = state.me.committee_id;
  $("committee").value = state.committee;
  $("whoami").textContent = `角色：${ROLE_LABELS[state.me.role] || state.me.role}`;
  updateSpanSwitch();
  state.asOf = state.dayAsked || today();
  $("as-of").value = state.asOf;
  $("login").hidden = true;
  $("controls").hidden = false;
  $("main").hidden = false;
  if (window.liaisonForms) window.liaisonForms.mount(window.liaisonPage);
  await load();
}

// 含下级 means something only where there are committees below.
function updateSpanSwitch() {
  const below = hasBelow(state.committee);
  const tree = document.querySelector('input[name="levels"][value="tree"]');
  tree.disabled = !below;
  tree.parentElement.title = below ? "" : "该政协没有下级政协";
  if (!below && state.span === "tree") {
    state.span = "own";
    document.querySelector('input[name="levels"][value="own"]').checked = true;
  }
}

$("token-save").addEventListener("click", () => {
  sessionStorage.setItem("liaison-token", $("token-input").value.trim());
  start();
});
$("committee").addEventListener("change", (e) => { state.committee = e.target.value; updateSpanSwitch(); load(); });
for (const radio of document.querySelectorAll('input[name="levels"]')) {
  radio.addEventListener("change", (e) => { if (e.target.checked) { state.span = e.target.value; load(); } });
}
$("as-of").addEventListener("change", (e) => {
  state.asOf = e.target.value || today();
  if (state.me && state.me.role === "member") window.liaisonMember.show().catch((err) => showMessage(err.message));
  else load();
});
$("group-by").addEventListener("change", renderNetwork);
for (const id of ["filter-sector", "filter-special", "filter-group"]) $(id).addEventListener("change", applyFilters);
$("search").addEventListener("input", applyFilters);
$("gap-list").addEventListener("click", (e) => {
  const add = e.target.closest("button.add-liaison");
  if (add && window.liaisonForms) {
    const n = state.data.nodes.find((x) => x.id === add.dataset.id);
    window.liaisonForms.openLiaison({ to_id: n.id, to_name: n.name });
    return;
  }
  const pick = e.target.closest("button.gap-member");
  if (pick) selectMember(pick.dataset.id);
});
$("quiet").addEventListener("click", (e) => {
  const b = e.target.closest("button.record-contact");
  if (!b || !window.liaisonForms) return;
  const q = state.reports.bySector.quiet_liaisons[Number(b.dataset.index)];
  window.liaisonForms.openContact({ from_id: q.from_id, from_name: q.from_name, to_id: q.to_id, to_name: q.to_name });
});
$("due").addEventListener("click", (e) => {
  const b = e.target.closest("button.record-contact");
  if (!b || !window.liaisonForms) return;
  const i = state.due[Number(b.dataset.index)];
  window.liaisonForms.openContact({ from_id: i.from_id, from_name: i.from_name, to_id: i.to_id, to_name: i.to_name });
});
for (const id of ["due-policy", "due-within"]) $(id).addEventListener("change", () => loadDue().catch((err) => showMessage(err.message)));
$("recommend").addEventListener("click", showRecommendation);
$("accept").addEventListener("click", confirmAccept);
$("download-xlsx").addEventListener("click", async () => {
  try {
    const blob = await api(`/api/v1/coverage.xlsx?${query({ ...asked(), by: "sector" })}`, true);
    download(blob, `${titled("覆盖情况")}.xlsx`);
  } catch (err) { showMessage(err.message); }
});
$("download-png").addEventListener("click", downloadNetwork);
for (const id of ["chart-sector", "chart-group", "chart-effective"]) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "download-svg";
  button.dataset.chart = id;
  button.textContent = "下载此图（SVG）";
  button.addEventListener("click", () => downloadChart(id));
  $(id).parentElement.appendChild(button);
}

window.liaisonPage = {
  state, api, reload: load, showMessage, escapeHtml, canWrite, showMember: selectMember,
  gapIds: (rule) => state.cy.nodes(".gap").filter((n) => !rule || n.data("gap") === rule).map((n) => n.id()).sort(),
  gapListIds: (rule) => [...document.querySelectorAll(`#gap-list ul[data-rule="${rule}"] button.gap-member`)].map((b) => b.dataset.id).sort(),
  memberIds: () => state.cy.nodes(".member").map((n) => n.id()).sort(),
  fadedIds: () => state.cy.nodes(".member.faded").map((n) => n.id()).sort(),
  renderedPosition: (id) => state.cy.getElementById(id).renderedPosition(),
  dueRows: () => [...document.querySelectorAll("#due tbody tr[data-to]")].map((tr) => [tr.dataset.from, tr.dataset.to, tr.className]),
  chartRows: (id) => state.charts[id] && state.charts[id].chart.getOption().yAxis[0].data,
};
start();
