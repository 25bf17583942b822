// Issue 23: the last mile in Data Sync — step 6 as the connector's own dialog, the Redirect URL
// choice, v1 and v2 endpoints, Data Sync's schema cache, the reference page's words, the
// calendar reminder, step 7's text, step marks, and every "Use it in…" output readable.
import { test, expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import {
  FICTIONAL,
  field,
  fillPublicConnection,
  gotoStep,
  region,
  resetSandbox,
  signInAlex,
  startScenario,
  stepList,
  verdicts,
} from "./support.mjs";

const LOGIN = `https://login.microsoftonline.com/${FICTIONAL.tenant}`;
const HELPER = "https://www.simego.com/oauth/code";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

/** The steps of Data Sync's dialog on step 6, each item's first words. */
async function dialogSteps(page) {
  const items = page.locator("ol.dialog > li");
  const out = [];
  for (const t of await items.allInnerTexts()) out.push(t.split("\n")[0].trim());
  return out;
}

const CLIENT_CREDENTIALS_ORDER = [
  "Connection → OData → OData 4.0 Data Source",
  "ServiceURL",
  "OAuth2 → “…”",
  "Authorise URL",
  "Token URL",
  "Client ID",
  "Client Secret",
  "Resource",
  "Redirect URL",
  "State",
  "Scope",
  "Grant Type",
  "Windows",
  "EntityURLItemConvention",
  "Entity",
  "Connect & Create Library Connection",
];

test("step 6 is Data Sync's dialog in its order; Get Access Token only for authorization_code", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillPublicConnection(page);
  const steps = await dialogSteps(page);
  expect(steps.map((s) => CLIENT_CREDENTIALS_ORDER.find((o) => s.startsWith(o)))).toEqual(CLIENT_CREDENTIALS_ORDER);
  await expect(page.getByText("Leave the Windows property empty")).toBeVisible();
  await expect(page.getByText("Get Access Token")).toHaveCount(0);
  // Every value is copied from the one derivation.
  await page.getByRole("button", { name: "Copy ServiceURL" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${FICTIONAL.environment}/api/data/v9.2/`);

  await page.getByLabel("authorization_code").check();
  const withCode = await dialogSteps(page);
  const at = withCode.findIndex((s) => s.startsWith("Get Access Token"));
  expect(at).toBe(withCode.findIndex((s) => s.startsWith("Grant Type")) + 1);
  await expect(page.locator("ol.dialog > li").nth(at)).toContainText("code=");
  await expect(page.locator("ol.dialog > li").nth(at)).toContainText("Simego's OAuth helper page");
});

test("authorization_code: Simego's OAuth helper is the default Redirect URL, your own is one click away", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillPublicConnection(page);
  await page.getByLabel("authorization_code").check();
  const helper = page.getByLabel("Simego's OAuth helper page");
  await expect(helper).toBeChecked();
  await page.getByRole("button", { name: "Copy Redirect URL" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(HELPER);
  await expect(field(page, "Redirect URL for the connector (Web platform)")).toHaveCount(0);

  await page.getByLabel("Your own redirect, or http://localhost").check();
  await expect(field(page, "Redirect URL for the connector (Web platform)")).toHaveValue("http://localhost");
  await page.getByRole("button", { name: "Copy Redirect URL" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("http://localhost");
  // Step 1 asks for the chosen one under Web.
  await gotoStep(page, 1);
  await expect(page.getByText("http://localhost", { exact: true })).toBeVisible();
});

test("the Redirect URIs check expects the chosen redirect under Web", async ({ page }) => {
  await startScenario(page, "Everything set up");
  await page.getByLabel("authorization_code").check();
  await expect(page.getByLabel("Simego's OAuth helper page")).toBeChecked();
  await signInAlex(page);
  await verdicts(page);
  // The sandbox app registers Simego's helper under Web.
  await expect(region(page).locator("ul.verdicts > li").filter({ hasText: /^✓ Redirect URIs/ })).toHaveCount(1);
  await gotoStep(page, 6);
  await page.getByLabel("Your own redirect, or http://localhost").check();
  await field(page, "Redirect URL for the connector (Web platform)").fill("http://localhost:5555/done");
  await gotoStep(page, 7);
  await region(page).getByRole("button", { name: "Verify again" }).click();
  await verdicts(page);
  await expect(region(page).locator("ul.verdicts > li").filter({ hasText: /^✗ Redirect URIs/ })).toContainText("http://localhost:5555/done");
});

test("endpoints: the hint names the (v1) portal entry; a v2 endpoint says what changed and Use the v1 endpoints brings the reference set back", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/setup/details");
  await expect(page.getByText(/Endpoints: "OAuth 2.0 token endpoint \(v1\)"/)).toBeVisible();
  await field(page, "Token endpoint (optional)").fill("https://example.com/x/oauth2/token");
  await expect(page.getByText(/copy "OAuth 2.0 token endpoint \(v1\)"/)).toBeVisible();

  await fillPublicConnection(page, { tokenEndpoint: `${LOGIN}/oauth2/v2.0/token` });
  const notice = page.getByRole("note").filter({ hasText: "is a v2.0 one, so every OAuth value is the v2.0 set" });
  await expect(notice).toContainText(`Scope is ${FICTIONAL.environment}/.default`);
  await notice.getByRole("button", { name: "Use the v1 endpoints" }).click();
  await expect(notice).toHaveCount(0);
  await page.getByRole("button", { name: "Copy Token URL", exact: true }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${LOGIN}/oauth2/token`);
  await expect(page.locator("ol.dialog").getByText("leave blank: the v1 endpoints use Resource")).toBeVisible();
  await gotoStep(page, 4);
  await expect(field(page, "Token endpoint (optional)")).toHaveValue(`${LOGIN}/oauth2/token`);
});

test("Data Sync's schema cache on the review and Settings pages; the reference page's words on steps 3 and 5", async ({ page }) => {
  await fillPublicConnection(page);
  await gotoStep(page, 8);
  await expect(page.getByText(/Tools → Open Schema Cache Folder, delete the metadata folder/)).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByText(/Clearing one never clears the other/)).toBeVisible();
  await page.goto("/setup/app-user");
  await expect(page.getByText(/Dynamics names a user by its Primary Email/)).toBeVisible();
  await expect(page.getByText(/switch the view from User to Application User/)).toBeVisible();
  await page.goto("/setup/secret");
  await expect(page.getByText(/picks a secret that never expires; today's Entra admin center offers 24 months at most/)).toBeVisible();
});

test("Add a reminder downloads an iCalendar event for the secret's expiry, with no secret in it", async ({ page }) => {
  await fillPublicConnection(page);
  await gotoStep(page, 4);
  await field(page, "Secret expires").fill("2027-06-30");
  for (const where of ["/setup/secret", "/setup/review"]) {
    await page.goto(where);
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Add a reminder" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("client-secret-expiry.ics");
    const ics = await readFile(await file.path(), "utf8");
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain("BEGIN:VEVENT\r\n");
    expect(ics).toContain("DTSTART;VALUE=DATE:20270630\r\n");
    expect(ics).toContain("TRIGGER:-P14D\r\n");
    expect(ics).not.toContain(FICTIONAL.secret);
    await expect(page.getByRole("status").filter({ hasText: "Downloaded client-secret-expiry.ics" })).toBeVisible();
  }
});

test("the verified Client secret offers the reminder; step 7 says what the verification tests; step 5's mark comes from a finished run", async ({ page }) => {
  await startScenario(page, "Application user missing");
  const five = stepList(page).getByRole("link").nth(4);
  await expect(five).not.toContainText(/[✓⚠✗?]/);
  await signInAlex(page);
  await expect(page.getByText(/the Setup verification below checks every setup step live/)).toBeVisible();
  await expect(page.getByText("tested by Data Sync itself")).toHaveCount(0);
  await verdicts(page);
  await expect(five).toContainText("✗");
  const secret = region(page).locator("ul.verdicts > li").filter({ hasText: /^✓ Client secret/ });
  await expect(secret.getByRole("button", { name: "Add a reminder" })).toBeVisible();
});

test("every Use it in… output can be read before it is copied, with the placeholder for the secret", async ({ page }) => {
  await fillPublicConnection(page);
  await gotoStep(page, 8);
  const tabs = page.getByRole("tablist", { name: "Use it in" }).getByRole("tab");
  const n = await tabs.count();
  expect(n).toBe(6);
  for (let i = 0; i < n; i++) {
    await tabs.nth(i).click();
    const panel = page.getByRole("tabpanel").and(page.locator(":not([hidden])"));
    const outputs = panel.locator("pre.output");
    expect(await outputs.count(), `tab ${i} shows its outputs`).toBeGreaterThan(0);
    const text = (await outputs.allInnerTexts()).join("\n");
    expect(text).toContain(FICTIONAL.clientId);
    expect(text).not.toContain(FICTIONAL.secret);
  }
  // The Data Sync tab shows its JSON too; the connection string has the placeholder where the
  // secret goes.
  await tabs.first().click();
  await expect(page.getByLabel("connection JSON, as text")).toContainText('"format": "dataverse-connection"');
  await tabs.nth(1).click();
  await expect(page.getByRole("tabpanel").and(page.locator(":not([hidden])")).locator("pre.output").first()).toContainText(
    "ClientSecret=<client-secret>",
  );
});

test("a check that could not run puts no ? on its step: step 5 is ✓ while Table privileges waits for an Entity", async ({ page }) => {
  await startScenario(page, "Everything set up");
  await field(page, "Entity").fill("");
  await signInAlex(page);
  const items = await verdicts(page);
  await expect(items.filter({ hasText: /^\? Table privileges/ })).toContainText("No table is chosen yet");
  const five = stepList(page).getByRole("link").nth(4);
  await expect(five).toContainText("✓");
  await expect(five).not.toContainText("?");
  await expect(five).not.toContainText("not checkable");
});
