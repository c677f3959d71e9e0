// The room page (docs/live-room.md): log in, join a session's room through the gateway's WebSocket,
// watch and act. Everything the page shows comes from room frames; what it does goes through
// /api/v1 (orders, cards, polls) or the room itself (chat, likes, votes). No framework, no build.

import { $, ApiError, api, bindLogin, notice, saveTokens, tokens } from "/room/session.js";

// Close codes after which reconnecting cannot help (docs/live-room.md, Close codes).
const FINAL = new Set([1000, 4400, 4403, 4404, 4409, 4410]);
const STATUS = { scheduled: "预告", live: "直播中", ended: "已结束", replay: "回放" };
const POLL_STATUS = { draft: "未开始", open: "投票中", closed: "已结束" };

const sessionId = new URLSearchParams(location.search).get("session");

// ---------------------------------------------------------------- small helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function yuan(fen) {
  return `¥${(fen / 100).toFixed(2)}`;
}

function safeUrl(url) {
  // only web links reach an href or src: never javascript: or data: from room data
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
}

function randomKey() {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------- login and choosing a session

function showOnly(id) {
  for (const section of ["login", "picker", "room"]) $(section).hidden = section !== id;
  $("logout").hidden = !tokens;
}

bindLogin(() => start());

$("session-form").addEventListener("submit", (event) => {
  event.preventDefault();
  location.search = `?session=${encodeURIComponent($("session-id").value.trim())}`;
});

async function listSessions() {
  showOnly("picker");
  const list = $("sessions");
  list.replaceChildren();
  for (const communityId of Object.keys(tokens.roles || {})) {
    try {
      for (const s of await api("GET", `/api/v1/sessions?community_id=${encodeURIComponent(communityId)}`)) {
        const link = el("a", { href: `?session=${encodeURIComponent(s.id)}`, textContent: s.title });
        list.append(el("li", {}, link, ` · ${STATUS[s.status] || s.status}`));
      }
    } catch (error) {
      notice(error.message);
    }
  }
}

// ---------------------------------------------------------------- the room

const room = {
  state: null, // the snapshot, kept current by the frames that follow it
  lastSeq: null,
  ws: null,
  retries: 0,
  nextId: 1,
  pending: new Map(), // frame id → {resolve, reject}
  voted: new Set(),
  deals: [],
};

function staff() {
  return room.state && ["host", "moderator"].includes(room.state.you.role);
}

function connect() {
  const url = new URL(`/api/v1/sessions/${encodeURIComponent(sessionId)}/room`, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (room.lastSeq !== null) url.searchParams.set("since", room.lastSeq);
  const ws = new WebSocket(url);
  room.ws = ws;
  // the token goes in the first frame, not the URL (URLs end up in logs)
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", data: { token: tokens.access_token } }));
  ws.onmessage = (event) => onFrame(JSON.parse(event.data));
  ws.onclose = (event) => onClose(event);
}

async function onClose(event) {
  for (const { reject } of room.pending.values()) reject(new Error("连接已断开"));
  room.pending.clear();
  if (FINAL.has(event.code)) {
    notice(`直播间已关闭：${event.reason || event.code}`);
    return;
  }
  if (event.code === 4401 && !(await refresh())) {
    notice("登录已过期，请重新登录");
    saveTokens(null);
    return;
  }
  // dropped, instance restarting, "slow", unavailable: come back and recover what was missed
  const delay = Math.min(10000, 500 * 2 ** room.retries++);
  notice(`连接中断（${event.reason || event.code}），${Math.round(delay / 1000)} 秒后重连…`);
  setTimeout(connect, delay);
}

function send(type, data) {
  const id = `p${room.nextId++}`;
  return new Promise((resolve, reject) => {
    if (!room.ws || room.ws.readyState !== WebSocket.OPEN) return reject(new Error("尚未连接"));
    room.pending.set(id, { resolve, reject });
    room.ws.send(JSON.stringify({ type, data, id }));
  });
}

function onFrame(frame) {
  switch (frame.type) {
    case "snapshot":
      room.state = { ...frame.data, polls: Object.fromEntries(frame.data.polls.map((p) => [p.id, p])) };
      room.lastSeq = frame.seq;
      room.retries = 0;
      $("polls").replaceChildren();
      notice("");
      renderAll();
      return;
    case "recovered":
      room.state.you = frame.data.you;
      room.retries = 0;
      notice("");
      return;
    case "ack":
    case "error": {
      const waiting = room.pending.get(frame.data.id);
      room.pending.delete(frame.data.id);
      if (frame.type === "ack" && waiting) waiting.resolve(frame.data);
      else if (waiting) waiting.reject(Object.assign(new Error(frame.data.message), { code: frame.data.code }));
      else if (frame.type === "error") notice(frame.data.message);
      return;
    }
    case "notice":
      if (frame.data.kind === "muted") notice(`你已被禁言至 ${frame.data.until}`);
      if (frame.data.kind === "unmuted") notice("你已被解除禁言");
      return;
    case "pong":
      return;
  }
  if (frame.seq !== null) room.lastSeq = Math.max(room.lastSeq ?? 0, frame.seq);
  apply(frame.type, frame.data);
}

// One room-wide frame into the state (as the server's RoomState folds them), then the part it changes.
function apply(type, data) {
  const s = room.state;
  switch (type) {
    case "session":
      s.session = data;
      renderHeader();
      renderConsole();
      break;
    case "viewers":
      s.viewers = data;
      renderHeader();
      break;
    case "cards":
      s.cards = data;
      renderCard();
      renderConsole();
      break;
    case "card":
      s.cards.items = s.cards.items.map((c) => (c.id === data.card.id ? data.card : c));
      renderCard();
      break;
    case "pinned_message":
      s.pinned_message = data.message;
      renderPinnedMessage();
      break;
    case "poll":
      s.polls[data.id] = data;
      renderPolls();
      renderConsole();
      break;
    case "reactions":
      s.reactions = data.totals;
      $("likes").textContent = s.reactions.like || 0;
      break;
    case "chat":
      s.messages.push(data);
      addMessage(data);
      break;
    case "chat.deleted":
      s.messages = s.messages.filter((m) => m.id !== data.id);
      document.querySelector(`#messages li[data-id="${CSS.escape(data.id)}"]`)?.remove();
      break;
  }
}

function renderAll() {
  showOnly("room");
  renderHeader();
  renderPinnedMessage();
  renderCard();
  renderPolls();
  $("messages").replaceChildren();
  room.state.messages.forEach(addMessage);
  $("likes").textContent = (room.state.reactions || {}).like || 0;
  $("console").hidden = !staff();
  if (staff()) loadDeals();
  renderConsole();
}

function renderHeader() {
  const { session, viewers, you } = room.state;
  document.title = `${session.title} · 邻里直播间`;
  $("title").textContent = session.title;
  $("status").textContent = STATUS[session.status] || session.status;
  $("viewers").textContent = `观看 ${viewers.count} · 峰值 ${viewers.peak}`;
  $("me").textContent = `${you.name}（${{ host: "主播", moderator: "管理员", guest: "嘉宾" }[you.role] || "观众"}）`;
  const playback = safeUrl(session.playback_url);
  $("playback").replaceChildren(playback ? el("a", { href: playback, target: "_blank", rel: "noopener", textContent: "打开直播画面" }) : "");
}

function renderPinnedMessage() {
  const message = room.state.pinned_message;
  $("pinned-message").hidden = !message;
  $("pinned-message").textContent = message ? `📌 ${message.text ?? ""}` : "";
}

function pinnedCard() {
  const { items, pinned_id: pinned } = room.state.cards;
  return items.find((c) => c.id === pinned) || null;
}

function renderCard() {
  const card = pinnedCard();
  $("pinned-card").hidden = !card;
  $("buy-form").hidden = !card || card.kind !== "deal";
  if (!card) return;
  $("pinned-card").dataset.cardId = card.id;
  const body = [];
  if (card.kind === "deal") {
    const image = safeUrl(card.image);
    if (image) body.push(el("img", { src: image, alt: "" }));
    body.push(el("h2", { textContent: card.title ?? "团购" }));
    if (card.unavailable) body.push(el("p", { textContent: "这个团购暂时看不到" }));
    else {
      body.push(el("p", {}, el("span", { className: "price", textContent: yuan(card.price_fen) })));
      const limit = card.per_person_limit ? ` · 每人限购 ${card.per_person_limit}` : "";
      body.push(el("p", { id: "stock", textContent: `剩余 ${card.left} / ${card.stock}${limit}` }));
      if (card.sold_out) body.push(el("p", {}, el("span", { className: "sold-out", textContent: "已售罄" })));
      $("quantity").max = card.per_person_limit || "";
    }
  } else if (card.kind === "service") {
    const badge = card.badge || {};
    body.push(el("h2", { textContent: card.name }));
    body.push(el("p", { textContent: `${card.provider_name ?? ""}${badge.verified_qualification ? " · 资质已核验" : ""}${badge.endorsed ? " · 团长推荐" : ""}` }));
    if (badge.endorsement_note) body.push(el("blockquote", { textContent: badge.endorsement_note }));
  } else if (card.kind === "event") {
    body.push(el("h2", { textContent: card.title }));
    body.push(el("p", { textContent: new Date(card.starts_at).toLocaleString() }));
  } else if (card.kind === "testimonial") {
    body.push(el("blockquote", { textContent: card.text }));
    body.push(el("p", { textContent: `— ${card.author_name}，买过 ${card.purchase?.product_name ?? ""}` }));
  }
  $("card-body").replaceChildren(...body);
  tick();
}

let buying = false; // an order is on its way: the button waits for it

// The flash-sale countdown: starts in / ends in, every second; the buy button follows it.
function tick() {
  const card = room.state && pinnedCard();
  if (!card || card.kind !== "deal" || card.unavailable) {
    $("countdown").textContent = "";
    return;
  }
  const now = Date.now();
  const opens = Date.parse(card.opens_at);
  const closes = Date.parse(card.closes_at);
  const span = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  };
  if (now < opens) $("countdown").textContent = `距开抢 ${span(opens - now)}`;
  else if (now < closes) $("countdown").textContent = `距结束 ${span(closes - now)}`;
  else $("countdown").textContent = "已截止";
  $("buy").disabled = buying || card.sold_out || card.closed || now < opens || now >= closes;
}
setInterval(tick, 1000);

$("buy-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const card = pinnedCard();
  if (!card || card.kind !== "deal") return;
  const body = { ...card.buy.body, quantity: Number($("quantity").value) };
  // One key per press: a retry after a network failure is the same order, never a second one.
  const key = `"${randomKey()}"`;
  buying = true;
  tick();
  $("buy-result").textContent = "下单中…";
  try {
    let order = null;
    for (let attempt = 0; order === null; attempt++) {
      try {
        order = await api(card.buy.method, card.buy.path, body, { "idempotency-key": key });
      } catch (error) {
        if (attempt >= 2 || (error instanceof ApiError && error.status < 500)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    showOrder(order);
    followOrder(order.id);
  } catch (error) {
    $("buy-result").textContent = `没有买到：${error.message}`;
  } finally {
    buying = false;
    tick();
  }
});

function showOrder(order) {
  const result = $("buy-result");
  result.dataset.orderId = order.id;
  result.dataset.status = order.status;
  const paid = order.pickup_code ? `，取货码 ${order.pickup_code}` : "";
  result.textContent = `已下单 ${order.quantity} 件，${yuan(order.amount_fen)}，状态 ${order.status}${paid}`;
}

// The payment is confirmed a moment later (from the payment provider's callback): show when it is.
async function followOrder(orderId) {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const order = await api("GET", `/api/v1/orders/${encodeURIComponent(orderId)}`);
      showOrder(order);
      if (order.status !== "pending_payment") return;
    } catch {
      return;
    }
  }
}

// Polls: built once per poll (so a choice being made survives tallies), counts updated in place.
function renderPolls() {
  const polls = Object.values(room.state.polls).filter((p) => p.status !== "draft");
  for (const poll of polls) {
    let node = document.getElementById(`poll-${poll.id}`);
    if (!node) {
      node = buildPoll(poll);
      $("polls").append(node);
    }
    const total = Math.max(1, poll.options.reduce((n, o) => n + o.votes, 0));
    for (const option of poll.options) {
      const row = node.querySelector(`[data-option="${CSS.escape(option.id)}"]`);
      row.querySelector(".votes").textContent = `${option.votes} 票`;
      row.querySelector(".bar span").style.width = `${(100 * option.votes) / total}%`;
    }
    const open = poll.status === "open" && !room.voted.has(poll.id);
    node.querySelectorAll("input").forEach((input) => (input.disabled = !open));
    node.querySelector("button").hidden = !open;
    node.querySelector(".state").textContent =
      poll.status === "closed" ? `已结束 · ${poll.voters} 人参与` : `${poll.voters} 人参与${room.voted.has(poll.id) ? " · 你已投票" : ""}`;
  }
}

function buildPoll(poll) {
  const form = el("form", { id: `poll-${poll.id}`, className: "poll" }, el("h3", { textContent: poll.question }));
  for (const option of poll.options) {
    const input = el("input", { type: poll.multiple ? "checkbox" : "radio", name: `poll-${poll.id}`, value: option.id });
    form.append(
      el(
        "div",
        { className: "option", dataset: { option: option.id } },
        el("label", {}, input, ` ${option.label} `, el("span", { className: "votes" })),
        el("div", { className: "bar" }, el("span")),
      ),
    );
  }
  form.append(el("button", { type: "submit", textContent: "投票" }), el("p", { className: "state" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll("input:checked")].map((input) => input.value);
    if (!chosen.length) return notice("请先选择");
    try {
      await send("vote", { poll_id: poll.id, option_ids: chosen });
      room.voted.add(poll.id);
    } catch (error) {
      if (error.code === "already_voted") room.voted.add(poll.id);
      notice(error.message);
    }
    renderPolls();
  });
  return form;
}

function addMessage(message) {
  const item = el(
    "li",
    { className: message.role, dataset: { id: message.id } },
    el("span", { className: "name", textContent: message.name }),
    message.text,
  );
  $("messages").append(item);
  while ($("messages").children.length > 200) $("messages").firstChild.remove();
  $("messages").scrollTop = $("messages").scrollHeight;
}

$("chat-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("chat-text").value.trim();
  if (!text) return;
  try {
    await send("chat", { text });
    $("chat-text").value = "";
  } catch (error) {
    notice(error.message);
  }
});

$("like").addEventListener("click", () => {
  if (room.ws && room.ws.readyState === WebSocket.OPEN) room.ws.send(JSON.stringify({ type: "react", data: { kind: "like" } }));
});

// ---------------------------------------------------------------- the host's console

async function hostAction(method, path, body) {
  try {
    return await api(method, `/api/v1/sessions/${encodeURIComponent(sessionId)}${path}`, body);
  } catch (error) {
    notice(error.message);
    return null;
  }
}

async function loadDeals() {
  try {
    room.deals = await api("GET", `/api/v1/deals?community_id=${encodeURIComponent(room.state.session.community_id)}`);
  } catch (error) {
    notice(error.message);
  }
  renderConsole();
}

function button(text, onClick, dataset = {}) {
  const node = el("button", { type: "button", textContent: text, dataset });
  node.addEventListener("click", onClick);
  return node;
}

function renderConsole() {
  if (!staff()) return;
  const { status, host_id: hostId } = room.state.session;
  const host = room.state.you.user_id === hostId;
  $("go-live").hidden = !host || status !== "scheduled";
  $("end-session").hidden = !host || status !== "live";
  const cards = room.state.cards.items;
  $("deals").replaceChildren(
    ...room.deals.map((deal) =>
      el(
        "li",
        {},
        `${deal.product_name} · ${yuan(deal.price_fen)} · 剩余 ${deal.available}`,
        button("置顶到直播间", () => pinDeal(deal.id), { deal: deal.id }),
      ),
    ),
  );
  $("cards").replaceChildren(
    ...cards.map((card) =>
      el(
        "li",
        {},
        `${card.pinned ? "📌 " : ""}${card.title ?? card.name ?? card.kind}`,
        card.pinned
          ? button("取消置顶", () => hostAction("DELETE", `/cards/${card.id}/pin`))
          : button("置顶", () => hostAction("POST", `/cards/${card.id}/pin`)),
      ),
    ),
  );
  $("host-polls").replaceChildren(
    ...Object.values(room.state.polls).map((poll) =>
      el(
        "li",
        { dataset: { poll: poll.id } },
        `${poll.question} · ${POLL_STATUS[poll.status] || poll.status} · ${poll.voters} 人`,
        poll.status === "open" ? button("结束投票", () => hostAction("POST", `/polls/${poll.id}/close`)) : null,
        poll.status === "draft" ? button("开始投票", () => hostAction("POST", `/polls/${poll.id}/open`)) : null,
      ),
    ),
  );
}

$("go-live").addEventListener("click", () => hostAction("POST", "/start"));
$("end-session").addEventListener("click", () => {
  if (confirm("结束直播？直播间将关闭。")) hostAction("POST", "/end");
});

async function pinDeal(dealId) {
  const card = room.state.cards.items.find((c) => c.kind === "deal" && c.deal_id === dealId);
  if (card) await hostAction("POST", `/cards/${card.id}/pin`);
  else await hostAction("POST", "/cards", { kind: "deal", ref_id: dealId, pin: true });
}

$("poll-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const options = $("poll-options")
    .value.split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((label) => ({ label }));
  const body = { question: $("poll-question").value.trim(), options, multiple: $("poll-multiple").checked, open: true };
  if (await hostAction("POST", "/polls", body)) $("poll-form").reset();
});

// ---------------------------------------------------------------- start

function start() {
  if (!tokens) return showOnly("login");
  if (!sessionId) return listSessions();
  showOnly("room");
  notice("连接中…");
  connect();
}

start();
