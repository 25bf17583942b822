// Issue 21, item 2: a verified domain typed as the tenant resolves to the tenant's GUID through the
// OpenID discovery document (over CORS, no sign-in), and both are shown.
import { test, expect } from "@playwright/test";
import { field, gotoStep, startWithSandbox } from "./support.mjs";

test("the tenant typed as contoso.onmicrosoft.com resolves to 11111111-2222-3333-4444-555555555555", async ({ page }) => {
  await startWithSandbox(page);
  await gotoStep(page, 4);
  const tenant = field(page, "Directory (tenant) ID");
  // A GUID needs no look-up.
  await expect(page.getByRole("button", { name: "Find the tenant ID" })).toHaveCount(0);
  await tenant.fill("contoso.onmicrosoft.com");
  await page.getByRole("button", { name: "Find the tenant ID" }).click();
  const found = page.getByRole("status").filter({ hasText: "is the tenant" });
  await expect(found).toHaveText(/contoso\.onmicrosoft\.com is the tenant 11111111-2222-3333-4444-555555555555\./);
  // The domain stays as typed; the GUID is one click away.
  await expect(tenant).toHaveValue("contoso.onmicrosoft.com");
  await found.getByRole("button", { name: "Use the tenant ID" }).click();
  await expect(tenant).toHaveValue("11111111-2222-3333-4444-555555555555");
  await expect(page.getByRole("button", { name: "Find the tenant ID" })).toHaveCount(0);
});

test("an unknown domain says what Entra ID answered", async ({ page }) => {
  await startWithSandbox(page);
  await gotoStep(page, 4);
  await field(page, "Directory (tenant) ID").fill("nobody.onmicrosoft.com");
  await page.getByRole("button", { name: "Find the tenant ID" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Entra ID does not know this tenant: AADSTS90002" })).toBeVisible();
});
