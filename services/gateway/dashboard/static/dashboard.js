// The community dashboard (README, Dashboard): log in, pick a period, read /api/v1/insights and draw
// it: charts as inline SVG made here, tables with a CSV download each. No framework, no build, nothing
// fetched from anywhere but this origin. Figures matching withholds (fewer than five residents) arrive
// as null with `suppressed: true` and are drawn as such, never guessed.

import { $, api, bindLogin, call, notice, saveTokens, tokens } from "/room/session.js";

const SVG = "http://www.w3.org/2000/svg";
const STAFF = ["leader", "property_manager"];
const WITHHELD = "少于5位居民";
const TREND = { up: "↑ 上升", down: "↓ 下降", flat: "→ 持平", new: "新" };
const STATE = { listed: "已上架", suspended: "已暂停", terminated: "已终止", trial: "试用", applied: "申请中", under_review: "审核中" };

let current = null; // { community, from, to, bucket }

// ---------------------------------------------------------------- small helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function yuan(fen) {
  return (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function daysBefore(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return isoDay(d);
}

function today() {
  // the community's calendar is Shanghai's (matching's insights_timezone); the page asks in its days
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

function claims() {
  // what the token says about its holder, for the UI only (every service verifies it again)
  try {
    const part = tokens.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- login

function showOnly(id) {
  for (const section of ["login", "refused", "board"]) $(section).hidden = section !== id;
  $("logout").hidden = !tokens;
}

bindLogin(() => start());

// ---------------------------------------------------------------- choosing what to see

function communities() {
  // the communities this person may read the dashboard of (an operator names one in the URL)
  const roles = claims().roles || {};
  const mine = Object.keys(roles).filter((id) => roles[id].some((r) => STAFF.includes(r)));
  const named = location.pathname.split("/")[2];
  return named && !mine.includes(named) ? [named, ...mine] : mine;
}

function refuse(text) {
  $("refused-text").textContent = text;
  showOnly("refused");
}

function setPeriod(days) {
  const to = today();
  $("to").value = to;
  $("from").value = daysBefore(to, days - 1);
  for (const b of $("periods").querySelectorAll("button[data-days]")) b.classList.toggle("chosen", Number(b.dataset.days) === days);
}

for (const button of $("periods").querySelectorAll("button[data-days]")) {
  button.addEventListener("click", () => {
    setPeriod(Number(button.dataset.days));
    load();
  });
}

$("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  for (const b of $("periods").querySelectorAll("button[data-days]")) b.classList.remove("chosen");
  load();
});
$("bucket").addEventListener("change", () => load());
$("community").addEventListener("change", () => {
  history.replaceState(null, "", `/dashboard/${$("community").value}`);
  load();
});

function start() {
  if (!tokens) return showOnly("login");
  const me = claims();
  $("me").textContent = me.op ? "运营" : "";
  const ids = communities();
  if (!ids.length) return refuse("社区看板只对社区的团长、物业和运营人员开放；你在任何社区都没有这些角色。");
  $("community").replaceChildren(...ids.map((id) => el("option", { value: id, textContent: id.slice(0, 8) })));
  setPeriod(30);
  showOnly("board");
  load();
}

async function load() {
  const query = new URLSearchParams({
    community_id: $("community").value,
    from: $("from").value,
    to: $("to").value,
    bucket: $("bucket").value,
  });
  try {
    const found = await api("GET", `/api/v1/insights?${query}`);
    current = { community: found.community_id, from: found.first_day, to: found.last_day };
    notice("");
    render(found);
  } catch (error) {
    if (error.status === 403 || error.status === 404) {
      return refuse("你不是这个社区的团长或物业，无权查看它的看板（看板只对本社区的团长、物业和运营人员开放）。");
    }
    if (error.status === 401) return showOnly("login");
    notice(error.message);
  }
}

// ---------------------------------------------------------------- charts

const W = 560;
const H = 200;
const PAD = { left: 48, right: 12, top: 12, bottom: 26 };

function niceMax(value) {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * step) return m * step;
  return 10 * step;
}

function chart(figure, points, series, format = (v) => String(v)) {
  // bars and lines on one scale; a withheld point is a hatched column with the reason as its tooltip
  const values = points.flatMap((p) => series.map((s) => p[s.key]).filter((v) => typeof v === "number"));
  const top = niceMax(Math.max(0, ...values));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(points.length, 1);
  const x = (i) => PAD.left + slot * (i + 0.5);
  const y = (v) => PAD.top + plotH - (Math.max(v, 0) / top) * plotH;
  const hatch = `hatch-${figure.id}`;
  const drawing = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": figure.querySelector("figcaption").textContent, "data-points": points.length },
    svg("defs", {}, svg("pattern", { id: hatch, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      svg("rect", { width: 6, height: 6, fill: "#f1f1ee" }), svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#cfcfc8", "stroke-width": 3 }))),
  );
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    drawing.append(
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, format(v)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    const last = points.length - 1;
    if (i === last || (i % labelEvery === 0 && last - i >= labelEvery / 2)) {
      drawing.append(svg("text", { x: x(i), y: H - 8, class: "axis", "text-anchor": "middle" }, p.start.slice(5)));
    }
    if (p.suppressed && series.every((s) => p[s.key] === null)) {
      drawing.append(svg("rect", { x: x(i) - slot * 0.4, y: PAD.top, width: slot * 0.8, height: plotH, fill: `url(#${hatch})`, class: "withheld" },
        svg("title", {}, `${p.start}：${WITHHELD}，不显示`)));
    }
  });
  const bars = series.filter((s) => s.kind === "bar");
  bars.forEach((s, b) => {
    const width = (slot * 0.7) / bars.length;
    points.forEach((p, i) => {
      const v = p[s.key];
      if (typeof v !== "number") return;
      drawing.append(svg("rect", {
        x: x(i) - slot * 0.35 + b * width, y: y(v), width: Math.max(width - 1, 1), height: Math.max(y(0) - y(v), v > 0 ? 1 : 0),
        fill: s.color, class: "bar", "data-series": s.key, "data-value": v,
      }, svg("title", {}, `${p.start} ${s.label}：${format(v)}`)));
    });
  });
  for (const s of series.filter((s) => s.kind === "line")) {
    // a withheld point breaks the line rather than joining across it
    let path = "";
    let pen = "M";
    points.forEach((p, i) => {
      const v = p[s.key];
      if (typeof v !== "number") { pen = "M"; return; }
      path += `${pen}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = "L";
    });
    if (path) drawing.append(svg("path", { d: path, stroke: s.color, class: "line" }));
    points.forEach((p, i) => {
      const v = p[s.key];
      if (typeof v !== "number") return;
      drawing.append(svg("circle", { cx: x(i), cy: y(v), r: points.length > 45 ? 1.5 : 3, fill: s.color, class: "dot", "data-series": s.key, "data-value": v },
        svg("title", {}, `${p.start} ${s.label}：${format(v)}`)));
    });
  }
  const swatch = (color) => svg("svg", { viewBox: "0 0 10 10", class: "swatch", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, rx: 2, fill: color }));
  const legend = el("p", { className: "legend" }, ...series.map((s) => el("span", {}, swatch(s.color), s.label)));
  figure.replaceChildren(figure.querySelector("figcaption"), drawing, legend);
}

// ---------------------------------------------------------------- tables

function cell(value, suppressed, show = (v) => String(v)) {
  if (value === null || value === undefined) return el("td", { className: suppressed ? "withheld" : "", textContent: suppressed ? WITHHELD : "—" });
  return el("td", { textContent: show(value) });
}

function fill(table, rows, columns, empty) {
  const body = document.querySelector(`section[data-table="${table}"] tbody`);
  if (!rows.length) return body.replaceChildren(el("tr", {}, el("td", { colSpan: 9, className: "muted", textContent: empty })));
  body.replaceChildren(...rows.map((row) => el("tr", { className: row.suppressed ? "suppressed" : "" }, ...columns(row))));
}

function dateTime(iso) {
  return new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", month: "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

function render(found) {
  const s = found.series;
  $("period").textContent = `${found.first_day} 至 ${found.last_day}，按${found.bucket === "week" ? "周" : "天"}`;
  chart($("chart-turnover"), s.orders, [{ key: "turnover_fen", label: "成交额", kind: "bar", color: "#c0392b" }], (v) => yuan(v).replace(/\.00$/, ""));
  chart($("chart-orders"), s.orders, [{ key: "orders", label: "订单", kind: "line", color: "#e67e22" }]);
  chart($("chart-residents"), s.active_residents, [{ key: "residents", label: "活跃居民", kind: "line", color: "#2471a3" }]);
  chart($("chart-sessions"), s.sessions, [
    { key: "sessions", label: "场次", kind: "bar", color: "#8e44ad" },
    { key: "peak_viewers", label: "峰值观众", kind: "line", color: "#16a085" },
  ]);
  chart($("chart-attendance"), s.attendance, [
    { key: "registrations", label: "报名", kind: "bar", color: "#27ae60" },
    { key: "check_ins", label: "签到", kind: "bar", color: "#1e8449" },
  ]);
  chart($("chart-bookings"), s.bookings, [{ key: "bookings", label: "预约", kind: "bar", color: "#d4ac0d" }]);

  fill("demand", found.demand, (r) => [
    el("td", { textContent: r.label }),
    cell(r.residents, r.suppressed),
    cell(r.previous, r.suppressed || r.previous === null),
    el("td", { className: `trend ${r.trend || ""}`, textContent: r.trend ? TREND[r.trend] : "" }),
  ], "这个时段没有居民提出需求");
  fill("coverage_gaps", found.coverage_gaps, (r) => [el("td", { textContent: r.label }), cell(r.residents, r.suppressed)], "每项需求都有上架的服务商");
  fill("providers", found.providers, (r) => [
    el("td", { textContent: r.name }),
    el("td", { textContent: STATE[r.state] || r.state }),
    cell(r.rating, r.rating === null && r.suppressed, (v) => `★ ${v.toFixed(1)}`),
    cell(r.reviews, r.suppressed),
    cell(r.open_complaints, r.suppressed),
    el("td", { textContent: String(r.suspensions) }),
  ], "还没有服务商申请进入本社区");
  fill("upcoming_events", found.upcoming_events, (r) => [
    el("td", { textContent: r.title }),
    el("td", { textContent: dateTime(r.starts_at) }),
    el("td", { textContent: String(r.capacity) }),
    cell(r.residents, r.suppressed),
  ], "暂无即将举行的活动");
}

// ---------------------------------------------------------------- CSV

for (const link of document.querySelectorAll("a.csv")) {
  link.addEventListener("click", async (event) => {
    // the API wants the token in a header, so the file is fetched here and handed over as a blob
    event.preventDefault();
    if (!current) return;
    const table = link.dataset.table;
    const query = new URLSearchParams({ community_id: current.community, from: current.from, to: current.to });
    try {
      const blob = await (await call("GET", `/api/v1/insights/${table}.csv?${query}`, undefined, { accept: "text/csv" })).blob();
      const url = URL.createObjectURL(blob);
      const save = el("a", { href: url, download: `${table}-${current.from}-${current.to}.csv` });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      notice(error.message);
    }
  });
}

start();
