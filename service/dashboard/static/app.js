// The bureau's dashboard: plain DOM and SVG, no framework, no build step. Everything shown comes
// from this origin's API and is written with textContent, never as HTML.
"use strict";

const TEXT = {
  zh: {
    title: "涉外律师供需看板", skip: "跳到正文", key_label: "API 密钥（商务局或管理员）", key_use: "使用", key_forget: "清除",
    key_note: "密钥只保存在本标签页（sessionStorage），关闭即清除，只发送给本服务。", key_set: "已设置密钥 …", key_none: "未设置密钥",
    search_h: "按需求查找律师", need_label: "需求描述（中文或英文）", search_go: "查找", searching: "正在匹配…",
    found: "找到 {n} 位律师（符合硬性条件的共 {e} 位）", none_found: "没有符合条件的律师", need_key: "请先在上方填写 API 密钥。",
    understood: "识别：", score: "得分", evidence: "依据",
    supply_h: "供需：国家 × 业务领域", loading: "正在加载…", supply_need_key: "供需数据需要商务局或管理员密钥：请在上方填写。",
    gaps_h: "缺口最大的领域", col_country: "国家", col_area: "业务领域", col_needs: "需求", col_lawyers: "可用律师", col_gap: "缺口分",
    trend_h: "每月需求趋势", stored: "已存需求", queries: "匹配查询", heatmap_title: "各国各业务领域的供需缺口热力图",
    trend_title: "每月需求数", legend_gap: "缺口分：低 → 高", legend_supply: "仅有供给", legend_empty: "无数据",
    supply_done: "{m1} 至 {m2}：{c} 个国家×领域组合，需求共 {n} 项",
    formula: "缺口分 = 需求² ÷（需求 + 可用律师）；需求 = 已存需求 + 匹配查询（只计数，不存文本）。",
    dir_h: "律师名录", f_country: "服务国家", f_region: "地区", f_area: "业务领域", f_language: "工作语言", f_city: "城市",
    f_pool: "人才库", f_since: "核验日期不早于", f_apply: "筛选", all: "全部", prev: "上一页", next: "下一页",
    export_csv: "导出 CSV", export_xlsx: "导出 Excel", col_name: "姓名", col_firm: "律所", col_city: "城市",
    col_countries: "服务国家", col_areas: "业务领域", col_languages: "语言", dir_count: "共 {n} 位律师，第 {p} 页",
    error: "出错了：",
  },
  en: {
    title: "Foreign-related lawyers: supply and demand", skip: "Skip to content", key_label: "API key (bureau or administrator)",
    key_use: "Use", key_forget: "Forget", key_note: "The key stays in this tab only (sessionStorage), is gone when it closes, and goes to this service only.",
    key_set: "Key set …", key_none: "No key set",
    search_h: "Find lawyers for a need", need_label: "The need (Chinese or English)", search_go: "Search", searching: "Matching…",
    found: "{n} lawyers found ({e} meet the hard rules)", none_found: "No lawyer meets the need's rules", need_key: "Paste an API key above first.",
    understood: "Understood:", score: "score", evidence: "Evidence",
    supply_h: "Supply and demand: countries × practice areas", loading: "Loading…",
    supply_need_key: "Supply and demand needs a bureau or administrator key: paste it above.",
    gaps_h: "Top gaps", col_country: "Country", col_area: "Practice area", col_needs: "Needs", col_lawyers: "Lawyers available", col_gap: "Gap score",
    trend_h: "Demand by month", stored: "Stored needs", queries: "Match queries", heatmap_title: "Heatmap of the gap by country and practice area",
    trend_title: "Needs posted per month", legend_gap: "Gap score: low → high", legend_supply: "supply only", legend_empty: "no data",
    supply_done: "{m1} to {m2}: {c} country × area cells, {n} needs posted",
    formula: "Gap score = needs² ÷ (needs + lawyers available); needs = stored needs + match queries (counted, their text never kept).",
    dir_h: "Lawyer directory", f_country: "Country served", f_region: "Region", f_area: "Practice area", f_language: "Language", f_city: "City",
    f_pool: "Talent pool", f_since: "Verified since", f_apply: "Filter", all: "All", prev: "Previous", next: "Next",
    export_csv: "Export CSV", export_xlsx: "Export Excel", col_name: "Name", col_firm: "Firm", col_city: "City",
    col_countries: "Countries served", col_areas: "Practice areas", col_languages: "Languages", dir_count: "{n} lawyers, page {p}",
    error: "Error: ",
  },
};

const state = {
  lang: initialLang(),
  key: sessionStorage.getItem("mm.key") || "",
  labels: null,
  report: null,
  lastNeed: "",
  cursors: [0],
};

function initialLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "zh" || asked === "en") return asked;
  const kept = sessionStorage.getItem("mm.lang");
  if (kept === "zh" || kept === "en") return kept;
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function t(name, values) {
  let text = TEXT[state.lang][name] || name;
  for (const [k, v] of Object.entries(values || {})) text = text.replace("{" + k + "}", String(v));
  return text;
}

function el(tag, attrs, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function $(selector) { return document.querySelector(selector); }

function say(selector, text, isError) {
  const node = $(selector);
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

async function api(path, options) {
  const headers = Object.assign({ "Accept": "application/json" }, (options && options.headers) || {});
  if (state.key) headers["X-API-Key"] = state.key;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || body.title || response.statusText || String(response.status));
  return body;
}

// ---- language --------------------------------------------------------------------------------

function relabel() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const other = state.lang === "zh" ? "en" : "zh";
  const button = $("#lang-switch");
  button.textContent = other === "en" ? "English" : "中文";
  button.setAttribute("lang", other === "en" ? "en" : "zh-CN");
  showKeyState();
  fillFilters();
}

async function switchLang() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  sessionStorage.setItem("mm.lang", state.lang);
  relabel();
  await Promise.all([loadSupply(), loadDirectory(state.cursors[state.cursors.length - 1]), state.lastNeed ? search(state.lastNeed) : null]);
}

// ---- the key ---------------------------------------------------------------------------------

function showKeyState() {
  say("#key-state", state.key ? t("key_set") + state.key.slice(-4) : t("key_none"));
}

function useKey(event) {
  event.preventDefault();
  const input = $("#api-key");
  state.key = input.value.trim();
  input.value = "";
  if (state.key) sessionStorage.setItem("mm.key", state.key);
  else sessionStorage.removeItem("mm.key");
  showKeyState();
  loadSupply();
}

function forgetKey() {
  state.key = "";
  sessionStorage.removeItem("mm.key");
  showKeyState();
  loadSupply();
}

// ---- search ----------------------------------------------------------------------------------

function lawyerName(lawyer) {
  if (state.lang === "en" && lawyer.name_en) return lawyer.name_en + (lawyer.firm_en ? " · " + lawyer.firm_en : "");
  return lawyer.name + (lawyer.firm ? " · " + lawyer.firm : "");
}

async function search(text) {
  state.lastNeed = text;
  const list = $("#results");
  list.replaceChildren();
  $("#understood").replaceChildren();
  if (!state.key) { say("#search-state", t("need_key"), true); return; }
  say("#search-state", t("searching"));
  try {
    const answer = await api("/v1/match", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ description: text, k: 10, locale: state.lang }),
    });
    const understood = answer.understood || {};
    const chips = [el("span", { text: t("understood") })];
    const kinds = { countries: "countries", languages: "languages", practice_areas: "practice_areas" };
    for (const [kind, list] of Object.entries(kinds)) {
      for (const term of understood[kind] || []) {
        const known = state.labels && state.labels[list].find((item) => item.code === term.code);
        const name = known ? known[state.lang] : term.code;
        chips.push(el("span", { class: "chip", text: name + (term.evidence ? " · " + term.evidence : "") }));
      }
    }
    $("#understood").replaceChildren(...chips);
    say("#search-state", answer.results.length ? t("found", { n: answer.results.length, e: answer.eligible }) : t("none_found"));
    for (const result of answer.results) {
      const reasons = el("ul", { class: "reasons" }, ...result.reasons.map((reason) => el("li", { text: reason })));
      const evidence = result.evidence ? el("blockquote", { class: "evidence", text: t("evidence") + (state.lang === "zh" ? "：" : ": ") + result.evidence.text }) : null;
      list.append(el("li", { class: "result" },
        el("span", { class: "who", text: lawyerName(result.lawyer) }),
        el("span", { class: "score", text: t("score") + " " + result.score.toFixed(3) }),
        reasons, evidence));
    }
  } catch (error) {
    say("#search-state", t("error") + error.message, true);
  }
}

// ---- supply and demand -----------------------------------------------------------------------

function gapColour(share) {
  // white-ish to deep red, by the gap relative to the largest shown
  const from = [253, 236, 228], to = [165, 15, 21];
  const mix = from.map((c, i) => Math.round(c + (to[i] - c) * Math.min(1, Math.max(0, share))));
  return `rgb(${mix.join(",")})`;
}

function drawHeatmap(report) {
  const svg = $("#heatmap");
  const title = el("svg:title", { id: "heatmap-title", text: t("heatmap_title") });
  svg.replaceChildren(title);
  const areas = (state.labels ? state.labels.practice_areas : []).map((a) => a.code);
  const byCountry = new Map();
  for (const cell of report.cells) {
    const row = byCountry.get(cell.country) || { name: cell.country_name, needs: 0, lawyers: 0, cells: new Map() };
    row.needs += cell.needs_posted;
    row.lawyers += cell.lawyers_available;
    row.cells.set(cell.practice_area, cell);
    byCountry.set(cell.country, row);
  }
  const rows = [...byCountry.entries()].sort((a, b) => b[1].needs - a[1].needs || b[1].lawyers - a[1].lawyers).slice(0, 20);
  const maxGap = Math.max(0.001, ...report.cells.map((c) => c.gap_score));
  const cw = 30, ch = 22, left = 150, top = 170;
  svg.setAttribute("viewBox", `0 0 ${left + areas.length * cw + 10} ${top + rows.length * ch + 10}`);
  svg.setAttribute("width", String(left + areas.length * cw + 10));
  svg.setAttribute("height", String(top + rows.length * ch + 10));
  const areaName = (code) => {
    const area = state.labels && state.labels.practice_areas.find((a) => a.code === code);
    return area ? area[state.lang] : code;
  };
  areas.forEach((code, j) => {
    const x = left + j * cw + cw / 2, y = top - 6;
    svg.append(el("svg:text", { x: String(x), y: String(y), transform: `rotate(-55 ${x} ${y})`, class: "area-label", text: areaName(code).slice(0, 18) }));
  });
  rows.forEach(([code, row], i) => {
    const y = top + i * ch;
    svg.append(el("svg:text", { x: String(left - 6), y: String(y + ch / 2 + 4), "text-anchor": "end", class: "country-label", text: row.name }));
    areas.forEach((area, j) => {
      const cell = row.cells.get(area);
      let fill = "#f2f3f5";
      if (cell && cell.gap_score > 0) fill = gapColour(cell.gap_score / maxGap);
      else if (cell && cell.lawyers_available > 0) fill = "#d6e6f5";
      const rect = el("svg:rect", { x: String(left + j * cw), y: String(y), width: String(cw - 2), height: String(ch - 2), fill, class: "cell",
        "data-country": code, "data-area": area, "data-gap": cell ? String(cell.gap_score) : "0" });
      if (cell && cell.needs_posted > 0) {
        // cells with demand are reachable by keyboard and read out; the rest is the table's to tell
        rect.setAttribute("tabindex", "0");
        rect.setAttribute("role", "img");
        rect.setAttribute("aria-label", `${row.name} × ${cell.practice_area_name}: ${t("col_needs")} ${cell.needs_posted}, ${t("col_lawyers")} ${cell.lawyers_available}, ${t("col_gap")} ${cell.gap_score}`);
      }
      if (cell) {
        rect.append(el("svg:title", { text: `${row.name} × ${cell.practice_area_name}: ${t("col_needs")} ${cell.needs_posted}, ${t("col_lawyers")} ${cell.lawyers_available}, ${t("col_gap")} ${cell.gap_score}` }));
      }
      svg.append(rect);
    });
  });
  $("#legend").replaceChildren(
    el("span", { text: t("legend_gap") }),
    ...[0.1, 0.4, 0.7, 1].map((s) => { const sw = el("span", { class: "swatch" }); sw.style.background = gapColour(s); return sw; }),
    (() => { const sw = el("span", { class: "swatch" }); sw.style.background = "#d6e6f5"; return sw; })(), el("span", { text: t("legend_supply") }),
    (() => { const sw = el("span", { class: "swatch" }); sw.style.background = "#f2f3f5"; return sw; })(), el("span", { text: t("legend_empty") }),
  );
}

function drawGaps(report) {
  const body = $("#gaps tbody");
  body.replaceChildren(...report.top_gaps.map((cell, i) => el("tr", {},
    el("td", { class: "num", text: String(i + 1) }), el("td", { text: cell.country_name }), el("td", { text: cell.practice_area_name }),
    el("td", { class: "num", text: String(cell.needs_posted) }), el("td", { class: "num", text: String(cell.lawyers_available) }),
    el("td", { class: "num", text: cell.gap_score.toFixed(2) }))));
}

function drawTrend(report) {
  const svg = $("#trend");
  svg.replaceChildren(el("svg:title", { id: "trend-title", text: t("trend_title") }));
  const months = report.months;
  const width = 520, height = 220, left = 36, bottom = 28, top = 10;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const max = Math.max(1, ...months.map((m) => m.needs_posted));
  const bw = (width - left - 10) / Math.max(1, months.length);
  const scale = (v) => ((height - bottom - top) * v) / max;
  svg.append(el("svg:text", { x: "2", y: String(top + 8), text: String(max) }), el("svg:text", { x: "2", y: String(height - bottom), text: "0" }));
  months.forEach((m, i) => {
    const x = left + i * bw;
    const hs = scale(m.stored_needs), hq = scale(m.match_queries);
    const base = height - bottom;
    const stored = el("svg:rect", { x: String(x + 2), y: String(base - hs), width: String(bw - 4), height: String(hs), fill: "#0b5cad", class: "bar stored" });
    const queries = el("svg:rect", { x: String(x + 2), y: String(base - hs - hq), width: String(bw - 4), height: String(hq), fill: "#7fb2e5", class: "bar queries" });
    stored.append(el("svg:title", { text: `${m.month}: ${t("stored")} ${m.stored_needs}` }));
    queries.append(el("svg:title", { text: `${m.month}: ${t("queries")} ${m.match_queries}` }));
    svg.append(stored, queries);
    if (months.length <= 12 || i % 3 === 0) svg.append(el("svg:text", { x: String(x + bw / 2), y: String(height - 10), "text-anchor": "middle", text: m.month.slice(2) }));
  });
}

async function loadSupply() {
  if (!state.key) {
    say("#supply-state", t("supply_need_key"));
    return;
  }
  say("#supply-state", t("loading"));
  try {
    const report = await api(`/v1/analytics/supply-demand?lang=${state.lang}&top=10`);
    state.report = report;
    const needs = report.months.reduce((sum, m) => sum + m.needs_posted, 0);
    say("#supply-state", t("supply_done", { m1: report.first_month, m2: report.last_month, c: report.cells.length, n: needs }));
    $("#formula").textContent = t("formula");
    drawHeatmap(report);
    drawGaps(report);
    drawTrend(report);
  } catch (error) {
    say("#supply-state", t("error") + error.message, true);
  }
}

// ---- the directory ---------------------------------------------------------------------------

function fillFilters() {
  if (!state.labels) return;
  const form = $("#dir-form");
  const lists = { country: "countries", region: "regions", practice_area: "practice_areas", language: "languages", talent_pool: "talent_pools" };
  for (const [name, list] of Object.entries(lists)) {
    const select = form.elements[name];
    const chosen = select.value;
    let items = state.labels[list];
    if (name === "region") items = items.filter((r) => r.code !== "belt_and_road");  // a grouping of analytics, not a filter
    select.replaceChildren(el("option", { value: "", text: t("all") }), ...items.map((item) => el("option", { value: item.code, text: item[state.lang] })));
    select.value = chosen;
  }
}

function directoryQuery(after) {
  const params = new URLSearchParams({ lang: state.lang });
  for (const [name, value] of new FormData($("#dir-form")).entries()) if (value) params.set(name, String(value));
  if (after) params.set("after", String(after));
  return params;
}

async function loadDirectory(after) {
  say("#dir-state", t("loading"));
  const params = directoryQuery(after);
  for (const format of ["csv", "xlsx"]) {
    const exportParams = directoryQuery(0);
    exportParams.set("format", format);
    $("#export-" + format).setAttribute("href", "/v1/lawyers?" + exportParams.toString());
  }
  params.set("limit", "20");
  try {
    // the directory is public: no key is sent, so a bureau key never rides on an export link either
    const response = await fetch("/v1/lawyers?" + params.toString(), { headers: { Accept: "application/json" } });
    const page = await response.json();
    if (!response.ok) throw new Error(page.detail || response.statusText);
    const join = (list) => list.join(state.lang === "zh" ? "、" : ", ");
    const rows = page.items.map((item) => el("tr", {},
      el("td", { text: state.lang === "en" && item.name_en ? item.name_en : item.name }),
      el("td", { text: (state.lang === "en" ? item.firm_en : item.firm) || item.firm || "" }),
      el("td", { text: item.city || "" }),
      el("td", { text: join(item.labels.countries) }),
      el("td", { text: join(item.labels.practice_areas) }),
      el("td", { text: join(item.labels.languages) })));
    $("#dir-table tbody").replaceChildren(...rows);
    state.next = page.next_after;
    $("#dir-next").disabled = page.next_after == null;
    $("#dir-prev").disabled = state.cursors.length <= 1;
    say("#dir-state", t("dir_count", { n: page.total, p: state.cursors.length }));
  } catch (error) {
    say("#dir-state", t("error") + error.message, true);
  }
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  $("#key-form").addEventListener("submit", useKey);
  $("#key-forget").addEventListener("click", forgetKey);
  $("#lang-switch").addEventListener("click", switchLang);
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("#need").value.trim();
    if (text) search(text);
  });
  $("#dir-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [0];
    loadDirectory(0);
  });
  $("#dir-next").addEventListener("click", () => {
    if (state.next == null) return;
    state.cursors.push(state.next);
    loadDirectory(state.next);
  });
  $("#dir-prev").addEventListener("click", () => {
    if (state.cursors.length <= 1) return;
    state.cursors.pop();
    loadDirectory(state.cursors[state.cursors.length - 1]);
  });
  try {
    const response = await fetch("/dashboard/labels.json");
    state.labels = await response.json();
  } catch (error) {
    state.labels = null;
  }
  relabel();
  await Promise.all([loadSupply(), loadDirectory(0)]);
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
