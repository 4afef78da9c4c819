// The page's way to meeting's API: same-origin cookie, CSRF header on every unsafe call.
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class ApiError extends Error {
  constructor(status, detail, type = "") {
    super(detail);
    this.status = status;
    this.type = type; // the problem's type URI; its last segment names the refusal
  }
}

// Resolves with the JSON answer; rejects with ApiError (answered) or TypeError (no answer).
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (method !== "GET") {
    init.headers["X-CSRF-Token"] = csrfToken();
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  const answer = await fetch(`/api/v1${path}`, init);
  if (!answer.ok) {
    let detail = "";
    let type = "";
    try {
      const problem = await answer.json();
      detail = problem.detail ?? "";
      type = problem.type ?? "";
    } catch { /* not JSON */ }
    throw new ApiError(answer.status, detail, type);
  }
  return answer.status === 204 ? null : answer.json();
}

export function texts() {
  const node = document.getElementById("rr-texts");
  return node ? JSON.parse(node.textContent) : {};
}

export function fill(template, values) {
  return (template || "").replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
}
