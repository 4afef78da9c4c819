// The device check before a session: camera and microphone are tried on this device only
// (the picture stays in a local preview, nothing is recorded or sent), the round trip to
// meeting is measured, and the outcomes (words and milliseconds, no media) go to the API.
import { ApiError, api, fill, texts } from "./net.js";

const ROUNDS = 3;
const LISTEN_MS = 3000;
const SOUND_LEVEL = 0.01; // peak amplitude (of 1.0) above room silence

function errorResult(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return "not_allowed";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "not_found";
  return "not_checked";
}

async function tryMedia(constraints) {
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    return { result: "working", stream };
  } catch (error) {
    return { result: errorResult(error), stream: null };
  }
}

// Listens to the microphone for a moment (on this device only): a muted or wrong microphone
// gives access but no sound. Where the page cannot listen, access alone has to do.
async function hearsSound(stream) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return true;
  const audio = new Context();
  try {
    if (audio.state === "suspended") await audio.resume().catch(() => {});
    if (audio.state !== "running") return true;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const until = performance.now() + LISTEN_MS;
    while (performance.now() < until) {
      await new Promise((resolve) => { setTimeout(resolve, 100); });
      analyser.getFloatTimeDomainData(samples);
      if (samples.some((value) => Math.abs(value) > SOUND_LEVEL)) return true;
    }
    return false;
  } finally {
    audio.close().catch(() => {});
  }
}

// Both at once (one permission prompt); one by one only to tell which of the two failed.
async function checkMedia() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { camera: "not_checked", microphone: "not_checked", stream: null };
  }
  const both = await tryMedia({ video: true, audio: true });
  if (both.stream) {
    const heard = await hearsSound(both.stream);
    both.stream.getAudioTracks().forEach((track) => track.stop());
    return { camera: "working", microphone: heard ? "working" : "no_signal", stream: both.stream };
  }
  const video = await tryMedia({ video: true });
  const audio = await tryMedia({ audio: true });
  let microphone = audio.result;
  if (audio.stream) {
    microphone = (await hearsSound(audio.stream)) ? "working" : "no_signal";
    audio.stream.getTracks().forEach((track) => track.stop());
  }
  return { camera: video.result, microphone, stream: video.stream };
}

async function measure(path) {
  const times = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    await api(path);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

function showResult(name, result, t) {
  const node = document.querySelector(`[data-device-result="${name}"]`);
  if (!node) return;
  node.textContent = t[`device.result.${result}`] || result;
  node.dataset.state = result;
  const badge = node.closest(".kern-badge");
  if (badge) badge.className = `kern-badge kern-badge--${result === "working" ? "success" : result === "not_checked" ? "info" : "danger"}`;
}

function preview(stream) {
  const video = document.getElementById("rr-device-preview");
  if (!video || !stream) return;
  video.srcObject = stream;
  video.hidden = false;
  // The preview is for the member's eyes only; the camera goes off again after a while.
  setTimeout(() => {
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
    video.hidden = true;
  }, 8000);
}

export function setupDeviceCheck() {
  const start = document.querySelector("[data-device-start]");
  if (!start) return;
  const meetingId = document.body.dataset.meeting;
  const person = document.body.dataset.person;
  const own = `/meetings/${meetingId}/device-checks/${person}`;
  const t = texts();
  const status = document.getElementById("rr-device-status");
  start.hidden = false;
  for (const node of document.querySelectorAll("[data-device-needs-js]")) node.hidden = true;

  start.addEventListener("click", async () => {
    start.disabled = true;
    status.textContent = t["device.running"];
    const media = await checkMedia();
    showResult("camera", media.camera, t);
    showResult("microphone", media.microphone, t);
    preview(media.stream);
    let ms = null;
    try {
      ms = await measure(own);
    } catch { /* no answer: reported below as not measured */ }
    const line = document.querySelector('[data-device-result="connection"]');
    if (line) {
      line.textContent = ms === null ? t["device.connection.none"] : fill(t["device.connection.ms"], { ms });
      line.dataset.state = ms === null ? "none" : "measured";
    }
    try {
      await api(own, { method: "PUT", body: { camera: media.camera, microphone: media.microphone, connection_ms: ms } });
      status.textContent = t["device.reported"];
      status.dataset.reported = "";
    } catch (error) {
      status.textContent = t["device.not_reported"] + (error instanceof ApiError && error.detail ? ` ${error.detail}` : "");
    } finally {
      start.disabled = false;
    }
  });

  const form = document.querySelector("[data-vote-form][data-vote-endpoint]");
  if (form) {
    form.addEventListener("rr-vote-cast", () => showResult("practice", "working", t));
  }
}
