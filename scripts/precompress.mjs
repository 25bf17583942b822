// Precompressed copies of the built app, for static hosts that serve them (docs/DEPLOY.md).
//
// Run by trunk as a post_build hook after csp.mjs (TRUNK_STAGING_DIR set), or by hand on dist/:
//   node scripts/precompress.mjs [dir]
// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) next to every .wasm, .js,
// .css, .html, .json and .svg file, so a server sends the compressed bytes without compressing per request
// (`e2e/serve-dist.mjs`, nginx `gzip_static` / `brotli_static`, Caddy `precompressed`).
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR || "dist";
const compressible = new Set([".wasm", ".js", ".css", ".html", ".json", ".svg"]);

let raw = 0, br = 0, gz = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!compressible.has(extname(name)) || !statSync(path).isFile()) continue;
  const bytes = readFileSync(path);
  const b = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [constants.BROTLI_PARAM_MODE]: extname(name) === ".wasm" ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const g = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.br`, b);
  writeFileSync(`${path}.gz`, g);
  raw += bytes.length;
  br += b.length;
  gz += g.length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`precompress: ${kb(raw)} → brotli ${kb(br)}, gzip ${kb(gz)} (.br and .gz written in ${dir})`);
