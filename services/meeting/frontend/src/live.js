// Live updates from meeting's SSE stream (one-time ticket per connection). After a network
// loss it reconnects with a fresh ticket; the first event (`state`) catches the page up.
import { api, fill, texts } from "./net.js";

const MAX_WAIT_MS = 15000;
// Every kind meeting's server sends (`live.notify`). An EventSource hears only the kinds it
// listens for, so a kind missing here never reaches any page: member pages ignore the kinds
// they have no use for, staff pages redraw their regions on any kind.
const LIVE_KINDS = [
  "state", "quorum", "attendance", "poll", "vote", "admitted", "meeting", "speakers", "agenda",
  "agenda_item", "conflict", "lobby", "disruption", "device_check", "citizen_question",
  "citizen_links",
];

function statusBar(message, state) {
  const bar = document.getElementById("rr-netstatus");
  if (!bar) return;
  bar.textContent = message;
  bar.dataset.state = state;
  if (state === "online") setTimeout(() => { if (bar.dataset.state === "online") bar.textContent = ""; }, 4000);
}

function renderQuorum(t, quorum) {
  const badge = document.querySelector('[data-live="quorum-badge"]');
  const line = document.querySelector('[data-live="quorum-text"]');
  if (badge) {
    const kind = quorum.quorate ? "success" : "warning";
    const label = quorum.quorate ? t["live.quorate"] : t["live.not_quorate"];
    badge.innerHTML = "";
    const span = document.createElement("span");
    span.className = `kern-badge kern-badge--${kind}`;
    const inner = document.createElement("span");
    inner.className = "kern-label kern-label--small";
    inner.textContent = label;
    span.append(inner);
    badge.append(span);
  }
  if (line) {
    line.textContent = fill(t["live.present"], {
      present: quorum.present, statutory: quorum.statutory_members, required: quorum.required });
  }
}

function renderConnected(t, connected) {
  const list = document.querySelector('[data-live="connected"]');
  if (!list) return;
  list.innerHTML = "";
  if (!connected.length) {
    const li = document.createElement("li");
    li.className = "kern-body--muted";
    li.textContent = t["live.nobody"];
    list.append(li);
  }
  for (const person of connected) {
    const li = document.createElement("li");
    li.textContent = `${person.name} (${t["live." + person.presence] ?? person.presence})`;
    list.append(li);
  }
}

export function startLive(onEvent) {
  const body = document.body;
  const meetingId = body.dataset.meeting;
  if (!meetingId || body.dataset.liveStream === undefined) return;
  const t = texts();
  let source = null;
  let timer = null;
  let wait = 1000;
  let wasOffline = false;

  const handlers = {
    state: (data) => {
      renderQuorum(t, data.quorum);
      renderConnected(t, data.connected);
      for (const poll of data.polls) onEvent("poll", { ...poll, state: "open" });
      // A stream may still deliver while the device is offline (an event already on its way):
      // only a device that is online again is told it is back.
      if (wasOffline && navigator.onLine) {
        statusBar(t["live.back"], "online");
        wasOffline = false;
      }
      wait = 1000;
    },
    quorum: (data) => renderQuorum(t, data),
    attendance: (data) => renderConnected(t, data.connected),
  };

  async function connect() {
    timer = null;
    try {
      const { ticket } = await api(`/meetings/${meetingId}/live-ticket`, { method: "POST" });
      if (source) source.close();
      source = new EventSource(`/api/v1/meetings/${meetingId}/live?ticket=${encodeURIComponent(ticket)}`);
    } catch (error) {
      if (error.status === 401) { window.location.reload(); return; }
      return retry();
    }
    for (const kind of LIVE_KINDS) {
      source.addEventListener(kind, (event) => {
        const data = JSON.parse(event.data);
        if (handlers[kind]) handlers[kind](data);
        onEvent(kind, data);
      });
    }
    source.onerror = () => { source.close(); retry(); };
  }

  function retry() {
    wasOffline = true;
    statusBar(t["live.offline"], "offline");
    if (timer === null) timer = setTimeout(connect, wait);
    wait = Math.min(wait * 2, MAX_WAIT_MS);
  }

  window.addEventListener("offline", () => { wasOffline = true; statusBar(t["live.offline"], "offline"); });
  // Back online: a stream that looked alive may have missed events, so start afresh at once
  // (a new ticket, then `state` catches the page up and says it was offline).
  window.addEventListener("online", () => {
    if (timer !== null) clearTimeout(timer);
    if (source) source.close();
    wait = 1000;
    connect();
  });
  connect();
}
