// End-to-end tests: the release build (dist/) and the local sandbox tenant, both started here.
import { defineConfig } from "@playwright/test";
import { copyFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const APP_PORT = Number(process.env.APP_PORT || 8080);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT || 8081);
const targetDir = process.env.CARGO_TARGET_DIR || "../target";

// The sandbox serves `$metadata` from E2E_METADATA: a temporary copy of the default document
// (the one sandbox.toml names) that cache.spec.mjs may change and restores. The config is also
// evaluated in the workers, which inherit the variable and so do not copy again.
if (!process.env.E2E_METADATA) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const source = path.resolve(here, "../../shared/fixtures/csdl/dataverse_v9_bcgov_embc_ess_2022-10.xml");
  const copy = path.join(os.tmpdir(), `dvwiz-e2e-metadata-${process.pid}.xml`);
  if (existsSync(source)) {
    copyFileSync(source, copy);
    process.env.E2E_METADATA = copy;
    process.env.E2E_METADATA_SOURCE = source;
  }
}
const metadataArg = process.env.E2E_METADATA ? ` --metadata ${process.env.E2E_METADATA}` : "";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "./test-results",
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    trace: "retain-on-failure",
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: `node serve-dist.mjs`,
      url: `http://localhost:${APP_PORT}/`,
      env: { APP_PORT: String(APP_PORT) },
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `${targetDir}/release/sandbox --config ../sandbox/sandbox.toml --port ${SANDBOX_PORT}${metadataArg}`,
      url: `http://localhost:${SANDBOX_PORT}/sandbox/health`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
