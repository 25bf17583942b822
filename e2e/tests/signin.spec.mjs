// Issue 3: sign-in with PKCE against the sandbox tenant, token checks, WhoAmI, $metadata and the
// entity picker — the happy path and every error path with its diagnosis.
import { test, expect } from "@playwright/test";
import { writeFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  FIXTURES,
  SANDBOX,
  SBX,
  diagnosis,
  downloadExport,
  expectDiagnosis,
  expectNotPersisted,
  expectStep,
  field,
  gotoStep,
  resetSandbox,
  startWithSandbox,
} from "./support.mjs";

const SANDBOX_SIGN_IN = "Sign in to Contoso (sandbox)";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

/** From step 7: "Sign in and test", then the sandbox's sign-in page. */
async function openSignIn(page) {
  await gotoStep(page, 7);
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8081\/[^/]+\/oauth2\/v2\.0\/authorize\?/);
}

/** Signs in on the sandbox page as `who`; back on step 7. */
async function signInAs(page, who) {
  await expect(page.getByRole("heading", { name: SANDBOX_SIGN_IN })).toBeVisible();
  await page.getByRole("button", { name: `Sign in as ${who}` }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/, { timeout: 20_000 });
  await expectStep(page, 7);
}

function signedInAs(page, upn) {
  return page.getByRole("status").filter({ hasText: `Signed in as ${upn}.` });
}

/** Sets a step-4 field. */
async function setDetail(page, label, value) {
  await gotoStep(page, 4);
  await field(page, label).fill(value);
  await expect(field(page, label)).toHaveAttribute("aria-invalid", "false");
}

test("happy path: sign in, token checks, WhoAmI, $metadata, pick the entity, export", async ({ page }) => {
  await startWithSandbox(page);

  // Watch every request to the callback: it must happen exactly once.
  const callbacks = [];
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.url().startsWith("http://localhost:8080/auth/callback")) callbacks.push(r.url());
  });

  // The access token, as the sandbox hands it out: it must live in memory only.
  let accessToken = null;
  page.on("response", async (r) => {
    if (r.url().endsWith("/oauth2/v2.0/token") && r.request().method() === "POST" && r.ok()) {
      accessToken = (await r.json()).access_token;
    }
  });

  await openSignIn(page);
  const authorize = new URL(page.url());
  expect(authorize.pathname).toBe(`/${SBX.tenant}/oauth2/v2.0/authorize`);
  expect(authorize.searchParams.get("client_id")).toBe(SBX.clientId);
  expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost:8080/auth/callback");
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  await expect(page.getByText("Access Dynamics 365 as organization users (user_impersonation)")).toBeVisible();
  await signInAs(page, "Alex Admin");

  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toBeVisible();
  // The four claim checks.
  const checks = page.getByRole("region", { name: "Signed in" }).getByRole("listitem");
  await expect(checks).toHaveCount(4);
  for (const label of ["Audience", "Tenant", "Scope", "Expiry"]) {
    await expect(checks.filter({ hasText: `${label}: ✓` })).toHaveCount(1);
  }
  await expect(checks.filter({ hasText: "✗" })).toHaveCount(0);
  // WhoAmI.
  await expect(
    page.getByRole("status").filter({ hasText: /Dataverse answers: you are user [0-9a-f-]{36} in organization eeeeeeee-0000-4000-8000-000000000001\./ }),
  ).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);

  // code and state are gone from the address bar and from history.
  expect(page.url()).not.toMatch(/[?&](code|state)=/);
  expect(callbacks).toHaveLength(1);
  expect(callbacks[0]).toMatch(/[?&]code=/);
  expect(await page.evaluate(() => location.search)).toBe("");

  // Load $metadata: progress (the download is throttled so a person could see it), then the count.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: 1_500_000,
    uploadThroughput: -1,
  });
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  const progress = page.getByRole("progressbar", { name: /Downloading \$metadata: .* of 3\.\d MB/ });
  await expect(progress).toBeVisible();
  await expect(page.getByRole("button", { name: "Load $metadata", exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Cancel" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Schema loaded from http:\/\/contoso\.crm\.localhost:8081\/api\/data\/v9\.2\/\$metadata: 331 entity sets/ })).toBeVisible({ timeout: 30_000 });
  await expect(progress).toHaveCount(0);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // The picker: type, arrow down, Enter.
  const picker = page.getByRole("combobox", { name: "Find the entity set" });
  await expect(page.getByText("331 entity sets in the schema.")).toBeVisible();
  await picker.click();
  await picker.pressSequentially("acc");
  await expect(picker).toHaveAttribute("aria-expanded", "true");
  const listbox = page.getByRole("listbox", { name: "Entity sets" });
  await expect(listbox).toBeVisible();
  const options = listbox.getByRole("option");
  expect(await options.count()).toBeGreaterThan(1);
  for (const name of await options.allInnerTexts()) expect(name.toLowerCase()).toContain("acc");
  await picker.press("ArrowDown");
  const active = listbox.getByRole("option", { selected: true });
  await expect(active).toHaveCount(1);
  const activeId = await active.getAttribute("id");
  await expect(picker).toHaveAttribute("aria-activedescendant", activeId);
  const activeName = (await active.innerText()).split(/\s*key:/)[0].trim();
  await picker.press("Enter");
  await expect(picker).toHaveValue(activeName);
  await expect(picker).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByText(`Chosen: ${activeName}.`)).toBeVisible();

  // Choose accounts: the record URL uses its key.
  await picker.fill("accounts");
  await listbox.getByRole("option", { name: /^accounts\s*key: accountid$/ }).click();
  await expect(picker).toHaveValue("accounts");
  await expect(page.getByText("http://contoso.crm.localhost:8081/api/data/v9.2/accounts({accountid})", { exact: true })).toBeVisible();

  // Neither the token nor the secret is kept anywhere that outlives the tab.
  expect(accessToken).toMatch(/^ey/);
  const stored = await expectNotPersisted(page, accessToken, "the access token");
  expect(JSON.stringify(stored.session)).not.toContain(accessToken);
  await expectNotPersisted(page, SBX.secret, "the client secret");

  // The choice is the connector's Entity (step 6), and the export holds it.
  await gotoStep(page, 6);
  await expect(field(page, "Entity")).toHaveValue("accounts");
  await gotoStep(page, 8);
  await expect(page.getByRole("status").filter({ hasText: "No problems" })).toBeVisible();
  const exported = await downloadExport(page);
  expect(exported.json.connections[0].connector.Entity).toBe("accounts");
  expect(exported.json.connections[0].connector.ServiceURL).toBe("http://contoso.crm.localhost:8081/api/data/v9.2/");
  expect(exported.text).toContain('"Entity": "accounts"');
  expect(exported.text).not.toContain(SBX.secret);

  // Going back through history never replays the callback.
  await gotoStep(page, 7);
  await page.goBack(); // step 8
  await page.goBack(); // step 6
  await page.goBack(); // step 7, where the sign-in came back
  await expect(page).toHaveURL(/\/setup\/test$/);
  await page.goBack(); // the sandbox sign-in page, not /auth/callback?code=…
  await expect(page).toHaveURL(/^http:\/\/localhost:8081\//);
  await expect(page.getByRole("heading", { name: SANDBOX_SIGN_IN })).toBeVisible();
  await page.goForward();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/);
  await expect(page.getByRole("button", { name: /Sign in/ }).first()).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(callbacks).toHaveLength(1);
});

test("redirect registered under Web: AADSTS9002326 with the SPA explanation", async ({ page }) => {
  await startWithSandbox(page);
  await setDetail(page, "Application (client) ID", SBX.webOnlyClientId);
  await openSignIn(page);
  await signInAs(page, "Alex Admin");
  const box = await expectDiagnosis(page, "AADSTS9002326", { raw: "AADSTS9002326" });
  await expect(box).toContainText('Redirect URI is registered as "Web", not "Single-page application"');
  await expect(box).toContainText("Single-page application");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toHaveCount(0);
});

test("cancel on the sign-in page: access_denied", async ({ page }) => {
  await startWithSandbox(page);
  await openSignIn(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/);
  const box = await expectDiagnosis(page, "AADSTS65004", { raw: "error=access_denied" });
  await expect(box).toContainText("declined");
  expect(page.url()).not.toContain("error=");
});

test("unknown tenant: the sandbox shows its own error page (AADSTS90002)", async ({ page }) => {
  await startWithSandbox(page);
  await setDetail(page, "Directory (tenant) ID", "99999999-8888-4777-8666-555555555555");
  await openSignIn(page);
  await expect(page.getByText(/AADSTS90002/).first()).toBeVisible();
  await expect(page.getByRole("button", { name: /Sign in as/ })).toHaveCount(0);
  // Nothing was redirected back to the wizard.
  expect(page.url()).not.toContain("localhost:8080");
});

test("a user who is not a member of the environment: WhoAmI 403 0x80072560", async ({ page }) => {
  await startWithSandbox(page);
  await openSignIn(page);
  await signInAs(page, "Nina Nomember");
  await expect(signedInAs(page, "nina@contoso.onmicrosoft.com")).toBeVisible();
  const box = await expectDiagnosis(page, "0x80072560", { raw: "The user is not a member of the organization." });
  await expect(box.getByRole("heading")).toContainText("HTTP 403");
  await expect(box).toContainText("not a user of this environment");
});

test("an environment without members: 403", async ({ page }) => {
  await startWithSandbox(page);
  await setDetail(page, "Environment URL", "http://fabrikam.crm.localhost:8081");
  await openSignIn(page);
  await signInAs(page, "Alex Admin");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toBeVisible();
  const box = await expectDiagnosis(page, "HTTP 403", { raw: "0x80072560" });
  await expect(box.getByRole("heading")).toContainText("0x80072560");
});

test("a replayed callback URL ends in a clear message, not a loop", async ({ page }) => {
  await startWithSandbox(page);
  const callbacks = [];
  const authorizes = [];
  page.on("request", (r) => {
    if (!r.isNavigationRequest()) return;
    if (r.url().startsWith("http://localhost:8080/auth/callback")) callbacks.push(r.url());
    if (r.url().includes("/oauth2/v2.0/authorize")) authorizes.push(r.url());
  });
  await openSignIn(page);
  await signInAs(page, "Alex Admin");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toBeVisible();
  expect(callbacks).toHaveLength(1);
  const used = callbacks[0];
  expect(used).toMatch(/[?&]code=.*[&]state=|[?&]state=.*[&]code=/);

  await page.goto(used);
  await expect(page).toHaveURL(/\/setup\/test$/);
  const box = await expectDiagnosis(page, "NO_PENDING_REQUEST");
  await expect(box).toContainText("No sign-in was started in this tab");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toHaveCount(0);
  // No loop: it stays put and never goes back to the sign-in page by itself.
  const authorizeCount = authorizes.length;
  await page.waitForTimeout(1500);
  await expect(page).toHaveURL(/\/setup\/test$/);
  expect(authorizes).toHaveLength(authorizeCount);
  expect(callbacks).toHaveLength(2);
});

test("a tampered state: state mismatch", async ({ page }) => {
  await startWithSandbox(page);
  await openSignIn(page);
  // Change the state the sandbox will send back.
  const url = new URL(page.url());
  expect(url.searchParams.get("state")).toBeTruthy();
  url.searchParams.set("state", "tampered-state-value");
  await page.goto(url.toString());
  await signInAs(page, "Alex Admin");
  const box = await expectDiagnosis(page, "STATE_MISMATCH");
  await expect(box).toContainText("does not belong to this sign-in");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toHaveCount(0);
});

test("slow environment: progress, Cancel, the schema loaded before stays", async ({ page }) => {
  await startWithSandbox(page);
  await setDetail(page, "Environment URL", "http://slow.crm.localhost:8081");
  await openSignIn(page);
  await signInAs(page, "Alex Admin");
  await expect(signedInAs(page, "alex@contoso.onmicrosoft.com")).toBeVisible();

  // A schema loaded before, from a file.
  await page.getByLabel("Or load $metadata from a file").setInputFiles(path.join(FIXTURES, "csdl/trippin_simpleodata.xml"));
  const loaded = page.getByRole("status").filter({ hasText: /Schema loaded from file: trippin_simpleodata\.xml/ });
  await expect(loaded).toBeVisible();

  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  const progress = page.getByRole("progressbar", { name: /Downloading \$metadata: .*\(size not announced\)/ });
  await expect(progress).toBeVisible();
  // It moves.
  const first = Number(await progress.getAttribute("value"));
  await expect.poll(async () => Number(await progress.getAttribute("value")), { timeout: 5_000 }).toBeGreaterThan(first);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(progress).toHaveCount(0);
  const box = await expectDiagnosis(page, "CANCELLED");
  await expect(box.getByRole("heading")).toContainText("Download cancelled");
  // The earlier schema is still there, and the picker still offers it.
  await expect(loaded).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Find the entity set" })).toBeVisible();
  await expect(page.getByText(/entity sets in the schema/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Load $metadata", exact: true })).toBeEnabled();
});

test.describe("$metadata from a file", () => {
  const broken = path.join(os.tmpdir(), `wizard-e2e-broken-${process.pid}.xml`);
  test.afterAll(async () => rm(broken, { force: true }));

  test("a saved document fills the picker; a damaged one is diagnosed with line and column", async ({ page }) => {
    await page.goto("/setup/test");
    await expectStep(page, 7);
    const input = page.getByLabel("Or load $metadata from a file");
    await input.setInputFiles(path.join(FIXTURES, "csdl/trippin_simpleodata.xml"));
    await expect(page.getByRole("status").filter({ hasText: /Schema loaded from file: trippin_simpleodata\.xml: \d+ entity sets/ })).toBeVisible();
    const picker = page.getByRole("combobox", { name: "Find the entity set" });
    await picker.click();
    await picker.pressSequentially("Peo");
    const people = page.getByRole("listbox", { name: "Entity sets" }).getByRole("option", { name: /^People\s*key: UserName$/ });
    await expect(people).toBeVisible();
    await picker.press("Enter");
    await expect(picker).toHaveValue("People");

    // Line 4, column 3: the closing tag does not match.
    await writeFile(
      broken,
      '<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n  <edmx:DataServices>\n  </edmx:Wrong>\n</edmx:Edmx>\n',
    );
    await input.setInputFiles(broken);
    const box = await expectDiagnosis(page, "METADATA_XML", { raw: /line 4, column \d+/ });
    await expect(box).toContainText(/line 4, column \d+/);
    await expect(diagnosis(page, "METADATA_XML")).toHaveCount(1);
  });
});
