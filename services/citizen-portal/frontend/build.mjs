// Copies the livestream player's library into the portal package (ratsraum_portal/static/
// vendor/), so the portal serves it itself. hls.js's "light" build: HLS playback without the
// parts a town's live stream does not use (DRM, alternate audio, in-stream subtitles); the
// captions come as a WebVTT <track> the browser reads itself.
// Reproducible: the pinned version from package-lock.json, copied byte for byte.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "ratsraum_portal", "static", "vendor");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of ["hls.light.min.js", "LICENSE"]) {
  const from = name === "LICENSE"
    ? join(here, "node_modules", "hls.js", "LICENSE")
    : join(here, "node_modules", "hls.js", "dist", name);
  copyFileSync(from, join(out, name === "LICENSE" ? "hls.js.LICENSE.txt" : name));
}
