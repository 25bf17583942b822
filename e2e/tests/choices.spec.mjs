// The choices a user makes besides typing: the Microsoft cloud, the Web API version, copying the
// connection JSON, and importing it back from a file.
import { test, expect } from "@playwright/test";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FICTIONAL, field, fillPublicConnection } from "./support.mjs";

test("the chosen cloud must match the environment, and the API version changes the ServiceURL", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillPublicConnection(page);

  // A GCC High tenant cannot use a commercial-cloud environment.
  await page.goto("/setup/register");
  await page.getByLabel("Microsoft cloud").selectOption({ label: "US Government (GCC High)" });
  await page.goto("/setup/details");
  const env = field(page, "Environment URL");
  await expect(env).toHaveAttribute("aria-invalid", "true");
  await page.goto("/setup/register");
  await page.getByLabel("Microsoft cloud").selectOption({ label: "Public (commercial, incl. GCC)" });
  await page.goto("/setup/details");
  await expect(field(page, "Environment URL")).toHaveAttribute("aria-invalid", "false");

  // v9.0 for an older tool: ServiceURL follows.
  await page.goto("/setup/connector");
  await page.getByLabel("Web API version").selectOption("v9.0");
  await page.getByRole("button", { name: "Copy ServiceURL" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    "https://contoso.crm4.dynamics.com/api/data/v9.0/",
  );
});

test("copy the connection JSON, then import it back from a file", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillPublicConnection(page);
  await page.goto("/setup/review");
  await page.getByRole("button", { name: "Copy connection JSON" }).click();
  await expect(page.getByText("Copied the connection JSON to the clipboard.")).toBeVisible();
  const json = await page.evaluate(() => navigator.clipboard.readText());
  const doc = JSON.parse(json);
  expect(doc.connections[0].connector.ServiceURL).toBe(FICTIONAL.serviceUrl);
  expect(doc.connections[0].connector.Entity).toBe(FICTIONAL.entity);
  expect(json).not.toContain(FICTIONAL.secret);

  // Start over, then resume from the file.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Start over" }).click();
  await page.goto("/setup/details");
  await expect(field(page, "Environment URL")).toHaveValue("");
  const file = path.join(os.tmpdir(), `dvwiz-choices-${process.pid}.json`);
  writeFileSync(file, json);
  await page.goto("/setup/review");
  await page.getByLabel("Connection file").setInputFiles(file);
  await expect(page.getByText(/^Imported the connection\./)).toBeVisible();
  await page.goto("/setup/details");
  await expect(field(page, "Environment URL")).toHaveValue(FICTIONAL.environment);
  await expect(field(page, "Application (client) ID")).toHaveValue(FICTIONAL.clientId);
});
