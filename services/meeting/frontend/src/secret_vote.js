// The secret vote screen: the choice is encrypted here, on the member's device, and only the
// encrypted ballot goes to meeting. The ballot and its code live in this module's memory only
// (never in storage); a retry after a lost answer resends the very same ballot, which voting
// answers as a replay (a fresh encryption would be a second ballot, refused).
import { encryptChoice, prepareElection } from "./ballot/index.js";
import { ApiError, api, texts } from "./net.js";
import { alertBox, button } from "./vote_ui.js";

const held = { ballotJson: null, optionId: null, code: null };

function webCryptoUsable() {
  return Boolean(window.isSecureContext && window.crypto && window.crypto.subtle);
}

function codeBox(t, code) {
  const box = alertBox("success", t["vote.secret.cast"], t["vote.secret.code_explain"]);
  box.dataset.secretCast = "";
  const body = box.querySelector(".kern-alert__body");
  const label = document.createElement("p");
  label.className = "kern-label";
  label.textContent = t["vote.secret.code_label"];
  const shown = document.createElement("p");
  shown.className = "rr-code";
  shown.dataset.secretCode = "";
  shown.textContent = code;
  const copied = document.createElement("p");
  copied.className = "kern-body kern-body--small";
  copied.setAttribute("role", "status");
  const copy = button(t["vote.secret.copy"], "secondary", async () => {
    try {
      await navigator.clipboard.writeText(code);
      copied.textContent = t["vote.secret.copied"];
    } catch {
      copied.textContent = t["vote.secret.copy_failed"];
    }
  });
  body.prepend(label, shown);
  body.append(copy, copied);
  return box;
}

function setupCasting(t, section, status) {
  const options = section.querySelector("[data-secret-options]");
  const source = document.getElementById("rr-secret-election");
  if (!options || !source) return;
  const pollId = document.body.dataset.poll;
  const election = JSON.parse(source.textContent);
  const buttons = [...options.querySelectorAll("button[data-secret-option]")];
  const show = (node) => { status.innerHTML = ""; if (node) status.append(node); };
  section.querySelector("[data-secret-needs-js]")?.remove();

  if (!webCryptoUsable()) {
    show(alertBox("danger", t["vote.secret.no_webcrypto"]));
    return;
  }
  options.hidden = false;
  // Build the tables now, while the member reads: the tap then only encrypts.
  prepareElection(election).catch(() => {});

  function done(code) {
    held.code = code;
    section.hidden = true; // nothing left to choose: a secret ballot is final
    show(codeBox(t, code));
  }

  async function send() {
    buttons.forEach((b) => { b.disabled = true; });
    show(alertBox("info", t["vote.secret.encrypting"]));
    try {
      if (!held.ballotJson) {
        const made = await encryptChoice({ ...election, optionId: held.optionId });
        held.ballotJson = made.ballotJson;
      }
    } catch {
      held.optionId = null;
      show(alertBox("danger", t["vote.secret.encrypt_failed"]));
      buttons.forEach((b) => { b.disabled = false; });
      return;
    }
    try {
      const answer = await api(`/polls/${pollId}/secret-ballots`, {
        method: "POST", body: { ballot_json: held.ballotJson } });
      done(answer.confirmation_code);
    } catch (error) {
      const answered = error instanceof ApiError && error.status < 500;
      if (answered && error.status === 409 && error.type.endsWith("/wrong-state")) {
        // voting keeps one ballot per member and cannot replace it
        section.hidden = true;
        show(alertBox("info", t["vote.secret.already"]));
        return;
      }
      const retry = answered ? null : button(t["vote.retry"], "primary", send);
      const box = alertBox("danger", t["vote.failed"], answered ? error.detail : "", retry);
      box.dataset.voteFailed = "";
      show(box);
      if (answered) {
        held.ballotJson = null;
        held.optionId = null;
        buttons.forEach((b) => { b.disabled = false; });
      }
    }
  }

  for (const choice of buttons) {
    choice.addEventListener("click", () => {
      if (held.ballotJson || held.code) return; // one ballot per member, sent until answered
      held.optionId = choice.dataset.secretOption;
      choice.setAttribute("aria-pressed", "true");
      send();
    });
  }
}

function setupCheck(t, form) {
  const input = form.querySelector("input[name=code]");
  const result = form.querySelector("[data-code-result]");
  const pollId = document.body.dataset.poll;
  if (held.code && input && !input.value) input.value = held.code;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) return;
    result.innerHTML = "";
    try {
      const found = await api(`/polls/${pollId}/secret-record/codes/${encodeURIComponent(code)}`);
      const box = found.found
        ? alertBox("success", t["vote.secret.counted"])
        : alertBox("warning", t["vote.secret.not_found"]);
      box.dataset[found.found ? "codeFound" : "codeMissing"] = "";
      result.append(box);
    } catch (error) {
      const detail = error instanceof ApiError && error.status < 500 ? error.detail : "";
      result.append(alertBox("danger", detail || t["vote.secret.check_failed"]));
    }
  });
}

export function setupSecretVote() {
  const t = texts();
  const section = document.querySelector("[data-secret-vote]");
  const status = document.getElementById("rr-vote-status");
  if (section && status) setupCasting(t, section, status);
  const form = document.querySelector("[data-code-check]");
  if (form) setupCheck(t, form);
}

// The vote closed: with a code in memory, the page is swapped in place (a reload would lose
// the code) and the check form is filled in. Returns false when a plain reload will do.
let swapped = false;

export function secretClosed() {
  if (document.body.dataset.secretPoll === undefined || !held.code) return false;
  if (swapped) return true; // the close arrives as a poll and as a vote event: swap once
  swapped = true;
  fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((answer) => (answer.ok ? answer.text() : Promise.reject(new Error(String(answer.status)))))
    .then((html) => {
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      const main = document.querySelector("main");
      if (!fresh || !main) return;
      main.innerHTML = fresh.innerHTML;
      // The vote is over: the next one that opens may take this screen (app.js).
      delete document.body.dataset.pollOpen;
      setupSecretVote();
    })
    .catch(() => {});
  return true;
}
