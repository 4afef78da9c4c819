// Bundles the web app's assets into the meeting package (ratsraum_meeting/web/static/build/):
// one stylesheet (KERN UX with its fonts, plus our few additions) and one script. The script
// includes the ballot modules (src/ballot, ~14 KB minified): the secret vote screen then needs
// no further download when the vote opens, which matters on a poor mobile connection.
// It also writes identity's stylesheet (src/admin.css: sign-in and admin pages) into
// ratsraum_identity/static/build.
// Reproducible: pinned versions from package-lock.json, no hashes of time or machine.
import { build } from "esbuild";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "ratsraum_meeting", "web", "static", "build");

// Identity's pages (sign-in, town admins, operators) get the same KERN stylesheet of their own.
const identityOut = join(here, "..", "..", "identity", "src", "ratsraum_identity", "static", "build");

for (const dir of [out, identityOut]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

await build({
  entryPoints: { app: join(here, "src", "app.css") },
  bundle: true,
  minify: true,
  outdir: out,
  loader: { ".woff2": "file", ".woff": "file" },
  assetNames: "fonts/[name]",
  logLevel: "warning",
});

await build({
  entryPoints: { admin: join(here, "src", "admin.css") },
  bundle: true,
  minify: true,
  outdir: identityOut,
  loader: { ".woff2": "file", ".woff": "file" },
  assetNames: "fonts/[name]",
  logLevel: "warning",
});

await build({
  entryPoints: { app: join(here, "src", "app.js") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  logLevel: "warning",
});
