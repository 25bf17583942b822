// Issue 9: live verification of every setup step. Each sandbox scenario ("Try with the sandbox" →
// Sandbox scenario) has exactly one problem; the "Setup verification" region on step 7 must show
// exactly that ✗ or ⚠ and no other. Plus the two fixes: create the application user, create a new
// client secret.
import { test, expect } from "@playwright/test";
import { expectDiagnosis, field, gotoStep, region, resetSandbox, signInAlex, startScenario, verdicts } from "./support.mjs";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

/** Loads $metadata (the picker's schema; the checks need only the typed entity set), then Verify again. */
async function loadSchemaAndVerify(page) {
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /Schema loaded from/ })).toBeVisible({ timeout: 30_000 });
  await verdicts(page);
  await region(page).getByRole("button", { name: "Verify again" }).click();
  return verdicts(page);
}

/** "✗ Application user" etc.: the symbol and name each flagged item starts with. */
async function flagged(items) {
  const out = [];
  for (const t of await items.allTextContents()) {
    const m = t.match(/^([✓⚠✗?]) (.+?)(?: \(|$)/s);
    expect(m, `a verdict item starts with a symbol and the check's name: ${t.slice(0, 80)}`).not.toBeNull();
    const name = CHECKS.find((c) => t.slice(2).startsWith(c));
    expect(name, `a known check name in: ${t.slice(0, 80)}`).toBeTruthy();
    if (m[1] === "✗" || m[1] === "⚠") out.push(`${m[1]} ${name}`);
  }
  return out;
}

const CHECKS = [
  "App registration",
  "Redirect URIs",
  "Dynamics CRM permission",
  "Admin consent",
  "Enterprise application Object ID",
  "Client secret",
  "Application user",
  "Security roles",
  "Table privileges",
  "Environment access",
];

// scenario → the only ✗ / ⚠ the region may show.
const SCENARIOS = [
  ["Everything set up", []],
  ["Application user missing", ["✗ Application user"]],
  ["Application user disabled", ["✗ Application user"]],
  ["Application user has no security role", ["✗ Security roles"]],
  ["Role cannot read the table", ["✗ Table privileges"]],
  ["Client secret expired", ["✗ Client secret"]],
  ["Client secret expires soon", ["⚠ Client secret"]],
  ["Typed secret matches no secret of the app", ["✗ Client secret"]],
  // Alex consented for himself (a Principal grant): a warning, not ✗.
  ["Admin consent not granted", ["⚠ Admin consent"]],
  // client_credentials (the default) needs no delegated permission: a warning, not ✗.
  ["Dynamics CRM permission missing", ["⚠ Dynamics CRM permission"]],
  ["Wrong Object ID", ["✗ Enterprise application Object ID"]],
];

test("the scenario select lists the seventeen scenarios, Everything set up first", async ({ page }) => {
  await page.goto("/");
  const select = page.getByLabel("Sandbox scenario");
  await expect(select).toHaveValue("Everything set up");
  await expect(select.locator("option")).toHaveText([
    "Everything set up",
    "Application user missing",
    "Application user disabled",
    "Application user has no security role",
    "Role cannot read the table",
    "Client secret expired",
    "Client secret expires soon",
    "Typed secret matches no secret of the app",
    "Redirect under Web, not single-page application",
    "Admin consent not granted",
    "Dynamics CRM permission missing",
    "Wrong Object ID",
    "Environment restricts this app",
    "Role through a team",
    "Opaque access tokens",
    "Bare app registration",
    "Busy environment",
  ]);
});

for (const [name, expected] of SCENARIOS) {
  test(`scenario: ${name}`, async ({ page }) => {
    await startScenario(page, name);
    await signInAlex(page);
    const items = await loadSchemaAndVerify(page);
    const found = await flagged(items);
    console.log(`[verify] ${name}: ${found.length ? found.join(", ") : "all ✓ (no ✗ or ⚠)"}`);
    expect(found).toEqual(expected);
    // A ✗ or ⚠ says cause, evidence and fix, with a link to the step that fixes it.
    for (const f of expected) {
      const item = items.filter({ hasText: f });
      await expect(item.getByText("Cause")).toBeVisible();
      await expect(item.getByText("Evidence")).toBeVisible();
      await expect(item.getByRole("link", { name: /^Fix it on step \d/ })).toBeVisible();
    }
  });
}

test("Data Sync writes: a role that only reads the table is ✗ once writing is ticked", async ({ page }) => {
  // "Role cannot read the table": the only role is "Contact reader (sandbox)" (Read on contact).
  await startScenario(page, "Role cannot read the table");
  await field(page, "Entity").fill("contacts");
  const writes = page.getByLabel("Data Sync will write to this table");
  await expect(writes).not.toBeChecked();
  await signInAlex(page);
  let items = await loadSchemaAndVerify(page);
  expect(await flagged(items)).toEqual([]);
  await expect(items.filter({ hasText: /^✓ Table privileges/ })).toContainText("Read (prvReadContact, Organization)");

  await gotoStep(page, 6);
  await writes.check();
  await gotoStep(page, 7);
  await region(page).getByRole("button", { name: "Verify again" }).click();
  items = await verdicts(page);
  expect(await flagged(items)).toEqual(["✗ Table privileges"]);
  const table = items.filter({ hasText: /^✗ Table privileges/ });
  await expect(table).toContainText(
    "Neither the application user's security roles nor its teams' roles allow Create (prvCreateContact) and Write (prvWriteContact) on the contact table",
  );
  console.log(`[verify] writes ticked, read-only role: ${(await table.textContent()).slice(0, 120)}`);
});

test("no refresh token: a second sign-in for Microsoft Graph runs the Graph checks, the Dataverse results kept", async ({ page }) => {
  // Entra ID can answer without a refresh token: drop it from every token answer.
  await page.route("http://localhost:8081/**/oauth2/v2.0/token", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    delete body.refresh_token;
    await route.fulfill({ response, json: body });
  });
  await startScenario(page, "Application user missing");
  await signInAlex(page);
  let items = await verdicts(page);
  // The Dataverse checks ran; the Graph checks say why they could not.
  expect(await flagged(items)).toEqual(["✗ Application user"]);
  await expect(region(page)).toContainText("The sign-in gave no refresh token");
  await expect(items.filter({ hasText: /^\? App registration/ })).toContainText("needs a Microsoft Graph token");

  await region(page).getByRole("button", { name: "Sign in to Microsoft Graph" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8081\/.*Application\.Read\.All/);
  expect(new URL(page.url()).searchParams.get("scope")).not.toContain("user_impersonation");
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/, { timeout: 20_000 });

  items = await verdicts(page);
  const found = await flagged(items);
  console.log(`[verify] no refresh token, after the sign-in for Graph: ${found.join(", ")}`);
  expect(found).toEqual(["✗ Application user"]);
  for (const check of ["App registration", "Client secret", "Enterprise application Object ID"]) {
    await expect(items.filter({ hasText: new RegExp(`^✓ ${check}`) })).toHaveCount(1);
  }
  // The Dataverse sign-in ended with the redirect: its results are kept, its fixes need it back.
  await expect(region(page)).toContainText("To check those again, sign in above.");
  await expect(region(page).getByRole("button", { name: "Create the application user" })).toHaveCount(0);
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("verify-carried")))).toEqual([]);
});

test("no refresh token, and the sign-in for Microsoft Graph fails: the region says why, the Dataverse results stay", async ({ page }) => {
  // First token answer: no refresh token. Second (the Graph code): Entra ID refuses it.
  let answers = 0;
  await page.route("http://localhost:8081/**/oauth2/v2.0/token", async (route) => {
    const response = await route.fetch();
    answers += 1;
    if (answers === 1) {
      const body = await response.json();
      delete body.refresh_token;
      await route.fulfill({ response, json: body });
    } else {
      await route.fulfill({
        response,
        status: 400,
        json: {
          error: "invalid_grant",
          error_description: "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.",
          error_codes: [70008],
        },
      });
    }
  });
  await startScenario(page, "Application user missing");
  await signInAlex(page);
  await verdicts(page);
  await region(page).getByRole("button", { name: "Sign in to Microsoft Graph" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/, { timeout: 20_000 });

  const items = await verdicts(page);
  await expect(region(page)).toContainText("The sign-in for Microsoft Graph failed (The sign-in code has expired");
  await expect(items.filter({ hasText: /^\? App registration/ })).toContainText("the app-registration checks were not run");
  expect(await flagged(items)).toEqual(["✗ Application user"]);
});

test("scenario: Redirect under Web, not single-page application", async ({ page }) => {
  await startScenario(page, "Redirect under Web, not single-page application");
  await signInAlex(page);
  await expectDiagnosis(page, "AADSTS9002326", { raw: "AADSTS9002326" });
  // Not signed in: nothing is checked, so nothing else is flagged.
  await expect(region(page)).toContainText("Sign in above");
  await expect(region(page).locator("ul.verdicts > li")).toHaveCount(0);
  console.log("[verify] Redirect under Web, not single-page application: sign-in diagnosis AADSTS9002326");
});

test("scenario: Environment restricts this app", async ({ page }) => {
  await startScenario(page, "Environment restricts this app");
  await signInAlex(page);
  await expectDiagnosis(page, "0x80095ffc");
  const found = await flagged(await verdicts(page));
  console.log(`[verify] Environment restricts this app: ${found.join(", ")}`);
  expect(found).toEqual(["✗ Environment access"]);
});

test("fix: Application user missing turns ✓ after Create the application user", async ({ page }) => {
  await startScenario(page, "Application user missing");
  await signInAlex(page);
  const items = await verdicts(page);
  const user = items.filter({ hasText: /^✗ Application user/ });
  await expect(user).toHaveCount(1);
  await user.getByRole("button", { name: "Create the application user" }).click();
  const confirm = page.getByRole("group", { name: "Confirm: create the application user" });
  await expect(confirm.locator("pre")).toContainText("POST http://contoso.crm.localhost:8081/api/data/v9.2/systemusers");
  await expect(confirm.locator("pre")).toContainText('"applicationid": "aaaaaaaa-0000-4000-8000-000000000010"');
  const role = confirm.getByLabel("Security role");
  const chosen = await role.evaluate((s) => s.options[s.selectedIndex]?.text);
  expect(chosen).not.toBe("System Administrator");
  console.log(`[verify] create the application user: role preselected ${chosen}`);
  await confirm.getByRole("button", { name: "Send: create the application user" }).click();
  await expect(region(page).locator("ul.verdicts > li").filter({ hasText: /^✓ Application user/ })).toHaveCount(1, {
    timeout: 30_000,
  });
  await expect(region(page).locator("ul.verdicts > li").filter({ hasText: /^✓ Security roles/ })).toHaveCount(1);
});

test("fix: Create a new client secret fills the secret field", async ({ page }) => {
  let created = null;
  page.on("response", async (r) => {
    if (r.url().endsWith("/addPassword") && r.ok()) created = (await r.json()).secretText;
  });
  await startScenario(page, "Client secret expired");
  await signInAlex(page);
  const items = await verdicts(page);
  const secret = items.filter({ hasText: /^✗ Client secret/ });
  await expect(secret.getByLabel("New secret expires in")).toHaveValue("6");
  await secret.getByRole("button", { name: "Create a new client secret" }).click();
  const confirm = page.getByRole("group", { name: "Confirm: create a new client secret" });
  await expect(confirm.locator("pre")).toContainText(/POST http:\/\/graph\.localhost:8081\/v1\.0\/applications\/[0-9a-f-]{36}\/addPassword/);
  await confirm.getByRole("button", { name: "Send: create the secret" }).click();
  await expect(region(page).locator("ul.verdicts > li").filter({ hasText: /^✓ Client secret/ })).toHaveCount(1, {
    timeout: 30_000,
  });
  expect(created).toBeTruthy();
  await gotoStep(page, 4);
  await expect(field(page, "Client secret value")).toHaveValue(created);
});
