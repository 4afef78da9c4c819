// The vote screen: each intended cast gets its own Idempotency-Key, so a double tap or a
// retry after a lost answer counts once; a cast that did not arrive says so and offers a retry.
import { ApiError, api, fill, texts } from "./net.js";
import { alertBox } from "./vote_ui.js";

function newKey() {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function setupVote() {
  const form = document.querySelector("[data-vote-form]");
  const pollId = document.body.dataset.poll;
  // The device check's practice vote uses these same buttons with its own endpoint.
  const endpoint = form && (form.dataset.voteEndpoint || (pollId && `/polls/${pollId}/ballots`));
  if (!form || !endpoint) return;
  const t = texts();
  const status = document.getElementById("rr-vote-status");
  const buttons = [...form.querySelectorAll("button[name=choice]")];
  let pending = null; // { choice, key } of the cast in flight or last failed

  function show(node) {
    status.innerHTML = "";
    if (node) status.append(node);
  }

  function mark(choice) {
    for (const button of buttons) {
      const chosen = button.value === choice;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("kern-btn--primary", chosen);
      button.classList.toggle("kern-btn--secondary", !chosen);
    }
  }

  async function cast(choice) {
    if (!pending || pending.choice !== choice) pending = { choice, key: newKey() };
    const { key } = pending;
    buttons.forEach((b) => { b.disabled = true; });
    show(alertBox("info", t["vote.sending"]));
    try {
      await api(endpoint, { method: "POST", body: { choice }, headers: { "Idempotency-Key": key } });
      pending = null;
      mark(choice);
      history.replaceState(null, "", `?stimme=${encodeURIComponent(choice)}`);
      const counted = t[form.dataset.voteCounted || "vote.counted"];
      const confirmed = alertBox("success", fill(t["vote.your_choice"], { choice: t["vote." + choice] }), counted);
      confirmed.dataset.voteConfirmed = "";
      show(confirmed);
      form.dispatchEvent(new CustomEvent("rr-vote-cast", { detail: { choice } }));
    } catch (error) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "kern-btn kern-btn--primary";
      const label = document.createElement("span");
      label.className = "kern-label";
      label.textContent = t["vote.retry"];
      retry.append(label);
      retry.addEventListener("click", () => cast(choice));
      const detail = error instanceof ApiError && error.status < 500 ? error.detail : "";
      const box = alertBox("danger", t["vote.failed"], detail, error instanceof ApiError && error.status < 500 ? null : retry);
      box.dataset.voteFailed = "";
      show(box);
      if (error instanceof ApiError && error.status < 500) pending = null;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = event.submitter && event.submitter.value;
    if (choice) cast(choice);
  });
}

export function updateProgress(data) {
  const line = document.querySelector('[data-live="vote-progress"]');
  if (!line || data.poll_id !== document.body.dataset.poll) return;
  line.textContent = fill(texts()["vote.progress"], { cast: data.ballots_cast, roll: data.roll_size });
}
