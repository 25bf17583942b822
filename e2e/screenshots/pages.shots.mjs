// Every page and state of the wizard as PNGs, for a person to look at: screenshots/<scheme>-<width>/.
import { test, expect } from "@playwright/test";
import { mkdir, writeFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  FIXTURES,
  REPO,
  field,
  gotoStep,
  resetSandbox,
  signInAlex,
  startScenario,
  startWithSandbox,
  verdicts,
} from "../tests/support.mjs";

const OUT = path.join(REPO, "screenshots");
const STEPS = ["register", "permissions", "secret", "details", "app-user", "connector", "test", "review"];
const BIG = path.join(FIXTURES, "csdl/dataverse_v9_bcgov_embc_ess_2022-10.xml");
const broken = path.join(os.tmpdir(), `wizard-shots-broken-${process.pid}.xml`);

test.beforeAll(async () => {
  await writeFile(broken, '<?xml version="1.0"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n  <edmx:DataServices>\n  </edmx:Wrong>\n</edmx:Edmx>\n');
});
test.afterAll(async () => rm(broken, { force: true }));

for (const scheme of ["light", "dark"]) {
  for (const width of [1280, 360]) {
    test(`screenshots ${scheme} ${width}`, async ({ browser, request }) => {
      const dir = path.join(OUT, `${scheme}-${width}`);
      await mkdir(dir, { recursive: true });
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      const page = await context.newPage();
      // "Try with the sandbox" asks before replacing typed progress: yes.
      page.on("dialog", (d) => d.accept());
      // Parts fetched on demand (src/split.rs) show "Loading…" until they arrive: not in a picture.
      const shot = async (name, opts = {}) => {
        await expect(page.locator("p.loading")).toHaveCount(0);
        await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, ...opts });
      };
      await resetSandbox(request);

      await page.goto("/");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await shot("00-welcome");
      for (const [i, step] of STEPS.entries()) {
        await page.goto(`/setup/${step}`);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await shot(`0${i + 1}-${step}-empty`);
      }
      // A split module that cannot be fetched: its place says so.
      await page.route(/\/dataverse-wizard-split_steps-[0-9a-f]{16}\.wasm$/, (route) => route.abort("internetdisconnected"));
      await page.goto("/setup/register");
      await expect(page.getByRole("alert")).toBeVisible();
      await shot("01-register-module-unreachable");
      await page.unrouteAll();
      // The schema cache's module cannot be fetched: the test step says there is no cache.
      await page.route(/\/dataverse-wizard-split_background-[0-9a-f]{16}\.wasm$/, (route) => route.abort("internetdisconnected"));
      await page.goto("/setup/test");
      await expect(page.getByText(/The schema cache is not available/)).toBeVisible();
      await shot("07-test-cache-module-unreachable");
      await page.unrouteAll();

      await page.goto("/setup/details");
      await field(page, "Directory (tenant) ID").fill("common");
      await field(page, "Environment URL").fill("https://https://contoso.crm.dynamics.com");
      await shot("04-details-errors");

      // The picker open, an option active, and a failed load after a good one.
      await page.goto("/setup/test");
      await page.getByLabel("Or load $metadata from a file").setInputFiles(BIG);
      const box = page.getByRole("combobox", { name: "Find the entity set" });
      await expect(box).toBeVisible({ timeout: 30_000 });
      await shot("07-test-schema-from-file");
      await box.click();
      await box.fill("acc");
      for (let i = 0; i < 3; i++) await box.press("ArrowDown");
      await shot("07-test-picker-open", { fullPage: false });
      await box.fill("");
      for (let i = 0; i < 14; i++) await box.press("ArrowDown");
      await shot("07-test-picker-scrolled", { fullPage: false });
      await box.press("Escape");
      await page.getByLabel("Or load $metadata from a file").setInputFiles(broken);
      await expect(page.getByRole("alert").first()).toBeVisible();
      await shot("07-test-failed-load");

      // Signed in with the sandbox, the schema from the environment, then the application user.
      await startWithSandbox(page);
      // A domain typed as the tenant, looked up to its tenant ID (issue 21), then put back.
      await gotoStep(page, 4);
      await field(page, "Directory (tenant) ID").fill("contoso.onmicrosoft.com");
      await page.getByRole("button", { name: "Find the tenant ID" }).click();
      await expect(page.getByRole("button", { name: "Use the tenant ID" })).toBeVisible();
      await shot("04-details-tenant-found");
      await page.getByRole("button", { name: "Use the tenant ID" }).click();
      await gotoStep(page, 7);
      await page.getByRole("button", { name: "Sign in and test" }).click();
      await shot("07-sandbox-sign-in");
      await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
      await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible({ timeout: 20_000 });
      await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
      await expect(page.getByRole("combobox", { name: "Find the entity set" })).toBeVisible({ timeout: 30_000 });
      await shot("07-test-signed-in-loaded");
      await gotoStep(page, 5);
      await shot("05-app-user-signed-in");
      await gotoStep(page, 8);
      await shot("08-review-filled");
      await gotoStep(page, 6);
      await page.getByLabel("Data Sync will write to this table").check();
      await shot("06-connector-filled");
      await page.getByLabel("authorization_code").check();
      await shot("06-connector-authorization-code");
      await page.getByLabel("Your own redirect, or http://localhost").check();
      await shot("06-connector-own-redirect");
      await page.getByLabel("client_credentials").check();

      // Setup verification when Entra ID gives no refresh token: the Graph checks wait for a
      // second sign-in, for Microsoft Graph alone; after it the Dataverse results are kept.
      await page.route("http://localhost:8081/**/oauth2/v2.0/token", async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        delete body.refresh_token;
        await route.fulfill({ response, json: body });
      });
      await gotoStep(page, 7);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in and test" }).click();
      await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
      const graph = page.getByRole("button", { name: "Sign in to Microsoft Graph" });
      await expect(graph).toBeVisible({ timeout: 30_000 });
      await shot("07-verify-no-refresh-token");
      await graph.click();
      await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
      await expect(page.getByText("The app-registration results came with the sign-in for Microsoft Graph")).toBeVisible({ timeout: 30_000 });
      await shot("07-verify-after-graph-sign-in");
      await page.unrouteAll();

      // Issue 20: a busy environment (429s and pages), team roles, opaque tokens.
      for (const [scenario, name] of [
        ["Busy environment", "07-verify-busy"],
        ["Role through a team", "07-verify-team-role"],
        ["Opaque access tokens", "07-verify-opaque-tokens"],
      ]) {
        await startScenario(page, scenario);
        await signInAlex(page);
        await verdicts(page);
        await shot(name);
      }

      // Issue 21: Your environments, then one setup in two environments.
      await startScenario(page, "Everything set up");
      await signInAlex(page);
      await gotoStep(page, 4);
      const environments = page.getByRole("group", { name: "Your environments" });
      await expect(environments.getByRole("checkbox", { name: "Contoso", exact: true })).toBeChecked({ timeout: 20_000 });
      await environments.getByRole("checkbox", { name: "Contoso Test" }).check();
      await shot("04-details-your-environments");
      await gotoStep(page, 7);
      await page.getByRole("button", { name: "Verify again" }).click();
      await expect(
        page.getByRole("region", { name: "Setup verification: Contoso Test", exact: true }).locator("ul.verdicts > li"),
      ).toHaveCount(4, { timeout: 30_000 });
      await shot("07-verify-two-environments");
      await gotoStep(page, 8);
      await page.getByRole("tab", { name: "Power Platform CLI" }).click();
      await shot("08-review-two-environments");

      // Issue 22: Set it up for me, from a bare app registration.
      await resetSandbox(request);
      const signInOnSandbox = async () => {
        await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
        await page.waitForLoadState();
        if (page.url().startsWith("http://localhost:8081") && (await page.getByRole("button", { name: "Accept" }).count()) > 0) {
          await page.getByLabel("Consent on behalf of your organization").check();
          await page.getByRole("button", { name: "Accept" }).click();
        }
      };
      await page.goto("/");
      await page.getByLabel("Sandbox scenario").selectOption("Bare app registration");
      await page.getByRole("button", { name: "Try with the sandbox" }).click();
      await page.getByRole("button", { name: "Sign in to list your environments" }).click();
      await signInOnSandbox();
      await expect(page).toHaveURL(/\/setup\/details$/, { timeout: 20_000 });
      const yours = page.getByRole("group", { name: "Your environments" });
      await yours.getByRole("checkbox", { name: "Contoso", exact: true }).check();
      await yours.getByRole("checkbox", { name: "Contoso Test" }).check();
      await gotoStep(page, 6);
      await field(page, "Entity").fill("accounts");
      await gotoStep(page, 7);
      const setUp = page.getByRole("region", { name: "Set it up for me" });
      await setUp.getByRole("button", { name: "Set it up for me" }).click();
      await setUp.getByRole("button", { name: "Sign in to Microsoft Graph for the setup" }).click();
      await signInOnSandbox();
      const plan = setUp.getByRole("group", { name: "The plan" });
      await expect(plan).toBeVisible({ timeout: 20_000 });
      await shot("07-set-up-plan");
      await plan.getByLabel("Security role for the application users").selectOption("Sync reader (sandbox)");
      await plan.getByRole("button", { name: "Run the plan" }).click();
      await expect(setUp.getByText("The plan has run")).toBeVisible({ timeout: 40_000 });
      await expect(
        page.getByRole("region", { name: "Setup verification: Contoso Test", exact: true }).locator("ul.verdicts > li"),
      ).toHaveCount(4, { timeout: 40_000 });
      await shot("07-set-up-done");

      // The deployment's setup app: create the app registration itself (issue 22).
      await page.route("**/config.json", (route) => route.fulfill({ json: { setup_client_id: "aaaaaaaa-0000-4000-8000-000000000030" } }));
      await page.goto("/setup/register");
      await page.getByRole("button", { name: "Start over" }).click();
      await page.getByLabel("Microsoft cloud").selectOption({ label: "Local sandbox" });
      await gotoStep(page, 4);
      await field(page, "Directory (tenant) ID").fill("11111111-2222-3333-4444-555555555555");
      await page.getByRole("button", { name: "Sign in with the setup app" }).click();
      await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
      await expect(page.getByRole("button", { name: "Create the app registration" })).toBeVisible({ timeout: 20_000 });
      await shot("04-details-create-app");
      await page.unrouteAll();

      await page.goto("/settings");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await shot("09-settings");
      await page.goto("/no-such-page");
      await shot("10-not-found");
      await context.close();
    });
  }
}
