// Serves the release build (dist/) on localhost with an SPA fallback, as a static host would.
// Sends the Content-Security-Policy the build computed (dist/csp-policy.txt), as a static host should
// (see docs/DEPLOY.md), and the precompressed copies (scripts/precompress.mjs) when the browser
// accepts them. Used by `make serve` (scripts/serve.sh) and the end-to-end tests.
import { createServer } from "node:http";
import { appendFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { precompressed } from "./encoding.mjs";

const root = resolve(fileURLToPath(new URL("../dist", import.meta.url)));
const port = Number(process.env.APP_PORT || 8080);
// The policy scripts/csp.mjs computed for this build (its inline-script hash changes per build).
let policy = "";
try {
  policy = (await readFile(join(root, "csp-policy.txt"), "utf8")).trim();
} catch {
  console.warn("dist/csp-policy.txt missing: serving without a Content-Security-Policy header");
}
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

async function fileFor(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null; // a malformed escape such as /%E0 is a 404, not a crash of the server
  }
  const candidate = normalize(join(root, decoded));
  if (!candidate.startsWith(root)) return null;
  try {
    const s = await stat(candidate);
    if (s.isFile()) return candidate;
  } catch {}
  return null;
}

createServer(async (req, res) => {
  const url = new URL(req.url, `http://localhost:${port}`);
  let file = await fileFor(url.pathname);
  // SPA fallback: any path without a file extension gets index.html.
  if (!file && !extname(url.pathname)) file = join(root, "index.html");
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  // The cross-engine smoke counts downloads per file (e2e/engines/smoke.mjs).
  if (process.env.SERVE_DIST_LOG) appendFileSync(process.env.SERVE_DIST_LOG, `${file.slice(root.length + 1)}\n`);
  const sent = precompressed(file, req.headers["accept-encoding"]);
  const body = await readFile(sent.file);
  res.writeHead(200, {
    "content-type": types[extname(file)] || "application/octet-stream",
    ...(sent.encoding ? { "content-encoding": sent.encoding } : {}),
    vary: "accept-encoding",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    ...(policy ? { "content-security-policy": policy } : {}),
  });
  res.end(body);
}).listen(port, "127.0.0.1", () => console.log(`dist served on http://localhost:${port}`));
