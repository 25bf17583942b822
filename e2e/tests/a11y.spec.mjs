// Accessibility: axe-core on every page and the main states of the wizard, light and dark,
// at 320 px width, and no horizontal scrolling at 200 % zoom (a 640 px wide viewport).
import { test, expect } from "@playwright/test";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
// Evaluated through the devtools protocol, as @axe-core/playwright does: the app's Content Security
// Policy (rightly) refuses an injected inline <script>.
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const steps = ["register", "permissions", "secret", "details", "app-user", "connector", "test", "review"];

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  return result;
}

async function expectNoViolations(page, where) {
  const violations = await axe(page);
  expect(violations, `axe violations on ${where}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

async function noHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `horizontal scrolling on ${where}`).toBeLessThanOrEqual(client + 1);
}

for (const scheme of ["light", "dark"]) {
  test(`every page has no axe violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(page, "welcome");
    for (const step of steps) {
      await page.goto(`/setup/${step}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectNoViolations(page, `step ${step}`);
    }
    // A state with errors shown next to their fields.
    await page.goto("/setup/details");
    await page.getByLabel("Directory (tenant) ID").fill("common");
    await page.getByLabel("Object ID (Enterprise application)").fill("not a guid");
    await page.getByLabel("Environment URL").fill("https://https://contoso.crm.dynamics.com");
    await expect(page.getByLabel("Environment URL")).toHaveAttribute("aria-invalid", "true");
    await expectNoViolations(page, "details with errors");
    await page.goto("/no-such-page");
    await expectNoViolations(page, "not found");
  });
}

test("signed-in test step with the picker has no axe violations", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await page.goto("/setup/test");
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page.getByText("Signed in as alex@contoso.onmicrosoft.com")).toBeVisible();
  await page.getByRole("button", { name: "Load $metadata", exact: true }).click();
  await expect(page.getByRole("combobox", { name: "Find the entity set" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("combobox", { name: "Find the entity set" }).fill("acc");
  await expectNoViolations(page, "test step, signed in, picker open");
});

for (const width of [320, 640]) {
  test(`no horizontal scrolling at ${width} px`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto("/");
    await noHorizontalScroll(page, "welcome");
    for (const step of steps) {
      await page.goto(`/setup/${step}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await noHorizontalScroll(page, `step ${step}`);
    }
    await context.close();
  });
}

test("focus is visible on every interactive element reached with Tab", async ({ page }) => {
  await page.goto("/setup/register");
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return "none-needed";
      const s = getComputedStyle(el);
      return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? "visible" : `${el.tagName} ${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(["visible", "none-needed"]).toContain(outline);
  }
});
