// Content Security Policy for the built app.
//
// Run by trunk as a post_build hook (TRUNK_STAGING_DIR set) or by hand on dist/:
//   node scripts/csp.mjs [dir]
// It hashes every inline <script> trunk wrote into index.html (the loader), writes the policy as a
// <meta http-equiv="Content-Security-Policy"> tag into index.html, and writes the same policy as
// HTTP headers for static hosts (`_headers`, Netlify / Cloudflare Pages format) and as
// `csp-policy.txt` for any other server. `frame-ancestors` only works as a header, so it is in the
// header files and in Trunk.toml's [serve] headers, not in the meta tag.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR || "dist";
const indexPath = join(dir, "index.html");
let html = readFileSync(indexPath, "utf8");

// Where the app may connect: the login hosts of the cloud profiles, the Dataverse hosts, Microsoft
// Graph of each cloud (the live setup checks of step 7), the local sandbox. Keep in step with core/src/cloud.rs (a native test checks this list).
export const CONNECT_SRC = [
  "'self'",
  "https://login.microsoftonline.com",
  "https://login.microsoftonline.us",
  "https://login.chinacloudapi.cn",
  "https://*.dynamics.com",
  "https://*.microsoftdynamics.us",
  "https://*.appsplatform.us",
  "https://*.dynamics.cn",
  "http://localhost:8081",
  "http://*.crm.localhost:8081",
  "https://graph.microsoft.com",
  "https://graph.microsoft.us",
  "https://dod-graph.microsoft.us",
  "https://microsoftgraph.chinacloudapi.cn",
  "http://graph.localhost:8081",
  "http://globaldisco.localhost:8081",
];

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`,
);

const directives = {
  "default-src": ["'self'"],
  // 'wasm-unsafe-eval' lets WebAssembly compile; it does not allow eval() of JavaScript.
  "script-src": ["'self'", "'wasm-unsafe-eval'", ...hashes],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "connect-src": CONNECT_SRC,
  "worker-src": ["'self'", "blob:"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
};
const policy = Object.entries(directives)
  .map(([k, v]) => `${k} ${v.join(" ")}`)
  .join("; ");

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, "");
// Right after <meta charset>, which must stay within the first 1024 bytes.
html = html.replace(/(<meta charset="[^"]*"\s*\/?>)/i, `$1\n    ${meta}`);
writeFileSync(indexPath, html);

const headerPolicy = `${policy}; frame-ancestors 'none'`;
writeFileSync(join(dir, "csp-policy.txt"), headerPolicy + "\n");
writeFileSync(
  join(dir, "_headers"),
  `/*\n  Content-Security-Policy: ${headerPolicy}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n  X-Frame-Options: DENY\n`,
);
console.log(`csp: ${hashes.length} inline script hash(es); policy written to ${indexPath}, _headers, csp-policy.txt`);
