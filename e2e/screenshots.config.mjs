// `make screenshots`: PNGs of every page and state, light and dark, 1280 and 360 px, into
// ../screenshots/ (git-ignored). Same servers as the e2e tests (release build + sandbox).
import { defineConfig } from "@playwright/test";
import base from "./playwright.config.mjs";

export default defineConfig({
  ...base,
  testDir: "./screenshots",
  testMatch: /.*\.shots\.mjs$/,
  outputDir: "./test-results-screenshots",
  timeout: 300_000,
});
