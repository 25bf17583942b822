# Two commands set up a fresh machine: `make serve` and `make test`.
# Both run scripts/bootstrap.sh first, which installs only what is missing.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never
SANDBOX_PORT ?= 8081
APP_PORT ?= 8080
SANDBOX_CONFIG ?= sandbox/sandbox.toml

.PHONY: serve build test test-native test-wasm test-e2e test-engines journey screenshots bench fmt clippy lint bootstrap-serve bootstrap-test sandbox clean fuzz mutants

bootstrap-serve:
	@scripts/bootstrap.sh serve

bootstrap-test:
	@scripts/bootstrap.sh test

## Build the release app and serve it on http://localhost:$(APP_PORT) as a static host would (SPA fallback,
## CSP header, brotli/gzip copies: scripts/serve.sh), with the local sandbox tenant on :$(SANDBOX_PORT).
serve: bootstrap-serve
	cargo build --release -p sandbox
	@scripts/serve.sh

## Release build of the app into dist/.
build: bootstrap-serve
	trunk build --release --offline --skip-version-check

## Every test layer: native unit tests, wasm-bindgen-test in headless Chromium, Playwright end to end.
test: bootstrap-test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-wasm
	$(MAKE) --no-print-directory test-e2e
	$(MAKE) --no-print-directory test-engines

test-native:
	cargo test -p wizard-core -p sandbox

test-wasm:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver \
	WASM_BINDGEN_TEST_TIMEOUT=120 \
	cargo test -p dataverse-wizard --target wasm32-unknown-unknown --tests

test-e2e: build
	cargo build --release -p sandbox
	cd e2e && npx playwright test --config playwright.config.mjs

## The setup journey (issue 22), measured: from the welcome page to an all-✓ connection in two
## environments, "Set it up for me" (a bare app registration) beside today's manual path (every value
## typed), each with the values typed, the clicks and the seconds ([journey] lines).
journey: build
	cargo build --release -p sandbox
	cd e2e && npx playwright test --config playwright.config.mjs set-up.spec.mjs -g journey --reporter=line

## The cross-engine smoke: one journey (start, sandbox, sign-in, verification, schema, picker, cache
## reload, Settings clear) in Firefox ESR (WebDriver BiDi) and WebKitGTK (WebKitWebDriver under
## xvfb-run), each file downloaded once per page load. ENGINES=firefox or webkit for one.
test-engines: build
	cargo build --release -p sandbox
	node e2e/engines/smoke.mjs

## PNGs of every page and state (light and dark, 1280 and 360 px) into screenshots/ (git-ignored),
## against the release build and the sandbox, to look at.
screenshots: build
	cargo build --release -p sandbox
	cd e2e && npx playwright test --config screenshots.config.mjs

## Fuzz the hostile-input parsers (CSDL, import JSON, fields, connection string and import detector)
## with cargo-fuzz, FUZZ_SECONDS (default 60) per target; installs cargo-fuzz if missing; fails on a crash. Not part of `make test`. See fuzz/README.md.
fuzz:
	@fuzz/run.sh

## Mutation testing of the core (wizard-core) with cargo-mutants: installs it if missing, mutates a
## copy of the tree (never the real one) with --jobs 1 under nice, prints the score and the surviving
## mutants; report in mutants.out/. MUTANTS_FILES="core/src/auth.rs ..." restricts the files,
## MUTANTS_JOBS=N, MUTANTS_FROM=HEAD, MUTANTS_IN_PLACE=1. Not part of `make test`. See scripts/mutants.sh.
mutants:
	@scripts/mutants.sh

## Performance in headless Chromium against the release build: parse vs DOMParser, longest main-thread
## task during a load, picker filter per keystroke, cache, bundle size, first visit over a throttled line
## served compressed; the parse and an unthrottled first visit in Firefox ESR too; then every budget of issue 13 with its status. JSON in bench-results/.
## BENCH_FIXTURES=DIR (default ../shared/fixtures/csdl), BENCH_RUNS=N (default 7).
bench: bootstrap-test
	trunk build --release --offline --skip-version-check
	trunk build --release --offline --skip-version-check --dist target/bench-dist --public-url /bench/ e2e/bench/index.html
	node e2e/bench.mjs

fmt:
	cargo fmt --all

## The style gate, first step of `make test`: rustfmt, then clippy with -D warnings on the native
## crates and the wasm app. `unwrap_used` ([workspace.lints]) applies to production code only.
clippy lint:
	cargo fmt --all --check
	cargo clippy --workspace --lib --bins -- -D warnings
	cargo clippy --workspace --tests -- -D warnings -A clippy::unwrap_used
	cargo clippy -p dataverse-wizard --target wasm32-unknown-unknown --lib --bins --features split -- -D warnings
	cargo clippy -p dataverse-wizard --target wasm32-unknown-unknown --tests -- -D warnings -A clippy::unwrap_used

clean:
	cargo clean; rm -rf dist node_modules
