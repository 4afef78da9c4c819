// Staff pages (clerk console, chair view, hall display): the server renders every region;
// on a live event the page re-reads itself and swaps the regions that changed, so the
// clerk never reloads. Regions being typed in are left alone; focus stays where it was.
import { fill, texts } from "./net.js";

const DEBOUNCE_MS = 300;
const dirty = new WeakSet();
let timer = null;

function focusKey(element) {
  if (!element || element === document.body) return null;
  const form = element.closest("form");
  return [form ? form.getAttribute("action") : "", element.tagName, element.getAttribute("name"),
    element.getAttribute("value"), element.getAttribute("href"), element.id].join("|");
}

function busy(region) {
  const active = document.activeElement;
  if (active && region.contains(active) && active.matches(
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, select")) return true;
  return [...region.querySelectorAll("form")].some((form) => dirty.has(form));
}

function openDetails(region) {
  return new Set([...region.querySelectorAll("details[open] > summary")].map((s) => s.textContent));
}

async function refresh() {
  const url = document.body.dataset.pageUrl;
  if (!url) return;
  let html;
  try {
    const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!answer.ok) return;
    html = await answer.text();
  } catch {
    return; // offline: live.js says so and catches up after reconnecting
  }
  const fresh = new DOMParser().parseFromString(html, "text/html");
  for (const region of document.querySelectorAll("[data-region]")) {
    const next = fresh.getElementById(region.id);
    if (!next || busy(region) || next.innerHTML === region.innerHTML) continue;
    const active = region.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    const opened = openDetails(region);
    const adopted = document.importNode(next, true);
    for (const details of adopted.querySelectorAll("details")) {
      const summary = details.querySelector("summary");
      if (summary && opened.has(summary.textContent)) details.open = true;
    }
    region.replaceWith(adopted);
    if (active) {
      const again = [...adopted.querySelectorAll("a, button, input, select, textarea")]
        .find((el) => focusKey(el) === active);
      (again || adopted).focus({ preventScroll: true });
    }
  }
  startCountdowns();
}

function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refresh, DEBOUNCE_MS);
}

function updateCount(data) {
  const nodes = document.querySelectorAll(`[data-poll-count="${CSS.escape(data.poll_id)}"]`);
  if (!nodes.length || data.state !== "open") return false;
  const line = fill(texts()["vote.progress"], { cast: data.ballots_cast, roll: data.roll_size });
  nodes.forEach((node) => { node.textContent = line; });
  return true;
}

export function onStaffEvent(kind, data) {
  if (kind === "state") {
    // Sent when the stream (re)connects. Whatever changed between rendering the page and
    // subscribing reached no stream, so re-read the page once; unchanged regions stay put.
    scheduleRefresh();
  } else if (kind === "poll") {
    if (!updateCount(data)) scheduleRefresh();
  } else {
    scheduleRefresh();
  }
}

function startCountdowns() {
  for (const node of document.querySelectorAll("[data-countdown]")) {
    if (node.dataset.ticking) continue;
    node.dataset.ticking = "1";
    let left = Number(node.dataset.countdown);
    const started = Date.now();
    const tick = () => {
      if (!node.isConnected) return;
      const now = left - Math.round((Date.now() - started) / 1000);
      const s = Math.abs(now);
      const time = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
      node.textContent = (now >= 0 ? node.dataset.textLeft : node.dataset.textOver).replace("{time}", time);
      setTimeout(tick, 1000);
    };
    tick();
  }
}

export function setupStaff() {
  if (document.body.dataset.staff === undefined) return;
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form");
    if (form && form.method === "post") dirty.add(form);
  });
  const summary = document.getElementById("rr-error-summary");
  if (summary) summary.focus();
  startCountdowns();
}
