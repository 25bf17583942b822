// Issue 10: the finished connection for every tool that talks to Dataverse ("Use it in…" on the
// review step), and back in from them (the start page's import).
import { test, expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { FICTIONAL, field, fillPublicConnection } from "./support.mjs";

const PLACEHOLDER = "<client-secret>";

/** Every tab, its formats (button names after "Copy "/"Download ") and the download's name. */
const TARGETS = [
  ["Simego Data Sync", [["Simego connector values", "simego-odata-contoso.txt"], ["connection JSON", "dataverse-connection-contoso.json"]]],
  ["Connection string", [["Dataverse connection string", "dataverse-contoso.connection-string.txt"]]],
  [
    "Power Platform CLI",
    [
      ["pac auth create command for bash", "pac-auth-create-contoso.sh"],
      ["pac auth create command for PowerShell", "pac-auth-create-contoso.ps1"],
    ],
  ],
  ["Data Factory", [["Data Factory linked service", "Dataverse_contoso.json"]]],
  [".env", [[".env file", "dataverse-contoso.env"]]],
  ["Postman", [["Postman environment", "dataverse-contoso.postman_environment.json"]]],
];

/** The fictional connection, complete, and the review step. */
async function completeAndReview(page) {
  await fillPublicConnection(page);
  await page.goto("/setup/review");
}

const useItIn = (page) => page.getByRole("region", { name: "Use it in…" });

/** Clicks "Copy <name>" and "Download <name>" in the open panel; returns both texts. */
async function copyAndDownload(page, panel, name, fileName) {
  await panel.getByRole("button", { name: `Copy ${name}`, exact: true }).click();
  await expect(panel.getByRole("status").filter({ hasText: `Copied the ${name} to the clipboard.` })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    panel.getByRole("button", { name: `Download ${name}`, exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(fileName);
  const downloaded = await readFile(await download.path(), "utf8");
  return { copied, downloaded };
}

/** Every output, as copied, with the secret left out (`false`) or included (`true`). */
async function everyOutput(page, withSecret) {
  const outputs = {};
  const region = useItIn(page);
  for (const [tab, formats] of TARGETS) {
    await region.getByRole("tab", { name: tab, exact: true }).click();
    const panel = region.getByRole("tabpanel", { name: tab, exact: true });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole("heading").first()).toBeVisible();
    // On screen the secret is never shown, included or not.
    expect(await panel.innerText()).not.toContain(FICTIONAL.secret);
    for (const [name, fileName] of formats) {
      const { copied, downloaded } = await copyAndDownload(page, panel, name, fileName);
      // The same text, but for the JSON's export time (the two clicks may fall in two seconds).
      const same = (t) => (name === "connection JSON" ? JSON.stringify({ ...JSON.parse(t), exportedAt: "" }) : t);
      expect(same(downloaded), `${name}: download = copy`).toBe(same(copied));
      if (withSecret) {
        expect(copied, name).toContain(FICTIONAL.secret);
        expect(copied, name).not.toContain(PLACEHOLDER);
      } else {
        expect(copied, name).not.toContain(FICTIONAL.secret);
        if (name === "Data Factory linked service") expect(copied).toContain("AzureKeyVaultSecret");
        else if (name !== "connection JSON") expect(copied, name).toContain(PLACEHOLDER);
      }
      outputs[name] = copied;
    }
  }
  return outputs;
}

test("every target copies and downloads; the secret only when Include client secret is ticked", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await completeAndReview(page);
  const region = useItIn(page);
  await expect(region.getByRole("tablist")).toBeVisible();
  // The placeholder is explained in words, in the section itself.
  await expect(region.getByText(/<client-secret>/).first()).toBeVisible();

  const off = await everyOutput(page, false);
  expect(off["Dataverse connection string"]).toBe(
    `AuthType=ClientSecret;Url=${FICTIONAL.environment};ClientId=${FICTIONAL.clientId};ClientSecret=<client-secret>`,
  );
  expect(off["pac auth create command for bash"]).toContain(`--clientSecret '<client-secret>'`);
  expect(off[".env file"]).toContain(`AZURE_CLIENT_SECRET='<client-secret>'`);
  const adf = JSON.parse(off["Data Factory linked service"]);
  expect(adf.properties.typeProperties.serviceUri).toBe(FICTIONAL.environment);
  expect(adf.properties.typeProperties.authenticationType).toBe("AADServicePrincipal");
  const postman = JSON.parse(off["Postman environment"]);
  expect(postman._postman_variable_scope).toBe("environment");
  expect(postman.values.find((v) => v.key === "webapiurl").value).toBe(FICTIONAL.serviceUrl);
  expect(JSON.parse(off["connection JSON"]).includesClientSecret).toBe(false);

  await page.getByLabel("Include client secret").check();
  const on = await everyOutput(page, true);
  expect(on["Dataverse connection string"]).toContain(`ClientSecret=${FICTIONAL.secret}`);
  expect(JSON.parse(on["Data Factory linked service"]).properties.typeProperties.servicePrincipalCredential).toEqual({
    type: "SecureString",
    value: FICTIONAL.secret,
  });
  expect(JSON.parse(on["connection JSON"]).connections[0].connector.OAuth2.ClientSecret).toBe(FICTIONAL.secret);
});

test("the tabs work with the arrow keys, Home and End", async ({ page }) => {
  await completeAndReview(page);
  const tabs = useItIn(page).getByRole("tab");
  await expect(tabs).toHaveCount(TARGETS.length);
  const first = tabs.nth(0);
  await first.focus();
  await expect(first).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowRight");
  await expect(tabs.nth(1)).toBeFocused();
  await expect(tabs.nth(1)).toHaveAttribute("aria-selected", "true");
  await expect(first).toHaveAttribute("aria-selected", "false");
  await expect(first).toHaveAttribute("tabindex", "-1");
  await expect(useItIn(page).getByRole("tabpanel", { name: TARGETS[1][0] })).toBeVisible();
  await page.keyboard.press("End");
  await expect(tabs.nth(TARGETS.length - 1)).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(first).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(tabs.nth(TARGETS.length - 1)).toBeFocused();
  await page.keyboard.press("Home");
  await expect(first).toBeFocused();
  await expect(first).toHaveAttribute("aria-selected", "true");
  // Tab leaves the tab list for the open panel.
  await page.keyboard.press("Tab");
  await expect(useItIn(page).getByRole("tabpanel", { name: TARGETS[0][0] })).toBeFocused();
});

/** The start page's import: paste, press the button, return the status text. */
async function importOnStartPage(page, text) {
  await page.goto("/");
  const panel = page.getByRole("region", { name: "Import a connection" });
  await panel.getByLabel("Or paste it here").fill(text);
  await panel.getByRole("button", { name: "Import pasted text" }).click();
  const status = panel.getByRole("status");
  await expect(status).not.toBeEmpty();
  return status;
}

async function startOver(page) {
  await page.goto("/setup/register");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Start over" }).click();
  await expect(field(page, "Application name")).toHaveValue("");
}

test("each kind imports back on the start page, filling what it holds and naming what is missing", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await completeAndReview(page);
  await page.getByLabel("Include client secret").check();
  const outputs = await everyOutput(page, true);

  const kinds = [
    ["Dataverse connection string", /^Imported a Dataverse connection string\. Filled: Environment URL, Application \(client\) ID, Microsoft cloud, Client secret value\. Still missing: Directory \(tenant\) ID \(step 4\)/, false],
    ["Data Factory linked service", /^Imported a Data Factory linked service\. Filled: .*Client secret value\. Still missing: Directory \(tenant\) ID/, false],
    ["Postman environment", /^Imported a Postman environment\. Filled: Web API version, Environment URL, Application \(client\) ID, Directory \(tenant\) ID, Microsoft cloud, Client secret value\. Still missing: Object ID/, true],
    [".env file", /^Imported a \.env file\. Filled: Directory \(tenant\) ID, Application \(client\) ID, Environment URL, Microsoft cloud, Client secret value\./, true],
    ["connection JSON", /^Imported the connection\. Filled: .*Nothing required is missing\./, true],
  ];
  for (const [name, message, tenant] of kinds) {
    await startOver(page);
    const status = await importOnStartPage(page, outputs[name]);
    await expect(status, name).toHaveText(message);
    await page.goto("/setup/details");
    await expect(field(page, "Environment URL"), name).toHaveValue(FICTIONAL.environment);
    await expect(field(page, "Application (client) ID"), name).toHaveValue(FICTIONAL.clientId);
    await expect(field(page, "Client secret value"), name).toHaveValue(FICTIONAL.secret);
    await expect(field(page, "Directory (tenant) ID"), name).toHaveValue(tenant ? FICTIONAL.tenant : "");
  }

  // Merging: a connection string into a draft that has more keeps the rest.
  await page.goto("/setup/connector");
  await expect(field(page, "Entity")).toHaveValue(FICTIONAL.entity);
  const status = await importOnStartPage(page, `Url=https://fabrikam.crm.dynamics.com;ClientId=${FICTIONAL.clientId}`);
  await expect(status).toContainText("The client secret entered before was kept.");
  await page.goto("/setup/details");
  await expect(field(page, "Environment URL")).toHaveValue("https://fabrikam.crm.dynamics.com");
  await expect(field(page, "Directory (tenant) ID")).toHaveValue(FICTIONAL.tenant);
  await expect(field(page, "Client secret value")).toHaveValue(FICTIONAL.secret);
});

test("a bad import changes nothing and says where it failed", async ({ page }) => {
  await completeAndReview(page);
  const before = await page.evaluate(() => localStorage.getItem("dataverse-wizard.v1.draft"));
  const bad = [
    [
      "AuthType=OAuth;Url=https://contoso.crm.dynamics.com;AppId=51f81489-12ee-4a9e-aaae-a2591f45987d;RedirectUri=app://58145B91-0C36-4500-8554-080854F2AC97",
      /^Nothing was changed: This Dataverse connection string uses AuthType=OAuth \(AuthType \(character 1\)\)\. That signs a person in interactively/,
    ],
    ["Url=https://contoso.crm.dynamics.com;ClientSecret=\"unterminated", /^Nothing was changed: This Dataverse connection string cannot be read at character 38: the value of "ClientSecret" opens with " but is never closed/],
    ["Url=https://make.powerapps.com;ClientId=" + FICTIONAL.clientId, /^Nothing was changed: In this Dataverse connection string, Url \(character 1\) is not valid: /],
    ['{"name":"x","values":[{"key":"url","value":"https://contoso.crm.dynamics.com"},{"key":"version","value":"8.2"}]}', /values\[1\] \("version"\) is not valid/],
    ["something else entirely", /^Nothing was changed: This is not something the wizard can import\./],
  ];
  for (const [text, message] of bad) {
    const status = await importOnStartPage(page, text);
    await expect(status).toHaveText(message);
    expect(await page.evaluate(() => localStorage.getItem("dataverse-wizard.v1.draft"))).toBe(before);
  }
  await page.goto("/setup/details");
  await expect(field(page, "Environment URL")).toHaveValue(FICTIONAL.environment);
  await expect(field(page, "Client secret value")).toHaveValue(FICTIONAL.secret);
});
