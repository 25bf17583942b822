// End-to-end tests: the release build (dist/) and the local sandbox tenant, both started here.
import { defineConfig } from "@playwright/test";

const APP_PORT = Number(process.env.APP_PORT || 8080);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT || 8081);
const targetDir = process.env.CARGO_TARGET_DIR || "../target";

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
      command: `${targetDir}/release/sandbox --config ../sandbox/sandbox.toml --port ${SANDBOX_PORT}`,
      url: `http://localhost:${SANDBOX_PORT}/sandbox/health`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
