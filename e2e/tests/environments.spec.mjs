// Issue 21: pick your environments instead of typing them (Global Discovery Service), and one
// setup across several environments: one region of Dataverse checks each, one export holding
// every connection, imported back; a disabled environment is listed but cannot be chosen.
import { test, expect } from "@playwright/test";
import {
  SANDBOX,
  downloadExport,
  field,
  gotoStep,
  resetSandbox,
  schemaErrors,
  signInAlex,
  startScenario,
  startWithSandbox,
} from "./support.mjs";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

const TEST_URL = "http://contosotest.crm.localhost:8081";

function environments(page) {
  return page.getByRole("group", { name: "Your environments" });
}

/** The region of one environment's Dataverse checks, once its four verdicts are in. */
async function environmentVerdicts(page, name) {
  const r = page.getByRole("region", { name: `Setup verification: ${name}`, exact: true });
  const items = r.locator("ul.verdicts > li");
  await expect(items).toHaveCount(4, { timeout: 30_000 });
  return items;
}

test("Contoso and Contoso Test in one setup: a region each, all ✓, one export with both that imports back", async ({ page }) => {
  await startScenario(page, "Everything set up");
  await signInAlex(page);
  await gotoStep(page, 4);
  const group = environments(page);
  const contoso = group.getByRole("checkbox", { name: "Contoso", exact: true });
  const contosoTest = group.getByRole("checkbox", { name: "Contoso Test" });
  // The form's environment is already in the setup; discovery gives it its friendly name.
  await expect(contoso).toBeChecked({ timeout: 20_000 });
  await contoso.check();
  await expect(contosoTest).not.toBeChecked();
  await contosoTest.check();
  await expect(contosoTest).toBeChecked();
  await expect(group.getByText("you are System Administrator").first()).toBeVisible();
  await expect(group.getByLabel("Entity in Contoso Test")).toHaveValue("accounts");
  // The form's field keeps the first environment.
  await expect(field(page, "Environment URL")).toHaveValue("http://contoso.crm.localhost:8081");

  await gotoStep(page, 7);
  await page.getByRole("button", { name: "Verify again" }).click();
  for (const name of ["Contoso", "Contoso Test"]) {
    const items = await environmentVerdicts(page, name);
    const texts = await items.allTextContents();
    expect(texts.filter((t) => !t.startsWith("✓")), name).toEqual([]);
    await expect(items.filter({ hasText: /^✓ Table privileges/ })).toContainText("prvReadAccount");
  }
  // The Entra checks ran once, above both regions.
  const entra = page.getByRole("region", { name: "Setup verification", exact: true }).locator(":scope > ul.verdicts > li");
  await expect(entra).toHaveCount(6);
  expect((await entra.allTextContents()).filter((t) => !t.startsWith("✓"))).toEqual([]);

  await gotoStep(page, 8);
  const exported = await downloadExport(page);
  expect(exported.name).toBe("dataverse-connections-contoso-contosotest.json");
  expect(await schemaErrors(exported.json)).toBeNull();
  expect(exported.json.version).toBe(2);
  expect(exported.json.connections.map((c) => [c.environmentName, c.connector.ServiceURL, c.connector.Entity])).toEqual([
    ["Contoso", "http://contoso.crm.localhost:8081/api/data/v9.2/", "accounts"],
    ["Contoso Test", `${TEST_URL}/api/data/v9.2/`, "accounts"],
  ]);
  // Use it in…: one pac line per environment.
  await page.getByRole("tab", { name: "Power Platform CLI" }).click();
  for (const name of ["Contoso", "Contoso Test"]) {
    await expect(page.getByRole("button", { name: `Copy pac auth create command for bash for ${name}`, exact: true })).toBeVisible();
  }

  // Start over, then import the file: both environments come back.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Start over" }).click();
  await page.goto("/setup/review");
  const importPanel = page.getByRole("region", { name: "Import a connection" });
  await importPanel.getByLabel("Or paste it here").fill(exported.text);
  await importPanel.getByRole("button", { name: "Import pasted text" }).click();
  await expect(importPanel.getByRole("status")).toContainText("Other environments");
  await gotoStep(page, 4);
  await expect(field(page, "Environment URL")).toHaveValue("http://contoso.crm.localhost:8081");
  await expect(page.getByLabel("Entity in Contoso Test")).toHaveValue("accounts");
});

test("Contoso Archive is listed, disabled, and cannot be chosen; a discovery sign-in comes back to step 4", async ({ page }) => {
  await startWithSandbox(page);
  await field(page, "Environment URL").fill("");
  const group = environments(page);
  const discoveryScope = [];
  page.on("request", (r) => {
    if (r.url().startsWith(`${SANDBOX}/`) && r.url().includes("/oauth2/v2.0/authorize")) {
      discoveryScope.push(new URL(r.url()).searchParams.get("scope"));
    }
  });
  await group.getByRole("button", { name: "Sign in to list your environments" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page).toHaveURL(/\/setup\/details$/, { timeout: 20_000 });
  expect(discoveryScope[0]).toBe("http://globaldisco.localhost:8081//user_impersonation openid profile offline_access");
  const archive = group.getByRole("checkbox", { name: "Contoso Archive" });
  await expect(archive).toBeDisabled({ timeout: 20_000 });
  await expect(group.getByText(/Not selectable: Disabled/)).toBeVisible();
  // Choosing one fills the Environment URL the field checks expect.
  await group.getByRole("checkbox", { name: "Contoso Test" }).check();
  await expect(field(page, "Environment URL")).toHaveValue(TEST_URL);
  await expect(group.getByLabel(/^Entity in/)).toHaveCount(0);
});

test("a one-environment file of version 1 (what main exported before) still imports", async ({ page }) => {
  await startScenario(page, "Everything set up");
  await gotoStep(page, 8);
  const { json } = await downloadExport(page);
  // Version 1 held the one connection at the top level, without environmentName.
  const [{ connector, azure, applicationUser }] = json.connections;
  const v1 = { format: json.format, version: 1, exportedAt: json.exportedAt, includesClientSecret: false, connector, azure, applicationUser };
  v1.connector.Entity = "contacts";
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Start over" }).click();
  await page.goto("/setup/review");
  const importPanel = page.getByRole("region", { name: "Import a connection" });
  await importPanel.getByLabel("Or paste it here").fill(JSON.stringify(v1, null, 2));
  await importPanel.getByRole("button", { name: "Import pasted text" }).click();
  await expect(importPanel.getByRole("status")).toContainText("Imported the connection");
  await gotoStep(page, 4);
  await expect(field(page, "Environment URL")).toHaveValue("http://contoso.crm.localhost:8081");
  await gotoStep(page, 6);
  await expect(field(page, "Entity")).toHaveValue("contacts");
});
