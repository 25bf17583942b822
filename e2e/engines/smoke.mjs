// The cross-engine smoke (issue 24): one journey — start, sandbox, sign-in round trip, setup
// verification, schema load, picker, cache reload, Settings clear — in Firefox ESR (WebDriver
// BiDi through puppeteer-core) and in WebKitGTK (WebKitWebDriver + MiniBrowser under xvfb-run),
// against the release build (dist/) and the sandbox, both started here. Chromium runs the full
// Playwright suite; this catches what breaks in the other two engines.
//
// The journey drives the page through small scripts run in it (the same in both engines) rather
// than each driver's input API: it checks that the app works there, not the drivers.
// Ends with "N passed, N failed"; exit status 1 when an engine failed. ENGINES=firefox,webkit
// chooses which.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import puppeteer from "puppeteer-core";
import { webkitSession } from "./webkit.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, "../..");
const APP = "http://localhost:8080";
const SANDBOX = "http://localhost:8081";
const TARGET = process.env.CARGO_TARGET_DIR || path.join(REPO, "target");
const engines = (process.env.ENGINES || "firefox,webkit").split(",").map((s) => s.trim());

/** Starts a server and waits until `url` answers. */
async function serve(command, args, url, env = {}) {
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  child.kill();
  throw new Error(`${command} did not answer at ${url}`);
}

// In-page helpers, prepended to every script the journey runs.
const HELPERS = `
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const button = (name) => [...document.querySelectorAll("button")].find((b) => norm(b.textContent) === name && !b.disabled);
  const text = () => norm(document.body ? document.body.innerText : "");
  const fill = (el, value) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    set.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
`;

/** The journey on `page` ({ goto, run, name }): each step waits for what a person would see. */
async function journey(page) {
  const waitFor = async (what, script, timeout = 30_000) => {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        last = await page.run(script);
        if (last) return last;
      } catch (e) {
        last = String(e);
      }
      await sleep(150);
    }
    throw new Error(`${page.name}: timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`);
  };
  const click = async (name) => {
    await waitFor(`the button "${name}"`, `return !!button(${JSON.stringify(name)});`);
    await page.run(`window.confirm = () => true; button(${JSON.stringify(name)}).click(); return true;`);
  };
  const steps = [];
  const step = async (name, fn) => {
    const t = Date.now();
    await fn();
    steps.push(`${name} ${Date.now() - t} ms`);
  };

  await step("start", async () => {
    await page.goto(`${APP}/`);
    await click("Try with the sandbox");
    await waitFor("step 4", `return location.pathname === "/setup/details";`);
  });
  await step("sign-in round trip", async () => {
    await page.goto(`${APP}/setup/test`);
    await click("Sign in and test");
    await waitFor("the sandbox's sign-in page", `return location.origin === ${JSON.stringify(SANDBOX)} && !!button("Sign in as Alex Admin");`);
    await click("Sign in as Alex Admin");
    await waitFor("the signed-in page", `return location.href === ${JSON.stringify(`${APP}/setup/test`)} && text().includes("Signed in as alex@contoso.onmicrosoft.com");`);
  });
  await step("verification", async () => {
    const marks = await waitFor(
      "ten verdicts",
      `const items = [...document.querySelectorAll("ul.verdicts > li")];
       if (items.length !== 10 || text().includes("Checking every setup step")) return null;
       return items.map((li) => norm(li.textContent).slice(0, 2));`,
    );
    const wrong = marks.filter((m) => m.startsWith("✗"));
    if (wrong.length) throw new Error(`${page.name}: verification shows ✗: ${marks.join(" ")}`);
  });
  await step("schema load", async () => {
    await click("Load $metadata");
    await waitFor("the schema", `return /Schema loaded from /.test(text());`);
  });
  await step("picker", async () => {
    await page.run(`const box = document.querySelector("input[role=combobox]"); box.focus(); fill(box, "acc"); return true;`);
    const first = await waitFor(
      "options for acc",
      `const o = document.querySelector("[role=listbox] [role=option]"); return o && norm(o.textContent);`,
    );
    if (!first.startsWith("accounts")) throw new Error(`${page.name}: the first option for "acc" is "${first}"`);
  });
  await step("cache reload", async () => {
    await page.goto(`${APP}/setup/test`);
    await waitFor("the schema from the cache", `return /Schema loaded from the cache/.test(text());`);
  });
  await step("settings clear", async () => {
    await page.goto(`${APP}/settings`);
    await click("Clear all");
    await waitFor("an empty cache", `return text().includes("No schema is cached.");`);
  });
  return steps;
}

/** Firefox ESR over WebDriver BiDi. */
async function firefox(run) {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    protocol: "webDriverBiDi",
    extraPrefsFirefox: { "network.dns.localDomains": "localhost,contoso.crm.localhost,graph.localhost" },
  });
  try {
    const p = await browser.newPage();
    return await run({
      name: "Firefox",
      goto: async (url) => {
        await p.goto(url, { waitUntil: "load" });
      },
      run: (script) => p.evaluate(`(() => { ${HELPERS} ${script} })()`),
      version: await browser.version(),
    });
  } finally {
    await browser.close();
  }
}

/** WebKitGTK: MiniBrowser through WebKitWebDriver. */
async function webkit(run) {
  const session = await webkitSession();
  try {
    return await run({
      name: "WebKit",
      goto: (url) => session.navigate(url),
      run: (script) => session.execute(`${HELPERS} ${script}`),
      version: session.version,
    });
  } finally {
    await session.close();
  }
}

// Every file the app server sends, one line each: a page load must download each file once.
const LOG = path.join(os.tmpdir(), `engines-served-${process.pid}.log`);
writeFileSync(LOG, "");
const served = () => readFileSync(LOG, "utf8").split("\n").filter(Boolean);

/** Files downloaded more often than the pages that need them were loaded. */
function downloadsPerLoad(lines) {
  const count = (pred) => lines.filter(pred).length;
  const loads = count((f) => f === "index.html");
  const twice = [...new Set(lines)]
    .filter((f) => /\.(wasm|js|css)$/.test(f) && !f.startsWith("parse-worker"))
    .map((f) => [f, count((x) => x === f)])
    .filter(([, n]) => n > loads);
  return { loads, twice };
}

const app = await serve("node", [path.join(REPO, "e2e/serve-dist.mjs")], `${APP}/`, { APP_PORT: "8080", SERVE_DIST_LOG: LOG });
const sandbox = await serve(path.join(TARGET, "release/sandbox"), ["--config", "sandbox/sandbox.toml", "--port", "8081"], `${SANDBOX}/sandbox/health`);
let passed = 0;
let failed = 0;
try {
  for (const name of engines) {
    const drive = { firefox, webkit }[name];
    if (!drive) throw new Error(`unknown engine ${name}`);
    await fetch(`${SANDBOX}/sandbox/reset`, { method: "POST" });
    writeFileSync(LOG, "");
    const t = Date.now();
    try {
      const steps = await drive(async (page) => {
        const s = await journey(page);
        console.log(`[engines] ${page.name} (${page.version}): ${s.join(", ")}`);
        const { loads, twice } = downloadsPerLoad(served());
        if (twice.length) {
          throw new Error(`${page.name}: ${loads} page loads, but ${twice.map(([f, n]) => `${f} ${n} times`).join(", ")}`);
        }
        console.log(`[engines] ${page.name}: ${loads} page loads, each file downloaded once per load`);
        return s;
      });
      passed += 1;
      console.log(`[engines] ✓ ${name}: the journey passed in ${((Date.now() - t) / 1000).toFixed(1)} s (${steps.length} steps)`);
    } catch (e) {
      failed += 1;
      console.log(`[engines] ✗ ${name}: ${e.stack || e}`);
    }
  }
} finally {
  app.kill();
  sandbox.kill();
  rmSync(LOG, { force: true });
}
console.log(`engines: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
