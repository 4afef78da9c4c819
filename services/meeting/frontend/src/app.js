// The web app's script: live updates on every meeting page, the vote screen, heartbeats.
// Pages work without it; it only keeps them current and makes casting a vote instant.
import { api } from "./net.js";
import { startLive } from "./live.js";
import { refreshRegions, startCountdown } from "./refresh.js";
import { setupVote, updateProgress } from "./vote.js";
import { onStaffEvent, setupStaff } from "./console.js";
import { secretClosed, setupSecretVote } from "./secret_vote.js";
import { setupDeviceCheck } from "./device_check.js";

const HEARTBEAT_MS = 10000;
const SEEN = "rr-seen-polls";
// The disruption steps (meeting's live kind `disruption`, `data.step`) that change the
// session's state; a report alone changes nothing on a member's page.
const SESSION_STEPS = ["interrupt", "resume"];

function seen() {
  try { return new Set(JSON.parse(sessionStorage.getItem(SEEN) || "[]")); } catch { return new Set(); }
}

function markSeen(pollId) {
  const ids = seen();
  ids.add(pollId);
  try { sessionStorage.setItem(SEEN, JSON.stringify([...ids].slice(-50))); } catch { /* private mode */ }
}

function onEvent(kind, data) {
  const body = document.body;
  const meetingId = body.dataset.meeting;
  const here = body.dataset.poll;
  if (body.dataset.staff !== undefined) {
    // Staff screens keep their place: they update in place, never reload (a reload could
    // cancel the clerk's own form that caused the event) and never jump to a vote.
    onStaffEvent(kind, data);
    return;
  }
  if (kind === "poll" || kind === "vote") {
    // `poll` is a vote opened or counted; `vote` a step of its life (closed, cancelled, void,
    // or a re-run or runoff opened under a new id).
    if (data.poll_id === here) {
      if (data.state && data.state !== "open") { if (!secretClosed()) window.location.reload(); }
      else if (kind === "poll") updateProgress(data);
    } else if (data.state === "open" && body.dataset.member !== undefined
               && (!here || body.dataset.pollOpen === undefined) && !seen().has(data.poll_id)) {
      // A vote that opens takes the member's screen at once, wherever they are, a finished
      // vote's result included (once: the member may go back to the agenda while it runs;
      // never away from another vote still open).
      window.location.assign(`/sitzungen/${meetingId}/abstimmungen/${data.poll_id}`);
    }
  } else if (kind === "admitted" && data.person_id === body.dataset.person) {
    window.location.reload();
  } else if (kind === "meeting" && body.dataset.liveStream !== undefined) {
    window.location.reload();
  } else if (kind === "disruption" && SESSION_STEPS.includes(data.step)
             && body.dataset.liveStream !== undefined) {
    // Interrupted or resumed: the page shows the session's new state (a secret vote screen
    // that holds a confirmation code swaps its content instead of losing the code).
    if (!secretClosed()) window.location.reload();
  } else if (["speakers", "agenda_item", "agenda", "conflict"].includes(kind)) {
    refreshRegions();
  }
}

function startHeartbeat() {
  const meetingId = document.body.dataset.meeting;
  if (document.body.dataset.heartbeat === undefined || !meetingId) return;
  const beat = () => api(`/meetings/${meetingId}/heartbeat`, { method: "POST" }).catch(() => {});
  beat();
  setInterval(beat, HEARTBEAT_MS);
}

if (document.body.dataset.poll) markSeen(document.body.dataset.poll);
startLive(onEvent);
setupVote();
setupStaff();
setupSecretVote();
setupDeviceCheck();
startHeartbeat();
startCountdown();
