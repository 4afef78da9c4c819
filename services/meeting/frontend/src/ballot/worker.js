// A Web Worker that encrypts ballots off the page's main thread, so the vote screen stays
// responsive while the device computes. Start it as a module worker:
//   new Worker(new URL("./worker.js", import.meta.url), { type: "module" })
// and talk to it through worker_client.js.

import { encryptChoice, prepareElection } from "./index.js";

globalThis.addEventListener("message", async (event) => {
  const { id, kind, manifestJson, contextJson, optionId, allowTestGroup } = event.data ?? {};
  try {
    let result = null;
    if (kind === "prepare") {
      await prepareElection({ manifestJson, contextJson, allowTestGroup });
    } else if (kind === "encrypt") {
      result = await encryptChoice({ manifestJson, contextJson, optionId, allowTestGroup });
    } else {
      throw new Error(`unknown request ${JSON.stringify(kind)}`);
    }
    globalThis.postMessage({ id, ok: true, result });
  } catch (error) {
    globalThis.postMessage({ id, ok: false, error: String(error?.message ?? error) });
  }
});
