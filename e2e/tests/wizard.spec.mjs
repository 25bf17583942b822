// Issue 2: the wizard itself — eight steps, checks as you type, saved progress, export and import.
import { test, expect } from "@playwright/test";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  FICTIONAL as F,
  SPA_REDIRECT,
  browserStorage,
  dateFromToday,
  describedBy,
  downloadExport,
  expectAccepted,
  expectRejected,
  expectStep,
  expectNotPersisted,
  field,
  gotoStep,
  schemaErrors,
  stepList,
  stepName,
  tabTo,
} from "./support.mjs";

test.describe.configure({ mode: "serial" });

/** The export of scenario 1 (no secret), reused by the import scenario. */
let savedExport = null;

/** Reads what the clipboard holds. */
const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

/** Ticks a checkbox with the keyboard only: Tab to it, press Space. */
async function tickWithKeyboard(page, name) {
  const box = page.getByRole("checkbox", { name });
  await tabTo(page, box);
  await expect(box).not.toBeChecked();
  await page.keyboard.press("Space");
  await expect(box).toBeChecked();
}

/** Follows the "Next: …" link with the keyboard. */
async function nextWithKeyboard(page, n) {
  const next = page.getByRole("link", { name: `Next: ${STEP_TITLES[n - 1]}` });
  await tabTo(page, next, { max: 150 });
  await page.keyboard.press("Enter");
  await expectStep(page, n);
  // Focus moves to the new step's heading, so the next Tab continues in the new content.
  await expect(page.getByRole("heading", { level: 1, name: STEP_TITLES[n - 1] })).toBeFocused();
}

const STEP_TITLES = [
  "Register the app",
  "API permissions",
  "Client secret",
  "Gather the details",
  "Add the application user",
  "Connector settings",
  "Test the connection",
  "Review and export",
];

/** Fills step 4 with the fictional tenant's valid values (mouse and typing, no checks). */
async function fillValidDetails(page, { expiry }) {
  await field(page, "Directory (tenant) ID").fill(F.tenantTyped);
  await field(page, "Application (client) ID").fill(F.clientId);
  await field(page, "Object ID (Enterprise application)").fill(F.objectId);
  await field(page, "Client secret value").fill(F.secret);
  await field(page, "Secret expires").fill(expiry);
  await field(page, "Environment URL").fill(`${F.environment}/api/data/v9.2/`);
  for (const label of ["Directory (tenant) ID", "Application (client) ID", "Object ID (Enterprise application)", "Client secret value", "Environment URL"]) {
    await expect(field(page, label)).toHaveAttribute("aria-invalid", "false");
  }
}

test.beforeEach(async ({ context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: "http://localhost:8080" });
});

test("a new user walks all eight steps with the keyboard, gets every mistake explained, and exports", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Connect Data Sync to Dynamics 365");

  // Start with the keyboard.
  const start = page.getByRole("link", { name: "Start the setup" });
  await tabTo(page, start);
  await page.keyboard.press("Enter");
  await expectStep(page, 1);

  // Step 1, keyboard only: ticks, the name, the copy button, Next.
  await tickWithKeyboard(page, "Open App registrations and choose New registration");
  await tickWithKeyboard(page, "Give it a name you will recognise");
  await tabTo(page, field(page, "Application name"));
  await page.keyboard.type(F.appName);
  await expect(field(page, "Application name")).toHaveValue(F.appName);
  await tickWithKeyboard(page, /Supported account types: Accounts in this organizational directory only/);
  await tickWithKeyboard(page, /Redirect URI: choose the platform Single-page application/);
  const copySpa = page.getByRole("button", { name: "Copy Redirect URI (Single-page application)" });
  await tabTo(page, copySpa);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Copied" }).first()).toBeVisible();
  expect(await clipboard(page)).toBe(SPA_REDIRECT);
  // The step counts as done in the step list.
  await expect(stepList(page).getByRole("link", { name: stepName(1, "Register the app", { done: true }) })).toBeVisible();
  await nextWithKeyboard(page, 2);

  // Step 2, keyboard only.
  await tickWithKeyboard(page, /Add the permission Dynamics CRM → Delegated → user_impersonation/);
  await tickWithKeyboard(page, "Grant admin consent for your organisation");
  const copyCrm = page.getByRole("button", { name: "Copy Dynamics CRM application ID" });
  await tabTo(page, copyCrm, { shift: true });
  await page.keyboard.press("Space");
  await expect.poll(() => clipboard(page)).toBe("00000007-0000-0000-c000-000000000000");
  await nextWithKeyboard(page, 3);

  // Step 3, keyboard only.
  await tickWithKeyboard(page, "Create a new client secret");
  await tickWithKeyboard(page, /Copy the Value now \(not the Secret ID\)/);
  await nextWithKeyboard(page, 4);

  // Step 4: every value is checked as it is typed; messages are tied to their inputs.
  await tickWithKeyboard(page, "Open the Enterprise application of the same name and copy its Object ID");
  const tenant = field(page, "Directory (tenant) ID");
  await tabTo(page, tenant, { shift: true });
  await page.keyboard.type("common");
  await expect(tenant).toHaveAttribute("aria-invalid", "true");
  await expect.poll(() => describedBy(tenant)).toMatch(/"common" is not a tenant: client credentials need your own directory/);
  // Braces and uppercase are fine: the GUID is normalised.
  await expectAccepted(page, "Directory (tenant) ID", F.tenantTyped);
  await expectAccepted(page, "Application (client) ID", F.clientId);
  // The Object ID of the app instead of the Enterprise application's.
  await expectRejected(page, "Object ID (Enterprise application)", F.clientId, /not the Enterprise application's Object ID/);
  await expectAccepted(page, "Object ID (Enterprise application)", F.objectId);
  // The Secret ID instead of the Value.
  await expectRejected(page, "Client secret value", F.secretId, /This looks like the Secret ID/);
  await expectAccepted(page, "Client secret value", F.secret);
  // The secret is hidden until asked for.
  await expect(field(page, "Client secret value")).toHaveAttribute("type", "password");
  // Expiring soon: a warning, not an error.
  await expectAccepted(page, "Secret expires", await dateFromToday(page, 10), /This secret expires in 10 days/);
  await expectAccepted(page, "Secret expires", await dateFromToday(page, 365));
  expect(await describedBy(field(page, "Secret expires"))).not.toMatch(/expires in/);
  // Environment URL mistakes.
  await expectRejected(page, "Environment URL", "https://https://contoso.crm4.dynamics.com", /scheme twice/);
  await expectAccepted(page, "Environment URL", `${F.environment}/api/data/v9.2/`, /The Web API path \/api\/data\/v9\.2\/ was removed/);
  await expectRejected(
    page,
    "Environment URL",
    "https://make.powerapps.com/environments/Default-3f2504e0/home",
    /not of a Dataverse environment/,
  );
  await expectAccepted(page, "Environment URL", `${F.environment}/api/data/v9.2/`);
  await expect(stepList(page).getByRole("link", { name: stepName(4, "Gather the details", { done: true }) })).toBeVisible();
  await nextWithKeyboard(page, 5);

  // Step 5.
  await tickWithKeyboard(page, "Create the application user");
  await tickWithKeyboard(page, "Assign a security role to the application user");
  await expect(field(page, "Object ID (Enterprise application)")).toHaveValue(F.objectId);
  await page.getByRole("button", { name: "Copy Application ID", exact: true }).click();
  await expect.poll(() => clipboard(page)).toBe(F.clientId);
  await nextWithKeyboard(page, 6);

  // Step 6: the entity and the values for the connector.
  await field(page, "Entity").fill(F.entity);
  await expect(field(page, "Entity")).toHaveAttribute("aria-invalid", "false");
  await tickWithKeyboard(page, "Fill in Data Sync's connection dialog, in this order");
  await page.getByRole("button", { name: "Copy ServiceURL" }).click();
  await expect.poll(() => clipboard(page)).toBe(F.serviceUrl);
  await expect(page.getByText(F.serviceUrl, { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Copy Client ID" }).click();
  await expect.poll(() => clipboard(page)).toBe(F.clientId);
  // The secret is masked on screen but copies in full.
  await page.getByRole("button", { name: "Copy Client Secret" }).click();
  await expect.poll(() => clipboard(page)).toBe(F.secret);
  await expect(page.getByText(F.secret)).toHaveCount(0);
  await nextWithKeyboard(page, 7);

  // Step 7 can sign in (tested against the sandbox in signin.spec.mjs).
  await expect(page.getByRole("button", { name: "Sign in and test" })).toBeEnabled();
  await nextWithKeyboard(page, 8);

  // Every step but the test and review is done.
  for (const [n, title] of STEP_TITLES.slice(0, 6).entries()) {
    await expect(stepList(page).getByRole("link", { name: stepName(n + 1, title, { done: true }) })).toBeVisible();
  }

  // Step 8: no problems; export without, then with the secret.
  await expect(page.getByRole("status").filter({ hasText: "No problems: the connection is complete." })).toBeVisible();
  await expect(page.getByRole("list", { name: "Open problems" })).toHaveCount(0);
  const includeSecret = page.getByRole("checkbox", { name: "Include client secret" });
  await expect(includeSecret).not.toBeChecked();

  const plain = await downloadExport(page);
  expect(plain.name).toMatch(/\.json$/);
  expect(await schemaErrors(plain.json)).toBeNull();
  expect(plain.json).toMatchObject({
    format: "dataverse-connection",
    version: 2,
    includesClientSecret: false,
  });
  expect(plain.json.connections).toHaveLength(1);
  expect(plain.json.connections[0]).toMatchObject({
    environmentName: "",
    connector: {
      ServiceURL: F.serviceUrl,
      Entity: F.entity,
      EntityURLItemConvention: "{entity}({key})",
      OAuth2: {
        ClientID: F.clientId,
        Resource: F.environment,
        GrantType: "client_credentials",
        TokenURL: `https://login.microsoftonline.com/${F.tenant}/oauth2/token`,
        AuthoriseURL: `https://login.microsoftonline.com/${F.tenant}/oauth2/authorize`,
      },
    },
    azure: {
      cloud: "public",
      tenantId: F.tenant,
      applicationId: F.clientId,
      enterpriseApplicationObjectId: F.objectId,
      applicationName: F.appName,
      environmentUrl: F.environment,
      apiVersion: "v9.2",
      secretExpires: await dateFromToday(page, 365),
    },
    applicationUser: { ApplicationID: F.clientId, AzureADObjectID: F.objectId, FullName: F.appName },
  });
  expect(plain.json.connections[0].connector.OAuth2).not.toHaveProperty("ClientSecret");
  expect(plain.text).not.toContain(F.secret);
  await expect(page.getByRole("status").filter({ hasText: `Downloaded ${plain.name}.` })).toBeVisible();
  savedExport = plain.text;

  await tabTo(page, includeSecret, { shift: true });
  await page.keyboard.press("Space");
  await expect(includeSecret).toBeChecked();
  const withSecret = await downloadExport(page);
  expect(await schemaErrors(withSecret.json)).toBeNull();
  expect(withSecret.json.includesClientSecret).toBe(true);
  expect(withSecret.json.connections[0].connector.OAuth2.ClientSecret).toBe(F.secret);
});

test("progress survives a reload and a restart; the secret stays in this tab only", async ({ browser, page, context }) => {
  await page.goto("/setup/register");
  await page.getByRole("checkbox", { name: "Give it a name you will recognise" }).check();
  await field(page, "Application name").fill(F.appName);
  await gotoStep(page, 4);
  await page.getByRole("checkbox", { name: "Open the Enterprise application of the same name and copy its Object ID" }).check();
  await fillValidDetails(page, { expiry: await dateFromToday(page, 200) });

  const expectValues = async (p, { secret }) => {
    await expect(field(p, "Directory (tenant) ID")).toHaveValue(F.tenantTyped);
    await expect(field(p, "Application (client) ID")).toHaveValue(F.clientId);
    await expect(field(p, "Object ID (Enterprise application)")).toHaveValue(F.objectId);
    await expect(field(p, "Environment URL")).toHaveValue(`${F.environment}/api/data/v9.2/`);
    await expect(p.getByRole("checkbox", { name: "Open the Enterprise application of the same name and copy its Object ID" })).toBeChecked();
    await expect(field(p, "Client secret value")).toHaveValue(secret ? F.secret : "");
    if (!secret) {
      const input = field(p, "Client secret value");
      await expect(input).toHaveAttribute("aria-required", "true");
      // The review says why, and links to the field.
      await gotoStep(p, 8);
      const problem = p.getByRole("list", { name: "Open problems" }).getByRole("listitem").filter({ hasText: "Please enter the client secret value again" });
      await expect(problem).toBeVisible();
      await problem.getByRole("link", { name: "Client secret value (step 4)" }).click();
      await expectStep(p, 4);
      await expect(p).toHaveURL(/#client-secret$/);
      // The link lands on the field itself.
      await expect(field(p, "Client secret value")).toBeFocused();
      await expect(field(p, "Client secret value")).toHaveValue("");
      await expect(field(p, "Client secret value")).toBeInViewport();
    }
    await gotoStep(p, 1);
    await expect(field(p, "Application name")).toHaveValue(F.appName);
    await expect(p.getByRole("checkbox", { name: "Give it a name you will recognise" })).toBeChecked();
    await expect(p.getByRole("checkbox", { name: "Open App registrations and choose New registration" })).not.toBeChecked();
  };

  // Where the secret is kept: sessionStorage only.
  const stored = await expectNotPersisted(page, F.secret);
  expect(Object.values(stored.session)).toContain(F.secret);
  // (the values themselves are saved)
  expect(JSON.stringify(stored.local)).toContain(F.clientId);

  // Reload: everything, including the secret (same tab).
  await page.reload();
  await expectStep(page, 4);
  await expectValues(page, { secret: true });

  // A new tab in the same browser: values and ticks, no secret.
  const tab = await context.newPage();
  await tab.goto("/");
  await expect(tab.getByRole("link", { name: "Continue where you left off (step 1: Register the app)" })).toBeVisible();
  await tab.goto("/setup/details");
  await expectValues(tab, { secret: false });
  await tab.close();

  // A browser restart: localStorage comes back, sessionStorage does not.
  const state = await context.storageState();
  expect(JSON.stringify(state)).not.toContain(F.secret);
  const restarted = await browser.newContext({ storageState: state });
  try {
    const p = await restarted.newPage();
    await p.goto("/setup/details");
    await expectValues(p, { secret: false });
    const after = await browserStorage(p);
    expect(JSON.stringify(after)).not.toContain(F.secret);
  } finally {
    await restarted.close();
  }
});

test("import refuses bad files without changing anything, restores a good one; Start over forgets everything", async ({ page }) => {
  await page.goto("/setup/register");
  await page.getByRole("checkbox", { name: "Give it a name you will recognise" }).check();
  await field(page, "Application name").fill(F.appName);
  await gotoStep(page, 4);
  await fillValidDetails(page, { expiry: await dateFromToday(page, 200) });
  await gotoStep(page, 6);
  await field(page, "Entity").fill("contacts");
  await gotoStep(page, 8);
  await expect(page.getByRole("status").filter({ hasText: "No problems" })).toBeVisible();

  if (!savedExport) {
    // Run on its own: make the export scenario 1 would have made.
    await gotoStep(page, 6);
    await field(page, "Entity").fill(F.entity);
    await gotoStep(page, 8);
    savedExport = (await downloadExport(page)).text;
    await gotoStep(page, 6);
    await field(page, "Entity").fill("contacts");
    await gotoStep(page, 8);
  }
  const before = await page.evaluate(() => localStorage.getItem("dataverse-wizard.v1.draft"));
  const importPanel = page.getByRole("region", { name: "Import a connection" });
  const pasted = importPanel.getByLabel("Or paste it here");
  const importButton = importPanel.getByRole("button", { name: "Import pasted text" });
  const result = importPanel.getByRole("status");

  // Malformed JSON.
  await pasted.fill('{ "format": "dataverse-connection", "version": 1, oops }');
  await importButton.click();
  await expect(result).toContainText(/^Nothing was changed: /);
  expect(await page.evaluate(() => localStorage.getItem("dataverse-wizard.v1.draft"))).toBe(before);

  // A future format version.
  const v3 = JSON.parse(savedExport);
  v3.version = 3;
  await pasted.fill(JSON.stringify(v3, null, 2));
  await importButton.click();
  await expect(result).toContainText("Nothing was changed");
  await expect(result).toContainText(/format version 3.*reads versions 1 to 2/);
  expect(await page.evaluate(() => localStorage.getItem("dataverse-wizard.v1.draft"))).toBe(before);

  // The current values are untouched.
  await gotoStep(page, 6);
  await expect(field(page, "Entity")).toHaveValue("contacts");
  await gotoStep(page, 4);
  await expect(field(page, "Client secret value")).toHaveValue(F.secret);
  // Change more, then import the good file from a file picker.
  await field(page, "Environment URL").fill("https://fabrikam.crm.dynamics.com");
  await gotoStep(page, 8);
  const file = path.join(os.tmpdir(), `wizard-e2e-export-${process.pid}.json`);
  await writeFile(file, savedExport);
  await importPanel.getByLabel("Connection file").setInputFiles(file);
  await expect(result).toContainText("Imported the connection. Filled: ");
  await expect(result).toContainText("The client secret entered before was kept.");
  // Restored: the file's values; the secret was not in the file, and it is this app's: kept.
  await gotoStep(page, 6);
  await expect(field(page, "Entity")).toHaveValue(F.entity);
  await gotoStep(page, 4);
  await expect(field(page, "Environment URL")).toHaveValue(F.environment);
  await expect(field(page, "Directory (tenant) ID")).toHaveValue(F.tenant);
  await expect(field(page, "Client secret value")).toHaveValue(F.secret);
  await gotoStep(page, 1);
  await expect(field(page, "Application name")).toHaveValue(F.appName);
  // Ticks are the user's own: kept through an import.
  await expect(page.getByRole("checkbox", { name: "Give it a name you will recognise" })).toBeChecked();

  // Start over: asks first; cancel keeps everything.
  page.once("dialog", (d) => d.dismiss());
  await stepList(page).getByRole("button", { name: "Start over" }).click();
  await expect(field(page, "Application name")).toHaveValue(F.appName);

  let question = "";
  page.once("dialog", (d) => {
    question = d.message();
    d.accept();
  });
  await stepList(page).getByRole("button", { name: "Start over" }).click();
  await expectStep(page, 1);
  expect(question).toContain("Start over?");
  await expect(field(page, "Application name")).toHaveValue("");
  await expect(page.getByRole("checkbox", { name: "Give it a name you will recognise" })).not.toBeChecked();
  await gotoStep(page, 4);
  for (const label of ["Directory (tenant) ID", "Application (client) ID", "Client secret value", "Environment URL"]) {
    await expect(field(page, label)).toHaveValue("");
  }
  const left = await browserStorage(page);
  expect(JSON.stringify(left.session)).not.toContain(F.secret);
  expect(Object.keys(left.session).filter((k) => k.startsWith("dataverse-wizard."))).toEqual([]);
  expect(JSON.stringify(left.local)).not.toContain(F.clientId);
  await page.reload();
  await expect(field(page, "Directory (tenant) ID")).toHaveValue("");
  await expect(field(page, "Client secret value")).toHaveValue("");
});
