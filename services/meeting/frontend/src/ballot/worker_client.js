// The page's side of worker.js: the same calls as index.js, answered by a Web Worker.

/**
 * A ballot worker started from `workerUrl` (the URL of worker.js). `prepare` builds the
 * election's tables ahead of the tap (call it when a secret vote opens); `encryptChoice`
 * answers { ballotJson, confirmationCode } as index.js does.
 */
export function startBallotWorker(workerUrl) {
  const worker = new Worker(workerUrl, { type: "module" });
  const pending = new Map();
  let next = 0;
  worker.addEventListener("message", (event) => {
    const { id, ok, result, error } = event.data;
    const waiting = pending.get(id);
    if (!waiting) return;
    pending.delete(id);
    if (ok) waiting.resolve(result);
    else waiting.reject(new Error(error));
  });
  worker.addEventListener("error", (event) => {
    for (const waiting of pending.values()) waiting.reject(new Error(event.message));
    pending.clear();
  });
  function ask(message) {
    next += 1;
    const id = next;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }
  return {
    prepare: ({ manifestJson, contextJson, allowTestGroup }) =>
      ask({ kind: "prepare", manifestJson, contextJson, allowTestGroup }),
    encryptChoice: ({ manifestJson, contextJson, optionId, allowTestGroup }) =>
      ask({ kind: "encrypt", manifestJson, contextJson, optionId, allowTestGroup }),
    terminate: () => worker.terminate(),
  };
}
