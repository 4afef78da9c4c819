// Parts of a page that change with the session (speakers list, agenda) are fetched again
// from the server when the live stream says so: the server renders, the page swaps them in.
import { fill, texts } from "./net.js";

let pending = null;
let again = false;

export function refreshRegions() {
  if (!document.querySelector("[data-refresh]")) return;
  if (pending) { again = true; return; } // one more fetch once this one is in

  pending = fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((answer) => (answer.ok ? answer.text() : null))
    .then((html) => {
      if (!html) return;
      const fresh = new DOMParser().parseFromString(html, "text/html");
      for (const region of document.querySelectorAll("[data-refresh]")) {
        const replacement = fresh.querySelector(`[data-refresh="${region.dataset.refresh}"]`);
        if (replacement && !region.contains(document.activeElement)) region.innerHTML = replacement.innerHTML;
      }
    })
    .catch(() => {})
    .finally(() => {
      pending = null;
      if (again) { again = false; refreshRegions(); }
    });
}

function clock(seconds) {
  const s = Math.abs(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// The speaker's remaining time counts down between updates.
export function startCountdown() {
  const t = texts();
  setInterval(() => {
    for (const node of document.querySelectorAll("[data-remaining]")) {
      const left = Number(node.dataset.remaining) - 1;
      node.dataset.remaining = String(left);
      node.textContent = fill(t[left >= 0 ? "speakers.remaining" : "speakers.overrun"], { time: clock(left) });
    }
  }, 1000);
}
