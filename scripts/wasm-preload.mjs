// One download of the main wasm per page load, in every engine.
//
// trunk writes a `<link rel="preload" as="fetch" crossorigin integrity>` for the wasm, and a loader
// that fetches it again with `init({ module_or_path })`. Chromium reuses the preloaded response;
// WebKit does not and downloads the wasm twice on every page load (issue 24: 10 downloads for 5
// loads in the cross-engine smoke, which counts them). Giving the loader a fetch with the
// preload's exact options made Firefox download twice as well, so the preload goes: the loader's
// own fetch starts as soon as the small, modulepreloaded JS has run, and nothing is fetched twice.
// Run by trunk's post_build hook before scripts/csp.mjs, or by hand: node scripts/wasm-preload.mjs [dir]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR || "dist";
const indexPath = join(dir, "index.html");
const html = readFileSync(indexPath, "utf8");

const attr = (tag, name) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
const preloads = [...html.matchAll(/<link\b[^>]*\brel="preload"[^>]*>/g)]
  .map((m) => m[0])
  .filter((tag) => attr(tag, "as") === "fetch" && attr(tag, "type") === "application/wasm");
let out = html;
for (const tag of preloads) out = out.replace(tag, "");
writeFileSync(indexPath, out);
console.log(`wasm-preload: removed ${preloads.length} wasm preload link(s): ${preloads.map((t) => attr(t, "href")).join(", ") || "none"}`);
