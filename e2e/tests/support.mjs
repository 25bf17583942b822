// Page helpers and shared values for the end-to-end tests.
//
// Elements are found as a person finds them: by role and accessible name, or by label.
import { expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (e2e/tests → ../..). */
export const REPO = path.resolve(here, "../..");
/** Shared test data, beside the repository (never copied into it). */
export const FIXTURES = path.resolve(here, "../../../shared/fixtures");
export const SCHEMA_PATH = path.join(REPO, "schema/connection.schema.json");

export const APP = "http://localhost:8080";
export const SANDBOX = "http://localhost:8081";
export const SPA_REDIRECT = `${APP}/auth/callback`;

/** A fictional public-cloud tenant typed into step 4. */
export const FICTIONAL = {
  appName: "Data Sync Contoso",
  tenantTyped: "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
  tenant: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
  clientId: "7c1d9a2e-5b3f-4e8a-9d6c-1f2e3a4b5c6d",
  objectId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  secretId: "5ec2e700-1111-4222-8333-444455556666",
  secret: "Xq98Q~fictional.Secret-Value_0123456789abcdEF",
  environment: "https://contoso.crm4.dynamics.com",
  serviceUrl: "https://contoso.crm4.dynamics.com/api/data/v9.2/",
  entity: "accounts",
};

/** The sandbox tenant's ready-made values (sandbox/sandbox.toml). */
export const SBX = {
  tenant: "11111111-2222-3333-4444-555555555555",
  clientId: "aaaaaaaa-0000-4000-8000-000000000001",
  webOnlyClientId: "aaaaaaaa-0000-4000-8000-000000000002",
  environment: "http://contoso.crm.localhost:8081",
  secret: "Sbx8Q~sandbox.client.secret.value.000001",
};

/** The eight steps, in order. */
export const STEPS = [
  ["register", "Register the app"],
  ["permissions", "API permissions"],
  ["secret", "Client secret"],
  ["details", "Gather the details"],
  ["app-user", "Add the application user"],
  ["connector", "Connector settings"],
  ["test", "Test the connection"],
  ["review", "Review and export"],
];

/**
 * Types the fictional public-cloud connection into steps 4 and 6; `tokenEndpoint` is typed too
 * when given.
 */
export async function fillPublicConnection(page, { tokenEndpoint } = {}) {
  await page.goto("/setup/details");
  await field(page, "Directory (tenant) ID").fill(FICTIONAL.tenant);
  await field(page, "Application (client) ID").fill(FICTIONAL.clientId);
  await field(page, "Object ID (Enterprise application)").fill(FICTIONAL.objectId);
  await field(page, "Client secret value").fill(FICTIONAL.secret);
  await field(page, "Environment URL").fill(FICTIONAL.environment);
  if (tokenEndpoint) await field(page, "Token endpoint (optional)").fill(tokenEndpoint);
  await page.goto("/setup/connector");
  await field(page, "Entity").fill(FICTIONAL.entity);
}

/** The input labelled `label` (a required field's label ends with an aria-hidden " *"). */
export function field(page, label) {
  return page.getByLabel(new RegExp(`^${escape(label)}( \\*)?$`));
}

/** The step list navigation. */
export function stepList(page) {
  return page.getByRole("navigation", { name: "Setup steps" });
}

/** Asserts the page shows step `n` (1-based): count, heading and aria-current in the step list. */
export async function expectStep(page, n) {
  const [slug, title] = STEPS[n - 1];
  await expect(page).toHaveURL(new RegExp(`/setup/${slug}(#[a-z-]+)?$`));
  await expect(page.getByText(`Step ${n} of 8`, { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const nav = stepList(page);
  await expect(nav.getByRole("link", { name: stepName(n, title) })).toHaveAttribute(
    "aria-current",
    "step",
  );
  // Exactly one current step.
  await expect(nav.locator('[aria-current="step"]')).toHaveCount(1);
}

/** Goes to step `n` through the step list (mouse). */
export async function gotoStep(page, n) {
  const [, title] = STEPS[n - 1];
  await stepList(page)
    .getByRole("link", { name: stepName(n, title) })
    .click();
  await expectStep(page, n);
}

/** The step list link's name: "4 Gather the details", maybe with a ✓ and " (done)". */
export function stepName(n, title, { done } = {}) {
  const tail = done === undefined ? "( \\(done\\))?" : done ? " \\(done\\)" : "";
  return new RegExp(`^${n}\\D*?${escape(title)}${tail}$`);
}

export function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Presses Tab until `locator` has focus (keyboard-only navigation). Fails after `max` presses. */
export async function tabTo(page, locator, { max = 80, shift = false } = {}) {
  await expect(locator).toHaveCount(1);
  for (let i = 0; i < max; i++) {
    if (await locator.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
  }
  await expect(locator, `reached by ${shift ? "Shift+Tab" : "Tab"} within ${max} presses`).toBeFocused();
}

/** The text of every element the input's aria-describedby points to. */
export async function describedBy(locator) {
  return locator.evaluate((el) =>
    (el.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join("\n"),
  );
}

/** Fills a field and checks it is rejected with a message (tied to the input) matching `re`. */
export async function expectRejected(page, label, value, re) {
  const input = field(page, label);
  await input.fill(value);
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect.poll(() => describedBy(input)).toMatch(re);
  // The message is on screen, right by the input.
  await expect(page.getByText(re).first()).toBeVisible();
}

/** Fills a field and checks it is accepted (optionally with a note matching `re`). */
export async function expectAccepted(page, label, value, re) {
  const input = field(page, label);
  await input.fill(value);
  await expect(input).toHaveAttribute("aria-invalid", "false");
  if (re) {
    await expect.poll(() => describedBy(input)).toMatch(re);
    await expect(page.getByText(re).first()).toBeVisible();
  }
}

/** Today + `days` in the browser's own time zone, as YYYY-MM-DD. */
export async function dateFromToday(page, days) {
  return page.evaluate((days) => {
    const d = new Date();
    d.setDate(d.getDate() + days);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }, days);
}

let validator;
/** Validates a connection JSON against schema/connection.schema.json; returns the errors (or null). */
export async function schemaErrors(doc) {
  if (!validator) {
    const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8"));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator(doc) ? null : validator.errors;
}

/** Presses the download button on step 8 and returns { name, text, json }. */
export async function downloadExport(page) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download connection JSON" }).click(),
  ]);
  const file = await download.path();
  const text = await readFile(file, "utf8");
  return { name: download.suggestedFilename(), text, json: JSON.parse(text), path: file };
}

/**
 * Everything this origin keeps in the browser: both storages, cookies, and the full content of
 * every IndexedDB database (keys and values, as text), so a test can assert where a secret is not.
 */
export async function browserStorage(page) {
  const inPage = await page.evaluate(async () => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]));
    const text = (v) => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder().decode(v);
      if (v instanceof Blob) return `[blob ${v.size}]`;
      try {
        return JSON.stringify(v, (_, x) => (x instanceof ArrayBuffer || ArrayBuffer.isView(x) ? new TextDecoder().decode(x) : x));
      } catch {
        return String(v);
      }
    };
    const req = (r) => new Promise((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
    const databases = [];
    for (const { name } of indexedDB.databases ? await indexedDB.databases() : []) {
      const db = await req(indexedDB.open(name));
      const parts = [];
      for (const store of Array.from(db.objectStoreNames)) {
        const os = db.transaction(store, "readonly").objectStore(store);
        const [keys, values] = await Promise.all([req(os.getAllKeys()), req(os.getAll())]);
        parts.push(store, ...keys.map(text), ...values.map(text));
      }
      db.close();
      databases.push({ name, content: parts.join("\n") });
    }
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie, indexedDB: databases };
  });
  inPage.cookies = await page.context().cookies();
  return inPage;
}

/** Asserts `secret` is in no localStorage value or key, cookie or IndexedDB record. */
export async function expectNotPersisted(page, secret, what = "the secret") {
  const s = await browserStorage(page);
  for (const [k, v] of Object.entries(s.local)) {
    expect(k + v, `${what} in localStorage ${k}`).not.toContain(secret);
  }
  expect(s.cookie, `${what} in a cookie`).not.toContain(secret);
  for (const c of s.cookies) expect(c.value, `${what} in cookie ${c.name}`).not.toContain(secret);
  for (const db of s.indexedDB) expect(db.content, `${what} in IndexedDB ${db.name}`).not.toContain(secret);
  return s;
}

/** Clicks "Try with the sandbox" on the welcome page; lands on step 4 with the sandbox values. */
export async function startWithSandbox(page) {
  await page.goto("/");
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await expectStep(page, 4);
  await expect(field(page, "Directory (tenant) ID")).toHaveValue(SBX.tenant);
  await expect(field(page, "Application (client) ID")).toHaveValue(SBX.clientId);
  await expect(field(page, "Environment URL")).toHaveValue(SBX.environment);
}

/** Forgets the sandbox's codes and consents, so every test starts the same. */
export async function resetSandbox(request) {
  const r = await request.post(`${SANDBOX}/sandbox/reset`);
  expect(r.ok()).toBeTruthy();
}

/** The diagnosis box (role=alert) whose text matches `re`. */
export function diagnosis(page, re) {
  return page.getByRole("alert").filter({ hasText: re });
}

/** Checks a diagnosis shows its code, a cause, a fix and the raw answer behind a disclosure. */
export async function expectDiagnosis(page, code, { raw } = {}) {
  const box = diagnosis(page, code);
  await expect(box).toBeVisible({ timeout: 20_000 });
  await expect(box.getByRole("heading")).toContainText(code);
  await expect(box.getByText("Cause:")).toBeVisible();
  await expect(box.getByText("Fix:")).toBeVisible();
  const details = box.getByText("Raw server answer");
  await expect(details).toBeVisible();
  if (raw) {
    await details.click();
    await expect(box.locator("pre")).toContainText(raw);
  }
  return box;
}

const SANDBOX_SIGN_IN = "Sign in to Contoso (sandbox)";

/** Welcome page → Sandbox scenario → Try with the sandbox; the entity `accounts` typed on step 6. */
export async function startScenario(page, name) {
  await page.goto("/");
  await page.getByLabel("Sandbox scenario").selectOption(name);
  await page.getByRole("button", { name: "Try with the sandbox" }).click();
  await expectStep(page, 4);
  await gotoStep(page, 6);
  await field(page, "Entity").fill("accounts");
}

/** Step 7: sign in as Alex Admin on the sandbox's page; back on step 7. */
export async function signInAlex(page) {
  await gotoStep(page, 7);
  await page.getByRole("button", { name: "Sign in and test" }).click();
  await expect(page.getByRole("heading", { name: SANDBOX_SIGN_IN })).toBeVisible();
  await page.getByRole("button", { name: "Sign in as Alex Admin" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:8080\/setup\/test$/, { timeout: 20_000 });
}

export function region(page) {
  return page.getByRole("region", { name: "Setup verification" });
}

/** The verdict list items (one per check) once a run has finished. */
export async function verdicts(page) {
  const r = region(page);
  await expect(r.getByText("Checking every setup step…")).toHaveCount(0, { timeout: 30_000 });
  const items = r.locator("ul.verdicts > li");
  await expect(items).toHaveCount(10, { timeout: 30_000 });
  return items;
}
