// One derivation: what step 6 shows is what the export holds. The portal's Endpoints page lists
// the v2.0 token endpoint first; typing it must give one consistent v2.0 set on screen and in the
// exported JSON (before, the screen showed a v1 Authorise URL and "Scope: leave blank").
import { test, expect } from "@playwright/test";
import { FICTIONAL, field, fillPublicConnection } from "./support.mjs";

const LOGIN = `https://login.microsoftonline.com/${FICTIONAL.tenant}`;

async function copied(page, label) {
  await page.getByRole("button", { name: `Copy ${label}`, exact: true }).click();
  return page.evaluate(() => navigator.clipboard.readText());
}

test("a typed v2.0 token endpoint shows and exports the same v2.0 set", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await fillPublicConnection(page, { tokenEndpoint: `${LOGIN}/oauth2/v2.0/token` });

  const shown = {
    AuthoriseURL: await copied(page, "Authorise URL"),
    TokenURL: await copied(page, "Token URL"),
    Scope: await copied(page, "Scope"),
    Resource: await copied(page, "Resource"),
  };
  expect(shown).toEqual({
    AuthoriseURL: `${LOGIN}/oauth2/v2.0/authorize`,
    TokenURL: `${LOGIN}/oauth2/v2.0/token`,
    Scope: `${FICTIONAL.environment}/.default`,
    Resource: FICTIONAL.environment,
  });
  // The other version is offered separately, and it is the whole v1 set.
  await page.getByText("The same endpoints in the v1 form").click();
  expect(await copied(page, "Authorize URL (v1)")).toBe(`${LOGIN}/oauth2/authorize`);
  expect(await copied(page, "Token URL (v1)")).toBe(`${LOGIN}/oauth2/token`);

  await page.goto("/setup/review");
  await page.getByRole("button", { name: "Copy connection JSON" }).click();
  await expect(page.getByText("Copied the connection JSON to the clipboard.")).toBeVisible();
  const doc = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  for (const [key, value] of Object.entries(shown)) {
    expect(doc.connections[0].connector.OAuth2[key], key).toBe(value);
  }
});

test("missing values say what to do; blank ones say why", async ({ page }) => {
  await page.goto("/setup/connector");
  const values = page.locator("ol.dialog");
  await expect(values.getByText("enter the Environment URL (step 4)").first()).toBeVisible();
  await expect(values.getByText("enter the Directory (tenant) ID (step 4)").first()).toBeVisible();
  await expect(values.getByText("leave blank: the v1 endpoints use Resource")).toBeVisible();
  await page.goto("/setup/details");
  await field(page, "Directory (tenant) ID").fill("not a tenant");
  await page.goto("/setup/connector");
  await expect(values.getByText("fix the Directory (tenant) ID (step 4)").first()).toBeVisible();
});
