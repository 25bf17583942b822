// What a first visit downloads (the main wasm, js and css in dist/; the parse worker is fetched
// only on demand), and its size raw, gzip (level 9, as scripts/precompress.mjs writes it) and
// brotli (the precompressed copy). One measure for `make bench` and the first-visit size budget
// test (e2e/tests/size-budget.spec.mjs, against first-visit-size-budget.json).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Raw, gzip and brotli bytes of `files` in `dist`. */
export function sizes(dist, files) {
  let raw = 0;
  let gz = 0;
  let br = 0;
  for (const f of files) {
    const b = readFileSync(join(dist, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    br += existsSync(join(dist, `${f}.br`)) ? statSync(join(dist, `${f}.br`)).size : NaN;
  }
  return { files, raw, gzip: gz, brotli: br };
}

/**
 * The files a first visit downloads: every file index.html names (the stylesheet, the
 * modulepreloaded wasm-bindgen JS and split loader, the main wasm its loader fetches), by kind; then what comes on
 * demand: the split modules (scripts/build-app.mjs) and the parse worker.
 */
export function bundle(dist) {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const firstVisit = new Set(
    [...html.matchAll(/["']([^"'?#\s]+\.(?:css|js|wasm))["']/g)].map((m) => m[1].split("/").pop()),
  );
  const distFiles = readdirSync(dist).filter((f) => statSync(join(dist, f)).isFile() && !/\.(br|gz)$/.test(f));
  const first = distFiles.filter((f) => firstVisit.has(f));
  const isWorker = (f) => f.startsWith("parse-worker");
  const app = {
    wasm: sizes(dist, first.filter((f) => f.endsWith(".wasm"))),
    js: sizes(dist, first.filter((f) => f.endsWith(".js"))),
    css: sizes(dist, first.filter((f) => f.endsWith(".css"))),
    html: sizes(dist, distFiles.filter((f) => f.endsWith(".html"))),
  };
  return {
    ...app,
    total_app: {
      raw: app.wasm.raw + app.js.raw + app.css.raw,
      gzip: app.wasm.gzip + app.js.gzip + app.css.gzip,
      brotli: app.wasm.brotli + app.js.brotli + app.css.brotli,
    },
    split_on_demand: sizes(dist, distFiles.filter((f) => f.endsWith(".wasm") && !firstVisit.has(f) && !isWorker(f))),
    parse_worker_on_demand: sizes(dist, distFiles.filter(isWorker)),
  };
}
