// Passkeys on identity's pages: the only script identity serves. Progressive enhancement:
// without it (or without WebAuthn) the passkey buttons stay hidden and the forms still work.
// Options and answers travel as JSON (WebAuthn Level 3: parse...FromJSON, toJSON).
"use strict";

(function () {
  const supported = window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

  function say(form, text) {
    const status = form.querySelector("[data-passkey-status]");
    if (status) { status.textContent = text; }
  }

  async function optionsFor(button) {
    if (button.dataset.options) {
      return { challengeId: button.dataset.challenge, publicKey: JSON.parse(button.dataset.options) };
    }
    const answer = await fetch(button.dataset.optionsUrl, { method: "POST", credentials: "same-origin" });
    if (!answer.ok) { throw new Error("options"); }
    const body = await answer.json();
    return { challengeId: body.challenge_id, publicKey: body.public_key };
  }

  async function run(button) {
    const form = button.form;
    say(form, button.dataset.waiting);
    try {
      const { challengeId, publicKey } = await optionsFor(button);
      const credential = button.dataset.passkey === "create"
        ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(publicKey) })
        : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey) });
      form.elements.passkey_challenge.value = challengeId;
      form.elements.passkey_response.value = JSON.stringify(credential.toJSON());
      form.submit();
    } catch (error) {
      say(form, button.dataset.failed);
    }
  }

  document.querySelectorAll("button[data-passkey]").forEach(function (button) {
    if (!supported) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { run(button); });
  });
})();
