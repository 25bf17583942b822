// Issue 12, "the finish a user sees": the picker is a real drop-down, every state is styled, a
// failed load says which schema is in use, two tabs never lose work, application user names use
// a real domain. Each test asserts what a screenshot shows a person.
import { test, expect } from "@playwright/test";
import { writeFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FICTIONAL, FIXTURES, field, gotoStep, resetSandbox, startWithSandbox } from "./support.mjs";

const BIG = path.join(FIXTURES, "csdl/dataverse_v9_bcgov_embc_ess_2022-10.xml");
const TRIPPIN = path.join(FIXTURES, "csdl/trippin_simpleodata.xml");
const broken = path.join(os.tmpdir(), `wizard-e2e-finish-broken-${process.pid}.xml`);

test.beforeAll(async () => {
  await writeFile(
    broken,
    '<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n  <edmx:DataServices>\n  </edmx:Wrong>\n</edmx:Edmx>\n',
  );
});
test.afterAll(async () => rm(broken, { force: true }));

const picker = (page) => page.getByRole("combobox", { name: "Find the entity set" });
const listbox = (page) => page.getByRole("listbox", { name: "Entity sets" });
const fileInput = (page) => page.getByLabel("Or load $metadata from a file");

async function loadFile(page, file) {
  await fileInput(page).setInputFiles(file);
  await expect(page.getByRole("status").filter({ hasText: new RegExp(`Schema loaded from file: ${path.basename(file).replace(/\./g, "\\.")}`) })).toBeVisible({ timeout: 30_000 });
}

const bg = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);
const TRANSPARENT = "rgba(0, 0, 0, 0)";

for (const scheme of ["light", "dark"]) {
  test(`the picker is a bounded popup with a highlighted active option (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/setup/test");
    await loadFile(page, BIG);
    const box = picker(page);
    await box.click();
    await expect(box).toHaveAttribute("aria-expanded", "true");
    const list = listbox(page);
    await expect(list).toBeVisible();

    // Bounded and scrolling, floating over the page (not a bulleted list pushing it down).
    const size = await list.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      scroll: el.scrollHeight,
      client: el.clientHeight,
      position: getComputedStyle(el).position,
      bullets: getComputedStyle(el).listStyleType,
    }));
    expect(size.height).toBeLessThanOrEqual(23 * 16);
    expect(size.scroll).toBeGreaterThan(size.client);
    expect(size.position).toBe("absolute");
    expect(size.bullets).toBe("none");

    // Move far down with the keyboard: the active option is highlighted and scrolled into view.
    for (let i = 0; i < 15; i++) await box.press("ArrowDown");
    const active = list.getByRole("option", { selected: true });
    await expect(active).toHaveCount(1);
    const activeId = await active.getAttribute("id");
    await expect(box).toHaveAttribute("aria-activedescendant", activeId);
    const other = list.getByRole("option", { selected: false }).first();
    expect(await bg(active)).not.toBe(await bg(other));
    expect(await bg(active)).not.toBe(TRANSPARENT);
    const [a, l] = [await active.boundingBox(), await list.boundingBox()];
    expect(a.y).toBeGreaterThanOrEqual(l.y - 1);
    expect(a.y + a.height).toBeLessThanOrEqual(l.y + l.height + 1);

    // The list is scrolled down; after typing, the new matches (more than fit) start at its top,
    // the first one active.
    expect(await list.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await box.fill("a");
    await expect(list.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
    expect(await list.evaluate((el) => [el.scrollTop, el.scrollHeight > el.clientHeight])).toEqual([0, true]);
    // A keystroke builds the options in view and a few more; scrolling the list builds the rest
    // of its window of 20.
    await expect(list.getByRole("option")).toHaveCount(8);
    await expect(page.getByRole("status").filter({ hasText: /^Showing 20 of \d+ matches/ })).toBeVisible();
    await list.hover();
    await page.mouse.wheel(0, 300);
    await expect(list.getByRole("option")).toHaveCount(20);

    // Typing narrows; the match is emphasised; name and key are separate, visibly apart.
    await box.fill("acc");
    const accounts = list.getByRole("option", { name: /^accounts\s*key: accountid$/ });
    await expect(accounts).toBeVisible();
    await expect(accounts.locator("mark").first()).toHaveText("acc");
    // The pointer over an option makes it the active one (over its highlighted part too).
    await accounts.locator("mark").first().hover();
    await expect(accounts).toHaveAttribute("aria-selected", "true");
    await expect(box).toHaveAttribute("aria-activedescendant", await accounts.getAttribute("id"));
    await expect(list.getByRole("option", { selected: true })).toHaveCount(1);
    const name = accounts.getByText("accounts", { exact: true });
    const key = accounts.getByText(/^key: accountid$/);
    const [n, k] = [await name.boundingBox(), await key.boundingBox()];
    expect(k.x >= n.x + n.width + 4 || k.y >= n.y + n.height - 1).toBe(true);

    // Escape closes; arrow down opens again; a click chooses and closes.
    await box.press("Escape");
    await expect(box).toHaveAttribute("aria-expanded", "false");
    await expect(list).toBeHidden();
    await box.press("ArrowDown");
    await expect(list).toBeVisible();
    await accounts.click();
    await expect(box).toHaveValue("accounts");
    await expect(list).toBeHidden();

    // Leaving the box closes the popup.
    await box.click();
    await expect(list).toBeVisible();
    await box.press("Tab");
    await expect(list).toBeHidden();
  });
}

test("at 320 px the open picker and its options fit the screen", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 700 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto("/setup/test");
  await loadFile(page, BIG);
  await picker(page).tap();
  await picker(page).fill("a");
  const list = listbox(page);
  await expect(list).toBeVisible();
  const l = await list.boundingBox();
  expect(l.x).toBeGreaterThanOrEqual(0);
  expect(l.x + l.width).toBeLessThanOrEqual(320);
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client + 1);
  // A tap chooses.
  const first = list.getByRole("option").first();
  const chosen = (await first.locator(".set-name").innerText()).trim();
  await first.tap();
  await expect(picker(page)).toHaveValue(chosen);
  await context.close();
});

test("a failed load says the previous schema is still in use, with one result on screen", async ({ page }) => {
  await page.goto("/setup/test");
  await loadFile(page, TRIPPIN);
  await fileInput(page).setInputFiles(broken);
  const alert = page.getByRole("alert").filter({ hasText: "METADATA_XML" });
  await expect(alert).toBeVisible();
  // The error panel has its state colour.
  const colours = await alert.evaluate((el) => {
    const probe = document.createElement("p");
    probe.className = "msg error";
    document.body.append(probe);
    const want = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return { got: getComputedStyle(el).backgroundColor, want };
  });
  expect(colours.got).toBe(colours.want);
  // One truth: no fresh "Schema loaded" success beside the failure, but a clear note of what
  // the picker offers.
  await expect(page.getByRole("status").filter({ hasText: /^Schema loaded from/ })).toHaveCount(0);
  const still = page.getByRole("status").filter({ hasText: "The previous schema is still in use" });
  await expect(still).toBeVisible();
  await expect(still).toContainText("trippin_simpleodata.xml");
  await expect(picker(page)).toBeVisible();
  // A good load clears the failure and says so, once.
  await loadFile(page, TRIPPIN);
  await expect(alert).toHaveCount(0);
  await expect(still).toHaveCount(0);
});

test("two tabs: edits made in each survive and appear in the others; the secret stays per tab", async ({ browser }) => {
  const context = await browser.newContext();
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto("/setup/details");
  await b.goto("/setup/details");
  await field(a, "Directory (tenant) ID").fill(FICTIONAL.tenant);
  await field(a, "Client secret value").fill(FICTIONAL.secret);
  // Tab B has not typed the tenant; it types the client ID.
  await field(b, "Application (client) ID").fill(FICTIONAL.clientId);
  // Each tab shows the other's edit, live.
  await expect(field(b, "Directory (tenant) ID")).toHaveValue(FICTIONAL.tenant);
  await expect(field(a, "Application (client) ID")).toHaveValue(FICTIONAL.clientId);
  // A third tab has both; the secret is not shared.
  const c = await context.newPage();
  await c.goto("/setup/details");
  await expect(field(c, "Directory (tenant) ID")).toHaveValue(FICTIONAL.tenant);
  await expect(field(c, "Application (client) ID")).toHaveValue(FICTIONAL.clientId);
  await expect(field(c, "Client secret value")).toHaveValue("");
  await expect(field(b, "Client secret value")).toHaveValue("");
  await expect(field(a, "Client secret value")).toHaveValue(FICTIONAL.secret);
  // The same field edited later in another tab: the newest edit wins everywhere.
  await field(c, "Directory (tenant) ID").fill("contoso.onmicrosoft.com");
  await expect(field(a, "Directory (tenant) ID")).toHaveValue("contoso.onmicrosoft.com");
  await expect(field(b, "Directory (tenant) ID")).toHaveValue("contoso.onmicrosoft.com");
  await context.close();
});

const userName = (page) =>
  page.locator(".copy-value").filter({ has: page.getByText("User Name", { exact: true }) }).locator("code");

test("application user names use a domain tenant, or a clear placeholder, never @{guid}.com", async ({ page }) => {
  await page.goto("/setup/details");
  await field(page, "Directory (tenant) ID").fill(FICTIONAL.tenant);
  await field(page, "Application (client) ID").fill(FICTIONAL.clientId);
  await page.goto("/setup/app-user");
  await expect(userName(page)).toContainText(`${FICTIONAL.clientId}@<your-domain>`);
  await expect(userName(page)).not.toContainText(FICTIONAL.tenant);
  await expect(page.getByRole("note").filter({ hasText: "<your-domain>" })).toBeVisible();
  // A domain-form tenant is a real domain.
  await page.goto("/setup/details");
  await field(page, "Directory (tenant) ID").fill("contoso.onmicrosoft.com");
  await page.goto("/setup/app-user");
  await expect(userName(page)).toContainText(`${FICTIONAL.clientId}@contoso.onmicrosoft.com`);
});

test("signed in with a GUID tenant, the application user name uses the user's own domain", async ({ page, request }) => {
  await resetSandbox(request);
  await startWithSandbox(page);
  await gotoStep(page, 7);
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible({ timeout: 20_000 });
  await gotoStep(page, 5);
  await expect(userName(page)).toContainText(/@contoso\.onmicrosoft\.com$/);
  await expect(userName(page)).not.toContainText("<your-domain>");
});

test("the picker ranks an exact name, then shorter prefixes, and shows up to five options without a scrollbar", async ({ page }) => {
  await page.goto("/setup/test");
  await loadFile(page, BIG);
  const box = picker(page);
  await box.click();
  await box.fill("acc");
  const options = listbox(page).getByRole("option");
  // "accounts" before "accountleadscollection" (issue 24).
  await expect(options.first()).toHaveAccessibleName(/^accounts\b/);
  const names = (await options.allInnerTexts()).map((t) => t.split("\n")[0].trim());
  const prefixed = names.filter((n) => n.startsWith("acc"));
  const lengths = prefixed.map((n) => n.length);
  expect(lengths, `prefix matches shortest first: ${prefixed.join(", ")}`).toEqual([...lengths].sort((a, b) => a - b));
  // Up to five options fit: no scrollbar for nothing.
  const counts = [];
  for (const query of ["fiscal", "accounts", "queue", "annotation"]) {
    await box.fill(query);
    const count = await options.count();
    if (count === 0 || count > 5) continue;
    const fit = await listbox(page).evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
    console.log(`[picker] "${query}": ${count} option(s), ${fit.scroll} / ${fit.client} px`);
    expect(fit.scroll, `${count} option(s) for "${query}" fit without a scrollbar`).toBeLessThanOrEqual(fit.client);
    counts.push(count);
  }
  expect(counts, "five options, and fewer, were checked").toContain(5);
});
