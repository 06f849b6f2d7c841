// Chronos demo web chat: a Telegram-like client for the local Bot API emulator. No build step.
"use strict";

const state = { personas: [], links: {}, current: null, version: 0, transcript: null, poll: 0 };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}
const post = (path, body) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function initials(name) {
  return name.split(/\s+/).map((p) => p[0] || "").join("").slice(0, 2).toUpperCase();
}

function toast(text) {
  if (!text) return;
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

// ---- rendering Telegram entities (offsets are UTF-16, like JS strings) ----
const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre", spoiler: "span" };

function renderEntities(text, entities) {
  const root = document.createDocumentFragment();
  if (!text) return root;
  const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  function build(parent, start, end, list) {
    let cursor = start;
    let i = 0;
    while (i < list.length) {
      const entity = list[i];
      if (entity.offset < cursor) { i += 1; continue; }
      if (entity.offset > cursor) parent.append(text.slice(cursor, entity.offset));
      const stop = entity.offset + entity.length;
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < stop) { inner.push(list[j]); j += 1; }
      let node;
      if (entity.type === "text_link" || entity.type === "url") {
        node = document.createElement("a");
        node.href = entity.url || text.slice(entity.offset, stop);
        node.target = "_blank";
        node.rel = "noopener";
      } else if (entity.type === "bot_command") {
        node = document.createElement("span");
        node.className = "cmd";
        const command = text.slice(entity.offset, stop);
        node.addEventListener("click", () => sendText(command));
      } else {
        node = document.createElement(TAGS[entity.type] || "span");
      }
      build(node, entity.offset, stop, inner);
      parent.append(node);
      cursor = stop;
      i = j;
    }
    if (cursor < end) parent.append(text.slice(cursor, end));
  }
  build(root, 0, text.length, sorted);
  return root;
}

function fileLink(file) {
  const link = document.createElement("a");
  link.href = `/tg/files/${encodeURIComponent(file.file_id)}`;
  link.download = file.file_name || "file";
  link.textContent = file.file_name || "file";
  return link;
}

function messageNode(message) {
  const mine = message.direction === "user_to_bot";
  const node = document.createElement("div");
  node.className = "msg" + (mine ? " me" : "");
  node.dir = "auto";
  node.dataset.id = message.message_id;
  if (message.photo) {
    const picture = document.createElement("img");
    picture.className = "photo";
    picture.alt = "";
    picture.src = `/tg/files/${encodeURIComponent(message.photo.file_id)}`;
    node.append(picture);
  }
  const file = message.document;
  if (file) {
    const doc = document.createElement("div");
    doc.className = "doc";
    doc.append("📄 ", fileLink(file));
    node.append(doc);
  }
  if (message.location) node.append(`📍 ${message.location.latitude.toFixed(4)}, ${message.location.longitude.toFixed(4)}`);
  const body = message.text ?? message.caption;
  if (body) node.append(renderEntities(body, message.entities));
  if (message.buttons) {
    const grid = document.createElement("div");
    grid.className = "inline";
    for (const row of message.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = button.text;
        if (button.url) b.addEventListener("click", () => window.open(button.url, "_blank"));
        else b.addEventListener("click", () => press(message.message_id, button.callback_data));
        line.append(b);
      }
      grid.append(line);
    }
    node.append(grid);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  const when = new Date((message.edit_date || message.date) * 1000);
  meta.textContent = (message.edited ? "edited " : "") + when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  node.append(meta);
  return node;
}

function renderKeyboard(chat) {
  const board = $("keyboard");
  board.replaceChildren();
  const keyboard = chat && chat.reply_keyboard;
  const rows = keyboard && (keyboard.keyboard || keyboard);
  if (!Array.isArray(rows) || rows.length === 0) { board.hidden = true; return; }
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) {
      const button = document.createElement("button");
      const label = typeof key === "string" ? key : key.text;
      button.type = "button";
      button.textContent = label;
      if (key.request_location) button.addEventListener("click", shareLocation);
      else button.addEventListener("click", () => sendText(label));
      line.append(button);
    }
    board.append(line);
  }
  board.hidden = false;
}

// The chat's menu button (setChatMenuButton): a web_app button opens the Mini App over the chat, with
// initData the demo signs for the persona (as Telegram does), so the console opens inside the chat offline.
function renderMenuButton(chat) {
  const button = $("menu-button");
  const menu = chat && chat.menu_button;
  if (!menu || menu.type !== "web_app") { button.hidden = true; return; }
  button.textContent = "☰ " + menu.text;
  button.dataset.url = menu.web_app.url;
  button.hidden = false;
}

async function openWebApp() {
  const button = $("menu-button");
  const persona = state.current;
  const answer = await api(`/demo/webapp?user=${persona.telegram_user_id}&url=${encodeURIComponent(button.dataset.url)}`);
  $("webapp-title").textContent = button.textContent.replace("☰ ", "");
  $("webapp-frame").src = answer.url;
  $("webapp").hidden = false;
}

function closeWebApp() {
  $("webapp").hidden = true;
  $("webapp-frame").src = "about:blank";
}

function render(transcript) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren();
  let lastDay = "";
  for (const message of transcript.messages) {
    if (message.deleted) continue;
    const day = new Date(message.date * 1000).toLocaleDateString();
    if (day !== lastDay) {
      const sep = document.createElement("div");
      sep.className = "day";
      sep.textContent = day;
      box.append(sep);
      lastDay = day;
    }
    box.append(messageNode(message));
  }
  renderKeyboard(transcript.chat);
  renderMenuButton(transcript.chat);
  const last = transcript.messages.filter((m) => !m.deleted).at(-1);
  state.replyTo = last && last.force_reply ? last.message_id : null;
  $("text").placeholder = state.replyTo ? "Reply…" : "Message";
  if (atBottom || state.scrollNext) box.scrollTop = box.scrollHeight;
  state.scrollNext = false;
}

// ---- actions ----
async function sendText(text) {
  if (!state.current || !text.trim()) return;
  state.scrollNext = true;
  const body = { text };
  if (state.replyTo) body.reply_to_message_id = state.replyTo;
  await post(`/tg/chats/${state.current.telegram_user_id}/messages`, body);
  refresh();
}

async function press(messageId, data) {
  const result = await post(`/tg/chats/${state.current.telegram_user_id}/press`, { message_id: messageId, data });
  try {
    const answered = await api(`/tg/callbacks/${encodeURIComponent(result.callback_query_id)}?timeout=5`);
    const answer = answered.answer || {};
    toast(answer.text);
  } catch (error) { console.warn(error); }
  refresh();
}

async function shareLocation() {
  const where = state.current.location || [52.52, 13.405];
  state.scrollNext = true;
  await post(`/tg/chats/${state.current.telegram_user_id}/location`, { latitude: where[0], longitude: where[1] });
  refresh();
}

async function sendFile(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  if (state.replyTo) form.append("reply_to_message_id", String(state.replyTo));
  state.scrollNext = true;
  await api(`/tg/chats/${state.current.telegram_user_id}/document`, { method: "POST", body: form });
  refresh();
}

async function refresh() {
  if (!state.current) return;
  const chatId = state.current.telegram_user_id;
  try {
    const transcript = await api(`/tg/chats/${chatId}/transcript`);
    if (state.current && state.current.telegram_user_id === chatId) {
      state.version = transcript.version;
      render(transcript);
      $("messages").dataset.chat = String(chatId);  // whose transcript is on screen
    }
  } catch (error) { console.warn(error); }
}

async function pollLoop(token) {
  while (state.poll === token) {
    const chatId = state.current.telegram_user_id;
    try {
      const change = await api(`/tg/chats/${chatId}/changes?since=${state.version}&timeout=25`);
      if (state.poll !== token) return;
      if (change.changed) await refresh();
    } catch (error) {
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
}

async function choose(persona) {
  $("toast").hidden = true;
  $("menu-button").hidden = true;  // until this chat's transcript says which menu button it has
  closeWebApp();
  state.current = persona;
  state.version = 0;
  state.scrollNext = true;
  document.querySelectorAll("#personas button").forEach((b) => b.classList.toggle("active", b.dataset.id === String(persona.telegram_user_id)));
  $("chat-title").textContent = persona.name;
  $("chat-sub").textContent = persona.title;
  $("chat-avatar").textContent = initials(persona.name);
  document.documentElement.lang = persona.locale;
  $("chat").dir = persona.locale === "ar" ? "rtl" : "ltr";
  $("text").disabled = false;
  $("send").disabled = false;
  await api(`/tg/users/${persona.telegram_user_id}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ first_name: persona.name.split(" ")[0], last_name: persona.name.split(" ").slice(1).join(" "), language_code: persona.locale }),
  });
  await refresh();
  state.poll += 1;
  pollLoop(state.poll);
  history.replaceState(null, "", `#${persona.telegram_user_id}`);
}

// ---- side panel ----
async function loadStatus() {
  try {
    const status = await api("/demo/status");
    const devices = $("devices");
    devices.replaceChildren();
    for (const device of status.devices || []) {
      const li = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = `dot ${device.status}`;
      li.append(dot, `${device.name} — ${device.status}`);
      if (device.last_success_at) li.title = `last sync ${new Date(device.last_success_at).toLocaleString()}`;
      if (device.record_count !== null && device.record_count !== undefined) li.append(` (${device.record_count} records)`);
      devices.append(li);
    }
    const today = $("today");
    today.replaceChildren();
    for (const [label, value] of Object.entries(status.today || {})) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value;
      today.append(dt, dd);
    }
  } catch (error) { console.warn(error); }
}

// ---- mailbox (the demo's local SMTP server) ----
const SHOWN_HEADERS = ["From", "To", "Subject", "Date", "List-Unsubscribe"];

async function loadMail() {
  try {
    const data = await api("/demo/mail");
    const list = $("mails");
    $("mail-count").textContent = data.mails.length ? `(${data.mails.length})` : "";
    if (!data.mails.length) return;
    list.replaceChildren();
    for (const mail of data.mails.slice(0, 30)) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = mail.subject || "(no subject)";
      const small = document.createElement("small");
      small.textContent = `to ${mail.to} · ${new Date(mail.at).toLocaleTimeString()}`;
      button.append(small);
      button.addEventListener("click", () => showMail(mail.id));
      li.append(button);
      list.append(li);
    }
  } catch (error) { console.warn(error); }
}

async function showMail(id) {
  const mail = await api(`/demo/mail/${id}`);
  const headers = $("mail-headers");
  headers.replaceChildren();
  for (const name of SHOWN_HEADERS) {
    if (!mail.headers[name]) continue;
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = mail.headers[name];
    headers.append(dt, dd);
  }
  $("mail-attachments").textContent = mail.attachments.length ? `📎 ${mail.attachments.join(", ")}` : "";
  // links in the mail open the API's pages in a new tab (the frame itself runs no script)
  $("mail-html").srcdoc = (mail.html || "").replace("<head>", '<head><base target="_blank">');
  $("mail-text").textContent = mail.text;
  $("mail-view").showModal();
}

function renderLinks(links) {
  const list = $("links");
  list.replaceChildren();
  for (const [label, url] of Object.entries(links)) {
    if (label === "token") continue;
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = url;
    a.target = "_blank";
    a.textContent = label;
    li.append(a);
    list.append(li);
  }
  if (links.token) {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.className = "token";
    code.textContent = links.token;
    li.append("Demo API token (admin):", code);
    list.append(li);
  }
}

async function start() {
  const data = await api("/demo/personas");
  state.personas = data.personas;
  renderLinks(data.links || {});
  const list = $("personas");
  for (const persona of state.personas) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = persona.telegram_user_id;
    const avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.textContent = initials(persona.name);
    const label = document.createElement("span");
    label.innerHTML = "";
    const strong = document.createElement("strong");
    strong.textContent = persona.name;
    const small = document.createElement("small");
    small.textContent = `${persona.title} · ${persona.locale}`;
    label.append(strong, small);
    button.append(avatar, label);
    button.addEventListener("click", () => choose(persona));
    li.append(button);
    list.append(li);
  }
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    input.value = "";
    sendText(text);
  });
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) sendFile(file);
    event.target.value = "";
  });
  const wanted = state.personas.find((p) => `#${p.telegram_user_id}` === location.hash) || state.personas[0];
  if (wanted) choose(wanted);
  loadStatus();
  setInterval(loadStatus, 5000);
  loadMail();
  setInterval(loadMail, 3000);
}

start();

$("menu-button").addEventListener("click", openWebApp);
$("webapp-close").addEventListener("click", closeWebApp);
