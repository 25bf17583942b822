// Issue 20: the live checks follow Microsoft's documented contracts, and the sandbox enforces
// them: team roles, privilege names from the table's definition, a typed entity set without a
// schema load, If-None-Match: null on every read, opaque access tokens, the grant type's weight,
// paging and throttling, and the application user created as Microsoft's tools create it.
import { test, expect } from "@playwright/test";
import { field, gotoStep, region, resetSandbox, signInAlex, startScenario, verdicts } from "./support.mjs";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

/** "✗ Application user", "⚠ Admin consent", … : every item that is not ✓. */
async function notOk(items) {
  const out = [];
  for (const t of await items.allTextContents()) {
    if (!t.startsWith("✓")) out.push(t.slice(0, 60));
  }
  return out;
}

function item(page, symbol, name) {
  return region(page).locator("ul.verdicts > li").filter({ hasText: new RegExp(`^${symbol} ${name}`) });
}

test("Role through a team: the only role comes through a team, and every check is ✓", async ({ page }) => {
  await startScenario(page, "Role through a team");
  await signInAlex(page);
  const items = await verdicts(page);
  expect(await notOk(items)).toEqual([]);
  await expect(item(page, "✓", "Security roles")).toContainText(
    "Sync reader (sandbox) (through team Data Sync team (sandbox)); member of 1 team",
  );
  await expect(item(page, "✓", "Table privileges")).toContainText("Read (prvReadAccount, Organization)");
});

test("Opaque access tokens: the sign-in and every check work without reading the tokens", async ({ page }) => {
  const tokens = [];
  page.on("response", async (r) => {
    if (r.url().endsWith("/oauth2/v2.0/token") && r.ok()) tokens.push((await r.json()).access_token);
  });
  await startScenario(page, "Opaque access tokens");
  await signInAlex(page);
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible();
  await expect(page.getByText("The access token is not a readable JWT")).toBeVisible();
  const items = await verdicts(page);
  expect(await notOk(items)).toEqual([]);
  // Both tokens (Dataverse, then Graph from the refresh token) were opaque.
  expect(tokens.length).toBeGreaterThanOrEqual(2);
  for (const t of tokens) expect(t.split(".").length, "not a JWT").not.toBe(3);
  // The sign-in's evidence came from Entra ID's answer: scope and lifetime, no audience.
  const checks = page.getByRole("region", { name: "Signed in" }).getByRole("listitem");
  await expect(checks.filter({ hasText: "Scope: ✓" })).toHaveCount(1);
  await expect(checks.filter({ hasText: "Expiry: ✓" })).toHaveCount(1);
  await expect(checks.filter({ hasText: "Audience" })).toHaveCount(0);
});

test("Busy environment: one 429 per list and pages of 2, every check ✓ and the waits said", async ({ page }) => {
  const throttled = [];
  const paged = [];
  page.on("response", async (r) => {
    if (r.status() === 429) throttled.push(r.url());
    if (r.request().method() === "GET" && r.ok() && /\$skiptoken=/.test(r.url())) paged.push(r.url());
  });
  await startScenario(page, "Busy environment");
  await signInAlex(page);
  const items = await verdicts(page);
  expect(await notOk(items)).toEqual([]);
  expect(throttled.length).toBeGreaterThan(0);
  // The admin consent grant is on the second page of the grants.
  expect(paged.some((u) => u.includes("oauth2PermissionGrants"))).toBe(true);
  await expect(region(page)).toContainText(
    `A service was busy and asked the wizard to wait ${throttled.length} time`,
  );
  console.log(`[real-tenant] busy: ${throttled.length} answers 429, ${paged.length} next pages read`);
});

test("a typed entity set is enough: annotations (notes) is ✓ through prvReadNote, with no schema load", async ({ page }) => {
  const metadata = [];
  page.on("request", (r) => {
    if (r.url().includes("$metadata")) metadata.push(r.url());
  });
  await startScenario(page, "Everything set up");
  await field(page, "Entity").fill("annotations");
  await signInAlex(page);
  const items = await verdicts(page);
  expect(await notOk(items)).toEqual([]);
  await expect(item(page, "✓", "Table privileges")).toContainText(
    "On annotation (entity set annotations) the application user may, through its roles and its teams' roles: Read (prvReadNote, Organization)",
  );
  expect(metadata).toEqual([]);
});

test("Dynamics CRM permission missing: ⚠ with client_credentials, ✗ with authorization_code", async ({ page }) => {
  await startScenario(page, "Dynamics CRM permission missing");
  await signInAlex(page);
  await verdicts(page);
  const warn = item(page, "⚠", "Dynamics CRM permission");
  await expect(warn).toContainText("client_credentials connection does not need it");
  await expect(item(page, "✗", "Dynamics CRM permission")).toHaveCount(0);

  await gotoStep(page, 6);
  await page.getByLabel("authorization_code").check();
  await gotoStep(page, 7);
  await region(page).getByRole("button", { name: "Verify again" }).click();
  await verdicts(page);
  await expect(item(page, "✗", "Dynamics CRM permission")).toContainText("Dynamics CRM is not under the app's API permissions");
  await expect(item(page, "✗", "Dynamics CRM permission")).not.toContainText("does not need it");
});

test("every Dataverse Web API read carries If-None-Match: null", async ({ page }) => {
  const reads = [];
  page.on("request", (r) => {
    if (/^http:\/\/[a-z]+\.crm\.localhost:8081\/api\/data\//.test(r.url()) && r.method() === "GET") {
      reads.push({ url: r.url(), header: r.headers()["if-none-match"] });
    }
  });
  await startScenario(page, "Application user missing");
  await signInAlex(page);
  await verdicts(page);
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: /Schema loaded from/ })).toBeVisible({ timeout: 30_000 });
  // The fix's reads too: the root business unit and its roles.
  await item(page, "✗", "Application user").getByRole("button", { name: "Create the application user" }).click();
  await expect(page.getByRole("group", { name: "Confirm: create the application user" })).toBeVisible();
  const paths = reads.map((r) => new URL(r.url).pathname.replace(/^\/api\/data\/v9\.2\//, ""));
  for (const want of ["WhoAmI", "systemusers", "$metadata", "businessunits", "roles"]) {
    expect(paths, `a read of ${want}`).toContain(want);
  }
  expect(reads.filter((r) => r.header !== "null")).toEqual([]);
});

test("the application user is created as Microsoft's tools do: root business unit, accessmode 4, id from OData-EntityId", async ({ page }) => {
  const creates = [];
  let root = null;
  page.on("response", async (r) => {
    if (r.url().includes("/businessunits?") && r.ok()) {
      expect(decodeURIComponent(r.url())).toContain("$filter=parentbusinessunitid eq null");
      root = (await r.json()).value[0].businessunitid;
    }
    if (r.request().method() === "POST" && r.url().endsWith("/systemusers")) {
      creates.push({ status: r.status(), entityId: await r.headerValue("odata-entityid"), body: r.request().postDataJSON() });
    }
  });
  await startScenario(page, "Application user missing");
  await signInAlex(page);
  await verdicts(page);
  await item(page, "✗", "Application user").getByRole("button", { name: "Create the application user" }).click();
  const confirm = page.getByRole("group", { name: "Confirm: create the application user" });
  await expect(confirm.locator("pre")).toContainText('"accessmode": 4');
  await expect(confirm.locator("pre")).toContainText('"isdisabled": false');
  await confirm.getByRole("button", { name: "Send: create the application user" }).click();
  await expect(item(page, "✓", "Application user")).toHaveCount(1, { timeout: 45_000 });
  await expect(item(page, "✓", "Security roles")).toHaveCount(1);
  expect(creates).toHaveLength(1);
  expect(creates[0].status).toBe(204);
  expect(creates[0].entityId).toMatch(/\/systemusers\([0-9a-f-]{36}\)$/);
  // The body binds the root business unit (the one without a parent).
  expect(root).toMatch(/^[0-9a-f-]{36}$/);
  expect(creates[0].body["businessunitid@odata.bind"]).toBe(`/businessunits(${root})`);
  expect(creates[0].body.applicationid).toBe("aaaaaaaa-0000-4000-8000-000000000010");

  // A second try finds the user and creates nothing.
  await region(page).getByRole("button", { name: "Verify again" }).click();
  await verdicts(page);
  await expect(region(page).getByRole("button", { name: "Create the application user" })).toHaveCount(0);
  expect(creates).toHaveLength(1);
});

test("at 360 px the sign-in's evidence (the granted scope's long URLs) wraps inside the page", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 900 });
  await startScenario(page, "Everything set up");
  await signInAlex(page);
  await verdicts(page);
  const scope = page.getByRole("region", { name: "Signed in" }).getByRole("listitem").filter({ hasText: "Scope: ✓ Granted:" });
  await expect(scope).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});
