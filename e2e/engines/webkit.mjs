// A WebKitGTK session for the cross-engine smoke: Debian's WebKitWebDriver, under xvfb-run (the
// MiniBrowser it starts needs a display), spoken to over W3C WebDriver (HTTP + JSON). Only what
// the journey needs: navigate, run a script, close.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const MINIBROWSER = process.env.MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const PORT = Number(process.env.WEBKIT_DRIVER_PORT || 4445);

async function call(method, url, body) {
  const r = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`WebDriver ${method} ${url}: ${r.status} ${JSON.stringify(json.value ?? json).slice(0, 300)}`);
  return json.value;
}

/** Starts WebKitWebDriver and a MiniBrowser session: { navigate, execute, close, version }. */
export async function webkitSession() {
  const driver = spawn("xvfb-run", ["-a", "WebKitWebDriver", `--port=${PORT}`], { stdio: ["ignore", "ignore", "inherit"], detached: true });
  const base = `http://127.0.0.1:${PORT}`;
  const stop = () => {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    for (let i = 0; ; i++) {
      try {
        const s = await call("GET", `${base}/status`);
        if (s?.ready) break;
      } catch (e) {
        if (i > 100) throw e;
      }
      await sleep(100);
    }
    const created = await call("POST", `${base}/session`, {
      capabilities: {
        alwaysMatch: {
          "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
          pageLoadStrategy: "normal",
        },
      },
    });
    const session = `${base}/session/${created.sessionId}`;
    return {
      version: `${created.capabilities?.browserName ?? "MiniBrowser"} ${created.capabilities?.browserVersion ?? ""}`.trim(),
      navigate: (url) => call("POST", `${session}/url`, { url }),
      execute: (body) => call("POST", `${session}/execute/sync`, { script: body, args: [] }),
      close: async () => {
        await call("DELETE", session).catch(() => {});
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}
