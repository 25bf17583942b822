// Builds the app's wasm in parts: a main module for the first screens and the split modules the
// rest of the wizard fetches when first shown (src/split.rs; issue 24).
//
// trunk 0.21 runs wasm-bindgen right after cargo, and wasm-bindgen drops the relocations a split
// needs (trunk-rs/trunk#1022). So trunk builds the css, the parse worker and index.html, and this
// script, first in trunk's post_build hook, builds the app itself:
//   1. cargo, with the `split` feature and `--emit-relocs` on the final link;
//   2. tools/wasm-split (the splitter cargo-leptos uses): main.wasm, the split modules, a loader;
//   3. wasm-bindgen --keep-lld-exports on main.wasm (the split modules use the main module's table);
//   4. wasm-opt -Oz on every wasm (release only, as trunk's data-wasm-opt="z" did);
//   5. content-hashed names, copied into trunk's staging dir, and the loader written into
//      index.html: the main wasm's one fetch started (and compiled as it streams in) by an inline
//      script as the page is parsed, the wasm-bindgen JS and the split loader modulepreloaded, so
//      all download at once (not a wasm preload link: WebKit does not reuse it and downloads the
//      wasm twice).
// PROFILE_NAMES=1 keeps the function names in the release wasm (`wasm-opt -g`), so that a
// browser profile of the release build names its functions (about twice the size: never deploy it).
// Run by trunk (TRUNK_STAGING_DIR, TRUNK_PROFILE, TRUNK_HTML_FILE, TRUNK_PUBLIC_URL), so plain
// `trunk build` / `trunk serve` work, or by hand: node scripts/build-app.mjs [dir] [release|debug]
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const staging = resolve(process.argv[2] || process.env.TRUNK_STAGING_DIR || join(root, "dist"));
const profile = process.argv[3] || process.env.TRUNK_PROFILE || "release";
const publicUrl = process.env.TRUNK_PUBLIC_URL || "/";
const NAME = "dataverse-wizard";

// trunk runs this hook for every index.html it builds; only the app's gets the app.
if (process.env.TRUNK_HTML_FILE && resolve(process.env.TRUNK_HTML_FILE) !== join(root, "index.html")) {
  console.log(`build-app: ${process.env.TRUNK_HTML_FILE} is not the app's index.html; nothing to do`);
  process.exit(0);
}

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: ["ignore", opts.capture ? "pipe" : "inherit", "inherit"], encoding: "utf8" });
const tool = (name) => [join(root, "node_modules/.bin", name), join(process.env.HOME || "", ".cargo/bin", name)].find(existsSync) || name;
const hash = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 16);
};

const target = JSON.parse(run("cargo", ["metadata", "--format-version", "1", "--no-deps"], { capture: true })).target_directory;
const work = join(target, "app-split", profile);
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "bindgen"), { recursive: true });

// 1. The app, and the splitter (native).
run("cargo", ["build", "--release", "-p", "wasm-split", "--quiet"]);
const release = profile === "release" ? ["--release"] : [];
run("cargo", ["rustc", ...release, "-p", NAME, "--bin", NAME, "--target", "wasm32-unknown-unknown", "--features", "split", "--", "-C", "link-arg=--emit-relocs"]);
const linked = join(target, "wasm32-unknown-unknown", profile, `${NAME}.wasm`);

// 2. Split. The loader's imports are placeholders until the files have their hashed names.
const MAIN_JS = `./${NAME}.js`;
const LINK_JS = `./${NAME}-split.js`;
const manifest = JSON.parse(run(join(target, "release", "wasm-split"), [linked, work, MAIN_JS, LINK_JS], { capture: true }));

// 3. wasm-bindgen on the main module.
run(tool("wasm-bindgen"), ["--target", "web", "--keep-lld-exports", "--no-typescript", "--out-dir", join(work, "bindgen"), "--out-name", NAME, join(work, "main.wasm")]);

// 4. wasm-opt, as trunk did (release only).
const wasmFiles = [join(work, "bindgen", `${NAME}_bg.wasm`), ...manifest.modules.map((m) => join(work, m))];
if (profile === "release") {
  for (const f of wasmFiles) {
    // wasm-opt warns about a name subsection it does not know in the splitter's output (names
    // only; they are dropped anyway): keep its other messages.
    const r = spawnSync(tool("wasm-opt"), [`--output=${f}`, "-Oz", ...(process.env.PROFILE_NAMES ? ["-g"] : []), f], { cwd: root, encoding: "utf8" });
    const said = (r.stderr || "").split("\n").filter((l) => l && !/unknown name subsection/.test(l));
    if (said.length) console.error(said.join("\n"));
    if (r.status !== 0) throw new Error(`build-app: wasm-opt failed on ${f}`);
  }
}

// 5. Hashed names, the loader, index.html.
const out = new Map(); // staged name -> bytes
const mainWasm = readFileSync(wasmFiles[0]);
const mainWasmName = `${NAME}-${hash(mainWasm)}_bg.wasm`;
out.set(mainWasmName, mainWasm);
let link = readFileSync(join(work, basename(LINK_JS)), "utf8");
for (const m of manifest.modules) {
  const bytes = readFileSync(join(work, m));
  const staged = `${NAME}-${m.replace(/\.wasm$/, "")}-${hash(bytes)}.wasm`;
  out.set(staged, bytes);
  link = replaceExactlyOnce(link, `"./${m}"`, `"./${staged}"`, "the split loader");
}
let glue = readFileSync(join(work, "bindgen", `${NAME}.js`), "utf8");
const linkName = `${NAME}-split-${hash(link, glue, mainWasm)}.js`;
// Only the JS imports: the key of the wasm's imports object stays the name the wasm imports.
glue = replaceAll(glue, `from "${LINK_JS}"`, `from "./${linkName}"`, "the wasm-bindgen JS");
const glueName = `${NAME}-${hash(glue, mainWasm)}.js`;
link = replaceExactlyOnce(link, `"${MAIN_JS}"`, `"./${glueName}"`, "the split loader");
out.set(glueName, glue);
out.set(linkName, link);
for (const [name, bytes] of out) writeFileSync(join(staging, name), bytes);

const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
const url = (name) => `${publicUrl.replace(/\/?$/, "/")}${name}`;
const loader = `<link rel="modulepreload" href="${url(glueName)}" crossorigin="anonymous" integrity="${sri(glue)}" />
<link rel="modulepreload" href="${url(linkName)}" crossorigin="anonymous" integrity="${sri(link)}" />
<script type="module">
const bindings = await import('${url(glueName)}');
const wasm = await bindings.default({ module_or_path: await window.dataverseWizardMain });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
</script>
`;
// The main wasm's one fetch starts while the page is parsed, before the stylesheet (a module
// script runs only once the stylesheets before it have arrived), and is compiled as it arrives.
// A host that does not send application/wasm makes compileStreaming fail: then fetch it plainly.
const early = `<script>window.dataverseWizardMain = WebAssembly.compileStreaming(fetch('${url(mainWasmName)}')).catch(() => fetch('${url(mainWasmName)}'));</script>\n    `;
const indexPath = join(staging, "index.html");
// trunk leaves the skipped app link and the source's comments in; neither is for browsers.
const html = readFileSync(indexPath, "utf8")
  .replace(/\s*<!--[\s\S]*?-->/g, "")
  .replace(/\s*<link\b[^>]*\bdata-trunk-skip\b[^>]*>/g, "");
const stylesheet = html.search(/<link\b[^>]*\brel="stylesheet"/);
if (!html.includes("</head>") || stylesheet < 0) throw new Error("build-app: index.html has no </head> or no stylesheet");
if (html.includes("window.dataverseWizardMain")) throw new Error("build-app: index.html has a loader already (run trunk build)");
writeFileSync(indexPath, (html.slice(0, stylesheet) + early + html.slice(stylesheet)).replace("</head>", `${loader}</head>`));

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`build-app: main ${mainWasmName} (${kb(mainWasm.length)}), ${manifest.modules.length} split modules, loader ${linkName}`);

function replaceAll(text, from, to, what) {
  if (!text.includes(from)) throw new Error(`build-app: ${from} not found in ${what}`);
  return text.split(from).join(to);
}
function replaceExactlyOnce(text, from, to, what) {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`build-app: ${from} found ${n} times in ${what}, expected once`);
  return text.replace(from, to);
}
