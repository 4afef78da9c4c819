// Bundles the web app's assets into the meeting package (ratsraum_meeting/web/static/build/):
// one stylesheet (KERN UX with its fonts, plus our few additions) and one script. The script
// includes the ballot modules (src/ballot, ~14 KB minified): the secret vote screen then needs
// no further download when the vote opens, which matters on a poor mobile connection.
// It also writes identity's stylesheet (src/admin.css: sign-in and admin pages) into
// ratsraum_identity/static/build, and the citizen portal's (src/portal.css) into
// ratsraum_portal/static/build: every Ratsraum page shares src/layout.css and one locked KERN UX.
// Reproducible: pinned versions from package-lock.json, no hashes of time or machine.
import { build } from "esbuild";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "ratsraum_meeting", "web", "static", "build");

// Identity's pages (sign-in, town admins, operators) get the same KERN stylesheet of their own.
const identityOut = join(here, "..", "..", "identity", "src", "ratsraum_identity", "static", "build");
// The citizen portal serves its own copy too (fonts included), under its /static path.
const portalOut = join(here, "..", "..", "citizen-portal", "src", "ratsraum_portal", "static", "build");

for (const dir of [out, identityOut, portalOut]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

// One stylesheet: KERN UX and its fonts bundled in, the fonts written beside it (fonts/).
async function stylesheet(name, outdir) {
  await build({
    entryPoints: { [name]: join(here, "src", `${name}.css`) },
    bundle: true,
    minify: true,
    outdir,
    loader: { ".woff2": "file", ".woff": "file" },
    assetNames: "fonts/[name]",
    logLevel: "warning",
  });
}

await stylesheet("app", out);
await stylesheet("admin", identityOut);
await stylesheet("portal", portalOut);

await build({
  entryPoints: { app: join(here, "src", "app.js") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  logLevel: "warning",
});
