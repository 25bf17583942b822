// Hardening checks over a whole sandbox journey: the Content Security Policy is sent and nothing
// violates it; no token or client secret ends up in localStorage, IndexedDB, cookies or the
// address bar / history; sign-out and Start over wipe the tab's sessionStorage; a callback opened
// in a second tab ends in a clear message.
import { test, expect } from "@playwright/test";

const SECRET = "Sbx8Q~sandbox.client.secret.value.000001";

async function collectCspViolations(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

/** Everything the page can persist, as one string: localStorage, IndexedDB (every store), cookies. */
async function persistentDump(page) {
  return page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      out.push(`${k}=${localStorage.getItem(k)}`);
    }
    out.push(`cookie=${document.cookie}`);
    const dbs = await indexedDB.databases();
    for (const { name } of dbs) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((res) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
        });
        // Payloads are compressed bytes: decode as Latin-1 so a stored token would still show.
        out.push(
          JSON.stringify(all, (k, v) =>
            v instanceof Uint8Array || v instanceof ArrayBuffer
              ? Array.from(new Uint8Array(v), (b) => String.fromCharCode(b)).join("")
              : v,
          ),
        );
      }
      db.close();
    }
    return out.join("\n");
  });
}

async function signInWithSandbox(page) {
  await page.goto("/");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await expect(page.getByRole("heading", { name: "Gather the details" })).toBeVisible();
  await page.getByRole("link", { name: /Test the connection/ }).first().click();
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible();
}

test("the policy is sent and a whole journey causes no violation", async ({ page }) => {
  await collectCspViolations(page);
  const response = await page.goto("/");
  const header = response.headers()["content-security-policy"];
  expect(header).toContain("frame-ancestors 'none'");
  expect(header).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
  expect(header).toContain("connect-src");
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveCount(1);

  await signInWithSandbox(page);
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  await expect(page.getByRole("combobox", { name: "Find the entity set" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("combobox", { name: "Find the entity set" }).fill("account");
  await page.getByRole("link", { name: /Review and export/ }).first().click();
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
});

test("no token or secret is persisted, in the address bar or in history", async ({ page }) => {
  let accessToken = null;
  page.on("response", async (r) => {
    if (r.url().includes("/oauth2/v2.0/token") && r.request().method() === "POST") {
      try {
        accessToken = (await r.json()).access_token ?? accessToken;
      } catch {}
    }
  });
  await signInWithSandbox(page);
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  await expect(page.getByRole("combobox", { name: "Find the entity set" })).toBeVisible({ timeout: 30_000 });
  expect(accessToken, "the token response was seen").toBeTruthy();

  const dump = await persistentDump(page);
  expect(dump).toContain("dataverse-wizard"); // progress is saved…
  expect(dump).not.toContain(accessToken.slice(0, 40)); // …but no token
  expect(dump).not.toContain(SECRET); // …and no client secret
  expect(page.url()).not.toMatch(/code=|state=|access_token/);
  const history = await page.evaluate(() => [location.href, history.length]);
  expect(history[0]).not.toContain("code=");

  // The secret is in sessionStorage (this tab) only; Start over wipes it and the progress.
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(SECRET);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Start over" }).click();
  await expect(page.getByRole("heading", { name: "Register the app" })).toBeVisible();
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(SECRET);
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("11111111-2222");
});

test("sign-out forgets the token and pending requests", async ({ page }) => {
  await signInWithSandbox(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in and test" })).toBeVisible();
  await expect(page.getByText("Signed in as")).toHaveCount(0);
  const pending = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("pending")));
  expect(pending).toEqual([]);
});

test("a callback opened in a second tab ends in a clear message, and the first tab still works", async ({ page, context }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await page.goto("/setup/test");
  let callback = null;
  page.on("request", (r) => {
    if (r.url().includes("/auth/callback?")) callback = r.url();
  });
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible();
  expect(callback).toContain("code=");

  // The same answer opened in another tab: that tab never started a sign-in.
  const second = await context.newPage();
  await second.goto(callback);
  await expect(second.getByRole("alert").first()).toContainText("No sign-in was started in this tab");
  await expect(second).toHaveURL(/\/setup\/test$/);
  // No loop: the second tab stays put, with a sign-in button to start over cleanly.
  await second.waitForTimeout(1000);
  await expect(second).toHaveURL(/\/setup\/test$/);
  await expect(second.getByRole("button", { name: "Sign in and test" })).toBeEnabled();
  // The first tab is unaffected.
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible();
});

test("names containing markup are shown as text, never as HTML", async ({ page }) => {
  const { writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const file = join(tmpdir(), `dvwiz-markup-${process.pid}.xml`);
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="T"><Key><PropertyRef Name="id&lt;img src=x onerror=alert(1)&gt;"/></Key>
<Property Name="id&lt;img src=x onerror=alert(1)&gt;" Type="Edm.Guid" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="a&lt;script&gt;window.__pwned=1&lt;/script&gt;b" EntityType="N.T"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`,
  );
  page.on("dialog", (d) => d.dismiss());
  await page.goto("/setup/test");
  await page.getByLabel("Or load $metadata from a file").setInputFiles(file);
  const picker = page.getByRole("combobox", { name: "Find the entity set" });
  await expect(picker).toBeVisible();
  await picker.focus();
  const option = page.getByRole("option").first();
  await expect(option).toContainText("a<script>window.__pwned=1</script>b");
  await expect(option).toContainText("key: id<img src=x onerror=alert(1)>");
  expect(await page.locator("#entity-listbox script, #entity-listbox img").count()).toBe(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
});

test("the Graph token and a new client secret are never persisted, nor in the address bar", async ({ page, request }) => {
  await request.post("http://localhost:8081/sandbox/reset");
  let graphToken = null;
  let newSecret = null;
  page.on("response", async (r) => {
    try {
      if (r.url().includes("/oauth2/v2.0/token") && (r.request().postData() || "").includes("grant_type=refresh_token") && r.ok()) {
        graphToken = (await r.json()).access_token;
      }
      if (r.url().endsWith("/addPassword") && r.ok()) newSecret = (await r.json()).secretText;
    } catch {}
  });
  await page.goto("/");
  await page.getByLabel("Sandbox scenario").selectOption("Client secret expired");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await expect(page.getByRole("heading", { name: "Gather the details" })).toBeVisible();
  await page.getByRole("link", { name: /Test the connection/ }).first().click();
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  const region = page.getByRole("region", { name: "Setup verification" });
  const secretItem = region.locator("ul.verdicts > li").filter({ hasText: /^✗ Client secret/ });
  await expect(secretItem).toHaveCount(1, { timeout: 30_000 });
  await secretItem.getByRole("button", { name: "Create a new client secret" }).click();
  await page.getByRole("button", { name: "Send: create the secret" }).click();
  await expect(region.locator("ul.verdicts > li").filter({ hasText: /^✓ Client secret/ })).toHaveCount(1, { timeout: 30_000 });
  expect(graphToken, "a Graph token was issued from the refresh token").toBeTruthy();
  expect(newSecret, "addPassword answered").toBeTruthy();

  const dump = await persistentDump(page);
  expect(dump).not.toContain(graphToken.slice(0, 40));
  expect(dump).not.toContain(newSecret);
  expect(page.url()).not.toContain(newSecret);
  expect(page.url()).not.toMatch(/access_token|secret/i);
  // The new secret is where a typed secret is: this tab's sessionStorage.
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(newSecret);
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(graphToken.slice(0, 40));
});
