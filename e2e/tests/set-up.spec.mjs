// Issue 22: "Set it up for me" — from a bare app registration (a name and the SPA redirect) to a
// verified connection in two environments, with two values typed: the plan shows every request,
// one confirmation runs it, a second run changes nothing, a failure mid-way resumes after a
// reload, and a person without the rights gets a message for an administrator.
import { test, expect } from "@playwright/test";
import { SANDBOX, expectStep, field, gotoStep, resetSandbox, stepList } from "./support.mjs";

const BARE = "aaaaaaaa-0000-4000-8000-000000000024";
const TENANT = "11111111-2222-3333-4444-555555555555";

test.beforeEach(async ({ request }) => {
  await resetSandbox(request);
});

/**
 * Counts what the person does (for the journey figures): values typed, clicks in the wizard, and
 * clicks on the sign-in service's pages (account picker, consent), which a person makes anyway.
 */
function counter(page) {
  const c = { clicks: 0, signInClicks: 0, typed: 0 };
  const onSignInPage = () => page.url().startsWith(SANDBOX);
  return {
    c,
    click: async (locator) => {
      if (onSignInPage()) c.signInClicks += 1;
      else c.clicks += 1;
      await locator.click();
    },
    check: async (locator) => {
      if (onSignInPage()) c.signInClicks += 1;
      else c.clicks += 1;
      await locator.check();
    },
    type: async (locator, value) => {
      c.typed += 1;
      await locator.fill(value);
    },
  };
}

/** On the sandbox's sign-in page: sign in as `who`, accepting the consent page when it comes. */
async function signInOnSandbox(page, who, act, { organization = true } = {}) {
  await act.click(page.getByRole("button", { name: `Sign in as ${who}` }));
  const accept = page.getByRole("button", { name: "Accept" });
  await page.waitForLoadState();
  if (page.url().startsWith(SANDBOX) && (await accept.count()) > 0) {
    if (organization && (await page.getByLabel("Consent on behalf of your organization").count()) > 0) {
      await act.check(page.getByLabel("Consent on behalf of your organization"));
    }
    await act.click(accept);
  }
}

/** Welcome → "Bare app registration": the sandbox fills only what a person has then. */
async function startBare(page, act) {
  await page.goto("/");
  await page.getByLabel("Sandbox scenario").selectOption("Bare app registration");
  await act.click(page.getByRole("button", { name: "Try with the sandbox" }));
  await expectStep(page, 4);
  await expect(field(page, "Application (client) ID")).toHaveValue(BARE);
  await expect(field(page, "Directory (tenant) ID")).toHaveValue(TENANT);
  for (const label of ["Environment URL", "Object ID (Enterprise application)", "Client secret value"]) {
    await expect(field(page, label)).toHaveValue("");
  }
}

/** Step 4: sign in for discovery, tick both environments. */
async function pickBoth(page, act, who = "Alex Admin") {
  const group = page.getByRole("group", { name: "Your environments" });
  await act.click(group.getByRole("button", { name: "Sign in to list your environments" }));
  await signInOnSandbox(page, who, act);
  await expect(page).toHaveURL(/\/setup\/details$/, { timeout: 20_000 });
  await act.check(group.getByRole("checkbox", { name: "Contoso", exact: true }));
  await act.check(group.getByRole("checkbox", { name: "Contoso Test" }));
}

/** Step 7, signed in (signing in there when the discovery sign-in has not already). */
async function signInAndTest(page, act, who = "Alex Admin") {
  await gotoStep(page, 7);
  // After the discovery sign-in the wizard is signed in to the first environment already.
  const signedIn = page.getByRole("status").filter({ hasText: "Signed in as" });
  const signIn = page.getByRole("button", { name: "Sign in and test" });
  await expect(signedIn.or(signIn)).toBeVisible({ timeout: 20_000 });
  if (await signedIn.isVisible()) return;
  await act.click(signIn);
  await signInOnSandbox(page, who, act);
  await expect(page).toHaveURL(/\/setup\/test$/, { timeout: 20_000 });
}

/** The bare app registration, both environments chosen, the entity typed, signed in on step 7. */
async function bareAppSignedIn(page, act, who = "Alex Admin") {
  await startBare(page, act);
  await pickBoth(page, act, who);
  await gotoStep(page, 6);
  await field(page, "Entity").fill("accounts");
  await signInAndTest(page, act, who);
}

function setUp(page) {
  return page.getByRole("region", { name: "Set it up for me" });
}

/** Set it up for me → (the sign-in for Graph's write permissions) → the plan. */
async function openPlan(page, act, who = "Alex Admin") {
  await act.click(setUp(page).getByRole("button", { name: "Set it up for me" }));
  const graphSignIn = setUp(page).getByRole("button", { name: "Sign in to Microsoft Graph for the setup" });
  const plan = setUp(page).getByRole("group", { name: "The plan" });
  await expect(graphSignIn.or(plan)).toBeVisible({ timeout: 20_000 });
  if (await graphSignIn.isVisible()) {
    await act.click(graphSignIn);
    await signInOnSandbox(page, who, act);
    await expect(page).toHaveURL(/\/setup\/test$/, { timeout: 20_000 });
  }
  await expect(plan).toBeVisible({ timeout: 20_000 });
  return plan;
}

/**
 * In a page of its own, Alex consents the bare app for the organisation (the discovery sign-in);
 * with `graph`, also its Graph write permissions (the setup's sign-in, up to the plan).
 */
async function adminConsents(browser, { graph = false } = {}) {
  const admin = await browser.newPage();
  const act = counter(admin);
  await startBare(admin, act);
  await pickBoth(admin, act);
  if (graph) {
    await signInAndTest(admin, act);
    await openPlan(admin, act);
  }
  await admin.close();
}

async function allVerified(page) {
  for (const name of ["Contoso", "Contoso Test"]) {
    const items = page.getByRole("region", { name: `Setup verification: ${name}`, exact: true }).locator("ul.verdicts > li");
    await expect(items).toHaveCount(4, { timeout: 40_000 });
    await expect.poll(async () => (await items.allTextContents()).filter((t) => !t.startsWith("✓")), { timeout: 40_000 }).toEqual([]);
  }
  const entra = page.getByRole("region", { name: "Setup verification", exact: true }).locator(":scope > ul.verdicts > li");
  await expect.poll(async () => (await entra.allTextContents()).filter((t) => !t.startsWith("✓")).map((t) => t.slice(0, 50)), { timeout: 40_000 }).toEqual([]);
}

test("journey: Bare app registration → Set it up for me → all ✓ in Contoso and Contoso Test, every field filled", async ({ page }) => {
  const started = Date.now();
  const act = counter(page);
  await startBare(page, act);
  await pickBoth(page, act);
  await act.click(stepList(page).getByRole("link", { name: /^6 / }));
  await act.type(field(page, "Entity"), "accounts");
  // The discovery sign-in signed in to Contoso too: step 7 is signed in already.
  await act.click(stepList(page).getByRole("link", { name: /^7 / }));
  await expect(page.getByRole("status").filter({ hasText: "Signed in as" })).toBeVisible({ timeout: 20_000 });
  const plan = await openPlan(page, act);
  // Every step shows its exact request before anything runs.
  const steps = plan.locator("li.plan-step");
  await expect(steps.filter({ hasText: "Add the Dynamics CRM permission" }).locator("pre")).toContainText("PATCH http://graph.localhost:8081/v1.0/applications/");
  await expect(steps.filter({ hasText: "Add the Dynamics CRM permission" }).locator("pre")).toContainText("00000007-0000-0000-c000-000000000000");
  await expect(steps.filter({ hasText: "Create a client secret" }).locator("pre")).toContainText("/addPassword");
  await expect(steps.filter({ hasText: "Create the application user in Contoso Test" }).locator("pre")).toContainText("POST http://contosotest.crm.localhost:8081/api/data/v9.2/systemusers");
  await plan.getByLabel("Security role for the application users").selectOption("Sync reader (sandbox)");
  await act.click(plan.getByRole("button", { name: "Run the plan" }));
  await allVerified(page);
  // Every field came from the APIs.
  await gotoStep(page, 4);
  await expect(field(page, "Object ID (Enterprise application)")).toHaveValue("cccccccc-0000-4000-8000-000000000024");
  await expect(field(page, "Client secret value")).not.toHaveValue("");
  await expect(field(page, "Secret expires")).not.toHaveValue("");
  await expect(field(page, "Environment URL")).toHaveValue("http://contoso.crm.localhost:8081");
  const seconds = (Date.now() - started) / 1000;
  console.log(`[journey] set up for me: ${act.c.typed} value typed (the entity; the sandbox button stands for typing the client ID and tenant), ${act.c.clicks} clicks in the wizard + ${act.c.signInClicks} on the sign-in pages, ${seconds.toFixed(1)} s`);
  expect(act.c.typed).toBeLessThanOrEqual(2);
  expect(act.c.clicks).toBeLessThanOrEqual(9);

  // A second run changes nothing: the plan is empty.
  await gotoStep(page, 7);
  await expect(setUp(page)).toHaveCount(0);
});

test("a failure mid-way: the third write fails once; after a reload the next run ends all ✓ with nothing twice", async ({ page, request }) => {
  const act = counter(page);
  await bareAppSignedIn(page, act);
  const plan = await openPlan(page, act);
  const stepNames = await plan.locator("li.plan-step > strong").allTextContents();
  expect(stepNames.length).toBeGreaterThanOrEqual(3);
  // Fail the third step's request once (not a 429/503: those are retried on their own).
  const third = await plan.locator("li.plan-step pre").nth(2).textContent();
  const [method, url] = third.split("\n")[0].split(" ");
  const u = new URL(url);
  const r = await request.post(`${SANDBOX}/sandbox/faults`, { data: { method, path: u.pathname, host: u.hostname, status: 500, times: 1 } });
  expect(r.ok()).toBeTruthy();
  await plan.getByLabel("Security role for the application users").selectOption("Sync reader (sandbox)");
  await plan.getByRole("button", { name: "Run the plan" }).click();
  await expect(setUp(page).locator("li.plan-step.failed")).toHaveCount(1, { timeout: 40_000 });
  await expect(setUp(page).getByText("Log of the setup")).toBeVisible();

  await page.reload();
  await signInAndTest(page, act);
  const again = await openPlan(page, act);
  const left = await again.locator("li.plan-step > strong").allTextContents();
  expect(left).toEqual([stepNames[2]]);
  await again.getByRole("button", { name: "Run the plan" }).click();
  await allVerified(page);
  // Nothing twice: one secret, one application user per environment, each redirect once.
  const apps = await (await request.get(`${SANDBOX}/sandbox/state/applications/${BARE}`)).json().catch(() => null);
  if (apps) {
    expect(apps.passwordCredentials).toHaveLength(1);
    expect(apps.spa.redirectUris.filter((x) => x === "http://localhost:8080/auth/callback")).toHaveLength(1);
  }
});

test("Uma, without an admin role: Entra ID refuses her the write permissions, and the message for an administrator says what is left", async ({ page, browser }) => {
  // An administrator consented the app for the organisation (so Uma can sign in at all).
  await adminConsents(browser);

  const act = counter(page);
  await bareAppSignedIn(page, act, "Uma User");
  await expect(page.getByRole("region", { name: "Setup verification: Contoso Test", exact: true }).locator("ul.verdicts > li")).toHaveCount(4, { timeout: 30_000 });
  await setUp(page).getByRole("button", { name: "Set it up for me" }).click();
  await setUp(page).getByRole("button", { name: "Sign in to Microsoft Graph for the setup" }).click();
  await page.getByRole("button", { name: "Sign in as Uma User" }).click();
  await expect(page).toHaveURL(/\/setup\/test$/, { timeout: 20_000 });
  await expect(setUp(page).getByRole("alert")).toContainText("AADSTS65001");
  const message = setUp(page).getByLabel("Message for an administrator");
  await expect(message).toHaveValue(/finish the setup of the app .*aaaaaaaa-0000-4000-8000-000000000024/);
  await expect(message).toHaveValue(/Create the application user in Contoso \(can be done by a System Administrator of the environment\)/);
  await expect(message).toHaveValue(/Create the application user in Contoso Test/);
});

test("Uma, once an administrator consented the setup permissions: she does what an owner may, and the message lists the rest", async ({ page, browser }) => {
  // An administrator consented the app, and its Graph write permissions, for the organisation.
  await adminConsents(browser, { graph: true });

  const act = counter(page);
  await bareAppSignedIn(page, act, "Uma User");
  const plan = await openPlan(page, act, "Uma User");
  // She owns the app: the permission and the secret are hers to add; the application users are not.
  const users = plan.locator("li.plan-step").filter({ hasText: "Create the application user" });
  await expect(users).toHaveCount(2);
  await expect(users.first()).toContainText("You do not seem to have it");
  await plan.getByRole("button", { name: "Run the plan" }).click();
  await expect(plan.locator("li.plan-step.done").filter({ hasText: "Add the Dynamics CRM permission" })).toHaveCount(1, { timeout: 30_000 });
  await expect(plan.locator("li.plan-step.done").filter({ hasText: "Create a client secret" })).toHaveCount(1);
  await expect(plan.locator("li.plan-step.needs-admin")).toHaveCount(2);
  const message = setUp(page).getByLabel("Message for an administrator");
  await expect(message).toHaveValue(/Create the application user in Contoso Test \(can be done by a System Administrator of the environment\)/);
  await expect(message).not.toHaveValue(/Create a client secret/);
});

test("journey: today's manual path — every value typed, the portal steps ticked by hand — to all ✓ in Contoso and Contoso Test", async ({ page }) => {
  const started = Date.now();
  const act = counter(page);
  await page.goto("/");
  await act.click(page.getByRole("link", { name: "Start the setup" }));
  await page.getByLabel("Microsoft cloud").selectOption({ label: "Local sandbox" });
  act.c.clicks += 1;
  // The portal steps: every checklist item of steps 1 to 5 is something done by hand in a portal.
  let portalSteps = 0;
  for (let n = 1; n <= 5; n += 1) {
    await gotoStep(page, n);
    portalSteps += await page.locator("main ol.checklist input[type=checkbox]").count();
  }
  await gotoStep(page, 4);
  await act.type(field(page, "Directory (tenant) ID"), TENANT);
  await act.type(field(page, "Application (client) ID"), "aaaaaaaa-0000-4000-8000-000000000001");
  await act.type(field(page, "Object ID (Enterprise application)"), "cccccccc-0000-4000-8000-000000000001");
  await act.type(field(page, "Client secret value"), "Sbx8Q~sandbox.client.secret.value.000001");
  await act.type(field(page, "Secret expires"), new Date(Date.now() + 300 * 86400_000).toISOString().slice(0, 10));
  await act.type(field(page, "Environment URL"), "http://contoso.crm.localhost:8081");
  await gotoStep(page, 6);
  await act.type(field(page, "Entity"), "accounts");
  await signInAndTest(page, act);
  await gotoStep(page, 4);
  await act.check(page.getByRole("group", { name: "Your environments" }).getByRole("checkbox", { name: "Contoso Test" }));
  await gotoStep(page, 7);
  await act.click(page.getByRole("button", { name: "Verify again" }));
  await allVerified(page);
  const seconds = (Date.now() - started) / 1000;
  console.log(`[journey] manual path: ${act.c.typed} values typed, ${act.c.clicks} clicks in the wizard + ${act.c.signInClicks} on the sign-in pages, plus ${portalSteps} portal steps by hand before it, ${seconds.toFixed(1)} s in the wizard`);
});

test("with the deployment's setup app, the app registration itself is created from nothing", async ({ page, request }) => {
  const SETUP_APP = "aaaaaaaa-0000-4000-8000-000000000030";
  await page.route("**/config.json", (route) => route.fulfill({ json: { setup_client_id: SETUP_APP } }));
  await page.goto("/");
  await page.getByRole("link", { name: "Start the setup" }).click();
  await page.getByLabel("Microsoft cloud").selectOption({ label: "Local sandbox" });
  await gotoStep(page, 4);
  await field(page, "Directory (tenant) ID").fill(TENANT);
  const create = page.getByRole("region", { name: "Create the app registration for me" });
  await create.getByRole("button", { name: "Sign in with the setup app" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page).toHaveURL(/\/setup\/details$/, { timeout: 20_000 });
  const confirm = create.getByRole("group", { name: "Confirm: create the app registration" });
  await expect(confirm.locator("pre")).toContainText("POST http://graph.localhost:8081/v1.0/applications", { timeout: 20_000 });
  await expect(confirm.locator("pre")).toContainText('"signInAudience": "AzureADMyOrg"');
  await expect(confirm.locator("pre")).toContainText("http://localhost:8080/auth/callback");
  await confirm.getByRole("button", { name: "Create the app registration" }).click();
  await expect(create.getByRole("status")).toContainText("Created the app registration", { timeout: 20_000 });
  const clientId = await field(page, "Application (client) ID").inputValue();
  expect(clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await gotoStep(page, 1);
  await expect(field(page, "Application name")).toHaveValue("Simego Data Sync");
  // The tenant holds it: single tenant, the wizard's SPA redirect, Dynamics CRM user_impersonation.
  const app = await (await request.get(`${SANDBOX}/sandbox/state/applications/${clientId}`)).json();
  expect(app.signInAudience).toBe("AzureADMyOrg");
  expect(app.spa.redirectUris).toEqual(["http://localhost:8080/auth/callback"]);
  expect(app.requiredResourceAccess[0].resourceAppId).toBe("00000007-0000-0000-c000-000000000000");
});
