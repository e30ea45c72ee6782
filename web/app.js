// The liaison-graph page: one committee's liaison network (cytoscape.js) and its coverage
// dashboard (Apache ECharts), over the HTTP API with the caller's bearer token.
"use strict";

const PARTY = { cpc: "中共党员", democratic: "民主党派", non_party: "无党派及其他" };
const COLOURS = { cpc: "#c8102e", democratic: "#1f6fb2", non_party: "#3a9d5d" };
const GAP_LABELS = {
  "non-party-without-liaison": "无党员委员联系的党外委员",
  "party-member-unorganised": "未编入党组织的党员委员",
};

const state = { token: null, committee: null, asOf: null, data: null, cy: null, charts: [] };
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

async function api(path, asBlob = false) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) {
    let message = `请求失败（${response.status}）`;
    try { message = (await response.json()).error.message || message; } catch (e) { /* not JSON */ }
    if (response.status === 401) {
      sessionStorage.removeItem("liaison-token");
      $("login").hidden = false;
      $("main").hidden = true;
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

// --- layout: members clustered by sector or activity group, clusters on a grid ----------------
function positions(nodes, key) {
  const groups = new Map();
  for (const n of nodes) {
    const g = n[key] || "（无）";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(n);
  }
  const names = [...groups.keys()].sort((a, b) => a.localeCompare(b, "zh"));
  const spacing = 22;
  const radius = Math.max(...[...groups.values()].map((m) => spacing * Math.sqrt(m.length) * 0.62 + 30));
  const cols = Math.ceil(Math.sqrt(names.length * 1.6));
  const cell = radius * 2 + 40;
  const out = {};
  const labels = [];
  names.forEach((name, i) => {
    const cx = (i % cols) * cell;
    const cy = Math.floor(i / cols) * cell;
    labels.push({ name, x: cx, y: cy - radius - 6 });
    groups.get(name).forEach((n, j) => {  // a sunflower spiral: even density, no overlaps
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
    if (n.gap) classes.push("gap", n.gap === "non-party-without-liaison" ? "gap-work" : "gap-org");
    elements.push({ group: "nodes", data: { ...n }, position: out[n.id], classes: classes.join(" ") });
  }
  data.edges.forEach((e, i) => elements.push({ group: "edges",
    data: { id: `e${i}`, source: e.from, target: e.to, mechanism: e.mechanism } }));
  if (state.cy) state.cy.destroy();
  document.body.dataset.ready = "";
  const cy = cytoscape({
    container: $("cy"), elements, layout: { name: "preset", fit: true, padding: 20 },
    minZoom: 0.05, maxZoom: 4,
    textureOnViewport: data.nodes.length > 800, hideEdgesOnViewport: data.nodes.length > 800,
    style: [
      { selector: "node.member", style: { width: 12, height: 12, "background-color": "#888", label: "data(name)",
        "font-size": 7, "min-zoomed-font-size": 9, "text-valign": "bottom", "text-margin-y": 2 } },
      ...Object.entries(COLOURS).map(([k, c]) => ({ selector: `node.${k}`, style: { "background-color": c } })),
      { selector: "node.gap", style: { width: 22, height: 22, "border-width": 4, "border-color": "#ff9800",
        "min-zoomed-font-size": 4, "font-weight": "bold", "z-index": 10 } },
      { selector: "node.gap-org", style: { "border-color": "#6a1b9a", "border-style": "double", "border-width": 6 } },
      { selector: "node.group-label", style: { label: "data(name)", "background-opacity": 0, width: 1, height: 1,
        "font-size": 14, color: "#444", "text-valign": "center", "min-zoomed-font-size": 3 } },
      { selector: "edge", style: { width: 0.8, "line-color": "#9e9e9e", "curve-style": "haystack", opacity: 0.6 } },
      { selector: ".faded", style: { opacity: 0.08 } },
      { selector: "node.match", style: { "border-width": 5, "border-color": "#000", "z-index": 20 } },
      { selector: "node:selected", style: { "border-width": 5, "border-color": "#111" } },
    ],
  });
  cy.on("tap", "node.member", (evt) => showMember(evt.target.id()));
  cy.one("layoutstop", () => { document.body.dataset.ready = "1"; });
  cy.ready(() => { document.body.dataset.ready = "1"; });
  state.cy = cy;
  const gaps = data.gap_counts;
  $("counts").textContent = `委员 ${data.nodes.length} 名，联系 ${data.edges.length} 条；`
    + `无党员联系的党外委员 ${gaps["non-party-without-liaison"]} 名，未编入党组织的党员委员 ${gaps["party-member-unorganised"]} 名`;
  applyFilters();
}

function fillSelect(id, values) {
  const select = $(id);
  const keep = select.value;
  select.innerHTML = '<option value="">全部</option>' + values.map((v) => `<option>${escapeHtml(v)}</option>`).join("");
  if (values.includes(keep)) select.value = keep;
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function applyFilters() {
  const cy = state.cy;
  if (!cy) return;
  const sector = $("filter-sector").value;
  const special = $("filter-special").value;
  const group = $("filter-group").value;
  const text = $("search").value.trim();
  cy.batch(() => {
    cy.elements().removeClass("faded match");
    const hidden = cy.nodes(".member").filter((n) => (sector && n.data("sector") !== sector)
      || (special && !(n.data("special_committees") || []).includes(special))
      || (group && n.data("activity_group") !== group));
    hidden.addClass("faded");
    hidden.connectedEdges().addClass("faded");
    if (text) {
      const found = cy.nodes(".member").filter((n) => (n.data("name") || "").includes(text) || n.id() === text);
      found.addClass("match");
      if (found.length) cy.fit(found, 120);
    }
  });
  // Each filter or search applied counts up: a test waits for the count, not for time.
  document.body.dataset.filtered = String(Number(document.body.dataset.filtered || 0) + 1);
}

// --- one member: liaisons, contacts, and the chains that cover them (or why none does) ---------
async function showMember(id) {
  const panel = $("detail");
  panel.innerHTML = "<p class=\"hint\">正在读取……</p>";
  try {
    const [detail, why] = await Promise.all([
      api(`/api/v1/members/${encodeURIComponent(id)}`),
      api(`/api/v1/why/${encodeURIComponent(id)}?${query({ as_of: state.asOf })}`),
    ]);
    const m = detail.member;
    const node = state.data.nodes.find((n) => n.id === id) || {};
    const chains = (why.chains || []).map((chain) => `<li>${chain.map((p) => escapeHtml(p.name || p.id)).join(" → ")}</li>`).join("");
    const orgs = (why.organisations || []).map((o) => `<li>${escapeHtml(o.name)}</li>`).join("");
    const reasons = (why.reasons || []).map((r) => `<li>${escapeHtml(r)}</li>`).join("");
    const liaison = (l, out) => `<li>${escapeHtml(out ? (l.to_name || l.to_id) : (l.from_name || l.from_id))}`
      + `（${escapeHtml(l.mechanism || "联系")}，${escapeHtml(l.start_date || "")}${l.end_date ? " 至 " + escapeHtml(l.end_date) : " 起"}）</li>`;
    const contacts = detail.contacts.slice(0, 8).map((c) => `<li>${escapeHtml(c.date)} ${escapeHtml(c.from_name || c.from_id)} → `
      + `${escapeHtml(c.to_name || c.to_id)}：${escapeHtml(c.summary || c.mode || "")}</li>`).join("");
    panel.innerHTML = `
      <h3 id="detail-name">${escapeHtml(m.name)}</h3>
      <p>${escapeHtml(m.id)} · ${escapeHtml(PARTY[node.party] || "")} · ${escapeHtml(m.sector || "")}
         ${m.activity_group ? " · " + escapeHtml(m.activity_group) : ""}</p>
      <p>覆盖情况（${escapeHtml(why.as_of)}）：<span class="${why.covered ? "covered" : "uncovered"}">${why.covered ? "已覆盖" : "未覆盖"}</span>
         ${node.gap ? "<br>" + escapeHtml(GAP_LABELS[node.gap]) : ""}</p>
      ${chains ? `<h4>联系链</h4><ul>${chains}</ul>` : ""}
      ${orgs ? `<h4>所在党组织</h4><ul>${orgs}</ul>` : ""}
      ${reasons ? `<h4>原因</h4><ul id="detail-reasons">${reasons}</ul>` : ""}
      <h4>联系的对象（${detail.liaisons_out.length}）</h4><ul>${detail.liaisons_out.map((l) => liaison(l, true)).join("")}</ul>
      <h4>联系本人的委员（${detail.liaisons_in.length}）</h4><ul>${detail.liaisons_in.map((l) => liaison(l, false)).join("")}</ul>
      <h4>最近联系记录</h4><ul>${contacts || "<li>无</li>"}</ul>`;
  } catch (err) {
    panel.innerHTML = `<p class="uncovered">${escapeHtml(err.message)}</p>`;
  }
}

// --- dashboard ----------------------------------------------------------------------------------
function barChart(id, rows, title) {
  const chart = echarts.init($(id), null, { renderer: "svg" });
  chart.setOption({
    animation: false, grid: { left: 110, right: 30, top: 20, bottom: 30 },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { fontSize: 11 } },
    series: [{ type: "bar", name: title, data: rows.map((r) => +(r.ratio * 100).toFixed(1)),
      itemStyle: { color: (p) => (rows[p.dataIndex].ratio < 1 ? "#ff9800" : "#3a9d5d") },
      label: { show: true, position: "right", formatter: (p) => `${rows[p.dataIndex].covered}/${rows[p.dataIndex].total}` } }],
  });
  state.charts.push(chart);
}

async function loadDashboard() {
  const common = { as_of: state.asOf, committee_id: state.committee };
  const [bySector, byGroup] = await Promise.all([
    api(`/api/v1/coverage?${query({ ...common, by: "sector" })}`),
    api(`/api/v1/coverage?${query({ ...common, by: "activity_group" })}`),
  ]);
  const h = bySector.headline;
  $("headline").innerHTML = ["party_org", "party_work"].map((k) => `
    <div class="card" id="headline-${k}"><div class="label">${escapeHtml(h[k].label)}</div>
      <div class="figure">${pct(h[k].ratio)}</div>
      <div class="sub">已覆盖 ${h[k].covered} / ${h[k].total}；有效覆盖 ${pct(h[k].effective_ratio)}（${bySector.window_days} 天内有联系记录）</div></div>`).join("");
  state.charts.forEach((c) => c.dispose());
  state.charts = [];
  const work = (report) => report.rules.find((r) => r.id === "non-party-without-liaison");
  barChart("chart-sector", work(bySector).breakdown, "覆盖率");
  barChart("chart-group", work(byGroup).breakdown, "覆盖率");
  const eff = echarts.init($("chart-effective"), null, { renderer: "svg" });
  eff.setOption({
    animation: false, legend: { top: 0 }, grid: { left: 60, right: 20, top: 40, bottom: 60 },
    xAxis: { type: "category", data: ["党的组织覆盖党员委员", "党的工作覆盖党外委员"] },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "名义覆盖", type: "bar", data: [h.party_org.ratio, h.party_work.ratio].map((r) => +(r * 100).toFixed(1)), itemStyle: { color: "#a61b29" } },
      { name: "有效覆盖", type: "bar", data: [h.party_org.effective_ratio, h.party_work.effective_ratio].map((r) => +(r * 100).toFixed(1)), itemStyle: { color: "#e0a458" } },
    ],
  });
  state.charts.push(eff);
  const quiet = bySector.quiet_liaisons;
  $("quiet-count").textContent = quiet.length;
  $("quiet").querySelector("tbody").innerHTML = quiet.slice(0, 30).map((q) => `<tr><td>${escapeHtml(q.from_name)}</td>`
    + `<td>${escapeHtml(q.to_name)}</td><td>${escapeHtml(q.mechanism || "")}</td><td>${escapeHtml(q.last_contact || "从未")}</td>`
    + `<td>${q.days_quiet ?? ""}</td></tr>`).join("");
}

async function load() {
  showMessage("");
  document.body.dataset.ready = "";
  document.body.dataset.dashboard = "";
  try {
    state.data = await api(`/api/v1/page/network?${query({ committee_id: state.committee, as_of: state.asOf })}`);
    fillSelect("filter-sector", state.data.sectors);
    fillSelect("filter-special", state.data.special_committees);
    fillSelect("filter-group", state.data.activity_groups);
    renderNetwork();
    $("detail").innerHTML = '<p class="hint">点击图中的委员，查看其联系、联系记录和覆盖情况。</p>';
    await loadDashboard();
    // The headline filled above the network moved it down; cytoscape keeps where its
    // container was (for mapping clicks to nodes) until told, so a click would miss.
    if (state.cy) state.cy.resize();
    document.body.dataset.dashboard = "1";
  } catch (err) {
    showMessage(err.message);
  }
}

// --- recommendations ----------------------------------------------------------------------------
async function showRecommendation() {
  const box = $("recommend-result");
  box.innerHTML = "<p class=\"hint\">正在计算……</p>";
  try {
    const r = await api(`/api/v1/recommend?${query({ as_of: state.asOf, committee_id: state.committee })}`);
    const rows = r.items.map((i) => `<tr><td>${escapeHtml(i.kind === "membership" ? "编入党组织" : "建立联系")}</td>`
      + `<td>${escapeHtml(i.from_name)}</td><td>${escapeHtml(i.to_name)}</td><td>${i.cost}</td><td>${i.load_before}</td></tr>`).join("");
    const left = r.uncoverable.map((u) => `<li>${escapeHtml(u.name || u.id)}：${escapeHtml(u.reason_label)}；${escapeHtml(u.fix_label)}</li>`).join("");
    const branches = r.temporary_branches.map((b) => `<li>${escapeHtml(b.party_org_name)}（${escapeHtml(b.start_date)} 至 ${escapeHtml(b.end_date)}，党员 ${b.member_ids.length} 名）</li>`).join("");
    const whatIf = r.what_if.map((w) => `<li>${escapeHtml(w.label)}：${pct(w.before.ratio)} → <b>${pct(w.after.ratio)}</b></li>`).join("");
    box.innerHTML = `<p>推荐 ${r.items.length} 项。采纳后：</p><ul id="what-if">${whatIf}</ul>`
      + (rows ? `<table id="recommend-table"><thead><tr><th>方式</th><th>联系人/党组织</th><th>对象</th><th>亲和代价</th><th>现有联系数</th></tr></thead><tbody>${rows}</tbody></table>` : "")
      + (left ? `<h3>无法覆盖</h3><ul>${left}</ul>` : "")
      + (branches ? `<h3>建议设立临时党支部</h3><ul>${branches}</ul>` : "");
    $("accept").disabled = !(r.items.length || r.temporary_branches.length);
  } catch (err) {
    box.innerHTML = `<p class="uncovered">${escapeHtml(err.message)}</p>`;
  }
}

async function acceptRecommendation() {
  $("accept").disabled = true;
  try {
    const response = await fetch("/api/v1/recommend/accept", {
      method: "POST",
      headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ as_of: state.asOf, committee_id: state.committee }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error.message);
    $("recommend-result").innerHTML = "<p class=\"covered\" id=\"accepted\">已采纳并写入。</p>";
    await load();
  } catch (err) {
    showMessage(err.message);
  }
}

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

async function start() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem("liaison-token", fromHash);
    history.replaceState(null, "", location.pathname);
  }
  state.token = sessionStorage.getItem("liaison-token");
  if (!state.token) { $("login").hidden = false; return; }
  try {
    const me = await api("/api/v1/me");
    const committees = await api("/api/v1/committees?limit=1000");
    $("committee").innerHTML = committees.items.map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml(c.name)}</option>`).join("");
    state.committee = me.committee_id;
    $("committee").value = state.committee;
  } catch (err) {
    showMessage(err.message);
    return;
  }
  state.asOf = today();
  $("as-of").value = state.asOf;
  $("login").hidden = true;
  $("main").hidden = false;
  await load();
}

$("token-save").addEventListener("click", () => {
  sessionStorage.setItem("liaison-token", $("token-input").value.trim());
  start();
});
$("committee").addEventListener("change", (e) => { state.committee = e.target.value; load(); });
$("as-of").addEventListener("change", (e) => { state.asOf = e.target.value || today(); load(); });
$("group-by").addEventListener("change", renderNetwork);
for (const id of ["filter-sector", "filter-special", "filter-group"]) $(id).addEventListener("change", applyFilters);
$("search").addEventListener("input", applyFilters);
$("recommend").addEventListener("click", showRecommendation);
$("accept").addEventListener("click", acceptRecommendation);
$("download-xlsx").addEventListener("click", async () => {
  try {
    const blob = await api(`/api/v1/coverage.xlsx?${query({ as_of: state.asOf, committee_id: state.committee, by: "sector" })}`, true);
    download(blob, `覆盖情况-${state.committee}-${state.asOf}.xlsx`);
  } catch (err) { showMessage(err.message); }
});
$("download-png").addEventListener("click", () => {
  if (state.cy) download(state.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), `联系网络-${state.committee}-${state.asOf}.png`);
});
$("download-svg").addEventListener("click", () => {
  state.charts.forEach((chart, i) => {
    const url = chart.getDataURL({ type: "svg" });
    fetch(url).then((r) => r.blob()).then((blob) => download(blob, `覆盖图表-${i + 1}-${state.committee}.svg`));
  });
});

window.liaisonPage = {
  state,
  gapIds: (rule) => state.cy.nodes(".gap").filter((n) => !rule || n.data("gap") === rule).map((n) => n.id()).sort(),
  memberIds: () => state.cy.nodes(".member").map((n) => n.id()).sort(),
  fadedIds: () => state.cy.nodes(".member.faded").map((n) => n.id()).sort(),
  renderedPosition: (id) => state.cy.getElementById(id).renderedPosition(),
};
start();
