// Issue 24: the app is a main module and split modules fetched when first used (src/split.rs,
// scripts/build-app.mjs). What a user notices: the start page needs none of them, and a module
// that cannot be fetched says so where its part would be, and is fetched again next time.
import { test, expect } from "@playwright/test";
import { expectStep, field } from "./support.mjs";

const STEPS_MODULE = /\/dataverse-wizard-split_steps-[0-9a-f]{16}\.wasm$/;

test("the start page is usable before any split module arrives", async ({ page }) => {
  // Hold every split module back: the start page must not wait for one.
  const held = [];
  await page.route(/\/dataverse-wizard-(split|chunk)_[a-z0-9_]+-[0-9a-f]{16}\.wasm$/, (route) => {
    held.push(route.request().url());
  });
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Try with the sandbox" })).toBeEnabled();
  await expect(page.getByRole("textbox", { name: "Or paste it here" })).toBeEditable();
  // The steps are fetched in the background once the start page is up.
  await expect.poll(() => held.some((u) => STEPS_MODULE.test(u)), { timeout: 5_000 }).toBe(true);
});

test("a split module that cannot be fetched says so in its place; the next step fetches it again", async ({ page }) => {
  let offline = true;
  await page.route(STEPS_MODULE, (route) => (offline ? route.abort("internetdisconnected") : route.continue()));
  await page.goto("/setup/register");
  // The step's shell (main module) is there; its content says what went wrong, without a panic.
  await expect(page.getByRole("heading", { level: 1, name: "Register the app" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText(/could not be downloaded\. Check the connection, then reload the page\./);
  await expect(page.getByRole("alert").getByRole("button", { name: "Reload the page" })).toBeVisible();
  await expect(field(page, "Application name")).toHaveCount(0);

  offline = false;
  await page.getByRole("link", { name: /^Next: / }).click();
  await expectStep(page, 2);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await page.getByRole("link", { name: /^Back: / }).click();
  await expectStep(page, 1);
  await expect(field(page, "Application name")).toBeVisible();
});

test("an import fetches its readers when used; without them nothing changes and the reason is given", async ({ page }) => {
  let offline = true;
  await page.route(/\/dataverse-wizard-split_import-[0-9a-f]{16}\.wasm$/, (route) =>
    offline ? route.abort("internetdisconnected") : route.continue(),
  );
  await page.goto("/");
  const paste = page.getByRole("textbox", { name: "Or paste it here" });
  await paste.fill("AZURE_CLIENT_ID=11111111-2222-3333-4444-555555555555\n");
  await page.getByRole("button", { name: "Import pasted text" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nothing was changed" })).toContainText("could not be downloaded");
  await expect(paste).toHaveValue(/AZURE_CLIENT_ID/);

  offline = false;
  await page.getByRole("button", { name: "Import pasted text" }).click();
  await expect(page.getByText("Nothing was changed")).toHaveCount(0);
  await expect(paste).toHaveValue("");
});

const BACKGROUND_MODULE = /\/dataverse-wizard-split_background-[0-9a-f]{16}\.wasm$/;
const storedDraft = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("dataverse-wizard.v1.draft") || "{}"));

test("a change is saved at once, without waiting for the background module", async ({ page }) => {
  // Held back for good: saving must not depend on a download (a reload would lose the change).
  await page.route(BACKGROUND_MODULE, () => {});
  await page.goto("/");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await expectStep(page, 4);
  await expect.poll(async () => (await storedDraft(page)).tenant_id ?? "").not.toBe("");
  await page.reload();
  await expect(field(page, "Directory (tenant) ID")).not.toHaveValue("");
});

test("when the schema cache's module cannot be fetched, the wizard works and says there is no cache", async ({ page }) => {
  await page.route(BACKGROUND_MODULE, (route) => route.abort("internetdisconnected"));
  await page.goto("/setup/test");
  await expect(page.getByText(/The schema cache is not available in this browser \(a part of the wizard could not be downloaded/)).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});
